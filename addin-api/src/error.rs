//! The one error type of `addin-api`.
//!
//! On the command line every input variant displays as one line naming where the input came
//! from and what is wrong with it (`main` exits 2 for those). Over HTTP, [`crate::http`] maps
//! each variant to a status and the SPEC §12 body in one place. No variant quotes a mail
//! address, phone number, code or token (SPEC §11).

use std::{io, path::PathBuf};

use crate::{input::Origin, store::StoreError};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read the {what} from {origin}")]
    Unreadable {
        what: &'static str,
        origin: Origin,
        source: io::Error,
    },
    #[error("no draft: pass --draft FILE or pipe the draft's JSON into standard input")]
    NoDraft,
    #[error("invalid policy in {origin}: {problem}")]
    InvalidPolicy { origin: Origin, problem: String },
    /// `problem` is already redacted (see [`json_problem`]); the `serde_json` error is not
    /// kept as a source because its text quotes the draft's values.
    #[error("invalid draft in {origin}: {problem}")]
    InvalidDraft { origin: Origin, problem: String },
    #[error("invalid directory in {origin}")]
    InvalidDirectory {
        origin: Origin,
        source: addin_core::Error,
    },
    #[error(
        "the policy's directory.source is a URL; `check` reads the directory from a file: pass --directory FILE"
    )]
    DirectoryNotAFile,
    #[error("invalid configuration: {key} {problem}")]
    InvalidConfig { key: &'static str, problem: String },
    #[error("cannot use the data directory ({path}): {source}")]
    DataDir { path: PathBuf, source: io::Error },
    /// A file the command line asked for cannot be written (`manifest --package FILE`).
    #[error("cannot write the {what} to {}", path.display())]
    Unwritable {
        what: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),

    // --- answers to API callers ---
    /// No session, an expired one, or one issued to another device.
    #[error("sign in first: the session is missing, expired or for another device")]
    Unauthorized,
    /// A sign-in code that is wrong, expired, used, or tried too often; which one is not said.
    #[error("the code is not valid: it may be mistyped, expired or used; request a new one")]
    InvalidCode,
    /// An Entra ID access token that does not prove the mailbox (401). Why is logged, not
    /// told: a probing client learns nothing about the checks.
    #[error("the Entra ID access token is refused")]
    InvalidAccessToken(crate::entra::Refusal),
    /// Understood, but not allowed here, e.g. a sign-in method the policy does not use (403).
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// The request itself is malformed: bad JSON, unknown fields, a bad value.
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("{message}")]
    Unprocessable { code: &'static str, message: String },
    /// Not possible in the server's present configuration (409).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("not found")]
    NotFound,
    /// A Viewer link that is unknown, expired or withdrawn: which one is not said.
    #[error("this message is not available")]
    NotAvailable,
    /// A Viewer page that needs the access code first.
    #[error("open the message with its access code first")]
    ViewerSessionRequired,
    /// Something the request needs is down for a moment (an SMS gateway, the next hop).
    #[error("{0}")]
    Unavailable(String),
    #[error("this method is not allowed here")]
    MethodNotAllowed,
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// A limit is reached: `Retry-After` says when to try again (seconds).
    #[error("too many requests: try again in {} minute(s)", (retry_after + 59) / 60)]
    TooManyRequests { retry_after: i64 },
    /// The draft cannot be sent securely: the verdict says why.
    #[error("the draft cannot be sent securely")]
    CannotSendSecure(Box<addin_core::verdict::Verdict>),
    /// A bug or an outage; the client sees only an id to quote, the log the whole chain.
    #[error("internal error: {context}")]
    Internal {
        context: String,
        source: Option<BoxedError>,
    },
}

/// What an internal error was caused by, whatever its type.
pub type BoxedError = Box<dyn std::error::Error + Send + Sync>;

impl From<crate::entra::Refusal> for Error {
    fn from(refusal: crate::entra::Refusal) -> Self {
        Self::InvalidAccessToken(refusal)
    }
}

impl Error {
    /// A bug or an outage with no error behind it, such as stored data that does not open.
    pub fn internal(context: impl Into<String>) -> Self {
        Self::Internal {
            context: context.into(),
            source: None,
        }
    }

    /// A bug or an outage caused by `source`, which is kept for the log (not the client).
    pub fn internal_from(context: impl Into<String>, source: impl Into<BoxedError>) -> Self {
        Self::Internal {
            context: context.into(),
            source: Some(source.into()),
        }
    }

    /// The caller's input or configuration is wrong (CLI exit code 2), as opposed to an
    /// outage or a bug.
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            Self::Unreadable { .. }
                | Self::NoDraft
                | Self::InvalidPolicy { .. }
                | Self::InvalidDraft { .. }
                | Self::InvalidDirectory { .. }
                | Self::DirectoryNotAFile
                | Self::InvalidConfig { .. }
                | Self::Unwritable { .. }
        )
    }

    pub fn invalid_draft(origin: Origin, error: &serde_json::Error) -> Self {
        Self::InvalidDraft {
            origin,
            problem: json_problem(error),
        }
    }
}

/// A `serde_json` error as one line, without the value it quotes.
///
/// serde quotes the offending value (`invalid type: string "…", expected …`), which in a
/// draft may be a patient's address or phone number. What serde adds around it (the expected
/// type, our field and enum value names, the position) is kept: it is what the user needs to
/// fix the input.
pub fn json_problem(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    let message = text.strip_suffix(&position).unwrap_or(&text);
    for lead in [
        "unknown field ",
        "unknown variant ",
        "invalid type: ",
        "invalid value: ",
    ] {
        let Some(rest) = message.strip_prefix(lead) else {
            continue;
        };
        // serde's own part follows the value; the value may hold anything, so split from the end.
        let split = [", expected ", ", there are no "]
            .iter()
            .filter_map(|tail| rest.rfind(tail))
            .max()
            .unwrap_or(rest.len());
        let (value, tail) = rest.split_at(split);
        return format!("{lead}{}{tail}{position}", redact(value));
    }
    text
}

/// Keeps a name in backticks (`` `distribution-list` ``) and the kind of any other value
/// (`string …`, `integer …`), nothing of the value itself.
fn redact(value: &str) -> String {
    let name = value
        .strip_prefix('`')
        .and_then(|quoted| quoted.strip_suffix('`'))
        .filter(|name| is_name(name));
    match (name, value.find(['`', '"'])) {
        (Some(_), _) | (None, None) => value.to_owned(),
        (None, Some(quote)) => format!("{}…", &value[..quote]),
    }
}

/// A field or enum value name as our wire types spell them (`sender`, `distribution-list`),
/// not a number, address or free text.
fn is_name(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem_with(json: &str) -> String {
        let error = serde_json::from_str::<addin_core::draft::Draft>(json)
            .expect_err("the test draft is invalid");
        json_problem(&error)
    }

    #[test]
    fn names_of_fields_and_values_stay() {
        assert_eq!(
            problem_with(r#"{"sender": "a@b.nl", "body": "x"}"#),
            "unknown field `body`, expected one of `sender`, `to`, `cc`, `bcc`, `subject`, \
             `attachments`, `phones` at line 1 column 27"
        );
        assert!(
            problem_with(r#"{"sender": "a@b.nl", "to": [{"address": "x@y.nl", "kind": "group"}]}"#)
                .starts_with("unknown variant `group`, expected `user` or `distribution-list`")
        );
    }

    #[test]
    fn addresses_and_phone_numbers_are_left_out() {
        for json in [
            r#"{"sender": "a@b.nl", "to": "p.de.vries@example.com"}"#,
            r#"{"sender": "a@b.nl", "to": "x, expected p.de.vries@example.com"}"#,
            r#"{"sender": "a@b.nl", "p.de.vries@example.com": 1}"#,
            r#"{"sender": "a@b.nl", "to": [{"address": "x@y.nl", "kind": "p.de.vries@example.com"}]}"#,
            r#"{"sender": "a@b.nl", "to": [{"address": "x@y.nl", "kind": "`, \"p.de.vries@example.com"}]}"#,
        ] {
            let problem = problem_with(json);
            assert!(!problem.contains("vries"), "{problem}");
            assert!(problem.contains(" at line 1 column "), "{problem}");
        }
        let phone = problem_with(r#"{"sender": "a@b.nl", "phones": {"p@x.nl": 31612345678}}"#);
        assert_eq!(
            phone,
            "invalid type: integer …, expected a string at line 1 column 53"
        );
    }

    #[test]
    fn syntax_errors_are_kept_whole() {
        assert_eq!(
            problem_with(r#"{"sender": "a@b.nl","#),
            "EOF while parsing a value at line 1 column 20"
        );
    }
}
