//! The harness (zero-to-production's `spawn_app()`, as a builder): [`TestApp`] is the real
//! server on a random port, over HTTPS under its own development CA, with a temporary data
//! directory, a policy and a directory file of its own, a [`ManualClock`] the test moves, and
//! for PostgreSQL a fresh database that is dropped when the test ends, also when it fails.

use secrecy::ExposeSecret;
use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    str::FromStr,
    sync::Arc,
    time::{Duration, SystemTime},
};

use addin_api::{
    Error,
    app::App,
    clock::{Clock, ManualClock},
    config::ServeArgs,
    server::RunningServer,
    sessions::{DeviceId, Proof},
};
use addin_core::address::Address;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::{Method, RequestBuilder, StatusCode, header, header::HeaderMap};
use serde_json::{Value, json};
use sqlx::{
    ConnectOptions, Connection, Executor,
    postgres::{PgConnectOptions, PgConnection, PgPool},
    sqlite::{SqliteConnectOptions, SqlitePool},
};
use tempfile::TempDir;

// ---- Fixed inputs --------------------------------------------------------------------------

/// What the server believes its public address to be (the manifest, the token issuer).
pub const PUBLIC_URL: &str = "https://localhost:8443";
/// The data key every test app (and every `serve` process of one test) shares.
pub const DATA_KEY: [u8; 32] = [7; 32];
pub const SAMPLE_POLICY: &str = include_str!("../../../samples/policy.toml");
pub const SAMPLE_DIRECTORY: &str = include_str!("../../../samples/directory.json");
pub const SIGRA_DIRECTORY: &str = include_str!("../../../samples/directory-sigra.json");

/// The signed-in user: internal to the sample organisation, NTA 7516 registered.
pub const SENDER: &str = "a.jansen@huisartsen-oost.nl";
/// A second user of the same organisation.
pub const COLLEAGUE: &str = "b.devries@huisartsen-oost.nl";
/// A patient: outside the community, so a Viewer recipient.
pub const PATIENT: &str = "m.bakker@example.com";
/// A hospital in the community.
pub const HOSPITAL: &str = "b.smit@ziekenhuis-west.nl";
/// A Dutch mobile number as a user types it, and in E.164.
pub const MOBILE_TYPED: &str = "06 12345678";
pub const MOBILE_E164: &str = "+31612345678";

const DIRECTORY_FILE: &str = "directory.json";
const POLICY_FILE: &str = "policy.toml";
const SQLITE_FILE: &str = "sendsecure.db";
const DATA_KEY_FILE: &str = "data-keys";

pub fn data_key() -> String {
    base64::engine::general_purpose::STANDARD.encode(DATA_KEY)
}

/// A device id as the panel makes one: random, 39 characters.
pub fn new_device_id() -> String {
    format!("device-{:032x}", rand::random::<u128>())
}

// ---- Both backends -------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// `both_backends!(a, b)` turns `async fn a(backend: Backend)` into `sqlite::a` and
/// `postgres::a`, so every module's suite runs on both stores.
macro_rules! both_backends {
    ($($test:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $test() {
                    super::$test($crate::helpers::Backend::Sqlite).await;
                }
            )+
        }

        mod postgres {
            $(
                #[tokio::test]
                async fn $test() {
                    super::$test($crate::helpers::Backend::Postgres).await;
                }
            )+
        }
    };
}

// ---- PostgreSQL test databases -------------------------------------------------------------

/// One line that says how to get the PostgreSQL these tests need.
fn no_postgres(url: &str, error: &sqlx::Error) -> String {
    let server = url.rsplit('@').next().unwrap_or(url);
    format!(
        "no PostgreSQL at {server} ({error}): run `./dev test`, which starts it, \
         or set SENDSECURE_TEST_POSTGRES_URL"
    )
}

fn postgres_admin_url() -> String {
    std::env::var("SENDSECURE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A database of its own for one test. [`TestDatabase::drop_now`] drops it; if the test
/// panics first, `Drop` does it on a thread and runtime of its own.
#[derive(Debug)]
pub struct TestDatabase {
    name: String,
    pub url: String,
    dropped: bool,
}

impl TestDatabase {
    pub async fn create() -> Self {
        let admin_url = postgres_admin_url();
        let mut admin = PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|error| panic!("{}", no_postgres(&admin_url, &error)));
        let name = format!("sendsecure_api_{:016x}", rand::random::<u64>());
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("the test database is created");
        admin.close().await.expect("the admin connection closes");
        let url = PgConnectOptions::from_str(&admin_url)
            .expect("a valid PostgreSQL URL")
            .database(&name)
            .to_url_lossy()
            .to_string();
        Self {
            name,
            url,
            dropped: false,
        }
    }

    pub async fn drop_now(mut self) {
        drop_database(&self.name)
            .await
            .expect("the test database is dropped");
        self.dropped = true;
    }
}

async fn drop_database(name: &str) -> Result<(), sqlx::Error> {
    let mut admin = PgConnection::connect(&postgres_admin_url()).await?;
    // FORCE ends the connections the server's pool still holds.
    admin
        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await?;
    admin.close().await
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        // A failing test unwinds through here inside its own runtime, which cannot be
        // blocked on: drop the database from a fresh runtime on a thread of its own.
        let name = self.name.clone();
        let outcome = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(sqlx::Error::Io)?
                .block_on(drop_database(&name))
        })
        .join();
        if !matches!(outcome, Ok(Ok(()))) {
            eprintln!("could not drop the test database {}", self.name);
        }
    }
}

// ---- The app -------------------------------------------------------------------------------

/// How to start a [`TestApp`]: the sample policy and the sample directory (as a file the
/// test may change or remove) unless told otherwise.
#[derive(Debug)]
pub struct TestAppBuilder {
    backend: Backend,
    overrides: Vec<(String, toml::Value)>,
    directory: Option<String>,
    directory_source: Option<String>,
    ca_cert: Option<PathBuf>,
    smtp_listen: Option<SocketAddr>,
    behind_proxy: bool,
}

impl TestAppBuilder {
    /// Sets one dotted policy key, e.g. `set("installation_type", "standard")`.
    pub fn set(mut self, key: &str, value: impl Into<toml::Value>) -> Self {
        self.overrides.push((key.to_owned(), value.into()));
        self
    }

    /// The directory file's content (the source the policy names).
    pub fn directory_file(mut self, json: &str) -> Self {
        self.directory = Some(json.to_owned());
        self
    }

    /// The policy names a directory file that is not there: nothing ever loads.
    pub fn without_directory_file(mut self) -> Self {
        self.directory = None;
        self
    }

    /// `directory.source` as given (a URL), instead of the directory file.
    pub fn directory_source(mut self, source: &str) -> Self {
        self.directory_source = Some(source.to_owned());
        self
    }

    /// Extra CA certificates for the server's outgoing HTTPS (`--ca-cert`).
    pub fn ca_cert(mut self, path: &Path) -> Self {
        self.ca_cert = Some(path.to_owned());
        self
    }

    /// Starts the relay too (`--smtp-listen`), on a free port of `ip`.
    pub fn relay_on(mut self, ip: std::net::IpAddr) -> Self {
        self.smtp_listen = Some(SocketAddr::new(ip, 0));
        self
    }

    /// Trusts the test itself as a proxy (`--trusted-proxies 127.0.0.1/32`): a request's
    /// `X-Forwarded-For` then names the client, so one test can be many clients.
    pub fn behind_proxy(mut self) -> Self {
        self.behind_proxy = true;
        self
    }

    pub async fn start(self) -> TestApp {
        self.try_start().await.expect("the app starts")
    }

    /// Starts, or returns the start-up error (the database, if any, is dropped then).
    pub async fn try_start(self) -> Result<TestApp, Error> {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let directory_path = dir.path().join(DIRECTORY_FILE);
        if let Some(json) = &self.directory {
            std::fs::write(&directory_path, json).expect("the directory file is written");
        }
        let source = self
            .directory_source
            .clone()
            .unwrap_or_else(|| directory_path.display().to_string());
        let policy_path = dir.path().join(POLICY_FILE);
        std::fs::write(&policy_path, self.policy_text(&source)).expect("the policy is written");

        let database = match self.backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(TestDatabase::create().await),
        };
        let mut args = ServeArgs::defaults();
        args.listen = SocketAddr::from(([127, 0, 0, 1], 0));
        args.public_url = url::Url::parse(PUBLIC_URL).expect("a valid URL");
        args.data_dir = dir.path().join("data");
        args.policy = Some(policy_path);
        args.tls_cert = None;
        args.tls_key = None;
        args.database_url = database
            .as_ref()
            .map(|database| database.url.as_str().into());
        let key_file = dir.path().join(DATA_KEY_FILE);
        std::fs::write(&key_file, data_key()).expect("the data key file is written");
        args.keys.data_key_file = Some(key_file);
        args.send_token_key = None;
        args.ca_cert = self.ca_cert;
        args.smtp_listen = self.smtp_listen;
        if self.behind_proxy {
            args.trusted_proxies = vec!["127.0.0.1/32".parse().expect("a range")];
        }
        args.web_dir = dir.path().join("web");

        let clock = Arc::new(ManualClock::new(SystemTime::now()));
        let (server, client) = launch(&args, &clock).await?;
        Ok(TestApp {
            clock,
            api: Some(ApiClient::new(client, server.addr)),
            server: Some(server),
            args,
            database,
            dir,
        })
    }

    fn policy_text(&self, source: &str) -> String {
        let mut table: toml::Table = SAMPLE_POLICY.parse().expect("the sample policy is TOML");
        set_key(&mut table, "directory.source", source.into());
        for (key, value) in &self.overrides {
            set_key(&mut table, key, value.clone());
        }
        toml::to_string(&table).expect("the policy serialises")
    }
}

fn set_key(table: &mut toml::Table, key: &str, value: toml::Value) {
    match key.split_once('.') {
        None => {
            table.insert(key.to_owned(), value);
        }
        Some((head, rest)) => {
            let inner = table
                .entry(head)
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            let toml::Value::Table(inner) = inner else {
                panic!("{head} is not a table in the test policy");
            };
            set_key(inner, rest, value);
        }
    }
}

async fn launch(
    args: &ServeArgs,
    clock: &Arc<ManualClock>,
) -> Result<(RunningServer, reqwest::Client), Error> {
    let server = RunningServer::start(args, clock.clone(), |_| None).await?;
    let ca = args.data_dir.join("tls").join("dev-ca.pem");
    let client = https_client(&ca, server.addr);
    Ok((server, client))
}

/// A client that trusts only the given CA and finds `localhost` at `addr`: requests go to
/// `https://localhost:<port>/…` with full certificate verification.
pub fn https_client(ca_pem_path: &Path, addr: SocketAddr) -> reqwest::Client {
    addin_api::tls::install_crypto_provider();
    let pem = std::fs::read(ca_pem_path).expect("the dev CA certificate is there");
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("a PEM certificate"))
        .resolve("localhost", addr)
        .https_only(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTPS client")
}

/// The running server and everything a test needs around it.
pub struct TestApp {
    pub clock: Arc<ManualClock>,
    api: Option<ApiClient>,
    server: Option<RunningServer>,
    args: ServeArgs,
    // Dropped in declaration order: the server, then its database, then the files.
    database: Option<TestDatabase>,
    dir: TempDir,
}

/// The sample policy and directory on `backend`.
pub async fn spawn_app(backend: Backend) -> TestApp {
    TestApp::builder(backend).start().await
}

impl TestApp {
    pub fn builder(backend: Backend) -> TestAppBuilder {
        TestAppBuilder {
            backend,
            overrides: Vec::new(),
            directory: Some(SAMPLE_DIRECTORY.to_owned()),
            directory_source: None,
            ca_cert: None,
            smtp_listen: None,
            behind_proxy: false,
        }
    }

    fn server(&self) -> &RunningServer {
        self.server.as_ref().expect("the server is running")
    }

    /// The application behind the server: sessions, store, directory …
    pub fn state(&self) -> &Arc<App> {
        &self.server().app
    }

    /// The server's clock, in Unix seconds.
    pub fn now(&self) -> i64 {
        self.clock.unix_now()
    }

    pub fn data_dir(&self) -> &Path {
        &self.args.data_dir
    }

    /// Where the relay listens (the app was built with [`TestAppBuilder::relay_on`]).
    pub fn relay_addr(&self) -> SocketAddr {
        self.server()
            .relay
            .as_ref()
            .expect("the app runs the relay")
            .addr
    }

    /// The development CA the server's certificate chains to.
    pub fn dev_ca_path(&self) -> PathBuf {
        self.data_dir().join("tls").join("dev-ca.pem")
    }

    /// The file the app reads its data keys from (newest first): a test may write another
    /// ring into it and restart the app.
    pub fn data_key_file(&self) -> &Path {
        self.args
            .keys
            .data_key_file
            .as_deref()
            .expect("test apps read their keys from a file")
    }

    /// Runs `sendsecure <args>` against this app's storage and with its data keys in the
    /// environment, as an admin on its machine would. It waits without blocking the runtime:
    /// the server runs on it too, and a transaction of its caught mid-way would otherwise hold
    /// SQLite's write lock until the command gives up ("database is locked").
    pub async fn cli(&self, args: &[&str]) -> std::process::Output {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_sendsecure"));
        command
            .args(args)
            .arg("--data-dir")
            .arg(self.data_dir())
            .env_remove("DATABASE_URL")
            .env_remove("SENDSECURE_DATA_DIR")
            .env_remove("SENDSECURE_DATA_KEY")
            .env_remove("SENDSECURE_DATA_KEYS")
            .env("SENDSECURE_DATA_KEY_FILE", self.data_key_file());
        if let Some(url) = &self.args.database_url {
            command.args(["--database-url", url.expose_secret()]);
        }
        command.output().await.expect("sendsecure runs")
    }

    /// The directory file the policy names (it may be missing).
    pub fn directory_path(&self) -> PathBuf {
        self.dir.path().join(DIRECTORY_FILE)
    }

    /// Stops the server, finishing requests in flight.
    pub async fn stop(&mut self) {
        // Idle connections of our client would keep a graceful shutdown waiting.
        self.api = None;
        if let Some(server) = self.server.take() {
            server.shutdown().await.expect("the server stops cleanly");
        }
    }

    /// Stops the server and starts it again on the same data directory and database (on a
    /// new port), as an admin's restart would.
    pub async fn try_restart(&mut self) -> Result<(), Error> {
        self.stop().await;
        let (server, client) = launch(&self.args, &self.clock).await?;
        self.api = Some(ApiClient::new(client, server.addr));
        self.server = Some(server);
        Ok(())
    }

    pub async fn restart(&mut self) {
        self.try_restart().await.expect("the app starts again");
    }

    /// Drops the PostgreSQL database under the running server, as an outage would.
    pub async fn lose_database(&mut self) {
        self.database
            .take()
            .expect("a PostgreSQL app")
            .drop_now()
            .await;
    }

    /// Ends the test: stops the server and drops its database.
    pub async fn finish(mut self) {
        self.stop().await;
        if let Some(database) = self.database.take() {
            database.drop_now().await;
        }
    }

    /// A session for `mailbox` on a new device, as a sign-in would make it (the sign-in
    /// endpoints come later; the session layer is what is under test here).
    pub async fn sign_in(&self, mailbox: &str) -> Session {
        let address = Address::parse(mailbox).expect("a valid mailbox");
        let device_id = new_device_id();
        let device = DeviceId::parse(&device_id).expect("a valid device id");
        let (token, _) = self
            .state()
            .sessions
            .issue(&address, &device, Proof::EmailCode)
            .await
            .expect("the session is issued");
        Session { token, device_id }
    }

    // ---- The database, read raw ------------------------------------------------------------

    /// A connection of the test's own to the app's database, to read what is stored.
    pub async fn raw_db(&self) -> RawDb {
        match &self.database {
            None => {
                let path = self.data_dir().join(SQLITE_FILE);
                let pool = SqlitePool::connect_with(SqliteConnectOptions::new().filename(&path))
                    .await
                    .expect("the SQLite file opens");
                RawDb::Sqlite { pool, path }
            }
            Some(database) => RawDb::Postgres(
                PgPool::connect(&database.url)
                    .await
                    .expect("the test database connects"),
            ),
        }
    }
}

/// The test talks to the app through its [`ApiClient`].
impl std::ops::Deref for TestApp {
    type Target = ApiClient;

    fn deref(&self) -> &ApiClient {
        self.api.as_ref().expect("the server is running")
    }
}

// ---- Requests ------------------------------------------------------------------------------

/// Requests to one server at `https://localhost:<port>`.
#[derive(Clone, Debug)]
pub struct ApiClient {
    client: reqwest::Client,
    port: u16,
}

impl ApiClient {
    pub fn new(client: reqwest::Client, addr: SocketAddr) -> Self {
        Self {
            client,
            port: addr.port(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.port)
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    /// Without a session.
    pub async fn get(&self, path: &str) -> Reply {
        send(self.request(Method::GET, path)).await
    }

    /// Without a session.
    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        send(self.request(Method::POST, path).json(body)).await
    }

    pub async fn call_as(
        &self,
        session: &Session,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Reply {
        let mut request = session.authorize(self.request(method, path));
        if let Some(body) = body {
            request = request.json(body);
        }
        send(request).await
    }

    pub async fn get_as(&self, session: &Session, path: &str) -> Reply {
        self.call_as(session, Method::GET, path, None).await
    }

    pub async fn post_as(&self, session: &Session, path: &str, body: &Value) -> Reply {
        self.call_as(session, Method::POST, path, Some(body)).await
    }

    pub async fn put_as(&self, session: &Session, path: &str, body: &Value) -> Reply {
        self.call_as(session, Method::PUT, path, Some(body)).await
    }

    pub async fn delete_as(&self, session: &Session, path: &str) -> Reply {
        self.call_as(session, Method::DELETE, path, None).await
    }

    /// The verdict on `draft` for `session`'s user.
    pub async fn check(&self, session: &Session, draft: &Value) -> Value {
        self.post_as(session, "/api/v1/check", draft)
            .await
            .ok_json()
    }

    /// Saves `session`'s number for `recipient`.
    pub async fn save_phone(&self, session: &Session, recipient: &str, phone: &str) {
        self.put_as(
            session,
            &pairing_path(recipient),
            &json!({ "phone": phone }),
        )
        .await
        .ok_json();
    }
}

/// `/api/v1/pairings/{address}`, the address percent-encoded.
pub fn pairing_path(address: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(address.as_bytes()).collect();
    format!("/api/v1/pairings/{encoded}")
}

// ---- Sessions ------------------------------------------------------------------------------

#[derive(Clone, Debug)]
pub struct Session {
    pub token: String,
    pub device_id: String,
}

impl Session {
    /// Both headers every authenticated call carries.
    pub fn authorize(&self, request: RequestBuilder) -> RequestBuilder {
        request
            .bearer_auth(&self.token)
            .header("X-Device-Id", &self.device_id)
    }

    /// The same token presented from another device.
    pub fn on_another_device(&self) -> Self {
        Self {
            device_id: new_device_id(),
            ..self.clone()
        }
    }

    /// Another token on the same device.
    pub fn with_token(&self, token: &str) -> Self {
        Self {
            token: token.to_owned(),
            ..self.clone()
        }
    }
}

// ---- Replies -------------------------------------------------------------------------------

/// A whole response, read.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

/// Sends and reads the answer. No request in this suite may end in a 500 (SPEC §11).
pub async fn send(request: RequestBuilder) -> Reply {
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.text().await.expect("a readable body");
    assert_ne!(
        status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "no request may end in a 500: {body}"
    );
    Reply {
        status,
        headers,
        body,
    }
}

impl Reply {
    pub fn header(&self, name: impl header::AsHeaderName) -> Option<&str> {
        self.headers
            .get(name)
            .map(|value| value.to_str().expect("a text header"))
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {:?}", self.body))
    }

    #[track_caller]
    pub fn assert_status(&self, expected: StatusCode) -> &Self {
        assert_eq!(self.status, expected, "body: {}", self.body);
        self
    }

    /// 200 with a JSON body, which it returns.
    #[track_caller]
    pub fn ok_json(&self) -> Value {
        self.assert_status(StatusCode::OK);
        self.json()
    }

    /// The SPEC §12 error: this status, a JSON body `{"error": {"code", "message"}}` with
    /// this code and a message for people. Returns the message.
    #[track_caller]
    pub fn assert_error(&self, status: StatusCode, code: &str) -> String {
        self.assert_status(status);
        let content_type = self.header(header::CONTENT_TYPE).unwrap_or_default();
        assert!(
            content_type.starts_with("application/json"),
            "an error is JSON, not {content_type:?}: {}",
            self.body
        );
        let body = self.json();
        assert_eq!(body["error"]["code"], code, "{body}");
        let message = body["error"]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("the error has a message: {body}"));
        assert!(!message.is_empty(), "{body}");
        message.to_owned()
    }
}

// ---- Drafts and verdicts -------------------------------------------------------------------

/// A draft from `sender` to `to`, with a subject and a harmless attachment.
pub fn draft(sender: &str, to: &[&str]) -> Value {
    let to: Vec<Value> = to
        .iter()
        .map(|address| json!({ "address": address }))
        .collect();
    json!({
        "sender": sender,
        "to": to,
        "subject": "Uitslag bloedonderzoek",
        "attachments": [{"name": "uitslag-lab.pdf", "size": 48213}],
    })
}

/// The recipient report for `address` in a verdict.
#[track_caller]
pub fn recipient<'a>(verdict: &'a Value, address: &str) -> &'a Value {
    verdict["recipients"]
        .as_array()
        .and_then(|recipients| {
            recipients
                .iter()
                .find(|recipient| recipient["address"] == address)
        })
        .unwrap_or_else(|| panic!("{address} is in the verdict: {verdict}"))
}

/// The findings' codes, in order.
pub fn finding_codes(verdict: &Value) -> Vec<String> {
    verdict["findings"]
        .as_array()
        .expect("a findings list")
        .iter()
        .map(|finding| finding["code"].as_str().expect("a code").to_owned())
        .collect()
}

// ---- Send tokens --------------------------------------------------------------------------

/// Verifies as the relay does: with the key from `/.well-known/jwks.json` only.
pub async fn verify_send_token(api: &ApiClient, token: &str) -> Value {
    let jwks = api.get("/.well-known/jwks.json").await.ok_json();
    let header = jsonwebtoken::decode_header(token).expect("a JWS header");
    assert_eq!(header.alg, Algorithm::ES256);
    let jwk = jwks["keys"]
        .as_array()
        .expect("a key list")
        .iter()
        .find(|jwk| header.kid.as_deref() == jwk["kid"].as_str())
        .expect("the JWKS has the token's key id");
    let key = DecodingKey::from_ec_components(
        jwk["x"].as_str().expect("x"),
        jwk["y"].as_str().expect("y"),
    )
    .expect("a P-256 public key");
    let mut validation = Validation::new(Algorithm::ES256);
    validation.set_issuer(&[PUBLIC_URL]);
    validation.set_audience(&["sendsecure-relay"]);
    validation.set_required_spec_claims(&["iss", "aud", "exp"]);
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .expect("the signature verifies")
        .claims
}

// ---- The database, read raw ----------------------------------------------------------------

/// One audit log row, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRow {
    pub seq: Option<i64>,
    pub kind: String,
    pub mailbox_hash: Option<Vec<u8>>,
    pub sender_hash: Option<Vec<u8>>,
    pub device_hash: Option<Vec<u8>>,
    pub network_hash: Option<Vec<u8>>,
    pub token_id: Option<String>,
    pub recipient_count: i64,
    pub routes: Option<String>,
    pub codes: Option<String>,
}

type AuditTuple = (
    Option<i64>,
    String,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<String>,
    i64,
    Option<String>,
    Option<String>,
);

/// Sign-in events: what every test's sign-in writes, apart from what most tests look at.
const SIGN_IN_KINDS: &str = "(kind LIKE 'sign-in-%' OR kind IN ('sign-out', 'sessions-revoked'))";

/// One stored value (or a whole database file), as bytes, and where it was found.
#[derive(Debug)]
pub struct StoredValue {
    pub place: String,
    pub bytes: Vec<u8>,
}

pub enum RawDb {
    Sqlite { pool: SqlitePool, path: PathBuf },
    Postgres(PgPool),
}

impl RawDb {
    /// The audit trail's send, relay and Viewer events, in order.
    pub async fn audit_rows(&self) -> Vec<AuditRow> {
        self.audit_rows_where(&format!("NOT {SIGN_IN_KINDS}")).await
    }

    /// The audit trail's sign-in events, in order.
    pub async fn sign_in_audit_rows(&self) -> Vec<AuditRow> {
        self.audit_rows_where(SIGN_IN_KINDS).await
    }

    async fn audit_rows_where(&self, condition: &str) -> Vec<AuditRow> {
        let sql = format!(
            "SELECT seq, kind, mailbox_hash, sender_hash, device_hash, network_hash, token_id, \
             recipient_count, routes, codes FROM audit_log WHERE {condition} ORDER BY id"
        );
        let rows: Vec<AuditTuple> = match self {
            Self::Sqlite { pool, .. } => sqlx::query_as(&sql).fetch_all(pool).await,
            Self::Postgres(pool) => sqlx::query_as(&sql).fetch_all(pool).await,
        }
        .expect("audit_log reads");
        rows.into_iter()
            .map(
                |(seq, kind, mailbox, sender, device, network, token_id, count, routes, codes)| {
                    AuditRow {
                        seq,
                        kind,
                        mailbox_hash: mailbox,
                        sender_hash: sender,
                        device_hash: device,
                        network_hash: network,
                        token_id,
                        recipient_count: count,
                        routes,
                        codes,
                    }
                },
            )
            .collect()
    }

    /// Every value of every column of every table, as the bytes the database holds (text
    /// and numbers as their text); for SQLite also the database and WAL files themselves.
    pub async fn every_value(&self) -> Vec<StoredValue> {
        let mut found = Vec::new();
        match self {
            Self::Sqlite { pool, path } => {
                let tables: Vec<String> =
                    sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                        .fetch_all(pool)
                        .await
                        .expect("the table list reads");
                for table in tables {
                    let columns: Vec<String> =
                        sqlx::query_scalar("SELECT name FROM pragma_table_info(?)")
                            .bind(&table)
                            .fetch_all(pool)
                            .await
                            .expect("the column list reads");
                    for column in columns {
                        let sql = format!(r#"SELECT CAST("{column}" AS BLOB) FROM "{table}""#);
                        let values: Vec<Option<Vec<u8>>> = sqlx::query_scalar(&sql)
                            .fetch_all(pool)
                            .await
                            .expect("the column reads");
                        found.extend(values.into_iter().flatten().map(|bytes| StoredValue {
                            place: format!("{table}.{column}"),
                            bytes,
                        }));
                    }
                }
                for suffix in ["", "-wal"] {
                    let file = PathBuf::from(format!("{}{suffix}", path.display()));
                    if let Ok(bytes) = std::fs::read(&file) {
                        found.push(StoredValue {
                            place: format!("file {}", file.display()),
                            bytes,
                        });
                    }
                }
            }
            Self::Postgres(pool) => {
                let columns: Vec<(String, String, String)> = sqlx::query_as(
                    "SELECT table_name::text, column_name::text, data_type::text \
                     FROM information_schema.columns WHERE table_schema = current_schema() \
                     ORDER BY table_name, ordinal_position",
                )
                .fetch_all(pool)
                .await
                .expect("the column list reads");
                for (table, column, data_type) in columns {
                    let value = if data_type == "bytea" {
                        format!(r#""{column}""#)
                    } else {
                        format!(r#"convert_to("{column}"::text, 'UTF8')"#)
                    };
                    let sql = format!(r#"SELECT {value} FROM "{table}""#);
                    let values: Vec<Option<Vec<u8>>> = sqlx::query_scalar(&sql)
                        .fetch_all(pool)
                        .await
                        .expect("the column reads");
                    found.extend(values.into_iter().flatten().map(|bytes| StoredValue {
                        place: format!("{table}.{column}"),
                        bytes,
                    }));
                }
            }
        }
        found
    }

    /// Runs one statement without parameters (to put the database in a state the API
    /// cannot, e.g. as an older version left it).
    pub async fn execute(&self, sql: &str) {
        match self {
            Self::Sqlite { pool, .. } => sqlx::query(sql).execute(pool).await.map(|_| ()),
            Self::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        }
        .expect("the statement runs");
    }

    pub async fn close(self) {
        match self {
            Self::Sqlite { pool, .. } => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }
}
