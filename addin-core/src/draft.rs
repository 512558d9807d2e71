//! The draft a check runs on (SPEC §5.1): what the panel reads from Outlook, never the body.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    pub sender: String,
    #[serde(default)]
    pub to: Vec<DraftRecipient>,
    #[serde(default)]
    pub cc: Vec<DraftRecipient>,
    #[serde(default)]
    pub bcc: Vec<DraftRecipient>,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub attachments: Vec<DraftAttachment>,
    /// Recipient address (as typed) → phone number (as typed).
    #[serde(default)]
    pub phones: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftRecipient {
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default)]
    pub kind: RecipientKind,
}

/// What Office.js reports a recipient to be.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecipientKind {
    #[default]
    User,
    /// An unexpanded distribution list or group.
    DistributionList,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftAttachment {
    pub name: String,
    /// Bytes; 0 for cloud attachments (links).
    #[serde(default)]
    pub size: u64,
    #[serde(default)]
    pub inline: bool,
}

/// The address fields of a draft, in the order the rules walk them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    To,
    Cc,
    Bcc,
}

impl Field {
    /// The wire name: `to`, `cc`, `bcc`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::To => "to",
            Self::Cc => "cc",
            Self::Bcc => "bcc",
        }
    }
}

impl Draft {
    /// Every recipient entry with its field, To then CC then BCC, in draft order.
    pub fn recipient_entries(&self) -> impl Iterator<Item = (Field, &DraftRecipient)> {
        [
            (Field::To, &self.to),
            (Field::Cc, &self.cc),
            (Field::Bcc, &self.bcc),
        ]
        .into_iter()
        .flat_map(|(field, list)| list.iter().map(move |recipient| (field, recipient)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_sender_is_required() {
        let draft: Draft = serde_json::from_str(r#"{"sender": "a@b.nl"}"#).expect("parses");
        assert_eq!(
            draft,
            Draft {
                sender: "a@b.nl".into(),
                ..Draft::default()
            }
        );
    }

    #[test]
    fn unknown_fields_and_values_are_refused() {
        for json in [
            r#"{"sender": "a@b.nl", "body": "patient data"}"#,
            r#"{"sender": "a@b.nl", "to": [{"address": "x@y.nl", "kind": "group"}]}"#,
            r#"{"sender": "a@b.nl", "attachments": [{"name": "a.pdf", "size": -1}]}"#,
            r#"{"to": []}"#,
        ] {
            assert!(serde_json::from_str::<Draft>(json).is_err(), "{json}");
        }
    }

    #[test]
    fn field_names_are_the_wire_names() {
        for field in [Field::To, Field::Cc, Field::Bcc] {
            assert_eq!(
                serde_json::to_value(field).expect("serialises"),
                field.as_str()
            );
        }
    }

    #[test]
    fn entries_walk_to_then_cc_then_bcc() {
        let recipient = |address: &str| DraftRecipient {
            address: address.into(),
            ..Default::default()
        };
        let draft = Draft {
            sender: "s@x.nl".into(),
            to: vec![recipient("t@x.nl")],
            cc: vec![recipient("c@x.nl")],
            bcc: vec![recipient("b@x.nl")],
            ..Draft::default()
        };
        let walked: Vec<_> = draft
            .recipient_entries()
            .map(|(f, r)| (f, r.address.as_str()))
            .collect();
        assert_eq!(
            walked,
            [
                (Field::To, "t@x.nl"),
                (Field::Cc, "c@x.nl"),
                (Field::Bcc, "b@x.nl")
            ]
        );
    }
}
