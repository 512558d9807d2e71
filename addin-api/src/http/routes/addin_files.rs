//! The add-in's own files (SPEC §10, §12): the manifests for this server's public URL, and the
//! built task pane, send handler, playground and icons, under a strict Content-Security-Policy
//! that still lets Office.js load from Microsoft's CDN and Outlook frame the panel.
//!
//! The send handler (`addin-ui/static/launchevent.{html,js}`) and the icons (`assets/`) are
//! compiled in: Outlook loads them on every Send, so they must answer without a task pane build
//! and never depend on the working directory. So are the privacy statement and the terms of use
//! (`/privacy.html`, `/terms.html`, with their `help.css`), which the unified manifest and the
//! Microsoft 365 admin centre link to, and the app package's icons beside `/manifest.json`
//! (`/color.png`, `/outline.png`: the manifest names them relative to itself).

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

/// The Office-dialog sign-in page (`entra-dialog.html`, for Outlook without nested app
/// authentication) redeems its authorisation code at the Microsoft identity platform itself
/// (MSAL.js, PKCE): the same policy, with `connect-src` opened for that one origin, which
/// [`dialog_csp`] takes from `auth.entra.authority`.
const DIALOG_PAGE: &str = "/entra-dialog.html";

/// [`CONTENT_SECURITY_POLICY`] with `connect-src` also allowing `authority`'s origin
/// (`https://login.microsoftonline.com` unless a national cloud is configured).
fn dialog_csp(authority: Option<&str>) -> String {
    let origin = authority
        .and_then(|authority| url::Url::parse(authority).ok())
        .filter(|url| url.scheme() == "https")
        .map(|url| url.origin().ascii_serialization())
        .unwrap_or_else(|| "https://login.microsoftonline.com".to_owned());
    CONTENT_SECURITY_POLICY.replace(
        "connect-src 'self';",
        &format!("connect-src 'self' {origin};"),
    )
}

/// The send handler, served with the organisation's policy in its first line
/// ([`launchevent_js`]).
const LAUNCHEVENT_JS: &str = include_str!("../../../../addin-ui/static/launchevent.js");

/// The compiled-in files: path, content type, cache policy, bytes.
const EMBEDDED: [(&str, &str, &str, &[u8]); 9] = [
    (
        "/launchevent.html",
        "text/html; charset=utf-8",
        SHORT_CACHE,
        include_bytes!("../../../../addin-ui/static/launchevent.html"),
    ),
    (
        "/privacy.html",
        "text/html; charset=utf-8",
        SHORT_CACHE,
        include_bytes!("../../../../addin-ui/static/privacy.html"),
    ),
    (
        "/terms.html",
        "text/html; charset=utf-8",
        SHORT_CACHE,
        include_bytes!("../../../../addin-ui/static/terms.html"),
    ),
    (
        "/help.css",
        "text/css; charset=utf-8",
        SHORT_CACHE,
        include_bytes!("../../../../addin-ui/static/help.css"),
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
        .route(
            "/launchevent.js",
            get(|State(app): State<AppState>| async move {
                (
                    [
                        (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                        (header::CACHE_CONTROL, SHORT_CACHE),
                    ],
                    launchevent_js(app.policy.security_by_default),
                )
            }),
        )
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
    let dialog_page = web_dir.join(DIALOG_PAGE.trim_start_matches('/'));
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
        // Added after the layer above, so its own policy stands.
        .route(
            DIALOG_PAGE,
            get(move |State(app): State<AppState>| {
                let path = dialog_page.clone();
                async move {
                    let page = tokio::fs::read(&path).await.map_err(|_| Error::NotFound)?;
                    let authority = app
                        .entra
                        .as_ref()
                        .map(|validator| validator.config().authority.clone());
                    let csp = dialog_csp(authority.as_deref());
                    Ok::<_, Error>((
                        [
                            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
                            (header::CACHE_CONTROL, "no-cache".to_owned()),
                            (header::CONTENT_SECURITY_POLICY, csp),
                        ],
                        page,
                    ))
                }
            }),
        )
}

/// The send handler, the pages and the icons, whatever the state type (so tests need no app).
fn embedded<S: Clone + Send + Sync + 'static>() -> Router<S> {
    let package_icons = manifest::PACKAGE_ICONS
        .iter()
        .map(|&(name, png)| (format!("/{name}"), icon(name, png)));
    EMBEDDED
        .iter()
        .map(|&file| (file.0.to_owned(), file))
        .chain(package_icons)
        .fold(
            Router::new(),
            |router, (path, (_, content_type, cache, bytes))| {
                router.route(
                    &path,
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

/// The send handler with `SENDSECURE_POLICY` defined first: with security by default off it
/// lets every send go at once, without an API call (Outlook loads it on every Send; the
/// five-minute cache brings a policy change within minutes).
fn launchevent_js(security_by_default: bool) -> String {
    format!(
        "var SENDSECURE_POLICY = {{ \"security_by_default\": {security_by_default} }};\n{LAUNCHEVENT_JS}"
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
    }

    #[test]
    fn the_send_handler_carries_the_policy_in_its_first_line() {
        for on in [true, false] {
            let js = launchevent_js(on);
            let (first, rest) = js.split_once('\n').expect("lines");
            assert_eq!(
                first,
                format!("var SENDSECURE_POLICY = {{ \"security_by_default\": {on} }};")
            );
            assert!(rest.contains(r#"Office.actions.associate("onMessageSendHandler""#));
        }
    }

    #[tokio::test]
    async fn the_privacy_statement_and_terms_are_served_without_a_ui_build() {
        let manifest: serde_json::Value = serde_json::from_str(&manifest::render_json(
            "https://sendsecure.example.nl",
            &manifest::AddinId::parse(manifest::DEVELOPMENT_ADDIN_ID).expect("a GUID"),
        ))
        .expect("JSON");
        for key in ["privacyUrl", "termsOfUseUrl"] {
            let url = manifest["developer"][key].as_str().expect("a URL");
            let path = url
                .strip_prefix("https://sendsecure.example.nl")
                .expect("on the deployment");
            let (status, content_type, html) = get_embedded(path).await;
            assert!(status.is_success(), "{path}");
            assert!(content_type.starts_with("text/html"), "{content_type}");
            let html = String::from_utf8(html).expect("UTF-8");
            assert!(html.contains(r#"<section id="nl">"#), "{path}: Dutch");
            assert!(
                html.contains(r#"<section id="en" lang="en">"#),
                "{path}: English"
            );
            assert!(html.contains(r#"href="help.css""#), "{path}");
        }
        let (status, content_type, _) = get_embedded("/help.css").await;
        assert!(status.is_success());
        assert!(content_type.starts_with("text/css"), "{content_type}");
    }

    #[tokio::test]
    async fn the_app_package_icons_are_served_beside_the_unified_manifest() {
        let manifest: serde_json::Value = serde_json::from_str(&manifest::render_json(
            "https://sendsecure.example.nl",
            &manifest::AddinId::parse(manifest::DEVELOPMENT_ADDIN_ID).expect("a GUID"),
        ))
        .expect("JSON");
        for kind in ["color", "outline"] {
            // Relative to /manifest.json.
            let path = format!("/{}", manifest["icons"][kind].as_str().expect("a name"));
            let (status, content_type, png) = get_embedded(&path).await;
            assert!(status.is_success(), "{path}");
            assert_eq!(content_type, "image/png", "{path}");
            assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{path}");
        }
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

    #[test]
    fn the_dialog_page_may_reach_the_identity_platform_and_nothing_else() {
        let csp = dialog_csp(None);
        assert!(
            csp.contains("connect-src 'self' https://login.microsoftonline.com;"),
            "{csp}"
        );
        assert!(
            csp.contains(
                "script-src 'self' 'wasm-unsafe-eval' https://appsforoffice.microsoft.com;"
            )
        );
        assert_eq!(
            csp.replace(" https://login.microsoftonline.com;", ";"),
            CONTENT_SECURITY_POLICY,
            "only connect-src differs"
        );
        assert!(
            dialog_csp(Some("https://login.microsoftonline.us"))
                .contains("connect-src 'self' https://login.microsoftonline.us;")
        );
        assert!(
            dialog_csp(Some("http://127.0.0.1:9/x"))
                .contains("connect-src 'self' https://login.microsoftonline.com;"),
            "plain http is never allowed"
        );
    }
}
