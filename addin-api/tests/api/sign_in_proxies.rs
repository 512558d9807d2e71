//! Which client the sign-in limit counts (SPEC §8): the TCP peer, or behind the admin's
//! `--trusted-proxies` the client their `X-Forwarded-For` names. In process: the router with
//! the peer address a listener would attach.

use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use addin_api::{
    app::{App, AppState},
    clock::SystemClock,
    config::ServeArgs,
    http::router,
};
use axum::{
    Router,
    body::Body,
    extract::ConnectInfo,
    http::{Request, StatusCode, header},
};
use serde_json::json;
use tempfile::TempDir;
use tower::ServiceExt;

use crate::helpers::new_device_id;

/// The client limit's allowance (see `email_code`).
const ALLOWED: usize = 20;

struct InProcess {
    router: Router,
    _dir: TempDir,
}

async fn app(trusted_proxies: &[&str]) -> InProcess {
    // As `serve` does before building any TLS client.
    addin_api::tls::install_crypto_provider();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut args = ServeArgs::defaults();
    args.data_dir = dir.path().join("data");
    args.policy = None;
    args.database_url = None;
    args.web_dir = dir.path().join("web");
    args.trusted_proxies = trusted_proxies
        .iter()
        .map(|raw| raw.parse().expect("a range"))
        .collect();
    let started = App::start(&args, Arc::new(SystemClock), |_| None)
        .await
        .expect("the app starts");
    InProcess {
        router: router(AppState(started.app)),
        _dir: dir,
    }
}

impl InProcess {
    /// `POST /auth/email/start` for mailbox number `n`, from `peer`, with `X-Forwarded-For`.
    async fn start(&self, n: usize, peer: &str, forwarded_for: Option<&str>) -> StatusCode {
        let body = json!({
            "mailbox": format!("user{n}@huisartsen-oost.nl"),
            "device_id": new_device_id(),
        });
        let mut request = Request::post("/api/v1/auth/email/start")
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(forwarded_for) = forwarded_for {
            request = request.header("x-forwarded-for", forwarded_for);
        }
        let mut request = request
            .body(Body::from(body.to_string()))
            .expect("a request");
        let peer: IpAddr = peer.parse().expect("an IP address");
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from((peer, 50_000))));
        self.router
            .clone()
            .oneshot(request)
            .await
            .expect("an answer")
            .status()
    }
}

#[tokio::test]
async fn without_trusted_proxies_x_forwarded_for_is_ignored() {
    let app = app(&[]).await;
    for n in 0..ALLOWED {
        let forged = format!("198.51.100.{n}");
        assert_eq!(
            app.start(n, "192.0.2.1", Some(&forged)).await,
            StatusCode::ACCEPTED
        );
    }

    assert_eq!(
        app.start(99, "192.0.2.1", Some("203.0.113.1")).await,
        StatusCode::TOO_MANY_REQUESTS,
        "a forged header does not make a new client"
    );
    assert_eq!(app.start(99, "192.0.2.2", None).await, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_allowance() {
    let app = app(&["10.0.0.0/8"]).await;
    for n in 0..ALLOWED {
        assert_eq!(
            app.start(n, "10.0.0.5", Some("198.51.100.7")).await,
            StatusCode::ACCEPTED
        );
    }

    assert_eq!(
        app.start(98, "10.0.0.6", Some("203.0.113.1, 198.51.100.7"))
            .await,
        StatusCode::TOO_MANY_REQUESTS,
        "the same client through another proxy, with a forged entry in front"
    );
    assert_eq!(
        app.start(99, "10.0.0.5", Some("198.51.100.8")).await,
        StatusCode::ACCEPTED,
        "another client behind the same proxy"
    );
}
