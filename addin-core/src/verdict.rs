//! The verdict a check returns (SPEC §5.6).

use serde::{Deserialize, Serialize};

use crate::{draft::Field, finding::Finding};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// No `action` finding.
    pub can_send_secure: bool,
    /// May go out without the user pressing anything (manual §2.1.2 "automatisch verzenden").
    pub auto_send: bool,
    pub sender: SenderReport,
    /// Draft order, To then CC then BCC, duplicates once, invalid ones included.
    pub recipients: Vec<RecipientReport>,
    pub attachments: AttachmentsReport,
    pub findings: Vec<Finding>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenderReport {
    /// Normalised when valid; the trimmed raw text otherwise.
    pub address: String,
    /// In the community (its domain, or the address itself).
    pub known: bool,
    pub nta7516: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientReport {
    /// Normalised when valid; the trimmed raw text otherwise.
    pub address: String,
    pub field: Field,
    pub route: Route,
    pub nta7516: bool,
    pub phone: PhoneStatus,
    /// The number in E.164, when `phone` is `given`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
}

/// How a recipient is reached (SPEC §5.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Route {
    Internal,
    Community,
    Nta7516,
    Viewer,
    Blocked,
    Invalid,
    /// No directory has loaded.
    Unknown,
}

impl Route {
    /// The wire name: `internal`, `community`, `nta7516`, `viewer` …
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Internal => "internal",
            Self::Community => "community",
            Self::Nta7516 => "nta7516",
            Self::Viewer => "viewer",
            Self::Blocked => "blocked",
            Self::Invalid => "invalid",
            Self::Unknown => "unknown",
        }
    }

    /// Delivered by the secure route directly, without the Viewer (SPEC §13).
    pub fn is_direct(self) -> bool {
        matches!(self, Self::Internal | Self::Community | Self::Nta7516)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PhoneStatus {
    /// Not a Viewer recipient.
    None,
    Given,
    Missing,
    Invalid,
    /// Installation type `viewer`: the access code always goes by e-mail.
    NotPossible,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AttachmentsReport {
    pub count: usize,
    pub total_size: u64,
    pub items: Vec<AttachmentReport>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttachmentReport {
    pub name: String,
    pub size: u64,
    /// This attachment's part of the total, 0.0–1.0, for the panel's bar.
    pub share: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_names_are_the_wire_names() {
        for route in [
            Route::Internal,
            Route::Community,
            Route::Nta7516,
            Route::Viewer,
            Route::Blocked,
            Route::Invalid,
            Route::Unknown,
        ] {
            assert_eq!(
                serde_json::to_value(route).expect("serialises"),
                route.as_str()
            );
            assert_eq!(
                route.is_direct(),
                matches!(route, Route::Internal | Route::Community | Route::Nta7516)
            );
        }
    }
}
