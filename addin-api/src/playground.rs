//! Exchange Online's part in the playground (SPEC §9, §13): a mail the playground "sent" is
//! handed to this server's own relay over SMTP, as Exchange's mail flow rule and connector
//! would, so a new user sees the whole secure route without Microsoft 365.
//!
//! Like Exchange, it routes only mail carrying a send token, and only the recipients outside
//! the organisation; the organisation's own recipients "Exchange delivers directly". It works
//! only while the relay hands over to its development outbox (no `relay.next_hop`): a
//! playground must never deliver real mail.

use std::time::Duration;

use addin_core::{address::Address, verdict::Route};
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Tokio1Executor,
    address::Envelope,
    message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType},
};
use serde::{Deserialize, Serialize};

use crate::{
    Error, app::App, checking::may_send_as, outgoing_mail::Transport, relay::message::TOKEN_HEADER,
    send_token, sessions::Session,
};

/// The playground's attachments are made up of this many bytes at most, whatever size the
/// user typed: enough to show the route, no load on the server.
const MAX_ATTACHMENT_BYTES: u64 = 64 * 1024;
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// The mail as the playground's compose window holds it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaygroundMail {
    pub from: String,
    #[serde(default)]
    pub to: Vec<String>,
    #[serde(default)]
    pub cc: Vec<String>,
    #[serde(default)]
    pub bcc: Vec<String>,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub attachments: Vec<PlaygroundAttachment>,
    /// The `X-SendSecure-Token` header, when the mail has one.
    #[serde(default)]
    pub token: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaygroundAttachment {
    pub name: String,
    #[serde(default)]
    pub size: u64,
    /// A cloud attachment is a link: no MIME part.
    #[serde(default)]
    pub cloud: bool,
}

/// What became of the mail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExchangeOutcome {
    /// The relay's answer, when the mail went through it.
    pub relay: Option<RelayAnswer>,
    pub recipients: Vec<RecipientOutcome>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RelayAnswer {
    pub code: u16,
    /// The reply as the relay wrote it.
    pub reply: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecipientOutcome {
    pub address: String,
    pub outcome: Outcome,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Inside the organisation: Exchange delivers it, the relay never sees it.
    Exchange,
    /// Ordinary mail (no send token): Exchange sends it the usual way.
    Ordinary,
    /// The relay handed it to the next hop (community, NTA 7516).
    NextHop,
    /// The relay stored it for the Viewer and sent a notification.
    Viewer,
    /// The relay asked Exchange to try again later (4xx).
    Deferred,
    /// The relay refused the mail (5xx).
    Refused,
}

/// Routes `mail` as Exchange would and reports what happened to each recipient.
pub async fn hand_to_relay(
    app: &App,
    session: &Session,
    mail: &PlaygroundMail,
) -> Result<ExchangeOutcome, Error> {
    let Some(relay) = app.relay_address.get().copied() else {
        return Err(Error::Conflict {
            code: "relay-off",
            message: "the relay is not listening: start serve with --smtp-listen".into(),
        });
    };
    if !matches!(app.next_hop, Transport::Outbox(_)) {
        return Err(Error::Conflict {
            code: "relay-delivers-for-real",
            message: "the playground hands mail to the relay only while relay.next_hop is unset (development): it never delivers real mail".into(),
        });
    }
    // As Exchange would: a shared mailbox of the organisation, or the user's own.
    let from = Address::parse(&mail.from)
        .ok()
        .filter(|from| may_send_as(&app.policy, &session.mailbox, from))
        .ok_or_else(|| Error::Forbidden {
            code: "sender-not-in-organisation",
            message: "the mail's sender is neither the signed-in mailbox nor another mailbox of the organisation".into(),
        })?;
    let sender_domain = from.domain().to_owned();
    let internal = |address: &Address| {
        address.domain() == sender_domain
            || app
                .policy
                .organisation
                .domains
                .iter()
                .any(|domain| domain.as_str() == address.domain())
    };
    let mut recipients = Vec::new();
    let mut outside = Vec::new();
    for raw in mail.to.iter().chain(&mail.cc).chain(&mail.bcc) {
        let address = Address::parse(raw).map_err(|_| Error::BadRequest {
            code: "invalid-recipient",
            message: "a recipient is not a valid address".into(),
        })?;
        if recipients
            .iter()
            .any(|known: &RecipientOutcome| known.address == address.as_str())
        {
            continue;
        }
        let outcome = match (&mail.token, internal(&address)) {
            (_, true) => Outcome::Exchange,
            (None, false) => Outcome::Ordinary,
            (Some(_), false) => {
                outside.push(address.clone());
                // Until the relay has answered.
                Outcome::Deferred
            }
        };
        recipients.push(RecipientOutcome {
            address: address.as_str().to_owned(),
            outcome,
        });
    }
    let Some(token) = mail.token.as_deref().filter(|_| !outside.is_empty()) else {
        return Ok(ExchangeOutcome {
            relay: None,
            recipients,
        });
    };

    let answer = submit(relay, &from, mail, token, &outside).await?;
    let routes = match answer.code {
        200..300 => routes_of(app, session, token).await?,
        _ => Vec::new(),
    };
    for recipient in recipients
        .iter_mut()
        .filter(|recipient| recipient.outcome == Outcome::Deferred)
    {
        recipient.outcome = match (
            answer.code,
            routes.iter().find(|(a, _)| *a == recipient.address),
        ) {
            (200..300, Some((_, Route::Viewer))) => Outcome::Viewer,
            (200..300, _) => Outcome::NextHop,
            (400..500, _) => Outcome::Deferred,
            _ => Outcome::Refused,
        };
    }
    Ok(ExchangeOutcome {
        relay: Some(answer),
        recipients,
    })
}

/// The MIME message Outlook would have sent, handed to the relay on loopback.
async fn submit(
    relay: std::net::SocketAddr,
    from: &Address,
    mail: &PlaygroundMail,
    token: &str,
    outside: &[Address],
) -> Result<RelayAnswer, Error> {
    let bad = |what: &str| Error::BadRequest {
        code: "invalid-mail",
        message: format!("the playground's mail cannot be composed: {what}"),
    };
    let mailbox = |address: &str| -> Result<Mailbox, Error> {
        address.parse().map_err(|_| bad("an address"))
    };
    // Exchange gives every message a Message-ID; `None` has lettre make one.
    let mut builder = lettre::Message::builder()
        .from(mailbox(from.as_str())?)
        .message_id(None)
        .subject(mail.subject.clone());
    for to in &mail.to {
        builder = builder.to(mailbox(to)?);
    }
    for cc in &mail.cc {
        builder = builder.cc(mailbox(cc)?);
    }
    let mut body = MultiPart::mixed().singlepart(SinglePart::plain(mail.body.clone()));
    for attachment in mail.attachments.iter().filter(|a| !a.cloud) {
        let size = usize::try_from(attachment.size.min(MAX_ATTACHMENT_BYTES)).unwrap_or(0);
        body = body.singlepart(Attachment::new(attachment.name.clone()).body(
            vec![b'x'; size],
            ContentType::parse("application/octet-stream").map_err(|_| bad("a content type"))?,
        ));
    }
    let message = builder.multipart(body).map_err(|_| bad("the message"))?;
    let mut raw = format!("{TOKEN_HEADER}: {token}\r\n").into_bytes();
    raw.extend(message.formatted());
    let envelope = Envelope::new(
        Some(mailbox(from.as_str())?.email),
        outside
            .iter()
            .map(|address| mailbox(address.as_str()).map(|m| m.email))
            .collect::<Result<Vec<_>, _>>()?,
    )
    .map_err(|_| bad("the envelope"))?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(relay.ip().to_string())
        .port(relay.port())
        .timeout(Some(SMTP_TIMEOUT))
        .build();
    match transport.send_raw(&envelope, &raw).await {
        Ok(response) => Ok(RelayAnswer {
            code: u16::from(response.code()),
            reply: format!(
                "{} {}",
                response.code(),
                response.message().collect::<Vec<_>>().join(" ")
            ),
        }),
        Err(error) => match error.status() {
            Some(code) => {
                // lettre writes "permanent error (550): <text>"; the playground shows the
                // reply as the relay wrote it.
                let text = error.to_string();
                let text = text
                    .split_once("): ")
                    .map_or(text.as_str(), |(_, rest)| rest);
                Ok(RelayAnswer {
                    code: u16::from(code),
                    reply: format!("{code} {text}"),
                })
            }
            None => Err(Error::internal_from("cannot reach the relay", error)),
        },
    }
}

/// Each checked recipient's route, from the dispatch of `token` (the user's own).
async fn routes_of(
    app: &App,
    session: &Session,
    token: &str,
) -> Result<Vec<(String, Route)>, Error> {
    let Some(id) = send_token::unverified_id(token) else {
        return Ok(Vec::new());
    };
    Ok(app
        .dispatches
        .find(&id)
        .await?
        .filter(|found| found.owner_hash == session.owner_hash)
        .map(|found| {
            found
                .dispatch
                .recipients
                .into_iter()
                .map(|recipient| (recipient.address, recipient.route))
                .collect()
        })
        .unwrap_or_default())
}
