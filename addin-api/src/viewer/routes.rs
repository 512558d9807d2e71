//! The Viewer's pages over HTTP (SPEC §14), under `/viewer/…`. Handlers parse the request,
//! call the domain ([`super::access`], [`super::read`], [`super::reply`], [`super::forward`],
//! [`super::withdraw`]) and render a page; [`PageError`] is the one place where errors become
//! pages and statuses. Every response carries a strict CSP with no third-party sources,
//! `frame-ancestors 'none'` and `Cache-Control: no-store`; `Referrer-Policy: no-referrer` and
//! `nosniff` come from the main router.
//!
//! Cookies, all `HttpOnly; Secure`: `viewer-browser` (`SameSite=Strict`, the browser a code
//! belongs to, set only by a same-site form post, so a link opened from a webmail page cannot
//! replace it), `viewer-session` (`SameSite=Strict`, `Path=/viewer/{link}`: one message), and
//! `viewer-lang` (the language chosen on a page).

use std::time::Duration;

use addin_core::api::Language;
use askama::Template;
use axum::{
    Form, Router,
    extract::{
        DefaultBodyLimit, Multipart, Path, Query, State, multipart::MultipartRejection,
        rejection::FormRejection,
    },
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use rand::RngCore;
use serde::Deserialize;
use tower_http::{set_header::SetResponseHeaderLayer, timeout::TimeoutLayer};

use super::{
    access::{self, Opened},
    forward::{self, ForwardRequest, Forwarded},
    pages::{self, Chrome, ForwardForm, MessageState},
    read, reply,
    reply::ReplyDraft,
    withdraw,
};
use crate::{Error, app::AppState, http::extract::ClientAddress, i18n::Texts};

const BROWSER_COOKIE: &str = "viewer-browser";
const SESSION_COOKIE: &str = "viewer-session";
const LANGUAGE_COOKIE: &str = "viewer-lang";
/// Forms are small; a reply may carry 20 MiB of attachments, which multipart encoding grows.
const FORM_LIMIT: usize = 64 * 1024;
const REPLY_LIMIT: usize = 25 * 1024 * 1024;
/// A phone on a slow connection may take minutes to upload a reply's attachments.
const TIMEOUT: Duration = Duration::from_secs(300);
/// What stays literal in a path segment we link back to (RFC 3986 unreserved).
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/viewer/static/viewer.css", get(stylesheet))
        .route(
            "/viewer/withdraw/{secret}",
            get(withdraw_page).post(withdraw_now),
        )
        .route("/viewer/{secret}", get(landing))
        .route("/viewer/{secret}/code", get(code_page).post(request_code))
        .route("/viewer/{secret}/verify", post(verify))
        .route("/viewer/{secret}/wrong-number", post(wrong_number))
        .route("/viewer/{secret}/message", get(message_page))
        .route("/viewer/{secret}/attachments/{index}", get(attachment))
        .route("/viewer/{secret}/download", get(download))
        .route(
            "/viewer/{secret}/reply",
            post(send_reply).layer(DefaultBodyLimit::max(REPLY_LIMIT)),
        )
        .route("/viewer/{secret}/forward", post(forward_message))
        .layer(DefaultBodyLimit::max(FORM_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            TIMEOUT,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

// ---- Language ------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
struct PageQuery {
    lang: Option<String>,
    done: Option<String>,
}

/// The page's language: the one chosen on a page (now, or before in the cookie), else
/// English for a message sent with `(EN)`, else the browser's, else Dutch.
fn language(
    query: &PageQuery,
    jar: &CookieJar,
    headers: &HeaderMap,
    message: Option<Language>,
) -> Language {
    let chosen = query
        .lang
        .as_deref()
        .or_else(|| jar.get(LANGUAGE_COOKIE).map(Cookie::value))
        .and_then(Language::from_code);
    chosen
        .or(message.filter(|language| *language == Language::En))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|value| value.to_str().ok())
                .and_then(accepted_language)
        })
        .unwrap_or(Language::Nl)
}

/// The best of nl, en and de in an `Accept-Language` header.
fn accepted_language(header: &str) -> Option<Language> {
    let mut best: Option<(f32, Language)> = None;
    for item in header.split(',') {
        let mut parts = item.trim().split(';');
        let tag = parts.next().unwrap_or_default().trim();
        let quality = parts
            .find_map(|part| part.trim().strip_prefix("q="))
            .and_then(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        let primary = tag
            .split('-')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if let Some(language) = Language::from_code(&primary)
            && quality > 0.0
            && best.is_none_or(|(known, _)| quality > known)
        {
            best = Some((quality, language));
        }
    }
    best.map(|(_, language)| language)
}

/// Remembers a language chosen on a page.
fn remember_language(jar: CookieJar, query: &PageQuery) -> CookieJar {
    match query.lang.as_deref().and_then(Language::from_code) {
        Some(language) => jar.add(
            Cookie::build((LANGUAGE_COOKIE, language.code()))
                .path("/viewer")
                .secure(true)
                .http_only(true)
                .same_site(SameSite::Lax)
                .max_age(time::Duration::days(365))
                .build(),
        ),
        None => jar,
    }
}

// ---- Errors as pages -----------------------------------------------------------------------

/// An error on its way to becoming a page, in the page's language.
struct PageError {
    error: Error,
    language: Language,
    secret: Option<String>,
}

trait InLanguage<T> {
    fn page(self, language: Language, secret: &str) -> Result<T, PageError>;
}

impl<T> InLanguage<T> for Result<T, Error> {
    fn page(self, language: Language, secret: &str) -> Result<T, PageError> {
        self.map_err(|error| PageError {
            error,
            language,
            secret: Some(secret.to_owned()),
        })
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        // Encoded: the secret is whatever the address said, and the page links back to it.
        let landing = self.secret.as_deref().map(|secret| {
            let secret = percent_encoding::utf8_percent_encode(secret, PATH_SEGMENT);
            format!("/viewer/{secret}")
        });
        let (status, title, text) = match &self.error {
            Error::NotAvailable => (
                StatusCode::NOT_FOUND,
                "not-available-title",
                "not-available",
            ),
            Error::ViewerSessionRequired => {
                // The session lapsed (30 minutes idle) or is for another message: start over.
                return Redirect::to(landing.as_deref().unwrap_or("/viewer")).into_response();
            }
            Error::TooManyRequests { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too-many-title",
                "code-too-many",
            ),
            Error::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable-title",
                "unavailable",
            ),
            Error::BadRequest { .. } => (
                StatusCode::BAD_REQUEST,
                "unavailable-title",
                "problem-invalid-form",
            ),
            error => {
                let mut id = [0u8; 8];
                rand::rngs::OsRng.fill_bytes(&mut id);
                let id = u64::from_be_bytes(id);
                tracing::error!(error_id = format!("{id:016x}"), %error, "a Viewer page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "unavailable-title",
                    "unavailable",
                )
            }
        };
        let t = Texts(self.language);
        let here = landing.clone().unwrap_or_else(|| "/viewer".into());
        let page = pages::Notice {
            chrome: Chrome::new(self.language, title, &here),
            text: t.t(text),
            back: None,
        };
        (status, render(&page)).into_response()
    }
}

fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
        Err(error) => {
            tracing::error!(%error, "a Viewer page did not render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Opens the link for a page in `language`; any link that does not lead to a readable
/// message is the same not-available page.
async fn opened(
    app: &AppState,
    secret: &str,
    query: &PageQuery,
    jar: &CookieJar,
    headers: &HeaderMap,
) -> Result<(Opened, Language), PageError> {
    let fallback = language(query, jar, headers, None);
    let opened = access::open(app, secret).await.page(fallback, secret)?;
    let language = language(query, jar, headers, Some(opened.language()));
    Ok((opened, language))
}

/// The session of this message's page, or back to its start.
async fn with_session(
    app: &AppState,
    opened: &Opened,
    jar: &CookieJar,
    language: Language,
    secret: &str,
) -> Result<(), PageError> {
    let token = jar
        .get(SESSION_COOKIE)
        .map(Cookie::value)
        .unwrap_or_default();
    access::check_session(app, opened, token)
        .await
        .page(language, secret)
}

// ---- The pages ------------------------------------------------------------------------------

async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("static/viewer.css"),
    )
}

async fn landing(
    State(app): State<AppState>,
    Path(secret): Path<String>,
    Query(query): Query<PageQuery>,
    jar: CookieJar,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (opened, language) = opened(&app, &secret, &query, &jar, &headers).await?;
    let t = Texts(language);
    let organisation = opened.organisation(&app);
    let sender = opened.sender_name();
    let how = match opened.masked_phone() {
        Some(phone) => t.t_with("landing-how-sms", &[("phone", &phone)]),
        None => t.t("landing-how-email"),
    };
    let page = pages::Landing {
        chrome: Chrome::new(language, "viewer-brand", &format!("/viewer/{secret}")),
        lead: t.t_with(
            "notification-lead",
            &[("sender", &sender), ("organisation", &organisation)],
        ),
        how,
        until: t.t_with(
            "notification-until",
            &[("date", &t.date(opened.view.message.expires_at - 1))],
        ),
        secret,
    };
    Ok((remember_language(jar, &query), render(&page)).into_response())
}

async fn request_code(
    State(app): State<AppState>,
    Path(secret): Path<String>,
    ClientAddress(client): ClientAddress,
    jar: CookieJar,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let query = PageQuery::default();
    let (opened, language) = opened(&app, &secret, &query, &jar, &headers).await?;
    // Already in: no new code needed.
    if let Some(token) = jar.get(SESSION_COOKIE)
        && access::check_session(&app, &opened, token.value())
            .await
            .is_ok()
    {
        return Ok(Redirect::to(&format!("/viewer/{secret}/message")).into_response());
    }
    let (jar, browser) = match jar.get(BROWSER_COOKIE).map(|c| c.value().to_owned()) {
        Some(browser) => (jar, browser),
        None => {
            let browser = access::new_browser_id();
            let cookie = Cookie::build((BROWSER_COOKIE, browser.clone()))
                .path("/viewer")
                .secure(true)
                .http_only(true)
                .same_site(SameSite::Strict)
                .max_age(time::Duration::days(30))
                .build();
            (jar.add(cookie), browser)
        }
    };
    match access::send_code(&app, &opened, &browser, client).await {
        Ok(_) => Ok((jar, Redirect::to(&format!("/viewer/{secret}/code"))).into_response()),
        Err(Error::TooManyRequests { .. }) => {
            let page = code_page_for(&opened, language, &secret, Some("code-too-many"));
            Ok((StatusCode::TOO_MANY_REQUESTS, jar, render(&page)).into_response())
        }
        Err(error) => Err(error).page(language, &secret),
    }
}

fn code_page_for(
    opened: &Opened,
    language: Language,
    secret: &str,
    problem: Option<&str>,
) -> pages::Code {
    let t = Texts(language);
    let masked = opened.masked_phone();
    pages::Code {
        chrome: Chrome::new(language, "code-title", &format!("/viewer/{secret}/code")),
        secret: secret.to_owned(),
        sent: match &masked {
            Some(phone) => t.t_with("code-sent-sms", &[("phone", phone)]),
            None => t.t("code-sent-email"),
        },
        by_sms: masked.is_some(),
        problem: problem.map(|key| t.t(key)),
    }
}

async fn code_page(
    State(app): State<AppState>,
    Path(secret): Path<String>,
    Query(query): Query<PageQuery>,
    jar: CookieJar,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (opened, language) = opened(&app, &secret, &query, &jar, &headers).await?;
    let page = code_page_for(&opened, language, &secret, None);
    Ok((remember_language(jar, &query), render(&page)).into_response())
}

#[derive(Debug, Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

async fn verify(
    State(app): State<AppState>,
    Path(secret): Path<String>,
    ClientAddress(client): ClientAddress,
    jar: CookieJar,
    headers: HeaderMap,
    form: Result<Form<CodeForm>, FormRejection>,
) -> Result<Response, PageError> {
    let (opened, language) = opened(&app, &secret, &PageQuery::default(), &jar, &headers).await?;
    let code = form.map(|Form(form)| form.code).unwrap_or_default();
    let browser = jar
        .get(BROWSER_COOKIE)
        .map(|cookie| cookie.value().to_owned())
        .unwrap_or_default();
    match access::verify_code(&app, &opened, &browser, &code, client).await {
        Ok(token) => {
            let cookie = Cookie::build((SESSION_COOKIE, token))
                .path(format!("/viewer/{secret}"))
                .secure(true)
                .http_only(true)
                .same_site(SameSite::Strict)
                .build();
            Ok((
                jar.add(cookie),
                Redirect::to(&format!("/viewer/{secret}/message")),
            )
                .into_response())
        }
        Err(Error::InvalidCode) => {
            let page = code_page_for(&opened, language, &secret, Some("code-wrong"));
            Ok((StatusCode::UNAUTHORIZED, render(&page)).into_response())
        }
        Err(Error::TooManyRequests { .. }) => {
            let page = code_page_for(&opened, language, &secret, Some("code-too-many"));
            Ok((StatusCode::TOO_MANY_REQUESTS, render(&page)).into_response())
        }
        Err(error) => Err(error).page(language, &secret),
    }
}

async fn wrong_number(
    State(app): State<AppState>,
    Path(secret): Path<String>,
    jar: CookieJar,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (opened, language) = opened(&app, &secret, &PageQuery::default(), &jar, &headers).await?;
    access::report_wrong_number(&app, &opened)
        .await
        .page(language, &secret)?;
    let page = pages::Notice {
        chrome: Chrome::new(language, "wrong-number-title", &format!("/viewer/{secret}")),
        text: Texts(language).t("wrong-number-done"),
        back: None,
    };
    Ok(render(&page))
}

async fn message_page(
    State(app): State<AppState>,
    Path(secret): Path<String>,
    Query(query): Query<PageQuery>,
    jar: CookieJar,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (opened, language) = opened(&app, &secret, &query, &jar, &headers).await?;
    with_session(&app, &opened, &jar, language, &secret).await?;
    let t = Texts(language);
    let notice = match query.done.as_deref() {
        Some("reply") => Some(t.t("reply-sent")),
        Some("forward-direct") => Some(t.t("forward-sent-direct")),
        Some("forward-viewer") => Some(t.t("forward-sent-viewer")),
        _ => None,
    };
    let page = message_for(
        &app,
        &opened,
        language,
        &secret,
        MessageState {
            notice,
            ..MessageState::default()
        },
    )
    .await?;
    Ok((remember_language(jar, &query), render(&page)).into_response())
}

/// The message page with `state`; the counts come from `opened`.
async fn message_for(
    app: &AppState,
    opened: &Opened,
    language: Language,
    secret: &str,
    state: MessageState,
) -> Result<pages::Message, PageError> {
    let message = read::readable(app, opened).await.page(language, secret)?;
    Ok(pages::Message::new(
        language,
        secret,
        &message,
        MessageState {
            replies_left: reply::MAX_REPLIES - opened.view.replies,
            forwards_left: forward::MAX_FORWARDS - opened.view.message.forwards,
            ..state
        },
    ))
}

async fn attachment(
    State(app): State<AppState>,
    Path((secret, index)): Path<(String, usize)>,
    jar: CookieJar,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (opened, language) = opened(&app, &secret, &PageQuery::default(), &jar, &headers).await?;
    with_session(&app, &opened, &jar, language, &secret).await?;
    let (raw, _) = read::raw_message(&app, &opened)
        .await
        .page(language, &secret)?;
    let (name, bytes) = read::attachment(&raw, index)
        .ok_or(Error::NotAvailable)
        .page(language, &secret)?;
    app.audit
        .viewer_event(
            &opened.view.message,
            "viewer-downloaded",
            Some("attachment"),
        )
        .await
        .page(language, &secret)?;
    Ok(download_response(&name, "application/octet-stream", bytes))
}

async fn download(
    State(app): State<AppState>,
    Path(secret): Path<String>,
    jar: CookieJar,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (opened, language) = opened(&app, &secret, &PageQuery::default(), &jar, &headers).await?;
    with_session(&app, &opened, &jar, language, &secret).await?;
    let (raw, _) = read::raw_message(&app, &opened)
        .await
        .page(language, &secret)?;
    app.audit
        .viewer_event(&opened.view.message, "viewer-downloaded", Some("message"))
        .await
        .page(language, &secret)?;
    let name = format!("{}.eml", opened.view.message.reference);
    Ok(download_response(&name, "message/rfc822", raw))
}

/// A file the browser saves, never shows: `Content-Disposition: attachment` with the name in
/// ASCII and in UTF-8 (RFC 6266), and no sniffing (the main router's `nosniff`).
fn download_response(name: &str, content_type: &'static str, bytes: Vec<u8>) -> Response {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String =
        percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC).collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

async fn send_reply(
    State(app): State<AppState>,
    Path(secret): Path<String>,
    jar: CookieJar,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let (opened, language) = opened(&app, &secret, &PageQuery::default(), &jar, &headers).await?;
    with_session(&app, &opened, &jar, language, &secret).await?;
    let draft = match multipart {
        Ok(multipart) => read_reply(multipart).await,
        Err(_) => Err(()),
    };
    let Ok(draft) = draft else {
        return problem_page(&app, language, &secret, Problem::Reply("invalid-form")).await;
    };
    let message = read::readable(&app, &opened)
        .await
        .page(language, &secret)?;
    match reply::send(&app, &opened, &message, draft).await {
        Ok(()) => Ok(Redirect::to(&format!("/viewer/{secret}/message?done=reply")).into_response()),
        Err(Error::Unprocessable { code, .. }) => {
            problem_page(&app, language, &secret, Problem::Reply(code)).await
        }
        Err(error) => Err(error).page(language, &secret),
    }
}

/// The reply form's text and files (empty file inputs left out).
async fn read_reply(mut multipart: Multipart) -> Result<ReplyDraft, ()> {
    let mut draft = ReplyDraft::default();
    while let Some(field) = multipart.next_field().await.map_err(|_| ())? {
        match field.name() {
            Some("text") => draft.text = field.text().await.map_err(|_| ())?,
            Some("files") => {
                let name = field.file_name().unwrap_or_default().to_owned();
                let bytes = field.bytes().await.map_err(|_| ())?;
                if !name.is_empty() || !bytes.is_empty() {
                    draft.attachments.push((
                        read::safe_file_name(Some(&name), draft.attachments.len()),
                        bytes.to_vec(),
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(draft)
}

#[derive(Debug, Deserialize)]
struct ForwardFields {
    #[serde(default)]
    reference: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    phone: String,
}

async fn forward_message(
    State(app): State<AppState>,
    Path(secret): Path<String>,
    jar: CookieJar,
    headers: HeaderMap,
    form: Result<Form<ForwardFields>, FormRejection>,
) -> Result<Response, PageError> {
    let (opened, language) = opened(&app, &secret, &PageQuery::default(), &jar, &headers).await?;
    with_session(&app, &opened, &jar, language, &secret).await?;
    let Ok(Form(fields)) = form else {
        let problem = Problem::Forward("invalid-form", ForwardForm::default());
        return problem_page(&app, language, &secret, problem).await;
    };
    let kept = ForwardForm {
        reference: fields.reference.clone(),
        to: fields.to.clone(),
        phone: fields.phone.clone(),
    };
    let message = read::readable(&app, &opened)
        .await
        .page(language, &secret)?;
    let request = ForwardRequest {
        reference: fields.reference,
        password: fields.password,
        to: fields.to.trim().to_owned(),
        phone: Some(fields.phone).filter(|phone| !phone.trim().is_empty()),
    };
    match forward::forward(&app, &opened, &message, request).await {
        Ok(how) => {
            let done = match how {
                Forwarded::Direct => "forward-direct",
                Forwarded::Viewer => "forward-viewer",
            };
            Ok(Redirect::to(&format!("/viewer/{secret}/message?done={done}")).into_response())
        }
        Err(Error::Unprocessable { code, .. } | Error::Forbidden { code, .. }) => {
            problem_page(&app, language, &secret, Problem::Forward(code, kept)).await
        }
        Err(error) => Err(error).page(language, &secret),
    }
}

/// What went wrong in a form on the message page.
enum Problem {
    Reply(&'static str),
    Forward(&'static str, ForwardForm),
}

/// The message page again, the problem shown at its form (422).
async fn problem_page(
    app: &AppState,
    language: Language,
    secret: &str,
    problem: Problem,
) -> Result<Response, PageError> {
    // The counts may have moved: read them again.
    let opened = access::open(app, secret).await.page(language, secret)?;
    let t = Texts(language);
    let state = match problem {
        Problem::Reply(code) => MessageState {
            reply_problem: Some(t.t(&format!("problem-{code}"))),
            ..MessageState::default()
        },
        Problem::Forward(code, form) => MessageState {
            forward_problem: Some(t.t(&format!("problem-{code}"))),
            forward_form: form,
            ..MessageState::default()
        },
    };
    let page = message_for(app, &opened, language, secret, state).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

// ---- Withdrawal ----------------------------------------------------------------------------

async fn withdraw_page(
    State(app): State<AppState>,
    Path(secret): Path<String>,
    Query(query): Query<PageQuery>,
    jar: CookieJar,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let language = language(&query, &jar, &headers, None);
    let message = withdraw::find(&app, &secret)
        .await
        .map_err(|error| PageError {
            error,
            language,
            secret: None,
        })?;
    let page = pages::Withdraw {
        chrome: Chrome::new(
            language,
            "withdraw-title",
            &format!("/viewer/withdraw/{secret}"),
        ),
        lead: Texts(language).t_with("withdraw-lead", &[("reference", &message.reference)]),
        secret,
    };
    Ok((remember_language(jar, &query), render(&page)).into_response())
}

async fn withdraw_now(
    State(app): State<AppState>,
    Path(secret): Path<String>,
    jar: CookieJar,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let language = language(&PageQuery::default(), &jar, &headers, None);
    let failed = |error| PageError {
        error,
        language,
        secret: None,
    };
    let message = withdraw::find(&app, &secret).await.map_err(failed)?;
    withdraw::withdraw(app.store.as_ref(), &app.audit, app.clock.as_ref(), &message)
        .await
        .map_err(failed)?;
    let page = pages::Notice {
        chrome: Chrome::new(
            language,
            "withdraw-done-title",
            &format!("/viewer/withdraw/{secret}"),
        ),
        text: Texts(language).t_with("withdraw-done", &[("reference", &message.reference)]),
        back: None,
    };
    Ok(render(&page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_language_is_read_by_preference() {
        for (header, expected) in [
            ("de-DE,de;q=0.9,en;q=0.8", Some(Language::De)),
            ("fr-FR, en;q=0.5, nl;q=0.7", Some(Language::Nl)),
            ("en-GB", Some(Language::En)),
            ("fr, es", None),
            ("nl;q=0, en;q=0.1", Some(Language::En)),
            ("", None),
        ] {
            assert_eq!(accepted_language(header), expected, "{header}");
        }
    }

    #[test]
    fn a_chosen_language_beats_the_message_and_the_browser() {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("de"));
        let jar = CookieJar::new();
        let none = PageQuery::default();
        let english = PageQuery {
            lang: Some("en".into()),
            done: None,
        };
        assert_eq!(language(&none, &jar, &headers, None), Language::De);
        assert_eq!(
            language(&none, &jar, &headers, Some(Language::En)),
            Language::En,
            "(EN) message"
        );
        assert_eq!(
            language(&none, &jar, &headers, Some(Language::Nl)),
            Language::De,
            "a Dutch message follows the browser"
        );
        assert_eq!(language(&english, &jar, &headers, None), Language::En);
        let jar = jar.add(Cookie::new(LANGUAGE_COOKIE, "nl"));
        assert_eq!(
            language(&none, &jar, &headers, Some(Language::En)),
            Language::Nl
        );
        assert_eq!(
            language(&none, &CookieJar::new(), &HeaderMap::new(), None),
            Language::Nl
        );
    }
}
