//! Signing in with an e-mail code end to end (SPEC §8, §12): the server mails the code over a
//! real SMTP exchange (plain, STARTTLS, implicit TLS) or, with no `smtp.url`, writes it to
//! `data/outbox/`; the test reads it where a user would and signs in with it.

use std::{path::PathBuf, time::Duration};

use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::{
    helpers::{
        ApiClient, Backend, COLLEAGUE, PATIENT, Reply, SENDER, Session, TestApp, new_device_id,
        send,
    },
    smtp_server::{Security, SmtpServer, tls_config},
};

const START: &str = "/api/v1/auth/email/start";
const VERIFY: &str = "/api/v1/auth/email/verify";

// ---- Steps ---------------------------------------------------------------------------------

/// `POST /auth/email/start`, with `Accept-Language` when given.
async fn start(api: &ApiClient, mailbox: &str, device_id: &str, language: Option<&str>) -> Reply {
    let mut request = api
        .request(Method::POST, START)
        .json(&json!({"mailbox": mailbox, "device_id": device_id}));
    if let Some(language) = language {
        request = request.header(header::ACCEPT_LANGUAGE, language);
    }
    send(request).await
}

async fn verify(api: &ApiClient, mailbox: &str, device_id: &str, code: &str) -> Reply {
    let body = json!({"mailbox": mailbox, "device_id": device_id, "code": code});
    send(api.request(Method::POST, VERIFY).json(&body)).await
}

/// Signs in with `code`; the session the answer holds.
async fn signed_in(api: &ApiClient, mailbox: &str, device_id: &str, code: &str) -> Session {
    let issued = verify(api, mailbox, device_id, code).await.ok_json();
    let expires_at = issued["expires_at"].as_str().expect("an expiry");
    humantime::parse_rfc3339(expires_at).expect("RFC 3339");
    Session {
        token: issued["token"].as_str().expect("a token").to_owned(),
        device_id: device_id.to_owned(),
    }
}

/// A message as a mail client reads it.
fn parse(raw: &[u8]) -> mail_parser::Message<'static> {
    mail_parser::MessageParser::default()
        .parse(raw)
        .expect("a parsable message")
        .into_owned()
}

/// The 8-digit code in the message's text part.
fn code_in(message: &mail_parser::Message<'_>) -> String {
    let text = message.body_text(0).expect("a text part");
    text.split_whitespace()
        .find(|word| word.len() == 8 && word.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or_else(|| panic!("a code in {text:?}"))
        .to_owned()
}

/// Checks what a user sees: the message is to `mailbox`, in `language`, with the code in its
/// text and its HTML part; returns the code.
#[track_caller]
fn read_code(message: &mail_parser::Message<'_>, mailbox: &str, language: &str) -> String {
    let to = message
        .to()
        .and_then(|to| to.first())
        .and_then(|to| to.address())
        .expect("a To address");
    assert_eq!(to, mailbox);
    let subject = message.subject().expect("a subject");
    let expected_subject = match language {
        "nl" => "Uw autorisatiecode voor Send Secure",
        "en" => "Your Send Secure authorisation code",
        "de" => "Ihr Autorisierungscode für Send Secure",
        other => panic!("no language {other}"),
    };
    assert_eq!(subject, expected_subject);
    assert_eq!(
        (message.text_body_count(), message.html_body_count()),
        (1, 1)
    );
    let code = code_in(message);
    let html = message.body_html(0).expect("an HTML part");
    assert!(
        html.contains(&format!("<html lang=\"{language}\">")),
        "{html}"
    );
    assert!(html.contains(&code), "the HTML part shows the code too");
    code
}

/// The `.eml` files in the app's outbox.
fn outbox(app: &TestApp) -> Vec<PathBuf> {
    match std::fs::read_dir(app.data_dir().join("outbox")) {
        Ok(entries) => entries
            .map(|entry| entry.expect("a directory entry").path())
            .filter(|path| path.extension().is_some_and(|extension| extension == "eml"))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Waits until the outbox holds `count` files (at most 10 s) and returns the newest ones'
/// messages, in no particular order.
async fn outbox_messages(app: &TestApp, count: usize) -> Vec<mail_parser::Message<'static>> {
    for _ in 0..500 {
        let files = outbox(app);
        if files.len() >= count {
            return files
                .iter()
                .map(|path| parse(&std::fs::read(path).expect("a readable .eml")))
                .collect();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{count} e-mail(s) in the outbox within 10 s");
}

/// The signed-in user's session, as `GET /api/v1/session` shows it.
async fn session_of(api: &ApiClient, session: &Session) -> Value {
    api.get_as(session, "/api/v1/session").await.ok_json()
}

// ---- Over SMTP -----------------------------------------------------------------------------

async fn a_code_mailed_over_smtp_signs_in(backend: Backend) {
    let smtp = SmtpServer::start(Security::Plain).await;
    let app = TestApp::builder(backend)
        .set("smtp.url", format!("smtp://127.0.0.1:{}", smtp.addr.port()))
        .start()
        .await;
    let device_id = new_device_id();

    start(&app, SENDER, &device_id, None)
        .await
        .assert_status(StatusCode::ACCEPTED);

    let received = smtp.wait_for(1).await;
    assert_eq!(received[0].to, [SENDER], "the envelope recipient");
    assert_eq!(
        received[0].from, "no-reply@localhost",
        "from the public URL's host"
    );
    assert!(!received[0].over_tls);
    let code = read_code(&parse(&received[0].data), SENDER, "nl");
    let session = signed_in(&app, SENDER, &device_id, &code).await;
    let info = session_of(&app, &session).await;
    assert_eq!(info["mailbox"], SENDER);
    assert_eq!(info["method"], "email-code");
    app.finish().await;
}

/// The SMTP server's certificate comes from a development CA the API is told to trust
/// (`--ca-cert`), so the TLS is verified as in production, not switched off.
async fn smtp_over_tls(
    security: fn(std::sync::Arc<tokio_rustls::rustls::ServerConfig>) -> Security,
    url: &str,
    language: &str,
) {
    let ca_dir = tempfile::tempdir().expect("a temporary directory");
    let certificate = addin_api::tls::dev_certificate(ca_dir.path(), std::time::SystemTime::now())
        .expect("a localhost certificate");
    let smtp = SmtpServer::start(security(tls_config(
        &certificate.cert_pem,
        &certificate.key_pem,
    )))
    .await;
    let app = TestApp::builder(Backend::Sqlite)
        .set(
            "smtp.url",
            url.replace("PORT", &smtp.addr.port().to_string()),
        )
        .ca_cert(&certificate.ca_pem_path)
        .start()
        .await;
    let device_id = new_device_id();

    start(
        &app,
        SENDER,
        &device_id,
        Some(&format!("{language};q=0.9, fr;q=0.5")),
    )
    .await
    .assert_status(StatusCode::ACCEPTED);

    let received = smtp.wait_for(1).await;
    assert!(received[0].over_tls, "the message came over TLS");
    let code = read_code(&parse(&received[0].data), SENDER, language);
    let session = signed_in(&app, SENDER, &device_id, &code).await;
    assert_eq!(session_of(&app, &session).await["mailbox"], SENDER);
    app.finish().await;
}

#[tokio::test]
async fn a_code_mailed_with_starttls_signs_in() {
    smtp_over_tls(
        Security::StartTls,
        "smtp://localhost:PORT?tls=required",
        "de",
    )
    .await;
}

#[tokio::test]
async fn a_code_mailed_over_implicit_tls_signs_in() {
    smtp_over_tls(Security::ImplicitTls, "smtps://localhost:PORT", "en").await;
}

#[tokio::test]
async fn an_smtp_server_with_an_untrusted_certificate_gets_no_code() {
    let ca_dir = tempfile::tempdir().expect("a temporary directory");
    let certificate = addin_api::tls::dev_certificate(ca_dir.path(), std::time::SystemTime::now())
        .expect("a localhost certificate");
    let smtp = SmtpServer::start(Security::ImplicitTls(tls_config(
        &certificate.cert_pem,
        &certificate.key_pem,
    )))
    .await;
    // No --ca-cert: the development CA is not trusted.
    let app = TestApp::builder(Backend::Sqlite)
        .set(
            "smtp.url",
            format!("smtps://localhost:{}", smtp.addr.port()),
        )
        .start()
        .await;

    start(&app, SENDER, &new_device_id(), None)
        .await
        .assert_status(StatusCode::ACCEPTED);

    smtp.wait_for_failed_handshake().await;
    assert!(
        smtp.received().is_empty(),
        "nothing crosses an unverified TLS"
    );
    app.finish().await;
}

// ---- The outbox ----------------------------------------------------------------------------

async fn without_smtp_the_code_goes_to_the_outbox(backend: Backend) {
    let app = TestApp::builder(backend).start().await;
    let device_id = new_device_id();

    start(&app, SENDER, &device_id, Some("en-GB,en;q=0.9"))
        .await
        .assert_status(StatusCode::ACCEPTED);

    let messages = outbox_messages(&app, 1).await;
    let code = read_code(&messages[0], SENDER, "en");
    let database = app.raw_db().await;
    for stored in database.every_value().await {
        assert!(
            !stored
                .bytes
                .windows(code.len())
                .any(|window| window == code.as_bytes()),
            "the code is stored in clear in {}",
            stored.place
        );
    }
    database.close().await;
    let session = signed_in(&app, SENDER, &device_id, &code).await;
    assert_eq!(session_of(&app, &session).await["method"], "email-code");
    app.finish().await;
}

// ---- Refusals ------------------------------------------------------------------------------

async fn wrong_expired_and_used_codes_are_refused_alike(backend: Backend) {
    let app = TestApp::builder(backend).start().await;
    let device_id = new_device_id();
    start(&app, SENDER, &device_id, None).await;
    let code = code_in(&outbox_messages(&app, 1).await[0]);
    let wrong = if code == "00000000" {
        "11111111"
    } else {
        "00000000"
    };

    let refused = verify(&app, SENDER, &device_id, wrong).await;
    let wrong_message = refused.assert_error(StatusCode::UNAUTHORIZED, "invalid-code");
    assert_eq!(refused.header(header::WWW_AUTHENTICATE), Some("Bearer"));

    signed_in(&app, SENDER, &device_id, &code).await;
    let used_message = verify(&app, SENDER, &device_id, &code)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid-code");

    app.clock.advance(Duration::from_secs(60));
    start(&app, SENDER, &device_id, None).await;
    let messages = outbox_messages(&app, 2).await;
    let fresh = messages
        .iter()
        .map(code_in)
        .find(|fresh| *fresh != code)
        .expect("a second code");
    app.clock.advance(Duration::from_secs(15 * 60 + 1));
    let expired_message = verify(&app, SENDER, &device_id, &fresh)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid-code");

    assert_eq!(wrong_message, used_message, "the answers do not tell why");
    assert_eq!(wrong_message, expired_message);
    app.finish().await;
}

async fn five_wrong_codes_burn_the_right_one(backend: Backend) {
    let app = TestApp::builder(backend).start().await;
    let device_id = new_device_id();
    start(&app, SENDER, &device_id, None).await;
    let code = code_in(&outbox_messages(&app, 1).await[0]);
    let wrong = if code == "00000000" {
        "11111111"
    } else {
        "00000000"
    };

    for _ in 0..5 {
        verify(&app, SENDER, &device_id, wrong)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "invalid-code");
    }

    verify(&app, SENDER, &device_id, &code)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid-code");
    app.finish().await;
}

/// 202 for a mailbox outside the organisation as for any other: only the mail that goes out
/// differs. A device asking too often for one mailbox gets the same 429 whether or not the
/// mailbox exists.
async fn start_answers_alike_whatever_the_mailbox(backend: Backend) {
    let smtp = SmtpServer::start(Security::Plain).await;
    let app = TestApp::builder(backend)
        .set("smtp.url", format!("smtp://127.0.0.1:{}", smtp.addr.port()))
        .start()
        .await;
    let device_id = new_device_id();
    const NOBODY: &str = "nobody@huisartsen-oost.nl";

    let mut accepted = Vec::new();
    let mut throttled = Vec::new();
    for mailbox in [SENDER, NOBODY] {
        for _ in 0..3 {
            accepted.push(start(&app, mailbox, &device_id, None).await);
        }
        throttled.push(start(&app, mailbox, &device_id, None).await);
    }
    accepted.push(start(&app, PATIENT, &device_id, None).await);
    for answer in &accepted {
        answer.assert_status(StatusCode::ACCEPTED);
        assert_eq!(answer.body, accepted[0].body);
    }
    for answer in &throttled {
        answer.assert_error(StatusCode::TOO_MANY_REQUESTS, "too-many-requests");
        assert_eq!(answer.header(header::RETRY_AFTER), Some("900"));
        assert_eq!(answer.body, throttled[0].body);
    }

    // A colleague's code goes out after the refused ones would have.
    start(&app, COLLEAGUE, &device_id, None).await;
    smtp.wait_for(7).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut recipients: Vec<String> = smtp
        .received()
        .into_iter()
        .flat_map(|message| message.to)
        .collect();
    recipients.sort();
    assert_eq!(
        recipients,
        [SENDER, SENDER, SENDER, COLLEAGUE, NOBODY, NOBODY, NOBODY],
        "sorted"
    );
    app.finish().await;
}

#[tokio::test]
async fn a_client_asking_too_often_gets_429() {
    let app = TestApp::builder(Backend::Sqlite).start().await;
    let device_id = new_device_id();
    for n in 0..20 {
        start(
            &app,
            &format!("user{n}@huisartsen-oost.nl"),
            &device_id,
            None,
        )
        .await
        .assert_status(StatusCode::ACCEPTED);
    }

    start(&app, SENDER, &device_id, None)
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, "too-many-requests");

    app.clock.advance(Duration::from_secs(15 * 60));
    start(&app, SENDER, &device_id, None)
        .await
        .assert_status(StatusCode::ACCEPTED);
    app.finish().await;
}

#[tokio::test]
async fn bad_requests_are_named() {
    let app = TestApp::builder(Backend::Sqlite).start().await;
    let device_id = new_device_id();

    start(&app, "not-an-address", &device_id, None)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid-mailbox");
    start(&app, SENDER, "short", None)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid-device-id");
    verify(&app, SENDER, &device_id, "12ab")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid-code-format");
    let extra = json!({"mailbox": SENDER, "device_id": device_id, "phone": "0612345678"});
    send(app.request(Method::POST, START).json(&extra))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid-json");
    app.finish().await;
}

#[tokio::test]
async fn entra_id_organisations_do_not_sign_in_by_email() {
    let app = TestApp::builder(Backend::Sqlite)
        .set("auth.method", "entra-id")
        .set(
            "auth.entra.client_id",
            "00000000-0000-0000-0000-00000000c0de",
        )
        .set(
            "auth.entra.tenants",
            toml::Value::Array(vec!["11111111-1111-1111-1111-111111111111".into()]),
        )
        .start()
        .await;
    let device_id = new_device_id();

    start(&app, SENDER, &device_id, None)
        .await
        .assert_error(StatusCode::FORBIDDEN, "method-not-enabled");
    verify(&app, SENDER, &device_id, "12345678")
        .await
        .assert_error(StatusCode::FORBIDDEN, "method-not-enabled");
    assert!(outbox(&app).is_empty());
    app.finish().await;
}

both_backends!(
    a_code_mailed_over_smtp_signs_in,
    without_smtp_the_code_goes_to_the_outbox,
    wrong_expired_and_used_codes_are_refused_alike,
    five_wrong_codes_burn_the_right_one,
    start_answers_alike_whatever_the_mailbox,
);
