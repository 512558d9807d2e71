//! `POST /api/v1/playground/exchange`: the playground's stand-in for Exchange Online hands a
//! "sent" mail to the relay and reports what became of each recipient (SPEC §9, §13).

use axum::{Json, Router, extract::State, routing::post};

use crate::{
    Error,
    app::AppState,
    http::extract::ApiJson,
    playground::{self, ExchangeOutcome, PlaygroundMail},
    sessions::Session,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/playground/exchange", post(exchange))
}

async fn exchange(
    State(app): State<AppState>,
    session: Session,
    ApiJson(mail): ApiJson<PlaygroundMail>,
) -> Result<Json<ExchangeOutcome>, Error> {
    Ok(Json(
        playground::hand_to_relay(&app, &session, &mail).await?,
    ))
}
