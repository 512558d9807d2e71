//! The JSON bodies of the HTTP API (SPEC §12), shared by the server and the task pane.

use serde::{Deserialize, Serialize};

use crate::{
    finding::FindingCode,
    policy::{AuthMethod, DirectoryVariant, InstallationType},
    verdict::Verdict,
};

/// Every error answer: `{"error": {"code", "message"}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Stable and machine-readable.
    pub code: String,
    /// For people; never contains an address, number, code or token.
    pub message: String,
}

/// The 422 answer of `POST /api/v1/send-token`: the error and the verdict that explains it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CannotSendBody {
    pub error: ErrorDetail,
    pub verdict: Verdict,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailCodeStart {
    pub mailbox: String,
    pub device_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailCodeVerify {
    pub mailbox: String,
    pub device_id: String,
    pub code: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntraSignIn {
    pub access_token: String,
    pub mailbox: String,
    pub device_id: String,
}

/// A new session (sign-in), or a new send token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedToken {
    pub token: String,
    /// RFC 3339.
    pub expires_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub mailbox: String,
    pub method: AuthMethod,
    /// RFC 3339: when the session lapses unless used before.
    pub expires_at: String,
}

/// `PUT /api/v1/pairings/{address}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairingUpdate {
    pub phone: String,
}

/// `GET /api/v1/pairings/{address}`: the saved number, in E.164.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pairing {
    pub address: String,
    pub phone: String,
}

/// The panel's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Nl,
    En,
    De,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Self::Nl => "nl",
            Self::En => "en",
            Self::De => "de",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "nl" => Some(Self::Nl),
            "en" => Some(Self::En),
            "de" => Some(Self::De),
            _ => None,
        }
    }
}

/// Seconds the panel counts down before sending (manual §3.3): 0, 5 or 10.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct SendDelay(u8);

impl SendDelay {
    pub const CHOICES: [u8; 3] = [0, 5, 10];

    pub fn seconds(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for SendDelay {
    type Error = String;
    fn try_from(seconds: u8) -> Result<Self, String> {
        if Self::CHOICES.contains(&seconds) {
            Ok(Self(seconds))
        } else {
            Err(format!(
                "send_delay_seconds must be 0, 5 or 10, not {seconds}"
            ))
        }
    }
}

impl From<SendDelay> for u8 {
    fn from(delay: SendDelay) -> u8 {
        delay.0
    }
}

/// `GET`/`PUT /api/v1/settings`. `language: null` follows Outlook's display language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub language: Option<Language>,
    pub send_delay_seconds: SendDelay,
}

/// `POST /api/v1/events`: a send outside the secure route, kept in the audit log (NTA 7516).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendEvent {
    pub kind: SendEventKind,
    /// The finding codes in force at the time.
    #[serde(default)]
    pub codes: Vec<FindingCode>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SendEventKind {
    /// "Standaard versturen" chosen while secure sending was possible or required.
    StandardSend,
    /// The send handler stopped Outlook's Send.
    BlockedOnSend,
}

impl SendEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::StandardSend => "standard-send",
            Self::BlockedOnSend => "blocked-on-send",
        }
    }
}

/// `GET /api/v1/info`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Info {
    pub version: String,
    pub installation_type: InstallationType,
    pub security_by_default: bool,
    pub auth_method: AuthMethod,
    /// `None` while no directory has loaded.
    pub directory: Option<DirectoryInfo>,
    /// What the panel needs to ask Entra ID for a token (`auth_method` `entra-id` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entra: Option<EntraClient>,
}

/// The app registration the panel requests an access token from (SPEC §8, MSAL.js).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntraClient {
    pub client_id: String,
    /// The full scope to request: `api://<client_id>/<scope>`.
    pub scope: String,
    /// The MSAL authority to sign in at: `{auth.entra.authority}/{tenant id}` when one tenant
    /// may sign in (a single-tenant app registration, as `sendsecure entra-setup` creates,
    /// refuses `/organizations`), else `{auth.entra.authority}/organizations`. Empty from an
    /// older server: the panel then uses `organizations`.
    #[serde(default)]
    pub authority: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryInfo {
    pub variant: DirectoryVariant,
    pub version: String,
    pub entries: usize,
    /// RFC 3339.
    pub loaded_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_accept_only_the_offered_choices() {
        let settings: Settings =
            serde_json::from_str(r#"{"language": "de", "send_delay_seconds": 5}"#).expect("valid");
        assert_eq!(settings.language, Some(Language::De));
        assert_eq!(settings.send_delay_seconds.seconds(), 5);
        for bad in [
            r#"{"language": "fr", "send_delay_seconds": 5}"#,
            r#"{"language": "nl", "send_delay_seconds": 7}"#,
            r#"{"language": "nl", "send_delay_seconds": 5, "theme": "dark"}"#,
        ] {
            assert!(serde_json::from_str::<Settings>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn events_use_the_documented_spelling() {
        let event: SendEvent =
            serde_json::from_str(r#"{"kind": "blocked-on-send", "codes": ["phone-required"]}"#)
                .expect("valid");
        assert_eq!(event.kind.as_str(), "blocked-on-send");
        assert_eq!(event.codes, [FindingCode::PhoneRequired]);
    }
}
