//! `GET /api/v1/info`, `/healthz`, `/readyz` and `/.well-known/jwks.json`: what monitoring,
//! the panel's information page and the downstream relay read.

use addin_core::api::{DirectoryInfo, EntraClient, Info};
use axum::{Json, Router, extract::State, http::StatusCode, routing::get};
use serde_json::{Value, json};

use crate::{app::AppState, clock::rfc3339};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/info", get(info))
        .route("/healthz", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/readyz", get(ready))
        .route("/.well-known/jwks.json", get(jwks))
}

async fn info(State(app): State<AppState>) -> Json<Info> {
    let directory = app.directory.current().map(|loaded| DirectoryInfo {
        variant: loaded.directory.variant(),
        version: loaded.directory.version().to_owned(),
        entries: loaded.directory.entries(),
        loaded_at: rfc3339(loaded.loaded_at),
    });
    Json(Info {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        installation_type: app.policy.installation_type,
        security_by_default: app.policy.security_by_default,
        auth_method: app.policy.auth.method,
        directory,
        entra: app.entra.as_ref().map(|validator| {
            let config = validator.config();
            EntraClient {
                client_id: config.client_id.clone(),
                scope: format!("api://{}/{}", config.client_id, config.scope),
                authority: match config.tenants.as_slice() {
                    [tenant] => format!("{}/{tenant}", config.authority),
                    _ => format!("{}/organizations", config.authority),
                },
            }
        }),
    })
}

/// Ready when storage answers and a directory is in force.
async fn ready(State(app): State<AppState>) -> (StatusCode, Json<Value>) {
    let storage = app.store.ping().await.is_ok();
    let directory = app.directory.current().is_some();
    let status = if storage && directory {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(json!({"storage": storage, "directory": directory})),
    )
}

async fn jwks(State(app): State<AppState>) -> Json<Value> {
    Json(app.signer.jwks())
}
