//! No address, phone number, sign-in code or session token in the logs (SPEC §11): the real
//! `sendsecure serve` at `RUST_LOG=debug`, driven through a sign-in by e-mail code, a check
//! with a patient's number and a saved number, with its stderr captured and searched.

use std::{net::SocketAddr, path::Path, process::Stdio, time::Duration};

use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::Command,
};

use crate::helpers::{
    ApiClient, MOBILE_E164, MOBILE_TYPED, PATIENT, PUBLIC_URL, SENDER, Session, draft,
    https_client, new_device_id, pairing_path, send,
};

const LISTENING: &str = "Send Secure is listening on https://";

#[tokio::test]
async fn a_sign_in_and_a_saved_number_leave_no_secret_in_the_logs() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let data_dir = dir.path().join("data");
    let log_path = dir.path().join("stderr.log");
    let log = std::fs::File::create(&log_path).expect("the log file is created");
    let mut command = Command::new(env!("CARGO_BIN_EXE_sendsecure"));
    for (name, _) in std::env::vars() {
        if name.starts_with("SENDSECURE_") || name == "DATABASE_URL" || name == "RUST_LOG" {
            command.env_remove(name);
        }
    }
    let mut serve = command
        .env("RUST_LOG", "debug")
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--public-url",
            PUBLIC_URL,
        ])
        .arg("--data-dir")
        .arg(&data_dir)
        .arg("--policy")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/policy.toml"))
        .arg("--web-dir")
        .arg(dir.path().join("web"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("sendsecure starts");
    let mut stdout = BufReader::new(serve.stdout.take().expect("piped")).lines();
    let addr = tokio::time::timeout(Duration::from_secs(60), async {
        while let Ok(Some(line)) = stdout.next_line().await {
            if let Some(addr) = line.strip_prefix(LISTENING) {
                return addr.trim().parse::<SocketAddr>().ok();
            }
        }
        None
    })
    .await
    .ok()
    .flatten()
    .unwrap_or_else(|| {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        panic!("sendsecure serve did not say where it listens; its log:\n{log}")
    });
    let api = ApiClient::new(
        https_client(&data_dir.join("tls").join("dev-ca.pem"), addr),
        addr,
    );
    let device_id = new_device_id();

    // Sign in: ask for a code, read it from the outbox, mistype it once, then type it.
    let start = json!({"mailbox": SENDER, "device_id": device_id});
    send(
        api.request(Method::POST, "/api/v1/auth/email/start")
            .json(&start),
    )
    .await
    .assert_status(StatusCode::ACCEPTED);
    let code = code_from_outbox(&data_dir.join("outbox")).await;
    let wrong = if code == "00000000" {
        "11111111"
    } else {
        "00000000"
    };
    let verify = |code: &str| {
        let body = json!({"mailbox": SENDER, "device_id": device_id, "code": code});
        send(
            api.request(Method::POST, "/api/v1/auth/email/verify")
                .json(&body),
        )
    };
    verify(wrong)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid-code");
    let issued = verify(&code).await.ok_json();
    let session = Session {
        token: issued["token"].as_str().expect("a token").to_owned(),
        device_id: device_id.clone(),
    };

    // Use it: a check with the patient's number, the number saved and read back, and two
    // bad requests that carry the patient's address and number.
    let mut with_phone = draft(SENDER, &[PATIENT]);
    with_phone["phones"] = json!({ PATIENT: MOBILE_TYPED });
    api.check(&session, &with_phone).await;
    api.save_phone(&session, PATIENT, MOBILE_TYPED).await;
    let saved = api.get_as(&session, &pairing_path(PATIENT)).await.ok_json();
    assert_eq!(saved["phone"], MOBILE_E164);
    api.post_as(
        &session,
        "/api/v1/check",
        &json!({"sender": SENDER, "to": PATIENT, "phones": {PATIENT: 31_612_345_678_u64}}),
    )
    .await
    .assert_status(StatusCode::BAD_REQUEST);
    api.put_as(
        &session,
        &pairing_path(PATIENT),
        &json!({"phone": "06 12345678 9999"}),
    )
    .await;

    serve.kill().await.expect("the server stops");
    let logs = std::fs::read_to_string(&log_path).expect("the log is readable");

    assert!(
        logs.contains("the sign-in code e-mail was written to the outbox"),
        "the log says where the code went:\n{logs}"
    );
    let secrets: [(&str, &str); 9] = [
        ("the mailbox", SENDER),
        ("the mailbox's name", "a.jansen"),
        ("the patient's address", PATIENT),
        ("the patient's name", "m.bakker"),
        ("the number as typed", MOBILE_TYPED),
        ("the number in E.164", MOBILE_E164),
        ("the number's digits", "12345678"),
        ("the session token", &session.token),
        ("the session token's start", &session.token[..16]),
    ];
    for (what, secret) in secrets {
        assert!(
            !logs.to_lowercase().contains(&secret.to_lowercase()),
            "{what} is in the logs:\n{logs}"
        );
    }
    assert!(
        !contains_number(&logs, &code),
        "the sign-in code is in the logs:\n{logs}"
    );
    assert!(logs.lines().count() > 20, "debug logs were written: {logs}");
}

/// Waits (at most 10 s) for the one `.eml` in the outbox and reads the code from it.
async fn code_from_outbox(outbox: &Path) -> String {
    for _ in 0..500 {
        let file = std::fs::read_dir(outbox).ok().and_then(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .find(|path| path.extension().is_some_and(|extension| extension == "eml"))
        });
        if let Some(file) = file {
            let raw = std::fs::read(file).expect("a readable .eml");
            let message = mail_parser::MessageParser::default()
                .parse(&raw)
                .expect("a parsable message");
            let text = message.body_text(0).expect("a text part");
            return text
                .split_whitespace()
                .find(|word| word.len() == 8 && word.bytes().all(|b| b.is_ascii_digit()))
                .expect("a code")
                .to_owned();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no e-mail in the outbox within 10 s");
}

/// Whether `number` occurs in `text` as a number of its own, not inside a longer one (a
/// timestamp may hold any eight digits).
fn contains_number(text: &str, number: &str) -> bool {
    text.match_indices(number).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + number.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
    })
}
