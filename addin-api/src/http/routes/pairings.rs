//! `GET`/`PUT`/`DELETE /api/v1/pairings/{address}`: the user's saved number for a recipient.

use addin_core::{
    address::Address,
    api::{Pairing, PairingUpdate},
};
use axum::{Json, Router, extract::State, http::StatusCode, routing::get};

use crate::{
    Error,
    app::AppState,
    http::extract::{ApiJson, ApiPath},
    sessions::Session,
};

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/api/v1/pairings/{address}",
        get(read).put(save).delete(remove),
    )
}

fn recipient(raw: &str) -> Result<Address, Error> {
    Address::parse(raw).map_err(|_| Error::BadRequest {
        code: "invalid-address",
        message: "not a valid e-mail address".into(),
    })
}

async fn read(
    State(app): State<AppState>,
    session: Session,
    ApiPath(raw): ApiPath<String>,
) -> Result<Json<Pairing>, Error> {
    let address = recipient(&raw)?;
    let phone = app
        .pairings
        .get(&session.owner_hash, &address)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(Json(Pairing {
        address: address.as_str().to_owned(),
        phone,
    }))
}

async fn save(
    State(app): State<AppState>,
    session: Session,
    ApiPath(raw): ApiPath<String>,
    ApiJson(update): ApiJson<PairingUpdate>,
) -> Result<Json<Pairing>, Error> {
    let address = recipient(&raw)?;
    let phone = app
        .pairings
        .put(&session.owner_hash, &address, &update.phone)
        .await?;
    Ok(Json(Pairing {
        address: address.as_str().to_owned(),
        phone,
    }))
}

async fn remove(
    State(app): State<AppState>,
    session: Session,
    ApiPath(raw): ApiPath<String>,
) -> Result<StatusCode, Error> {
    let address = recipient(&raw)?;
    match app.pairings.delete(&session.owner_hash, &address).await? {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(Error::NotFound),
    }
}
