//! The secure route's records (SPEC §7, §13): dispatches, what the relay handed over, and the
//! messages it stored for the Viewer.

use async_trait::async_trait;

use super::{Digest, StoreError, StoreResult};

/// A dispatch (SPEC §7) as stored: what was checked, sealed, under the send token's `jti`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DispatchRecord {
    pub token_id: String,
    /// Keyed hash of the mailbox that was signed in when the token was issued.
    pub owner_hash: Digest,
    pub sealed: Vec<u8>,
    pub issued_at: i64,
}

/// Where the relay is with a dispatch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DispatchState {
    /// No message has used the token yet.
    Issued,
    /// A message is being handed over (a lease: see [`RouteStore::claim_dispatch`]).
    Delivering,
    Delivered,
    /// The last attempt failed; the same message may try again.
    Failed,
}

impl DispatchState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Issued => "issued",
            Self::Delivering => "delivering",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    pub(super) fn parse(text: &str) -> StoreResult<Self> {
        match text {
            "issued" => Ok(Self::Issued),
            "delivering" => Ok(Self::Delivering),
            "delivered" => Ok(Self::Delivered),
            "failed" => Ok(Self::Failed),
            _ => Err(StoreError::Corrupt("dispatches.state")),
        }
    }
}

/// A dispatch with the relay's progress on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDispatch {
    pub record: DispatchRecord,
    pub state: DispatchState,
    /// SHA-256 of the Message-ID of the one message that may use the token.
    pub message_hash: Option<Digest>,
    pub state_at: Option<i64>,
}

/// What [`RouteStore::claim_dispatch`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DispatchClaim {
    /// The message may be delivered now, nobody else is delivering it. (What an earlier
    /// attempt already handed over, [`RouteStore::handovers`] says.)
    Claimed,
    /// This message is being delivered by another connection right now.
    InProgress,
    /// The token belongs to another message.
    OtherMessage,
    /// No such dispatch.
    Unknown,
}

/// A message stored for Viewer recipients (SPEC §14).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewerMessageRecord {
    /// 128 random bits, base64url.
    pub id: String,
    /// The dispatch it came from: one Viewer message per dispatch.
    pub token_id: String,
    pub owner_hash: Digest,
    /// The kenmerk.
    pub reference: String,
    /// SHA-256 of the secret in the sender's withdraw link.
    pub withdraw_hash: Digest,
    /// The message's own key, sealed with the data key.
    pub sealed_key: Vec<u8>,
    /// The message, encrypted with its own key.
    pub content: Vec<u8>,
    /// What its page shows, encrypted with its own key.
    pub summary: Vec<u8>,
    pub created_at: i64,
    pub expires_at: i64,
}

/// One Viewer recipient of a stored message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewerRecipientRecord {
    /// SHA-256 of the secret in the recipient's link.
    pub link_hash: Digest,
    /// The recipient's place in the dispatch's Viewer recipients, from 0.
    pub position: i64,
    /// Address, phone and language, sealed with the data key.
    pub sealed: Vec<u8>,
}

/// The secure route's records (SPEC §7, §13, §14): dispatches, the relay's hand-overs, Viewer
/// messages. One implementation for both backends: the queries in [`super::shared`].
#[async_trait]
pub trait RouteStore {
    async fn insert_dispatch(&self, dispatch: &DispatchRecord) -> StoreResult<()>;
    async fn find_dispatch(&self, token_id: &str) -> StoreResult<Option<StoredDispatch>>;
    /// Ties the dispatch to the message whose Message-ID hashes to `message_hash` (the
    /// first message to try wins it for good) and starts delivering it, unless another
    /// connection is delivering it since after `stale_before` (before that, the delivery is
    /// presumed dead). The same message may come again after it was delivered: Exchange may
    /// split one message's recipients over several deliveries. One statement: instances
    /// racing on one database cannot both claim.
    async fn claim_dispatch(
        &self,
        token_id: &str,
        message_hash: &Digest,
        now: i64,
        stale_before: i64,
    ) -> StoreResult<DispatchClaim>;
    /// The parts of the dispatch's message already handed to the next hop (see
    /// [`crate::relay`]), in name order.
    async fn handovers(&self, token_id: &str) -> StoreResult<Vec<String>>;
    /// Notes that parts went to the next hop; noting one twice is harmless.
    async fn record_handovers(&self, token_id: &str, parts: &[String], at: i64) -> StoreResult<()>;
    /// Ends a delivery: `Delivered`, or `Failed` so the same message may try again.
    async fn finish_dispatch(
        &self,
        token_id: &str,
        state: DispatchState,
        at: i64,
    ) -> StoreResult<()>;

    /// Stores a message and its recipients, unless the dispatch has one already: then that
    /// one is returned and nothing changes (the relay's retry of the same message).
    async fn insert_viewer_message(
        &self,
        message: &ViewerMessageRecord,
        recipients: &[ViewerRecipientRecord],
    ) -> StoreResult<ViewerMessageRecord>;
}
