//! Extractors that turn a request into domain values or an [`Error`]: handlers that take
//! them cannot forget to authenticate or to validate.

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Path, Request},
    http::{HeaderMap, header, request::Parts},
};
use serde::de::DeserializeOwned;

use crate::{Error, app::AppState, error::json_problem, sessions::Session};

/// Like axum's `Json`, but every rejection is an [`Error`] with the SPEC §12 body, and serde's
/// message is redacted: it would otherwise quote addresses from the draft.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = Error;

    async fn from_request(request: Request, state: &S) -> Result<Self, Error> {
        if !is_json(request.headers()) {
            return Err(Error::BadRequest {
                code: "unsupported-media-type",
                message: "send JSON with Content-Type: application/json".into(),
            });
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    Error::PayloadTooLarge {
                        limit: super::API_BODY_LIMIT,
                    }
                } else {
                    Error::BadRequest {
                        code: "unreadable-body",
                        message: "the request body could not be read".into(),
                    }
                }
            })?;
        serde_json::from_slice(&bytes)
            .map(ApiJson)
            .map_err(|error| Error::BadRequest {
                code: "invalid-json",
                message: json_problem(&error),
            })
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim();
            mime.eq_ignore_ascii_case("application/json")
                || mime.to_ascii_lowercase().ends_with("+json")
        })
}

/// A path parameter; one that does not decode (not UTF-8 once percent-decoded) is a 400 with
/// the SPEC §12 body rather than axum's plain-text answer.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| ApiPath(value))
            .map_err(|_| Error::BadRequest {
                code: "invalid-path",
                message: "the path does not decode".into(),
            })
    }
}

/// The signed-in user: `Authorization: Bearer <token>` and `X-Device-Id` must both match a
/// live session.
impl FromRequestParts<AppState> for Session {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let header_text = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|value| value.to_str().ok())
        };
        let token = header_text(header::AUTHORIZATION.as_str())
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or(Error::Unauthorized)?;
        let device_id = header_text("x-device-id").ok_or(Error::Unauthorized)?;
        state
            .sessions
            .authenticate(token.trim(), device_id.trim())
            .await
    }
}

/// The client's network address: the TCP peer, or behind the admin's `--trusted-proxies`
/// the client their `X-Forwarded-For` names (see [`super::forwarded`]).
#[derive(Clone, Copy, Debug)]
pub struct ClientAddress(pub std::net::IpAddr);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|axum::extract::ConnectInfo(peer)| peer.ip())
            .ok_or_else(|| {
                Error::internal("the router is served without its clients' addresses")
            })?;
        let forwarded_for = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok());
        Ok(Self(super::forwarded::client_address(
            peer,
            forwarded_for,
            &state.trusted_proxies,
        )))
    }
}
