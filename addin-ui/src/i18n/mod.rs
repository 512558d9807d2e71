//! The panel's texts in Dutch (default), English and German, with Fluent.
//!
//! The three `.ftl` files are compiled in. Components never hold UI text: they ask for a key
//! (`send-secure`) with `I18n::t`, so a missing translation is caught by the tests below rather than
//! by a clinician. Which language: the one chosen in settings, else Outlook's display language,
//! else Dutch ([`choose`]).

mod regions;

use std::{cell::RefCell, collections::HashMap, rc::Rc};

use addin_core::{api::Language, finding::FindingCode};
use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use unic_langid::{LanguageIdentifier, langid};

pub use regions::RegionNames;

const NL: &str = include_str!("nl.ftl");
const EN: &str = include_str!("en.ftl");
const DE: &str = include_str!("de.ftl");

fn source(language: Language) -> &'static str {
    match language {
        Language::Nl => NL,
        Language::En => EN,
        Language::De => DE,
    }
}

fn langid(language: Language) -> LanguageIdentifier {
    match language {
        Language::Nl => langid!("nl"),
        Language::En => langid!("en"),
        Language::De => langid!("de"),
    }
}

/// One language's texts.
pub struct I18n {
    language: Language,
    bundle: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for I18n {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("I18n")
            .field("language", &self.language)
            .finish()
    }
}

/// Two handles are equal when they speak the same language (for Yew's props and contexts).
impl PartialEq for I18n {
    fn eq(&self, other: &Self) -> bool {
        self.language == other.language
    }
}

thread_local! {
    static LOADED: RefCell<HashMap<Language, Rc<I18n>>> = RefCell::new(HashMap::new());
}

impl I18n {
    /// The texts of `language`, parsed once per page.
    pub fn get(language: Language) -> Rc<I18n> {
        LOADED.with(|loaded| {
            Rc::clone(
                loaded
                    .borrow_mut()
                    .entry(language)
                    .or_insert_with(|| Rc::new(Self::load(language))),
            )
        })
    }

    fn load(language: Language) -> Self {
        // The files are checked by the tests below; a broken entry is skipped, never fatal.
        let resource = FluentResource::try_new(source(language).to_owned())
            .unwrap_or_else(|(partial, _errors)| partial);
        let mut bundle = FluentBundle::new(vec![langid(language)]);
        // No Unicode isolation marks around arguments: the panel shows addresses and numbers
        // in plain left-to-right text, and the marks would end up in copied text.
        bundle.set_use_isolating(false);
        let _ = bundle.add_resource(resource);
        Self { language, bundle }
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// The text for `key`; the key itself when it is missing (the tests make sure none is).
    pub fn t(&self, key: &str) -> String {
        self.format(key, None)
    }

    /// The text for `key` with named arguments.
    pub fn t_with(&self, key: &str, args: &[(&str, Arg)]) -> String {
        let mut fluent = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            match value {
                Arg::Text(text) => fluent.set(*name, FluentValue::from(text.as_str())),
                Arg::Number(number) => fluent.set(*name, FluentValue::from(*number)),
            }
        }
        self.format(key, Some(&fluent))
    }

    fn format(&self, key: &str, args: Option<&FluentArgs>) -> String {
        let Some(pattern) = self.bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_owned();
        };
        let mut errors = Vec::new();
        self.bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }

    /// The text of a finding, with its subject (an address, a file name) where it has one.
    pub fn finding(&self, code: FindingCode, subject: Option<&str>) -> String {
        self.t_with(
            &finding_key(code),
            &[("subject", Arg::text(subject.unwrap_or_default()))],
        )
    }
}

/// An argument for [`I18n::t_with`].
#[derive(Clone, Debug)]
pub enum Arg {
    Text(String),
    Number(f64),
}

impl Arg {
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text(text.into())
    }

    pub fn number(number: impl Into<f64>) -> Self {
        Self::Number(number.into())
    }
}

/// The message id of a finding's text: `finding-<code>`.
fn finding_key(code: FindingCode) -> String {
    format!("finding-{}", code.as_str())
}

/// The panel's language: the user's choice, else Outlook's display language (`nl-NL`, `de-AT`,
/// `en-GB` …), else Dutch (manual §2.4.1).
pub fn choose(chosen: Option<Language>, display_language: &str) -> Language {
    chosen.unwrap_or_else(|| {
        let primary = display_language
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        Language::from_code(&primary).unwrap_or(Language::Nl)
    })
}

/// A byte count the way people read it: "820 B", "12,5 kB", "3,4 MB" (NL/DE decimal comma).
pub fn file_size(i18n: &I18n, bytes: u64) -> String {
    const KB: f64 = 1024.0;
    let value = bytes as f64;
    let (key, shown) = if value < KB {
        ("size-bytes", bytes.to_string())
    } else if value < KB * KB {
        ("size-kb", decimal(i18n.language(), value / KB))
    } else {
        ("size-mb", decimal(i18n.language(), value / (KB * KB)))
    };
    i18n.t_with(key, &[("value", Arg::text(shown))])
}

/// One decimal below 10, none above; a comma in Dutch and German.
fn decimal(language: Language, value: f64) -> String {
    let text = if value < 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    };
    match language {
        Language::En => text,
        Language::Nl | Language::De => text.replace('.', ","),
    }
}

#[cfg(test)]
mod tests {
    use std::{collections::BTreeSet, fs, path::Path};

    use super::*;

    const ALL: [Language; 3] = [Language::Nl, Language::En, Language::De];

    /// The message ids of an `.ftl` file (top-level `id = …` lines).
    fn keys(source: &str) -> BTreeSet<String> {
        source
            .lines()
            .filter(|line| line.starts_with(|c: char| c.is_ascii_lowercase()))
            .filter_map(|line| line.split_once(" =").map(|(id, _)| id.trim().to_owned()))
            .collect()
    }

    #[test]
    fn every_file_parses_without_errors() {
        for language in ALL {
            if let Err((_, errors)) = FluentResource::try_new(source(language).to_owned()) {
                panic!("{language:?}: {errors:?}");
            }
        }
    }

    #[test]
    fn every_key_exists_in_every_language() {
        let dutch = keys(NL);
        assert!(dutch.len() > 100, "{} keys", dutch.len());
        for language in [Language::En, Language::De] {
            let other = keys(source(language));
            let missing: Vec<_> = dutch.difference(&other).collect();
            let extra: Vec<_> = other.difference(&dutch).collect();
            assert!(missing.is_empty(), "{language:?} lacks {missing:?}");
            assert!(extra.is_empty(), "{language:?} has unknown {extra:?}");
        }
    }

    #[test]
    fn every_finding_code_has_a_text_in_every_language() {
        for language in ALL {
            let i18n = I18n::get(language);
            for code in FindingCode::ALL {
                let key = finding_key(code);
                let text = i18n.finding(code, Some("p@example.com"));
                assert_ne!(text, key, "{language:?} has no text for {key}");
                assert!(!text.contains('{'), "{language:?} {key}: {text}");
            }
        }
    }

    #[test]
    fn every_text_formats_cleanly_with_its_arguments() {
        let args = [
            ("count", Arg::number(2)),
            ("seconds", Arg::number(5)),
            ("percent", Arg::number(40)),
            ("mailbox", Arg::text("a@b.nl")),
            ("address", Arg::text("a@b.nl")),
            ("subject", Arg::text("a@b.nl")),
            ("name", Arg::text("brief.pdf")),
            ("size", Arg::text("2 MB")),
            ("value", Arg::text("2")),
            ("reason", Arg::text("x")),
            ("code", Arg::text("x")),
        ];
        for language in ALL {
            let i18n = I18n::get(language);
            for key in keys(source(language)) {
                let text = i18n.t_with(&key, &args);
                assert!(!text.is_empty() && text != key, "{language:?} {key}");
                assert!(!text.contains("{$"), "{language:?} {key}: {text}");
            }
        }
    }

    /// Every key the Rust code passes literally to `t` or `t_with` is in the files, so a typo in
    /// a component cannot show a raw key to a user.
    #[test]
    fn every_key_the_code_uses_exists() {
        let dutch = keys(NL);
        let mut used = BTreeSet::new();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut dirs = vec![src];
        while let Some(dir) = dirs.pop() {
            for entry in fs::read_dir(&dir).expect("src is readable").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let code = fs::read_to_string(&path).expect("readable");
                    for marker in [".t(\"", ".t_with(\""] {
                        for (start, _) in code.match_indices(marker) {
                            let rest = &code[start + marker.len()..];
                            if let Some(end) = rest.find('"') {
                                used.insert((path.clone(), rest[..end].to_owned()));
                            }
                        }
                    }
                }
            }
        }
        assert!(used.len() > 50, "only {} uses found", used.len());
        for (path, key) in used {
            assert!(
                dutch.contains(&key),
                "{} uses unknown key {key}",
                path.display()
            );
        }
    }

    #[test]
    fn the_language_follows_the_choice_then_outlook_then_dutch() {
        assert_eq!(choose(Some(Language::De), "en-US"), Language::De);
        assert_eq!(choose(None, "en-GB"), Language::En);
        assert_eq!(choose(None, "de-AT"), Language::De);
        assert_eq!(choose(None, "NL-be"), Language::Nl);
        assert_eq!(choose(None, "fr-FR"), Language::Nl);
        assert_eq!(choose(None, ""), Language::Nl);
    }

    #[test]
    fn sizes_read_naturally() {
        let nl = I18n::get(Language::Nl);
        let en = I18n::get(Language::En);
        assert_eq!(file_size(&nl, 820), "820 B");
        assert_eq!(file_size(&nl, 183_211), "179 kB");
        assert_eq!(file_size(&en, 3_565_158), "3.4 MB");
        assert_eq!(file_size(&nl, 3_565_158), "3,4 MB");
    }

    #[test]
    fn plurals_follow_the_language() {
        let nl = I18n::get(Language::Nl);
        assert_eq!(
            nl.t_with("actions-needed", &[("count", Arg::number(1))]),
            "Nog 1 actie nodig"
        );
        assert_eq!(
            nl.t_with("actions-needed", &[("count", Arg::number(3))]),
            "Nog 3 acties nodig"
        );
    }
}
