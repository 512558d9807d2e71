//! The session layer (SPEC §8, §12): bearer token and device id together, a 30-day window
//! that each use slides, 401 with `WWW-Authenticate: Bearer` and the JSON error otherwise.

use std::time::Duration;

use addin_api::clock::rfc3339;
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{
    Backend, PATIENT, Reply, SENDER, Session, draft, pairing_path, send, spawn_app,
};

both_backends!(
    every_session_endpoint_refuses_a_request_without_headers,
    a_wrong_token_is_refused,
    a_token_from_another_device_is_refused,
    a_token_without_a_device_id_is_refused,
    a_token_in_another_scheme_is_refused,
    an_idle_session_lapses_after_30_days,
    each_use_slides_the_window,
    the_session_names_mailbox_method_and_expiry,
    logout_ends_that_session_only,
);

const DAY: Duration = Duration::from_secs(24 * 60 * 60);
const THIRTY_DAYS: i64 = 30 * 24 * 60 * 60;

/// Every call that needs a session, with a body it would accept.
fn session_endpoints() -> Vec<(Method, String, Option<Value>)> {
    let pairing = pairing_path(PATIENT);
    let check = draft(SENDER, &[PATIENT]);
    vec![
        (Method::GET, "/api/v1/session".into(), None),
        (Method::POST, "/api/v1/auth/logout".into(), None),
        (Method::POST, "/api/v1/check".into(), Some(check.clone())),
        (Method::POST, "/api/v1/send-token".into(), Some(check)),
        (Method::GET, pairing.clone(), None),
        (
            Method::PUT,
            pairing.clone(),
            Some(json!({"phone": "06 12345678"})),
        ),
        (Method::DELETE, pairing, None),
        (Method::GET, "/api/v1/settings".into(), None),
        (
            Method::PUT,
            "/api/v1/settings".into(),
            Some(json!({"language": "nl", "send_delay_seconds": 0})),
        ),
        (
            Method::POST,
            "/api/v1/events".into(),
            Some(json!({"kind": "standard-send", "codes": []})),
        ),
    ]
}

#[track_caller]
fn assert_unauthorized(reply: &Reply) {
    reply.assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(
        reply.header(header::WWW_AUTHENTICATE),
        Some("Bearer"),
        "RFC 6750 challenge"
    );
}

async fn every_session_endpoint_refuses_a_request_without_headers(backend: Backend) {
    let app = spawn_app(backend).await;

    for (method, path, body) in session_endpoints() {
        let mut request = app.request(method.clone(), &path);
        if let Some(body) = &body {
            request = request.json(body);
        }

        let reply = send(request).await;

        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_unauthorized(&reply);
    }
    app.finish().await;
}

async fn a_wrong_token_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;
    let forged = user.with_token("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");

    let reply = app.get_as(&forged, "/api/v1/session").await;

    assert_unauthorized(&reply);
    app.finish().await;
}

async fn a_token_from_another_device_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    let reply = app
        .get_as(&user.on_another_device(), "/api/v1/session")
        .await;

    assert_unauthorized(&reply);
    app.get_as(&user, "/api/v1/session").await.ok_json();
    app.finish().await;
}

async fn a_token_without_a_device_id_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    let reply = send(
        app.request(Method::GET, "/api/v1/session")
            .bearer_auth(&user.token),
    )
    .await;

    assert_unauthorized(&reply);
    app.finish().await;
}

async fn a_token_in_another_scheme_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    let reply = send(
        app.request(Method::GET, "/api/v1/session")
            .header(header::AUTHORIZATION, format!("Basic {}", user.token))
            .header("X-Device-Id", &user.device_id),
    )
    .await;

    assert_unauthorized(&reply);
    app.finish().await;
}

async fn an_idle_session_lapses_after_30_days(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    app.clock.advance(30 * DAY + Duration::from_secs(1));
    let reply = app.get_as(&user, "/api/v1/session").await;

    assert_unauthorized(&reply);
    app.finish().await;
}

async fn each_use_slides_the_window(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;

    app.clock.advance(29 * DAY);
    let day_29 = app.get_as(&user, "/api/v1/session").await.ok_json();
    assert_eq!(
        day_29["expires_at"],
        rfc3339(app.now() + THIRTY_DAYS),
        "the window slid"
    );

    app.clock.advance(29 * DAY);
    app.get_as(&user, "/api/v1/session")
        .await
        .assert_status(StatusCode::OK);

    app.clock.advance(30 * DAY + Duration::from_secs(1));
    assert_unauthorized(&app.get_as(&user, "/api/v1/session").await);
    app.finish().await;
}

async fn the_session_names_mailbox_method_and_expiry(backend: Backend) {
    let app = spawn_app(backend).await;
    let user = app.sign_in("A.Jansen@Huisartsen-Oost.NL").await;

    let session = app.get_as(&user, "/api/v1/session").await.ok_json();

    assert_eq!(
        session,
        json!({
            "mailbox": SENDER,
            "method": "email-code",
            "expires_at": rfc3339(app.now() + THIRTY_DAYS),
        })
    );
    app.finish().await;
}

async fn logout_ends_that_session_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let laptop: Session = app.sign_in(SENDER).await;
    let desktop: Session = app.sign_in(SENDER).await;

    let reply = app
        .call_as(&laptop, Method::POST, "/api/v1/auth/logout", None)
        .await;

    reply.assert_status(StatusCode::NO_CONTENT);
    assert_unauthorized(&app.get_as(&laptop, "/api/v1/session").await);
    app.get_as(&desktop, "/api/v1/session")
        .await
        .assert_status(StatusCode::OK);
    app.finish().await;
}
