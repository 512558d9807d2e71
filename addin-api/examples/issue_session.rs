//! Issues a session straight through the storage layer and prints its token, for the load
//! test (`scripts/loadtest.sh`) which has no mailbox to receive a sign-in code.

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    reason = "tests, benchmarks and load generators stop at the failing line and time with the machine's clock"
)]

use secrecy::ExposeSecret;
use std::{path::PathBuf, sync::Arc};

use addin_api::{
    clock::SystemClock,
    config::DataKeyArgs,
    sessions::{DeviceId, Proof, Sessions},
    store::SqliteStore,
    vault::{Missing, Vault, load_ring},
};
use addin_core::{address::Address, policy::AuthSettings};
use clap::Parser;

#[derive(Parser)]
struct Args {
    /// The server's data directory (its SQLite database)
    #[arg(long)]
    data_dir: PathBuf,
    // The server's data keys, as `serve` reads them (SENDSECURE_DATA_KEY, …).
    #[command(flatten)]
    keys: DataKeyArgs,
    #[arg(long)]
    mailbox: String,
    #[arg(long)]
    device: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let store = Arc::new(SqliteStore::open(&args.data_dir.join("sendsecure.db")).await?);
    let keys = load_ring(
        &args.keys,
        &args.data_dir,
        |name| std::env::var(name).ok(),
        Missing::Refuse,
    )?;
    let vault = Vault::load(keys.keys.expose_secret(), store.as_ref()).await?;
    let sessions = Sessions::new(
        store,
        Arc::new(vault),
        Arc::new(SystemClock),
        &AuthSettings::default(),
    );
    let mailbox = Address::parse(&args.mailbox)?;
    let (token, _) = sessions
        .issue(&mailbox, &DeviceId::parse(&args.device)?, Proof::EmailCode)
        .await?;
    println!("{token}");
    Ok(())
}
