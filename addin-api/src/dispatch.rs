//! The dispatch (SPEC §7): what was checked before a send token was issued — the sender, each
//! recipient's address, field, route and phone, the attachments — kept in the store under the
//! token's `jti`, sealed with the data key. The relay (SPEC §13) reads it to know what the
//! mail may do; with the signed token it is the NTA 7516 proof of what was checked.

use std::{sync::Arc, time::Duration};

use addin_core::{
    address::Address,
    draft::Field,
    finding::FindingCode,
    verdict::{PhoneStatus, Route, Verdict},
};
use serde::{Deserialize, Serialize};

use crate::{
    Error,
    clock::Clock,
    send_token::IssuedSendToken,
    store::{Digest, DispatchClaim, DispatchRecord, DispatchState, Store, StoredDispatch},
    vault::{Vault, sha256},
};

/// A delivery that has not finished after this long is presumed dead (the process stopped
/// half-way), so Exchange's retry may take it over. Far above what one delivery takes: a
/// few SMTP exchanges, each with its own timeout.
const DELIVERY_LEASE: Duration = Duration::from_secs(10 * 60);

/// What was checked. Addresses are normalised (SPEC §5.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dispatch {
    /// As whom: the mail's `From`, the signed-in mailbox or a shared one of the organisation.
    pub sender: String,
    /// Who: the mailbox whose session asked for the token. Absent in dispatches recorded
    /// before shared mailboxes, which were always the sender's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_in: Option<String>,
    pub recipients: Vec<DispatchRecipient>,
    pub attachments: AttachmentSummary,
    /// The subject asked for English (`(EN)`) and a Viewer recipient will be notified.
    pub english: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DispatchRecipient {
    pub address: String,
    pub field: Field,
    pub route: Route,
    /// E.164, for the Viewer's SMS access code; absent when the code goes by e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentSummary {
    pub count: usize,
    /// Attachments that travel inside the mail: cloud attachments are links of size 0
    /// (SPEC §5.5) and are not MIME parts, so the relay counts only these.
    pub files: usize,
    pub total_size: u64,
}

impl Dispatch {
    /// The dispatch of a verdict that allows secure sending, asked for by `signed_in`.
    pub fn of(verdict: &Verdict, signed_in: &Address) -> Self {
        Self {
            sender: verdict.sender.address.clone(),
            signed_in: Some(signed_in.as_str().to_owned()),
            recipients: verdict
                .recipients
                .iter()
                .map(|recipient| DispatchRecipient {
                    address: recipient.address.clone(),
                    field: recipient.field,
                    route: recipient.route,
                    phone: recipient
                        .phone_number
                        .clone()
                        .filter(|_| recipient.phone == PhoneStatus::Given),
                })
                .collect(),
            attachments: AttachmentSummary {
                count: verdict.attachments.count,
                files: verdict
                    .attachments
                    .items
                    .iter()
                    .filter(|item| item.size > 0)
                    .count(),
                total_size: verdict.attachments.total_size,
            },
            english: verdict
                .findings
                .iter()
                .any(|finding| finding.code == FindingCode::ViewerLanguageEn),
        }
    }

    /// Whether `mail_from`, the relay's envelope sender, is one the token was issued for: the
    /// `From` (Send As), or the signed-in delegate (Exchange may put the delegate in the
    /// envelope when sending on behalf of a shared mailbox).
    pub fn sent_by(&self, mail_from: &Address) -> bool {
        mail_from.as_str() == self.sender || self.signed_in.as_deref() == Some(mail_from.as_str())
    }

    /// The recipient with this normalised address.
    pub fn recipient(&self, address: &str) -> Option<&DispatchRecipient> {
        self.recipients.iter().find(|r| r.address == address)
    }
}

/// A dispatch as the relay finds it.
#[derive(Clone, Debug)]
pub struct Found {
    pub dispatch: Dispatch,
    pub owner_hash: Digest,
    pub issued_at: i64,
}

#[derive(Debug)]
pub struct Dispatches {
    store: Arc<dyn Store>,
    vault: Arc<Vault>,
    clock: Arc<dyn Clock>,
}

impl Dispatches {
    pub fn new(store: Arc<dyn Store>, vault: Arc<Vault>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            vault,
            clock,
        }
    }

    /// Stores what `token` was issued for.
    pub async fn record(
        &self,
        token: &IssuedSendToken,
        owner: &Digest,
        dispatch: &Dispatch,
    ) -> Result<(), Error> {
        self.insert(&token.id, token.iat, owner, dispatch).await
    }

    /// Stores the dispatch of a message forwarded from the Viewer (no send token: the
    /// forward is made here); returns its id.
    pub async fn record_forward(
        &self,
        owner: &Digest,
        dispatch: &Dispatch,
    ) -> Result<String, Error> {
        let mut id = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut id);
        let id = format!(
            "forward-{}",
            base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, id)
        );
        self.insert(&id, self.clock.unix_now(), owner, dispatch)
            .await?;
        Ok(id)
    }

    async fn insert(
        &self,
        token_id: &str,
        issued_at: i64,
        owner: &Digest,
        dispatch: &Dispatch,
    ) -> Result<(), Error> {
        let json = serde_json::to_vec(dispatch)
            .map_err(|error| Error::internal_from("cannot serialise a dispatch", error))?;
        let record = DispatchRecord {
            token_id: token_id.to_owned(),
            owner_hash: *owner,
            sealed: self.vault.seal(&json, &context(token_id)),
            issued_at,
        };
        Ok(self.store.insert_dispatch(&record).await?)
    }

    /// The dispatch of a token, opened.
    pub async fn find(&self, token_id: &str) -> Result<Option<Found>, Error> {
        let Some(stored) = self.store.find_dispatch(token_id).await? else {
            return Ok(None);
        };
        self.open(stored).map(Some)
    }

    fn open(&self, stored: StoredDispatch) -> Result<Found, Error> {
        let record = stored.record;
        let dispatch = self
            .vault
            .open(&record.sealed, &context(&record.token_id))
            .and_then(|json| serde_json::from_slice(&json).ok())
            .ok_or_else(|| Error::internal("a dispatch does not open with the data key"))?;
        Ok(Found {
            dispatch,
            owner_hash: record.owner_hash,
            issued_at: record.issued_at,
        })
    }

    /// Ties the token to the message with this Message-ID and starts its delivery (see
    /// [`Store::claim_dispatch`]).
    pub async fn claim(&self, token_id: &str, message_id: &str) -> Result<DispatchClaim, Error> {
        let now = self.clock.unix_now();
        let lease = i64::try_from(DELIVERY_LEASE.as_secs()).unwrap_or(i64::MAX);
        Ok(self
            .store
            .claim_dispatch(
                token_id,
                &message_hash(message_id),
                now,
                now.saturating_sub(lease),
            )
            .await?)
    }

    /// The parts of the token's message already handed to the next hop.
    pub async fn handovers(&self, token_id: &str) -> Result<Vec<String>, Error> {
        Ok(self.store.handovers(token_id).await?)
    }

    pub async fn handed_over(&self, token_id: &str, parts: &[String]) -> Result<(), Error> {
        Ok(self
            .store
            .record_handovers(token_id, parts, self.clock.unix_now())
            .await?)
    }

    pub async fn finish(&self, token_id: &str, delivered: bool) -> Result<(), Error> {
        let state = if delivered {
            DispatchState::Delivered
        } else {
            DispatchState::Failed
        };
        Ok(self
            .store
            .finish_dispatch(token_id, state, self.clock.unix_now())
            .await?)
    }
}

/// A sealed dispatch opens only under its own token id.
pub(crate) fn context(token_id: &str) -> Vec<u8> {
    format!("dispatch:{token_id}").into_bytes()
}

/// Message-IDs compare without the angle brackets and surrounding space that transports may
/// add or drop.
fn message_hash(message_id: &str) -> Digest {
    let id = message_id
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>');
    sha256(id.as_bytes())
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use addin_core::{
        finding::{Finding, Level},
        verdict::{AttachmentReport, AttachmentsReport, RecipientReport, SenderReport},
    };

    use super::*;
    use crate::{clock::ManualClock, store::SqliteStore};

    fn report(address: &str, field: Field, route: Route, phone: Option<&str>) -> RecipientReport {
        RecipientReport {
            address: address.into(),
            field,
            route,
            nta7516: false,
            phone: if phone.is_some() {
                PhoneStatus::Given
            } else {
                PhoneStatus::None
            },
            phone_number: phone.map(str::to_owned),
        }
    }

    fn verdict() -> Verdict {
        Verdict {
            can_send_secure: true,
            auto_send: false,
            sender: SenderReport {
                address: "a.jansen@huisartsen-oost.nl".into(),
                known: true,
                nta7516: true,
            },
            recipients: vec![
                report(
                    "patient@example.com",
                    Field::To,
                    Route::Viewer,
                    Some("+31612345678"),
                ),
                report("lab@ziekenhuis.nl", Field::Cc, Route::Community, None),
            ],
            attachments: AttachmentsReport {
                count: 2,
                total_size: 183_211,
                items: vec![
                    AttachmentReport {
                        name: "brief.pdf".into(),
                        size: 183_211,
                        share: 1.0,
                    },
                    AttachmentReport {
                        name: "scan (OneDrive)".into(),
                        size: 0,
                        share: 0.0,
                    },
                ],
            },
            findings: vec![Finding {
                level: Level::Info,
                code: FindingCode::ViewerLanguageEn,
                subject: None,
            }],
        }
    }

    fn signed_in() -> Address {
        Address::parse("a.jansen@huisartsen-oost.nl").expect("an address")
    }

    async fn dispatches() -> (Dispatches, Arc<ManualClock>) {
        let clock = Arc::new(ManualClock::new(
            UNIX_EPOCH + Duration::from_secs(1_800_000_000),
        ));
        let store = Arc::new(SqliteStore::in_memory().await.expect("a store"));
        let dispatches = Dispatches::new(store, Arc::new(Vault::new(&[3; 32])), clock.clone());
        (dispatches, clock)
    }

    fn token(id: &str) -> IssuedSendToken {
        IssuedSendToken {
            token: "header.payload.signature".into(),
            id: id.into(),
            iat: 1_800_000_000,
            expires_at: 1_800_000_900,
        }
    }

    #[test]
    fn a_dispatch_keeps_what_the_relay_needs() {
        let dispatch = Dispatch::of(&verdict(), &signed_in());
        assert_eq!(dispatch.sender, "a.jansen@huisartsen-oost.nl");
        assert_eq!(
            dispatch.recipients[0].phone.as_deref(),
            Some("+31612345678")
        );
        assert_eq!(dispatch.recipients[1].phone, None);
        assert_eq!(
            dispatch.attachments,
            AttachmentSummary {
                count: 2,
                files: 1,
                total_size: 183_211
            }
        );
        assert!(dispatch.english);
        assert_eq!(
            dispatch.recipient("lab@ziekenhuis.nl").map(|r| r.route),
            Some(Route::Community)
        );
        assert!(dispatch.recipient("someone@else.nl").is_none());
    }

    #[test]
    fn a_shared_mailbox_dispatch_knows_who_and_as_whom() {
        let mut verdict = verdict();
        verdict.sender.address = "praktijk@huisartsen-oost.nl".into();
        let dispatch = Dispatch::of(&verdict, &signed_in());
        assert_eq!(dispatch.sender, "praktijk@huisartsen-oost.nl");
        assert_eq!(
            dispatch.signed_in.as_deref(),
            Some("a.jansen@huisartsen-oost.nl")
        );
        let address = |raw| Address::parse(raw).expect("an address");
        assert!(dispatch.sent_by(&address("praktijk@huisartsen-oost.nl")));
        assert!(dispatch.sent_by(&address("a.jansen@huisartsen-oost.nl")));
        assert!(!dispatch.sent_by(&address("b.devries@huisartsen-oost.nl")));
    }

    #[tokio::test]
    async fn a_recorded_dispatch_opens_and_is_sealed() {
        let (dispatches, _) = dispatches().await;
        let dispatch = Dispatch::of(&verdict(), &signed_in());
        dispatches
            .record(&token("jti-1"), &[9; 32], &dispatch)
            .await
            .expect("recorded");

        let found = dispatches
            .find("jti-1")
            .await
            .expect("reads")
            .expect("found");
        assert_eq!(found.dispatch, dispatch);
        assert_eq!(found.owner_hash, [9; 32]);
        assert_eq!(found.issued_at, 1_800_000_000);
        assert!(dispatches.find("jti-2").await.expect("reads").is_none());

        let stored = dispatches
            .store
            .find_dispatch("jti-1")
            .await
            .expect("reads")
            .expect("found");
        let sealed = String::from_utf8_lossy(&stored.record.sealed);
        assert!(
            !sealed.contains("example.com") && !sealed.contains("3161"),
            "sealed"
        );
    }

    #[tokio::test]
    async fn a_token_serves_one_message_one_delivery_at_a_time() {
        let (dispatches, _) = dispatches().await;
        dispatches
            .record(
                &token("jti-1"),
                &[9; 32],
                &Dispatch::of(&verdict(), &signed_in()),
            )
            .await
            .expect("recorded");
        let claim = |id: &'static str| dispatches.claim("jti-1", id);

        assert_eq!(
            claim("<m1@x>").await.expect("claims"),
            DispatchClaim::Claimed
        );
        assert_eq!(
            claim("<m1@x>").await.expect("claims"),
            DispatchClaim::InProgress,
            "while the first delivery runs"
        );
        assert_eq!(
            claim("<m2@x>").await.expect("claims"),
            DispatchClaim::OtherMessage
        );
        dispatches.finish("jti-1", false).await.expect("fails");
        assert_eq!(
            claim(" m1@x ").await.expect("claims"),
            DispatchClaim::Claimed,
            "a failed delivery is retried by the same message, brackets or not"
        );
        dispatches.finish("jti-1", true).await.expect("delivered");
        assert_eq!(
            claim("<m1@x>").await.expect("claims"),
            DispatchClaim::Claimed,
            "delivered, the same message may come again (what is left of it is the relay's)"
        );
        assert_eq!(
            claim("<m2@x>").await.expect("claims"),
            DispatchClaim::OtherMessage
        );
        assert_eq!(
            dispatches.claim("nope", "<m1@x>").await.expect("claims"),
            DispatchClaim::Unknown
        );
    }

    #[tokio::test]
    async fn a_delivery_that_died_is_taken_over_after_its_lease() {
        let (dispatches, clock) = dispatches().await;
        dispatches
            .record(
                &token("jti-1"),
                &[9; 32],
                &Dispatch::of(&verdict(), &signed_in()),
            )
            .await
            .expect("recorded");
        assert_eq!(
            dispatches.claim("jti-1", "<m1@x>").await.expect("claims"),
            DispatchClaim::Claimed
        );
        clock.advance(DELIVERY_LEASE - Duration::from_secs(1));
        assert_eq!(
            dispatches.claim("jti-1", "<m1@x>").await.expect("claims"),
            DispatchClaim::InProgress
        );
        clock.advance(Duration::from_secs(1));
        assert_eq!(
            dispatches.claim("jti-1", "<m1@x>").await.expect("claims"),
            DispatchClaim::Claimed
        );
    }

    #[tokio::test]
    async fn handed_over_parts_are_remembered_once() {
        let (dispatches, _) = dispatches().await;
        dispatches
            .record(
                &token("jti-1"),
                &[9; 32],
                &Dispatch::of(&verdict(), &signed_in()),
            )
            .await
            .expect("recorded");
        for parts in [&["next-hop:1", "notification:0"][..], &["next-hop:1"]] {
            let parts: Vec<String> = parts.iter().map(|p| (*p).to_owned()).collect();
            dispatches
                .handed_over("jti-1", &parts)
                .await
                .expect("noted");
        }
        assert_eq!(
            dispatches.handovers("jti-1").await.expect("reads"),
            ["next-hop:1", "notification:0"]
        );
    }
}
