//! Entra ID sign-in end to end (SPEC §8): the real server over HTTPS, signing users in with
//! access tokens from a real OpenID issuer that the test runs itself.
//!
//! The issuer is an HTTPS server under a development CA of its own, which the app trusts via
//! `--ca-cert`; it serves `/{tid}/v2.0/.well-known/openid-configuration` and the tenant's
//! JWKS, and records every request so the tests can see what the app fetched and when. The
//! RSA keys are generated once per test binary; the tokens are signed here with them.
//!
//! Time is the app's [`ManualClock`]: tokens are made relative to it, and the tests move it
//! instead of sleeping.

#![allow(
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods,
    reason = "tests, benchmarks and load generators stop at the failing line and time with the machine's clock"
)]

use std::{
    net::{SocketAddr, TcpListener},
    path::{Path, PathBuf},
    sync::{Arc, LazyLock, Mutex, OnceLock},
    time::{Duration, SystemTime},
};

use addin_api::{
    clock::{Clock, ManualClock},
    config::ServeArgs,
    server::RunningServer,
    tls,
};
use axum::{
    Json, Router,
    extract::{Path as UrlPath, State},
    http::{StatusCode as AxumStatus, Uri},
    routing::get,
};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD as BASE64URL};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{StatusCode, header};
use rsa::{
    RsaPrivateKey,
    pkcs1::EncodeRsaPrivateKey,
    pkcs8::{EncodePublicKey, LineEnding},
    traits::PublicKeyParts,
};
use serde_json::{Value, json};
use tempfile::TempDir;

/// The API's app registration (Application (client) ID).
const CLIENT_ID: &str = "6e3b5a9c-0f4d-4b8e-9a1c-2d3e4f5a6b7c";
/// The organisation's tenant, the only one allowed.
const TENANT: &str = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
/// Another organisation's tenant.
const OTHER_TENANT: &str = "9f8e7d6c-5b4a-4321-8fed-cba987654321";
/// The mailbox the panel runs in, as Outlook may spell it, and as the server keeps it.
const MAILBOX: &str = "A.Jansen@Huisartsen-Oost.nl";
const MAILBOX_NORMALISED: &str = "a.jansen@huisartsen-oost.nl";
const COLLEAGUE: &str = "b.devries@huisartsen-oost.nl";
const DEVICE_ID: &str = "device-0123456789abcdef0123456789abcdef";
const HOUR: i64 = 3600;

// ---- Logs ----------------------------------------------------------------------------------

/// Everything the process logs, at debug level: tests check no token or address is in it.
static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        LOGS.lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_ansi(false)
            .with_writer(|| LogWriter)
            .init();
    });
}

fn logs() -> String {
    String::from_utf8_lossy(&LOGS.lock().unwrap_or_else(|poisoned| poisoned.into_inner()))
        .into_owned()
}

// ---- Keys ----------------------------------------------------------------------------------

/// An RSA signing key as the issuer publishes it (`jwk`) and as the test signs with it.
struct TestKey {
    kid: &'static str,
    signing: EncodingKey,
    jwk: Value,
    /// The public key in PEM: what an attacker would use as an HMAC secret.
    public_pem: String,
}

impl TestKey {
    fn generate(kid: &'static str) -> Self {
        let private = RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).expect("an RSA key");
        let der = private.to_pkcs1_der().expect("PKCS#1 DER");
        let public = private.to_public_key();
        let public_pem = public
            .to_public_key_pem(LineEnding::LF)
            .expect("a public key PEM");
        let jwk = json!({
            "kty": "RSA",
            "use": "sig",
            "kid": kid,
            "x5t": kid,
            "n": BASE64URL.encode(public.n().to_bytes_be()),
            "e": BASE64URL.encode(public.e().to_bytes_be()),
            "x5c": ["MIIC…(not used)"],
            "issuer": format!("https://login.microsoftonline.com/{TENANT}/v2.0"),
        });
        Self {
            kid,
            signing: EncodingKey::from_rsa_der(der.as_bytes()),
            jwk,
            public_pem,
        }
    }
}

/// The tenant's key, the one it rotates to, and one the tenant never published.
static KEYS: LazyLock<[TestKey; 3]> = LazyLock::new(|| {
    [
        TestKey::generate("key-2025-a"),
        TestKey::generate("key-2025-b"),
        TestKey::generate("stranger"),
    ]
});

fn current_key() -> &'static TestKey {
    &KEYS[0]
}

fn rotated_key() -> &'static TestKey {
    &KEYS[1]
}

fn stranger_key() -> &'static TestKey {
    &KEYS[2]
}

/// A JWT signed with `key` under `alg`, with `key`'s kid.
fn sign_with(key: &TestKey, kid: &str, alg: Algorithm, claims: &Value) -> String {
    let mut header = Header::new(alg);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, &key.signing).expect("the token is signed")
}

fn sign(key: &TestKey, claims: &Value) -> String {
    sign_with(key, key.kid, Algorithm::RS256, claims)
}

/// A JWT with a header of our choosing and the given signature bytes, unsigned otherwise.
fn raw_token(header: &Value, claims: &Value, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        BASE64URL.encode(header.to_string()),
        BASE64URL.encode(claims.to_string()),
        BASE64URL.encode(signature)
    )
}

// ---- The issuer ----------------------------------------------------------------------------

#[derive(Default)]
struct IssuerState {
    base: String,
    /// The JWKS's keys, which the test may rotate.
    keys: Mutex<Vec<Value>>,
    /// The discovery document's issuer, when the test wants a wrong one.
    issuer_override: Mutex<Option<String>>,
    /// Every request's path, in order.
    requests: Mutex<Vec<String>>,
    /// The JWKS answers only while the test does not hold this (written).
    jwks_gate: tokio::sync::RwLock<()>,
}

impl IssuerState {
    fn record(&self, uri: &Uri) {
        self.requests
            .lock()
            .expect("not poisoned")
            .push(uri.path().to_owned());
    }
}

/// A local OpenID issuer over HTTPS, like `login.microsoftonline.com` for its tenants.
struct Issuer {
    state: Arc<IssuerState>,
    ca_pem: PathBuf,
    handle: axum_server::Handle,
    _dir: TempDir,
}

impl Issuer {
    async fn start() -> Self {
        tls::install_crypto_provider();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let certificate =
            tls::dev_certificate(dir.path(), SystemTime::now()).expect("a dev certificate");
        let config = tls::rustls_config(
            certificate.cert_pem.as_bytes(),
            certificate.key_pem.as_bytes(),
        )
        .expect("a TLS configuration");
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port");
        listener.set_nonblocking(true).expect("non-blocking");
        let addr = listener.local_addr().expect("an address");
        let state = Arc::new(IssuerState {
            base: format!("https://127.0.0.1:{}", addr.port()),
            keys: Mutex::new(vec![current_key().jwk.clone()]),
            ..IssuerState::default()
        });
        let router = Router::new()
            .route(
                "/{tenant}/v2.0/.well-known/openid-configuration",
                get(discovery),
            )
            .route("/{tenant}/discovery/v2.0/keys", get(jwks))
            .fallback(
                |State(state): State<Arc<IssuerState>>, uri: Uri| async move {
                    state.record(&uri);
                    AxumStatus::NOT_FOUND
                },
            )
            .with_state(Arc::clone(&state));
        let handle = axum_server::Handle::new();
        let server = axum_server::from_tcp_rustls(listener, config).handle(handle.clone());
        tokio::spawn(server.serve(router.into_make_service()));
        handle.listening().await.expect("the issuer listens");
        Self {
            state,
            ca_pem: certificate.ca_pem_path,
            handle,
            _dir: dir,
        }
    }

    /// `auth.entra.authority` for the app.
    fn authority(&self) -> &str {
        &self.state.base
    }

    /// What a token from `tenant` carries as `iss`.
    fn issuer_of(&self, tenant: &str) -> String {
        format!("{}/{tenant}/v2.0", self.state.base)
    }

    fn publish(&self, keys: &[&TestKey]) {
        *self.state.keys.lock().expect("not poisoned") =
            keys.iter().map(|key| key.jwk.clone()).collect();
    }

    fn requests(&self) -> Vec<String> {
        self.state.requests.lock().expect("not poisoned").clone()
    }

    fn discovery_fetches(&self) -> usize {
        self.requests()
            .iter()
            .filter(|path| path.ends_with("/openid-configuration"))
            .count()
    }

    fn jwks_fetches(&self) -> usize {
        self.requests()
            .iter()
            .filter(|path| path.ends_with("/keys"))
            .count()
    }

    fn stop(&self) {
        self.handle.shutdown();
    }
}

async fn discovery(
    State(state): State<Arc<IssuerState>>,
    UrlPath(tenant): UrlPath<String>,
    uri: Uri,
) -> Json<Value> {
    state.record(&uri);
    let issuer = state
        .issuer_override
        .lock()
        .expect("not poisoned")
        .clone()
        .unwrap_or_else(|| format!("{}/{tenant}/v2.0", state.base));
    Json(json!({
        "issuer": issuer,
        "jwks_uri": format!("{}/{tenant}/discovery/v2.0/keys", state.base),
        "authorization_endpoint": format!("{}/{tenant}/oauth2/v2.0/authorize", state.base),
        "token_endpoint": format!("{}/{tenant}/oauth2/v2.0/token", state.base),
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
    }))
}

async fn jwks(State(state): State<Arc<IssuerState>>, uri: Uri) -> Json<Value> {
    state.record(&uri);
    let _open = state.jwks_gate.read().await;
    let keys = state.keys.lock().expect("not poisoned").clone();
    Json(json!({ "keys": keys }))
}

// ---- The app -------------------------------------------------------------------------------

/// One test at a time holds the app: each reads what its own requests logged.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The real server with an Entra ID policy pointing at the local issuer, and a client for it.
struct Fixture {
    _turn: tokio::sync::MutexGuard<'static, ()>,
    issuer: Issuer,
    server: Option<RunningServer>,
    client: reqwest::Client,
    clock: Arc<ManualClock>,
    _dir: TempDir,
}

/// The `[auth]` part of a policy that signs in with Entra ID at `authority`.
fn entra_policy(authority: &str) -> String {
    format!(
        "[auth]\nmethod = \"entra-id\"\n\n[auth.entra]\nclient_id = \"{CLIENT_ID}\"\n\
         tenants = [\"{TENANT}\"]\nauthority = \"{authority}\"\n"
    )
}

fn serve_args(dir: &Path, policy: &str, ca_cert: Option<&Path>) -> ServeArgs {
    let policy_path = dir.join("policy.toml");
    std::fs::write(&policy_path, policy).expect("the policy is written");
    let mut args = ServeArgs::defaults();
    args.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    args.data_dir = dir.join("data");
    args.policy = Some(policy_path);
    args.tls_cert = None;
    args.tls_key = None;
    args.database_url = None;
    args.send_token_key = None;
    args.ca_cert = ca_cert.map(Path::to_owned);
    args.web_dir = dir.join("web");
    args
}

/// An HTTPS client that trusts only the app's development CA and finds `localhost` at `addr`.
fn client_for(data_dir: &Path, addr: SocketAddr) -> reqwest::Client {
    let pem = std::fs::read(data_dir.join("tls").join("dev-ca.pem")).expect("the app's CA");
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("a PEM certificate"))
        .resolve("localhost", addr)
        .https_only(true)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("an HTTPS client")
}

impl Fixture {
    async fn start() -> Self {
        let issuer = Issuer::start().await;
        let policy = entra_policy(issuer.authority());
        Self::start_with(issuer, &policy).await
    }

    async fn start_with(issuer: Issuer, policy: &str) -> Self {
        let turn = ONE_AT_A_TIME.lock().await;
        capture_logs();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let args = serve_args(dir.path(), policy, Some(&issuer.ca_pem));
        let clock = Arc::new(ManualClock::new(SystemTime::now()));
        let server = RunningServer::start(&args, clock.clone(), |_| None)
            .await
            .expect("the app starts");
        let client = client_for(&args.data_dir, server.addr);
        Self {
            _turn: turn,
            issuer,
            server: Some(server),
            client,
            clock,
            _dir: dir,
        }
    }

    async fn finish(mut self) {
        if let Some(server) = self.server.take() {
            // Idle connections of our client would keep a graceful shutdown waiting.
            drop(self.client);
            server.shutdown().await.expect("the app stops");
        }
        self.issuer.stop();
    }

    fn url(&self, path: &str) -> String {
        let port = self.server.as_ref().expect("running").addr.port();
        format!("https://localhost:{port}{path}")
    }

    fn now(&self) -> i64 {
        self.clock.unix_now()
    }

    /// The audit trail's sign-in records: `(kind, detail)` in order.
    async fn sign_in_audit(&self) -> Vec<(String, Option<String>)> {
        let app = &self.server.as_ref().expect("running").app;
        app.store
            .audit_page(0, i64::MIN, 1_000)
            .await
            .expect("the audit trail reads")
            .into_iter()
            .map(|(_, chained)| chained.record)
            .filter(|record| record.kind.starts_with("sign-in-"))
            .map(|record| (record.kind, record.codes))
            .collect()
    }

    fn advance(&self, secs: i64) {
        self.clock
            .advance(Duration::from_secs(u64::try_from(secs).expect("forward")));
    }

    /// The claims of a good access token for this API, for the mailbox, valid for an hour
    /// from the app's now (as Entra ID makes them: issued and valid from 5 minutes ago).
    fn claims(&self) -> Value {
        let now = self.now();
        json!({
            "aud": CLIENT_ID,
            "iss": self.issuer.issuer_of(TENANT),
            "iat": now - 300,
            "nbf": now - 300,
            "exp": now + HOUR,
            "aio": "AWQAm/8YAAAA",
            "azp": CLIENT_ID,
            "azpacr": "0",
            "name": "A. Jansen",
            "oid": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
            "preferred_username": MAILBOX,
            "rh": "0.AAAA",
            "scp": "access_as_user",
            "sub": "x3FbDvhVmu0tJ8Gh4VYa5nBd0rE2w9Ft",
            "tid": TENANT,
            "uti": "AbCdEfGhIjKlMnOp",
            "ver": "2.0",
        })
    }

    /// A good token, with `edit` applied to its claims.
    fn token_with(&self, edit: impl FnOnce(&mut Value)) -> String {
        let mut claims = self.claims();
        edit(&mut claims);
        sign(current_key(), &claims)
    }

    async fn sign_in(&self, access_token: &str) -> Reply {
        self.sign_in_as(access_token, MAILBOX).await
    }

    async fn sign_in_as(&self, access_token: &str, mailbox: &str) -> Reply {
        let body = json!({
            "access_token": access_token,
            "mailbox": mailbox,
            "device_id": DEVICE_ID,
        });
        let mark = logs().len();
        Reply::read(
            self.client
                .post(self.url("/api/v1/auth/entra"))
                .json(&body)
                .send()
                .await,
            mark,
        )
        .await
    }

    /// `PUT` then `GET /api/v1/pairings/{recipient}` as the session `token`.
    async fn pairing(&self, token: &str, recipient: &str, save: Option<&str>) -> Reply {
        let url = self.url(&format!("/api/v1/pairings/{recipient}"));
        let request = match save {
            Some(phone) => self.client.put(url).json(&json!({ "phone": phone })),
            None => self.client.get(url),
        };
        let mark = logs().len();
        Reply::read(
            request
                .bearer_auth(token)
                .header("X-Device-Id", DEVICE_ID)
                .send()
                .await,
            mark,
        )
        .await
    }

    /// `POST /api/v1/send-token` as the session `token`, for a draft from `from`.
    async fn send_token(&self, token: &str, from: &str, to: &[&str]) -> Reply {
        let to: Vec<Value> = to
            .iter()
            .map(|address| json!({ "address": address }))
            .collect();
        let draft = json!({
            "sender": from,
            "to": to,
            "subject": "Uitslag bloedonderzoek",
            "attachments": [{"name": "uitslag-lab.pdf", "size": 48213}],
        });
        let mark = logs().len();
        Reply::read(
            self.client
                .post(self.url("/api/v1/send-token"))
                .json(&draft)
                .bearer_auth(token)
                .header("X-Device-Id", DEVICE_ID)
                .send()
                .await,
            mark,
        )
        .await
    }

    async fn session(&self, token: &str) -> Reply {
        let mark = logs().len();
        Reply::read(
            self.client
                .get(self.url("/api/v1/session"))
                .bearer_auth(token)
                .header("X-Device-Id", DEVICE_ID)
                .send()
                .await,
            mark,
        )
        .await
    }
}

#[derive(Debug)]
struct Reply {
    status: StatusCode,
    www_authenticate: Option<String>,
    body: Value,
    /// What the server logged while answering (the tests run one at a time).
    logged: String,
}

impl Reply {
    /// The answer to a request sent when the log was `mark` long.
    async fn read(response: reqwest::Result<reqwest::Response>, mark: usize) -> Self {
        let response = response.expect("the app answers");
        let status = response.status();
        let www_authenticate = response
            .headers()
            .get(header::WWW_AUTHENTICATE)
            .map(|value| value.to_str().expect("text").to_owned());
        let text = response.text().await.expect("a body");
        let body = serde_json::from_str(&text)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {text:?}"));
        Self {
            status,
            www_authenticate,
            body,
            logged: logs()[mark..].to_owned(),
        }
    }

    /// A session was issued: its token.
    #[track_caller]
    fn signed_in(&self) -> String {
        assert_eq!(self.status, StatusCode::OK, "{}", self.body);
        assert!(self.body["expires_at"].is_string(), "{}", self.body);
        self.body["token"]
            .as_str()
            .unwrap_or_else(|| panic!("a session token: {}", self.body))
            .to_owned()
    }

    /// A 401 with the SPEC §12 body, code `invalid-access-token`, that says no more; the log
    /// of the request names the refusal `reason`.
    #[track_caller]
    fn assert_refused(&self, reason: &str) {
        assert_eq!(self.status, StatusCode::UNAUTHORIZED, "{}", self.body);
        assert_eq!(self.www_authenticate.as_deref(), Some("Bearer"));
        assert_eq!(
            self.body["error"]["code"], "invalid-access-token",
            "{}",
            self.body
        );
        assert_eq!(
            self.body["error"]["message"], "the Entra ID access token is refused",
            "the client is not told why"
        );
        assert!(
            self.logged.contains(&format!("reason=\"{reason}\"")),
            "the log should say {reason:?}: {}",
            self.logged
        );
    }

    #[track_caller]
    fn assert_ok(&self) {
        assert_eq!(self.status, StatusCode::OK, "{}", self.body);
    }

    #[track_caller]
    fn assert_error(&self, status: StatusCode, code: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.body["error"]["code"], code, "{}", self.body);
    }
}

// ---- Accepted ------------------------------------------------------------------------------

#[tokio::test]
async fn a_valid_access_token_signs_the_mailbox_in() {
    let app = Fixture::start().await;

    let token = app.sign_in(&app.token_with(|_| {})).await.signed_in();

    let session = app.session(&token).await;
    assert_eq!(session.status, StatusCode::OK, "{}", session.body);
    assert_eq!(session.body["mailbox"], MAILBOX_NORMALISED);
    assert_eq!(session.body["method"], "entra-id");
    assert_eq!(app.issuer.discovery_fetches(), 1);
    assert_eq!(app.issuer.jwks_fetches(), 1);
    app.finish().await;
}

#[tokio::test]
async fn both_audience_forms_and_upn_are_accepted() {
    let app = Fixture::start().await;

    let api_uri = app.token_with(|claims| claims["aud"] = json!(format!("api://{CLIENT_ID}")));
    app.sign_in(&api_uri).await.signed_in();
    // Several scopes, and the account in `upn` when `preferred_username` is absent.
    let upn = app.token_with(|claims| {
        claims["scp"] = json!("User.Read access_as_user");
        claims
            .as_object_mut()
            .expect("claims")
            .remove("preferred_username");
        claims["upn"] = json!(MAILBOX_NORMALISED);
        claims.as_object_mut().expect("claims").remove("ver");
    });
    app.sign_in(&upn).await.signed_in();
    app.finish().await;
}

#[tokio::test]
async fn keys_are_cached_not_fetched_per_request() {
    let app = Fixture::start().await;

    for _ in 0..5 {
        app.sign_in(&app.token_with(|_| {})).await.signed_in();
    }
    // An hour on: still the same keys, no fetch.
    app.advance(HOUR);
    app.sign_in(&app.token_with(|_| {})).await.signed_in();

    assert_eq!(app.issuer.discovery_fetches(), 1);
    assert_eq!(app.issuer.jwks_fetches(), 1);

    // After a day the keys (and the discovery document) are fetched again, once.
    app.advance(24 * HOUR);
    app.sign_in(&app.token_with(|_| {})).await.signed_in();
    app.sign_in(&app.token_with(|_| {})).await.signed_in();
    assert_eq!(app.issuer.discovery_fetches(), 2);
    assert_eq!(app.issuer.jwks_fetches(), 2);
    app.finish().await;
}

#[tokio::test]
async fn a_rotated_key_is_accepted_after_exactly_one_refetch() {
    let app = Fixture::start().await;
    app.sign_in(&app.token_with(|_| {})).await.signed_in();
    assert_eq!(app.issuer.jwks_fetches(), 1);

    // The tenant rolls over to a new key, and retires the old one.
    app.issuer.publish(&[rotated_key()]);
    app.advance(5 * 60);
    let rotated = sign(rotated_key(), &app.claims());
    app.sign_in(&rotated).await.signed_in();
    assert_eq!(app.issuer.jwks_fetches(), 2, "one refetch for the new kid");

    for _ in 0..3 {
        app.sign_in(&sign(rotated_key(), &app.claims()))
            .await
            .signed_in();
    }
    assert_eq!(app.issuer.jwks_fetches(), 2, "and none after that");
    assert_eq!(
        app.issuer.discovery_fetches(),
        1,
        "the jwks_uri is reused for a refetch"
    );

    // The retired key is gone from the cache too.
    app.sign_in(&sign(current_key(), &app.claims()))
        .await
        .assert_refused("unknown-key");
    assert_eq!(app.issuer.jwks_fetches(), 2, "no refetch within a minute");
    app.finish().await;
}

#[tokio::test]
async fn fetching_a_new_key_holds_up_no_request_whose_key_is_cached() {
    let app = Fixture::start().await;
    app.sign_in(&app.token_with(|_| {})).await.signed_in();
    app.issuer.publish(&[current_key(), rotated_key()]);
    app.advance(5 * 60);

    {
        // A token with the new key makes the server fetch the keys, which the issuer holds up.
        let held = app.issuer.state.jwks_gate.write().await;
        let rotated = sign(rotated_key(), &app.claims());
        let waiting = app.sign_in(&rotated);
        tokio::pin!(waiting);
        let fetches = app.issuer.jwks_fetches();
        tokio::select! {
            reply = &mut waiting => panic!("answered while the keys were held up: {reply:?}"),
            () = async {
                while app.issuer.jwks_fetches() == fetches {
                    tokio::task::yield_now().await;
                }
            } => {}
        }

        // Meanwhile a token with the cached key is answered.
        let cached = app.token_with(|_| {});
        tokio::select! {
            reply = &mut waiting => panic!("answered while the keys were held up: {reply:?}"),
            reply = tokio::time::timeout(Duration::from_secs(10), app.sign_in(&cached)) => {
                reply.expect("answered while another request fetches keys").signed_in();
            }
        }
        drop(held);
        waiting.await.signed_in();
    }
    app.finish().await;
}

#[tokio::test]
async fn a_token_issued_to_another_client_is_refused() {
    let app = Fixture::start().await;
    let other = app.token_with(|claims| {
        claims["azp"] = json!("5f0c1f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6");
    });
    app.sign_in(&other).await.assert_refused("client");
    let none = app.token_with(|claims| {
        claims.as_object_mut().expect("claims").remove("azp");
    });
    app.sign_in(&none).await.assert_refused("client");
    // v1's name for it, in our client's token, is accepted.
    let v1_name = app.token_with(|claims| {
        let claims = claims.as_object_mut().expect("claims");
        claims.remove("azp");
        claims.insert("appid".into(), json!(CLIENT_ID.to_uppercase()));
    });
    app.sign_in(&v1_name).await.signed_in();
    app.finish().await;
}

#[tokio::test]
async fn a_guest_account_is_refused() {
    let app = Fixture::start().await;
    for idp in [
        format!("https://sts.windows.net/{OTHER_TENANT}/"),
        "live.com".to_owned(),
    ] {
        let guest = app.token_with(|claims| claims["idp"] = json!(idp));
        app.sign_in(&guest).await.assert_refused("guest");
    }
    let flagged = app.token_with(|claims| claims["acct"] = json!(1));
    app.sign_in(&flagged).await.assert_refused("guest");
    let member = app.token_with(|claims| {
        claims["idp"] = json!(format!("https://sts.windows.net/{TENANT}/"));
        claims["acct"] = json!(0);
    });
    app.sign_in(&member).await.signed_in();

    // The client heard only "refused"; the audit trail keeps why.
    let refused = ("sign-in-entra-refused".to_owned(), Some("guest".to_owned()));
    let accepted = ("sign-in-entra-accepted".to_owned(), None);
    assert_eq!(
        app.sign_in_audit().await,
        [refused.clone(), refused.clone(), refused, accepted]
    );
    app.finish().await;
}

#[tokio::test]
async fn a_token_without_an_object_id_is_refused() {
    let app = Fixture::start().await;
    let token = app.token_with(|claims| {
        claims.as_object_mut().expect("claims").remove("oid");
    });
    app.sign_in(&token).await.assert_refused("missing-claim");
    app.finish().await;
}

#[tokio::test]
async fn a_renamed_account_keeps_its_saved_numbers() {
    let app = Fixture::start().await;
    const PATIENT: &str = "m.bakker@example.com";
    let first = app.sign_in(&app.token_with(|_| {})).await.signed_in();
    app.pairing(&first, PATIENT, Some("06 12345678"))
        .await
        .assert_ok();

    // The user is renamed: a new address, the same object id.
    const RENAMED: &str = "a.jansen-devries@huisartsen-oost.nl";
    let renamed = app.token_with(|claims| claims["preferred_username"] = json!(RENAMED));
    let again = app.sign_in_as(&renamed, RENAMED).await.signed_in();
    let found = app.pairing(&again, PATIENT, None).await;
    found.assert_ok();
    assert_eq!(found.body["phone"], "+31612345678", "{}", found.body);

    // Another account that now has the old address does not get them.
    let newcomer = app.token_with(|claims| {
        claims["oid"] = json!("7d6c5b4a-3928-4716-a5b4-c3d2e1f0a9b8");
    });
    let stranger = app.sign_in(&newcomer).await.signed_in();
    app.pairing(&stranger, PATIENT, None)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not-found");
    app.finish().await;
}

/// Under Entra ID a shared mailbox cannot sign in: its users send from it signed in as
/// themselves, with their own saved numbers (seed 002 §2.3).
#[tokio::test]
async fn a_user_gets_a_send_token_for_the_practices_shared_mailbox() {
    let app = Fixture::start().await;
    const PATIENT: &str = "m.bakker@example.com";
    const HOSPITAL: &str = "b.smit@ziekenhuis-west.nl";
    let session = app.sign_in(&app.token_with(|_| {})).await.signed_in();
    app.pairing(&session, PATIENT, Some("06 12345678"))
        .await
        .assert_ok();

    let shared = app
        .send_token(
            &session,
            "praktijk@huisartsen-oost.nl",
            &[HOSPITAL, PATIENT],
        )
        .await;
    shared.assert_ok();
    assert!(shared.body["token"].is_string(), "{}", shared.body);

    app.send_token(&session, "praktijk@ziekenhuis-west.nl", &[PATIENT])
        .await
        .assert_error(StatusCode::FORBIDDEN, "sender-not-in-organisation");
    app.finish().await;
}

#[tokio::test]
async fn a_session_needs_a_fresh_token_after_a_day() {
    let app = Fixture::start().await;
    let session = app.sign_in(&app.token_with(|_| {})).await.signed_in();
    app.advance(23 * HOUR);
    app.session(&session).await.assert_ok();
    app.advance(HOUR);
    app.session(&session)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");

    // The panel shows a fresh token (silently, through Outlook): a new session.
    let fresh = app.sign_in(&app.token_with(|_| {})).await.signed_in();
    app.session(&fresh).await.assert_ok();
    app.finish().await;
}

#[tokio::test]
async fn a_token_within_the_leeway_is_accepted() {
    let app = Fixture::start().await;
    let now = app.now();
    let token = app.token_with(|claims| {
        claims["nbf"] = json!(now + 100);
        claims["exp"] = json!(now + 200);
    });
    app.sign_in(&token).await.signed_in();
    app.advance(200 + 110);
    app.sign_in(&token).await.signed_in();
    app.finish().await;
}

// ---- Refused -------------------------------------------------------------------------------

#[tokio::test]
async fn an_id_token_is_refused() {
    let app = Fixture::start().await;
    // What MSAL returns as the ID token: our client id as audience, no scope, a nonce.
    let id_token = app.token_with(|claims| {
        let claims = claims.as_object_mut().expect("claims");
        claims.remove("scp");
        claims.insert("nonce".into(), json!("0a1b2c3d"));
    });
    app.sign_in(&id_token).await.assert_refused("no-scope");
    app.finish().await;
}

#[tokio::test]
async fn an_app_only_token_is_refused() {
    let app = Fixture::start().await;
    let app_only = app.token_with(|claims| {
        let claims = claims.as_object_mut().expect("claims");
        claims.remove("scp");
        claims.insert("roles".into(), json!(["Mail.Send"]));
    });
    app.sign_in(&app_only).await.assert_refused("no-scope");
    app.finish().await;
}

#[tokio::test]
async fn microsoft_graph_tokens_are_refused() {
    let app = Fixture::start().await;
    for audience in [
        "00000003-0000-0000-c000-000000000000",
        "https://graph.microsoft.com",
    ] {
        let graph = app.token_with(|claims| {
            claims["aud"] = json!(audience);
            claims["scp"] = json!("Mail.Read User.Read access_as_user");
        });
        app.sign_in(&graph).await.assert_refused("graph-token");
    }
    app.finish().await;
}

#[tokio::test]
async fn alg_none_is_refused() {
    let app = Fixture::start().await;
    let claims = app.claims();
    for alg in ["none", "None", "NONE"] {
        let header = json!({ "alg": alg, "typ": "JWT", "kid": current_key().kid });
        app.sign_in(&raw_token(&header, &claims, b""))
            .await
            .assert_refused("algorithm");
    }
    assert!(
        app.issuer.requests().is_empty(),
        "refused before fetching keys"
    );
    app.finish().await;
}

#[tokio::test]
async fn hs256_signed_with_the_public_key_is_refused() {
    let app = Fixture::start().await;
    // Make sure the keys are cached, so a confused verifier would have the PEM at hand.
    app.sign_in(&app.token_with(|_| {})).await.signed_in();
    let claims = app.claims();
    let key = current_key();
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(key.kid.to_owned());
    for secret in [
        key.public_pem.as_bytes().to_vec(),
        key.jwk.to_string().into_bytes(),
    ] {
        let forged = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(&secret))
            .expect("signed");
        app.sign_in(&forged).await.assert_refused("algorithm");
    }
    app.finish().await;
}

#[tokio::test]
async fn other_rsa_algorithms_are_refused() {
    let app = Fixture::start().await;
    let claims = app.claims();
    let key = current_key();
    for alg in [Algorithm::RS512, Algorithm::PS256] {
        app.sign_in(&sign_with(key, key.kid, alg, &claims))
            .await
            .assert_refused("algorithm");
    }
    app.finish().await;
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let app = Fixture::start().await;
    let token = app.token_with(|_| {});
    app.advance(HOUR + 121);
    app.sign_in(&token).await.assert_refused("expired");
    app.finish().await;
}

#[tokio::test]
async fn a_token_that_is_not_valid_yet_is_refused() {
    let app = Fixture::start().await;
    let now = app.now();
    let token = app.token_with(|claims| {
        claims["nbf"] = json!(now + 10 * 60);
        claims["iat"] = json!(now + 10 * 60);
    });
    app.sign_in(&token).await.assert_refused("not-yet-valid");
    app.finish().await;
}

#[tokio::test]
async fn a_token_from_another_issuer_is_refused() {
    let app = Fixture::start().await;
    for issuer in [
        // Microsoft's own endpoint, not the authority this server is configured with.
        format!("https://login.microsoftonline.com/{TENANT}/v2.0"),
        // The v1.0 issuer of the same tenant.
        format!("https://sts.windows.net/{TENANT}/"),
        // Another tenant's issuer with this tenant's tid.
        app.issuer.issuer_of(OTHER_TENANT),
    ] {
        let token = app.token_with(|claims| claims["iss"] = json!(issuer));
        app.sign_in(&token).await.assert_refused("issuer");
    }
    let v1 = app.token_with(|claims| claims["ver"] = json!("1.0"));
    app.sign_in(&v1).await.assert_refused("version");
    app.finish().await;
}

#[tokio::test]
async fn a_token_for_another_application_is_refused() {
    let app = Fixture::start().await;
    for audience in [
        json!("11111111-2222-3333-4444-555555555555"),
        json!("api://11111111-2222-3333-4444-555555555555"),
        json!(format!("https://{CLIENT_ID}")),
        json!([CLIENT_ID, "11111111-2222-3333-4444-555555555555"]),
    ] {
        let token = app.token_with(|claims| claims["aud"] = audience);
        app.sign_in(&token).await.assert_refused("audience");
    }
    app.finish().await;
}

#[tokio::test]
async fn a_token_without_our_scope_is_refused() {
    let app = Fixture::start().await;
    for scopes in ["User.Read", "access_as_user_extra", "Mail.Read  openid"] {
        let token = app.token_with(|claims| claims["scp"] = json!(scopes));
        app.sign_in(&token).await.assert_refused("scope");
    }
    app.finish().await;
}

#[tokio::test]
async fn a_tenant_outside_the_allow_list_is_refused_without_contacting_anyone() {
    let app = Fixture::start().await;
    let token = app.token_with(|claims| {
        claims["tid"] = json!(OTHER_TENANT);
        claims["iss"] = json!(app.issuer.issuer_of(OTHER_TENANT));
    });
    app.sign_in(&token)
        .await
        .assert_refused("tenant-not-allowed");
    let token = app.token_with(|claims| {
        claims["tid"] = json!("common");
    });
    app.sign_in(&token)
        .await
        .assert_refused("tenant-not-allowed");
    let no_tenant = app.token_with(|claims| {
        claims.as_object_mut().expect("claims").remove("tid");
    });
    app.sign_in(&no_tenant)
        .await
        .assert_refused("missing-claim");

    assert_eq!(
        app.issuer.requests(),
        Vec::<String>::new(),
        "the issuer was not contacted"
    );
    app.finish().await;
}

#[tokio::test]
async fn a_token_for_another_mailbox_is_refused() {
    let app = Fixture::start().await;
    let colleague = app.token_with(|claims| claims["preferred_username"] = json!(COLLEAGUE));
    app.sign_in(&colleague)
        .await
        .assert_refused("other-mailbox");
    // The colleague's own token does not open this mailbox either.
    app.sign_in_as(&app.token_with(|_| {}), COLLEAGUE)
        .await
        .assert_refused("other-mailbox");
    let no_account = app.token_with(|claims| {
        claims
            .as_object_mut()
            .expect("claims")
            .remove("preferred_username");
        claims["email"] = json!(MAILBOX);
    });
    app.sign_in(&no_account).await.assert_refused("no-account");
    app.finish().await;
}

#[tokio::test]
async fn garbage_is_refused() {
    let app = Fixture::start().await;
    let claims = app.claims();
    let header = json!({ "alg": "RS256", "kid": current_key().kid });
    let good = sign(current_key(), &claims);
    let truncated = &good[..good.len() - 10];
    for garbage in [
        String::new(),
        "not-a-token".to_owned(),
        "a.b.c".to_owned(),
        "eyJhbGciOiJSUzI1NiJ9.e30".to_owned(),
        format!("{good}.extra"),
        truncated.to_owned(),
        raw_token(&header, &claims, b"not a signature"),
        format!(
            "{}.{}.",
            BASE64URL.encode(header.to_string()),
            BASE64URL.encode("[1, 2, 3]")
        ),
        "x".repeat(20_000),
    ] {
        let reply = app.sign_in(&garbage).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
        assert_eq!(reply.body["error"]["code"], "invalid-access-token");
    }
    app.finish().await;
}

#[tokio::test]
async fn a_forged_signature_is_refused() {
    let app = Fixture::start().await;
    // Signed by a key the tenant never published, under the kid of one it did.
    let forged = sign_with(
        stranger_key(),
        current_key().kid,
        Algorithm::RS256,
        &app.claims(),
    );
    app.sign_in(&forged).await.assert_refused("signature");
    app.finish().await;
}

#[tokio::test]
async fn an_unknown_kid_is_refused_after_one_rate_limited_refetch() {
    let app = Fixture::start().await;
    let unknown = sign(stranger_key(), &app.claims());

    // The first request fetches the keys; the kid is not among them.
    app.sign_in(&unknown).await.assert_refused("unknown-key");
    assert_eq!(app.issuer.jwks_fetches(), 1);

    // Within a minute, unknown kids cause no fetch at all.
    for _ in 0..5 {
        app.sign_in(&unknown).await.assert_refused("unknown-key");
    }
    assert_eq!(app.issuer.jwks_fetches(), 1);

    // A minute later one refetch, and the kid is still not published.
    app.advance(61);
    app.sign_in(&unknown).await.assert_refused("unknown-key");
    app.sign_in(&unknown).await.assert_refused("unknown-key");
    assert_eq!(app.issuer.jwks_fetches(), 2);

    // Good tokens were never affected.
    app.sign_in(&app.token_with(|_| {})).await.signed_in();
    assert_eq!(app.issuer.jwks_fetches(), 2);
    app.finish().await;
}

#[tokio::test]
async fn a_discovery_document_with_another_issuer_is_not_trusted() {
    let app = Fixture::start().await;
    *app.issuer
        .state
        .issuer_override
        .lock()
        .expect("not poisoned") = Some("https://attacker.example/v2.0".into());

    let reply = app.sign_in(&app.token_with(|_| {})).await;
    reply.assert_error(StatusCode::INTERNAL_SERVER_ERROR, "internal");
    assert_eq!(app.issuer.jwks_fetches(), 0, "its jwks_uri is not followed");
    app.finish().await;
}

// ---- The endpoint around the token ----------------------------------------------------------

#[tokio::test]
async fn a_bad_mailbox_or_device_id_is_a_bad_request() {
    let app = Fixture::start().await;
    let token = app.token_with(|_| {});
    app.sign_in_as(&token, "not an address")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid-mailbox");
    let reply = Reply::read(
        app.client
            .post(app.url("/api/v1/auth/entra"))
            .json(&json!({ "access_token": token, "mailbox": MAILBOX, "device_id": "short" }))
            .send()
            .await,
        logs().len(),
    )
    .await;
    reply.assert_error(StatusCode::BAD_REQUEST, "invalid-device-id");
    app.finish().await;
}

#[tokio::test]
async fn entra_sign_in_is_not_enabled_under_the_email_code_method() {
    let issuer = Issuer::start().await;
    let policy =
        "[organisation]\ndomains = [\"huisartsen-oost.nl\"]\n\n[auth]\nmethod = \"email-code\"\n";
    let app = Fixture::start_with(issuer, policy).await;

    let reply = app.sign_in(&app.token_with(|_| {})).await;
    reply.assert_error(StatusCode::FORBIDDEN, "method-not-enabled");
    assert!(app.issuer.requests().is_empty());
    app.finish().await;
}

#[tokio::test]
async fn start_up_refuses_an_entra_policy_without_client_id_or_tenants() {
    tls::install_crypto_provider();
    for (policy, key) in [
        (
            "[auth]\nmethod = \"entra-id\"\n[auth.entra]\ntenants = [\"0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0\"]\n",
            "auth.entra.client_id: must be set",
        ),
        (
            "[auth]\nmethod = \"entra-id\"\n[auth.entra]\nclient_id = \"6e3b5a9c-0f4d-4b8e-9a1c-2d3e4f5a6b7c\"\n",
            "auth.entra.tenants: must name at least one tenant",
        ),
        (
            "[auth]\nmethod = \"entra-id\"\n[auth.entra]\nclient_id = \"6e3b5a9c-0f4d-4b8e-9a1c-2d3e4f5a6b7c\"\ntenants = [\"contoso.onmicrosoft.com\"]\n",
            "auth.entra.tenants: \"contoso.onmicrosoft.com\" is not a tenant id",
        ),
    ] {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let args = serve_args(dir.path(), policy, None);
        let clock = Arc::new(ManualClock::new(SystemTime::now()));
        let error = RunningServer::start(&args, clock, |_| None)
            .await
            .expect_err("refused");
        let line = error.to_string();
        assert!(error.is_bad_input(), "{line}");
        assert!(line.contains(key), "{line}");
        assert!(!line.contains('\n'), "{line}");
    }
}

// ---- Logs ----------------------------------------------------------------------------------

#[tokio::test]
async fn no_token_or_address_is_logged() {
    let app = Fixture::start().await;
    let good = app.token_with(|_| {});
    let session = app.sign_in(&good).await.signed_in();
    app.session(&session).await;
    let expired = app.token_with(|claims| claims["exp"] = json!(app.now() - HOUR));
    app.sign_in(&expired).await.assert_refused("expired");
    let colleague = app.token_with(|claims| claims["preferred_username"] = json!(COLLEAGUE));
    app.sign_in(&colleague)
        .await
        .assert_refused("other-mailbox");
    app.finish().await;

    let logs = logs();
    assert!(
        logs.contains("refused an Entra ID access token") && logs.contains("reason=\"expired\""),
        "refusals are logged with their reason:\n{logs}"
    );
    assert!(logs.contains("accepted an Entra ID access token"));
    let lowered = logs.to_lowercase();
    for secret in [&good, &expired, &colleague, &session] {
        // Any third of a token is enough to count as leaked.
        let part = &secret[secret.len() / 3..2 * secret.len() / 3];
        assert!(!logs.contains(part), "a token is in the logs");
    }
    for address in [MAILBOX_NORMALISED, COLLEAGUE, "huisartsen-oost"] {
        assert!(!lowered.contains(address), "{address} is in the logs");
    }
}
