//! The policy file (SPEC §3): TOML, every key overridable by an environment variable.
//!
//! Overrides are written into the parsed TOML table before it is deserialised, so a bad value
//! is reported with its key in the same words whether it came from the file or from the
//! environment.

use std::path::Path;

use addin_core::policy::Policy;
use serde::Deserialize;
use toml::{Table, Value};

use crate::{
    bundled,
    error::Error,
    input::{self, Origin},
};

/// Every key of SPEC §3 and how its variable's text becomes a TOML value.
const KEYS: [(&str, Kind); 23] = [
    ("organisation.domains", Kind::List),
    ("organisation.name", Kind::Text),
    ("installation_type", Kind::Text),
    ("directory.variant", Kind::Text),
    ("directory.source", Kind::Text),
    ("directory.refresh", Kind::Text),
    ("security_by_default", Kind::Bool),
    ("auth.method", Kind::Text),
    ("auth.entra.client_id", Kind::Text),
    ("auth.entra.tenants", Kind::List),
    ("auth.entra.scope", Kind::Text),
    ("auth.entra.authority", Kind::Text),
    ("auth.entra.revalidate_after", Kind::Text),
    ("auth.reverify_after", Kind::Text),
    ("smtp.url", Kind::Text),
    ("relay.accept_from", Kind::List),
    ("relay.next_hop", Kind::Text),
    ("relay.accept_within", Kind::Text),
    ("viewer.retention", Kind::Text),
    ("viewer.notification_subject", Kind::Bool),
    ("sms.url", Kind::Text),
    ("sms.sender", Kind::Text),
    ("audit.retention", Kind::Text),
];

#[derive(Debug, Clone, Copy)]
enum Kind {
    Text,
    /// Comma-separated.
    List,
    /// `true` or `false`.
    Bool,
}

impl Kind {
    fn value(self, raw: &str) -> Value {
        let raw = raw.trim();
        match self {
            Self::Text => Value::String(raw.to_owned()),
            Self::List => Value::Array(
                raw.split(',')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                    .map(|item| Value::String(item.to_owned()))
                    .collect(),
            ),
            Self::Bool if raw.eq_ignore_ascii_case("true") => Value::Boolean(true),
            Self::Bool if raw.eq_ignore_ascii_case("false") => Value::Boolean(false),
            // Left as text, so deserialising reports it like a bad value in the file.
            Self::Bool => Value::String(raw.to_owned()),
        }
    }
}

/// `auth.entra.client_id` → `SENDSECURE_AUTH_ENTRA_CLIENT_ID`.
fn variable(key: &str) -> String {
    format!("SENDSECURE_{}", key.to_uppercase().replace('.', "_"))
}

/// Loads the policy file, or the bundled sample when there is none, and applies the
/// overrides `env` finds. An empty variable counts as not set, as container tools set
/// variables they pass through but have no value for.
pub fn load(path: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Policy, Error> {
    match path {
        Some(path) => {
            let text = input::read_file("policy", path)?;
            parse(&text, Origin::File(path.to_owned()), env)
        }
        None => parse(bundled::POLICY, Origin::Bundled, env),
    }
}

fn parse(
    text: &str,
    origin: Origin,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Policy, Error> {
    let invalid = |problem| Error::InvalidPolicy {
        origin: origin.clone(),
        problem,
    };
    let mut table: Table = text
        .parse()
        .map_err(|error| invalid(syntax_problem(text, &error)))?;
    let mut overridden = Vec::new();
    for (key, kind) in KEYS {
        let variable = variable(key);
        if let Some(raw) = env(&variable).filter(|raw| !raw.trim().is_empty()) {
            set(&mut table, key, kind.value(&raw));
            overridden.push((key, variable));
        }
    }
    Policy::deserialize(table).map_err(|error| invalid(value_problem(&error, &overridden)))
}

/// Sets a dotted key, creating the tables on its way.
fn set(table: &mut Table, key: &str, value: Value) {
    match key.split_once('.') {
        None => {
            table.insert(key.to_owned(), value);
        }
        Some((head, rest)) => {
            let inner = table
                .entry(head)
                .or_insert_with(|| Value::Table(Table::new()));
            // Not a table: the file's own mistake, which deserialising reports by its key.
            if let Value::Table(inner) = inner {
                set(inner, rest, value);
            }
        }
    }
}

/// toml's own text for a syntax error draws the line over several; ours is one line.
fn syntax_problem(text: &str, error: &toml::de::Error) -> String {
    let Some(before) = error.span().and_then(|span| text.get(..span.start)) else {
        return error.message().to_owned();
    };
    let line = before.matches('\n').count() + 1;
    let column = before.chars().rev().take_while(|&c| c != '\n').count() + 1;
    format!("line {line}, column {column}: {}", error.message())
}

/// Names the key first, and the variable when the value came from one. toml keeps the key
/// path private and only shows it as an ``in `a.b` `` line of its text.
fn value_problem(error: &toml::de::Error, overridden: &[(&str, String)]) -> String {
    let text = error.to_string();
    let key = text
        .lines()
        .find_map(|line| line.strip_prefix("in `")?.strip_suffix('`'));
    match key {
        None => error.message().to_owned(),
        Some(key) => match overridden.iter().find(|(overridden, _)| *overridden == key) {
            Some((_, variable)) => format!("{key} (from {variable}): {}", error.message()),
            None => format!("{key}: {}", error.message()),
        },
    }
}

#[cfg(test)]
mod tests {
    use addin_core::policy::{AuthMethod, DirectoryVariant, InstallationType, Interval};

    use super::*;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        |name| {
            pairs
                .iter()
                .find(|(variable, _)| *variable == name)
                .map(|(_, value)| (*value).to_owned())
        }
    }

    fn no_vars(_: &str) -> Option<String> {
        None
    }

    fn parse_with(text: &str, pairs: &[(&str, &str)]) -> Result<Policy, String> {
        parse(text, Origin::Bundled, vars(pairs)).map_err(|error| error.to_string())
    }

    #[test]
    fn the_bundled_sample_is_a_valid_policy() {
        let policy = load(None, no_vars).expect("the sample loads");
        let domains: Vec<_> = policy
            .organisation
            .domains
            .iter()
            .map(|d| d.as_str())
            .collect();
        assert_eq!(domains, ["huisartsen-oost.nl"]);
        assert_eq!(policy.installation_type, InstallationType::ViewerPhoneCheck);
        assert_eq!(policy.directory.variant, DirectoryVariant::Zorgmail);
        assert_eq!(policy.directory.source, None);
        assert!(policy.security_by_default);
    }

    #[test]
    fn variables_are_named_after_their_keys() {
        assert_eq!(
            variable("installation_type"),
            "SENDSECURE_INSTALLATION_TYPE"
        );
        assert_eq!(
            variable("auth.entra.client_id"),
            "SENDSECURE_AUTH_ENTRA_CLIENT_ID"
        );
    }

    #[test]
    fn every_key_can_be_overridden() {
        let policy = parse_with(
            "",
            &[
                ("SENDSECURE_ORGANISATION_DOMAINS", " a.nl, b.nl ,,"),
                ("SENDSECURE_INSTALLATION_TYPE", "standard"),
                ("SENDSECURE_DIRECTORY_VARIANT", "sigra"),
                ("SENDSECURE_DIRECTORY_SOURCE", "/srv/domeinboek.json"),
                ("SENDSECURE_DIRECTORY_REFRESH", "6h"),
                ("SENDSECURE_SECURITY_BY_DEFAULT", "FALSE"),
                ("SENDSECURE_AUTH_METHOD", "entra-id"),
                ("SENDSECURE_AUTH_ENTRA_CLIENT_ID", "app-id"),
                ("SENDSECURE_AUTH_ENTRA_TENANTS", "t1,t2"),
                ("SENDSECURE_AUTH_ENTRA_SCOPE", "sendsecure.use"),
                (
                    "SENDSECURE_AUTH_ENTRA_AUTHORITY",
                    "https://login.microsoftonline.us",
                ),
                ("SENDSECURE_AUTH_REVERIFY_AFTER", "12h"),
                ("SENDSECURE_SMTP_URL", "smtps://mail.example.nl:465"),
                ("SENDSECURE_ORGANISATION_NAME", "Huisartsen Oost"),
                (
                    "SENDSECURE_RELAY_ACCEPT_FROM",
                    "40.92.0.0/15, 2a01:111:f400::/48",
                ),
                ("SENDSECURE_RELAY_NEXT_HOP", "smtps://mx.example.nl"),
                ("SENDSECURE_RELAY_ACCEPT_WITHIN", "24h"),
                ("SENDSECURE_VIEWER_RETENTION", "30d"),
                ("SENDSECURE_VIEWER_NOTIFICATION_SUBJECT", "true"),
                (
                    "SENDSECURE_SMS_URL",
                    "https://token@gw.cmtelecom.com/v1.0/message",
                ),
                ("SENDSECURE_SMS_SENDER", "Praktijk"),
            ],
        )
        .expect("valid overrides");

        let domains: Vec<_> = policy
            .organisation
            .domains
            .iter()
            .map(|d| d.as_str())
            .collect();
        assert_eq!(domains, ["a.nl", "b.nl"]);
        assert_eq!(policy.installation_type, InstallationType::Standard);
        assert_eq!(policy.directory.variant, DirectoryVariant::Sigra);
        assert_eq!(
            policy.directory.source.as_deref(),
            Some("/srv/domeinboek.json")
        );
        assert_eq!(policy.directory.refresh, Interval::from_secs(6 * 3600));
        assert!(!policy.security_by_default);
        assert_eq!(policy.auth.method, AuthMethod::EntraId);
        assert_eq!(policy.auth.entra.client_id.as_deref(), Some("app-id"));
        assert_eq!(policy.auth.entra.tenants, ["t1", "t2"]);
        assert_eq!(policy.auth.entra.scope, "sendsecure.use");
        assert_eq!(
            policy.auth.entra.authority,
            "https://login.microsoftonline.us"
        );
        assert_eq!(policy.auth.reverify_after, Interval::from_secs(12 * 3600));
        assert_eq!(
            policy.smtp.url.as_deref(),
            Some("smtps://mail.example.nl:465")
        );
        assert_eq!(policy.organisation.name.as_deref(), Some("Huisartsen Oost"));
        let accept_from: Vec<String> = policy
            .relay
            .accept_from
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(accept_from, ["40.92.0.0/15", "2a01:111:f400::/48"]);
        assert_eq!(
            policy.relay.next_hop.as_deref(),
            Some("smtps://mx.example.nl")
        );
        assert_eq!(policy.relay.accept_within, Interval::from_secs(24 * 3600));
        assert_eq!(policy.viewer.retention, Interval::from_secs(30 * 86_400));
        assert!(policy.viewer.notification_subject);
        assert_eq!(
            policy.sms.url.as_deref(),
            Some("https://token@gw.cmtelecom.com/v1.0/message")
        );
        assert_eq!(policy.sms.sender, "Praktijk");
    }

    #[test]
    fn a_variable_beats_the_file_and_an_empty_one_is_not_set() {
        let file = "installation_type = \"viewer\"\n[auth]\nmethod = \"entra-id\"\n";
        let policy = parse_with(
            file,
            &[
                ("SENDSECURE_INSTALLATION_TYPE", "viewer-phone-required"),
                ("SENDSECURE_AUTH_METHOD", "  "),
            ],
        )
        .expect("valid");
        assert_eq!(
            policy.installation_type,
            InstallationType::ViewerPhoneRequired
        );
        assert_eq!(policy.auth.method, AuthMethod::EntraId);
    }

    #[test]
    fn a_bad_value_names_its_key_and_where_it_came_from() {
        assert_eq!(
            parse_with("[directory]\nrefresh = \"soon\"\n", &[]).expect_err("bad duration"),
            "invalid policy in the bundled sample: directory.refresh: not a valid duration \
             (expected number at 0); use e.g. \"24h\" or \"30d\""
        );
        assert_eq!(
            parse_with("", &[("SENDSECURE_SECURITY_BY_DEFAULT", "yes")]).expect_err("not a bool"),
            "invalid policy in the bundled sample: security_by_default \
             (from SENDSECURE_SECURITY_BY_DEFAULT): invalid type: string \"yes\", expected a boolean"
        );
        let error = parse_with(
            "",
            &[("SENDSECURE_ORGANISATION_DOMAINS", "a.nl,not a domain")],
        )
        .expect_err("bad domain");
        assert!(
            error.contains("organisation.domains (from SENDSECURE_ORGANISATION_DOMAINS): "),
            "{error}"
        );
    }

    #[test]
    fn an_unknown_key_is_named() {
        let error = parse_with("[auth]\nmetod = \"entra-id\"\n", &[]).expect_err("typo");
        assert!(
            error.starts_with("invalid policy in the bundled sample: auth: unknown field `metod`"),
            "{error}"
        );
    }

    #[test]
    fn a_syntax_error_gives_line_and_column() {
        let error = parse_with("# policy\nsecurity_by_default = yes\n", &[]).expect_err("syntax");
        assert!(
            error.starts_with("invalid policy in the bundled sample: line 2, column 23: "),
            "{error}"
        );
        assert!(!error.contains('\n'), "{error}");
    }

    #[test]
    fn an_override_under_a_non_table_leaves_the_error_to_the_file() {
        let error = parse_with("auth = 5\n", &[("SENDSECURE_AUTH_METHOD", "entra-id")])
            .expect_err("auth is not a table");
        assert!(error.contains("auth: invalid type: integer `5`"), "{error}");
    }
}
