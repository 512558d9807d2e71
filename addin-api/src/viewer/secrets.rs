//! A Viewer message's own key, and the secrets derived from it.
//!
//! The content is encrypted with AES-256-GCM under a random per-message key; the key is
//! sealed with the data key ([`crate::vault`]) and deleted with the content. The recipients'
//! link secrets, the withdraw secret and the forwarding password are HMAC-SHA-256 values of
//! that key: the store keeps only their SHA-256 (or nothing), and a retry of the same
//! message (Exchange resends after a 451) can send the very same links again.

use aes_gcm::{Aes256Gcm, KeyInit, aead::OsRng};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as BASE64URL};
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;

use crate::{
    store::Digest,
    vault::{open_with, seal_with, sha256},
};

/// Bytes of a link or withdraw secret: 160 bits, beyond guessing (SPEC: ≥ 128).
const SECRET_BYTES: usize = 20;
/// Letters and digits nobody confuses when reading them out or typing them over: no 0/O,
/// no 1/I. 32 of them, so each carries 5 bits.
const READABLE: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A message's own AES-256 key.
pub struct MessageKey([u8; 32]);

impl std::fmt::Debug for MessageKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MessageKey(<secret>)")
    }
}

impl MessageKey {
    pub fn generate() -> Self {
        Self(Aes256Gcm::generate_key(OsRng).into())
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        <[u8; 32]>::try_from(bytes).ok().map(Self)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// `nonce ‖ ciphertext`, bound to `context` (the message id).
    pub fn encrypt(&self, plaintext: &[u8], context: &[u8]) -> Vec<u8> {
        seal_with(&Aes256Gcm::new(&self.0.into()), plaintext, context)
    }

    pub fn decrypt(&self, sealed: &[u8], context: &[u8]) -> Option<Vec<u8>> {
        open_with(&Aes256Gcm::new(&self.0.into()), sealed, context)
    }

    /// The secret in the `position`-th Viewer recipient's "Bericht lezen" link.
    pub fn link_secret(&self, position: usize) -> String {
        BASE64URL.encode(&self.derive(&format!("link/{position}"))[..SECRET_BYTES])
    }

    /// The secret in the sender's withdraw link.
    pub fn withdraw_secret(&self) -> String {
        BASE64URL.encode(&self.derive("withdraw")[..SECRET_BYTES])
    }

    /// What a recipient must give, with the kenmerk, to forward the message: 12 readable
    /// characters (60 bits) in groups of four.
    pub fn forwarding_password(&self) -> String {
        readable_groups(&self.derive("forwarding-password")[..12])
    }

    fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(b"sendsecure/viewer/v1/");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

/// What the store keeps of a link or withdraw secret.
pub fn secret_hash(secret: &str) -> Digest {
    sha256(secret.as_bytes())
}

/// A new kenmerk: `SS-` and eight readable characters (40 random bits) in two groups, e.g.
/// `SS-7KQ4-M9XD`. Unique in the store; it is a reference, not a secret.
pub fn new_reference() -> String {
    let random: [u8; 8] = rand::rngs::OsRng.r#gen();
    format!("SS-{}", readable_groups(&random))
}

/// One readable character per byte (its low 5 bits), a dash after every four.
fn readable_groups(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 4);
    for (index, byte) in bytes.iter().enumerate() {
        if index > 0 && index % 4 == 0 {
            text.push('-');
        }
        text.push(char::from(READABLE[usize::from(byte & 0x1f)]));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_opens_only_with_its_key_and_context() {
        let key = MessageKey::generate();
        let sealed = key.encrypt(b"Subject: uitslag\r\n\r\nHb 8.1", b"msg-1");
        assert!(!sealed.windows(7).any(|w| w == b"uitslag"));
        assert_eq!(
            key.decrypt(&sealed, b"msg-1").as_deref(),
            Some(&b"Subject: uitslag\r\n\r\nHb 8.1"[..])
        );
        assert_eq!(key.decrypt(&sealed, b"msg-2"), None);
        assert_eq!(MessageKey::generate().decrypt(&sealed, b"msg-1"), None);
    }

    #[test]
    fn derived_secrets_are_stable_distinct_and_long_enough() {
        let key = MessageKey::generate();
        let again = MessageKey::from_bytes(key.as_bytes()).expect("32 bytes");
        assert_eq!(key.link_secret(0), again.link_secret(0));
        assert_eq!(key.forwarding_password(), again.forwarding_password());
        let secrets = [
            key.link_secret(0),
            key.link_secret(1),
            key.withdraw_secret(),
        ];
        assert_ne!(secrets[0], secrets[1]);
        assert_ne!(secrets[0], secrets[2]);
        for secret in &secrets {
            assert_eq!(BASE64URL.decode(secret).expect("base64url").len(), 20);
        }
        assert_ne!(key.link_secret(0), MessageKey::generate().link_secret(0));
    }

    #[test]
    fn passwords_and_references_are_readable() {
        let password = MessageKey::generate().forwarding_password();
        assert_eq!(password.len(), 14, "{password}");
        assert_eq!(password.matches('-').count(), 2, "{password}");
        let reference = new_reference();
        assert!(
            reference.starts_with("SS-") && reference.len() == 12,
            "{reference}"
        );
        for text in [&password, &reference] {
            assert!(
                !text.contains(['0', 'O', '1', 'I']),
                "no look-alikes: {text}"
            );
        }
        assert_ne!(new_reference(), new_reference());
    }
}
