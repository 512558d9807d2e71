//! Canonical addresses (SPEC §5.2): trimmed, ASCII letters lower-cased, the domain in its
//! IDNA ASCII form (punycode) and shaped as a mail domain. A non-ASCII local part keeps its
//! case: how an SMTPUTF8 mailbox folds case is its server's business, and lower-casing it
//! here would need Unicode's case tables in the panel's WASM too. The one implementation of that form: the server's
//! rules ([`crate::address`]) and the panel (which keys typed numbers and the verdict's rows
//! by it) both call [`address_with`], and the send handler's JavaScript is held to the same
//! vectors (`tests/vectors/addresses.json`).
//!
//! Only UTS #46 ToASCII, the Unicode mapping itself, is passed in: the server uses the `idna`
//! crate ([`address`]); the panel uses the browser's URL parser, which implements the same
//! standard, because the crate's Unicode tables would add 66 KB (gzip) to the panel's WASM,
//! past its size budget. The shared vectors prove the two agree.

/// The canonical form of `raw`, with `to_ascii` (UTS #46 ToASCII of a whole domain) for the
/// Unicode part; `None` when its domain is not a mail domain. Nothing is said about the local
/// part: [`crate::address::Address`] checks the addr-spec.
pub fn address_with(raw: &str, to_ascii: impl FnOnce(&str) -> Option<String>) -> Option<String> {
    let lowered = raw.trim().to_ascii_lowercase();
    let (local, domain) = lowered.rsplit_once('@')?;
    Some(format!("{local}@{}", domain_with(domain, to_ascii)?))
}

/// The ASCII form of a mail domain, under the rules of [`address_with`].
pub fn domain_with(raw: &str, to_ascii: impl FnOnce(&str) -> Option<String>) -> Option<String> {
    if raw.is_empty() || raw.ends_with('.') {
        return None;
    }
    let ascii = to_ascii(raw)?.to_ascii_lowercase();
    is_mail_domain(&ascii).then_some(ascii)
}

/// At least two labels, each of letters, digits and inner hyphens (the STD3 host rules).
fn is_mail_domain(ascii: &str) -> bool {
    ascii.split('.').count() >= 2
        && ascii.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// [`address_with`] the `idna` crate's strict ToASCII.
#[cfg(feature = "rules")]
pub fn address(raw: &str) -> Option<String> {
    let lowered = raw.trim().to_ascii_lowercase();
    match last_at(&lowered) {
        Some(at) if is_plain_domain(&lowered[at + 1..]) => Some(lowered),
        _ => address_with(raw, idna_to_ascii),
    }
}

/// Where the last `@` is. Addresses are short: a plain loop beats `memrchr`'s set-up.
#[cfg(feature = "rules")]
pub(crate) fn last_at(address: &str) -> Option<usize> {
    address.bytes().rposition(|b| b == b'@')
}

/// [`domain_with`] the `idna` crate's strict ToASCII.
#[cfg(feature = "rules")]
pub fn domain_to_ascii(raw: &str) -> Option<String> {
    let lowered = raw.to_ascii_lowercase();
    if is_plain_domain(&lowered) {
        return Some(lowered);
    }
    domain_with(raw, idna_to_ascii)
}

/// A lower-cased mail domain that strict ToASCII returns unchanged, so the common case skips
/// the UTS #46 machinery (and its allocations): only letters, digits and hyphens, no label
/// with `--` at its third and fourth character (`xn--` punycode and the forms UTS #46
/// reserves, which the `idna` crate checks), within DNS lengths. Anything else goes through
/// the `idna` crate, so the result is the same either way. One pass over the bytes: this runs
/// for every address of every check.
#[cfg(feature = "rules")]
pub(crate) fn is_plain_domain(domain: &str) -> bool {
    if domain.len() > 253 {
        return false;
    }
    let (mut labels, mut label_len, mut previous) = (1, 0, b'.');
    for &b in domain.as_bytes() {
        match b {
            b'a'..=b'z' | b'0'..=b'9' => label_len += 1,
            // Not first in a label, and not the second of `xx--`.
            b'-' if previous != b'.' && !(previous == b'-' && label_len == 3) => label_len += 1,
            // Not after an empty label or a hyphen.
            b'.' if previous != b'.' && previous != b'-' => (labels, label_len) = (labels + 1, 0),
            _ => return false,
        }
        if label_len > 63 {
            return false;
        }
        previous = b;
    }
    labels >= 2 && previous != b'.' && previous != b'-'
}

#[cfg(feature = "rules")]
pub(crate) fn idna_to_ascii(domain: &str) -> Option<String> {
    idna::domain_to_ascii_strict(domain).ok()
}

#[cfg(all(test, feature = "rules"))]
#[allow(clippy::expect_used, reason = "a test stops at the line that failed")]
mod tests {
    use serde::Deserialize;

    use super::*;

    /// One case of `tests/vectors/addresses.json`, shared with the panel's and the send
    /// handler's tests.
    #[derive(Deserialize)]
    struct Vector {
        raw: String,
        /// `null`: the domain is not a mail domain.
        canonical: Option<String>,
    }

    fn vectors() -> Vec<Vector> {
        serde_json::from_str(include_str!("../../tests/vectors/addresses.json"))
            .expect("the address vectors")
    }

    #[test]
    fn the_shared_vectors_hold() {
        let vectors = vectors();
        assert!(vectors.len() >= 20, "{} vectors", vectors.len());
        for vector in vectors {
            assert_eq!(address(&vector.raw), vector.canonical, "{:?}", vector.raw);
        }
    }

    /// The plain-ASCII shortcut in [`address`] and [`domain_to_ascii`] gives what the `idna`
    /// crate gives, for every label of up to five characters over letters of both cases,
    /// digits and hyphens (so every `xn--` and `ab--` form), and for the edge cases below.
    #[test]
    fn the_ascii_shortcut_agrees_with_idna() {
        let mut labels = vec![String::new()];
        let mut last = labels.clone();
        for _ in 0..5 {
            last = last
                .iter()
                .flat_map(|label| ['x', 'N', '0', '-'].map(|c| format!("{label}{c}")))
                .collect();
            labels.extend(last.iter().cloned());
        }
        let long = |n: usize| "a".repeat(n);
        let mut domains: Vec<String> = labels
            .iter()
            .flat_map(|label| [format!("{label}.nl"), format!("zorg.{label}")])
            .collect();
        domains.extend(
            [
                "ZorgMail.NL",
                "lms.lifeline.nl",
                "xn--zrg-sna.nl",
                "XN--ZRG-SNA.NL",
                "xn--invalid-.nl",
                "xn--.nl",
                "ab--cd.nl",
                "a--b.nl",
                "zörg.nl",
                "ZÖRG.nl",
                "zorg.nl.",
                ".zorg.nl",
                "zorg..nl",
                "zorg",
                "zorg_x.nl",
                "zorg x.nl",
                "zorg.123",
                "",
                "\u{200d}zorg.nl",
                "ｚｏｒｇ.nl",
                "zorg。nl",
            ]
            .map(String::from),
        );
        domains.extend([
            format!("{}.nl", long(63)),
            format!("{}.nl", long(64)),
            format!("{}.{}.{}.{}", long(63), long(63), long(63), long(61)),
            format!("{}.{}.{}.{}", long(63), long(63), long(63), long(62)),
        ]);
        for domain in &domains {
            assert_eq!(
                domain_to_ascii(domain),
                domain_with(domain, idna_to_ascii),
                "{domain:?}"
            );
            for raw in [format!("Info@{domain}"), format!(" a.B@{domain} ")] {
                assert_eq!(address(&raw), address_with(&raw, idna_to_ascii), "{raw:?}");
            }
        }
        assert!(is_plain_domain("zorgmail.nl") && is_plain_domain(&format!("{}.nl", long(63))));
        assert!(!is_plain_domain("xn--zrg-sna.nl") && !is_plain_domain("zorg.nl."));
    }

    #[test]
    fn a_lenient_to_ascii_is_held_to_the_mail_domain_shape() {
        // As a browser's URL parser is: it keeps `_`, empty labels and a single label.
        let lenient = |domain: &str| Some(domain.to_owned());
        for raw in [
            "info@zorg_x.nl",
            "info@zorg..nl",
            "info@zorg",
            "info@-zorg.nl",
        ] {
            assert_eq!(address_with(raw, lenient), None, "{raw}");
        }
        assert_eq!(
            address_with(" Info@Zorg.NL ", lenient).as_deref(),
            Some("info@zorg.nl")
        );
    }
}
