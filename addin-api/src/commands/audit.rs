//! `sendsecure audit verify|export`: a security officer checks that the audit trail is whole
//! (no record edited or deleted, see [`crate::audit::chain`]) and hands it to a SIEM.
//!
//! Both open the server's storage directly, with `serve`'s options and environment
//! variables, so they work beside a running server.

use std::io::Write;

use crate::{
    Error,
    audit::{
        chain::{self, Verification},
        export::{self, Format},
    },
    commands::server_data::{self, Opened, ServerData},
};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Check the audit trail's hash chain: name every record edited or deleted
    Verify(VerifyArgs),
    /// Write the audit trail as JSON Lines or CSV to standard output, for a SIEM
    Export(ExportArgs),
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub server: ServerData,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Only records from this moment on: a date (2026-12-01) or RFC 3339 (2026-12-01T08:00:00Z)
    #[arg(long, value_name = "TIME", value_parser = parse_since)]
    pub since: Option<i64>,
    #[arg(long, value_enum)]
    pub format: Format,
    #[command(flatten)]
    pub server: ServerData,
}

pub async fn verify(args: &VerifyArgs) -> Result<Verification, Error> {
    let Opened { store, vault } = server_data::open(&args.server).await?;
    chain::verify(store.as_ref(), &vault).await
}

/// Writes the export to `out`; returns how many records.
pub async fn export(args: &ExportArgs, out: &mut dyn Write) -> Result<u64, Error> {
    let Opened { store, .. } = server_data::open(&args.server).await?;
    export::export(
        store.as_ref(),
        args.since.unwrap_or(i64::MIN),
        args.format,
        out,
    )
    .await
}

/// `--since` as Unix seconds: a date means its midnight, UTC.
fn parse_since(raw: &str) -> Result<i64, String> {
    let raw = raw.trim();
    let with_time = if raw.len() == 10 {
        format!("{raw}T00:00:00Z")
    } else {
        raw.to_owned()
    };
    humantime::parse_rfc3339(&with_time)
        .ok()
        .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|since| i64::try_from(since.as_secs()).ok())
        .ok_or_else(|| {
            "expected a date (2026-12-01) or RFC 3339 time (2026-12-01T08:00:00Z)".into()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_a_date_or_a_time() {
        assert_eq!(parse_since("2027-01-15"), Ok(1_799_971_200));
        assert_eq!(parse_since("2027-01-15T08:00:00Z"), Ok(1_800_000_000));
        assert!(parse_since("yesterday").is_err());
    }
}
