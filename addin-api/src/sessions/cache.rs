//! Sessions read a moment ago, kept in memory so a busy panel's checks do not each cost a
//! database round trip (SPEC §11).
//!
//! An entry is trusted for [`FRESH_SECS`] after it was read from the store. A session ended on
//! this instance leaves the cache at once; one ended elsewhere (another instance, or an
//! admin's `sendsecure sessions revoke`, a process of its own) is refused everywhere within
//! those seconds, when the entry is read again.

use std::{collections::HashMap, sync::Mutex};

use addin_core::address::Address;

use crate::store::{Digest, SessionRecord};

/// How long a session read from the store is trusted: the most a revocation elsewhere waits.
pub const FRESH_SECS: i64 = 5;
/// Beyond this many sessions in use at once, stale entries go; the cache never grows further.
const MAX_ENTRIES: usize = 10_000;

/// A session as the store holds it, with its mailbox already opened.
#[derive(Clone, Debug)]
pub struct CachedSession {
    pub record: SessionRecord,
    pub mailbox: Address,
    /// Unix seconds when it was read from the store.
    read_at: i64,
}

impl CachedSession {
    pub fn new(record: SessionRecord, mailbox: Address, read_at: i64) -> Self {
        Self {
            record,
            mailbox,
            read_at,
        }
    }
}

#[derive(Debug, Default)]
pub struct SessionCache(Mutex<HashMap<Digest, CachedSession>>);

impl SessionCache {
    /// The session under `token_hash`, if it was read from the store less than
    /// [`FRESH_SECS`] ago.
    pub fn get(&self, token_hash: &Digest, now: i64) -> Option<CachedSession> {
        let entries = self.entries();
        entries
            .get(token_hash)
            .filter(|entry| now.saturating_sub(entry.read_at) < FRESH_SECS)
            .cloned()
    }

    /// Remembers a session just read from the store.
    pub fn insert(&self, session: CachedSession) {
        let now = session.read_at;
        let mut entries = self.entries();
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, entry| now.saturating_sub(entry.read_at) < FRESH_SECS);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(session.record.token_hash, session);
    }

    /// Records a use written to the store, so the entry does not ask for another write.
    pub fn touched(&self, token_hash: &Digest, at: i64) {
        if let Some(entry) = self.entries().get_mut(token_hash) {
            entry.record.last_used_at = at;
        }
    }

    pub fn remove(&self, token_hash: &Digest) {
        self.entries().remove(token_hash);
    }

    /// Forgets every session: after an ending that names no single token.
    pub fn clear(&self) {
        self.entries().clear();
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<Digest, CachedSession>> {
        // A panic while holding the lock leaves a map that is still consistent.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
