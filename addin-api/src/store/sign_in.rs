//! Signing in (SPEC §8): e-mail codes per mailbox and device, the devices that signed in
//! before, and the sliding-window rate limits every instance shares.

use async_trait::async_trait;

use super::{Digest, StoreResult};

/// A sign-in code as stored: only its keyed hash, never the digits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignInCodeRecord {
    pub mailbox_hash: Digest,
    /// SHA-256 of the device id the code was asked for.
    pub device_hash: Digest,
    /// Keyed hash of mailbox, device and code.
    pub code_hash: Digest,
    pub created_at: i64,
    pub expires_at: i64,
    /// Tries made on this code so far.
    pub attempts: i64,
}

/// At most `max` events in `bucket` in any `window` seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// A keyed hash of what is limited.
    pub bucket: Digest,
    pub window: i64,
    pub max: i64,
}

/// The longest window a [`RateLimit`] may have: events older than this are pruned.
pub const LONGEST_RATE_WINDOW: i64 = 2 * 24 * 3600;

/// One implementation for both backends: the queries in [`super::shared`].
#[async_trait]
pub trait SignInStore {
    /// Stores `code` as the one live code of its mailbox and device, replacing that device's
    /// earlier one (never another device's), and prunes expired codes.
    async fn put_sign_in_code(&self, code: &SignInCodeRecord) -> StoreResult<()>;
    /// Counts one try on the device's code and returns it, the try counted, if it is live at
    /// `now` and had fewer than `max_attempts` tries. Counted before the code is compared, so
    /// concurrent guesses cannot exceed the limit.
    async fn claim_sign_in_attempt(
        &self,
        mailbox_hash: &Digest,
        device_hash: &Digest,
        now: i64,
        max_attempts: i64,
    ) -> StoreResult<Option<SignInCodeRecord>>;
    /// Removes the device's code if it is still `code_hash`; returns whether this call did,
    /// so of two concurrent sign-ins with one code only one succeeds.
    async fn consume_sign_in_code(
        &self,
        mailbox_hash: &Digest,
        device_hash: &Digest,
        code_hash: &Digest,
    ) -> StoreResult<bool>;
    /// Voids every pending code of a mailbox; returns how many there were.
    async fn delete_sign_in_codes_of(&self, mailbox_hash: &Digest) -> StoreResult<u64>;

    /// Notes that the device signed in to the mailbox at `at`.
    async fn note_known_device(
        &self,
        mailbox_hash: &Digest,
        device_hash: &Digest,
        at: i64,
    ) -> StoreResult<()>;
    /// Whether the device signed in to the mailbox after `since`.
    async fn is_known_device(
        &self,
        mailbox_hash: &Digest,
        device_hash: &Digest,
        since: i64,
    ) -> StoreResult<bool>;
    /// Forgets every device of a mailbox; returns how many there were.
    async fn forget_devices_of(&self, mailbox_hash: &Digest) -> StoreResult<u64>;

    /// Counts an event at `at` in every limit's bucket if each is under its `max`; otherwise
    /// counts nothing and returns when (Unix seconds) the limit that refused has room again.
    /// Never lets more through than a limit allows, also between instances on one database
    /// (of requests racing for the last place, both may be refused).
    async fn take_rate(&self, limits: &[RateLimit], at: i64) -> StoreResult<Option<i64>>;
    /// Like [`Self::take_rate`] without counting: `Some(when)` if a limit is already full.
    async fn rate_exceeded(&self, limits: &[RateLimit], at: i64) -> StoreResult<Option<i64>>;
    /// Counts an event at `at` in each bucket, whatever the limits.
    async fn record_rate(&self, buckets: &[Digest], at: i64) -> StoreResult<()>;
}
