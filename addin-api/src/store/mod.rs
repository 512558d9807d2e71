//! Storage: one small trait, a SQLite and a PostgreSQL implementation.
//!
//! The store never sees a mail address, phone number, code or token in clear: callers pass
//! keyed hashes (lookup keys) and AES-GCM sealed blobs made by [`crate::vault::Vault`]. Every
//! method is one transaction, so nothing is half-written on a crash.
//!
//! Times are Unix seconds (`i64`): both databases store them the same way and the domain code
//! compares them without time-zone questions.

mod migrations;
mod postgres;
mod rows;
mod shared;
mod sqlite;
#[cfg(test)]
mod tests;

use async_trait::async_trait;

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// A lookup key made with the vault's keyed hash (HMAC-SHA-256), or a plain SHA-256 of a
/// high-entropy token. 32 bytes.
pub type Digest = [u8; 32];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("the database holds a malformed row: {0}")]
    Corrupt(&'static str),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    /// SHA-256 of the bearer token.
    pub token_hash: Digest,
    /// SHA-256 of the device id the session was issued to.
    pub device_hash: Digest,
    /// Keyed hash of the mailbox: the owner key of pairings and settings.
    pub mailbox_hash: Digest,
    /// The mailbox address, sealed.
    pub mailbox_sealed: Vec<u8>,
    /// `email-code` or `entra-id`.
    pub method: String,
    pub created_at: i64,
    pub last_used_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsRecord {
    /// `nl`, `en`, `de`, or `None` to follow Outlook's display language.
    pub language: Option<String>,
    pub send_delay_seconds: i64,
}

/// One issued send token, or one send event, for the NTA 7516 audit trail. No content and
/// no address in clear.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    pub at: i64,
    /// `send-token`, `standard-send` or `blocked-on-send`.
    pub kind: String,
    pub mailbox_hash: Digest,
    /// The send token's `jti`, for `send-token`.
    pub token_id: Option<String>,
    pub recipient_count: i64,
    /// e.g. `community=2,viewer=1`, for `send-token`.
    pub routes: Option<String>,
    /// Finding codes, comma-separated, for events.
    pub codes: Option<String>,
}

/// The last directory document that loaded, kept so a restart works while the source is down.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectorySnapshot {
    pub json: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub loaded_at: i64,
}

/// A sign-in code as stored (SPEC §8): only its keyed hash, never the digits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInCodeRecord {
    pub mailbox_hash: Digest,
    /// Keyed hash of mailbox, device and code.
    pub code_hash: Digest,
    pub created_at: i64,
    pub expires_at: i64,
    /// Tries made on this code so far.
    pub attempts: i64,
}

/// At most `max` codes may have been sent to one mailbox after `since` (Unix seconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SendLimit {
    pub since: i64,
    pub max: i64,
}

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
    /// A message is being handed over (a lease: see [`Store::claim_dispatch`]).
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

    fn parse(text: &str) -> StoreResult<Self> {
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

/// What [`Store::claim_dispatch`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DispatchClaim {
    /// The message may be delivered now, nobody else is delivering it. (What an earlier
    /// attempt already handed over, [`Store::handovers`] says.)
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

#[async_trait]
pub trait Store: RouteStore + Send + Sync + std::fmt::Debug {
    /// Readiness: the database answers.
    async fn ping(&self) -> StoreResult<()>;

    async fn insert_session(&self, session: &SessionRecord) -> StoreResult<()>;
    async fn find_session(&self, token_hash: &Digest) -> StoreResult<Option<SessionRecord>>;
    /// Slides the session's window.
    async fn touch_session(&self, token_hash: &Digest, last_used_at: i64) -> StoreResult<()>;
    async fn delete_session(&self, token_hash: &Digest) -> StoreResult<()>;
    /// Ends every session of a mailbox; returns how many there were.
    async fn delete_sessions_of(&self, mailbox_hash: &Digest) -> StoreResult<u64>;

    async fn put_pairing(
        &self,
        owner: &Digest,
        recipient: &Digest,
        sealed_phone: &[u8],
        at: i64,
    ) -> StoreResult<()>;
    async fn get_pairing(&self, owner: &Digest, recipient: &Digest)
    -> StoreResult<Option<Vec<u8>>>;
    /// The sealed phones of those `recipients` the owner has a pairing for.
    async fn get_pairings(
        &self,
        owner: &Digest,
        recipients: &[Digest],
    ) -> StoreResult<Vec<(Digest, Vec<u8>)>>;
    /// Returns whether there was one.
    async fn delete_pairing(&self, owner: &Digest, recipient: &Digest) -> StoreResult<bool>;

    async fn get_settings(&self, owner: &Digest) -> StoreResult<Option<SettingsRecord>>;
    async fn put_settings(
        &self,
        owner: &Digest,
        settings: &SettingsRecord,
        at: i64,
    ) -> StoreResult<()>;

    async fn append_audit(&self, record: &AuditRecord) -> StoreResult<()>;

    async fn load_directory(&self) -> StoreResult<Option<DirectorySnapshot>>;
    async fn save_directory(&self, snapshot: &DirectorySnapshot) -> StoreResult<()>;

    /// Stores `code` as its mailbox's one live code, replacing any other, unless a `limit`
    /// is reached: then nothing changes and it returns `false`. Atomic, also between
    /// instances on one database, so concurrent requests cannot slip past a limit. Prunes
    /// expired codes and send records older than every limit's window.
    async fn issue_sign_in_code(
        &self,
        code: &SignInCodeRecord,
        limits: &[SendLimit],
    ) -> StoreResult<bool>;
    /// Counts one try on the mailbox's code and returns it, with the try counted, if it is
    /// live at `now` and had fewer than `max_attempts` tries. A try is counted before the
    /// code is compared, so concurrent guesses cannot exceed the limit.
    async fn claim_sign_in_attempt(
        &self,
        mailbox_hash: &Digest,
        now: i64,
        max_attempts: i64,
    ) -> StoreResult<Option<SignInCodeRecord>>;
    /// Removes the mailbox's code if it is still `code_hash`; returns whether this call did,
    /// so of two concurrent sign-ins with one code only one succeeds.
    async fn consume_sign_in_code(
        &self,
        mailbox_hash: &Digest,
        code_hash: &Digest,
    ) -> StoreResult<bool>;
}

/// The secure route's records (SPEC §7, §13, §14): dispatches, the relay's hand-overs, Viewer
/// messages. One implementation for both backends: the queries in [`shared`].
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
