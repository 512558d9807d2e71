//! One message through the secure route (SPEC §13): verify, then route, then answer.
//!
//! Verify: exactly one send token whose signature, audience and age hold; its dispatch; the
//! envelope sender is the dispatch's sender; every envelope recipient is in the dispatch; the
//! attachment count is the one checked; the token is not another message's. Any of these
//! failing is a refusal with a 5.7.x reply and an audit record.
//!
//! Route: community, NTA 7516 and internal recipients go to the next hop in one transaction,
//! with the token header removed; Viewer recipients' copy is stored encrypted, each gets a
//! notification and the sender a confirmation, through the next hop too. All before the relay
//! answers: a next hop that defers is a 451 (Exchange keeps the mail and retries), one that
//! refuses a 5xx. Each part handed over is noted under the dispatch, so a retry sends only
//! what did not go the first time.

use std::collections::HashSet;

use addin_core::{address::Address, api::Language, phone::Phone, verdict::Route};
use lettre::address::Envelope as LettreEnvelope;

use super::{
    message::Incoming,
    reply::{self, Refusal, Reply},
};
use crate::{
    Error,
    app::App,
    dispatch::{DispatchRecipient, Found},
    outgoing_mail::SendFailure,
    store::{Digest, DispatchClaim},
    viewer::{
        ViewerRecipient,
        mails::{self, Confirmation, ConfirmedViewerRecipient, Notification},
    },
};

/// The SMTP envelope as the client gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    pub mail_from: String,
    pub recipients: Vec<String>,
}

/// Why a delivery stopped before its end.
enum Stop {
    Refused {
        refusal: Refusal,
        /// The dispatch's owner, when the token led to one.
        owner: Option<Digest>,
        token_id: Option<String>,
    },
    /// Deferred or refused downstream, or our own failure: already logged.
    Answer(Reply),
}

impl From<Error> for Stop {
    fn from(error: Error) -> Self {
        tracing::error!(%error, "the relay cannot deliver a message now");
        Self::Answer(reply::try_later())
    }
}

fn refused(refusal: Refusal) -> Stop {
    Stop::Refused {
        refusal,
        owner: None,
        token_id: None,
    }
}

/// Delivers `raw`, received with `envelope`, and says what to answer.
pub async fn deliver(app: &App, envelope: &Envelope, raw: &[u8]) -> Reply {
    match attempt(app, envelope, raw).await {
        Ok(reply) | Err(Stop::Answer(reply)) => reply,
        Err(Stop::Refused {
            refusal,
            owner,
            token_id,
        }) => {
            tracing::warn!(
                reason = refusal.code(),
                token_id = token_id.as_deref().unwrap_or("-"),
                "the relay refused a message"
            );
            let owner = owner.or_else(|| {
                Address::parse(&envelope.mail_from)
                    .ok()
                    .map(|sender| app.audit.mailbox_hash(&sender))
            });
            if let Err(error) = app
                .audit
                .relay_refused(owner.as_ref(), token_id.as_deref(), refusal.code())
                .await
            {
                // The refusal stands; the audit gap is an operator's matter.
                tracing::error!(%error, "cannot record a relay refusal in the audit log");
            }
            refusal.reply()
        }
    }
}

async fn attempt(app: &App, envelope: &Envelope, raw: &[u8]) -> Result<Reply, Stop> {
    let incoming = Incoming::parse(raw).ok_or(refused(Refusal::Unreadable))?;
    let token = match incoming.tokens().as_slice() {
        [] => return Err(refused(Refusal::NoToken)),
        [token] => token.clone(),
        _ => return Err(refused(Refusal::SeveralTokens)),
    };
    let verified = app
        .signer
        .verifier()
        .verify(
            &token,
            app.clock.now(),
            app.policy.relay.accept_within.duration(),
        )
        .map_err(|refusal| refused(Refusal::Token(refusal)))?;
    let token_id = verified.jti;
    let found = app
        .dispatches
        .find(&token_id)
        .await?
        .ok_or_else(|| Stop::Refused {
            refusal: Refusal::UnknownDispatch,
            owner: None,
            token_id: Some(token_id.clone()),
        })?;
    let refuse = |refusal| Stop::Refused {
        refusal,
        owner: Some(found.owner_hash),
        token_id: Some(token_id.clone()),
    };

    let checked_sender = Address::parse(&envelope.mail_from)
        .is_ok_and(|mail_from| found.dispatch.sent_by(&mail_from));
    if !checked_sender {
        return Err(refuse(Refusal::SenderMismatch));
    }
    let mut targets = Vec::with_capacity(envelope.recipients.len());
    for raw_recipient in &envelope.recipients {
        let target = Address::parse(raw_recipient).ok().and_then(|address| {
            found
                .dispatch
                .recipients
                .iter()
                .position(|checked| checked.address == address.as_str())
        });
        match target {
            Some(index) if !targets.contains(&index) => targets.push(index),
            Some(_) => {}
            None => return Err(refuse(Refusal::RecipientNotChecked)),
        }
    }
    if incoming.attachment_count() != found.dispatch.attachments.files {
        return Err(refuse(Refusal::AttachmentsChanged));
    }
    let message_id = incoming
        .message_id()
        .ok_or_else(|| refuse(Refusal::NoMessageId))?;
    match app.dispatches.claim(&token_id, message_id).await? {
        DispatchClaim::Claimed => {}
        DispatchClaim::InProgress => return Err(Stop::Answer(reply::in_progress())),
        DispatchClaim::OtherMessage => return Err(refuse(Refusal::Replay)),
        DispatchClaim::Unknown => return Err(refuse(Refusal::UnknownDispatch)),
    }

    // Claimed: read what earlier attempts handed over, now that none can run beside us.
    let handed_over = app.dispatches.handovers(&token_id).await?;
    let handing_over = HandOver {
        app,
        token_id: &token_id,
        found: &found,
        handed_over: &handed_over,
        incoming: &incoming,
        envelope,
    };
    let outcome = handing_over.run(&targets).await;
    let finished = app.dispatches.finish(&token_id, outcome.is_ok()).await;
    let reply = outcome?;
    finished?;
    Ok(reply)
}

/// The routing half of a delivery, once the message is verified and claimed.
struct HandOver<'a> {
    app: &'a App,
    token_id: &'a str,
    found: &'a Found,
    /// The parts an earlier attempt of this message handed over.
    handed_over: &'a [String],
    incoming: &'a Incoming<'a>,
    envelope: &'a Envelope,
}

impl HandOver<'_> {
    /// Hands over every part for `targets` (indices into the dispatch's recipients) that an
    /// earlier attempt did not.
    async fn run(&self, targets: &[usize]) -> Result<Reply, Stop> {
        let done: HashSet<&str> = self.handed_over.iter().map(String::as_str).collect();
        let recipients = &self.found.dispatch.recipients;
        let stripped = self.incoming.without_token();

        let direct: Vec<usize> = targets
            .iter()
            .copied()
            .filter(|&index| recipients[index].route.is_direct())
            .filter(|&index| !done.contains(next_hop_part(index).as_str()))
            .collect();
        let viewer_targets: Vec<usize> = targets
            .iter()
            .copied()
            .filter(|&index| recipients[index].route == Route::Viewer)
            .collect();
        // The parts are independent: side by side, the message waits for the slowest
        // hand-over rather than for all of them in turn.
        let (handed, notified) = tokio::join!(
            self.direct(&direct, &stripped),
            self.viewer(&viewer_targets, &stripped, &done)
        );
        handed?;
        let notified = notified?;

        if !direct.is_empty() || notified > 0 {
            let routes = direct
                .iter()
                .chain(viewer_targets.iter())
                .map(|&index| recipients[index].route);
            self.app
                .audit
                .relay_delivered(&self.found.owner_hash, self.token_id, routes)
                .await?;
            tracing::info!(
                token_id = self.token_id,
                direct = direct.len(),
                viewer = notified,
                "the relay delivered a message"
            );
        }
        Ok(reply::accepted(direct.len(), notified))
    }

    /// The community, NTA 7516 and internal recipients' copy, in one transaction.
    async fn direct(&self, targets: &[usize], message: &[u8]) -> Result<(), Stop> {
        if targets.is_empty() {
            return Ok(());
        }
        let recipients = &self.found.dispatch.recipients;
        let envelope = lettre_envelope(
            &self.envelope.mail_from,
            targets
                .iter()
                .map(|&index| recipients[index].address.as_str()),
        )?;
        self.send(&envelope, message).await?;
        self.note(targets.iter().map(|&index| next_hop_part(index)))
            .await
    }

    /// Stores the Viewer copy (for all the dispatch's Viewer recipients, so a later split
    /// delivery finds it), notifies `targets` and confirms to the sender. Returns how many
    /// were notified now.
    async fn viewer(
        &self,
        targets: &[usize],
        message: &[u8],
        done: &HashSet<&str>,
    ) -> Result<usize, Stop> {
        if targets.is_empty() {
            return Ok(0);
        }
        let dispatch = &self.found.dispatch;
        let language = if dispatch.english {
            Language::En
        } else {
            Language::Nl
        };
        let viewer: Vec<(usize, &DispatchRecipient)> = dispatch
            .recipients
            .iter()
            .enumerate()
            .filter(|(_, recipient)| recipient.route == Route::Viewer)
            .collect();
        let stored = self
            .app
            .viewer
            .intake
            .store(
                self.token_id,
                &self.found.owner_hash,
                message,
                &viewer
                    .iter()
                    .map(|(_, recipient)| ViewerRecipient {
                        address: recipient.address.clone(),
                        phone: recipient.phone.clone(),
                        language,
                        sender_name: self.incoming.sender_name().map(str::to_owned),
                    })
                    .collect::<Vec<_>>(),
            )
            .await?;

        let sender_name = self
            .incoming
            .sender_name()
            .unwrap_or(dispatch.sender.as_str());
        let organisation = self
            .app
            .policy
            .organisation
            .name
            .clone()
            .unwrap_or_else(|| {
                dispatch
                    .sender
                    .rsplit_once('@')
                    .map_or_else(String::new, |(_, domain)| domain.to_owned())
            });
        let subject = self
            .app
            .policy
            .viewer
            .notification_subject
            .then(|| self.incoming.subject())
            .flatten();
        let notify = async {
            let mut notified = 0;
            for (position, (index, recipient)) in viewer.iter().enumerate() {
                let part = format!("notification:{index}");
                if !targets.contains(index) || done.contains(part.as_str()) {
                    continue;
                }
                let link = format!(
                    "{}/viewer/{}",
                    self.app.base_url, stored.link_secrets[position]
                );
                let notice = mails::notification(
                    &self.app.mail_from,
                    &recipient.address,
                    &Notification {
                        language,
                        sender_name,
                        organisation: &organisation,
                        link: &link,
                        by_sms: recipient.phone.is_some(),
                        readable_until: stored.expires_at,
                        subject,
                        forwarded_by: None,
                    },
                )?;
                self.send_own(&notice).await?;
                self.note([part]).await?;
                notified += 1;
            }
            Ok::<_, Stop>(notified)
        };
        let confirm = async {
            if done.contains(CONFIRMATION_PART) {
                return Ok(());
            }
            let preferences = self.app.preferences.get(&self.found.owner_hash).await?;
            let confirmation = mails::confirmation(
                &self.app.mail_from,
                &dispatch.sender,
                &Confirmation {
                    language: preferences.language.unwrap_or(Language::Nl),
                    subject: self.incoming.subject().unwrap_or_default(),
                    viewer: viewer
                        .iter()
                        .map(|(_, recipient)| ConfirmedViewerRecipient {
                            address: &recipient.address,
                            masked_phone: recipient
                                .phone
                                .as_deref()
                                .and_then(|phone| Phone::parse(phone).ok())
                                .map(|phone| phone.masked()),
                        })
                        .collect(),
                    direct: dispatch
                        .recipients
                        .iter()
                        .filter(|recipient| recipient.route.is_direct())
                        .filter(|recipient| recipient.route != Route::Internal)
                        .map(|recipient| recipient.address.as_str())
                        .collect(),
                    reference: &stored.reference,
                    forwarding_password: &stored.forwarding_password,
                    readable_until: stored.expires_at,
                    withdraw_link: &format!(
                        "{}/viewer/withdraw/{}",
                        self.app.base_url, stored.withdraw_secret
                    ),
                },
            )?;
            self.send_own(&confirmation).await?;
            self.note([CONFIRMATION_PART.to_owned()]).await
        };
        let (notified, confirmed) = tokio::join!(notify, confirm);
        confirmed?;
        notified
    }

    /// A message of our own (notification, confirmation) to the next hop.
    async fn send_own(&self, message: &lettre::Message) -> Result<(), Stop> {
        self.send(message.envelope(), &message.formatted()).await
    }

    async fn send(&self, envelope: &LettreEnvelope, raw: &[u8]) -> Result<(), Stop> {
        match self.app.next_hop.send(envelope, raw).await {
            Ok(_) => Ok(()),
            Err(SendFailure::Temporary(detail)) => {
                tracing::warn!(token_id = self.token_id, %detail, "the next hop deferred a message");
                Err(Stop::Answer(reply::try_later()))
            }
            Err(SendFailure::Permanent(detail)) => {
                tracing::warn!(token_id = self.token_id, %detail, "the next hop refused a message");
                Err(Stop::Answer(reply::next_hop_refused(&detail)))
            }
        }
    }

    async fn note(&self, parts: impl IntoIterator<Item = String>) -> Result<(), Stop> {
        let parts: Vec<String> = parts.into_iter().collect();
        Ok(self
            .app
            .dispatches
            .handed_over(self.token_id, &parts)
            .await?)
    }
}

const CONFIRMATION_PART: &str = "confirmation";

fn next_hop_part(index: usize) -> String {
    format!("next-hop:{index}")
}

fn lettre_envelope<'a>(
    from: &str,
    to: impl Iterator<Item = &'a str>,
) -> Result<LettreEnvelope, Stop> {
    let invalid = || Error::internal("an envelope address is not one lettre takes");
    let from = from.parse().map_err(|_| invalid())?;
    let to = to
        .map(|address| address.parse().map_err(|_| invalid()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(LettreEnvelope::new(Some(from), to).map_err(|_| invalid())?)
}
