//! `sendsecure check` (SPEC §5.6): the rules on one draft, from the command line.

use std::{
    borrow::Cow,
    io::{self, IsTerminal, Read},
    path::{Path, PathBuf},
};

use addin_core::{directory::Directory, draft::Draft, policy::Policy, verdict::Verdict};

use crate::{
    bundled,
    error::Error,
    input::{self, Origin},
    policy_file,
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy (TOML) [default: the bundled sample]
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// The directory (JSON) [default: the policy's directory.source, else the bundled sample]
    #[arg(long, value_name = "FILE")]
    pub directory: Option<PathBuf>,
    /// The draft (JSON); `-` or none reads it from standard input
    #[arg(long, value_name = "FILE")]
    pub draft: Option<PathBuf>,
}

/// Loads the three inputs and checks the draft. `env` looks up environment variables (the
/// policy overrides).
pub fn run(args: &Args, env: impl Fn(&str) -> Option<String>) -> Result<Verdict, Error> {
    let policy = policy_file::load(args.policy.as_deref(), env)?;
    let directory = load_directory(args.directory.as_deref(), &policy)?;
    let draft = load_draft(args.draft.as_deref())?;
    Ok(addin_core::check(&draft, &policy, Some(&directory)))
}

fn load_directory(path: Option<&Path>, policy: &Policy) -> Result<Directory, Error> {
    let path = match (path, &policy.directory.source) {
        (Some(path), _) => Some(path.to_owned()),
        // Fetching belongs to `serve`'s directory sync; a one-shot check stays offline.
        (None, Some(source)) if source.contains("://") => return Err(Error::DirectoryNotAFile),
        (None, Some(source)) => Some(PathBuf::from(source)),
        (None, None) => None,
    };
    let (text, origin) = match path {
        Some(path) => (
            Cow::Owned(input::read_file("directory", &path)?),
            Origin::File(path),
        ),
        None => (Cow::Borrowed(bundled::DIRECTORY), Origin::Bundled),
    };
    Directory::from_json(&text, policy.directory.variant)
        .map_err(|source| Error::InvalidDirectory { origin, source })
}

fn load_draft(path: Option<&Path>) -> Result<Draft, Error> {
    let (text, origin) = match path {
        Some(path) if path != Path::new("-") => (
            input::read_file("draft", path)?,
            Origin::File(path.to_owned()),
        ),
        _ => (read_stdin()?, Origin::Stdin),
    };
    serde_json::from_str(&text).map_err(|error| Error::invalid_draft(origin, &error))
}

fn read_stdin() -> Result<String, Error> {
    let mut stdin = io::stdin();
    // Waiting for someone to type JSON into a terminal would look like a hang.
    if stdin.is_terminal() {
        return Err(Error::NoDraft);
    }
    let mut text = String::new();
    stdin
        .read_to_string(&mut text)
        .map_err(|source| Error::Unreadable {
            what: "draft",
            origin: Origin::Stdin,
            source,
        })?;
    Ok(text)
}
