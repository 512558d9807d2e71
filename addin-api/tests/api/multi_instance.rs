//! Several instances behind a load balancer (SPEC §2, §11): two real `sendsecure serve`
//! processes on one PostgreSQL database hold no state of their own that matters. A session
//! made anywhere works on both; a number saved through one is read through the other; with
//! the shared send-token key, a token from one verifies with the other's JWKS.

use std::{
    net::SocketAddr,
    ops::Deref,
    path::{Path, PathBuf},
    process::Stdio,
    sync::Arc,
    time::Duration,
};

use addin_api::{
    clock::SystemClock,
    sessions::{DeviceId, Proof, Sessions},
    store::PostgresStore,
    vault::Vault,
};
use addin_core::{address::Address, policy::AuthSettings};
use serde_json::json;
use tempfile::TempDir;
use tokio::{
    io::{AsyncBufReadExt, BufReader, Lines},
    process::{Child, ChildStdout, Command},
};

use crate::helpers::{
    ApiClient, DATA_KEY, MOBILE_E164, MOBILE_TYPED, PATIENT, PUBLIC_URL, SENDER, Session,
    TestDatabase, data_key, draft, https_client, new_device_id, pairing_path, recipient,
    verify_send_token,
};

const LISTENING: &str = "Send Secure is listening on https://";
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A `sendsecure serve` process with a data directory of its own; killed when dropped.
struct ServeProcess {
    child: Child,
    api: ApiClient,
    /// Kept open: the process may still write to it.
    _stdout: Lines<BufReader<ChildStdout>>,
    _dir: TempDir,
}

impl ServeProcess {
    async fn start(database_url: &str, send_token_key: &Path) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let data_dir = dir.path().join("data");
        let stderr_path = dir.path().join("stderr.log");
        let stderr = std::fs::File::create(&stderr_path).expect("the log file is created");
        let mut command = Command::new(env!("CARGO_BIN_EXE_sendsecure"));
        // Only the options below configure it, whatever this environment holds.
        for (name, _) in std::env::vars() {
            if name.starts_with("SENDSECURE_") || name == "DATABASE_URL" {
                command.env_remove(name);
            }
        }
        command
            .env("SENDSECURE_DATA_KEY", data_key())
            .arg("serve")
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(&data_dir)
            .arg("--database-url")
            .arg(database_url)
            .arg("--send-token-key")
            .arg(send_token_key)
            .arg("--public-url")
            .arg(PUBLIC_URL)
            .arg("--policy")
            .arg(sample_policy())
            .arg("--web-dir")
            .arg(dir.path().join("web"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .kill_on_drop(true);
        let mut child = command.spawn().expect("sendsecure starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped")).lines();

        let addr = tokio::time::timeout(START_TIMEOUT, listening_address(&mut stdout))
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| {
                let log = std::fs::read_to_string(&stderr_path).unwrap_or_default();
                panic!("sendsecure serve did not say where it listens; its log:\n{log}")
            });
        let client = https_client(&data_dir.join("tls").join("dev-ca.pem"), addr);
        Self {
            child,
            api: ApiClient::new(client, addr),
            _stdout: stdout,
            _dir: dir,
        }
    }

    async fn stop(mut self) {
        self.child.kill().await.expect("the process is killed");
    }
}

impl Deref for ServeProcess {
    type Target = ApiClient;

    fn deref(&self) -> &ApiClient {
        &self.api
    }
}

/// A P-256 key in PKCS#8 PEM, as `openssl genpkey -algorithm EC` would make one.
fn new_signing_key() -> String {
    rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
        .expect("a P-256 key")
        .serialize_pem()
}

fn sample_policy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/policy.toml")
}

/// Reads stdout up to `Send Secure is listening on https://<addr>`.
async fn listening_address(stdout: &mut Lines<BufReader<ChildStdout>>) -> Option<SocketAddr> {
    while let Ok(Some(line)) = stdout.next_line().await {
        if let Some(addr) = line.strip_prefix(LISTENING) {
            return addr.trim().parse().ok();
        }
    }
    None
}

/// A session made through the storage layer, as a sign-in on any instance would make it.
async fn session_in(database_url: &str, mailbox: &str) -> Session {
    let store = PostgresStore::connect(database_url)
        .await
        .expect("the shared database connects");
    let sessions = Sessions::new(
        Arc::new(store),
        Arc::new(Vault::new(&DATA_KEY)),
        Arc::new(SystemClock),
        &AuthSettings::default(),
    );
    let device_id = new_device_id();
    let (token, _) = sessions
        .issue(
            &Address::parse(mailbox).expect("a valid mailbox"),
            &DeviceId::parse(&device_id).expect("a valid device id"),
            Proof::EmailCode,
        )
        .await
        .expect("the session is stored");
    Session { token, device_id }
}

#[tokio::test]
async fn two_serve_processes_share_one_postgres_database() {
    let database = TestDatabase::create().await;
    let shared = tempfile::tempdir().expect("a temporary directory");
    let send_token_key = shared.path().join("send-token-key.pem");
    std::fs::write(&send_token_key, new_signing_key()).expect("the key is written");
    let (first, second) = tokio::join!(
        ServeProcess::start(&database.url, &send_token_key),
        ServeProcess::start(&database.url, &send_token_key)
    );
    let user = session_in(&database.url, SENDER).await;

    for (name, server) in [("first", &first), ("second", &second)] {
        let session = server.get_as(&user, "/api/v1/session").await.ok_json();
        assert_eq!(session["mailbox"], SENDER, "{name}");
    }

    let saved = first
        .put_as(
            &user,
            &pairing_path(PATIENT),
            &json!({"phone": MOBILE_TYPED}),
        )
        .await
        .ok_json();
    let read = second.get_as(&user, &pairing_path(PATIENT)).await.ok_json();
    assert_eq!(read, saved);
    let verdict = second.check(&user, &draft(SENDER, &[PATIENT])).await;
    assert_eq!(recipient(&verdict, PATIENT)["phone_number"], MOBILE_E164);

    let issued = first
        .post_as(&user, "/api/v1/send-token", &draft(SENDER, &[PATIENT]))
        .await
        .ok_json();
    let claims = verify_send_token(&second, issued["token"].as_str().expect("a token")).await;
    assert_eq!(claims["aud"], "sendsecure-relay");

    first.stop().await;
    second.stop().await;
    database.drop_now().await;
}
