//! The phone input's logic (manual §1.10, §4.6), kept free of the browser so it is tested
//! natively: the picker's order, composing the number the check receives, and the "looks
//! complete" heuristic that shows the save icon. The country table is addin-core's, tested
//! there against libphonenumber's metadata.
//!
//! Whether a number is *valid* is the server's call (libphonenumber, SPEC §5.3); the panel
//! only decides when offering to save makes sense.

use addin_core::api::Language;
pub use addin_core::country::{COUNTRIES, Country, country};

/// The countries of the panel's languages, shown first in the picker (SPEC §6).
pub const FIRST: [&str; 3] = ["NL", "GB", "DE"];

/// Where a calling code is shared (+1, +7, +44, +47, +61, +262, +590, +599), the country
/// a number is shown under when it comes back from the server.
const PREFERRED: [&str; 10] = ["NL", "GB", "DE", "US", "RU", "IT", "NO", "AU", "RE", "GP"];

/// The picker's default: the country of the panel's language (manual §1.10).
pub fn default_country(language: Language) -> &'static str {
    match language {
        Language::Nl => "NL",
        Language::En => "GB",
        Language::De => "DE",
    }
}

/// The picker's order: NL, GB, DE, then every other country alphabetically by its name in
/// the panel's language (`name` gives it; accents do not disturb the order).
pub fn ordered(name: impl Fn(&Country) -> String) -> Vec<(&'static Country, String)> {
    let mut rest: Vec<(&'static Country, String)> = COUNTRIES
        .iter()
        .filter(|country| !FIRST.contains(&country.iso))
        .map(|country| (country, name(country)))
        .collect();
    rest.sort_by_cached_key(|(country, shown)| (fold(shown), country.iso));
    FIRST
        .iter()
        .filter_map(|iso| country(iso))
        .map(|country| (country, name(country)))
        .chain(rest)
        .collect()
}

/// Lower case without diacritics, for sorting "Åland" with the A's and "Österreich" with O.
/// Latin letters only (country names in NL/EN/DE need no more), so the WASM carries no
/// Unicode case tables.
fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'A'..='Z' => c.to_ascii_lowercase(),
            // Latin-1 capitals À–Þ (not ×) have their small letter 0x20 higher.
            '\u{c0}'..='\u{de}' if c != '\u{d7}' => char::from_u32(c as u32 + 0x20).unwrap_or(c),
            'Č' => 'č',
            'Š' => 'š',
            'Ž' => 'ž',
            other => other,
        })
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => 'a',
            'ç' | 'č' | 'ć' => 'c',
            'è' | 'é' | 'ê' | 'ë' | 'ē' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            'š' => 's',
            'ž' => 'z',
            other => other,
        })
        .filter(|c| !c.is_ascii_punctuation())
        .collect()
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// An international number typed as such: `+31 6 …` or `0031 6 …`; its digits after the `+`.
fn international(text: &str) -> Option<String> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('+') {
        Some(digits(trimmed))
    } else if trimmed.starts_with("00") {
        Some(digits(trimmed)[2..].to_owned())
    } else {
        None
    }
}

/// The national significant number: the digits without a trunk prefix (`06…` → `6…`).
fn national(text: &str) -> String {
    digits(text).trim_start_matches('0').to_owned()
}

/// The number as the check receives it in the draft's `phones`: `+<calling code><national>`,
/// or what was typed internationally. `None` when nothing (no digit) was typed.
pub fn compose(country: &Country, text: &str) -> Option<String> {
    let number = match international(text) {
        Some(all) => all,
        None => format!("{}{}", country.calling_code, national(text)),
    };
    let typed_something = text.chars().any(|c| c.is_ascii_digit());
    typed_something.then(|| format!("+{number}"))
}

/// Whether the number looks complete enough to offer saving it (the save icon, manual §4.6).
pub fn looks_complete(country: &Country, text: &str) -> bool {
    match international(text) {
        Some(all) => match split_digits(&all) {
            Some((country, rest)) => fits(country, rest.len()),
            None => (8..=15).contains(&all.len()),
        },
        None => fits(country, national(text).len()),
    }
}

fn fits(country: &Country, length: usize) -> bool {
    country.mobile_lengths().contains(&length)
}

/// The country and national part of a number in E.164 (`+31612345678` → NL, `612345678`),
/// to show a saved number in the picker and the field.
pub fn split(e164: &str) -> Option<(&'static Country, String)> {
    let all = e164.strip_prefix('+')?;
    if all.is_empty() || !all.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    split_digits(all).map(|(country, rest)| (country, rest.to_owned()))
}

/// The longest calling code `all` starts with, under the preferred country of that code.
fn split_digits(all: &str) -> Option<(&'static Country, &str)> {
    let code = COUNTRIES
        .iter()
        .map(|country| country.calling_code)
        .filter(|code| all.starts_with(code))
        .max_by_key(|code| code.len())?;
    let country = PREFERRED
        .iter()
        .filter_map(|iso| country(iso))
        .chain(COUNTRIES.iter())
        .find(|country| country.calling_code == code)?;
    Some((country, &all[code.len()..]))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn nl() -> &'static Country {
        country("NL").expect("NL is in the table")
    }

    #[test]
    fn the_picker_shows_nl_gb_de_first_then_the_rest_alphabetically() {
        // Names as a Dutch browser gives them, for a few; the ISO code for the rest.
        let name = |country: &Country| match country.iso {
            "NL" => "Nederland".to_owned(),
            "GB" => "Verenigd Koninkrijk".to_owned(),
            "DE" => "Duitsland".to_owned(),
            "AX" => "Åland".to_owned(),
            "AT" => "Oostenrijk".to_owned(),
            "BE" => "België".to_owned(),
            "AF" => "Afghanistan".to_owned(),
            iso => format!("zz {iso}"),
        };
        let order = ordered(name);
        let isos: Vec<&str> = order.iter().map(|(country, _)| country.iso).collect();
        assert_eq!(&isos[..3], ["NL", "GB", "DE"]);
        assert_eq!(&isos[3..7], ["AF", "AX", "BE", "AT"]);
        assert_eq!(isos.len(), COUNTRIES.len());
        assert_eq!(isos.iter().collect::<BTreeSet<_>>().len(), COUNTRIES.len());
    }

    #[test]
    fn the_default_country_follows_the_panel_language() {
        assert_eq!(default_country(Language::Nl), "NL");
        assert_eq!(default_country(Language::En), "GB");
        assert_eq!(default_country(Language::De), "DE");
    }

    #[test]
    fn numbers_are_composed_in_international_form() {
        assert_eq!(
            compose(nl(), "06 1234 5678").as_deref(),
            Some("+31612345678")
        );
        assert_eq!(compose(nl(), "612345678").as_deref(), Some("+31612345678"));
        assert_eq!(
            compose(nl(), "+44 7700 900123").as_deref(),
            Some("+447700900123")
        );
        assert_eq!(
            compose(nl(), "0049 151 2345678").as_deref(),
            Some("+491512345678")
        );
        assert_eq!(compose(nl(), "  "), None);
        assert_eq!(compose(nl(), "-"), None);
    }

    #[test]
    fn a_number_looks_complete_at_its_countrys_mobile_length() {
        assert!(!looks_complete(nl(), "06 1234 567"));
        assert!(looks_complete(nl(), "06 1234 5678"));
        assert!(looks_complete(nl(), "6 1234 5678"));
        assert!(!looks_complete(nl(), "06 1234 56789"));
        let de = country("DE").expect("DE");
        assert!(!looks_complete(de, "0151 234567"));
        assert!(looks_complete(de, "0151 2345678"));
        assert!(looks_complete(de, "01512 3456789"));
        let gb = country("GB").expect("GB");
        assert!(looks_complete(gb, "07700 900123"));
        // Typed internationally, the number's own country counts, not the picker's.
        assert!(looks_complete(nl(), "+44 7700 900123"));
        assert!(!looks_complete(nl(), "+44 7700 9001"));
        assert!(looks_complete(nl(), "0031 6 12345678"));
        assert!(!looks_complete(nl(), ""));
    }

    #[test]
    fn saved_numbers_are_split_back_into_country_and_number() {
        let (country, rest) = split("+31612345678").expect("splits");
        assert_eq!((country.iso, rest.as_str()), ("NL", "612345678"));
        let (country, rest) = split("+447700900123").expect("splits");
        assert_eq!((country.iso, rest.as_str()), ("GB", "7700900123"));
        let (country, _) = split("+12025550123").expect("splits");
        assert_eq!(country.iso, "US");
        let (country, rest) = split("+5997123456").expect("splits");
        assert_eq!((country.iso, rest.as_str()), ("BQ", "7123456"));
        assert_eq!(split("31612345678"), None);
        assert_eq!(split("+"), None);
        assert_eq!(split("+31 6"), None);
    }
}
