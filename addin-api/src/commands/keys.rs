//! `sendsecure keys status|rotate|rotate-send-token` (README "Keys"): the data key ring and
//! the send-token key.
//!
//! `status` and `rotate` open the server's data as `sessions` does, with the ring the servers
//! run with: give every instance the new ring (the new key first) before rotating, so that
//! nothing is sealed with the old key afterwards.

use std::path::PathBuf;

use crate::{
    Error,
    commands::server_data::{self, Opened, ServerData},
    send_token::{self, Rollover},
    vault::rotation::{self, KeyStatus, Rotated},
};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Show the ring's key ids and how many sealed values each key holds
    Status(ServerData),
    /// Seal every value again with the newest key of the ring, so older keys can leave it
    Rotate(ServerData),
    /// Start a send-token key rollover: a new signing key, the current one kept as the previous
    RotateSendToken(SendTokenArgs),
}

#[derive(Debug, clap::Args)]
pub struct SendTokenArgs {
    /// The server's data directory (its send-token key)
    #[arg(long, env = "SENDSECURE_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// The send-token key file, as `serve --send-token-key` names it [default: in the data dir]
    #[arg(long, env = "SENDSECURE_SEND_TOKEN_KEY", value_name = "FILE")]
    pub send_token_key: Option<PathBuf>,
}

pub async fn status(args: &ServerData) -> Result<KeyStatus, Error> {
    let Opened { store, vault } = server_data::open(args).await?;
    rotation::status(&vault, store.as_ref()).await
}

/// One report per sealed column.
pub async fn rotate(args: &ServerData) -> Result<Vec<Rotated>, Error> {
    let Opened { store, vault } = server_data::open(args).await?;
    rotation::rotate(&vault, store.as_ref()).await
}

pub fn rotate_send_token(args: &SendTokenArgs) -> Result<Rollover, Error> {
    let key_file = args
        .send_token_key
        .clone()
        .unwrap_or_else(|| args.data_dir.join(send_token::KEY_FILE));
    send_token::roll_over(&key_file)
}
