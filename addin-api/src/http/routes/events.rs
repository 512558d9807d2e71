//! `POST /api/v1/events`: normal sends and send-handler blocks, for the audit log (SPEC §7).

use addin_core::api::SendEvent;
use axum::{Router, extract::State, http::StatusCode, routing::post};

use crate::{Error, app::AppState, http::extract::ApiJson, sessions::Session};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/events", post(record))
}

async fn record(
    State(app): State<AppState>,
    session: Session,
    ApiJson(event): ApiJson<SendEvent>,
) -> Result<StatusCode, Error> {
    app.audit.send_event(&session, &event).await?;
    Ok(StatusCode::NO_CONTENT)
}
