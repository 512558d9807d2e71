//! The words of what the server writes itself — the sign-in code e-mail, Viewer notifications,
//! the sender's delivery confirmation, the Viewer's pages — in Dutch, English and German, with
//! Fluent, like the panel's texts.
//!
//! The `.ftl` files are compiled in and parsed once. A missing key shows as the key itself,
//! and the tests below make sure none is missing in any language.

use std::sync::LazyLock;

use addin_core::api::Language;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue, concurrent::FluentBundle};
use unic_langid::{LanguageIdentifier, langid};

const NL: &str = include_str!("nl.ftl");
const EN: &str = include_str!("en.ftl");
const DE: &str = include_str!("de.ftl");

struct Bundles {
    nl: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
    de: FluentBundle<FluentResource>,
}

static BUNDLES: LazyLock<Bundles> = LazyLock::new(|| Bundles {
    nl: bundle(NL, langid!("nl")),
    en: bundle(EN, langid!("en")),
    de: bundle(DE, langid!("de")),
});

fn bundle(source: &str, language: LanguageIdentifier) -> FluentBundle<FluentResource> {
    // The files are checked by the tests below; a broken entry is skipped, never fatal.
    let resource =
        FluentResource::try_new(source.to_owned()).unwrap_or_else(|(partial, _errors)| partial);
    let mut bundle = FluentBundle::new_concurrent(vec![language]);
    // No Unicode isolation marks around arguments: they would end up in e-mail text.
    bundle.set_use_isolating(false);
    let _ = bundle.add_resource(resource);
    bundle
}

/// The texts of one language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Texts(pub Language);

impl Texts {
    fn bundle(self) -> &'static FluentBundle<FluentResource> {
        match self.0 {
            Language::Nl => &BUNDLES.nl,
            Language::En => &BUNDLES.en,
            Language::De => &BUNDLES.de,
        }
    }

    /// The text for `key`.
    pub fn t(self, key: &str) -> String {
        self.format(key, None)
    }

    /// The text for `key` with named text arguments.
    pub fn t_with(self, key: &str, args: &[(&str, &str)]) -> String {
        let mut fluent = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            fluent.set(*name, FluentValue::from(*value));
        }
        self.format(key, Some(&fluent))
    }

    fn format(self, key: &str, args: Option<&FluentArgs>) -> String {
        let bundle = self.bundle();
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_owned();
        };
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }

    /// A day as people write it: `1 maart 2027`, `1 March 2027`, `1. März 2027`.
    pub fn date(self, unix_seconds: i64) -> String {
        let (year, month, day) = civil_date(unix_seconds);
        self.day(year, month, day)
    }

    /// [`Texts::date`] of a calendar day.
    pub fn day(self, year: i64, month: u32, day: u32) -> String {
        self.t_with(
            "date",
            &[
                ("day", &day.to_string()),
                ("month", &self.t(&format!("month-{month}"))),
                ("year", &year.to_string()),
            ],
        )
    }
}

/// The UTC calendar date of a Unix time (Howard Hinnant's `civil_from_days`).
fn civil_date(unix_seconds: i64) -> (i64, u32, u32) {
    let days = unix_seconds.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn keys(source: &str) -> BTreeSet<String> {
        let resource = FluentResource::try_new(source.to_owned())
            .unwrap_or_else(|(_, errors)| panic!("the file parses: {errors:?}"));
        resource
            .entries()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(message) => Some(message.id.name.to_owned()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_language_has_every_key() {
        let dutch = keys(NL);
        assert!(dutch.len() > 20, "{dutch:?}");
        assert_eq!(keys(EN), dutch, "English");
        assert_eq!(keys(DE), dutch, "German");
    }

    #[test]
    fn every_text_formats_without_errors() {
        for language in [Language::Nl, Language::En, Language::De] {
            let bundle = Texts(language).bundle();
            for key in keys(NL) {
                let pattern = bundle
                    .get_message(&key)
                    .and_then(|message| message.value())
                    .unwrap_or_else(|| panic!("{key} has a value in {language:?}"));
                let mut args = FluentArgs::new();
                for name in [
                    "sender",
                    "organisation",
                    "subject",
                    "date",
                    "phone",
                    "day",
                    "month",
                    "year",
                    "forwarder",
                    "code",
                    "minutes",
                    "reference",
                    "recipient",
                    "to",
                    "size",
                    "count",
                    "name",
                ] {
                    args.set(name, "x");
                }
                let mut errors = Vec::new();
                let _ = bundle.format_pattern(pattern, Some(&args), &mut errors);
                assert!(errors.is_empty(), "{key} in {language:?}: {errors:?}");
            }
        }
    }

    #[test]
    fn arguments_are_filled_in_without_isolation_marks() {
        assert_eq!(
            Texts(Language::En).t_with("notification-subject", &[("sender", "A. Jansen")]),
            "Secure message from A. Jansen"
        );
        assert_eq!(Texts(Language::Nl).t("no-such-key"), "no-such-key");
    }

    #[test]
    fn dates_are_written_the_local_way() {
        // 2027-03-01T10:00:00Z
        let first_of_march = 1_803_895_200;
        assert_eq!(Texts(Language::Nl).date(first_of_march), "1 maart 2027");
        assert_eq!(Texts(Language::En).date(first_of_march), "1 March 2027");
        assert_eq!(Texts(Language::De).date(first_of_march), "1. März 2027");
        assert_eq!(civil_date(0), (1970, 1, 1));
        assert_eq!(civil_date(951_782_400), (2000, 2, 29));
        assert_eq!(civil_date(1_798_761_599), (2026, 12, 31));
    }
}
