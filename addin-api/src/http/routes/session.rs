//! `GET /api/v1/session` and `POST /api/v1/auth/logout`.

use addin_core::api::SessionInfo;
use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    routing::{get, post},
};

use crate::{Error, app::AppState, clock::rfc3339, sessions::Session, sign_in};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/session", get(current))
        .route("/api/v1/auth/logout", post(logout))
}

async fn current(session: Session) -> Json<SessionInfo> {
    Json(SessionInfo {
        mailbox: session.mailbox.as_str().to_owned(),
        method: session.method,
        expires_at: rfc3339(session.expires_at),
    })
}

async fn logout(State(app): State<AppState>, session: Session) -> Result<StatusCode, Error> {
    sign_in::sign_out(&app, &session).await?;
    Ok(StatusCode::NO_CONTENT)
}
