//! The data key ring and the send-token key as an admin rotates them (README "Keys"): what
//! was sealed with the old key is read after `sendsecure keys rotate` with a new key in
//! front, and still once the old key has left the ring; a send-token rollover publishes both
//! keys; a key on the command line is refused.

use std::process::{Command, Output};

use addin_api::vault::Vault;
use base64::{Engine as _, engine::general_purpose::STANDARD as BASE64};

use crate::helpers::{
    Backend, DATA_KEY, MOBILE_E164, MOBILE_TYPED, PATIENT, SENDER, Session, TestApp, draft,
    recipient, spawn_app, verify_send_token,
};

/// The key the admin rotates to.
const NEW_KEY: [u8; 32] = [8; 32];

fn key_id(key: &[u8; 32]) -> String {
    Vault::new(key).key_ids()[0].to_string()
}

/// Writes the app's ring, newest key first; it reads it when it (re)starts.
fn write_ring(app: &TestApp, keys: &[[u8; 32]]) {
    let text: String = keys
        .iter()
        .map(|key| format!("{}\n", BASE64.encode(key)))
        .collect();
    std::fs::write(app.data_key_file(), text).expect("the ring is written");
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

/// The number in the line of `keys rotate` or `keys status` output that starts with `label`.
fn count(output: &str, label: &str) -> u64 {
    let line = output
        .lines()
        .find(|line| line.starts_with(label))
        .unwrap_or_else(|| panic!("no line for {label} in:\n{output}"));
    line[label.len()..]
        .split_whitespace()
        .next()
        .and_then(|number| number.parse().ok())
        .unwrap_or_else(|| panic!("no count in {line:?}"))
}

/// The session opens (its sealed mailbox), the saved number opens (its sealed phone), and the
/// check finds it (by the recipient's keyed hash).
async fn assert_user_data_reads(app: &TestApp, user: &Session) {
    let session = app.get_as(user, "/api/v1/session").await.ok_json();
    assert_eq!(session["mailbox"], SENDER);
    let pairing = app
        .get_as(user, &crate::helpers::pairing_path(PATIENT))
        .await
        .ok_json();
    assert_eq!(pairing["phone"], MOBILE_E164);
    let verdict = app.check(user, &draft(SENDER, &[PATIENT])).await;
    assert_eq!(recipient(&verdict, PATIENT)["phone_number"], MOBILE_E164);
}

async fn data_sealed_with_the_old_key_outlives_it(backend: Backend) {
    let mut app = spawn_app(backend).await;
    let user = app.sign_in(SENDER).await;
    app.save_phone(&user, PATIENT, MOBILE_TYPED).await;
    let (old, new) = (key_id(&DATA_KEY), key_id(&NEW_KEY));

    // Every instance gets the new key in front of the old one first.
    write_ring(&app, &[NEW_KEY, DATA_KEY]);
    app.restart().await;
    assert_user_data_reads(&app, &user).await;
    let status = stdout(&app.cli(&["keys", "status"]).await);
    assert_eq!(count(&status, &new), 0, "{status}");
    // The index key, the session's mailbox, the pairing's phone.
    assert_eq!(count(&status, &old), 3, "{status}");

    let rotated = stdout(&app.cli(&["keys", "rotate"]).await);

    assert_eq!(
        rotated.lines().count(),
        6,
        "one line per sealed column:\n{rotated}"
    );
    for (column, resealed) in [("index key", 1), ("sessions", 1), ("pairings", 1)] {
        assert_eq!(count(&rotated, column), resealed, "{rotated}");
    }
    assert!(
        rotated
            .lines()
            .all(|line| line.contains(&format!("re-sealed with {new}"))),
        "{rotated}"
    );
    let again = stdout(&app.cli(&["keys", "rotate"]).await);
    for line in again.lines() {
        assert!(line.contains(" 0 re-sealed"), "nothing more to do: {line}");
    }
    let status = stdout(&app.cli(&["keys", "status"]).await);
    assert_eq!(count(&status, &new), 3, "{status}");
    assert_eq!(count(&status, &old), 0, "{status}");
    assert!(status.contains("it can leave the ring"), "{status}");
    assert_user_data_reads(&app, &user).await;

    // The old key leaves the ring.
    write_ring(&app, &[NEW_KEY]);
    app.restart().await;

    assert_user_data_reads(&app, &user).await;
    let status = stdout(&app.cli(&["keys", "status"]).await);
    assert_eq!(count(&status, &new), 3, "{status}");
    app.finish().await;
}

both_backends!(data_sealed_with_the_old_key_outlives_it);

#[tokio::test]
async fn a_send_token_rollover_publishes_both_keys_and_the_relay_accepts_either() {
    let mut app = spawn_app(Backend::Sqlite).await;
    let user = app.sign_in(SENDER).await;
    let before = app
        .post_as(&user, "/api/v1/send-token", &draft(SENDER, &[PATIENT]))
        .await
        .ok_json();
    let old_token = before["token"].as_str().expect("a token").to_owned();

    let said = stdout(&app.cli(&["keys", "rotate-send-token"]).await);
    assert!(said.contains("send-token-key.previous.pem"), "{said}");
    app.restart().await;

    let jwks = app.get("/.well-known/jwks.json").await.ok_json();
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .expect("a key list")
        .iter()
        .map(|key| key["kid"].as_str().expect("a kid"))
        .collect();
    assert_eq!(kids.len(), 2, "{jwks}");
    let old_kid = jsonwebtoken::decode_header(&old_token)
        .expect("a header")
        .kid
        .expect("a kid");
    assert_eq!(kids[1], old_kid, "the previous key comes second");
    verify_send_token(&app, &old_token).await;
    let relay = app.state();
    relay
        .signer
        .verifier()
        .verify(
            &old_token,
            relay.clock.now(),
            relay.policy.relay.accept_within.duration(),
        )
        .expect("the relay accepts a token of the previous key");
    let after = app
        .post_as(&user, "/api/v1/send-token", &draft(SENDER, &[PATIENT]))
        .await
        .ok_json();
    let new_token = after["token"].as_str().expect("a token");
    let header = jsonwebtoken::decode_header(new_token).expect("a header");
    assert_eq!(
        header.kid.as_deref(),
        Some(kids[0]),
        "signed with the new key"
    );
    verify_send_token(&app, new_token).await;
    app.finish().await;
}

#[test]
fn a_data_key_on_the_command_line_is_refused_with_one_line() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let data_dir = dir.path().join("data");
    let key = BASE64.encode(DATA_KEY);
    for command in [
        &["serve"][..],
        &["keys", "status"],
        &["keys", "rotate"],
        &["sessions", "list", "--mailbox", SENDER],
        &["viewer", "withdraw", "--reference", "SS-AAAA-AAAA"],
    ] {
        let mut sendsecure = Command::new(env!("CARGO_BIN_EXE_sendsecure"));
        for (name, _) in std::env::vars() {
            if name.starts_with("SENDSECURE_") || name == "DATABASE_URL" {
                sendsecure.env_remove(name);
            }
        }
        let output = sendsecure
            .args(command)
            .arg("--data-dir")
            .arg(&data_dir)
            .args(["--data-key", &key])
            .output()
            .expect("sendsecure runs");
        let stderr = String::from_utf8_lossy(&output.stderr);

        assert_eq!(output.status.code(), Some(2), "{command:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{command:?}: {stderr}");
        assert!(stderr.contains("--data-key is refused"), "{stderr}");
        assert!(stderr.contains("SENDSECURE_DATA_KEYS"), "{stderr}");
        assert!(!stderr.contains(&key), "the key is not repeated: {stderr}");
        assert!(!data_dir.exists(), "{command:?} made nothing");
    }
}
