//! What monitoring, the panel's information page, the relay and Outlook read without a
//! session: health, readiness, `/api/v1/info`, the JWKS, the manifest, and the headers every
//! answer carries.

use addin_api::clock::rfc3339;
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{Backend, PUBLIC_URL, SAMPLE_DIRECTORY, TestApp, spawn_app};

/// PostgreSQL only: the database goes away under a running server.
#[tokio::test]
async fn readiness_reports_a_lost_database() {
    let mut app = spawn_app(Backend::Postgres).await;
    app.get("/readyz").await.ok_json();

    app.lose_database().await;
    let reply = app.get("/readyz").await;

    reply.assert_status(StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.json(), json!({"storage": false, "directory": true}));
    app.get("/healthz").await.assert_status(StatusCode::OK);
    app.finish().await;
}

both_backends!(
    liveness_answers,
    ready_with_a_directory,
    not_ready_when_no_directory_ever_loaded,
    info_describes_the_installation,
    info_shows_no_directory_when_none_loaded,
    jwks_publishes_one_p256_signing_key,
    every_answer_carries_the_security_headers,
    api_answers_are_not_cached,
    the_manifest_points_at_the_public_url,
    an_unknown_path_is_a_json_404,
    the_send_handler_is_served_with_the_policy,
);

/// Entries in the sample directory: community domains and addresses, NTA 7516 domains.
fn sample_entries() -> u64 {
    let directory: Value = serde_json::from_str(SAMPLE_DIRECTORY).expect("the sample is JSON");
    [
        &directory["community"]["domains"],
        &directory["community"]["addresses"],
        &directory["nta7516"]["domains"],
    ]
    .iter()
    .map(|list| list.as_array().expect("a list").len() as u64)
    .sum()
}

async fn liveness_answers(backend: Backend) {
    let app = spawn_app(backend).await;

    let reply = app.get("/healthz").await;

    reply.assert_status(StatusCode::OK);
    app.finish().await;
}

async fn ready_with_a_directory(backend: Backend) {
    let app = spawn_app(backend).await;

    let reply = app.get("/readyz").await;

    assert_eq!(reply.ok_json(), json!({"storage": true, "directory": true}));
    app.finish().await;
}

async fn not_ready_when_no_directory_ever_loaded(backend: Backend) {
    let app = TestApp::builder(backend)
        .without_directory_file()
        .start()
        .await;

    let reply = app.get("/readyz").await;

    reply.assert_status(StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.json(), json!({"storage": true, "directory": false}));
    app.finish().await;
}

async fn info_describes_the_installation(backend: Backend) {
    let app = spawn_app(backend).await;

    let info = app.get("/api/v1/info").await.ok_json();

    assert_eq!(
        info,
        json!({
            "version": env!("CARGO_PKG_VERSION"),
            "installation_type": "viewer-phone-check",
            "security_by_default": true,
            "auth_method": "email-code",
            "directory": {
                "variant": "zorgmail",
                "version": "2026-11-20",
                "entries": sample_entries(),
                "loaded_at": rfc3339(app.now()),
            },
        })
    );
    app.finish().await;
}

async fn info_shows_no_directory_when_none_loaded(backend: Backend) {
    let app = TestApp::builder(backend)
        .without_directory_file()
        .set("installation_type", "viewer-phone-required")
        .set("security_by_default", false)
        .start()
        .await;

    let info = app.get("/api/v1/info").await.ok_json();

    assert_eq!(info["directory"], Value::Null);
    assert_eq!(info["installation_type"], "viewer-phone-required");
    assert_eq!(info["security_by_default"], false);
    app.finish().await;
}

async fn jwks_publishes_one_p256_signing_key(backend: Backend) {
    let app = spawn_app(backend).await;

    let jwks = app.get("/.well-known/jwks.json").await.ok_json();

    let keys = jwks["keys"].as_array().expect("a key list");
    assert_eq!(keys.len(), 1, "{jwks}");
    let key = &keys[0];
    assert_eq!(key["kty"], "EC");
    assert_eq!(key["crv"], "P-256");
    assert_eq!(key["alg"], "ES256");
    assert_eq!(key["use"], "sig");
    for field in ["kid", "x", "y"] {
        assert!(key[field].is_string(), "{field}: {key}");
    }
    assert!(key.get("d").is_none(), "never the private part: {key}");
    app.finish().await;
}

async fn every_answer_carries_the_security_headers(backend: Backend) {
    let app = spawn_app(backend).await;

    for path in [
        "/healthz",
        "/api/v1/info",
        "/api/v1/session",
        "/manifest.xml",
    ] {
        let reply = app.get(path).await;

        let hsts = reply
            .header(header::STRICT_TRANSPORT_SECURITY)
            .unwrap_or_else(|| panic!("{path}: Strict-Transport-Security"));
        assert!(hsts.starts_with("max-age="), "{path}: {hsts}");
        assert_eq!(
            reply.header(header::X_CONTENT_TYPE_OPTIONS),
            Some("nosniff"),
            "{path}"
        );
    }
    app.finish().await;
}

async fn api_answers_are_not_cached(backend: Backend) {
    let app = spawn_app(backend).await;

    for path in ["/api/v1/info", "/api/v1/session"] {
        let reply = app.get(path).await;

        assert_eq!(
            reply.header(header::CACHE_CONTROL),
            Some("no-store"),
            "{path}"
        );
    }
    app.finish().await;
}

async fn the_manifest_points_at_the_public_url(backend: Backend) {
    let app = spawn_app(backend).await;

    let reply = app.get("/manifest.xml").await;

    reply.assert_status(StatusCode::OK);
    let content_type = reply.header(header::CONTENT_TYPE).unwrap_or_default();
    assert!(
        content_type.starts_with("application/xml"),
        "{content_type}"
    );
    assert!(reply.body.trim_start().starts_with("<?xml"), "XML");
    assert!(
        reply.body.contains(&format!("{PUBLIC_URL}/taskpane.html")),
        "the task pane URL is the public one"
    );
    let xml = without_comments(&reply.body);
    assert!(!xml.contains("{{"), "no placeholder is left: {xml}");
    let csp = reply
        .header(header::CONTENT_SECURITY_POLICY)
        .expect("a Content-Security-Policy");
    assert!(csp.contains("default-src 'self'"), "{csp}");
    app.finish().await;
}

/// The XML without its `<!-- … -->` comments.
fn without_comments(xml: &str) -> String {
    let mut rest = xml;
    let mut kept = String::new();
    while let Some(start) = rest.find("<!--") {
        kept.push_str(&rest[..start]);
        let end = rest[start..].find("-->").expect("a closed comment");
        rest = &rest[start + end + 3..];
    }
    kept.push_str(rest);
    kept
}

async fn an_unknown_path_is_a_json_404(backend: Backend) {
    let app = spawn_app(backend).await;

    let reply = app.get("/api/v1/nope").await;

    reply.assert_error(StatusCode::NOT_FOUND, "not-found");
    app.finish().await;
}

/// Outlook loads `/launchevent.js` on every Send: its first line says whether the
/// organisation checks Send at all, so a switched-off one needs no API call.
async fn the_send_handler_is_served_with_the_policy(backend: Backend) {
    for (checked, line) in [
        (
            true,
            r#"var SENDSECURE_POLICY = { "security_by_default": true };"#,
        ),
        (
            false,
            r#"var SENDSECURE_POLICY = { "security_by_default": false };"#,
        ),
    ] {
        let app = TestApp::builder(backend)
            .set("security_by_default", checked)
            .start()
            .await;
        let reply = app.get("/launchevent.js").await;
        reply.assert_status(StatusCode::OK);
        assert_eq!(reply.body.lines().next(), Some(line));
        assert!(
            reply
                .header(header::CONTENT_TYPE)
                .is_some_and(|value| value.starts_with("text/javascript"))
        );
        app.finish().await;
    }
}
