//! `sendsecure serve` options (SPEC §12). Every one is also an environment variable; a bad
//! value stops start-up with one line naming it.

use secrecy::SecretString;
use std::{net::SocketAddr, path::PathBuf};

use url::Url;

use crate::Error;

#[derive(Clone, Debug, clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on
    #[arg(long, env = "SENDSECURE_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,
    /// The https:// address Outlook reaches this server at; the manifest points there
    #[arg(long, env = "SENDSECURE_PUBLIC_URL", default_value = "https://localhost:3000", value_parser = parse_public_url)]
    pub public_url: Url,
    /// Where the SQLite database, keys and the development certificate are kept
    #[arg(long, env = "SENDSECURE_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// The organisation policy (TOML) [default: the bundled sample]
    #[arg(long, env = "SENDSECURE_POLICY")]
    pub policy: Option<PathBuf>,
    /// TLS certificate chain (PEM) [default: a development certificate in the data dir]
    #[arg(long, env = "SENDSECURE_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM)
    #[arg(long, env = "SENDSECURE_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// postgres://… to share one database between instances [default: SQLite in the data dir]
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_parser = secret)]
    pub database_url: Option<SecretString>,
    #[command(flatten)]
    pub keys: DataKeyArgs,
    /// The send-token signing key (PKCS#8 PEM, P-256); instances behind one load balancer
    /// share it [default: generated into the data dir]
    #[arg(long, env = "SENDSECURE_SEND_TOKEN_KEY")]
    pub send_token_key: Option<PathBuf>,
    /// Extra CA certificates (PEM) to trust for outgoing HTTPS (directory source, Entra ID)
    /// and for the SMTP server of smtp.url
    #[arg(long, env = "SENDSECURE_CA_CERT")]
    pub ca_cert: Option<PathBuf>,
    /// The From of sign-in code e-mails, e.g. "Send Secure <no-reply@example.nl>"
    /// [default: Send Secure <no-reply@HOST>, HOST from --public-url]
    #[arg(long, env = "SENDSECURE_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// The load balancers or reverse proxies in front of this server (IP addresses or CIDR
    /// ranges, comma-separated): behind them the client is the one X-Forwarded-For names
    /// [default: none; the TCP peer is the client]
    #[arg(long, env = "SENDSECURE_TRUSTED_PROXIES", value_delimiter = ',', value_parser = crate::http::forwarded::parse_proxy_range)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Also listen for SMTP here: the secure route's relay that Exchange Online hands tagged
    /// mail to (SPEC §13), e.g. 0.0.0.0:25 [default: off]
    #[arg(long, env = "SENDSECURE_SMTP_LISTEN")]
    pub smtp_listen: Option<SocketAddr>,
    /// The built task pane (Trunk's output)
    #[arg(long, env = "SENDSECURE_WEB_DIR", default_value = "dist")]
    pub web_dir: PathBuf,
    /// The add-in's GUID in the manifest: one per deployment, never changed once users have
    /// the add-in [default: a fixed GUID for development only]
    #[arg(long, env = "SENDSECURE_ADDIN_ID", default_value = crate::manifest::DEVELOPMENT_ADDIN_ID, hide_default_value = true, value_parser = crate::manifest::AddinId::parse)]
    pub addin_id: crate::manifest::AddinId,
}

/// A value that may hold a password (a database URL): it never prints, not even in `Debug`.
pub fn secret(value: &str) -> Result<SecretString, std::convert::Infallible> {
    Ok(SecretString::from(value))
}

/// Where the data key ring is read from, for `serve` and every command that opens its data.
/// The environment's `SENDSECURE_DATA_KEYS` (newest first) or `SENDSECURE_DATA_KEY` (one key)
/// are read by [`crate::vault::load_ring`]: they have no flag, because a key on the command
/// line shows in `ps`.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct DataKeyArgs {
    /// A file of data keys, one base64 key (32 bytes) per line, newest first; `#` starts a
    /// comment [default: SENDSECURE_DATA_KEYS or SENDSECURE_DATA_KEY, else data-key in the
    /// data dir]
    #[arg(long, env = "SENDSECURE_DATA_KEY_FILE", value_name = "FILE")]
    pub data_key_file: Option<PathBuf>,
    /// Refused; only here to say so, without keeping the key it was given.
    #[arg(long = "data-key", hide = true, num_args = 0..=1, default_missing_value = "", value_parser = refuse_key)]
    pub data_key: Option<RefusedKey>,
}

/// A `--data-key` was given; its value is dropped unread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefusedKey;

fn refuse_key(_: &str) -> Result<RefusedKey, std::convert::Infallible> {
    Ok(RefusedKey)
}

impl DataKeyArgs {
    /// Refuses a `--data-key`: a key on the command line shows in `ps` to every user of the
    /// machine.
    pub fn refuse_command_line_key(&self) -> Result<(), Error> {
        match self.data_key {
            Some(RefusedKey) => Err(Error::InvalidConfig {
                key: "--data-key",
                problem: "is refused: a key on the command line shows in `ps`; give the keys in \
                          SENDSECURE_DATA_KEYS or in a file named by --data-key-file"
                    .into(),
            }),
            None => Ok(()),
        }
    }
}

impl ServeArgs {
    /// The options `serve` would use with none given (environment variables still apply).
    pub fn defaults() -> Self {
        use clap::{CommandFactory, FromArgMatches};
        #[derive(clap::Parser)]
        struct Only {
            #[command(flatten)]
            args: ServeArgs,
        }
        Only::command()
            .no_binary_name(true)
            .try_get_matches_from(std::iter::empty::<String>())
            .and_then(|matches| ServeArgs::from_arg_matches(&matches))
            .unwrap_or_else(|error| unreachable!("the defaults always parse: {error}"))
    }
}

/// The public URL without a trailing slash, so paths can be appended.
pub fn base_url(public_url: &Url) -> String {
    public_url.as_str().trim_end_matches('/').to_owned()
}

pub fn parse_public_url(raw: &str) -> Result<Url, Error> {
    let invalid = |problem: &str| Error::InvalidConfig {
        key: "public_url",
        problem: problem.into(),
    };
    let url = Url::parse(raw).map_err(|_| invalid("is not a URL"))?;
    if url.scheme() != "https" {
        return Err(invalid(
            "must be https://: Office loads add-ins over HTTPS only",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("must not have a query or fragment"));
    }
    Ok(url)
}
