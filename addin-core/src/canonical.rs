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
    address_with(raw, idna_to_ascii)
}

/// [`domain_with`] the `idna` crate's strict ToASCII.
#[cfg(feature = "rules")]
pub fn domain_to_ascii(raw: &str) -> Option<String> {
    domain_with(raw, idna_to_ascii)
}

#[cfg(feature = "rules")]
fn idna_to_ascii(domain: &str) -> Option<String> {
    idna::domain_to_ascii_strict(domain).ok()
}

#[cfg(all(test, feature = "rules"))]
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
