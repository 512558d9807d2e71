//! `POST /api/v1/auth/entra`: sign in with an Entra ID access token for this API (SPEC §8).
//!
//! A refused token is a 401 `invalid-access-token` that says no more; the reason is logged. When the
//! organisation signs in with e-mail codes this endpoint answers 403 `method-not-enabled`:
//! the request is understood, the policy does not allow it, and a panel configured for the
//! other method learns that from the code rather than from a puzzling 404.

use addin_core::{
    address::Address,
    api::{EntraSignIn, IssuedToken},
};
use axum::{Json, Router, extract::State, routing::post};

use crate::{
    Error,
    app::AppState,
    clock::rfc3339,
    http::extract::{ApiJson, ClientAddress},
    sessions::DeviceId,
    sign_in,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/auth/entra", post(sign_in))
}

async fn sign_in(
    State(app): State<AppState>,
    ClientAddress(client): ClientAddress,
    ApiJson(request): ApiJson<EntraSignIn>,
) -> Result<Json<IssuedToken>, Error> {
    let validator = app.entra.as_ref().ok_or_else(|| Error::Forbidden {
        code: "method-not-enabled",
        message: "this organisation does not sign in with Entra ID (auth.method)".into(),
    })?;
    let device = DeviceId::parse(&request.device_id)?;
    let mailbox = Address::parse(&request.mailbox).map_err(|_| Error::BadRequest {
        code: "invalid-mailbox",
        message: "mailbox is not a valid e-mail address".into(),
    })?;
    let (token, expires_at) = sign_in::entra(
        &app,
        validator,
        &request.access_token,
        &mailbox,
        &device,
        client,
    )
    .await?;
    Ok(Json(IssuedToken {
        token,
        expires_at: rfc3339(expires_at),
    }))
}
