//! The add-in's own files (SPEC §10, §12): the manifest for this server's public URL, and the
//! built task pane, send handler, playground and icons, under a strict Content-Security-Policy
//! that still lets Office.js load from Microsoft's CDN and Outlook frame the panel.

use std::path::Path;

use axum::{
    Router,
    extract::State,
    http::{HeaderValue, header},
    response::IntoResponse,
    routing::{get, get_service},
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

pub fn router(web_dir: &Path) -> Router<AppState> {
    let not_found = get(|| async { Error::NotFound });
    let files = ServeDir::new(web_dir)
        .append_index_html_on_directories(false)
        .not_found_service(not_found);
    Router::new()
        .route("/manifest.xml", get(manifest_xml))
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

async fn manifest_xml(State(app): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        manifest::render(&app.base_url),
    )
}
