//! The one error type of `addin-core`.
//!
//! Variants never carry a mail address or phone number a user typed: errors end up in logs,
//! and patient data must not. Directory errors may quote the entry, because the domain book
//! is public reference data.

/// Everything that can be wrong with input to the rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("not a valid e-mail address")]
    InvalidAddress,
    #[error("not a valid mail domain")]
    InvalidDomain,
    #[error("not a valid mobile phone number")]
    InvalidPhone,
    #[error("not an IP address or CIDR range (e.g. 127.0.0.1 or 40.92.0.0/15)")]
    InvalidNetworkRange,
    #[error("not a valid duration ({0}); use e.g. \"24h\" or \"30d\"")]
    InvalidDuration(String),
    #[error("the directory is not valid JSON: {0}")]
    DirectoryJson(String),
    #[error(
        "the directory is of variant \"{found}\" but the organisation is contracted for \"{expected}\""
    )]
    DirectoryWrongVariant {
        expected: &'static str,
        found: &'static str,
    },
    #[error("the directory's {list}[{index}] ({entry:?}) is not a valid {expected}")]
    DirectoryEntry {
        list: &'static str,
        index: usize,
        entry: String,
        expected: &'static str,
    },
}
