//! The audit trail NTA 7516 asks for: every issued send token, every normal send chosen while
//! secure sending was possible or required, every block by the send handler. Who (as a keyed
//! hash), when, how many recipients by which route, which findings — never content, never an
//! address in clear.

use std::sync::Arc;

use std::collections::BTreeMap;

use addin_core::{
    api::SendEvent,
    verdict::{Route, Verdict},
};

use crate::{
    Error,
    clock::Clock,
    send_token::IssuedSendToken,
    store::{AuditRecord, Digest, Store, ViewerMessageState},
};

#[derive(Debug)]
pub struct Audit {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl Audit {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    pub async fn send_token_issued(
        &self,
        mailbox: &Digest,
        verdict: &Verdict,
        token: &IssuedSendToken,
    ) -> Result<(), Error> {
        self.append(AuditRecord {
            at: self.clock.unix_now(),
            kind: "send-token".into(),
            mailbox_hash: *mailbox,
            token_id: Some(token.id.clone()),
            recipient_count: count(verdict.recipients.len()),
            routes: Some(routes_summary(verdict.recipients.iter().map(|r| r.route))),
            codes: None,
        })
        .await
    }

    pub async fn send_event(&self, mailbox: &Digest, event: &SendEvent) -> Result<(), Error> {
        let codes = serde_json::to_value(&event.codes)
            .ok()
            .and_then(|value| value.as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|code| code.as_str().map(str::to_owned))
            .collect::<Vec<_>>()
            .join(",");
        self.append(AuditRecord {
            at: self.clock.unix_now(),
            kind: event.kind.as_str().into(),
            mailbox_hash: *mailbox,
            token_id: None,
            recipient_count: 0,
            routes: None,
            codes: Some(codes),
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
            at: self.clock.unix_now(),
            kind: "relay-delivered".into(),
            mailbox_hash: *owner,
            token_id: Some(token_id.to_owned()),
            recipient_count: count(routes.len()),
            routes: Some(routes_summary(routes.into_iter())),
            codes: None,
        })
        .await
    }

    /// The relay refused a message, and why (a refusal code of [`crate::relay`]). `owner` is
    /// the dispatch's owner when the token led to one, else the keyed hash of `MAIL FROM`.
    pub async fn relay_refused(
        &self,
        owner: &Digest,
        token_id: Option<&str>,
        reason: &str,
    ) -> Result<(), Error> {
        self.append(AuditRecord {
            at: self.clock.unix_now(),
            kind: "relay-refused".into(),
            mailbox_hash: *owner,
            token_id: token_id.map(str::to_owned),
            recipient_count: 0,
            routes: None,
            codes: Some(reason.to_owned()),
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
            at: self.clock.unix_now(),
            kind: kind.to_owned(),
            mailbox_hash: message.owner_hash,
            token_id: Some(message.token_id.clone()),
            recipient_count: 0,
            routes: None,
            codes: detail.map(str::to_owned),
        })
        .await
    }

    async fn append(&self, record: AuditRecord) -> Result<(), Error> {
        Ok(self.store.append_audit(&record).await?)
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
