//! The only module that calls the API (`fetch`, through gloo-net), typed with `addin-core`'s
//! wire types so the panel and the server cannot disagree on a field (SPEC §12).
//!
//! Every call maps its outcome onto [`ApiError`]: 401 means the session is gone (the panel
//! signs out), no answer means the server is unreachable (the panel says so and offers normal
//! sending).

use addin_core::{
    api::{
        CannotSendBody, EmailCodeStart, EmailCodeVerify, EntraSignIn, ErrorBody, Info, IssuedToken,
        Pairing, PairingUpdate, SendEvent, Settings,
    },
    draft::Draft,
    verdict::Verdict,
};
use gloo::net::http::{Method, RequestBuilder};

use crate::json;
use serde::{Serialize, de::DeserializeOwned};

/// How long the panel waits for an answer before calling the server unreachable.
const TIMEOUT_MS: u32 = 10_000;

#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// 401: no session, an expired one, or one for another device.
    Unauthorized,
    /// No answer (network error, time-out, a proxy's HTML instead of JSON).
    Unreachable,
    /// 422 from `/send-token`: not sendable after all, and why.
    CannotSend(Box<Verdict>),
    /// Any other error answer: its status and stable code.
    Refused { status: u16, code: String },
}

impl ApiError {
    pub fn code(&self) -> String {
        match self {
            Self::Unauthorized => "unauthorized".into(),
            Self::Unreachable => "unreachable".into(),
            Self::CannotSend(_) => "cannot-send-secure".into(),
            Self::Refused { code, .. } => code.clone(),
        }
    }
}

/// The credentials of an authenticated call: `Authorization: Bearer` and `X-Device-Id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub device: String,
    pub token: String,
}

/// One request, answered: the body of a 2xx answer as text, every other outcome as an
/// [`ApiError`]. Deliberately not generic, so the WASM holds one copy of it.
async fn exchange(
    method: Method,
    path: &str,
    session: Option<&Session>,
    body: Option<String>,
) -> Result<String, ApiError> {
    let signal = web_sys::AbortSignal::timeout_with_u32(TIMEOUT_MS);
    let mut builder = RequestBuilder::new(path)
        .method(method)
        .header("Accept", "application/json")
        .abort_signal(Some(&signal));
    if let Some(session) = session {
        builder = builder
            .header("Authorization", &format!("Bearer {}", session.token))
            .header("X-Device-Id", &session.device);
    }
    let request = match body {
        Some(body) => builder
            .header("Content-Type", "application/json")
            .body(body),
        None => builder.build(),
    }
    .map_err(|_| ApiError::Unreachable)?;
    let response = request.send().await.map_err(|_| ApiError::Unreachable)?;
    let status = response.status();
    let text = response.text().await.map_err(|_| ApiError::Unreachable)?;
    if response.ok() {
        return Ok(text);
    }
    if status == 401 {
        return Err(ApiError::Unauthorized);
    }
    if status == 422
        && let Some(body) = json::from_str::<CannotSendBody>(&text)
    {
        return Err(ApiError::CannotSend(Box::new(body.verdict)));
    }
    match json::from_str::<ErrorBody>(&text) {
        Some(body) => Err(ApiError::Refused {
            status,
            code: body.error.code,
        }),
        // Not our JSON: a proxy or gateway answered (502, 504 …), not the API.
        None => Err(ApiError::Unreachable),
    }
}

fn encode(body: &impl Serialize) -> Option<String> {
    json::to_string(body)
}

fn decode<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    json::from_str(text).ok_or(ApiError::Unreachable)
}

/// `GET /api/v1/info`: installation type, directory variant, version, sign-in method.
pub async fn info() -> Result<Info, ApiError> {
    decode(&exchange(Method::GET, "/api/v1/info", None, None).await?)
}

/// `POST /api/v1/auth/email/start`: mails a code (202).
pub async fn start_email_code(request: &EmailCodeStart) -> Result<(), ApiError> {
    exchange(
        Method::POST,
        "/api/v1/auth/email/start",
        None,
        encode(request),
    )
    .await
    .map(drop)
}

/// `POST /api/v1/auth/email/verify`: the code for a session.
pub async fn verify_email_code(request: &EmailCodeVerify) -> Result<IssuedToken, ApiError> {
    decode(
        &exchange(
            Method::POST,
            "/api/v1/auth/email/verify",
            None,
            encode(request),
        )
        .await?,
    )
}

/// `POST /api/v1/auth/entra`: an access token for this API's scope for a session.
pub async fn sign_in_entra(request: &EntraSignIn) -> Result<IssuedToken, ApiError> {
    decode(&exchange(Method::POST, "/api/v1/auth/entra", None, encode(request)).await?)
}

/// `POST /api/v1/auth/logout` (204).
pub async fn logout(session: &Session) -> Result<(), ApiError> {
    exchange(Method::POST, "/api/v1/auth/logout", Some(session), None)
        .await
        .map(drop)
}

/// `POST /api/v1/check`: the verdict, saved numbers filled in.
pub async fn check(session: &Session, draft: &Draft) -> Result<Verdict, ApiError> {
    decode(&exchange(Method::POST, "/api/v1/check", Some(session), encode(draft)).await?)
}

/// `POST /api/v1/send-token`: the signed token for a draft that may go out securely.
pub async fn send_token(session: &Session, draft: &Draft) -> Result<IssuedToken, ApiError> {
    decode(
        &exchange(
            Method::POST,
            "/api/v1/send-token",
            Some(session),
            encode(draft),
        )
        .await?,
    )
}

/// `PUT /api/v1/pairings/{address}`: saves a recipient's number; the answer is in E.164.
pub async fn save_pairing(
    session: &Session,
    address: &str,
    phone: &str,
) -> Result<Pairing, ApiError> {
    let path = format!(
        "/api/v1/pairings/{}",
        String::from(js_sys::encode_uri_component(address))
    );
    let body = PairingUpdate {
        phone: phone.to_owned(),
    };
    decode(&exchange(Method::PUT, &path, Some(session), encode(&body)).await?)
}

/// `DELETE /api/v1/pairings/{address}`: forgets a recipient's saved number (404: there was
/// none, which is as good).
pub async fn delete_pairing(session: &Session, address: &str) -> Result<(), ApiError> {
    let path = format!(
        "/api/v1/pairings/{}",
        String::from(js_sys::encode_uri_component(address))
    );
    match exchange(Method::DELETE, &path, Some(session), None).await {
        Ok(_) | Err(ApiError::Refused { status: 404, .. }) => Ok(()),
        Err(error) => Err(error),
    }
}

/// `GET /api/v1/settings`.
pub async fn settings(session: &Session) -> Result<Settings, ApiError> {
    decode(&exchange(Method::GET, "/api/v1/settings", Some(session), None).await?)
}

/// `PUT /api/v1/settings`.
pub async fn save_settings(session: &Session, settings: &Settings) -> Result<Settings, ApiError> {
    decode(
        &exchange(
            Method::PUT,
            "/api/v1/settings",
            Some(session),
            encode(settings),
        )
        .await?,
    )
}

/// `POST /api/v1/events`: a send outside the secure route, for the audit log (204).
pub async fn report(session: &Session, event: &SendEvent) -> Result<(), ApiError> {
    exchange(Method::POST, "/api/v1/events", Some(session), encode(event))
        .await
        .map(drop)
}
