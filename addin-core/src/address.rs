//! Mail addresses and domains in their normalised form (SPEC §5.2).
//!
//! Parse, don't validate: an [`Address`] or [`Domain`] can only hold a trimmed, lower-cased
//! value whose domain is in its ASCII (IDNA/punycode) form, so every lookup downstream is a
//! plain string comparison.

use std::fmt;

use email_address::{EmailAddress, Options};

use crate::{Error, canonical};

/// A mail domain: lower-cased ASCII, at least two labels (mail in Dutch healthcare goes to
/// registered domains, never to bare host names or IP literals).
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Domain(Box<str>);

impl Domain {
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let ascii = canonical::domain_to_ascii(raw.trim()).ok_or(Error::InvalidDomain)?;
        Ok(Self(ascii.into_boxed_str()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Domain {
    type Error = Error;
    fn try_from(raw: String) -> Result<Self, Error> {
        Self::parse(&raw)
    }
}

impl From<Domain> for String {
    fn from(domain: Domain) -> Self {
        domain.0.into()
    }
}

/// A valid addr-spec, trimmed and lower-cased, with its domain in ASCII form.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address {
    normalised: Box<str>,
    at: usize,
}

impl Address {
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let lowered = raw.trim().to_ascii_lowercase();
        let at = canonical::last_at(&lowered).ok_or(Error::InvalidAddress)?;
        if is_plain(&lowered, at) {
            return Ok(Self {
                at,
                normalised: lowered.into_boxed_str(),
            });
        }
        let normalised = canonical::address(raw).ok_or(Error::InvalidAddress)?;
        let at = canonical::last_at(&normalised).ok_or(Error::InvalidAddress)?;
        if !is_strict_addr_spec(&normalised) {
            return Err(Error::InvalidAddress);
        }
        Ok(Self {
            at,
            normalised: normalised.into_boxed_str(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.normalised
    }

    /// The ASCII domain part.
    pub fn domain(&self) -> &str {
        &self.normalised[self.at + 1..]
    }
}

/// The common shape, which strict ToASCII leaves as it is and the `email_address` crate always
/// accepts, so almost every address skips both: a plain domain and a local part of
/// dot-separated runs of ASCII lower-case letters, digits and RFC 5322 atext symbols, at most
/// 64 characters. `at` is the position of the last `@`.
fn is_plain(lowered: &str, at: usize) -> bool {
    is_plain_local_part(&lowered.as_bytes()[..at]) && canonical::is_plain_domain(&lowered[at + 1..])
}

/// The `email_address` crate's verdict: an addr-spec without display text or domain literal,
/// with a top-level domain.
fn is_strict_addr_spec(normalised: &str) -> bool {
    let strict = Options::default()
        .without_display_text()
        .without_domain_literal()
        .with_required_tld();
    EmailAddress::parse_with_options(normalised, strict).is_ok()
}

/// Dot-separated runs of lower-case letters, digits and atext symbols, at most 64 bytes; in
/// one pass over the bytes, because this runs for every address of every check.
fn is_plain_local_part(local: &[u8]) -> bool {
    const SYMBOLS: &[u8] = b"!#$%&'*+-/=?^_`{|}~";
    let mut previous = b'.';
    for &b in local {
        let fits = match b {
            b'a'..=b'z' | b'0'..=b'9' => true,
            b'.' => previous != b'.',
            _ => SYMBOLS.contains(&b),
        };
        if !fits {
            return false;
        }
        previous = b;
    }
    !local.is_empty() && local.len() <= 64 && previous != b'.'
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.normalised)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_lowercased_and_punycoded() {
        let cases = [
            ("  B.Smit@Ziekenhuis-West.NL ", "b.smit@ziekenhuis-west.nl"),
            ("info@zorg-ü.nl", "info@xn--zorg--ova.nl"),
            ("INFO@ZÖRG.NL", "info@xn--zrg-sna.nl"),
            ("500012345@lms.lifeline.nl", "500012345@lms.lifeline.nl"),
        ];
        for (raw, expected) in cases {
            let address = Address::parse(raw).expect(raw);
            assert_eq!(address.as_str(), expected, "{raw}");
        }
    }

    #[test]
    fn domain_part_is_the_ascii_domain() {
        let address = Address::parse("a@Zörg.nl").expect("valid");
        assert_eq!(address.domain(), "xn--zrg-sna.nl");
    }

    #[test]
    fn invalid_addresses_are_refused() {
        for raw in [
            "",
            "no-at-sign",
            "@ziekenhuis.nl",
            "a@",
            "a@localhost",
            "a@[127.0.0.1]",
            "two@@ats.nl",
            "a b@ziekenhuis.nl",
            "a@zieken huis.nl",
            "a@-bad.nl",
            "a@bad..nl",
            "a@trailing.nl.",
            "B. Smit <b.smit@ziekenhuis.nl>",
        ] {
            assert_eq!(Address::parse(raw), Err(Error::InvalidAddress), "{raw:?}");
        }
    }

    #[test]
    fn the_plain_shape_is_what_email_address_accepts() {
        let long = |n: usize| "a".repeat(n);
        let locals = [
            "b.smit".to_owned(),
            "info".to_owned(),
            "500012345".to_owned(),
            "a+tag".to_owned(),
            "o'brien".to_owned(),
            "!#$%&'*+-/=?^_`{|}~".to_owned(),
            "".to_owned(),
            ".a".to_owned(),
            "a.".to_owned(),
            "a..b".to_owned(),
            "a b".to_owned(),
            "\"quoted\"".to_owned(),
            "\"a b\"".to_owned(),
            "a@b".to_owned(),
            "a(b)".to_owned(),
            "a,b".to_owned(),
            "<a".to_owned(),
            "ü".to_owned(),
            "A".to_owned(),
            long(64),
            long(65),
        ];
        let domains = [
            "zorg.nl".to_owned(),
            "xn--zrg-sna.nl".to_owned(),
            "a-b.c0.nl".to_owned(),
            "zorg".to_owned(),
            "-zorg.nl".to_owned(),
            "zorg..nl".to_owned(),
            "[127.0.0.1]".to_owned(),
            format!("{}.nl", long(63)),
            format!("{}.nl", long(64)),
            format!("{}.{}.{}.{}", long(63), long(63), long(63), long(62)),
        ];
        for local in &locals {
            for domain in &domains {
                let address = format!("{local}@{domain}");
                let at = address.rfind('@').expect("an @");
                if is_plain(&address, at) {
                    assert!(is_strict_addr_spec(&address), "{address:?}");
                }
                // The shortcut changes nothing: the same answer as UTS #46 and the crate.
                let slow = canonical::address_with(&address, canonical::idna_to_ascii)
                    .filter(|normalised| is_strict_addr_spec(normalised));
                assert_eq!(
                    Address::parse(&address)
                        .ok()
                        .map(|parsed| parsed.to_string()),
                    slow,
                    "{address:?}"
                );
            }
        }
    }

    #[test]
    fn domains_are_normalised_and_validated() {
        assert_eq!(
            Domain::parse(" Zörg.NL ").map(String::from),
            Ok("xn--zrg-sna.nl".to_string())
        );
        for raw in ["", "localhost", "a..nl", "-a.nl", "a b.nl", "a.nl."] {
            assert_eq!(Domain::parse(raw), Err(Error::InvalidDomain), "{raw:?}");
        }
    }
}
