//! Sign-in as the API runs it (SPEC §8): a proof — a mailed code ([`crate::email_code`]) or an
//! Entra ID access token ([`crate::entra`]) — makes a session ([`crate::sessions`]), and every
//! attempt, whatever its outcome, goes into the audit trail with the mailbox, device and
//! client network it came with.

use std::net::IpAddr;

use addin_core::{address::Address, api::Language};

use crate::{
    Error,
    app::App,
    audit::{Attempt, SignInEvent},
    email_code::{EmailCodes, Started},
    entra::AccessTokenValidator,
    sessions::{DeviceId, Proof, Session},
};

/// A new session's bearer token and its expiry (Unix seconds).
pub type Issued = (String, i64);

/// Mails a sign-in code, unless a limit says no.
pub async fn request_code(
    app: &App,
    codes: &EmailCodes,
    mailbox: &Address,
    device: &DeviceId,
    client: IpAddr,
    language: Language,
) -> Result<Started, Error> {
    let outcome = codes.start(mailbox, device, client, language).await;
    let (event, detail) = match &outcome {
        Ok(Started::Sending(_)) => (SignInEvent::CodeRequested, None),
        Ok(Started::OutsideOrganisation) => {
            (SignInEvent::CodeNotSent, Some("outside-organisation"))
        }
        Err(Error::TooManyRequests { .. }) => (SignInEvent::Throttled, Some("code-request")),
        Err(_) => return outcome,
    };
    record(app, event, mailbox, device, client, detail).await?;
    outcome
}

/// Checks a typed code and signs the device in.
pub async fn verify_code(
    app: &App,
    codes: &EmailCodes,
    mailbox: &Address,
    device: &DeviceId,
    typed: &str,
    client: IpAddr,
) -> Result<Issued, Error> {
    let (event, detail) = match codes.verify(mailbox, device, typed, client).await {
        Ok(()) => (SignInEvent::CodeVerified, None),
        Err(Error::InvalidCode) => (SignInEvent::CodeFailed, None),
        Err(Error::TooManyRequests { retry_after }) => {
            record(
                app,
                SignInEvent::Throttled,
                mailbox,
                device,
                client,
                Some("code-verify"),
            )
            .await?;
            return Err(Error::TooManyRequests { retry_after });
        }
        Err(error) => return Err(error),
    };
    record(app, event, mailbox, device, client, detail).await?;
    if event == SignInEvent::CodeFailed {
        return Err(Error::InvalidCode);
    }
    app.sessions.issue(mailbox, device, Proof::EmailCode).await
}

/// Accepts an Entra ID access token for `mailbox` and signs the device in. A refusal is
/// recorded with its reason, which the client is not told.
pub async fn entra(
    app: &App,
    validator: &AccessTokenValidator,
    access_token: &str,
    mailbox: &Address,
    device: &DeviceId,
    client: IpAddr,
) -> Result<Issued, Error> {
    match validator.validate(access_token, mailbox).await {
        Ok(account) => {
            record(
                app,
                SignInEvent::EntraAccepted,
                mailbox,
                device,
                client,
                None,
            )
            .await?;
            app.sessions
                .issue(mailbox, device, Proof::Entra(account))
                .await
        }
        Err(Error::InvalidAccessToken(refusal)) => {
            record(
                app,
                SignInEvent::EntraRefused,
                mailbox,
                device,
                client,
                Some(refusal.name()),
            )
            .await?;
            Err(Error::InvalidAccessToken(refusal))
        }
        Err(error) => Err(error),
    }
}

pub async fn sign_out(app: &App, session: &Session) -> Result<(), Error> {
    app.sessions.end(session).await?;
    app.audit.signed_out(session).await
}

async fn record(
    app: &App,
    event: SignInEvent,
    mailbox: &Address,
    device: &DeviceId,
    client: IpAddr,
    detail: Option<&str>,
) -> Result<(), Error> {
    let attempt = Attempt {
        mailbox: Some(mailbox),
        device: Some(device),
        client: Some(client),
    };
    app.audit.sign_in(event, attempt, detail).await
}
