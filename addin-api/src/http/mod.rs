//! The HTTP surface (SPEC §12): one router, thin handlers in [`routes`], errors mapped in
//! [`error`], authentication and JSON parsing as extractors in [`extract`].

mod error;
pub mod extract;
pub(crate) mod forwarded;
mod routes;

use std::time::Duration;

use axum::{
    Router,
    extract::{DefaultBodyLimit, MatchedPath, Request},
    http::{HeaderValue, header},
};
use tower_http::{
    catch_panic::CatchPanicLayer,
    set_header::SetResponseHeaderLayer,
    timeout::TimeoutLayer,
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

use crate::{Error, app::AppState};

/// A draft with 100 recipients, phones and attachments is a few KB; 256 KiB leaves room and
/// still stops abuse early.
pub const API_BODY_LIMIT: usize = 256 * 1024;

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .merge(routes::check::router())
        .merge(routes::send_token::router())
        .merge(routes::pairings::router())
        .merge(routes::settings::router())
        .merge(routes::events::router())
        .merge(routes::session::router())
        .merge(routes::auth_email::router())
        .merge(routes::auth_entra::router())
        .merge(routes::info::router())
        .merge(routes::playground::router())
        .layer(DefaultBodyLimit::max(API_BODY_LIMIT))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));

    let quick = Router::new()
        .merge(api)
        // The add-in's files answer every other path (their 404 is the JSON one).
        .merge(routes::addin_files::router(&state.web_dir))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ));

    Router::new()
        // The Viewer's pages, with limits and headers of their own.
        .merge(crate::viewer::routes::router())
        .merge(quick)
        .method_not_allowed_fallback(|| async { Error::MethodNotAllowed })
        .layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(CatchPanicLayer::custom(|_| {
            axum::response::IntoResponse::into_response(Error::internal("a handler panicked"))
        }))
        .layer(
            // The span names the route template, never the concrete path: pairings' paths hold
            // recipient addresses.
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let route = request
                        .extensions()
                        .get::<MatchedPath>()
                        .map_or("unmatched", MatchedPath::as_str);
                    tracing::info_span!("http", method = %request.method(), route)
                })
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}
