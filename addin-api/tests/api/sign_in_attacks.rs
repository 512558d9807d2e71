//! Sign-in by e-mail code under attack (issue 12), against the real server on both backends:
//! a stranger who knows a colleague's address, in another browser and on another network,
//! tries to burn, void or lock out the colleague's code. The server is behind the test as a
//! trusted proxy, so `X-Forwarded-For` makes each party a client of its own; the codes arrive
//! at a real SMTP server.

use reqwest::{Method, StatusCode, header};
use serde_json::json;

use crate::{
    helpers::{Backend, Reply, SENDER, TestApp, new_device_id, send},
    smtp_server::{Received, Security, SmtpServer},
};

both_backends!(
    wrong_codes_from_another_browser_do_not_burn_the_owners_code,
    a_request_from_another_browser_does_not_void_the_owners_code,
    anonymous_requests_do_not_lock_the_owner_out,
    wrong_codes_are_limited_per_client,
    the_owner_signs_in_while_a_stranger_hammers_the_mailbox,
    every_attempt_is_in_the_audit_trail,
);

/// One browser on one network.
struct Party {
    device: String,
    address: &'static str,
}

impl Party {
    fn at(address: &'static str) -> Self {
        Self {
            device: new_device_id(),
            address,
        }
    }

    /// The same network, another browser.
    fn next_browser(&self) -> Self {
        Self::at(self.address)
    }

    async fn start(&self, app: &TestApp, mailbox: &str) -> Reply {
        let body = json!({"mailbox": mailbox, "device_id": self.device});
        self.send(app, "/api/v1/auth/email/start", &body).await
    }

    async fn verify(&self, app: &TestApp, mailbox: &str, code: &str) -> Reply {
        let body = json!({"mailbox": mailbox, "device_id": self.device, "code": code});
        self.send(app, "/api/v1/auth/email/verify", &body).await
    }

    async fn send(&self, app: &TestApp, path: &str, body: &serde_json::Value) -> Reply {
        send(
            app.request(Method::POST, path)
                .header("x-forwarded-for", self.address)
                .json(body),
        )
        .await
    }
}

const OWNER_NETWORK: &str = "198.51.100.7";
const STRANGER_NETWORK: &str = "203.0.113.66";

async fn app(backend: Backend) -> (TestApp, SmtpServer) {
    let smtp = SmtpServer::start(Security::Plain).await;
    let app = TestApp::builder(backend)
        .behind_proxy()
        .set("smtp.url", format!("smtp://127.0.0.1:{}", smtp.addr.port()))
        .start()
        .await;
    (app, smtp)
}

/// Asks for a code as `party` and returns it from the mail that arrives.
async fn code_for(app: &TestApp, smtp: &SmtpServer, party: &Party) -> String {
    let before = smtp.received().len();
    party
        .start(app, SENDER)
        .await
        .assert_status(StatusCode::ACCEPTED);
    code_in(&smtp.wait_for(before + 1).await[before])
}

/// The 8-digit code in a sign-in mail.
fn code_in(mail: &Received) -> String {
    let text = mail_parser::MessageParser::default()
        .parse(&mail.data)
        .expect("a message")
        .body_text(0)
        .expect("a text part")
        .into_owned();
    text.split_whitespace()
        .find(|word| word.len() == 8 && word.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or_else(|| panic!("a code in {text:?}"))
        .to_owned()
}

/// A code that is not `code`.
fn other_than(code: &str) -> String {
    if code == "00000000" {
        "11111111".into()
    } else {
        "00000000".into()
    }
}

#[track_caller]
fn assert_throttled(reply: &Reply) {
    reply.assert_error(StatusCode::TOO_MANY_REQUESTS, "too-many-requests");
    let after: i64 = reply
        .header(header::RETRY_AFTER)
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=86_400).contains(&after), "{after}");
}

async fn wrong_codes_from_another_browser_do_not_burn_the_owners_code(backend: Backend) {
    let (app, smtp) = app(backend).await;
    let owner = Party::at(OWNER_NETWORK);
    let stranger = Party::at(STRANGER_NETWORK);
    let code = code_for(&app, &smtp, &owner).await;

    for _ in 0..5 {
        stranger
            .verify(&app, SENDER, &other_than(&code))
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "invalid-code");
    }
    stranger
        .verify(&app, SENDER, &code)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid-code");

    owner.verify(&app, SENDER, &code).await.ok_json();
    app.finish().await;
}

async fn a_request_from_another_browser_does_not_void_the_owners_code(backend: Backend) {
    let (app, smtp) = app(backend).await;
    let owner = Party::at(OWNER_NETWORK);
    let stranger = Party::at(STRANGER_NETWORK);
    let code = code_for(&app, &smtp, &owner).await;

    code_for(&app, &smtp, &stranger).await;

    owner.verify(&app, SENDER, &code).await.ok_json();
    app.finish().await;
}

async fn anonymous_requests_do_not_lock_the_owner_out(backend: Backend) {
    let (app, smtp) = app(backend).await;
    // Three requests a browser, a new browser each time, until the server says no.
    let mut stranger = Party::at(STRANGER_NETWORK);
    let mut refused = None;
    let mut accepted = 0;
    for n in 0..40 {
        if n % 3 == 0 {
            stranger = stranger.next_browser();
        }
        let reply = stranger.start(&app, SENDER).await;
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(reply);
            break;
        }
        reply.assert_status(StatusCode::ACCEPTED);
        accepted += 1;
    }
    assert_throttled(&refused.expect("the stranger is stopped"));
    assert_eq!(accepted, 10, "codes mailed to the colleague");
    // Their mails are all in before the owner asks.
    smtp.wait_for(accepted).await;

    // The owner, in their own browser elsewhere, gets a code and signs in.
    let owner = Party::at(OWNER_NETWORK);
    let code = code_for(&app, &smtp, &owner).await;
    owner.verify(&app, SENDER, &code).await.ok_json();

    // And once signed in, that browser is not held to what the stranger used up, even on
    // the stranger's network.
    let roaming = Party {
        device: owner.device.clone(),
        address: STRANGER_NETWORK,
    };
    let code = code_for(&app, &smtp, &roaming).await;
    roaming.verify(&app, SENDER, &code).await.ok_json();
    app.finish().await;
}

async fn wrong_codes_are_limited_per_client(backend: Backend) {
    let (app, _smtp) = app(backend).await;
    let guesser = Party::at(STRANGER_NETWORK);
    for n in 0..30 {
        guesser
            .verify(&app, &format!("user{n}@huisartsen-oost.nl"), "12345678")
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "invalid-code");
    }
    let refused = guesser
        .verify(&app, "user30@huisartsen-oost.nl", "12345678")
        .await;
    assert_throttled(&refused);
    assert_eq!(refused.header(header::RETRY_AFTER), Some("900"));

    // IPv6: the same /64 is the same client; another /64 is not.
    let in_64 = |address| Party::at(address);
    for n in 0..30 {
        in_64(if n % 2 == 0 {
            "2001:db8:1:2::1"
        } else {
            "2001:db8:1:2::ffff"
        })
        .verify(&app, &format!("user{n}@huisartsen-oost.nl"), "12345678")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid-code");
    }
    assert_throttled(
        &in_64("2001:db8:1:2:3::9")
            .verify(&app, SENDER, "12345678")
            .await,
    );
    in_64("2001:db8:1:3::1")
        .verify(&app, SENDER, "12345678")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid-code");
    app.finish().await;
}

async fn the_owner_signs_in_while_a_stranger_hammers_the_mailbox(backend: Backend) {
    let (app, smtp) = app(backend).await;
    let hammer = |rounds: usize| {
        let app = &app;
        async move {
            let mut stranger = Party::at(STRANGER_NETWORK);
            let (mut mailed, mut throttled) = (0, 0);
            for n in 0..rounds {
                if n % 3 == 0 {
                    stranger = stranger.next_browser();
                }
                let asked = stranger.start(app, SENDER).await;
                let guessed = stranger.verify(app, SENDER, "12345678").await;
                mailed += usize::from(asked.status == StatusCode::ACCEPTED);
                throttled += usize::from(asked.status == StatusCode::TOO_MANY_REQUESTS)
                    + usize::from(guessed.status == StatusCode::TOO_MANY_REQUESTS);
            }
            (mailed, throttled)
        }
    };

    // The stranger uses up everything they can.
    let (mailed, throttled) = hammer(40).await;
    assert!(throttled > 0, "the stranger is stopped");
    let before = smtp.wait_for(mailed).await.len();
    let owner = Party::at(OWNER_NETWORK);
    owner
        .start(&app, SENDER)
        .await
        .assert_status(StatusCode::ACCEPTED);
    let owners_mail = smtp.wait_for(before + 1).await.remove(before);
    // ... and keeps going while the owner reads the mail: every request is refused now.
    assert_eq!(hammer(10).await, (0, 20), "all refused");
    assert_eq!(smtp.received().len(), before + 1, "no more codes mailed");

    owner
        .verify(&app, SENDER, &code_in(&owners_mail))
        .await
        .ok_json();
    app.finish().await;
}

/// Each attempt, the stranger's and the owner's, with the mailbox, the device and the
/// network it came from — as keyed hashes, never in clear.
async fn every_attempt_is_in_the_audit_trail(backend: Backend) {
    let (app, smtp) = app(backend).await;
    let owner = Party::at(OWNER_NETWORK);
    let stranger = Party::at(STRANGER_NETWORK);
    let code = code_for(&app, &smtp, &owner).await;
    stranger
        .verify(&app, SENDER, &other_than(&code))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid-code");
    for _ in 0..3 {
        stranger
            .start(&app, SENDER)
            .await
            .assert_status(StatusCode::ACCEPTED);
    }
    assert_throttled(&stranger.start(&app, SENDER).await);
    owner.verify(&app, SENDER, &code).await.ok_json();

    let db = app.raw_db().await;
    let rows = db.sign_in_audit_rows().await;
    db.close().await;
    let kinds: Vec<(&str, Option<&str>)> = rows
        .iter()
        .map(|row| (row.kind.as_str(), row.codes.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("sign-in-code-requested", None),
            ("sign-in-code-failed", None),
            ("sign-in-code-requested", None),
            ("sign-in-code-requested", None),
            ("sign-in-code-requested", None),
            ("sign-in-throttled", Some("code-request")),
            ("sign-in-code-verified", None),
        ]
    );
    let (owners, strangers): (Vec<_>, Vec<_>) = rows
        .iter()
        .partition(|row| row.device_hash == rows[0].device_hash);
    assert_eq!(owners.len(), 2, "the owner's request and sign-in");
    assert!(
        rows.iter()
            .all(|row| row.mailbox_hash == rows[0].mailbox_hash)
    );
    assert!(rows.iter().all(|row| row.seq.is_some()), "chained");
    let network = |row: &crate::helpers::AuditRow| row.network_hash.clone().expect("a network");
    assert!(owners.iter().all(|row| network(row) == network(owners[0])));
    assert!(
        strangers
            .iter()
            .all(|row| network(row) == network(strangers[0]))
    );
    assert_ne!(network(owners[0]), network(strangers[0]));
    app.finish().await;
}
