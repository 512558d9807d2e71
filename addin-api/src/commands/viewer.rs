//! `sendsecure viewer withdraw --reference KENMERK`: an admin withdraws a Viewer message
//! (SPEC §14), e.g. when the sender cannot find the confirmation's link. Its content and key
//! are deleted at once; the audit record stays.
//!
//! It opens the server's storage directly, with `serve`'s storage options (and environment
//! variables), so it works while the server runs and for any number of instances.

use std::{path::PathBuf, sync::Arc};

use crate::{
    Error,
    app::{SQLITE_FILE, open_store},
    audit::Audit,
    clock::SystemClock,
    viewer::withdraw,
};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Withdraw a Viewer message: nobody can read it any more
    Withdraw(WithdrawArgs),
}

#[derive(Debug, clap::Args)]
pub struct WithdrawArgs {
    /// The message's kenmerk, as the sender's delivery confirmation gives it (SS-XXXX-XXXX)
    #[arg(long, value_name = "KENMERK")]
    pub reference: String,
    /// The server's data directory (its SQLite database)
    #[arg(long, env = "SENDSECURE_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// The server's postgres://… database [default: SQLite in the data dir]
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

/// How it went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Withdrawn {
    Now,
    /// Withdrawn before, or past its retention: nothing left to withdraw.
    Already,
}

pub async fn withdraw(args: &WithdrawArgs) -> Result<Withdrawn, Error> {
    let uses_sqlite = args
        .database_url
        .as_deref()
        .is_none_or(|url| url.trim().is_empty());
    if uses_sqlite && !args.data_dir.join(SQLITE_FILE).is_file() {
        return Err(Error::InvalidConfig {
            key: "--data-dir",
            problem: format!(
                "{} holds no database: give the server's data directory, or its --database-url",
                args.data_dir.display()
            ),
        });
    }
    let store = open_store(args.database_url.as_deref(), &args.data_dir).await?;
    let clock = Arc::new(SystemClock);
    let audit = Audit::new(Arc::clone(&store), clock.clone());
    match withdraw::withdraw_by_reference(store.as_ref(), &audit, clock.as_ref(), &args.reference)
        .await
    {
        Ok(true) => Ok(Withdrawn::Now),
        Ok(false) => Ok(Withdrawn::Already),
        Err(Error::NotAvailable) => Err(Error::InvalidConfig {
            key: "--reference",
            problem: "names no Viewer message (the kenmerk looks like SS-XXXX-XXXX)".into(),
        }),
        Err(error) => Err(error),
    }
}
