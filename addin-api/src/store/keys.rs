//! What the data key ring needs of the store ([`crate::vault`]): the index key, and a walk
//! over every value sealed with the ring, to re-seal it with the newest key or count whose
//! key it is under.

use async_trait::async_trait;

use super::{Digest, StoreResult};

/// A column of values sealed with the data key ring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SealedColumn {
    IndexKey,
    /// The signed-in mailbox.
    Sessions,
    /// The saved phone number.
    Pairings,
    /// What a send token was issued for.
    Dispatches,
    /// A Viewer recipient's address, phone and language.
    ViewerRecipients,
    /// A Viewer message's own key (the content is encrypted with that key, not the ring).
    ViewerKeys,
}

impl SealedColumn {
    pub const ALL: [Self; 6] = [
        Self::IndexKey,
        Self::Sessions,
        Self::Pairings,
        Self::Dispatches,
        Self::ViewerRecipients,
        Self::ViewerKeys,
    ];

    /// How `sendsecure keys` names it.
    pub fn name(self) -> &'static str {
        match self {
            Self::IndexKey => "index key",
            Self::Sessions => "sessions",
            Self::Pairings => "pairings",
            Self::Dispatches => "dispatches",
            Self::ViewerRecipients => "viewer recipients",
            Self::ViewerKeys => "viewer keys",
        }
    }
}

/// The row of a sealed value: its primary key, which the value's sealing context is made of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SealedRow {
    IndexKey {
        key_id: String,
    },
    Session {
        token_hash: Digest,
    },
    Pairing {
        owner_hash: Digest,
        recipient_hash: Digest,
    },
    Dispatch {
        token_id: String,
    },
    ViewerRecipient {
        link_hash: Digest,
    },
    ViewerKey {
        message_id: String,
    },
}

impl SealedRow {
    pub fn column(&self) -> SealedColumn {
        match self {
            Self::IndexKey { .. } => SealedColumn::IndexKey,
            Self::Session { .. } => SealedColumn::Sessions,
            Self::Pairing { .. } => SealedColumn::Pairings,
            Self::Dispatch { .. } => SealedColumn::Dispatches,
            Self::ViewerRecipient { .. } => SealedColumn::ViewerRecipients,
            Self::ViewerKey { .. } => SealedColumn::ViewerKeys,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealedValue {
    pub row: SealedRow,
    pub sealed: Vec<u8>,
}

/// One implementation for both backends: the queries in [`super::shared`].
#[async_trait]
pub trait KeyStore {
    /// The index key's id and the key, sealed; `None` until the first start stores it.
    async fn index_key(&self) -> StoreResult<Option<(String, Vec<u8>)>>;
    /// Stores the index key unless there is one already (another instance started at the same
    /// moment); returns the one stored.
    async fn init_index_key(&self, key_id: &str, sealed: &[u8]) -> StoreResult<(String, Vec<u8>)>;
    /// Up to `limit` values of `column` in row order, after the row `after` (from the first
    /// row when `None`).
    async fn sealed_values(
        &self,
        column: SealedColumn,
        after: Option<&SealedRow>,
        limit: i64,
    ) -> StoreResult<Vec<SealedValue>>;
    /// Replaces each value with its new sealing where the row still holds the value read, in
    /// one transaction: a row a server changed or deleted meanwhile stays as the server left
    /// it. Returns how many were replaced.
    async fn reseal(&self, values: &[(SealedValue, Vec<u8>)]) -> StoreResult<u64>;
}
