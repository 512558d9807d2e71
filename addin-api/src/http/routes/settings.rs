//! `GET`/`PUT /api/v1/settings`: language and send delay.

use addin_core::api::Settings;
use axum::{Json, Router, extract::State, routing::get};

use crate::{Error, app::AppState, http::extract::ApiJson, sessions::Session};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/settings", get(read).put(save))
}

async fn read(State(app): State<AppState>, session: Session) -> Result<Json<Settings>, Error> {
    Ok(Json(app.preferences.get(&session.owner_hash).await?))
}

async fn save(
    State(app): State<AppState>,
    session: Session,
    ApiJson(settings): ApiJson<Settings>,
) -> Result<Json<Settings>, Error> {
    app.preferences.put(&session.owner_hash, settings).await?;
    Ok(Json(settings))
}
