//! The audit trail NTA 7516 and NEN 7513 ask for: every sign-in attempt (code requested,
//! verified, failed, throttled; Entra ID accepted or refused; sign-out; an admin's revoke),
//! every issued send token, every normal send chosen while secure sending was possible or
//! required, every block by the send handler, and what the relay and the Viewer did. Who,
//! as whom, from which device and network — as keyed hashes — when, how many recipients by
//! which route, which findings: never content, never an address in clear.
//!
//! The records form a hash chain ([`chain`]): `sendsecure audit verify` finds a record that
//! was edited or deleted, `sendsecure audit export` hands the trail to a SIEM ([`export`]).
//! Records older than `audit.retention` are pruned; the chain keeps its anchor.

pub mod chain;
pub mod export;

use std::{collections::BTreeMap, net::IpAddr, sync::Arc, time::Duration};

use addin_core::{
    address::Address,
    api::SendEvent,
    verdict::{Route, Verdict},
};

use crate::{
    Error,
    client_limit::network_of,
    clock::Clock,
    send_token::IssuedSendToken,
    sessions::{DeviceId, Session},
    store::{AuditRecord, Digest, Store, ViewerMessageState},
    vault::{Purpose, Vault},
};

/// A sign-in event, as its record's `kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInEvent {
    /// A code was mailed.
    CodeRequested,
    /// No code was mailed: the mailbox is outside the organisation.
    CodeNotSent,
    CodeVerified,
    CodeFailed,
    /// A limit said no (429); `detail` says which request.
    Throttled,
    EntraAccepted,
    /// `detail` names the refusal.
    EntraRefused,
    SignedOut,
    /// An admin ended the mailbox's sessions (`sendsecure sessions revoke`).
    Revoked,
}

impl SignInEvent {
    pub fn kind(self) -> &'static str {
        match self {
            Self::CodeRequested => "sign-in-code-requested",
            Self::CodeNotSent => "sign-in-code-not-sent",
            Self::CodeVerified => "sign-in-code-verified",
            Self::CodeFailed => "sign-in-code-failed",
            Self::Throttled => "sign-in-throttled",
            Self::EntraAccepted => "sign-in-entra-accepted",
            Self::EntraRefused => "sign-in-entra-refused",
            Self::SignedOut => "sign-out",
            Self::Revoked => "sessions-revoked",
        }
    }
}

/// Who a sign-in event is about, as far as the request says.
#[derive(Clone, Copy, Debug, Default)]
pub struct Attempt<'a> {
    pub mailbox: Option<&'a Address>,
    pub device: Option<&'a DeviceId>,
    pub client: Option<IpAddr>,
}

#[derive(Debug)]
pub struct Audit {
    store: Arc<dyn Store>,
    vault: Arc<Vault>,
    clock: Arc<dyn Clock>,
}

impl Audit {
    pub fn new(store: Arc<dyn Store>, vault: Arc<Vault>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            vault,
            clock,
        }
    }

    pub async fn sign_in(
        &self,
        event: SignInEvent,
        attempt: Attempt<'_>,
        detail: Option<&str>,
    ) -> Result<(), Error> {
        self.append(AuditRecord {
            kind: event.kind().into(),
            mailbox_hash: attempt.mailbox.map(|mailbox| self.mailbox_hash(mailbox)),
            device_hash: attempt.device.map(DeviceId::hash),
            network_hash: attempt.client.map(|client| self.network_hash(client)),
            codes: detail.map(str::to_owned),
            ..self.record()
        })
        .await
    }

    pub async fn signed_out(&self, session: &Session) -> Result<(), Error> {
        self.append(AuditRecord {
            kind: SignInEvent::SignedOut.kind().into(),
            mailbox_hash: Some(session.mailbox_hash),
            device_hash: Some(session.device.hash()),
            ..self.record()
        })
        .await
    }

    /// A send token was issued to `session` for `verdict`'s sender: the session's own
    /// mailbox, or a shared one (then recorded as `sender_hash`).
    pub async fn send_token_issued(
        &self,
        session: &Session,
        verdict: &Verdict,
        token: &IssuedSendToken,
    ) -> Result<(), Error> {
        let sender_hash = Address::parse(&verdict.sender.address)
            .ok()
            .filter(|sender| *sender != session.mailbox)
            .map(|sender| self.mailbox_hash(&sender));
        self.append(AuditRecord {
            kind: "send-token".into(),
            mailbox_hash: Some(session.mailbox_hash),
            sender_hash,
            device_hash: Some(session.device.hash()),
            token_id: Some(token.id.clone()),
            recipient_count: count(verdict.recipients.len()),
            routes: Some(routes_summary(verdict.recipients.iter().map(|r| r.route))),
            ..self.record()
        })
        .await
    }

    pub async fn send_event(&self, session: &Session, event: &SendEvent) -> Result<(), Error> {
        let codes = event
            .codes
            .iter()
            .map(|code| code.as_str())
            .collect::<Vec<_>>()
            .join(",");
        self.append(AuditRecord {
            kind: event.kind.as_str().into(),
            mailbox_hash: Some(session.mailbox_hash),
            device_hash: Some(session.device.hash()),
            codes: Some(codes),
            ..self.record()
        })
        .await
    }

    /// The relay delivered a message: how many recipients by which route (SPEC §13).
    pub async fn relay_delivered(
        &self,
        owner: &Digest,
        token_id: &str,
        routes: impl Iterator<Item = Route>,
    ) -> Result<(), Error> {
        let routes: Vec<Route> = routes.collect();
        self.append(AuditRecord {
            kind: "relay-delivered".into(),
            mailbox_hash: Some(*owner),
            token_id: Some(token_id.to_owned()),
            recipient_count: count(routes.len()),
            routes: Some(routes_summary(routes.into_iter())),
            ..self.record()
        })
        .await
    }

    /// The relay refused a message, and why (a refusal code of [`crate::relay`]). `owner` is
    /// the dispatch's owner when the token led to one, else the keyed hash of `MAIL FROM`.
    pub async fn relay_refused(
        &self,
        owner: Option<&Digest>,
        token_id: Option<&str>,
        reason: &str,
    ) -> Result<(), Error> {
        self.append(AuditRecord {
            kind: "relay-refused".into(),
            mailbox_hash: owner.copied(),
            token_id: token_id.map(str::to_owned),
            codes: Some(reason.to_owned()),
            ..self.record()
        })
        .await
    }

    /// A Viewer event (SPEC §14): `kind` is `viewer-code-sent`, `viewer-opened`,
    /// `viewer-downloaded`, `viewer-replied`, `viewer-forwarded`, `viewer-withdrawn`,
    /// `viewer-expired` or `viewer-wrong-number`; `detail` says how (`sms`, `email`,
    /// `attachment`, `direct` …). Under the message's dispatch and owner; never content or an
    /// address.
    pub async fn viewer_event(
        &self,
        message: &ViewerMessageState,
        kind: &str,
        detail: Option<&str>,
    ) -> Result<(), Error> {
        self.append(AuditRecord {
            kind: kind.to_owned(),
            mailbox_hash: Some(message.owner_hash),
            token_id: Some(message.token_id.clone()),
            codes: detail.map(str::to_owned),
            ..self.record()
        })
        .await
    }

    /// Deletes the records older than `retention`; returns how many.
    pub async fn prune(&self, retention: Duration) -> Result<u64, Error> {
        let retention = i64::try_from(retention.as_secs()).unwrap_or(i64::MAX);
        let before = self.clock.unix_now().saturating_sub(retention);
        Ok(self.store.prune_audit(before).await?)
    }

    /// The keyed hash the trail knows a mailbox by (the sessions' too).
    pub fn mailbox_hash(&self, mailbox: &Address) -> Digest {
        self.vault.lookup(Purpose::Mailbox, mailbox.as_str())
    }

    fn network_hash(&self, client: IpAddr) -> Digest {
        self.vault
            .lookup(Purpose::ClientNetwork, &network_of(client).to_string())
    }

    /// A record of now with nothing in it yet.
    fn record(&self) -> AuditRecord {
        AuditRecord {
            at: self.clock.unix_now(),
            ..AuditRecord::default()
        }
    }

    async fn append(&self, record: AuditRecord) -> Result<(), Error> {
        let linker = chain::Linker::new(&self.vault);
        Ok(self.store.append_audit(&record, &linker).await?)
    }
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// How many recipients take each route, as `community=2,viewer=1`: what the audit log keeps
/// instead of the addresses (SPEC §7, §11).
pub fn routes_summary(routes: impl Iterator<Item = Route>) -> String {
    let mut counts = BTreeMap::<&str, usize>::new();
    for route in routes {
        *counts.entry(route.as_str()).or_default() += 1;
    }
    counts
        .iter()
        .map(|(route, count)| format!("{route}={count}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_routes_summary_counts_routes_by_name_without_addresses() {
        let summary = |routes: &[Route]| routes_summary(routes.iter().copied());
        assert_eq!(
            summary(&[Route::Viewer, Route::Community, Route::Community]),
            "community=2,viewer=1"
        );
        assert_eq!(
            summary(&[Route::Nta7516, Route::Community, Route::Viewer]),
            "community=1,nta7516=1,viewer=1"
        );
        assert_eq!(summary(&[]), "");
    }
}
