//! Phone numbers for SMS access codes (SPEC §5.3), by libphonenumber's rules.
//!
//! The rules are the `phonenumber` crate's, the metadata is not: the crate's built-in copy lags
//! libphonenumber's releases and refused mobile ranges in use today (issue 13). We load
//! `addin-core/metadata/PhoneNumberMetadata.xml` instead, made by `scripts/phone-metadata.mjs`
//! from Google's own JavaScript build, and `tests/vectors/phones.json` (same source) holds us
//! to its verdicts.

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::sync::{LazyLock, OnceLock};

use foldhash::fast::RandomState;
use phonenumber::{
    Metadata, PhoneNumber, Type, country,
    metadata::{Database, Descriptor},
};
use regex::{RegexSet, RegexSetBuilder};

use crate::Error;

/// libphonenumber's metadata, parsed on first use (tens of milliseconds, once per process).
#[allow(
    clippy::expect_used,
    reason = "the metadata is part of the source: the tests parse it"
)]
pub(crate) static METADATA: LazyLock<Database> = LazyLock::new(|| {
    Database::parse(include_str!("../metadata/PhoneNumberMetadata.xml"))
        .expect("the committed metadata parses: the tests load it")
});

/// Parses what a user typed with our metadata; numbers without a country code are Dutch.
///
/// Only those are parsed with NL as the default country: the crate strips the default
/// country's trunk prefix from any number, so Italy's `+39 06…` or Benin's `+229 01…` would
/// lose their `0`. `00` is the Netherlands' international prefix, so it reads as `+`.
fn read(raw: &str) -> Option<PhoneNumber> {
    let raw = raw.trim();
    let (default, number) = match raw.strip_prefix("00") {
        Some(rest) => (None, format!("+{rest}")),
        None if raw.starts_with('+') => (None, raw.to_owned()),
        None => (Some(country::Id::NL), raw.to_owned()),
    };
    phonenumber::parse_with(&METADATA, default, number).ok()
}

/// The Netherlands' calling code.
const NETHERLANDS: u16 = 31;

/// The national number of a Dutch number typed the usual ways: `0` and nine digits, or `+31`
/// or `0031` and nine digits, with spaces or hyphens anywhere between. This is what the
/// crate's parser makes of them too, at a tenth of the cost (its general parser was most of a
/// check's time); anything else goes to that parser. `dutch_shortcut_reads_as_the_crate`
/// holds the two to the same answers.
fn dutch_national(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let (international, rest) = match raw.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, raw),
    };
    if !rest.starts_with(|c: char| c.is_ascii_digit())
        || !raw.ends_with(|c: char| c.is_ascii_digit())
    {
        return None;
    }
    let mut digits = String::with_capacity(13);
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' => {}
            _ => return None,
        }
    }
    // What comes before the national number: `31`, `0031` or the trunk prefix `0`.
    let prefix = match (international, digits.as_bytes()) {
        (true, [b'3', b'1', ..]) => 2,
        (false, [b'0', b'0', b'3', b'1', ..]) => 4,
        (false, [b'0', first, ..]) if *first != b'0' => 1,
        _ => return None,
    };
    digits.drain(..prefix);
    (digits.len() == 9 && !digits.starts_with('0')).then_some(digits)
}

/// The number's type as libphonenumber's `getNumberType` gives it. The crate's own
/// `number_type` drops the leading zeros that some countries' numbers keep after the country
/// code (Benin's `+229 01…`, Côte d'Ivoire's `+225 07…`), and then finds no type.
fn kind(code: u16, national: &str) -> Type {
    let Some(candidates) = METADATA.by_code(&code) else {
        return Type::Unknown;
    };
    // A calling code shared by regions (+1, +7, +44…): the region whose leading digits or
    // patterns fit, the main region first.
    candidates
        .into_iter()
        .find_map(|meta| match meta.leading_digits() {
            Some(leading) => leading
                .find(national)
                .is_some_and(|found| found.start() == 0)
                .then(|| kind_in(meta, national)),
            None => Some(kind_in(meta, national)).filter(|&kind| kind != Type::Unknown),
        })
        .unwrap_or(Type::Unknown)
}

/// The types `kind_in` tells apart, in libphonenumber's order: the first of the
/// [`SPECIAL_TYPES`] that matches wins; after them a number both fixed line and mobile is
/// `FixedLineOrMobile`.
const TYPES: [Type; 10] = [
    Type::PremiumRate,
    Type::TollFree,
    Type::SharedCost,
    Type::Voip,
    Type::PersonalNumber,
    Type::Pager,
    Type::Uan,
    Type::Voicemail,
    Type::FixedLine,
    Type::Mobile,
];

/// How many of [`TYPES`] come before fixed line and mobile.
const SPECIAL_TYPES: usize = TYPES.len() - 2;

fn kind_in(meta: &'static Metadata, national: &str) -> Type {
    let region = RegionPatterns::of(meta);
    let matched = region.matches(national);
    if !matched(GENERAL) {
        return Type::Unknown;
    }
    let is = |kind: Type| {
        region
            .kinds
            .iter()
            .position(|&known| known == kind)
            .is_some_and(|index| matched(index + 1))
    };
    if let Some(kind) = TYPES[..SPECIAL_TYPES]
        .iter()
        .copied()
        .find(|&kind| is(kind))
    {
        return kind;
    }
    match (is(Type::FixedLine), is(Type::Mobile)) {
        (true, true) => Type::FixedLineOrMobile,
        (true, false) => Type::FixedLine,
        (false, true) => Type::Mobile,
        (false, false) => Type::Unknown,
    }
}

/// The index of the general description in a region's pattern set.
const GENERAL: usize = 0;

/// One region's number patterns, compiled once into one set, so a number's type takes one
/// pass over it instead of a pattern match per type. The crate's own regex cache takes a lock
/// and hashes the whole pattern twice on every match, which was most of what a type took.
struct RegionPatterns {
    /// The general description's pattern first, then one per entry of `kinds`. Every pattern
    /// in the metadata is anchored (`^(?:…)$`), so a set match is a whole-number match,
    /// which `Descriptor::is_match` checks too (`metadata_patterns_are_anchored`).
    set: RegexSet,
    /// The possible lengths per pattern of `set` (empty: any length).
    lengths: Vec<&'static [u16]>,
    /// The type of each pattern after the general one.
    kinds: Vec<Type>,
}

/// Every region's patterns, compiled on the region's first use (no lock to read them).
static REGION_PATTERNS: LazyLock<HashMap<&'static str, OnceLock<RegionPatterns>, RandomState>> =
    LazyLock::new(|| {
        METADATA
            .iter()
            .map(|meta| (meta.id(), OnceLock::new()))
            .collect()
    });

impl RegionPatterns {
    #[allow(
        clippy::expect_used,
        reason = "every region is in the map, and the crate compiled each pattern when it loaded the metadata"
    )]
    fn of(meta: &'static Metadata) -> &'static Self {
        REGION_PATTERNS
            .get(meta.id())
            .expect("the map holds every region of the metadata")
            .get_or_init(|| {
                let descriptors = meta.descriptors();
                let typed: Vec<(Type, &'static Descriptor)> = TYPES
                    .iter()
                    .filter_map(|&kind| Some((kind, descriptors.get(kind)?)))
                    .collect();
                let all = std::iter::once(descriptors.general())
                    .chain(typed.iter().map(|&(_, descriptor)| descriptor));
                let set = RegexSetBuilder::new(all.clone().map(|d| d.national_number().as_str()))
                    .ignore_whitespace(true)
                    .build()
                    .expect("the crate compiled the same patterns when it loaded the metadata");
                Self {
                    set,
                    lengths: all.map(|d| d.possible_length()).collect(),
                    kinds: typed.into_iter().map(|(kind, _)| kind).collect(),
                }
            })
    }

    /// Which of the set's patterns match `national`, with its length possible for them.
    fn matches(&self, national: &str) -> impl Fn(usize) -> bool + '_ {
        let matched = self.set.matches(national);
        let length = national.len() as u16;
        move |index| {
            let lengths = self.lengths[index];
            matched.matched(index) && (lengths.is_empty() || lengths.contains(&length))
        }
    }
}

/// A number an SMS can reach, in E.164 form. `Debug` hides the digits: a patient's phone
/// number must never reach a log.
#[derive(Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Parses what a user typed; numbers without a country code are Dutch. Valid means
    /// libphonenumber says so and, where it can tell, the number is a mobile one.
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let (code, national) = match dutch_national(raw) {
            Some(national) => (NETHERLANDS, national),
            None => {
                let number = read(raw).ok_or(Error::InvalidPhone)?;
                if number.extension().is_some() {
                    return Err(Error::InvalidPhone);
                }
                (number.code().value(), number.national().to_string())
            }
        };
        // No separate `is_valid_with`: valid means "of some type in its region", the crate
        // picks the region as `kind` does, and a mobile type is a type, so it would only
        // match the region's patterns a second time (half of a parse).
        // `validity_follows_from_the_type` holds the metadata to what this relies on.
        if !matches!(
            kind(code, &national),
            Type::Mobile | Type::FixedLineOrMobile
        ) {
            return Err(Error::InvalidPhone);
        }
        // E.164 is the calling code and the national number, which is what the crate's
        // formatter writes too, after first matching the number against the region's
        // display formats, which E.164 does not use.
        let mut e164 = String::with_capacity(16); // `+` and at most 15 digits: no regrowth
        #[allow(clippy::expect_used, reason = "writing to a String cannot fail")]
        write!(e164, "+{code}{national}").expect("writing to a String cannot fail");
        Ok(Self(e164))
    }

    pub fn e164(&self) -> &str {
        &self.0
    }

    pub fn into_e164(self) -> String {
        self.0
    }

    /// The number as the Viewer may show it to whoever holds the link: only the last two
    /// digits (SPEC §14). Dutch mobiles the Dutch way (`06-••••••78`), others with their
    /// country code (`+44 ••••••••56`).
    pub fn masked(&self) -> String {
        const DOT: char = '•';
        let digits = &self.0[1..];
        let last_two = digits
            .get(digits.len().saturating_sub(2)..)
            .unwrap_or_default();
        if let Some(national) = digits.strip_prefix("316") {
            let hidden = national.len().saturating_sub(2);
            return format!("06-{}{last_two}", DOT.to_string().repeat(hidden));
        }
        let code = read(&self.0)
            .map(|number| number.code().value().to_string())
            .unwrap_or_default();
        let hidden = digits.len().saturating_sub(code.len() + 2);
        format!("+{code} {}{last_two}", DOT.to_string().repeat(hidden))
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Phone(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_numbers_are_returned_in_e164() {
        let cases = [
            ("06 12345678", "+31612345678"),
            ("0612345678", "+31612345678"),
            ("+31 6 1234 5678", "+31612345678"),
            ("0031612345678", "+31612345678"),
            ("+44 7911 123456", "+447911123456"),
            ("+49 151 23456789", "+4915123456789"),
            // In the USA mobile and fixed lines cannot be told apart: accepted.
            ("+1 201 555 0123", "+12015550123"),
        ];
        for (raw, e164) in cases {
            assert_eq!(
                Phone::parse(raw).map(Phone::into_e164),
                Ok(e164.to_string()),
                "{raw}"
            );
        }
    }

    #[test]
    fn numbers_sms_cannot_reach_are_refused() {
        for raw in [
            "",
            "hello",
            "06 1234",          // too short
            "020 123 4567",     // Amsterdam fixed line
            "0800 1234",        // toll free
            "0900 1234567",     // premium rate
            "+44 20 7946 0958", // London fixed line
            "+31 6 1234 5678 ext. 12",
        ] {
            assert_eq!(Phone::parse(raw), Err(Error::InvalidPhone), "{raw:?}");
        }
    }

    #[test]
    fn masked_numbers_show_only_the_last_two_digits() {
        let masked = |raw: &str| Phone::parse(raw).expect("valid").masked();
        assert_eq!(masked("06 12345678"), "06-••••••78");
        assert_eq!(masked("+44 7911 123456"), "+44 ••••••••56");
        assert_eq!(masked("+49 151 23456789"), "+49 •••••••••89");
        assert_eq!(masked("+1 201 555 0123"), "+1 ••••••••23");
    }

    #[test]
    fn the_ranges_of_issue_13_are_accepted() {
        for (raw, e164) in [
            ("+597 731 2345", "+5977312345"), // Suriname, 73…
            ("+597 791 2345", "+5977912345"), // Suriname, 79…
            ("+46 78 123 45 67", "+46781234567"),
        ] {
            assert_eq!(
                Phone::parse(raw).map(Phone::into_e164),
                Ok(e164.to_string()),
                "{raw}"
            );
        }
    }

    /// `tests/vectors/phones.json`: what libphonenumber (google-libphonenumber, the release
    /// our metadata comes from) says of a few thousand numbers.
    #[derive(serde::Deserialize)]
    struct Vectors {
        source: String,
        vectors: Vec<Vector>,
    }

    #[derive(serde::Deserialize)]
    struct Vector {
        input: String,
        valid: bool,
        r#type: Option<String>,
        e164: Option<String>,
    }

    fn vectors() -> Vectors {
        serde_json::from_str(include_str!("../../tests/vectors/phones.json")).expect("JSON")
    }

    /// libphonenumber's name of a number type, as the vectors spell it.
    fn type_name(kind: Type) -> &'static str {
        match kind {
            Type::FixedLine => "FIXED_LINE",
            Type::Mobile => "MOBILE",
            Type::FixedLineOrMobile => "FIXED_LINE_OR_MOBILE",
            Type::TollFree => "TOLL_FREE",
            Type::PremiumRate => "PREMIUM_RATE",
            Type::SharedCost => "SHARED_COST",
            Type::PersonalNumber => "PERSONAL_NUMBER",
            Type::Voip => "VOIP",
            Type::Pager => "PAGER",
            Type::Uan => "UAN",
            Type::Voicemail => "VOICEMAIL",
            _ => "UNKNOWN",
        }
    }

    #[test]
    fn phone_parse_agrees_with_libphonenumber_on_every_vector() {
        let file = vectors();
        assert!(file.vectors.len() > 4000, "{}", file.vectors.len());
        let disagreements: Vec<String> = file
            .vectors
            .iter()
            .filter_map(|vector| {
                let sms = matches!(
                    vector.r#type.as_deref(),
                    Some("MOBILE" | "FIXED_LINE_OR_MOBILE")
                );
                let expected = vector.e164.clone().filter(|_| vector.valid && sms);
                let ours = Phone::parse(&vector.input).ok().map(Phone::into_e164);
                (ours != expected)
                    .then(|| format!("{}: {ours:?}, expected {expected:?}", vector.input))
            })
            .collect();
        assert!(
            disagreements.is_empty(),
            "{} disagreements with {}:\n{}",
            disagreements.len(),
            file.source,
            disagreements.join("\n")
        );
    }

    /// Numbers on which the crate's parser and libphonenumber differ, none an SMS can reach.
    const KNOWN_DIFFERENCES: [(&str, &str); 1] = [(
        "+375 801 123 4567",
        "Belarus toll-free 801…: after the country code the crate strips the trunk prefix 8 \
         that libphonenumber keeps (it checks the rest is still a possible number)",
    )];

    #[test]
    fn validity_and_type_agree_with_libphonenumber_on_every_vector() {
        let file = vectors();
        for (input, _why) in KNOWN_DIFFERENCES {
            assert!(
                file.vectors.iter().any(|vector| vector.input == input),
                "{input}"
            );
        }
        let disagreements: Vec<String> = file
            .vectors
            .iter()
            .filter(|vector| {
                !KNOWN_DIFFERENCES
                    .iter()
                    .any(|(input, _)| *input == vector.input)
            })
            .filter_map(|vector| {
                let ours = read(&vector.input)
                    .filter(|number| number.is_valid_with(&METADATA))
                    .filter(|number| number.extension().is_none())
                    .map(|number| {
                        type_name(kind(number.code().value(), &number.national().to_string()))
                    });
                let expected = vector.r#type.as_deref().filter(|_| vector.valid);
                (ours != expected)
                    .then(|| format!("{}: {ours:?}, expected {expected:?}", vector.input))
            })
            .collect();
        assert!(
            disagreements.is_empty(),
            "{} disagreements with {}:\n{}",
            disagreements.len(),
            file.source,
            disagreements.join("\n")
        );
    }

    /// What `Phone::parse` relies on to skip `is_valid_with`, which picks a number's region
    /// by the region list of its calling code and `by_id`: every region but the
    /// non-geographic `001` has an id the crate knows and only one calling code (so `by_id`
    /// finds the region `by_code` lists), and `001` is the only region of its codes.
    #[test]
    fn validity_follows_from_the_type() {
        let mut seen = std::collections::HashSet::new();
        for code in 1..=999u16 {
            let regions = METADATA.region(&code).unwrap_or_default();
            for region in &regions {
                if *region == "001" {
                    assert_eq!(regions.len(), 1, "+{code}");
                } else {
                    assert!(region.parse::<country::Id>().is_ok(), "{region}");
                    assert!(seen.insert(region.to_string()), "{region} twice");
                }
            }
        }
        assert!(seen.len() > 200, "{} regions", seen.len());
        for vector in vectors().vectors {
            if Phone::parse(&vector.input).is_ok() {
                let number = read(&vector.input).expect("it parsed");
                assert!(number.is_valid_with(&METADATA), "{}", vector.input);
            }
        }
    }

    #[test]
    fn metadata_patterns_are_anchored() {
        let mut patterns = 0;
        for meta in METADATA.iter() {
            let descriptors = meta.descriptors();
            let typed = TYPES.iter().filter_map(|&kind| descriptors.get(kind));
            for descriptor in std::iter::once(descriptors.general()).chain(typed) {
                let pattern = descriptor.national_number().as_str();
                assert!(
                    pattern.starts_with("^(?:") && pattern.ends_with(")$"),
                    "{}: {pattern}",
                    meta.id()
                );
                patterns += 1;
            }
        }
        assert!(patterns > 1000, "{patterns}");
    }

    #[test]
    fn our_pattern_matches_are_the_crates() {
        let mut numbers: Vec<PhoneNumber> = vectors()
            .vectors
            .iter()
            .filter_map(|vector| read(&vector.input))
            .collect();
        // By calling code, so the crate's regex cache (100 patterns) holds a region's patterns.
        numbers.sort_by_key(|number| number.code().value());
        let mut compared = 0;
        for number in &numbers {
            let national = number.national().to_string();
            for meta in METADATA.by_code(&number.code().value()).unwrap_or_default() {
                let region = RegionPatterns::of(meta);
                let matched = region.matches(&national);
                let descriptors = meta.descriptors();
                assert_eq!(
                    matched(GENERAL),
                    descriptors.general().is_match(&national),
                    "{national}"
                );
                for (index, &kind) in region.kinds.iter().enumerate() {
                    let descriptor = descriptors.get(kind).expect("only the region's types");
                    assert_eq!(
                        matched(index + 1),
                        descriptor.is_match(&national),
                        "{national} {kind:?}"
                    );
                    compared += 1;
                }
            }
        }
        assert!(compared > 10_000, "{compared}");
    }

    /// Dutch numbers in every shape the shortcut takes: each leading four digits, a few
    /// endings, national and international, with and without separators.
    fn dutch_inputs() -> Vec<String> {
        let mut inputs = Vec::new();
        for prefix in 100..1_000 {
            for ending in ["000000", "123456", "987654", "555123"] {
                let national = format!("{prefix}{ending}");
                let (head, tail) = national.split_at(1);
                inputs.extend([
                    format!("0{national}"),
                    format!("0{head} {tail}"),
                    format!("0{head}-{}-{}", &tail[..4], &tail[4..]),
                    format!("+31{national}"),
                    format!("+31 {head} {} {}", &tail[..4], &tail[4..]),
                    format!("0031{national}"),
                    format!(" 0031 {head}-{tail} "),
                ]);
            }
        }
        inputs
    }

    #[test]
    fn dutch_shortcut_reads_as_the_crate() {
        let inputs = dutch_inputs();
        let vectors = vectors().vectors.into_iter().map(|vector| vector.input);
        let mut shortcuts = 0;
        for input in inputs.into_iter().chain(vectors) {
            let Some(national) = dutch_national(&input) else {
                continue;
            };
            let number = read(&input).expect("the crate reads what the shortcut reads");
            assert_eq!(number.code().value(), NETHERLANDS, "{input}");
            assert_eq!(number.national().to_string(), national, "{input}");
            assert!(number.extension().is_none(), "{input}");
            shortcuts += 1;
        }
        assert!(shortcuts > 25_000, "{shortcuts}");
    }

    #[test]
    fn the_shortcut_leaves_other_shapes_to_the_crate() {
        for raw in [
            "06 1234 567",       // eight digits after the 0
            "+31 06 12345678",   // a trunk 0 after the country code
            "+31 (0)6 12345678", // brackets
            "06.12.34.56.78",    // dots
            "0031 06 12345678",
            "0612345678 ext. 12",
            "+44 7911 123456",
            "-0612345678",
            "",
        ] {
            assert_eq!(dutch_national(raw), None, "{raw:?}");
        }
        assert_eq!(
            Phone::parse("+31 (0)6 12345678").map(Phone::into_e164),
            Ok("+31612345678".to_owned())
        );
    }

    #[test]
    fn e164_is_written_as_the_crates_formatter_writes_it() {
        for vector in vectors().vectors {
            let Some(number) = read(&vector.input) else {
                continue;
            };
            if let Ok(phone) = Phone::parse(&vector.input) {
                let formatted = number.format_with(&METADATA).mode(phonenumber::Mode::E164);
                assert_eq!(phone.e164(), formatted.to_string(), "{}", vector.input);
            }
        }
    }

    #[test]
    fn debug_never_shows_the_number() {
        let phone = Phone::parse("0612345678").expect("valid");
        assert_eq!(format!("{phone:?}"), "Phone(<redacted>)");
    }
}
