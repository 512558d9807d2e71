//! `sendsecure sessions revoke --mailbox …` as an admin runs it: the real binary against a
//! running server's storage (SPEC §8).

use std::{path::Path, process::Output, time::Duration};

use addin_api::sessions::SESSION_CACHE_SECS;

use reqwest::StatusCode;
use tokio::process::Command;

use serde_json::json;

use crate::helpers::{Backend, COLLEAGUE, SENDER, data_key, new_device_id, spawn_app};

/// `sendsecure sessions revoke` with `args`, configured by those alone.
async fn revoke(args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sendsecure"));
    for (name, _) in std::env::vars() {
        if name.starts_with("SENDSECURE_") || name == "DATABASE_URL" {
            command.env_remove(name);
        }
    }
    command
        .args(["sessions", "revoke"])
        .args(args)
        .output()
        .await
        .expect("sendsecure runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8")
}

fn dir_arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

#[tokio::test]
async fn revoking_a_mailbox_ends_all_its_sessions_and_no_others() {
    let app = spawn_app(Backend::Sqlite).await;
    let laptop = app.sign_in(SENDER).await;
    let desktop = app.sign_in(SENDER).await;
    let colleague = app.sign_in(COLLEAGUE).await;
    app.get_as(&laptop, "/api/v1/session").await.ok_json();
    // A code on its way to a third device: revoking voids it too.
    let pending = new_device_id();
    app.post(
        "/api/v1/auth/email/start",
        &json!({"mailbox": SENDER, "device_id": pending}),
    )
    .await
    .assert_status(StatusCode::ACCEPTED);

    let key_file = dir_arg(app.data_key_file());
    let output = revoke(&[
        "--mailbox",
        &SENDER.to_uppercase(),
        "--data-dir",
        dir_arg(app.data_dir()),
        "--data-key-file",
        key_file,
    ])
    .await;

    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        "ended 2 sessions of the mailbox, voided 1 pending sign-in code, forgot 0 devices\n"
    );
    // The server read the laptop's session a moment ago: another process's ending reaches it
    // within seconds.
    app.clock
        .advance(Duration::from_secs(SESSION_CACHE_SECS as u64));
    for session in [&laptop, &desktop] {
        app.get_as(session, "/api/v1/session")
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    app.get_as(&colleague, "/api/v1/session").await.ok_json();

    let again = revoke(&[
        "--mailbox",
        SENDER,
        "--data-dir",
        dir_arg(app.data_dir()),
        "--data-key-file",
        key_file,
    ])
    .await;
    assert_eq!(
        text(&again.stdout),
        "ended 0 sessions of the mailbox, voided 0 pending sign-in codes, forgot 0 devices\n"
    );
    app.finish().await;
}

#[tokio::test]
async fn bad_input_exits_2_with_one_line() {
    let empty = tempfile::tempdir().expect("a temporary directory");
    let keys = tempfile::tempdir().expect("a temporary directory");
    let key_path = keys.path().join("data-keys");
    std::fs::write(&key_path, data_key()).expect("the key file is written");
    let key_file = dir_arg(&key_path);
    let key = data_key();
    for (args, says) in [
        (
            vec!["--mailbox", "not-an-address", "--data-key-file", key_file],
            "--mailbox is not a valid e-mail address",
        ),
        (
            vec![
                "--mailbox",
                SENDER,
                "--data-dir",
                dir_arg(empty.path()),
                "--data-key",
                &key,
            ],
            "--data-key is refused: a key on the command line shows in `ps`",
        ),
        (
            vec!["--mailbox", SENDER, "--data-dir", dir_arg(empty.path())],
            "holds no data key",
        ),
        (
            vec![
                "--mailbox",
                SENDER,
                "--data-dir",
                dir_arg(empty.path()),
                "--data-key-file",
                key_file,
            ],
            "holds no database",
        ),
    ] {
        let output = revoke(&args).await;
        let stderr = text(&output.stderr);

        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
        assert!(
            !stderr.contains(&key),
            "the key is never repeated: {stderr}"
        );
    }
    assert_eq!(
        std::fs::read_dir(empty.path()).expect("readable").count(),
        0,
        "nothing is made in a wrong data directory"
    );
}
