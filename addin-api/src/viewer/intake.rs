//! Storing a message for its Viewer recipients (SPEC §14): the message as received (token
//! header removed) and its summary for the page ([`read::Readable`]) encrypted under a key of
//! its own, that key sealed with the data key, and per recipient only the hash of their link
//! secret and their sealed address and phone.
//!
//! Storing is idempotent per dispatch: when Exchange retries a message the relay answered
//! 451, the message stored the first time is found again, with the same key, so the same
//! links and password go out.

use std::{sync::Arc, time::Duration};

use addin_core::api::Language;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as BASE64URL};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use super::{
    read,
    secrets::{self, MessageKey},
};
use crate::{
    Error,
    clock::Clock,
    store::{Digest, Store, ViewerMessageRecord, ViewerRecipientRecord},
    vault::Vault,
};

/// A Viewer recipient as stored (sealed): who, where the access code goes, in what language,
/// and the sender's name the pages greet them with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewerRecipient {
    pub address: String,
    /// E.164; `None` when the access code goes by e-mail.
    pub phone: Option<String>,
    pub language: Language,
    /// "A. Jansen", as the message's `From` names the sender: kept here so the landing page,
    /// which anyone with the link sees, need not decrypt the message.
    #[serde(default)]
    pub sender_name: Option<String>,
}

/// What the notifications and the confirmation need of a stored message.
#[derive(Debug)]
pub struct StoredMessage {
    pub id: String,
    pub reference: String,
    pub forwarding_password: String,
    pub withdraw_secret: String,
    /// Unix seconds: the end of retention.
    pub expires_at: i64,
    /// The link secret of each recipient, in the order given.
    pub link_secrets: Vec<String>,
}

#[derive(Debug)]
pub struct Intake {
    store: Arc<dyn Store>,
    vault: Arc<Vault>,
    clock: Arc<dyn Clock>,
    retention: Duration,
}

impl Intake {
    pub fn new(
        store: Arc<dyn Store>,
        vault: Arc<Vault>,
        clock: Arc<dyn Clock>,
        retention: Duration,
    ) -> Self {
        Self {
            store,
            vault,
            clock,
            retention,
        }
    }

    /// Stores `message` (the raw MIME) of dispatch `token_id` for `recipients`, or finds what
    /// an earlier attempt of the same dispatch stored.
    pub async fn store(
        &self,
        token_id: &str,
        owner: &Digest,
        message: &[u8],
        recipients: &[ViewerRecipient],
    ) -> Result<StoredMessage, Error> {
        let summary = read::read(message)
            .and_then(|readable| serde_json::to_vec(&readable).ok())
            .ok_or_else(|| Error::internal("a Viewer message does not parse"))?;
        let mut id = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut id);
        let id = BASE64URL.encode(id);
        let key = MessageKey::generate();
        let now = self.clock.unix_now();
        let retention = i64::try_from(self.retention.as_secs()).unwrap_or(i64::MAX);
        let mut recipient_records = Vec::with_capacity(recipients.len());
        for (position, recipient) in recipients.iter().enumerate() {
            let link_hash = secrets::secret_hash(&key.link_secret(position));
            let json = serde_json::to_vec(recipient).map_err(|error| {
                Error::internal_from("cannot serialise a Viewer recipient", error)
            })?;
            recipient_records.push(ViewerRecipientRecord {
                link_hash,
                position: i64::try_from(position).unwrap_or(i64::MAX),
                sealed: self.vault.seal(&json, &link_hash),
            });
        }
        let record = ViewerMessageRecord {
            id: id.clone(),
            token_id: token_id.to_owned(),
            owner_hash: *owner,
            reference: secrets::new_reference(),
            withdraw_hash: secrets::secret_hash(&key.withdraw_secret()),
            sealed_key: self.vault.seal(key.as_bytes(), &key_context(&id)),
            content: key.encrypt(message, id.as_bytes()),
            summary: key.encrypt(&summary, &summary_context(&id)),
            created_at: now,
            expires_at: now.saturating_add(retention),
        };

        let stored = self
            .store
            .insert_viewer_message(&record, &recipient_records)
            .await?;
        let key = if stored.id == id {
            key
        } else {
            self.vault
                .open(&stored.sealed_key, &key_context(&stored.id))
                .and_then(|bytes| MessageKey::from_bytes(&bytes))
                .ok_or_else(|| {
                    Error::internal("a Viewer message's key does not open with the data key")
                })?
        };
        Ok(StoredMessage {
            link_secrets: (0..recipients.len())
                .map(|position| key.link_secret(position))
                .collect(),
            forwarding_password: key.forwarding_password(),
            withdraw_secret: key.withdraw_secret(),
            id: stored.id,
            reference: stored.reference,
            expires_at: stored.expires_at,
        })
    }
}

/// A sealed message key opens only for its own message.
pub(crate) fn key_context(message_id: &str) -> Vec<u8> {
    format!("viewer-key:{message_id}").into_bytes()
}

/// A summary decrypts only as its own message's summary (the content's context is the bare id).
pub(super) fn summary_context(message_id: &str) -> Vec<u8> {
    format!("viewer-summary:{message_id}").into_bytes()
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;
    use crate::{
        clock::ManualClock,
        dispatch::{AttachmentSummary, Dispatch, Dispatches},
        send_token::IssuedSendToken,
        store::SqliteStore,
    };

    const NOW: u64 = 1_800_000_000;
    const MESSAGE: &[u8] = b"Subject: Uitslag bloedonderzoek\r\n\r\nHb 8.1 mmol/l\r\n";

    async fn intake() -> (Intake, Arc<dyn Store>) {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory().await.expect("a store"));
        let vault = Arc::new(Vault::new(&[5; 32]));
        let clock = Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(NOW)));
        // The message belongs to a dispatch (a foreign key).
        Dispatches::new(Arc::clone(&store), Arc::clone(&vault), clock.clone())
            .record(
                &IssuedSendToken {
                    token: String::new(),
                    id: "jti-1".into(),
                    iat: 1,
                    expires_at: 2,
                },
                &[1; 32],
                &Dispatch {
                    sender: "a@huisartsen-oost.nl".into(),
                    signed_in: None,
                    recipients: Vec::new(),
                    attachments: AttachmentSummary {
                        count: 0,
                        files: 0,
                        total_size: 0,
                    },
                    english: false,
                },
            )
            .await
            .expect("a dispatch");
        let intake = Intake::new(
            Arc::clone(&store),
            vault,
            clock,
            Duration::from_secs(90 * 86_400),
        );
        (intake, store)
    }

    fn recipients() -> Vec<ViewerRecipient> {
        vec![
            ViewerRecipient {
                address: "m.bakker@example.com".into(),
                phone: Some("+31612345678".into()),
                language: Language::Nl,
                sender_name: Some("A. Jansen".into()),
            },
            ViewerRecipient {
                address: "j.smith@example.org".into(),
                phone: None,
                language: Language::Nl,
                sender_name: None,
            },
        ]
    }

    #[tokio::test]
    async fn a_message_is_stored_once_per_dispatch_with_stable_secrets() {
        let (intake, _) = intake().await;

        let first = intake
            .store("jti-1", &[1; 32], MESSAGE, &recipients())
            .await
            .expect("stored");
        let again = intake
            .store("jti-1", &[1; 32], MESSAGE, &recipients())
            .await
            .expect("found again");

        assert_eq!(first.id, again.id);
        assert_eq!(first.reference, again.reference);
        assert_eq!(first.link_secrets, again.link_secrets);
        assert_eq!(first.forwarding_password, again.forwarding_password);
        assert_eq!(first.withdraw_secret, again.withdraw_secret);
        assert_eq!(first.link_secrets.len(), 2);
        assert_ne!(first.link_secrets[0], first.link_secrets[1]);
        assert_eq!(first.expires_at, 1_800_000_000 + 90 * 86_400);
    }

    #[tokio::test]
    async fn the_store_holds_neither_content_nor_recipients_in_clear() {
        let (intake, store) = intake().await;
        intake
            .store("jti-1", &[1; 32], MESSAGE, &recipients())
            .await
            .expect("stored");

        let message = store
            .insert_viewer_message(
                &ViewerMessageRecord {
                    id: "other".into(),
                    token_id: "jti-1".into(),
                    owner_hash: [0; 32],
                    reference: "x".into(),
                    withdraw_hash: [0; 32],
                    sealed_key: Vec::new(),
                    content: Vec::new(),
                    summary: Vec::new(),
                    created_at: 0,
                    expires_at: 0,
                },
                &[],
            )
            .await
            .expect("the stored one comes back");
        for secret in [&b"Uitslag"[..], b"Hb 8.1"] {
            for (what, stored) in [("content", &message.content), ("summary", &message.summary)] {
                assert!(
                    !stored.windows(secret.len()).any(|w| w == secret),
                    "the {what} is encrypted"
                );
            }
        }
        assert!(!message.summary.is_empty(), "the page's summary is stored");
        assert_eq!(
            message.sealed_key.len(),
            1 + 4 + 12 + 32 + 16,
            "format, key id, nonce, key, tag"
        );
    }
}
