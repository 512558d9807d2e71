//! The phone input's logic (manual §1.10, §4.6), kept free of the browser so it is tested
//! natively: the country table, the picker's order, composing the number the check receives,
//! and the "looks complete" heuristic that shows the save icon.
//!
//! Whether a number is *valid* is the server's call (libphonenumber, SPEC §5.3); the panel
//! only decides when offering to save makes sense.

use addin_core::api::Language;

/// A country in the picker: ISO 3166 code, calling code, and the length range of its mobile
/// numbers' national significant part (without a trunk `0`), used by [`looks_complete`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Country {
    pub iso: &'static str,
    pub calling_code: &'static str,
    min: u8,
    max: u8,
}

impl Country {
    /// The longest national part E.164 allows after this calling code.
    fn longest(&self) -> usize {
        if self.max > 0 {
            usize::from(self.max)
        } else {
            15 - self.calling_code.len()
        }
    }

    fn shortest(&self) -> usize {
        usize::from(self.min)
    }
}

/// `(iso, calling code, min, max)`; 0 as max means "what E.164 allows". Where a country's
/// mobile length is not listed, 7 digits is the (lenient) minimum: a too-early save icon only
/// costs a server-side refusal, a missing one would block the user.
const fn c(iso: &'static str, calling_code: &'static str, min: u8, max: u8) -> Country {
    Country {
        iso,
        calling_code,
        min,
        max,
    }
}

/// Every country with its ITU calling code (territories included).
pub const COUNTRIES: &[Country] = &[
    c("AD", "376", 6, 0),
    c("AE", "971", 9, 9),
    c("AF", "93", 9, 9),
    c("AG", "1", 10, 10),
    c("AI", "1", 10, 10),
    c("AL", "355", 9, 9),
    c("AM", "374", 8, 8),
    c("AO", "244", 9, 9),
    c("AR", "54", 10, 11),
    c("AS", "1", 10, 10),
    c("AT", "43", 10, 13),
    c("AU", "61", 9, 9),
    c("AW", "297", 7, 7),
    c("AX", "358", 7, 0),
    c("AZ", "994", 9, 9),
    c("BA", "387", 8, 9),
    c("BB", "1", 10, 10),
    c("BD", "880", 10, 10),
    c("BE", "32", 9, 9),
    c("BF", "226", 8, 8),
    c("BG", "359", 8, 9),
    c("BH", "973", 8, 8),
    c("BI", "257", 8, 8),
    c("BJ", "229", 8, 10),
    c("BL", "590", 9, 9),
    c("BM", "1", 10, 10),
    c("BN", "673", 7, 7),
    c("BO", "591", 8, 8),
    c("BQ", "599", 7, 7),
    c("BR", "55", 10, 11),
    c("BS", "1", 10, 10),
    c("BT", "975", 8, 8),
    c("BW", "267", 7, 8),
    c("BY", "375", 9, 9),
    c("BZ", "501", 7, 7),
    c("CA", "1", 10, 10),
    c("CC", "61", 9, 9),
    c("CD", "243", 9, 9),
    c("CF", "236", 8, 8),
    c("CG", "242", 9, 9),
    c("CH", "41", 9, 9),
    c("CI", "225", 8, 10),
    c("CK", "682", 5, 5),
    c("CL", "56", 9, 9),
    c("CM", "237", 8, 9),
    c("CN", "86", 11, 11),
    c("CO", "57", 10, 10),
    c("CR", "506", 8, 8),
    c("CU", "53", 8, 8),
    c("CV", "238", 7, 7),
    c("CW", "599", 7, 8),
    c("CX", "61", 9, 9),
    c("CY", "357", 8, 8),
    c("CZ", "420", 9, 9),
    c("DE", "49", 10, 11),
    c("DJ", "253", 8, 8),
    c("DK", "45", 8, 8),
    c("DM", "1", 10, 10),
    c("DO", "1", 10, 10),
    c("DZ", "213", 9, 9),
    c("EC", "593", 9, 9),
    c("EE", "372", 7, 8),
    c("EG", "20", 10, 10),
    c("EH", "212", 9, 9),
    c("ER", "291", 7, 7),
    c("ES", "34", 9, 9),
    c("ET", "251", 9, 9),
    c("FI", "358", 7, 10),
    c("FJ", "679", 7, 7),
    c("FK", "500", 5, 5),
    c("FM", "691", 7, 7),
    c("FO", "298", 6, 6),
    c("FR", "33", 9, 9),
    c("GA", "241", 7, 8),
    c("GB", "44", 10, 10),
    c("GD", "1", 10, 10),
    c("GE", "995", 9, 9),
    c("GF", "594", 9, 9),
    c("GG", "44", 10, 10),
    c("GH", "233", 9, 9),
    c("GI", "350", 8, 8),
    c("GL", "299", 6, 6),
    c("GM", "220", 7, 7),
    c("GN", "224", 9, 9),
    c("GP", "590", 9, 9),
    c("GQ", "240", 9, 9),
    c("GR", "30", 10, 10),
    c("GT", "502", 8, 8),
    c("GU", "1", 10, 10),
    c("GW", "245", 9, 9),
    c("GY", "592", 7, 7),
    c("HK", "852", 8, 8),
    c("HN", "504", 8, 8),
    c("HR", "385", 8, 9),
    c("HT", "509", 8, 8),
    c("HU", "36", 9, 9),
    c("ID", "62", 9, 12),
    c("IE", "353", 9, 9),
    c("IL", "972", 9, 9),
    c("IM", "44", 10, 10),
    c("IN", "91", 10, 10),
    c("IO", "246", 7, 7),
    c("IQ", "964", 10, 10),
    c("IR", "98", 10, 10),
    c("IS", "354", 7, 9),
    c("IT", "39", 9, 10),
    c("JE", "44", 10, 10),
    c("JM", "1", 10, 10),
    c("JO", "962", 9, 9),
    c("JP", "81", 10, 10),
    c("KE", "254", 9, 9),
    c("KG", "996", 9, 9),
    c("KH", "855", 8, 9),
    c("KI", "686", 8, 8),
    c("KM", "269", 7, 7),
    c("KN", "1", 10, 10),
    c("KP", "850", 8, 10),
    c("KR", "82", 9, 10),
    c("KW", "965", 8, 8),
    c("KY", "1", 10, 10),
    c("KZ", "7", 10, 10),
    c("LA", "856", 9, 10),
    c("LB", "961", 7, 8),
    c("LC", "1", 10, 10),
    c("LI", "423", 7, 9),
    c("LK", "94", 9, 9),
    c("LR", "231", 7, 9),
    c("LS", "266", 8, 8),
    c("LT", "370", 8, 8),
    c("LU", "352", 9, 9),
    c("LV", "371", 8, 8),
    c("LY", "218", 9, 9),
    c("MA", "212", 9, 9),
    c("MC", "377", 8, 9),
    c("MD", "373", 8, 8),
    c("ME", "382", 8, 8),
    c("MF", "590", 9, 9),
    c("MG", "261", 9, 9),
    c("MH", "692", 7, 7),
    c("MK", "389", 8, 8),
    c("ML", "223", 8, 8),
    c("MM", "95", 8, 10),
    c("MN", "976", 8, 8),
    c("MO", "853", 8, 8),
    c("MP", "1", 10, 10),
    c("MQ", "596", 9, 9),
    c("MR", "222", 8, 8),
    c("MS", "1", 10, 10),
    c("MT", "356", 8, 8),
    c("MU", "230", 8, 8),
    c("MV", "960", 7, 7),
    c("MW", "265", 9, 9),
    c("MX", "52", 10, 10),
    c("MY", "60", 9, 10),
    c("MZ", "258", 9, 9),
    c("NA", "264", 9, 9),
    c("NC", "687", 6, 6),
    c("NE", "227", 8, 8),
    c("NF", "672", 6, 6),
    c("NG", "234", 10, 10),
    c("NI", "505", 8, 8),
    c("NL", "31", 9, 9),
    c("NO", "47", 8, 8),
    c("NP", "977", 10, 10),
    c("NR", "674", 7, 7),
    c("NU", "683", 4, 4),
    c("NZ", "64", 8, 10),
    c("OM", "968", 8, 8),
    c("PA", "507", 8, 8),
    c("PE", "51", 9, 9),
    c("PF", "689", 8, 8),
    c("PG", "675", 8, 8),
    c("PH", "63", 10, 10),
    c("PK", "92", 10, 10),
    c("PL", "48", 9, 9),
    c("PM", "508", 6, 6),
    c("PR", "1", 10, 10),
    c("PS", "970", 9, 9),
    c("PT", "351", 9, 9),
    c("PW", "680", 7, 7),
    c("PY", "595", 9, 9),
    c("QA", "974", 8, 8),
    c("RE", "262", 9, 9),
    c("RO", "40", 9, 9),
    c("RS", "381", 8, 9),
    c("RU", "7", 10, 10),
    c("RW", "250", 9, 9),
    c("SA", "966", 9, 9),
    c("SB", "677", 7, 7),
    c("SC", "248", 7, 7),
    c("SD", "249", 9, 9),
    c("SE", "46", 9, 9),
    c("SG", "65", 8, 8),
    c("SH", "290", 5, 5),
    c("SI", "386", 8, 8),
    c("SJ", "47", 8, 8),
    c("SK", "421", 9, 9),
    c("SL", "232", 8, 8),
    c("SM", "378", 6, 10),
    c("SN", "221", 9, 9),
    c("SO", "252", 7, 9),
    c("SR", "597", 7, 7),
    c("SS", "211", 9, 9),
    c("ST", "239", 7, 7),
    c("SV", "503", 8, 8),
    c("SX", "1", 10, 10),
    c("SY", "963", 9, 9),
    c("SZ", "268", 8, 8),
    c("TC", "1", 10, 10),
    c("TD", "235", 8, 8),
    c("TG", "228", 8, 8),
    c("TH", "66", 9, 9),
    c("TJ", "992", 9, 9),
    c("TK", "690", 4, 7),
    c("TL", "670", 8, 8),
    c("TM", "993", 8, 8),
    c("TN", "216", 8, 8),
    c("TO", "676", 7, 7),
    c("TR", "90", 10, 10),
    c("TT", "1", 10, 10),
    c("TV", "688", 6, 7),
    c("TW", "886", 9, 9),
    c("TZ", "255", 9, 9),
    c("UA", "380", 9, 9),
    c("UG", "256", 9, 9),
    c("US", "1", 10, 10),
    c("UY", "598", 8, 8),
    c("UZ", "998", 9, 9),
    c("VA", "39", 9, 10),
    c("VC", "1", 10, 10),
    c("VE", "58", 10, 10),
    c("VG", "1", 10, 10),
    c("VI", "1", 10, 10),
    c("VN", "84", 9, 10),
    c("VU", "678", 7, 7),
    c("WF", "681", 6, 6),
    c("WS", "685", 7, 8),
    c("XK", "383", 8, 9),
    c("YE", "967", 9, 9),
    c("YT", "262", 9, 9),
    c("ZA", "27", 9, 9),
    c("ZM", "260", 9, 9),
    c("ZW", "263", 9, 9),
];

/// The countries of the panel's languages, shown first in the picker (SPEC §6).
pub const FIRST: [&str; 3] = ["NL", "GB", "DE"];

/// Where a calling code is shared (+1, +7, +44, +47, +61, +262, +590, +599), the country
/// a number is shown under when it comes back from the server.
const PREFERRED: [&str; 10] = ["NL", "GB", "DE", "US", "RU", "IT", "NO", "AU", "RE", "GP"];

pub fn country(iso: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|country| country.iso == iso)
}

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
    (country.shortest()..=country.longest()).contains(&length)
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
    fn the_table_is_sorted_unique_and_well_formed() {
        assert!(COUNTRIES.len() > 230, "{}", COUNTRIES.len());
        assert!(COUNTRIES.windows(2).all(|pair| pair[0].iso < pair[1].iso));
        for country in COUNTRIES {
            assert_eq!(country.iso.len(), 2, "{country:?}");
            assert!(country.iso.chars().all(|c| c.is_ascii_uppercase()));
            assert!((1..=3).contains(&country.calling_code.len()), "{country:?}");
            assert!(country.calling_code.chars().all(|c| c.is_ascii_digit()));
            assert!(!country.calling_code.starts_with('0'), "{country:?}");
            assert!(country.shortest() >= 4 && country.shortest() <= country.longest());
            assert!(
                country.calling_code.len() + country.longest() <= 15,
                "{country:?}"
            );
        }
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
