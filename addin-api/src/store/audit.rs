//! The audit trail's storage (NTA 7516, NEN 7513): an append-only, hash-chained log.

use async_trait::async_trait;

use super::{Digest, StoreResult};

/// One event for the audit trail. No content and no address in clear: every party is a
/// keyed hash.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditRecord {
    pub at: i64,
    /// What happened: `send-token`, `sign-in-verified`, `relay-refused`, … (see
    /// [`crate::audit`]).
    pub kind: String,
    /// Who: the signed-in mailbox. `None` when no mailbox is known (a refused Entra ID token).
    pub mailbox_hash: Option<Digest>,
    /// As whom, when not the mailbox itself: the shared mailbox a token was issued for.
    pub sender_hash: Option<Digest>,
    pub device_hash: Option<Digest>,
    /// The client's network (IPv4 address, IPv6 /64).
    pub network_hash: Option<Digest>,
    /// The send token's `jti`.
    pub token_id: Option<String>,
    pub recipient_count: i64,
    /// e.g. `community=2,viewer=1`, for `send-token`.
    pub routes: Option<String>,
    /// Finding codes or a reason, comma-separated.
    pub codes: Option<String>,
}

/// A record as the chain holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainedAuditRecord {
    /// The record's place in the chain; `None` for records from before the chain.
    pub seq: Option<i64>,
    pub record: AuditRecord,
    /// The link of the record before (zeros for the first), and this record's own.
    pub prev_hash: Option<Digest>,
    pub hash: Option<Digest>,
}

/// The chain's two ends: the last record appended, and the last one retention deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuditChainEnds {
    pub head_seq: i64,
    pub head_hash: Digest,
    pub anchor_seq: i64,
    pub anchor_hash: Digest,
}

/// Makes a record's link: a keyed hash over its seq, the link before it and its fields.
/// The store calls it inside the append's transaction, where the link before is known.
pub trait AuditLinker: Send + Sync {
    fn link(&self, seq: i64, prev_hash: &Digest, record: &AuditRecord) -> Digest;
}

/// One implementation for both backends: the queries in [`super::shared`].
#[async_trait]
pub trait AuditStore {
    /// Appends `record` at the chain's head; instances sharing a database take turns.
    async fn append_audit(&self, record: &AuditRecord, linker: &dyn AuditLinker)
    -> StoreResult<()>;
    /// Up to `limit` records after `after_id` (the row id: records from before the chain
    /// come first), from `since` on, in chain order.
    async fn audit_page(
        &self,
        after_id: i64,
        since: i64,
        limit: i64,
    ) -> StoreResult<Vec<(i64, ChainedAuditRecord)>>;
    async fn audit_chain_ends(&self) -> StoreResult<AuditChainEnds>;
    /// Deletes the records from before `before`, moving the anchor to the last one deleted;
    /// returns how many.
    async fn prune_audit(&self, before: i64) -> StoreResult<u64>;
}
