//! `POST /api/v1/send-token`: a signed token for a draft that may go out securely (SPEC §7).

use addin_core::{api::IssuedToken, draft::Draft};
use axum::{Json, Router, extract::State, routing::post};

use crate::{
    Error, app::AppState, checking, clock::rfc3339, http::extract::ApiJson, sessions::Session,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/send-token", post(issue))
}

async fn issue(
    State(app): State<AppState>,
    session: Session,
    ApiJson(draft): ApiJson<Draft>,
) -> Result<Json<IssuedToken>, Error> {
    let issued = checking::issue_send_token(&app, &session, draft).await?;
    Ok(Json(IssuedToken {
        token: issued.token,
        expires_at: rfc3339(issued.expires_at),
    }))
}
