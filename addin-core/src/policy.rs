//! The organisation policy an admin configures (SPEC §3).

use std::{fmt, str::FromStr, time::Duration};

use serde::{Deserialize, Serialize};

use crate::Error;

/// How outside recipients are reached (SPEC §3), from the highest safety to the lowest.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InstallationType {
    /// Viewer, SMS code mandatory.
    ViewerPhoneRequired,
    /// Viewer, SMS code preferred, e-mail code otherwise.
    #[default]
    ViewerPhoneCheck,
    /// Viewer, e-mail code only (not two-factor).
    Viewer,
    /// No Viewer: outside recipients cannot be reached.
    Standard,
}

/// Which domain book the organisation is contracted for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DirectoryVariant {
    #[default]
    Zorgmail,
    Sigra,
}

impl DirectoryVariant {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Zorgmail => "zorgmail",
            Self::Sigra => "sigra",
        }
    }
}

/// How users prove they own their mailbox (SPEC §8).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthMethod {
    #[default]
    EmailCode,
    EntraId,
}

/// A duration written the human way in the policy file ("24h", "30d", "15m").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Interval(Duration);

impl Interval {
    pub const fn from_secs(secs: u64) -> Self {
        Self(Duration::from_secs(secs))
    }

    pub fn duration(self) -> Duration {
        self.0
    }
}

impl FromStr for Interval {
    type Err = Error;
    fn from_str(raw: &str) -> Result<Self, Error> {
        match humantime::parse_duration(raw.trim()) {
            Ok(duration) if !duration.is_zero() => Ok(Self(duration)),
            Ok(_) => Err(Error::InvalidDuration("it must be longer than zero".into())),
            Err(problem) => Err(Error::InvalidDuration(problem.to_string())),
        }
    }
}

impl TryFrom<String> for Interval {
    type Error = Error;
    fn try_from(raw: String) -> Result<Self, Error> {
        raw.parse()
    }
}

impl From<Interval> for String {
    fn from(interval: Interval) -> Self {
        interval.to_string()
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", humantime::format_duration(self.0))
    }
}

#[cfg(feature = "rules")]
pub use file::*;

#[cfg(feature = "rules")]
mod file {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    use ipnet::{IpNet, Ipv4Net, Ipv6Net};
    use serde::Deserialize;

    use super::{AuthMethod, DirectoryVariant, InstallationType, Interval};
    use crate::address::{Address, Domain};

    /// The whole policy file. Unknown keys are refused so a typo never silently falls back to
    /// a default.
    #[derive(Clone, Debug, PartialEq, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    pub struct Policy {
        pub organisation: Organisation,
        pub installation_type: InstallationType,
        pub directory: DirectorySettings,
        /// Intercept Outlook's own Send button (SPEC §7).
        pub security_by_default: bool,
        pub auth: AuthSettings,
        pub smtp: SmtpSettings,
        /// The secure route's SMTP relay (SPEC §13).
        pub relay: RelaySettings,
        /// The Viewer for recipients outside the domain book (SPEC §14).
        pub viewer: ViewerSettings,
        /// How Viewer access codes go by SMS (SPEC §14).
        pub sms: SmsSettings,
        /// The audit trail (NEN 7513).
        pub audit: AuditSettings,
    }

    impl Default for Policy {
        fn default() -> Self {
            Self {
                organisation: Organisation::default(),
                installation_type: InstallationType::default(),
                directory: DirectorySettings::default(),
                security_by_default: true,
                auth: AuthSettings::default(),
                smtp: SmtpSettings::default(),
                relay: RelaySettings::default(),
                viewer: ViewerSettings::default(),
                sms: SmsSettings::default(),
                audit: AuditSettings::default(),
            }
        }
    }

    #[derive(Clone, Debug, PartialEq, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    pub struct AuditSettings {
        /// Audit records older than this are deleted (the chain stays verifiable).
        pub retention: Interval,
    }

    impl Default for AuditSettings {
        fn default() -> Self {
            Self {
                // NEN 7513 asks for as long as needed to account for access to patient data;
                // five years is the common Dutch healthcare practice.
                retention: Interval::from_secs(5 * 365 * 24 * 3600),
            }
        }
    }

    #[derive(Clone, Debug, Default, PartialEq, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    pub struct Organisation {
        /// Recipients in these domains are internal.
        pub domains: Vec<Domain>,
        /// The organisation's name as outside recipients read it in a Viewer notification
        /// ("… of Huisartsen Oost sent you a secure message"); unset, the sender's domain.
        pub name: Option<String>,
    }

    impl Organisation {
        /// Whether `address` is a mailbox of the organisation: in one of its domains.
        pub fn includes(&self, address: &Address) -> bool {
            self.domains
                .iter()
                .any(|domain| domain.as_str() == address.domain())
        }
    }

    #[derive(Clone, Debug, PartialEq, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    pub struct DirectorySettings {
        pub variant: DirectoryVariant,
        /// A file path or an `https://` URL; `None` means the bundled sample.
        pub source: Option<String>,
        pub refresh: Interval,
    }

    impl Default for DirectorySettings {
        fn default() -> Self {
            Self {
                variant: DirectoryVariant::default(),
                source: None,
                refresh: Interval::from_secs(24 * 3600),
            }
        }
    }

    #[derive(Clone, Debug, PartialEq, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    pub struct AuthSettings {
        pub method: AuthMethod,
        pub entra: EntraSettings,
        pub reverify_after: Interval,
    }

    impl Default for AuthSettings {
        fn default() -> Self {
            Self {
                method: AuthMethod::default(),
                entra: EntraSettings::default(),
                reverify_after: Interval::from_secs(30 * 24 * 3600),
            }
        }
    }

    #[derive(Clone, Debug, PartialEq, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    pub struct EntraSettings {
        pub client_id: Option<String>,
        pub tenants: Vec<String>,
        /// The delegated scope the panel asks for (as `api://<client_id>/<scope>`); access
        /// tokens must carry it in `scp`.
        pub scope: String,
        /// Where tenants' discovery documents are (`{authority}/{tid}/v2.0/…`): another value
        /// for a national cloud, or a local issuer in tests.
        pub authority: String,
        /// How long a sign-in stands before the panel must show a fresh access token (it does
        /// so silently): a user disabled in Entra ID is out within this time.
        pub revalidate_after: Interval,
    }

    impl Default for EntraSettings {
        fn default() -> Self {
            Self {
                client_id: None,
                tenants: Vec::new(),
                scope: "access_as_user".into(),
                authority: "https://login.microsoftonline.com".into(),
                revalidate_after: Interval::from_secs(24 * 3600),
            }
        }
    }

    #[derive(Clone, Debug, Default, PartialEq, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    pub struct SmtpSettings {
        /// `smtp://…` or `smtps://…`; unset writes sign-in mails to the outbox folder.
        pub url: Option<String>,
    }

    #[derive(Clone, Debug, PartialEq, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    pub struct RelaySettings {
        /// Who may hand mail to the relay: Exchange Online's outbound ranges in production.
        pub accept_from: Vec<NetworkRange>,
        /// `smtp://…?tls=required` or `smtps://…`; unset writes to the relay outbox folder.
        pub next_hop: Option<String>,
        /// How long after issue a send token's dispatch is accepted (Exchange queues and
        /// retries for up to two days).
        pub accept_within: Interval,
    }

    impl Default for RelaySettings {
        fn default() -> Self {
            Self {
                accept_from: vec![
                    NetworkRange(IpNet::V4(Ipv4Net::new_assert(
                        Ipv4Addr::new(127, 0, 0, 0),
                        8,
                    ))),
                    NetworkRange(IpNet::V6(Ipv6Net::new_assert(Ipv6Addr::LOCALHOST, 128))),
                ],
                next_hop: None,
                accept_within: Interval::from_secs(48 * 3600),
            }
        }
    }

    #[derive(Clone, Debug, PartialEq, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    pub struct ViewerSettings {
        /// How long a Viewer message can be read; then its content and key are deleted.
        pub retention: Interval,
        /// Whether the notification e-mail shows the subject (it may hold patient data).
        pub notification_subject: bool,
    }

    impl Default for ViewerSettings {
        fn default() -> Self {
            Self {
                retention: Interval::from_secs(90 * 24 * 3600),
                notification_subject: false,
            }
        }
    }

    #[derive(Clone, Debug, PartialEq, Deserialize)]
    #[serde(default, deny_unknown_fields)]
    pub struct SmsSettings {
        /// The provider's API with its credentials; unset writes each SMS to the SMS outbox.
        pub url: Option<String>,
        /// The originator recipients see (at most 11 letters and digits, or a phone number).
        pub sender: String,
    }

    impl Default for SmsSettings {
        fn default() -> Self {
            Self {
                url: None,
                sender: "SendSecure".into(),
            }
        }
    }

    /// An IP address or a CIDR range, as an admin writes it: `127.0.0.0/8`, `::1`,
    /// `40.92.0.0/15`. A bare address is a range of one.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
    #[serde(try_from = "String")]
    pub struct NetworkRange(IpNet);

    impl NetworkRange {
        pub fn contains(&self, address: IpAddr) -> bool {
            // An IPv4 client on a dual-stack socket arrives as ::ffff:a.b.c.d.
            let address = match address {
                IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
                v4 => v4,
            };
            self.0.contains(&address)
        }
    }

    impl std::str::FromStr for NetworkRange {
        type Err = crate::Error;
        fn from_str(raw: &str) -> Result<Self, crate::Error> {
            let raw = raw.trim();
            raw.parse::<IpNet>()
                .or_else(|_| raw.parse::<IpAddr>().map(IpNet::from))
                .map(|net| Self(net.trunc()))
                .map_err(|_| crate::Error::InvalidNetworkRange)
        }
    }

    impl TryFrom<String> for NetworkRange {
        type Error = crate::Error;
        fn try_from(raw: String) -> Result<Self, crate::Error> {
            raw.parse()
        }
    }

    impl std::fmt::Display for NetworkRange {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            self.0.fmt(f)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_parse_the_human_way() {
        assert_eq!("24h".parse::<Interval>(), Ok(Interval::from_secs(86_400)));
        assert_eq!(
            "30d".parse::<Interval>(),
            Ok(Interval::from_secs(30 * 86_400))
        );
        assert_eq!("15m".parse::<Interval>(), Ok(Interval::from_secs(900)));
        assert!("0s".parse::<Interval>().is_err());
        assert!("soon".parse::<Interval>().is_err());
    }

    #[cfg(feature = "rules")]
    #[test]
    fn network_ranges_take_addresses_and_cidr_ranges() {
        let range = |raw: &str| raw.parse::<NetworkRange>();
        let ip = |raw: &str| raw.parse::<std::net::IpAddr>().expect("an IP address");
        let loopback = range("127.0.0.0/8").expect("a range");
        assert!(loopback.contains(ip("127.0.0.1")));
        assert!(
            loopback.contains(ip("::ffff:127.0.0.9")),
            "IPv4 mapped into IPv6"
        );
        assert!(!loopback.contains(ip("10.0.0.1")));
        let one = range(" 40.92.0.7 ").expect("a bare address");
        assert!(one.contains(ip("40.92.0.7")) && !one.contains(ip("40.92.0.8")));
        assert_eq!(
            range("40.92.1.0/15").expect("host bits").to_string(),
            "40.92.0.0/15"
        );
        assert!(range("::1/128").expect("IPv6").contains(ip("::1")));
        for bad in ["", "localhost", "10.0.0.0/33", "10.0.0"] {
            assert_eq!(range(bad), Err(Error::InvalidNetworkRange), "{bad}");
        }
    }

    #[cfg(feature = "rules")]
    #[test]
    fn the_secure_route_has_the_documented_defaults() {
        let policy = Policy::default();
        let defaults: Vec<String> = policy
            .relay
            .accept_from
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(defaults, ["127.0.0.0/8", "::1/128"]);
        assert_eq!(policy.relay.accept_within, Interval::from_secs(48 * 3600));
        assert_eq!(policy.relay.next_hop, None);
        assert_eq!(policy.viewer.retention, Interval::from_secs(90 * 86_400));
        assert!(!policy.viewer.notification_subject);
    }

    #[test]
    fn enums_use_the_documented_spelling() {
        let spelled = serde_json::to_string(&[
            InstallationType::ViewerPhoneRequired,
            InstallationType::ViewerPhoneCheck,
            InstallationType::Viewer,
            InstallationType::Standard,
        ])
        .expect("serialises");
        assert_eq!(
            spelled,
            r#"["viewer-phone-required","viewer-phone-check","viewer","standard"]"#
        );
        assert_eq!(
            serde_json::to_string(&AuthMethod::EntraId).ok().as_deref(),
            Some(r#""entra-id""#)
        );
        assert_eq!(
            serde_json::to_string(&DirectoryVariant::Sigra)
                .ok()
                .as_deref(),
            Some(r#""sigra""#)
        );
    }
}
