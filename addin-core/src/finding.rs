//! Findings: what a check tells the user (SPEC §5.4).
//!
//! The codes are a stable, machine-readable contract: the panel, the send handler and admins'
//! scripts match on them. The declaration order below *is* the order findings are reported in.

use serde::{Deserialize, Serialize};

/// Red (blocks secure sending) or blue (shown, does not block).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Action,
    Info,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingCode {
    DirectoryUnavailable,
    SenderInvalid,
    SenderUnknown,
    NoRecipients,
    ToEmpty,
    RecipientInvalid,
    RecipientDistributionList,
    RecipientNotAllowed,
    PhoneRequired,
    PhoneInvalid,
    PhoneAdvised,
    EmailCodeOnly,
    RecipientsMany,
    RecipientsTooMany,
    BccMixed,
    BccViewerTo,
    BccViewerCc,
    /// Several Viewer recipients in To and CC: each patient sees the others' addresses
    /// (beyond the seed; BCC hides them).
    ViewerRecipientsVisible,
    AttachmentBlockedType,
    AttachmentsTooLarge,
    SubjectEmpty,
    ViewerLanguageEn,
}

impl FindingCode {
    /// Every code, in report order.
    pub const ALL: [Self; 22] = [
        Self::DirectoryUnavailable,
        Self::SenderInvalid,
        Self::SenderUnknown,
        Self::NoRecipients,
        Self::ToEmpty,
        Self::RecipientInvalid,
        Self::RecipientDistributionList,
        Self::RecipientNotAllowed,
        Self::PhoneRequired,
        Self::PhoneInvalid,
        Self::PhoneAdvised,
        Self::EmailCodeOnly,
        Self::RecipientsMany,
        Self::RecipientsTooMany,
        Self::BccMixed,
        Self::BccViewerTo,
        Self::BccViewerCc,
        Self::ViewerRecipientsVisible,
        Self::AttachmentBlockedType,
        Self::AttachmentsTooLarge,
        Self::SubjectEmpty,
        Self::ViewerLanguageEn,
    ];

    pub fn level(self) -> Level {
        match self {
            Self::PhoneAdvised
            | Self::EmailCodeOnly
            | Self::RecipientsMany
            | Self::ViewerRecipientsVisible
            | Self::ViewerLanguageEn => Level::Info,
            _ => Level::Action,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub level: Level,
    pub code: FindingCode,
    /// The normalised recipient address, the attachment name, the raw text of an invalid
    /// address, or nothing.
    pub subject: Option<String>,
}

impl Finding {
    pub fn new(code: FindingCode, subject: Option<String>) -> Self {
        Self {
            level: code.level(),
            code,
            subject,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_code_once_in_declaration_order() {
        let mut sorted = FindingCode::ALL;
        sorted.sort();
        assert_eq!(sorted, FindingCode::ALL);
        sorted
            .windows(2)
            .for_each(|pair| assert_ne!(pair[0], pair[1]));
    }

    #[test]
    fn codes_and_levels_use_the_documented_spelling() {
        let finding = Finding::new(FindingCode::BccViewerCc, None);
        assert_eq!(
            serde_json::to_string(&finding).ok().as_deref(),
            Some(r#"{"level":"action","code":"bcc-viewer-cc","subject":null}"#)
        );
        let info: Vec<_> = FindingCode::ALL
            .into_iter()
            .filter(|c| c.level() == Level::Info)
            .collect();
        assert_eq!(
            info,
            [
                FindingCode::PhoneAdvised,
                FindingCode::EmailCodeOnly,
                FindingCode::RecipientsMany,
                FindingCode::ViewerRecipientsVisible,
                FindingCode::ViewerLanguageEn
            ]
        );
    }
}
