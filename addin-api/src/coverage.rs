//! The send token's coverage digest, `cov` (SPEC §7): how the panel and the send handler tell
//! whether the token on a draft was issued for exactly this draft, without the token naming
//! anyone.
//!
//! `cov` is HMAC-SHA-256 over the checked sender, each recipient as `field:address` (sorted)
//! and the attachments' count and total size, keyed with the browser's device id. The panel
//! and the send handler hold that id (same-origin storage) and recompute the digest from the
//! draft in front of them; a recipient who reads the header lacks the key, so cannot test a
//! guess such as "was this patient in BCC?". The relay does not use `cov`: it checks the mail
//! against the sealed dispatch.
//!
//! The canonical text, one item per line, LF-separated:
//!
//! ```text
//! sendsecure-coverage-v1
//! sender:a.jansen@huisartsen-oost.nl
//! bcc:c@x.nl                    ← every unique recipient as field:address, sorted
//! to:b@y.nl
//! attachments:2:183211          ← count and total size in bytes
//! ```
//!
//! `tests/vectors/coverage.json` holds worked examples that this module's tests and the send
//! handler's tests both check.

use addin_core::verdict::Verdict;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as BASE64URL};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::sessions::DeviceId;

const VERSION_LINE: &str = "sendsecure-coverage-v1";

/// The digest of what `verdict` checked, keyed with `device`.
pub fn digest(device: &DeviceId, verdict: &Verdict) -> String {
    let recipients = verdict
        .recipients
        .iter()
        .map(|recipient| format!("{}:{}", recipient.field.as_str(), recipient.address));
    keyed(
        device.as_str(),
        &canonical(
            &verdict.sender.address,
            recipients,
            verdict.attachments.count,
            verdict.attachments.total_size,
        ),
    )
}

fn canonical(
    sender: &str,
    recipients: impl Iterator<Item = String>,
    attachment_count: usize,
    attachments_total: u64,
) -> String {
    let mut recipients: Vec<String> = recipients.collect();
    recipients.sort_unstable();
    let mut lines = vec![VERSION_LINE.to_owned(), format!("sender:{sender}")];
    lines.extend(recipients);
    lines.push(format!(
        "attachments:{attachment_count}:{attachments_total}"
    ));
    lines.join("\n")
}

fn keyed(key: &str, text: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(text.as_bytes());
    BASE64URL.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use addin_core::{
        draft::Field,
        verdict::{AttachmentsReport, PhoneStatus, RecipientReport, Route, SenderReport},
    };
    use serde::Deserialize;

    use super::*;

    /// One worked example of `tests/vectors/coverage.json`.
    #[derive(Debug, Deserialize)]
    struct Vector {
        device_id: String,
        sender: String,
        recipients: Vec<(Field, String)>,
        attachments: (usize, u64),
        canonical: String,
        digest: String,
    }

    fn vectors() -> Vec<Vector> {
        serde_json::from_str(include_str!("../../tests/vectors/coverage.json"))
            .expect("the coverage vectors parse")
    }

    fn verdict_of(vector: &Vector) -> Verdict {
        Verdict {
            can_send_secure: true,
            auto_send: false,
            sender: SenderReport {
                address: vector.sender.clone(),
                known: true,
                nta7516: false,
            },
            recipients: vector
                .recipients
                .iter()
                .map(|(field, address)| RecipientReport {
                    address: address.clone(),
                    field: *field,
                    route: Route::Community,
                    nta7516: false,
                    phone: PhoneStatus::None,
                    phone_number: None,
                })
                .collect(),
            attachments: AttachmentsReport {
                count: vector.attachments.0,
                total_size: vector.attachments.1,
                items: Vec::new(),
            },
            findings: Vec::new(),
        }
    }

    #[test]
    fn the_shared_vectors_hold() {
        let vectors = vectors();
        assert!(vectors.len() >= 3, "a few worked examples");
        for vector in &vectors {
            let verdict = verdict_of(vector);
            let text = canonical(
                &verdict.sender.address,
                verdict
                    .recipients
                    .iter()
                    .map(|r| format!("{}:{}", r.field.as_str(), r.address)),
                verdict.attachments.count,
                verdict.attachments.total_size,
            );
            assert_eq!(text, vector.canonical);
            let device = DeviceId::parse(&vector.device_id).expect("a valid device id");
            assert_eq!(digest(&device, &verdict), vector.digest);
        }
    }

    #[test]
    fn the_digest_changes_with_every_checked_item_and_the_key() {
        let vector = &vectors()[0];
        let device = DeviceId::parse(&vector.device_id).expect("a valid device id");
        let base = verdict_of(vector);
        let original = digest(&device, &base);

        let mut moved_field = base.clone();
        moved_field.recipients[0].field = Field::Bcc;
        let mut added = base.clone();
        added.recipients.push(added.recipients[0].clone());
        added.recipients[1].address = "someone.else@example.com".into();
        let mut bigger = base.clone();
        bigger.attachments.total_size += 1;
        let mut other_sender = base.clone();
        other_sender.sender.address = "b.devries@huisartsen-oost.nl".into();
        for changed in [moved_field, added, bigger, other_sender] {
            assert_ne!(digest(&device, &changed), original);
        }
        let other_device = DeviceId::parse("another-device-0123456789").expect("valid");
        assert_ne!(digest(&other_device, &base), original);
    }

    #[test]
    fn recipient_order_does_not_matter() {
        let vector = &vectors()[0];
        let device = DeviceId::parse(&vector.device_id).expect("a valid device id");
        let mut reversed = verdict_of(vector);
        reversed.recipients.reverse();
        assert_eq!(digest(&device, &reversed), vector.digest);
    }
}
