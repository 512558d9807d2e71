//! The domain book and the NTA 7516 register (SPEC §4).
//!
//! Loaded whole or not at all: every entry is validated and normalised before a
//! [`Directory`] exists, so a bad file can never half-apply. Lookups are hash lookups on the
//! normalised ASCII form.

use std::collections::HashSet;

use serde::Deserialize;

use crate::{
    Error,
    address::{Address, Domain},
    policy::DirectoryVariant,
};

/// Hashed with foldhash rather than SipHash: hashing was a good part of a check's time, and
/// every key comes from the domain book's publisher, a trusted source, so there is no
/// flooding of the sets with colliding keys to defend against (and foldhash's seeds are still
/// random per process).
type Entries = HashSet<Box<str>, foldhash::fast::RandomState>;

#[derive(Debug, Clone)]
pub struct Directory {
    variant: DirectoryVariant,
    version: String,
    community_domains: Entries,
    community_addresses: Entries,
    nta7516_domains: Entries,
}

/// The file as published. Unknown keys are ignored so a publisher adding metadata does not
/// take every installation offline; what we read is validated strictly.
#[derive(Deserialize)]
struct DirectoryFile {
    variant: DirectoryVariant,
    version: String,
    community: CommunityFile,
    #[serde(default)]
    nta7516: RegisterFile,
}

#[derive(Deserialize)]
struct CommunityFile {
    #[serde(default)]
    domains: Vec<String>,
    #[serde(default)]
    addresses: Vec<String>,
}

#[derive(Deserialize, Default)]
struct RegisterFile {
    #[serde(default)]
    domains: Vec<String>,
}

impl Directory {
    /// Parses and validates a directory document; refuses one of another variant than the
    /// organisation is contracted for.
    pub fn from_json(json: &str, expected: DirectoryVariant) -> Result<Self, Error> {
        let file: DirectoryFile =
            serde_json::from_str(json).map_err(|e| Error::DirectoryJson(e.to_string()))?;
        if file.variant != expected {
            return Err(Error::DirectoryWrongVariant {
                expected: expected.as_str(),
                found: file.variant.as_str(),
            });
        }
        Ok(Self {
            variant: file.variant,
            version: file.version,
            community_domains: domains("community.domains", file.community.domains)?,
            community_addresses: addresses("community.addresses", file.community.addresses)?,
            nta7516_domains: domains("nta7516.domains", file.nta7516.domains)?,
        })
    }

    pub fn variant(&self) -> DirectoryVariant {
        self.variant
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    /// Distinct entries over all three lists.
    pub fn entries(&self) -> usize {
        self.community_domains.len() + self.community_addresses.len() + self.nta7516_domains.len()
    }

    /// The address is in the community: its domain, or the address itself, is listed.
    pub fn is_community(&self, address: &Address) -> bool {
        self.community_domains.contains(address.domain())
            || self.community_addresses.contains(address.as_str())
    }

    /// The domain is registered as NTA 7516 compliant.
    pub fn is_nta7516(&self, domain: &str) -> bool {
        self.nta7516_domains.contains(domain)
    }
}

fn domains(list: &'static str, raw: Vec<String>) -> Result<Entries, Error> {
    normalise_all(list, raw, "domain", |entry| {
        Domain::parse(entry).map(|d| String::from(d).into_boxed_str())
    })
}

fn addresses(list: &'static str, raw: Vec<String>) -> Result<Entries, Error> {
    normalise_all(list, raw, "address", |entry| {
        Address::parse(entry).map(|a| a.as_str().into())
    })
}

fn normalise_all(
    list: &'static str,
    raw: Vec<String>,
    expected: &'static str,
    normalise: impl Fn(&str) -> Result<Box<str>, Error>,
) -> Result<Entries, Error> {
    let mut set = Entries::with_capacity_and_hasher(raw.len(), Default::default());
    for (index, entry) in raw.into_iter().enumerate() {
        let normalised = normalise(&entry).map_err(|_| Error::DirectoryEntry {
            list,
            index,
            entry,
            expected,
        })?;
        set.insert(normalised);
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{
        "variant": "zorgmail",
        "version": "2026-11-20",
        "community": {
            "domains": ["ZorgMail.nl", "lms.lifeline.nl", "huisartsen-oost.nl", "zörg.nl"],
            "addresses": ["500012345@lms.lifeline.nl", "dr.visser@gmail.com"]
        },
        "nta7516": { "domains": ["huisartsen-oost.nl", "ziekenhuis-west.nl"] },
        "published_by": "ignored"
    }"#;

    fn address(raw: &str) -> Address {
        Address::parse(raw).expect("valid test address")
    }

    #[test]
    fn lookups_use_the_normalised_form() {
        let directory = Directory::from_json(SAMPLE, DirectoryVariant::Zorgmail).expect("loads");
        assert!(directory.is_community(&address("X@zorgmail.NL")));
        assert!(directory.is_community(&address("info@zörg.nl")));
        assert!(directory.is_community(&address("Dr.Visser@gmail.com")));
        assert!(!directory.is_community(&address("someone.else@gmail.com")));
        assert!(directory.is_nta7516("ziekenhuis-west.nl"));
        assert_eq!(directory.entries(), 8);
        assert_eq!(directory.version(), "2026-11-20");
    }

    #[test]
    fn subdomains_are_not_covered_unless_listed() {
        let directory = Directory::from_json(SAMPLE, DirectoryVariant::Zorgmail).expect("loads");
        assert!(!directory.is_community(&address("a@mail.zorgmail.nl")));
        assert!(!directory.is_community(&address("a@lifeline.nl")));
        assert!(!directory.is_nta7516("poli.ziekenhuis-west.nl"));
    }

    #[test]
    fn another_variant_is_refused() {
        let error =
            Directory::from_json(SAMPLE, DirectoryVariant::Sigra).expect_err("wrong variant");
        assert_eq!(
            error,
            Error::DirectoryWrongVariant {
                expected: "sigra",
                found: "zorgmail"
            }
        );
    }

    #[test]
    fn bad_files_are_refused_with_the_problem_named() {
        let invalid_json =
            Directory::from_json("{", DirectoryVariant::Zorgmail).expect_err("bad json");
        assert!(matches!(invalid_json, Error::DirectoryJson(_)));

        let bad_domain = SAMPLE.replace("\"lms.lifeline.nl\",", "\"not a domain\",");
        assert_eq!(
            Directory::from_json(&bad_domain, DirectoryVariant::Zorgmail)
                .expect_err("bad entry")
                .to_string(),
            "the directory's community.domains[1] (\"not a domain\") is not a valid domain"
        );

        let bad_address = SAMPLE.replace("\"dr.visser@gmail.com\"", "\"dr.visser\"");
        assert!(matches!(
            Directory::from_json(&bad_address, DirectoryVariant::Zorgmail),
            Err(Error::DirectoryEntry {
                list: "community.addresses",
                index: 1,
                ..
            })
        ));

        let unknown_variant = SAMPLE.replace("\"zorgmail\"", "\"acme\"");
        assert!(matches!(
            Directory::from_json(&unknown_variant, DirectoryVariant::Zorgmail),
            Err(Error::DirectoryJson(_))
        ));
    }
}
