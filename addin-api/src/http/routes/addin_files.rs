//! The add-in's own files (SPEC §10, §12): the manifests for this server's public URL, and the
//! built task pane, send handler, playground and icons, under a strict Content-Security-Policy
//! that still lets Office.js load from Microsoft's CDN and Outlook frame the panel.
//!
//! The send handler (`addin-ui/static/launchevent.{html,js}`) and the icons (`assets/`) are
//! compiled in: Outlook loads them on every Send, so they must answer without a task pane build
//! and never depend on the working directory.

use std::path::Path;

use axum::{
    Router,
    extract::State,
    http::{HeaderValue, header},
    response::IntoResponse,
    routing::{any, get, get_service},
};
use tower_http::{
    services::{ServeDir, ServeFile},
    set_header::SetResponseHeaderLayer,
};

use crate::{Error, app::AppState, manifest};

/// `wasm-unsafe-eval` lets the WASM panel compile; `frame-ancestors` lists the Outlook on the
/// web hosts that frame task panes (and ourselves, for the playground).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
script-src 'self' 'wasm-unsafe-eval' https://appsforoffice.microsoft.com; \
style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
object-src 'none'; base-uri 'none'; form-action 'none'; \
frame-ancestors 'self' https://*.office.com https://*.office365.com https://*.outlook.com \
https://*.microsoft.com https://*.cloud.microsoft https://*.officeapps.live.com";

/// The compiled-in files: path, content type, cache policy, bytes.
const EMBEDDED: [(&str, &str, &str, &[u8]); 7] = [
    (
        "/launchevent.html",
        "text/html; charset=utf-8",
        SHORT_CACHE,
        include_bytes!("../../../../addin-ui/static/launchevent.html"),
    ),
    (
        "/launchevent.js",
        "text/javascript; charset=utf-8",
        SHORT_CACHE,
        include_bytes!("../../../../addin-ui/static/launchevent.js"),
    ),
    icon(
        "/assets/icon-16.png",
        include_bytes!("../../../../assets/icon-16.png"),
    ),
    icon(
        "/assets/icon-32.png",
        include_bytes!("../../../../assets/icon-32.png"),
    ),
    icon(
        "/assets/icon-64.png",
        include_bytes!("../../../../assets/icon-64.png"),
    ),
    icon(
        "/assets/icon-80.png",
        include_bytes!("../../../../assets/icon-80.png"),
    ),
    icon(
        "/assets/icon-128.png",
        include_bytes!("../../../../assets/icon-128.png"),
    ),
];
/// The handler changes with a deployment; five minutes keeps Send fast and updates prompt.
const SHORT_CACHE: &str = "public, max-age=300";

const fn icon(
    path: &'static str,
    png: &'static [u8],
) -> (&'static str, &'static str, &'static str, &'static [u8]) {
    (path, "image/png", "public, max-age=86400", png)
}

pub fn router(web_dir: &Path) -> Router<AppState> {
    let not_found = any(|| async { Error::NotFound });
    let files = ServeDir::new(web_dir)
        .append_index_html_on_directories(false)
        .call_fallback_on_method_not_allowed(true)
        .not_found_service(not_found);
    let mut router = embedded()
        .route("/manifest.xml", get(manifest_xml))
        .route("/manifest.json", get(manifest_json));
    for name in manifest::json_locale_names() {
        router = router.route(
            &format!("/{name}"),
            get(move |State(app): State<AppState>| async move {
                manifest::json_locale(name, &app.base_url, &app.addin_id)
                    .map(json)
                    .ok_or(Error::NotFound)
            }),
        );
    }
    router
        .route(
            "/playground",
            get_service(ServeFile::new(web_dir.join("playground.html"))),
        )
        .fallback_service(files)
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
}

/// The send handler and the icons, whatever the state type (so tests need no app).
fn embedded<S: Clone + Send + Sync + 'static>() -> Router<S> {
    EMBEDDED.iter().fold(
        Router::new(),
        |router, &(path, content_type, cache, bytes)| {
            router.route(
                path,
                get(move || async move {
                    (
                        [
                            (header::CONTENT_TYPE, content_type),
                            (header::CACHE_CONTROL, cache),
                        ],
                        bytes,
                    )
                }),
            )
        },
    )
}

async fn manifest_xml(State(app): State<AppState>) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "application/xml; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        manifest::render_xml(&app.base_url, &app.addin_id),
    )
}

async fn manifest_json(State(app): State<AppState>) -> impl IntoResponse {
    json(manifest::render_json(&app.base_url, &app.addin_id))
}

fn json(body: String) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
}

#[cfg(test)]
mod tests {
    use axum::{body::Body, http::Request};
    use tower::ServiceExt;

    use super::*;

    async fn get_embedded(path: &str) -> (axum::http::StatusCode, String, Vec<u8>) {
        let reply = embedded::<()>()
            .oneshot(Request::get(path).body(Body::empty()).expect("a request"))
            .await
            .expect("an answer");
        let status = reply.status();
        let content_type = reply
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = axum::body::to_bytes(reply.into_body(), usize::MAX)
            .await
            .expect("a body");
        (status, content_type, body.to_vec())
    }

    #[tokio::test]
    async fn the_send_handler_is_served_without_a_ui_build() {
        let (status, content_type, html) = get_embedded("/launchevent.html").await;
        assert!(status.is_success());
        assert!(content_type.starts_with("text/html"), "{content_type}");
        let html = String::from_utf8(html).expect("UTF-8");
        assert!(html.contains("https://appsforoffice.microsoft.com/lib/1/hosted/office.js"));
        assert!(html.contains("launchevent.js"));

        let (status, content_type, js) = get_embedded("/launchevent.js").await;
        assert!(status.is_success());
        assert!(
            content_type.starts_with("text/javascript"),
            "{content_type}"
        );
        let js = String::from_utf8(js).expect("UTF-8");
        assert!(js.contains(r#"Office.actions.associate("onMessageSendHandler""#));
    }

    #[tokio::test]
    async fn every_icon_the_manifest_names_is_a_png() {
        let manifest = manifest::render_xml(
            "https://sendsecure.example.nl",
            &manifest::AddinId::parse(manifest::DEVELOPMENT_ADDIN_ID).expect("a GUID"),
        );
        let icons: Vec<&str> = manifest
            .split("https://sendsecure.example.nl")
            .filter_map(|rest| rest.split('"').next())
            .filter(|path| path.ends_with(".png"))
            .collect();
        assert_eq!(icons.len(), 5, "{icons:?}");
        for path in icons {
            let (status, content_type, png) = get_embedded(path).await;
            assert!(status.is_success(), "{path}");
            assert_eq!(content_type, "image/png", "{path}");
            assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{path}");
        }
    }
}
