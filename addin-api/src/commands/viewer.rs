//! `sendsecure viewer withdraw --reference KENMERK`: an admin withdraws a Viewer message
//! (SPEC §14), e.g. when the sender cannot find the confirmation's link. Its content and key
//! are deleted at once; the audit record stays.
//!
//! It opens the server's storage directly, with `serve`'s storage options (and environment
//! variables), so it works while the server runs and for any number of instances.

use std::sync::Arc;

use crate::{
    Error,
    audit::Audit,
    clock::SystemClock,
    commands::server_data::{self, Opened, ServerData},
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
    #[command(flatten)]
    pub server: ServerData,
}

/// How it went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Withdrawn {
    Now,
    /// Withdrawn before, or past its retention: nothing left to withdraw.
    Already,
}

pub async fn withdraw(args: &WithdrawArgs) -> Result<Withdrawn, Error> {
    let Opened { store, vault } = server_data::open(&args.server).await?;
    let clock = Arc::new(SystemClock);
    let audit = Audit::new(Arc::clone(&store), vault, clock.clone());
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
