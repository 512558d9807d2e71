//! The compose item as the panel reads it from Outlook (SPEC §5.1), and the draft it becomes
//! for the API. Pure: the reading itself is `office.rs`'s.

use std::collections::{BTreeMap, BTreeSet};

use addin_core::draft::{Draft, DraftAttachment, DraftRecipient, Field};

/// What the panel read from the compose item (SPEC §5.1 without the typed phone numbers).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ItemSnapshot {
    /// From: the user's own mailbox, or a shared one of the organisation.
    pub sender: String,
    /// The signed-in user's own mailbox (`userProfile.emailAddress`); empty when Outlook
    /// does not say.
    pub user: String,
    pub to: Vec<DraftRecipient>,
    pub cc: Vec<DraftRecipient>,
    pub bcc: Vec<DraftRecipient>,
    pub subject: String,
    pub attachments: Vec<ItemAttachment>,
}

/// An attachment as Office.js reports it; `id` is what `removeAttachmentAsync` needs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ItemAttachment {
    pub id: String,
    pub name: String,
    pub size: u64,
    pub inline: bool,
    pub cloud: bool,
}

impl ItemSnapshot {
    /// The draft the API checks: this item plus the numbers typed in the panel for its
    /// recipients.
    pub fn draft(&self, phones: &BTreeMap<String, String>) -> Draft {
        let present = self.addresses();
        Draft {
            sender: self.sender.trim().to_owned(),
            to: self.to.clone(),
            cc: self.cc.clone(),
            bcc: self.bcc.clone(),
            subject: self.subject.clone(),
            attachments: self
                .attachments
                .iter()
                .map(|a| DraftAttachment {
                    name: a.name.clone(),
                    size: a.size,
                    inline: a.inline,
                })
                .collect(),
            phones: phones
                .iter()
                .filter(|(address, _)| present.contains(*address))
                .map(|(address, phone)| (address.clone(), phone.clone()))
                .collect(),
        }
    }

    /// The mailbox the panel signs in for, normalised as the storage contract wants it: the
    /// user's own, also when From is a shared mailbox — the server lets a session send as any
    /// mailbox of the organisation, and a shared mailbox cannot sign in under Entra ID. The
    /// sender only when Outlook does not say who the user is.
    pub fn mailbox(&self) -> String {
        if self.user.trim().is_empty() {
            normalise(&self.sender)
        } else {
            normalise(&self.user)
        }
    }

    /// Every recipient address, normalised.
    pub fn addresses(&self) -> BTreeSet<String> {
        [&self.to, &self.cc, &self.bcc]
            .into_iter()
            .flatten()
            .map(|r| normalise(&r.address))
            .collect()
    }

    pub fn field(&self, field: Field) -> &[DraftRecipient] {
        match field {
            Field::To => &self.to,
            Field::Cc => &self.cc,
            Field::Bcc => &self.bcc,
        }
    }
}

/// The canonical form of an address (addin-core's, as in verdicts and the storage keys: the
/// domain in IDNA ASCII form), or, for an address whose domain is not a mail domain, trimmed
/// with its ASCII letters lower-cased, as the send handler's `normalise` leaves it.
pub fn normalise(address: &str) -> String {
    addin_core::canonical::address_with(address, domain_to_ascii)
        .unwrap_or_else(|| address.trim().to_ascii_lowercase())
}

/// UTS #46 ToASCII by the browser's URL parser (see `addin_core::canonical` for why).
#[cfg(not(test))]
fn domain_to_ascii(domain: &str) -> Option<String> {
    if domain.is_ascii() {
        return Some(domain.to_owned());
    }
    web_sys::Url::new(&format!("http://{domain}/"))
        .ok()
        .map(|url| url.hostname())
}

/// The native unit tests have no browser: the server's IDNA, which the vectors hold equal
/// to the browser's (the browser tests use the real one).
#[cfg(test)]
fn domain_to_ascii(domain: &str) -> Option<String> {
    addin_core::canonical::domain_to_ascii(domain)
}
