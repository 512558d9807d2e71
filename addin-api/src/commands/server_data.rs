//! What the admin commands open: the server's own database and data key, with `serve`'s
//! storage options and environment variables, so they work beside a running server and for
//! any number of instances.

use secrecy::{ExposeSecret, SecretString};
use std::{path::PathBuf, sync::Arc};

use crate::{
    Error,
    app::{SQLITE_FILE, open_store},
    config::DataKeyArgs,
    store::Store,
    vault::{Missing, Vault, load_ring},
};

#[derive(Debug, clap::Args)]
pub struct ServerData {
    /// The server's data directory (its SQLite database and, unless configured, its data key)
    #[arg(long, env = "SENDSECURE_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// The server's postgres://… database [default: SQLite in the data dir]
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_parser = crate::config::secret)]
    pub database_url: Option<SecretString>,
    // The server's data keys: SENDSECURE_DATA_KEYS, SENDSECURE_DATA_KEY or --data-key-file.
    #[command(flatten)]
    pub keys: DataKeyArgs,
}

/// The server's storage and data key, opened.
#[derive(Debug)]
pub struct Opened {
    pub store: Arc<dyn Store>,
    pub vault: Arc<Vault>,
}

/// Opens the server's storage and key. Both must already exist: records are found by keyed
/// hashes, so a key or a database made up here would find nothing and report a misleading 0.
pub async fn open(args: &ServerData) -> Result<Opened, Error> {
    let keys = load_ring(
        &args.keys,
        &args.data_dir,
        |name| std::env::var(name).ok(),
        Missing::Refuse,
    )?;
    let uses_sqlite = args
        .database_url
        .as_ref()
        .is_none_or(|url| url.expose_secret().trim().is_empty());
    if uses_sqlite && !args.data_dir.join(SQLITE_FILE).is_file() {
        return Err(missing(
            args,
            "holds no database: give the server's data directory, or its --database-url",
        ));
    }
    let store = open_store(args.database_url.as_ref(), &args.data_dir).await?;
    let vault = Vault::load(keys.keys.expose_secret(), store.as_ref()).await?;
    Ok(Opened {
        store,
        vault: Arc::new(vault),
    })
}

fn missing(args: &ServerData, problem: &str) -> Error {
    Error::InvalidConfig {
        key: "--data-dir",
        problem: format!("{} {problem}", args.data_dir.display()),
    }
}
