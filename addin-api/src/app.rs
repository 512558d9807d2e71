//! The application: everything a request may need, built once at start-up from the options
//! and the policy, and shared by every handler as [`AppState`].

use secrecy::{ExposeSecret, SecretString};
use std::{
    net::SocketAddr,
    ops::Deref,
    path::Path,
    sync::{Arc, OnceLock},
};

use addin_core::policy::Policy;
use lettre::message::Mailbox;

use crate::{
    Error,
    audit::Audit,
    clock::Clock,
    config::{ServeArgs, base_url},
    directory_sync::{DirectorySource, DirectoryState, DirectorySync},
    dispatch::Dispatches,
    email_code::EmailCodes,
    entra::{AccessTokenValidator, EntraConfig},
    mailer,
    outgoing_mail::{Outbox, Transport},
    pairings::Pairings,
    policy_file,
    preferences::Preferences,
    send_token::{self, SendTokenSigner},
    sessions::Sessions,
    sms::SmsGateway,
    store::{PostgresStore, SqliteStore, Store},
    vault::{self, KeyOrigin, Missing, Vault},
    viewer::{Intake, Viewer, access::ClientLimits},
};

/// The relay's hand-overs, in the data directory, when no `relay.next_hop` is set.
pub const RELAY_OUTBOX_DIR: &str = "relay-outbox";
/// Viewer access codes by SMS, in the data directory, when no `sms.url` is set.
pub const SMS_OUTBOX_DIR: &str = "sms-outbox";

#[derive(Debug)]
pub struct App {
    pub policy: Policy,
    /// `https://host[:port]`, no trailing slash.
    pub base_url: String,
    pub store: Arc<dyn Store>,
    pub vault: Arc<Vault>,
    pub directory: Arc<DirectoryState>,
    pub sessions: Sessions,
    pub pairings: Pairings,
    pub preferences: Preferences,
    pub audit: Audit,
    pub signer: SendTokenSigner,
    /// What each send token was issued for (SPEC §7).
    pub dispatches: Dispatches,
    /// Where the relay hands secure mail on (`relay.next_hop`, SPEC §13).
    pub next_hop: Transport,
    /// The From of the mail the server writes itself: sign-in codes, Viewer notifications.
    pub mail_from: Mailbox,
    /// The Viewer (SPEC §14): intake, SMS, its per-client limits.
    pub viewer: Viewer,
    /// Where the relay listens, once it does (`--smtp-listen`).
    pub relay_address: OnceLock<SocketAddr>,
    pub clock: Arc<dyn Clock>,
    pub web_dir: std::path::PathBuf,
    /// The add-in's GUID in the manifests (`--addin-id`).
    pub addin_id: crate::manifest::AddinId,
    /// Set when the policy signs users in with Entra ID.
    pub entra: Option<AccessTokenValidator>,
    /// Set when the policy signs users in with e-mail codes.
    pub email_codes: Option<EmailCodes>,
    /// The proxies whose `X-Forwarded-For` names the client (`--trusted-proxies`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

/// What handlers take: cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState(pub Arc<App>);

impl Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0
    }
}

/// An [`App`] and the background work it needs (the directory refresh).
#[derive(Debug)]
pub struct Started {
    pub app: Arc<App>,
    pub directory_sync: Arc<DirectorySync>,
}

impl App {
    /// Opens storage, loads keys and the directory. `env` looks up environment variables (the
    /// policy's overrides).
    pub async fn start(
        args: &ServeArgs,
        clock: Arc<dyn Clock>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Started, Error> {
        let policy = policy_file::load(args.policy.as_deref(), &env)?;
        let entra = EntraConfig::from_policy(&policy, args.policy.as_deref())?;
        let keys = vault::load_ring(&args.keys, &args.data_dir, &env, Missing::Generate)?;
        std::fs::create_dir_all(&args.data_dir).map_err(|source| Error::DataDir {
            path: args.data_dir.clone(),
            source,
        })?;

        let store = open_store(args.database_url.as_ref(), &args.data_dir).await?;
        let vault = Arc::new(Vault::load(keys.keys.expose_secret(), store.as_ref()).await?);
        let ring: Vec<String> = vault.key_ids().iter().map(ToString::to_string).collect();
        tracing::info!(
            from = %keys.origin,
            ring = %ring.join(","),
            index_key = %vault.index_key_id(),
            "data keys: new values are sealed with the first of the ring"
        );
        if let KeyOrigin::DataDir { generated } = keys.origin {
            tracing::warn!(
                generated,
                "the data key is kept in the data directory; in production give the keys in SENDSECURE_DATA_KEYS or --data-key-file so they are not stored beside the data"
            );
        }
        let base_url = base_url(&args.public_url);
        let key_file = args
            .send_token_key
            .clone()
            .unwrap_or_else(|| args.data_dir.join(send_token::KEY_FILE));
        let (signer, generated) = SendTokenSigner::load_or_create(&key_file, &base_url)?;
        if generated {
            tracing::info!("generated the send-token signing key");
        }
        tracing::info!(
            kids = %signer.kids().join(","),
            "send-token keys: tokens are signed with the first"
        );

        let email_codes = EmailCodes::for_policy(
            &policy,
            args,
            Arc::clone(&store),
            Arc::clone(&vault),
            Arc::clone(&clock),
        )?;
        let next_hop = Transport::from_config(
            policy.relay.next_hop.as_deref(),
            "relay.next_hop",
            args.ca_cert.as_deref(),
            Outbox {
                dir: args.data_dir.join(RELAY_OUTBOX_DIR),
                prefix: "relayed",
                with_envelope: true,
            },
        )?;
        if args.smtp_listen.is_some()
            && let Transport::Outbox(outbox) = &next_hop
        {
            tracing::warn!(
                outbox = %outbox.dir.display(),
                "relay.next_hop is not set: relayed mail is written to the relay outbox, not delivered (development only)"
            );
        }
        let mail_from = mailer::sender(args.mail_from.as_deref(), &args.public_url)?;
        let http = outgoing_http_client(args.ca_cert.as_deref(), HttpsOnly::Yes)?;
        let sms = SmsGateway::from_config(
            policy.sms.url.as_deref(),
            &policy.sms.sender,
            outgoing_http_client(args.ca_cert.as_deref(), HttpsOnly::ExceptLoopback)?,
            args.data_dir.join(SMS_OUTBOX_DIR),
        )?;
        let entra =
            entra.map(|config| AccessTokenValidator::new(config, http.clone(), Arc::clone(&clock)));
        let source = DirectorySource::parse(policy.directory.source.as_deref())?;
        let directory_sync = Arc::new(DirectorySync::new(
            source,
            policy.directory.variant,
            Arc::clone(&store),
            http,
            Arc::clone(&clock),
        ));
        directory_sync.restore().await;
        directory_sync.sync_once().await;

        let sessions = Sessions::new(
            Arc::clone(&store),
            Arc::clone(&vault),
            Arc::clone(&clock),
            &policy.auth,
        );
        let ended = sessions.end_other_methods().await?;
        if ended > 0 {
            tracing::info!(
                ended,
                "sessions of another sign-in method than auth.method were ended"
            );
        }
        let app = App {
            sessions,
            pairings: Pairings::new(Arc::clone(&store), Arc::clone(&vault), Arc::clone(&clock)),
            preferences: Preferences::new(Arc::clone(&store), Arc::clone(&clock)),
            audit: Audit::new(Arc::clone(&store), Arc::clone(&vault), Arc::clone(&clock)),
            dispatches: Dispatches::new(Arc::clone(&store), Arc::clone(&vault), Arc::clone(&clock)),
            viewer: Viewer {
                intake: Intake::new(
                    Arc::clone(&store),
                    Arc::clone(&vault),
                    Arc::clone(&clock),
                    policy.viewer.retention.duration(),
                ),
                sms,
                limits: ClientLimits::default(),
            },
            next_hop,
            mail_from,
            relay_address: OnceLock::new(),
            vault,
            directory: directory_sync.state(),
            policy,
            base_url,
            store,
            signer,
            clock,
            web_dir: args.web_dir.clone(),
            addin_id: args.addin_id.clone(),
            entra,
            email_codes,
            trusted_proxies: args.trusted_proxies.clone(),
        };
        Ok(Started {
            app: Arc::new(app),
            directory_sync,
        })
    }
}

/// The SQLite database in the data directory, when no database URL is given.
pub(crate) const SQLITE_FILE: &str = "sendsecure.db";

/// The database `serve` uses; `sendsecure sessions` opens it the same way.
pub(crate) async fn open_store(
    database_url: Option<&SecretString>,
    data_dir: &Path,
) -> Result<Arc<dyn Store>, Error> {
    let url = database_url.map(|url| url.expose_secret().trim());
    match url.filter(|url| !url.is_empty()) {
        None => Ok(Arc::new(
            SqliteStore::open(&data_dir.join(SQLITE_FILE)).await?,
        )),
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(Arc::new(PostgresStore::connect(url).await?))
        }
        Some(_) => Err(Error::InvalidConfig {
            key: "database_url",
            problem: "must be a postgres:// URL (or unset for SQLite)".into(),
        }),
    }
}

/// Whether a client may speak plain HTTP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HttpsOnly {
    Yes,
    /// The SMS gateway's configuration allows `http://` to this machine only (checked there).
    ExceptLoopback,
}

/// The client for the directory source, the identity provider and the SMS gateway: rustls
/// with the web PKI roots, plus any CA the admin names (a TLS-inspecting proxy, a test CA).
fn outgoing_http_client(
    ca_cert: Option<&Path>,
    https_only: HttpsOnly,
) -> Result<reqwest::Client, Error> {
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .https_only(https_only == HttpsOnly::Yes)
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(30))
        .user_agent(concat!("sendsecure/", env!("CARGO_PKG_VERSION")));
    if let Some(path) = ca_cert {
        let invalid = |problem: String| Error::InvalidConfig {
            key: "ca_cert",
            problem,
        };
        let pem = std::fs::read(path)
            .map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
        let certificates = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| invalid(format!("{} is not PEM: {e}", path.display())))?;
        for certificate in certificates {
            builder = builder.add_root_certificate(certificate);
        }
    }
    builder
        .build()
        .map_err(|e| Error::internal_from("cannot build the HTTP client", e))
}
