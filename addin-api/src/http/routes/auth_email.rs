//! `POST /api/v1/auth/email/start` and `/verify`: sign in with a code mailed to the mailbox
//! (SPEC §8; the rules are in [`crate::email_code`]).
//!
//! `start` answers 202 whether or not a code went out, so it cannot be used to probe
//! mailboxes; a client or device that asks too often, or guesses too often, gets 429 with
//! `Retry-After`. The e-mail's language follows the
//! request's `Accept-Language` (nl, en or de; Dutch otherwise). When the organisation signs
//! in with Entra ID both answer 403 `method-not-enabled`, as `/auth/entra` does for e-mail
//! code organisations.

use addin_core::{
    address::Address,
    api::{EmailCodeStart, EmailCodeVerify, IssuedToken, Language},
};
use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    routing::post,
};

use crate::{
    Error,
    app::AppState,
    clock::rfc3339,
    email_code::EmailCodes,
    http::extract::{ApiJson, ClientAddress},
    sessions::DeviceId,
    sign_in,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/email/start", post(start))
        .route("/api/v1/auth/email/verify", post(verify))
}

async fn start(
    State(app): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    ApiJson(request): ApiJson<EmailCodeStart>,
) -> Result<StatusCode, Error> {
    let codes = enabled(&app)?;
    let mailbox = mailbox(&request.mailbox)?;
    let device = DeviceId::parse(&request.device_id)?;
    let language = preferred_language(&headers);
    sign_in::request_code(&app, codes, &mailbox, &device, client, language).await?;
    Ok(StatusCode::ACCEPTED)
}

async fn verify(
    State(app): State<AppState>,
    ClientAddress(client): ClientAddress,
    ApiJson(request): ApiJson<EmailCodeVerify>,
) -> Result<Json<IssuedToken>, Error> {
    let codes = enabled(&app)?;
    let mailbox = mailbox(&request.mailbox)?;
    let device = DeviceId::parse(&request.device_id)?;
    let (token, expires_at) =
        sign_in::verify_code(&app, codes, &mailbox, &device, &request.code, client).await?;
    Ok(Json(IssuedToken {
        token,
        expires_at: rfc3339(expires_at),
    }))
}

fn enabled(app: &AppState) -> Result<&EmailCodes, Error> {
    app.email_codes.as_ref().ok_or_else(|| Error::Forbidden {
        code: "method-not-enabled",
        message: "this organisation does not sign in with e-mail codes (auth.method)".into(),
    })
}

fn mailbox(raw: &str) -> Result<Address, Error> {
    Address::parse(raw).map_err(|_| Error::BadRequest {
        code: "invalid-mailbox",
        message: "mailbox is not a valid e-mail address".into(),
    })
}

/// The most wanted of our languages in `Accept-Language` (RFC 9110 §12.5.4): `nl`, `en` or
/// `de` by primary subtag, by quality, the first listed on a tie; Dutch when none is wanted.
fn preferred_language(headers: &HeaderMap) -> Language {
    let Some(value) = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
    else {
        return Language::Nl;
    };
    let mut best: Option<(Language, f32)> = None;
    for range in value.split(',') {
        let mut parts = range.split(';');
        let tag = parts.next().unwrap_or_default().trim();
        let primary = tag.split('-').next().unwrap_or_default();
        let Some(language) = Language::from_code(&primary.to_ascii_lowercase()) else {
            continue;
        };
        let quality = parts
            .filter_map(|parameter| parameter.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if quality > 0.0 && best.is_none_or(|(_, best_quality)| quality > best_quality) {
            best = Some((language, quality));
        }
    }
    best.map_or(Language::Nl, |(language, _)| language)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn language_for(accept: Option<&'static str>) -> Language {
        let mut headers = HeaderMap::new();
        if let Some(value) = accept {
            headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static(value));
        }
        preferred_language(&headers)
    }

    #[test]
    fn the_most_wanted_of_our_languages_is_chosen() {
        for (accept, expected) in [
            (None, Language::Nl),
            (Some(""), Language::Nl),
            (Some("fr-FR, fr;q=0.9"), Language::Nl),
            (Some("en"), Language::En),
            (Some("de-DE,de;q=0.9,en;q=0.8"), Language::De),
            (Some("fr;q=1, en-GB;q=0.5, nl;q=0.7"), Language::Nl),
            (Some("EN-us"), Language::En),
            (Some("de;q=0.8, en;q=0.8"), Language::De),
            (Some("de;q=0, en;q=0.1"), Language::En),
            (Some("*, de;q=0.5"), Language::De),
            (Some("en;q=bogus"), Language::En),
        ] {
            assert_eq!(language_for(accept), expected, "{accept:?}");
        }
    }
}
