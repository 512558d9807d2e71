//! The data key: seals patient data at rest and makes the lookup keys the store indexes on.
//!
//! Two sub-keys are derived from the configured 256-bit key with HKDF-SHA-256, so sealing and
//! hashing never share key material:
//! * sealing: AES-256-GCM with a random 96-bit nonce per value, stored as `nonce ‖ ciphertext`.
//!   The row's lookup keys go in as associated data, so a sealed value copied into another
//!   row (another user's, another recipient's) fails to open.
//! * lookup keys: HMAC-SHA-256 over a purpose label and the normalised value, so equal
//!   addresses find each other while the database holds no address in clear.

use std::{fs, io::Write, path::Path};

use aes_gcm::{
    Aes256Gcm, KeyInit, Nonce,
    aead::{Aead, AeadCore, OsRng, Payload},
};
use base64::{Engine, engine::general_purpose::STANDARD as BASE64};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest as _, Sha256};

use crate::{Error, store::Digest};

const NONCE_LEN: usize = 12;
/// The file a development key is generated into when none is configured.
pub const GENERATED_KEY_FILE: &str = "data-key";

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
        }
    }
}

pub struct Vault {
    cipher: Aes256Gcm,
    lookup_key: [u8; 32],
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(<key>)")
    }
}

/// Where the data key came from, for the start-up log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyOrigin {
    Configured,
    /// Read from, or just generated into, the data directory: fine for development, but in
    /// production the key belongs in configuration, apart from the data it protects.
    DataDir {
        generated: bool,
    },
}

impl Vault {
    pub fn new(key: &[u8; 32]) -> Self {
        let hkdf = Hkdf::<Sha256>::new(Some(b"sendsecure/vault/v1"), key);
        let mut seal_key = [0u8; 32];
        let mut lookup_key = [0u8; 32];
        // 32-byte outputs are always within HKDF-SHA-256's limit.
        let _ = hkdf.expand(b"seal", &mut seal_key);
        let _ = hkdf.expand(b"lookup", &mut lookup_key);
        Self {
            cipher: Aes256Gcm::new(&seal_key.into()),
            lookup_key,
        }
    }

    /// The configured key (base64 of 32 bytes), or else the one in the data directory,
    /// generated there on first start.
    pub fn load(
        configured: Option<&SecretString>,
        data_dir: &Path,
    ) -> Result<(Self, KeyOrigin), Error> {
        if let Some(encoded) = configured {
            return Ok((
                Self::new(&decode_key(encoded.expose_secret())?),
                KeyOrigin::Configured,
            ));
        }
        let path = data_dir.join(GENERATED_KEY_FILE);
        match fs::read_to_string(&path) {
            Ok(encoded) => Ok((
                Self::new(&decode_key(&encoded)?),
                KeyOrigin::DataDir { generated: false },
            )),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let key: [u8; 32] = Aes256Gcm::generate_key(OsRng).into();
                write_private(&path, BASE64.encode(key).as_bytes()).map_err(|source| {
                    Error::DataDir {
                        path: path.clone(),
                        source,
                    }
                })?;
                Ok((Self::new(&key), KeyOrigin::DataDir { generated: true }))
            }
            Err(source) => Err(Error::DataDir { path, source }),
        }
    }

    /// Encrypts `plaintext`, bound to `context` (the row's lookup keys).
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Vec<u8> {
        seal_with(&self.cipher, plaintext, context)
    }

    /// Decrypts what [`Vault::seal`] made with the same context; `None` when the key, the
    /// context or the bytes are not the ones it was sealed with.
    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Option<Vec<u8>> {
        open_with(&self.cipher, sealed, context)
    }

    /// The keyed hash of a normalised value.
    pub fn lookup(&self, purpose: Purpose, normalised: &str) -> Digest {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.lookup_key)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(purpose.label());
        mac.update(&[0]);
        mac.update(normalised.as_bytes());
        mac.finalize().into_bytes().into()
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

fn decode_key(encoded: &str) -> Result<[u8; 32], Error> {
    BASE64
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .ok_or(Error::InvalidConfig {
            key: "data_key",
            problem: "must be 32 bytes in base64 (generate one with `openssl rand -base64 32`)"
                .into(),
        })
}

/// Writes a secret file readable by its owner only.
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault(byte: u8) -> Vault {
        Vault::new(&[byte; 32])
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

    #[test]
    fn a_missing_key_is_generated_once_into_the_data_dir() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (first, origin) = Vault::load(None, dir.path()).expect("generates");
        assert_eq!(origin, KeyOrigin::DataDir { generated: true });
        let (second, origin) = Vault::load(None, dir.path()).expect("reads back");
        assert_eq!(origin, KeyOrigin::DataDir { generated: false });
        let sealed = first.seal(b"x", b"");
        assert_eq!(second.open(&sealed, b"").as_deref(), Some(&b"x"[..]));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(GENERATED_KEY_FILE))
                .expect("exists")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_configured_key_must_be_32_bytes_of_base64() {
        let dir = tempfile::tempdir().expect("temp dir");
        let good = SecretString::from(BASE64.encode([7u8; 32]));
        assert_eq!(
            Vault::load(Some(&good), dir.path()).expect("valid").1,
            KeyOrigin::Configured
        );
        for bad in ["", "not base64!", &BASE64.encode([7u8; 16])] {
            let bad = SecretString::from(bad.to_string());
            assert!(matches!(
                Vault::load(Some(&bad), dir.path()),
                Err(Error::InvalidConfig {
                    key: "data_key",
                    ..
                })
            ));
        }
        assert!(
            !dir.path().join(GENERATED_KEY_FILE).exists(),
            "nothing generated when configured"
        );
    }
}
