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

/// Where the panel shows a finding (SPEC §9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// Under the recipient its subject names.
    Recipient,
    /// In the attachments section.
    Attachments,
    /// In the list above the recipients.
    General,
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

    /// The code as the API, the audit trail and the panel's texts (`finding-<code>`) spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DirectoryUnavailable => "directory-unavailable",
            Self::SenderInvalid => "sender-invalid",
            Self::SenderUnknown => "sender-unknown",
            Self::NoRecipients => "no-recipients",
            Self::ToEmpty => "to-empty",
            Self::RecipientInvalid => "recipient-invalid",
            Self::RecipientDistributionList => "recipient-distribution-list",
            Self::RecipientNotAllowed => "recipient-not-allowed",
            Self::PhoneRequired => "phone-required",
            Self::PhoneInvalid => "phone-invalid",
            Self::PhoneAdvised => "phone-advised",
            Self::EmailCodeOnly => "email-code-only",
            Self::RecipientsMany => "recipients-many",
            Self::RecipientsTooMany => "recipients-too-many",
            Self::BccMixed => "bcc-mixed",
            Self::BccViewerTo => "bcc-viewer-to",
            Self::BccViewerCc => "bcc-viewer-cc",
            Self::ViewerRecipientsVisible => "viewer-recipients-visible",
            Self::AttachmentBlockedType => "attachment-blocked-type",
            Self::AttachmentsTooLarge => "attachments-too-large",
            Self::SubjectEmpty => "subject-empty",
            Self::ViewerLanguageEn => "viewer-language-en",
        }
    }

    /// Where the panel shows the finding.
    pub fn section(self) -> Section {
        match self {
            Self::RecipientInvalid
            | Self::RecipientDistributionList
            | Self::RecipientNotAllowed
            | Self::PhoneRequired
            | Self::PhoneInvalid
            | Self::PhoneAdvised
            | Self::EmailCodeOnly => Section::Recipient,
            Self::AttachmentBlockedType | Self::AttachmentsTooLarge => Section::Attachments,
            Self::DirectoryUnavailable
            | Self::SenderInvalid
            | Self::SenderUnknown
            | Self::NoRecipients
            | Self::ToEmpty
            | Self::RecipientsMany
            | Self::RecipientsTooMany
            | Self::BccMixed
            | Self::BccViewerTo
            | Self::BccViewerCc
            | Self::ViewerRecipientsVisible
            | Self::SubjectEmpty
            | Self::ViewerLanguageEn => Section::General,
        }
    }

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
    fn as_str_is_the_wire_spelling() {
        for code in FindingCode::ALL {
            assert_eq!(
                serde_json::to_value(code).ok(),
                Some(serde_json::Value::from(code.as_str()))
            );
        }
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
