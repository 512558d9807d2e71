//! The Viewer's recipient side (SPEC §14): access codes and the limits on sending them, Viewer
//! sessions, the reply and forward counts, withdrawal and the retention sweep.

use async_trait::async_trait;

use super::{Digest, StoreResult, ViewerRecipientRecord};

/// A Viewer message without its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewerMessageState {
    pub id: String,
    pub token_id: String,
    pub owner_hash: Digest,
    /// The kenmerk.
    pub reference: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub withdrawn_at: Option<i64>,
    /// When retention or withdrawal deleted its content and key.
    pub deleted_at: Option<i64>,
    /// Forwards made of it so far.
    pub forwards: i64,
}

impl ViewerMessageState {
    /// Not withdrawn, not deleted, within its retention.
    pub fn readable(&self, now: i64) -> bool {
        self.withdrawn_at.is_none() && self.deleted_at.is_none() && now < self.expires_at
    }
}

/// A recipient's link with what hangs on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecipientView {
    pub recipient: ViewerRecipientRecord,
    /// Replies sent so far.
    pub replies: i64,
    /// Wrong forwarding passwords tried so far.
    pub forward_failures: i64,
    /// When the recipient told the sender the number is not theirs.
    pub wrong_number_reported_at: Option<i64>,
    pub message: ViewerMessageState,
}

/// An access code as stored: only its keyed hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewerCodeRecord {
    pub link_hash: Digest,
    /// SHA-256 of the browser's device cookie.
    pub device_hash: Digest,
    /// Keyed hash of link, browser and code.
    pub code_hash: Digest,
    pub created_at: i64,
    pub expires_at: i64,
    pub attempts: i64,
}

/// At most `max` codes after `since`, for the link from this browser or from all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeLimit {
    pub per_browser: bool,
    pub since: i64,
    pub max: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewerSessionRecord {
    /// SHA-256 of the session cookie.
    pub token_hash: Digest,
    pub link_hash: Digest,
    pub created_at: i64,
    pub last_used_at: i64,
}

/// One implementation for both backends: the queries in [`super::shared`].
#[async_trait]
pub trait ViewerStore {
    async fn find_recipient(&self, link_hash: &Digest) -> StoreResult<Option<RecipientView>>;
    /// The sealed key and the encrypted content, while the message has them.
    async fn message_content(&self, message_id: &str) -> StoreResult<Option<(Vec<u8>, Vec<u8>)>>;
    /// The sealed key and the encrypted summary (`None` for a message stored before there
    /// were summaries), while the message has them.
    async fn message_summary(
        &self,
        message_id: &str,
    ) -> StoreResult<Option<(Vec<u8>, Option<Vec<u8>>)>>;
    async fn find_message_by_withdraw_hash(
        &self,
        withdraw_hash: &Digest,
    ) -> StoreResult<Option<ViewerMessageState>>;
    async fn find_message_by_reference(
        &self,
        reference: &str,
    ) -> StoreResult<Option<ViewerMessageState>>;
    /// Withdraws a readable message: its content and key are deleted. Returns whether this
    /// call did it.
    async fn withdraw_message(&self, message_id: &str, at: i64) -> StoreResult<bool>;

    /// Stores `code` as the link's one live code for its browser, replacing that browser's
    /// earlier one, unless a limit is reached (then nothing changes and it returns `false`).
    /// A refused request does not count. Never lets more requests through than a limit
    /// allows, also between instances on one database.
    async fn issue_viewer_code(
        &self,
        code: &ViewerCodeRecord,
        limits: &[CodeLimit],
    ) -> StoreResult<bool>;
    /// Counts one try on the browser's code and returns it, the try counted, if it is live at
    /// `now` and had fewer than `max_attempts` tries.
    async fn claim_viewer_code_attempt(
        &self,
        link_hash: &Digest,
        device_hash: &Digest,
        now: i64,
        max_attempts: i64,
    ) -> StoreResult<Option<ViewerCodeRecord>>;
    /// Removes the browser's code if it is still `code_hash`; returns whether this call did.
    async fn consume_viewer_code(
        &self,
        link_hash: &Digest,
        device_hash: &Digest,
        code_hash: &Digest,
    ) -> StoreResult<bool>;

    async fn insert_viewer_session(&self, session: &ViewerSessionRecord) -> StoreResult<()>;
    async fn find_viewer_session(
        &self,
        token_hash: &Digest,
    ) -> StoreResult<Option<ViewerSessionRecord>>;
    async fn touch_viewer_session(&self, token_hash: &Digest, at: i64) -> StoreResult<()>;

    /// Counts a reply if the recipient has sent fewer than `max`; returns whether it did.
    async fn count_reply(&self, link_hash: &Digest, max: i64) -> StoreResult<bool>;
    /// Counts a forward if the message has had fewer than `max`; returns whether it did.
    async fn count_forward(&self, message_id: &str, max: i64) -> StoreResult<bool>;
    /// Counts a wrong forwarding password; returns how many there have been.
    async fn count_forward_failure(&self, link_hash: &Digest) -> StoreResult<i64>;
    /// Notes that the sender was told the link's number is wrong.
    async fn note_wrong_number_report(&self, link_hash: &Digest, at: i64) -> StoreResult<()>;

    /// Deletes the content and key of at most `batch` messages whose retention ended by `now`,
    /// and Viewer sessions idle since `idle_before`; returns the messages it cleared. Safe to
    /// run on several instances at once: each message is cleared by one of them.
    async fn sweep_viewer(
        &self,
        now: i64,
        idle_before: i64,
        batch: i64,
    ) -> StoreResult<Vec<ViewerMessageState>>;
}
