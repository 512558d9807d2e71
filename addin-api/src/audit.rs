//! The audit trail NTA 7516 asks for: every issued send token, every normal send chosen while
//! secure sending was possible or required, every block by the send handler. Who (as a keyed
//! hash), when, how many recipients by which route, which findings — never content, never an
//! address in clear.

use std::sync::Arc;

use addin_core::{api::SendEvent, verdict::Verdict};

use crate::{
    Error,
    clock::Clock,
    send_token::{IssuedSendToken, routes_summary},
    store::{AuditRecord, Digest, Store},
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
            routes: Some(routes_summary(verdict)),
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

    async fn append(&self, record: AuditRecord) -> Result<(), Error> {
        Ok(self.store.append_audit(&record).await?)
    }
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
