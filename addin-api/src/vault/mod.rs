//! The data key ring: seals patient data at rest, and holds the key the store's lookup keys
//! are made with.
//!
//! * The ring ([`ring`]) is one or more 256-bit data keys, newest first. HKDF-SHA-256 derives
//!   from each a sealing key and its key id (8 hex digits, safe to log), so sealing and hashing
//!   never share key material.
//! * Sealing: AES-256-GCM with a random 96-bit nonce per value, stored as
//!   `0x01 ‖ key id ‖ nonce ‖ ciphertext`, always with the newest key. Opening finds the key by
//!   its id; values sealed before key ids (`nonce ‖ ciphertext`) open by trying each key. The
//!   row's lookup keys go in as associated data, so a sealed value copied into another row
//!   (another user's, another recipient's) fails to open.
//! * Lookup keys: HMAC-SHA-256 over a purpose label and the normalised value, so equal
//!   addresses find each other while the database holds no address in clear. Their key is the
//!   database's *index key*, kept in the database sealed with the ring like any value. Its id
//!   is stored beside it: one id for every keyed hash, as they all share the key. It is made
//!   once, as the lookup key the data key derived before rings, so existing hashes stay
//!   valid; rotating the ring re-seals it but never changes it, because new hashes would need
//!   every address in clear ([`rotation`]).

mod ring;
pub mod rotation;

use std::fmt;

use aes_gcm::{
    Aes256Gcm, KeyInit, Nonce,
    aead::{Aead, AeadCore, OsRng, Payload},
};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::{Digest as _, Sha256};

pub use ring::{DataKeys, KeyOrigin, Missing, load_ring, write_private};

use crate::{
    Error,
    store::{Digest, Store, StoreError},
};

const NONCE_LEN: usize = 12;
/// The first byte of a value sealed with a key id; older values start with their nonce.
const FORMAT: u8 = 1;
const ID_LEN: usize = 4;
/// HKDF's salt for everything derived from a data key or the index key.
const SALT: &[u8] = b"sendsecure/vault/v1";

/// What a lookup key is for: the same address hashes differently as a mailbox and as a
/// recipient, so the tables cannot be joined on it.
#[derive(Clone, Copy, Debug)]
pub enum Purpose {
    Mailbox,
    Recipient,
    /// A sign-in code with the mailbox and device it was sent for: keyed, because eight
    /// digits behind a plain hash would fall to a brute force over a copy of the database.
    SignInCode,
    /// A Viewer access code with the link and browser it was sent for: keyed, for the same
    /// reason.
    ViewerCode,
    /// What a rate limit counts (a mailbox, a device, a client network): keyed, so the
    /// database holds no client address and no mailbox in a form that can be tried.
    RateLimit,
    /// An Entra ID account (tenant and object id): the owner of its saved numbers.
    EntraAccount,
    /// A client's network in the audit trail: attempts from one network find each other.
    ClientNetwork,
    /// A link of the audit trail's hash chain: keyed, so whoever can write the database
    /// cannot forge the chain after editing a record.
    AuditChain,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Self::Mailbox => b"mailbox",
            Self::Recipient => b"recipient",
            Self::SignInCode => b"sign-in-code",
            Self::ViewerCode => b"viewer-code",
            Self::RateLimit => b"rate-limit",
            Self::EntraAccount => b"entra-account",
            Self::ClientNetwork => b"client-network",
            Self::AuditChain => b"audit-chain",
        }
    }
}

/// A key's id: 4 bytes derived from it, shown as 8 hex digits. It tells keys apart in the log
/// and in `sendsecure keys status`, and gives nothing of the key away.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId([u8; ID_LEN]);

impl KeyId {
    fn of(key: &[u8; 32]) -> Self {
        let mut id = [0u8; ID_LEN];
        derive(key, b"key-id", &mut id);
        Self(id)
    }

    /// The id a value sealed with one says it was sealed with, unchecked.
    fn of_sealed(sealed: &[u8]) -> Option<Self> {
        split_id(sealed).map(|(id, _)| id)
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// HKDF-SHA-256 of `key` under `label`.
fn derive(key: &[u8; 32], label: &[u8], out: &mut [u8]) {
    // Outputs of at most 32 bytes are always within HKDF-SHA-256's limit.
    let _ = Hkdf::<Sha256>::new(Some(SALT), key).expand(label, out);
}

/// A data key of the ring.
struct RingKey {
    id: KeyId,
    cipher: Aes256Gcm,
    /// The lookup key this data key derived before the index key was stored: a database's
    /// first index key, so that the hashes made before stay valid.
    derived_index_key: [u8; 32],
}

impl RingKey {
    fn new(key: &[u8; 32]) -> Self {
        let mut seal_key = [0u8; 32];
        let mut derived_index_key = [0u8; 32];
        derive(key, b"seal", &mut seal_key);
        derive(key, b"lookup", &mut derived_index_key);
        Self {
            id: KeyId::of(key),
            cipher: Aes256Gcm::new(&seal_key.into()),
            derived_index_key,
        }
    }

    fn open(&self, sealed: &[u8], context: &[u8]) -> Option<Opened> {
        let opened = |plaintext, legacy| Opened {
            key: self.id,
            legacy,
            plaintext,
        };
        split_id(sealed)
            .filter(|(id, _)| *id == self.id)
            .and_then(|(_, body)| open_with(&self.cipher, body, context))
            .map(|plaintext| opened(plaintext, false))
            // Sealed before key ids. Such a value may start like the above by chance, so it
            // is tried this way whenever that fails.
            .or_else(|| open_with(&self.cipher, sealed, context).map(|p| opened(p, true)))
    }
}

/// The data keys, newest first: the newest seals, any opens.
struct Ring {
    newest: RingKey,
    older: Vec<RingKey>,
}

impl Ring {
    fn new(keys: &[[u8; 32]]) -> Option<Self> {
        let (newest, older) = keys.split_first()?;
        Some(Self {
            newest: RingKey::new(newest),
            older: older.iter().map(RingKey::new).collect(),
        })
    }

    /// Newest first.
    fn keys(&self) -> impl DoubleEndedIterator<Item = &RingKey> {
        std::iter::once(&self.newest).chain(&self.older)
    }

    fn seal(&self, plaintext: &[u8], context: &[u8]) -> Vec<u8> {
        let mut sealed = vec![FORMAT];
        sealed.extend_from_slice(&self.newest.id.0);
        sealed.extend(seal_with(&self.newest.cipher, plaintext, context));
        sealed
    }

    fn open(&self, sealed: &[u8], context: &[u8]) -> Option<Opened> {
        self.keys().find_map(|key| key.open(sealed, context))
    }
}

/// `0x01 ‖ key id ‖ rest` split, when `sealed` has that form.
fn split_id(sealed: &[u8]) -> Option<(KeyId, &[u8])> {
    let (&FORMAT, rest) = sealed.split_first()? else {
        return None;
    };
    let (id, body) = rest.split_first_chunk::<ID_LEN>()?;
    Some((KeyId(*id), body))
}

/// A sealed value opened, and which key opened it.
#[derive(Debug)]
struct Opened {
    key: KeyId,
    /// Sealed before key ids: `nonce ‖ ciphertext`.
    legacy: bool,
    plaintext: Vec<u8>,
}

/// The key every lookup key is made with.
struct IndexKey {
    id: KeyId,
    key: [u8; 32],
}

impl IndexKey {
    fn new(key: [u8; 32]) -> Self {
        Self {
            id: KeyId::of(&key),
            key,
        }
    }
}

/// The index key opens only as the index key with its id.
fn index_key_context(key_id: &str) -> Vec<u8> {
    format!("index-key:{key_id}").into_bytes()
}

pub struct Vault {
    ring: Ring,
    index: IndexKey,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Vault(<keys>)")
    }
}

impl Vault {
    /// A ring of one key, with the index key a database's first start derives from it: for
    /// tests and tools that make a server's values without going through its database.
    pub fn new(key: &[u8; 32]) -> Self {
        let key = RingKey::new(key);
        let index = IndexKey::new(key.derived_index_key);
        Self {
            ring: Ring {
                newest: key,
                older: Vec::new(),
            },
            index,
        }
    }

    /// The ring's `keys` (newest first) with the database's index key, which its first start
    /// stores.
    pub async fn load(keys: &[[u8; 32]], store: &dyn Store) -> Result<Self, Error> {
        let ring = Ring::new(keys).ok_or_else(|| Error::InvalidConfig {
            key: "the data key ring",
            problem: "holds no key".into(),
        })?;
        let (key_id, sealed) = match store.index_key().await? {
            Some(stored) => stored,
            None => {
                let first = IndexKey::new(rotation::hashes_made_with(&ring, store).await?);
                let key_id = first.id.to_string();
                let sealed = ring.seal(&first.key, &index_key_context(&key_id));
                // An instance starting at the same time stores the same key (sealed with
                // another nonce): both derive it from the same ring and data. One wins.
                store.init_index_key(&key_id, &sealed).await?
            }
        };
        let opened = ring
            .open(&sealed, &index_key_context(&key_id))
            .ok_or_else(|| Error::InvalidConfig {
                key: "the data key ring",
                problem: format!(
                    "holds no key that opens the database's index key{}: give the keys the \
                     database was last used with",
                    KeyId::of_sealed(&sealed)
                        .map(|id| format!(" (sealed with {id})"))
                        .unwrap_or_default()
                ),
            })?;
        let key = <[u8; 32]>::try_from(opened.plaintext)
            .map_err(|_| StoreError::Corrupt("index_key.sealed"))?;
        let index = IndexKey::new(key);
        if index.id.to_string() != key_id {
            return Err(StoreError::Corrupt("index_key.key_id").into());
        }
        Ok(Self { ring, index })
    }

    /// Encrypts `plaintext` with the newest key, bound to `context` (the row's lookup keys).
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Vec<u8> {
        self.ring.seal(plaintext, context)
    }

    /// Decrypts what [`Vault::seal`] made with the same context, with whichever key of the
    /// ring sealed it; `None` when no key of the ring, the context or the bytes fit.
    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Option<Vec<u8>> {
        self.ring
            .open(sealed, context)
            .map(|opened| opened.plaintext)
    }

    /// The keyed hash of a normalised value, made with the index key.
    pub fn lookup(&self, purpose: Purpose, normalised: &str) -> Digest {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.index.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(purpose.label());
        mac.update(&[0]);
        mac.update(normalised.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The ring's key ids, newest (the one that seals) first.
    pub fn key_ids(&self) -> Vec<KeyId> {
        self.ring.keys().map(|key| key.id).collect()
    }

    /// The id of the key every lookup key is made with.
    pub fn index_key_id(&self) -> KeyId {
        self.index.id
    }
}

/// AES-256-GCM with a random 96-bit nonce: `nonce ‖ ciphertext`, bound to `context`.
pub(crate) fn seal_with(cipher: &Aes256Gcm, plaintext: &[u8], context: &[u8]) -> Vec<u8> {
    let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
    let mut sealed = nonce.to_vec();
    // Encryption only fails for inputs beyond AES-GCM's 64 GiB limit.
    if let Ok(ciphertext) = cipher.encrypt(
        &nonce,
        Payload {
            msg: plaintext,
            aad: context,
        },
    ) {
        sealed.extend(ciphertext);
    }
    sealed
}

/// What [`seal_with`] made, opened; `None` when key, context or bytes do not fit.
pub(crate) fn open_with(cipher: &Aes256Gcm, sealed: &[u8], context: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() <= NONCE_LEN {
        return None;
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    cipher
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: context,
            },
        )
        .ok()
}

/// SHA-256, for values that are already high-entropy secrets (session tokens, device ids).
pub fn sha256(bytes: &[u8]) -> Digest {
    Sha256::digest(bytes).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{KeyStore, SessionRecord, SessionStore, SqliteStore, StoreResult};

    fn vault(byte: u8) -> Vault {
        Vault::new(&[byte; 32])
    }

    /// A ring of `keys` (newest first) whose index key is derived from `index_from`, as a
    /// database first started with that key stores it.
    fn ring_vault(keys: &[[u8; 32]], index_from: [u8; 32]) -> Vault {
        Vault {
            ring: Ring::new(keys).expect("a key"),
            index: IndexKey::new(RingKey::new(&index_from).derived_index_key),
        }
    }

    /// What the vault sealed before key ids: `nonce ‖ ciphertext` with the key's sealing key.
    fn legacy_seal(key: &[u8; 32], plaintext: &[u8], context: &[u8]) -> Vec<u8> {
        seal_with(&RingKey::new(key).cipher, plaintext, context)
    }

    #[test]
    fn sealed_values_open_only_with_the_same_key_and_context() {
        let sealed = vault(1).seal(b"+31612345678", b"row-a");
        assert!(
            !sealed.windows(12).any(|w| w == b"+31612345678"),
            "ciphertext hides the value"
        );
        assert_eq!(
            vault(1).open(&sealed, b"row-a").as_deref(),
            Some(&b"+31612345678"[..])
        );
        assert_eq!(
            vault(1).open(&sealed, b"row-b"),
            None,
            "moved to another row"
        );
        assert_eq!(vault(2).open(&sealed, b"row-a"), None, "another key");
        assert_eq!(vault(1).open(&sealed[..10], b"row-a"), None, "truncated");
    }

    #[test]
    fn each_seal_uses_a_fresh_nonce() {
        assert_ne!(vault(1).seal(b"same", b""), vault(1).seal(b"same", b""));
    }

    #[test]
    fn a_sealed_value_names_the_newest_key_and_opens_by_its_id() {
        let (a, b) = ([1; 32], [2; 32]);
        let old = Vault::new(&a);
        let rotated = ring_vault(&[b, a], a);
        let under_a = old.seal(b"x", b"ctx");
        let under_b = rotated.seal(b"y", b"ctx");

        assert_eq!(under_b[0], FORMAT);
        assert_eq!(KeyId::of_sealed(&under_b), Some(KeyId::of(&b)));
        assert_eq!(KeyId::of_sealed(&under_a), Some(KeyId::of(&a)));
        assert_eq!(rotated.open(&under_a, b"ctx").as_deref(), Some(&b"x"[..]));
        assert_eq!(rotated.open(&under_b, b"ctx").as_deref(), Some(&b"y"[..]));
        let opened = rotated.ring.open(&under_a, b"ctx").expect("opens");
        assert_eq!((opened.key, opened.legacy), (KeyId::of(&a), false));
        assert_eq!(old.open(&under_b, b"ctx"), None, "a ring without B");
        assert_eq!(
            ring_vault(&[b], a).open(&under_a, b"ctx"),
            None,
            "A dropped"
        );
    }

    #[test]
    fn values_sealed_before_key_ids_open_with_any_key_of_the_ring() {
        let (a, b) = ([1; 32], [2; 32]);
        let rotated = ring_vault(&[b, a], a);
        let legacy = legacy_seal(&a, b"+31612345678", b"ctx");
        let opened = rotated.ring.open(&legacy, b"ctx").expect("opens");
        assert_eq!(opened.plaintext, b"+31612345678");
        assert_eq!((opened.key, opened.legacy), (KeyId::of(&a), true));
        assert_eq!(
            ring_vault(&[b], b).open(&legacy, b"ctx"),
            None,
            "without its key"
        );

        // A legacy nonce may start like a sealed value's header by chance: 0x01, B's id.
        let mut nonce = [0u8; NONCE_LEN];
        nonce[0] = FORMAT;
        nonce[1..5].copy_from_slice(&KeyId::of(&b).0);
        let ciphertext = RingKey::new(&a)
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: b"x",
                    aad: b"ctx",
                },
            )
            .expect("encrypts");
        let lookalike = [nonce.as_slice(), &ciphertext].concat();
        assert_eq!(rotated.open(&lookalike, b"ctx").as_deref(), Some(&b"x"[..]));
    }

    #[test]
    fn key_ids_are_stable_distinct_and_not_the_key() {
        let id = KeyId::of(&[7; 32]);
        assert_eq!(id, KeyId::of(&[7; 32]));
        assert_ne!(id, KeyId::of(&[8; 32]));
        let shown = id.to_string();
        assert_eq!(shown.len(), 8);
        assert!(shown.chars().all(|c| c.is_ascii_hexdigit()));
        // Pinned: ids are stored in the database and compared across versions.
        assert_eq!(KeyId::of(&[0; 32]).to_string(), "2d6b5268");
        assert_eq!(vault(7).key_ids(), vec![id]);
    }

    #[test]
    fn lookup_keys_are_stable_keyed_and_purpose_bound() {
        let address = "patient@example.com";
        assert_eq!(
            vault(1).lookup(Purpose::Recipient, address),
            vault(1).lookup(Purpose::Recipient, address)
        );
        assert_ne!(
            vault(1).lookup(Purpose::Recipient, address),
            vault(2).lookup(Purpose::Recipient, address)
        );
        assert_ne!(
            vault(1).lookup(Purpose::Recipient, address),
            vault(1).lookup(Purpose::Mailbox, address)
        );
    }

    async fn store() -> SqliteStore {
        SqliteStore::in_memory().await.expect("a store")
    }

    #[tokio::test]
    async fn a_new_database_keeps_the_index_key_the_one_key_derived() -> StoreResult<()> {
        let store = store().await;
        let address = "patient@example.com";
        let loaded = Vault::load(&[[1; 32]], &store).await.expect("loads");
        assert_eq!(
            loaded.lookup(Purpose::Recipient, address),
            vault(1).lookup(Purpose::Recipient, address),
            "the hashes made before index keys stay valid"
        );
        let (key_id, sealed) = store.index_key().await?.expect("stored");
        assert_eq!(key_id, loaded.index_key_id().to_string());
        assert_eq!(KeyId::of_sealed(&sealed), Some(KeyId::of(&[1; 32])));

        // With a new key in front, the same index key opens, under the old key.
        let rotated = Vault::load(&[[2; 32], [1; 32]], &store)
            .await
            .expect("loads");
        assert_eq!(rotated.index_key_id(), loaded.index_key_id());
        assert_eq!(
            rotated.lookup(Purpose::Recipient, address),
            loaded.lookup(Purpose::Recipient, address)
        );
        assert_eq!(
            rotated.key_ids(),
            [KeyId::of(&[2; 32]), KeyId::of(&[1; 32])]
        );
        Ok(())
    }

    #[tokio::test]
    async fn a_ring_without_the_index_keys_key_is_refused() {
        let store = store().await;
        Vault::load(&[[1; 32]], &store).await.expect("loads");
        let error = Vault::load(&[[2; 32]], &store)
            .await
            .expect_err("the index key is sealed with key 1");
        let Error::InvalidConfig { problem, .. } = &error else {
            panic!("unexpected error: {error:?}");
        };
        assert!(
            problem.contains(&KeyId::of(&[1; 32]).to_string()),
            "names the key it needs: {problem}"
        );
    }

    #[tokio::test]
    async fn an_existing_database_keeps_the_hashes_of_the_key_that_sealed_its_values() {
        let store = store().await;
        let (a, b) = ([1; 32], [2; 32]);
        // A session written before index keys: sealed the legacy way with key A.
        let token_hash = [9; 32];
        SessionStore::insert_session(
            &store,
            &SessionRecord {
                token_hash,
                device_hash: [8; 32],
                mailbox_hash: vault(1).lookup(Purpose::Mailbox, "a@b.nl"),
                owner_hash: vault(1).lookup(Purpose::Mailbox, "a@b.nl"),
                mailbox_sealed: legacy_seal(&a, b"a@b.nl", &token_hash),
                method: "email-code".into(),
                created_at: 1,
                last_used_at: 1,
                validated_at: 1,
            },
        )
        .await
        .expect("stored");

        // First start after the upgrade, already with a newer key listed first and an
        // unrelated one listed last.
        let loaded = Vault::load(&[b, a, [3; 32]], &store).await.expect("loads");
        assert_eq!(
            loaded.lookup(Purpose::Mailbox, "a@b.nl"),
            vault(1).lookup(Purpose::Mailbox, "a@b.nl")
        );
    }
}
