//! Sessions (SPEC §8): what a sign-in yields, stored by the SHA-256 of its token.

use async_trait::async_trait;

use super::{Digest, StoreResult};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    /// SHA-256 of the bearer token.
    pub token_hash: Digest,
    /// SHA-256 of the device id the session was issued to.
    pub device_hash: Digest,
    /// Keyed hash of the signed-in user's mailbox: what an admin revokes by.
    pub mailbox_hash: Digest,
    /// Keyed hash of whose saved numbers and settings these are: the mailbox for e-mail
    /// codes, the Entra ID account (tenant and object id) for Entra ID.
    pub owner_hash: Digest,
    /// The mailbox address, sealed.
    pub mailbox_sealed: Vec<u8>,
    /// `email-code` or `entra-id`.
    pub method: String,
    pub created_at: i64,
    pub last_used_at: i64,
    /// When the user last proved who they are (the code, or an Entra ID access token).
    pub validated_at: i64,
}

/// One implementation for both backends: the queries in [`super::shared`].
#[async_trait]
pub trait SessionStore {
    async fn insert_session(&self, session: &SessionRecord) -> StoreResult<()>;
    async fn find_session(&self, token_hash: &Digest) -> StoreResult<Option<SessionRecord>>;
    /// Slides the session's window (never back).
    async fn touch_session(&self, token_hash: &Digest, last_used_at: i64) -> StoreResult<()>;
    async fn delete_session(&self, token_hash: &Digest) -> StoreResult<()>;
    /// Ends every session of a mailbox; returns how many there were.
    async fn delete_sessions_of(&self, mailbox_hash: &Digest) -> StoreResult<u64>;
    /// The sessions of a mailbox, most recently used first.
    async fn list_sessions_of(&self, mailbox_hash: &Digest) -> StoreResult<Vec<SessionRecord>>;
    /// Ends every session signed in with another method than `method`; returns how many.
    async fn delete_sessions_not_of(&self, method: &str) -> StoreResult<u64>;
}
