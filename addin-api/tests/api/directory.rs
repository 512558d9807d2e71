//! The directory in the running server (SPEC §4): the last good one survives restarts and bad
//! files, none at all means `directory-unavailable`, and an `https://` source is fetched with
//! certificate verification and `If-None-Match`.

use std::{
    net::SocketAddr,
    path::PathBuf,
    sync::{Arc, Mutex},
    time::SystemTime,
};

use addin_api::Error;
use axum::{
    http::{HeaderMap, StatusCode as AxumStatus, header as axum_header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::helpers::{
    Backend, HOSPITAL, PATIENT, SAMPLE_DIRECTORY, SENDER, SIGRA_DIRECTORY, TestApp, draft,
    finding_codes, recipient, spawn_app,
};

both_backends!(
    a_restart_without_the_source_keeps_the_last_good_directory,
    a_bad_file_at_start_leaves_the_last_good_directory,
    a_newer_good_file_at_start_replaces_it,
    no_directory_ever_loaded_makes_checks_say_so,
    an_https_source_is_fetched_and_then_asked_if_changed,
    an_https_source_with_an_untrusted_certificate_is_not_loaded,
    an_http_source_is_refused_at_start,
    a_sigra_installation_loads_a_sigra_directory,
);

const NEWER_VERSION: &str = "2026-11-21";
const NEW_MEMBER: &str = "zorggroep-nieuw.nl";

/// The sample directory, one day newer, with one more community domain.
fn newer_directory() -> String {
    let mut directory: Value = serde_json::from_str(SAMPLE_DIRECTORY).expect("the sample");
    directory["version"] = json!(NEWER_VERSION);
    directory["community"]["domains"]
        .as_array_mut()
        .expect("a domain list")
        .push(json!(NEW_MEMBER));
    directory.to_string()
}

async fn directory_info(app: &TestApp) -> Value {
    app.get("/api/v1/info").await.ok_json()["directory"].clone()
}

/// The route a signed-in user's check gives `address`.
async fn route_of(app: &TestApp, address: &str) -> String {
    let user = app.sign_in(SENDER).await;
    let verdict = app.check(&user, &draft(SENDER, &[address])).await;
    recipient(&verdict, address)["route"]
        .as_str()
        .expect("a route")
        .to_owned()
}

async fn a_restart_without_the_source_keeps_the_last_good_directory(backend: Backend) {
    let mut app = spawn_app(backend).await;
    let before = directory_info(&app).await;
    assert_eq!(before["version"], "2026-11-20");

    std::fs::remove_file(app.directory_path()).expect("the source goes away");
    app.restart().await;

    assert_eq!(directory_info(&app).await, before, "restored as it was");
    assert_eq!(route_of(&app, HOSPITAL).await, "community");
    assert_eq!(route_of(&app, PATIENT).await, "viewer");
    app.get("/readyz").await.ok_json();
    app.finish().await;
}

async fn a_bad_file_at_start_leaves_the_last_good_directory(backend: Backend) {
    let mut app = spawn_app(backend).await;
    let before = directory_info(&app).await;
    let mut invalid_entry: Value = serde_json::from_str(SAMPLE_DIRECTORY).expect("the sample");
    invalid_entry["version"] = json!(NEWER_VERSION);
    invalid_entry["community"]["domains"] = json!(["zorgmail.nl", "not a domain"]);

    for (problem, bad) in [
        ("invalid JSON", "{\"variant\": \"zorgmail\", ".to_owned()),
        ("the other variant", SIGRA_DIRECTORY.to_owned()),
        ("an invalid entry", invalid_entry.to_string()),
    ] {
        std::fs::write(app.directory_path(), bad).expect("the bad file is written");
        app.restart().await;

        assert_eq!(directory_info(&app).await, before, "{problem}");
        assert_eq!(route_of(&app, HOSPITAL).await, "community", "{problem}");
    }
    app.finish().await;
}

async fn a_newer_good_file_at_start_replaces_it(backend: Backend) {
    let mut app = spawn_app(backend).await;
    assert_eq!(
        route_of(&app, &format!("info@{NEW_MEMBER}")).await,
        "viewer"
    );

    std::fs::write(app.directory_path(), newer_directory()).expect("the new file is written");
    app.restart().await;

    assert_eq!(directory_info(&app).await["version"], NEWER_VERSION);
    assert_eq!(
        route_of(&app, &format!("info@{NEW_MEMBER}")).await,
        "community"
    );
    app.finish().await;
}

async fn no_directory_ever_loaded_makes_checks_say_so(backend: Backend) {
    let app = TestApp::builder(backend)
        .without_directory_file()
        .start()
        .await;
    let user = app.sign_in(SENDER).await;

    let verdict = app.check(&user, &draft(SENDER, &[HOSPITAL, PATIENT])).await;

    assert_eq!(finding_codes(&verdict), ["directory-unavailable"]);
    assert_eq!(verdict["findings"][0]["level"], "action");
    assert_eq!(verdict["findings"][0]["subject"], Value::Null);
    assert_eq!(verdict["can_send_secure"], false);
    for address in [HOSPITAL, PATIENT] {
        assert_eq!(
            recipient(&verdict, address)["route"],
            "unknown",
            "{address}"
        );
    }
    app.finish().await;
}

// ---- An https:// source --------------------------------------------------------------------

const ETAG: &str = "\"domeinboek-2026-11-20\"";

/// A domain book publisher over HTTPS under a development CA of its own, answering 304 to a
/// matching `If-None-Match`, and recording the `If-None-Match` of every request.
struct DirectoryServer {
    addr: SocketAddr,
    ca_pem_path: PathBuf,
    if_none_match: Arc<Mutex<Vec<Option<String>>>>,
    handle: axum_server::Handle,
    _dir: TempDir,
}

impl DirectoryServer {
    async fn start() -> Self {
        addin_api::tls::install_crypto_provider();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let certificate = addin_api::tls::dev_certificate(dir.path(), SystemTime::now())
            .expect("a development certificate");
        let tls = addin_api::tls::rustls_config(
            certificate.cert_pem.as_bytes(),
            certificate.key_pem.as_bytes(),
        )
        .expect("a TLS configuration");
        let if_none_match = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&if_none_match);
        let router = axum::Router::new().route(
            "/domeinboek.json",
            get(move |headers: HeaderMap| {
                let seen = Arc::clone(&seen);
                async move { publish(&headers, &seen) }
            }),
        );
        let handle = axum_server::Handle::new();
        let server = axum_server::bind_rustls(SocketAddr::from(([127, 0, 0, 1], 0)), tls)
            .handle(handle.clone());
        tokio::spawn(server.serve(router.into_make_service()));
        let addr = handle
            .listening()
            .await
            .expect("the directory server listens");
        Self {
            addr,
            ca_pem_path: certificate.ca_pem_path,
            if_none_match,
            handle,
            _dir: dir,
        }
    }

    fn url(&self) -> String {
        format!("https://127.0.0.1:{}/domeinboek.json", self.addr.port())
    }

    fn requests(&self) -> Vec<Option<String>> {
        self.if_none_match
            .lock()
            .expect("the request log is readable")
            .clone()
    }
}

impl Drop for DirectoryServer {
    fn drop(&mut self) {
        self.handle.shutdown();
    }
}

fn publish(headers: &HeaderMap, seen: &Mutex<Vec<Option<String>>>) -> Response {
    let if_none_match = headers
        .get(axum_header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let unchanged = if_none_match.as_deref() == Some(ETAG);
    seen.lock()
        .expect("the request log is writable")
        .push(if_none_match);
    if unchanged {
        (AxumStatus::NOT_MODIFIED, [(axum_header::ETAG, ETAG)]).into_response()
    } else {
        (
            [
                (axum_header::ETAG, ETAG),
                (axum_header::CONTENT_TYPE, "application/json"),
            ],
            SAMPLE_DIRECTORY,
        )
            .into_response()
    }
}

async fn an_https_source_is_fetched_and_then_asked_if_changed(backend: Backend) {
    let publisher = DirectoryServer::start().await;
    let mut app = TestApp::builder(backend)
        .directory_source(&publisher.url())
        .ca_cert(&publisher.ca_pem_path)
        .start()
        .await;
    let first = directory_info(&app).await;
    assert_eq!(first["version"], "2026-11-20", "loaded over HTTPS");
    assert_eq!(publisher.requests(), [None], "nothing to compare with yet");

    app.restart().await;

    assert_eq!(
        publisher.requests(),
        [None, Some(ETAG.to_owned())],
        "the restart asks whether the persisted directory changed"
    );
    assert_eq!(
        directory_info(&app).await,
        first,
        "304: the directory in force stays"
    );
    assert_eq!(route_of(&app, HOSPITAL).await, "community");
    app.finish().await;
}

async fn an_https_source_with_an_untrusted_certificate_is_not_loaded(backend: Backend) {
    let publisher = DirectoryServer::start().await;

    let app = TestApp::builder(backend)
        .directory_source(&publisher.url())
        .start()
        .await;

    assert_eq!(directory_info(&app).await, Value::Null);
    assert!(
        publisher.requests().is_empty(),
        "no request got past the TLS handshake"
    );
    app.finish().await;
}

async fn an_http_source_is_refused_at_start(backend: Backend) {
    let started = TestApp::builder(backend)
        .directory_source("http://127.0.0.1:9/domeinboek.json")
        .try_start()
        .await;

    let Err(error) = started else {
        panic!("an http:// directory source must stop the start");
    };
    assert!(
        matches!(
            error,
            Error::InvalidConfig {
                key: "directory.source",
                ..
            }
        ),
        "{error:?}"
    );
}

async fn a_sigra_installation_loads_a_sigra_directory(backend: Backend) {
    let app = TestApp::builder(backend)
        .set("directory.variant", "sigra")
        .directory_file(SIGRA_DIRECTORY)
        .start()
        .await;

    let directory = directory_info(&app).await;

    assert_eq!(directory["variant"], "sigra", "{directory}");
    app.finish().await;
}
