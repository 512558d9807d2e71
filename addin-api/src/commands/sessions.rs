//! `sendsecure sessions list|revoke --mailbox ADDRESS`: an admin sees a mailbox's sessions
//! (which devices, how they signed in, when last used), or ends them all (SPEC §8), e.g. for a
//! lost laptop or a leaver: its users must sign in again.
//!
//! It reads the server's storage directly, with the same storage options (and environment
//! variables) as `serve`, so it works while the server runs and for any number of instances.

use std::{path::PathBuf, sync::Arc};

use addin_core::{address::Address, policy::AuthSettings};
use secrecy::SecretString;

use crate::{
    Error,
    app::{SQLITE_FILE, open_store},
    clock::SystemClock,
    sessions::{Revoked, SessionSummary, Sessions},
    vault::{GENERATED_KEY_FILE, Vault},
};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List a mailbox's sessions: device, sign-in method, when signed in and last used
    List(MailboxArgs),
    /// End every session of a mailbox, void its pending sign-in codes and forget its devices
    Revoke(MailboxArgs),
}

#[derive(Debug, clap::Args)]
pub struct MailboxArgs {
    /// The mailbox whose sessions end
    #[arg(long, value_name = "ADDRESS")]
    pub mailbox: String,
    /// The server's data directory (its SQLite database and, unless --data-key, its key)
    #[arg(long, env = "SENDSECURE_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// The server's postgres://… database [default: SQLite in the data dir]
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// The server's data key (base64) [default: the one in the data dir]
    #[arg(long, env = "SENDSECURE_DATA_KEY", hide_env_values = true)]
    pub data_key: Option<String>,
}

/// Ends the mailbox's sessions and pending codes, and forgets its devices.
pub async fn revoke(args: &MailboxArgs) -> Result<Revoked, Error> {
    let (sessions, mailbox) = open(args).await?;
    sessions.revoke_mailbox(&mailbox).await
}

/// The mailbox's sessions, most recently used first.
pub async fn list(args: &MailboxArgs) -> Result<Vec<SessionSummary>, Error> {
    let (sessions, mailbox) = open(args).await?;
    sessions.list_mailbox(&mailbox).await
}

/// The server's sessions, on its storage and key, and the mailbox asked about.
async fn open(args: &MailboxArgs) -> Result<(Sessions, Address), Error> {
    let mailbox = Address::parse(&args.mailbox).map_err(|_| Error::InvalidConfig {
        key: "--mailbox",
        problem: "is not a valid e-mail address".into(),
    })?;
    // Sessions are found by the mailbox's keyed hash: a key or a database made up here
    // would find none and report a misleading 0, so both must already exist.
    let configured_key = args.data_key.clone().map(SecretString::from);
    if configured_key.is_none() && !args.data_dir.join(GENERATED_KEY_FILE).is_file() {
        return Err(missing(
            &args.data_dir,
            "holds no data key: give the server's --data-key, or its data directory",
        ));
    }
    let uses_sqlite = args
        .database_url
        .as_deref()
        .is_none_or(|url| url.trim().is_empty());
    if uses_sqlite && !args.data_dir.join(SQLITE_FILE).is_file() {
        return Err(missing(
            &args.data_dir,
            "holds no database: give the server's data directory, or its --database-url",
        ));
    }
    let (vault, _) = Vault::load(configured_key.as_ref(), &args.data_dir)?;
    let store = open_store(args.database_url.as_deref(), &args.data_dir).await?;
    // How long sessions last plays no part in listing or ending them.
    let sessions = Sessions::new(
        store,
        Arc::new(vault),
        Arc::new(SystemClock),
        &AuthSettings::default(),
    );
    Ok((sessions, mailbox))
}

fn missing(data_dir: &std::path::Path, problem: &str) -> Error {
    Error::InvalidConfig {
        key: "--data-dir",
        problem: format!("{} {problem}", data_dir.display()),
    }
}
