//! Storage: one small trait, a SQLite and a PostgreSQL implementation.
//!
//! Both backends run the same SQL, in [`shared`], for everything but [`PairingLookup`]: that
//! one each writes itself (`sqlite.rs`, `postgres.rs`), beside its pool options and pragmas.
//!
//! The store never sees a mail address, phone number, code or token in clear: callers pass
//! keyed hashes (lookup keys) and AES-GCM sealed blobs made by [`crate::vault::Vault`]. Every
//! method is one transaction, so nothing is half-written on a crash.
//!
//! Times are Unix seconds (`i64`): both databases store them the same way and the domain code
//! compares them without time-zone questions.

mod audit;
mod keys;
mod migrations;
mod postgres;
mod route;
mod rows;
mod session;
mod shared;
mod sign_in;
mod sqlite;
#[cfg(test)]
mod tests;
mod viewer;

use async_trait::async_trait;

pub use audit::{AuditChainEnds, AuditLinker, AuditRecord, AuditStore, ChainedAuditRecord};
pub use keys::{KeyStore, SealedColumn, SealedRow, SealedValue};
pub use postgres::PostgresStore;
pub use route::{
    DispatchClaim, DispatchRecord, DispatchState, RouteStore, StoredDispatch, ViewerMessageRecord,
    ViewerRecipientRecord,
};
pub use session::{SessionRecord, SessionStore};
pub use sign_in::{RateLimit, SignInCodeRecord, SignInStore};
pub use sqlite::SqliteStore;
pub use viewer::{
    CodeLimit, RecipientView, ViewerCodeRecord, ViewerMessageState, ViewerSessionRecord,
    ViewerStore,
};

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
pub struct SettingsRecord {
    /// `nl`, `en`, `de`, or `None` to follow Outlook's display language.
    pub language: Option<String>,
    pub send_delay_seconds: i64,
}

/// The last directory document that loaded, kept so a restart works while the source is down.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectorySnapshot {
    pub json: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub loaded_at: i64,
}

/// Everything the server stores. Its own methods, like the traits it gathers but
/// [`PairingLookup`], have one implementation for both backends: the queries in [`shared`].
#[async_trait]
pub trait Store:
    PairingLookup
    + SessionStore
    + SignInStore
    + RouteStore
    + ViewerStore
    + AuditStore
    + KeyStore
    + Send
    + Sync
    + std::fmt::Debug
{
    /// Readiness: the database answers.
    async fn ping(&self) -> StoreResult<()>;

    async fn put_pairing(
        &self,
        owner: &Digest,
        recipient: &Digest,
        sealed_phone: &[u8],
        at: i64,
    ) -> StoreResult<()>;
    async fn get_pairing(&self, owner: &Digest, recipient: &Digest)
    -> StoreResult<Option<Vec<u8>>>;
    /// Returns whether there was one.
    async fn delete_pairing(&self, owner: &Digest, recipient: &Digest) -> StoreResult<bool>;

    async fn get_settings(&self, owner: &Digest) -> StoreResult<Option<SettingsRecord>>;
    async fn put_settings(
        &self,
        owner: &Digest,
        settings: &SettingsRecord,
        at: i64,
    ) -> StoreResult<()>;

    async fn load_directory(&self) -> StoreResult<Option<DirectorySnapshot>>;
    async fn save_directory(&self, snapshot: &DirectorySnapshot) -> StoreResult<()>;
}

/// Many pairings at once: the one query whose SQL differs per backend, so `sqlite.rs` and
/// `postgres.rs` each implement it. SQLite binds every recipient, at most 900 to a statement,
/// in one read transaction; PostgreSQL binds them as one array.
#[async_trait]
pub trait PairingLookup {
    /// The sealed phones of those `recipients` the owner has a pairing for, each once, in the
    /// order of the recipients' hashes.
    async fn get_pairings(
        &self,
        owner: &Digest,
        recipients: &[Digest],
    ) -> StoreResult<Vec<(Digest, Vec<u8>)>>;
}
