//! `POST /api/v1/check`: the verdict on a draft, saved phone numbers filled in.

use addin_core::{draft::Draft, verdict::Verdict};
use axum::{Json, Router, extract::State, routing::post};

use crate::{Error, app::AppState, checking, http::extract::ApiJson, sessions::Session};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/check", post(check))
}

async fn check(
    State(app): State<AppState>,
    session: Session,
    ApiJson(draft): ApiJson<Draft>,
) -> Result<Json<Verdict>, Error> {
    Ok(Json(checking::check_draft(&app, &session, draft).await?))
}
