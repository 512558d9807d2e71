//! The countries a phone number can be from: ISO 3166 code, ITU calling code and the length of
//! their mobile numbers. The task pane's picker shows them (addin-ui `phone.rs`); here, without
//! the `rules` feature, so the panel's WASM gets the table and not libphonenumber's metadata,
//! while the tests hold the table to that metadata.

use std::ops::RangeInclusive;

/// A country: ISO 3166 code, calling code, and the length range of its mobile numbers'
/// national significant part (without a trunk `0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Country {
    pub iso: &'static str,
    pub calling_code: &'static str,
    min: u8,
    max: u8,
}

impl Country {
    /// How long the national part of a mobile number can be. Where the maximum is not listed,
    /// the longest E.164 allows after the calling code.
    pub fn mobile_lengths(&self) -> RangeInclusive<usize> {
        let longest = if self.max > 0 {
            usize::from(self.max)
        } else {
            15 - self.calling_code.len()
        };
        usize::from(self.min)..=longest
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

/// Every country with its ITU calling code (territories included), sorted by ISO code.
pub const COUNTRIES: &[Country] = &[
    c("AC", "247", 5, 5),
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
    c("AT", "43", 7, 13),
    c("AU", "61", 9, 9),
    c("AW", "297", 7, 7),
    c("AX", "358", 6, 0),
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
    c("CD", "243", 7, 9),
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
    c("FI", "358", 6, 10),
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
    c("GM", "220", 7, 9),
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
    c("MM", "95", 7, 10),
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
    c("NU", "683", 4, 7),
    c("NZ", "64", 8, 10),
    c("OM", "968", 8, 8),
    c("PA", "507", 7, 8),
    c("PE", "51", 9, 9),
    c("PF", "689", 8, 8),
    c("PG", "675", 8, 8),
    c("PH", "63", 10, 10),
    c("PK", "92", 10, 10),
    c("PL", "48", 9, 9),
    c("PM", "508", 6, 9),
    c("PR", "1", 10, 10),
    c("PS", "970", 9, 9),
    c("PT", "351", 9, 9),
    c("PW", "680", 7, 7),
    c("PY", "595", 9, 9),
    c("QA", "974", 8, 8),
    c("RE", "262", 9, 9),
    c("RO", "40", 9, 9),
    c("RS", "381", 8, 10),
    c("RU", "7", 10, 10),
    c("RW", "250", 9, 9),
    c("SA", "966", 9, 9),
    c("SB", "677", 5, 7),
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
    c("WS", "685", 7, 10),
    c("XK", "383", 8, 9),
    c("YE", "967", 9, 9),
    c("YT", "262", 9, 9),
    c("ZA", "27", 5, 9),
    c("ZM", "260", 9, 9),
    c("ZW", "263", 9, 9),
];

pub fn country(iso: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|country| country.iso == iso)
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let lengths = country.mobile_lengths();
            assert!(*lengths.start() >= 4 && lengths.start() <= lengths.end());
            assert!(
                country.calling_code.len() + lengths.end() <= 15,
                "{country:?}"
            );
        }
    }

    /// The table against libphonenumber's metadata (`phone.rs`), region by region.
    #[cfg(feature = "rules")]
    mod metadata {
        use super::super::*;
        use crate::phone::METADATA;

        #[test]
        fn every_calling_code_is_libphonenumbers() {
            for country in COUNTRIES {
                let meta = METADATA.by_id(country.iso).expect(country.iso);
                assert_eq!(
                    country.calling_code,
                    meta.country_code().to_string(),
                    "{}",
                    country.iso
                );
            }
        }

        #[test]
        fn every_region_with_mobile_numbers_is_in_the_table() {
            let missing: Vec<&str> = METADATA
                .iter()
                .filter(|meta| meta.id() != "001" && meta.descriptors().mobile().is_some())
                .map(|meta| meta.id())
                .filter(|iso| country(iso).is_none())
                .collect();
            assert!(missing.is_empty(), "{missing:?}");
        }

        /// Mobile lengths the table leaves out on purpose. Dutch 11-digit mobiles are the
        /// `097…` machine-to-machine range, which no patient has; taking them in would show
        /// the save icon too early (at 10 digits) for every `06` number.
        const LEFT_OUT: [(&str, u16); 1] = [("NL", 11)];

        #[test]
        fn every_mobile_length_is_within_the_tables_range() {
            let outside: Vec<String> = COUNTRIES
                .iter()
                .filter_map(|country| {
                    let meta = METADATA.by_id(country.iso)?;
                    let lengths = meta.descriptors().mobile()?.possible_length();
                    let range = country.mobile_lengths();
                    let outside = lengths.iter().any(|&length| {
                        !range.contains(&usize::from(length))
                            && !LEFT_OUT.contains(&(country.iso, length))
                    });
                    outside.then(|| format!("{} {range:?}: {lengths:?}", country.iso))
                })
                .collect();
            assert!(outside.is_empty(), "{}", outside.join("\n"));
        }
    }
}
