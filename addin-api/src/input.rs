//! Where the command line's inputs come from, and reading its files with errors that name
//! the file.

use std::{
    fmt, fs,
    path::{Path, PathBuf},
};

use crate::error::Error;

/// Where an input came from, as error messages name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    File(PathBuf),
    Stdin,
    /// The sample compiled into the binary.
    Bundled,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(path) => write!(f, "{}", path.display()),
            Self::Stdin => f.write_str("standard input"),
            Self::Bundled => f.write_str("the bundled sample"),
        }
    }
}

/// `what` names the input in the error: "policy", "draft", …
pub fn read_file(what: &'static str, path: &Path) -> Result<String, Error> {
    fs::read_to_string(path).map_err(|source| Error::Unreadable {
        what,
        origin: Origin::File(path.to_owned()),
        source,
    })
}
