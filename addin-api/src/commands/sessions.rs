//! `sendsecure sessions list|revoke --mailbox ADDRESS`: an admin sees a mailbox's sessions
//! (which devices, how they signed in, when last used), or ends them all (SPEC §8), e.g. for a
//! lost laptop or a leaver: its users must sign in again.
//!
//! It reads the server's storage directly, with the same storage options (and environment
//! variables) as `serve`, so it works while the server runs and for any number of instances.

use std::sync::Arc;

use addin_core::{address::Address, policy::AuthSettings};

use crate::{
    Error,
    audit::{Attempt, Audit, SignInEvent},
    clock::SystemClock,
    commands::server_data::{self, Opened, ServerData},
    sessions::{Revoked, SessionSummary, Sessions},
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
    #[command(flatten)]
    pub server: ServerData,
}

/// Ends the mailbox's sessions and pending codes, and forgets its devices; the audit trail
/// records it.
pub async fn revoke(args: &MailboxArgs) -> Result<Revoked, Error> {
    let (sessions, mailbox, audit) = open(args).await?;
    let revoked = sessions.revoke_mailbox(&mailbox).await?;
    let attempt = Attempt {
        mailbox: Some(&mailbox),
        ..Attempt::default()
    };
    let detail = format!(
        "sessions={},codes={},devices={}",
        revoked.sessions, revoked.pending_codes, revoked.devices
    );
    audit
        .sign_in(SignInEvent::Revoked, attempt, Some(&detail))
        .await?;
    Ok(revoked)
}

/// The mailbox's sessions, most recently used first.
pub async fn list(args: &MailboxArgs) -> Result<Vec<SessionSummary>, Error> {
    let (sessions, mailbox, _) = open(args).await?;
    sessions.list_mailbox(&mailbox).await
}

/// The server's sessions and audit trail, and the mailbox asked about.
async fn open(args: &MailboxArgs) -> Result<(Sessions, Address, Audit), Error> {
    let mailbox = Address::parse(&args.mailbox).map_err(|_| Error::InvalidConfig {
        key: "--mailbox",
        problem: "is not a valid e-mail address".into(),
    })?;
    let Opened { store, vault } = server_data::open(&args.server).await?;
    let clock = Arc::new(SystemClock);
    let audit = Audit::new(Arc::clone(&store), Arc::clone(&vault), clock.clone());
    // How long sessions last plays no part in listing or ending them.
    let sessions = Sessions::new(store, vault, clock, &AuthSettings::default());
    Ok((sessions, mailbox, audit))
}
