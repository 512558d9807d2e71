//! The secure route's relay end to end (SPEC §13): the test plays Exchange Online — it signs
//! in, gets a send token from the real API, and hands the MIME message carrying it to the
//! relay over SMTP — and the next hop is a real SMTP server on loopback. Every rule of §13
//! that can refuse a message has a case here; each refusal delivers nothing and is audited.

use std::{net::IpAddr, time::Duration};

use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::{
    exchange::{OutboundMail, SmtpClient, SmtpReply, non_loopback_address},
    helpers::{
        Backend, COLLEAGUE, HOSPITAL, MOBILE_E164, MOBILE_TYPED, PATIENT, SENDER, Session, TestApp,
        TestAppBuilder, draft,
    },
    smtp_server::{Received, Security, SmtpServer},
};

both_backends!(
    a_checked_mail_reaches_each_recipient_by_its_route,
    the_relay_stores_nothing_readable,
    exchange_retrying_a_message_gets_250_without_a_second_delivery,
    another_message_with_a_used_token_is_a_replay,
    each_broken_rule_is_refused_with_its_reason,
    a_token_is_accepted_for_accept_within_after_issue,
    a_client_outside_accept_from_is_turned_away,
    a_client_on_the_network_must_use_starttls,
    a_next_hop_that_is_down_is_a_451_and_the_retry_is_delivered_once,
    without_a_next_hop_mail_goes_to_the_relay_outbox,
);

const LOOPBACK: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
const ANY: IpAddr = IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);

// ---- Arrange -------------------------------------------------------------------------------

/// The app with its relay on loopback, handing over to `next_hop`.
fn with_next_hop(backend: Backend, next_hop: &SmtpServer) -> TestAppBuilder {
    TestApp::builder(backend)
        .relay_on(LOOPBACK)
        .set("relay.next_hop", format!("smtp://{}", next_hop.addr))
}

/// A relay handing over to a next hop of its own, and a clinician signed in to the API.
struct Route {
    next_hop: SmtpServer,
    app: TestApp,
    user: Session,
}

async fn route(backend: Backend) -> Route {
    let next_hop = SmtpServer::start(Security::Plain).await;
    let app = with_next_hop(backend, &next_hop).start().await;
    let user = clinician(&app).await;
    Route {
        next_hop,
        app,
        user,
    }
}

/// The mail of [`three_routes`] and the token the API issued for it.
async fn checked_three_routes_mail(app: &TestApp, user: &Session) -> (String, OutboundMail) {
    let token = send_token(app, user, &three_routes()).await;
    let mail = three_routes_mail(&token);
    (token, mail)
}

/// Signed in as the sender, with the patient's number saved.
async fn clinician(app: &TestApp) -> Session {
    let user = app.sign_in(SENDER).await;
    app.save_phone(&user, PATIENT, MOBILE_TYPED).await;
    user
}

/// To a hospital (community) and a patient (Viewer), a colleague (internal) in CC.
fn three_routes() -> Value {
    let mut draft = draft(SENDER, &[HOSPITAL, PATIENT]);
    draft["cc"] = json!([{"address": COLLEAGUE}]);
    draft
}

/// The mail Outlook sends for [`three_routes`], carrying `token`.
fn three_routes_mail(token: &str) -> OutboundMail {
    OutboundMail::new(SENDER, &[HOSPITAL, PATIENT])
        .cc(&[COLLEAGUE])
        .token(token)
}

/// Exchange routes only recipients outside the organisation through the connector.
const EXTERNAL: [&str; 2] = [HOSPITAL, PATIENT];

async fn send_token(app: &TestApp, user: &Session, draft: &Value) -> String {
    let issued = app
        .post_as(user, "/api/v1/send-token", draft)
        .await
        .ok_json();
    issued["token"].as_str().expect("a token").to_owned()
}

/// Hands `mail` to the relay as Exchange does: STARTTLS, then one transaction.
async fn exchange_sends(app: &TestApp, mail: &OutboundMail, to: &[&str]) -> SmtpReply {
    let (client, greeting) = SmtpClient::connect(app.relay_addr(), None).await;
    greeting.assert_code(220);
    let mut client = client.starttls(&app.dev_ca_path()).await;
    client.send(&mail.from, to, &mail.mime()).await
}

/// A token signed with the server's own key, with the claims the test wants.
fn forged_with_the_server_key(app: &TestApp, claims: &Value) -> String {
    let pem = std::fs::read(app.data_dir().join("send-token-key.pem")).expect("the key file");
    let key = EncodingKey::from_ec_pem(&pem).expect("a P-256 key");
    let mut header = Header::new(Algorithm::ES256);
    // Named as the server names it: the relay finds the key by its id.
    header.kid = Some(app.state().signer.kids()[0].to_owned());
    jsonwebtoken::encode(&header, claims, &key).expect("signs")
}

/// The claims of a real token, decoded without a check.
fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a payload");
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("base64url"),
    )
    .expect("JSON")
}

// ---- Assert --------------------------------------------------------------------------------

fn parse(raw: &[u8]) -> mail_parser::Message<'static> {
    mail_parser::MessageParser::default()
        .parse(raw)
        .expect("a parsable message")
        .into_owned()
}

/// The one message the next hop received for exactly `to`.
#[track_caller]
fn received_for<'a>(received: &'a [Received], to: &[&str]) -> &'a Received {
    let matching: Vec<&Received> = received.iter().filter(|message| message.to == to).collect();
    assert_eq!(matching.len(), 1, "one message to {to:?} in {received:#?}");
    matching[0]
}

async fn audit_kinds(app: &TestApp) -> Vec<(String, Option<String>, Option<String>)> {
    let db = app.raw_db().await;
    let rows = db.audit_rows().await;
    db.close().await;
    rows.into_iter()
        .map(|row| (row.kind, row.routes, row.codes))
        .collect()
}

// ---- The route -----------------------------------------------------------------------------

async fn a_checked_mail_reaches_each_recipient_by_its_route(backend: Backend) {
    let Route {
        next_hop,
        app,
        user,
    } = route(backend).await;
    let (token, mail) = checked_three_routes_mail(&app, &user).await;

    let reply = exchange_sends(&app, &mail, &EXTERNAL).await;

    reply.assert_says(
        250,
        "2.0.0",
        "delivered to 1 directly and 1 through the Viewer",
    );
    let received = next_hop.wait_for(3).await;
    assert_eq!(received.len(), 3, "{received:#?}");

    // The hospital gets the mail itself, from the sender, without the token.
    let direct = received_for(&received, &[HOSPITAL]);
    assert_eq!(direct.from, SENDER);
    let original = mail.mime();
    let token_line = format!("X-SendSecure-Token: {token}\r\n");
    assert!(!String::from_utf8_lossy(&direct.data).contains("X-SendSecure-Token"));
    assert_eq!(
        direct.data,
        original[token_line.len()..],
        "byte for byte the message, minus the token header"
    );

    // The patient gets a notification with a link to the Viewer, not the message.
    let notification = parse(&received_for(&received, &[PATIENT]).data);
    assert_eq!(
        notification.subject(),
        Some("Beveiligd bericht van A. Jansen"),
        "no subject unless the policy allows it"
    );
    let text = notification.body_text(0).expect("text");
    assert!(text.contains("A. Jansen van Huisartsen Oost"), "{text}");
    assert!(
        !text.contains("Hb is 8.1") && !text.contains("Uitslag"),
        "{text}"
    );
    let link = text
        .split_whitespace()
        .find(|word| word.starts_with("https://localhost:8443/viewer/"))
        .unwrap_or_else(|| panic!("a Viewer link in {text}"));
    let secret = link.trim_start_matches("https://localhost:8443/viewer/");
    let bits = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(secret)
        .expect("base64url")
        .len()
        * 8;
    assert!(bits >= 128, "{bits} random bits in {link}");
    assert!(text.contains("per sms"), "the code goes by SMS: {text}");

    // The sender gets the delivery confirmation.
    let confirmation = parse(&received_for(&received, &[SENDER]).data);
    assert_eq!(
        confirmation.subject(),
        Some("Beveiligd verzonden: Uitslag bloedonderzoek")
    );
    let text = confirmation.body_text(0).expect("text");
    for expected in [
        &format!("{PATIENT}: toegangscode per sms naar 06-••••••78")[..],
        HOSPITAL,
        "Kenmerk: SS-",
        "Doorstuurwachtwoord: ",
        "Bericht intrekken: https://localhost:8443/viewer/withdraw/",
    ] {
        assert!(text.contains(expected), "{expected} in {text}");
    }
    assert!(
        !text.contains(COLLEAGUE),
        "internal mail is Exchange's: {text}"
    );

    assert_eq!(
        audit_kinds(&app).await,
        [
            (
                "send-token".into(),
                Some("community=1,internal=1,viewer=1".into()),
                None
            ),
            (
                "relay-delivered".into(),
                Some("community=1,viewer=1".into()),
                None
            ),
        ]
    );
    app.finish().await;
}

async fn the_relay_stores_nothing_readable(backend: Backend) {
    let Route {
        next_hop,
        app,
        user,
    } = route(backend).await;
    let (_, mail) = checked_three_routes_mail(&app, &user).await;

    exchange_sends(&app, &mail, &EXTERNAL)
        .await
        .assert_code(250);
    next_hop.wait_for(3).await;

    let db = app.raw_db().await;
    let stored = db.every_value().await;
    db.close().await;
    let secrets: [&[u8]; 9] = [
        PATIENT.as_bytes(),
        HOSPITAL.as_bytes(),
        b"m.bakker",
        b"Uitslag bloedonderzoek",
        b"Hb is 8.1",
        b"lab results",
        b"612345678",
        MOBILE_E164.as_bytes(),
        b"A. Jansen",
    ];
    for value in &stored {
        for secret in secrets {
            assert!(
                !value.bytes.windows(secret.len()).any(|w| w == secret),
                "{} holds {:?} in clear",
                value.place,
                String::from_utf8_lossy(secret)
            );
        }
    }
    assert!(
        stored
            .iter()
            .any(|value| value.place == "viewer_contents.content"),
        "the Viewer copy is stored (encrypted)"
    );
    app.finish().await;
}

// ---- One token, one message ----------------------------------------------------------------

async fn exchange_retrying_a_message_gets_250_without_a_second_delivery(backend: Backend) {
    let Route {
        next_hop,
        app,
        user,
    } = route(backend).await;
    let (_, mail) = checked_three_routes_mail(&app, &user).await;

    exchange_sends(&app, &mail, &EXTERNAL)
        .await
        .assert_code(250);
    next_hop.wait_for(3).await;
    let again = exchange_sends(&app, &mail, &EXTERNAL).await;

    again.assert_says(250, "2.0.0", "already delivered");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(next_hop.received().len(), 3, "nothing delivered twice");
    app.finish().await;
}

async fn another_message_with_a_used_token_is_a_replay(backend: Backend) {
    let Route {
        next_hop,
        app,
        user,
    } = route(backend).await;
    let token = send_token(&app, &user, &draft(SENDER, &[HOSPITAL])).await;
    let first = OutboundMail::new(SENDER, &[HOSPITAL]).token(&token);
    exchange_sends(&app, &first, &[HOSPITAL])
        .await
        .assert_code(250);

    let second = OutboundMail::new(SENDER, &[HOSPITAL])
        .token(&token)
        .message_id("another-message@huisartsen-oost.nl");
    let reply = exchange_sends(&app, &second, &[HOSPITAL]).await;

    reply.assert_says(550, "5.7.1", "already used for another message");
    assert_eq!(next_hop.wait_for(1).await.len(), 1);
    let jti = claims_of(&token)["jti"].as_str().expect("a jti").to_owned();
    let db = app.raw_db().await;
    let rows = db.audit_rows().await;
    db.close().await;
    let refusal = rows.last().expect("an audit row");
    assert_eq!(refusal.kind, "relay-refused");
    assert_eq!(refusal.codes.as_deref(), Some("replay"));
    assert_eq!(refusal.token_id.as_deref(), Some(jti.as_str()));
    app.finish().await;
}

// ---- Refusals ------------------------------------------------------------------------------

/// What a broken rule looks like to the relay: the mail, its envelope, the expected reply.
struct Case {
    name: &'static str,
    mail: OutboundMail,
    mail_from: &'static str,
    to: Vec<&'static str>,
    status: &'static str,
    says: &'static str,
    audit_code: &'static str,
}

async fn each_broken_rule_is_refused_with_its_reason(backend: Backend) {
    let Route {
        next_hop,
        app,
        user,
    } = route(backend).await;
    let to_hospital = draft(SENDER, &[HOSPITAL]);
    let fresh = || send_token(&app, &user, &to_hospital);
    let mail = |token: &str| OutboundMail::new(SENDER, &[HOSPITAL]).token(token);

    // One character changed in the middle of the signature (the last one may only carry
    // padding bits).
    let mut tampered: Vec<char> = fresh().await.chars().collect();
    let middle = tampered.len() - 20;
    tampered[middle] = if tampered[middle] == 'A' { 'B' } else { 'A' };
    let tampered: String = tampered.into_iter().collect();
    let mut other_audience = claims_of(&fresh().await);
    other_audience["aud"] = "someone-else".into();
    let mut unknown = claims_of(&fresh().await);
    unknown["jti"] = "AAAAAAAAAAAAAAAAAAAAAA".into();
    let cases = [
        Case {
            name: "no token",
            mail: OutboundMail::new(SENDER, &[HOSPITAL]),
            mail_from: SENDER,
            to: vec![HOSPITAL],
            status: "5.7.1",
            says: "has no send token",
            audit_code: "no-token",
        },
        Case {
            name: "two tokens",
            mail: mail(&fresh().await).token(&fresh().await),
            mail_from: SENDER,
            to: vec![HOSPITAL],
            status: "5.7.1",
            says: "more than one send token",
            audit_code: "several-tokens",
        },
        Case {
            name: "bad signature",
            mail: mail(&tampered),
            mail_from: SENDER,
            to: vec![HOSPITAL],
            status: "5.7.5",
            says: "signature does not verify",
            audit_code: "token-bad-signature",
        },
        Case {
            name: "wrong audience",
            mail: mail(&forged_with_the_server_key(&app, &other_audience)),
            mail_from: SENDER,
            to: vec![HOSPITAL],
            status: "5.7.1",
            says: "not meant for this relay",
            audit_code: "token-wrong-audience",
        },
        Case {
            name: "unknown jti",
            mail: mail(&forged_with_the_server_key(&app, &unknown)),
            mail_from: SENDER,
            to: vec![HOSPITAL],
            status: "5.7.1",
            says: "not known here",
            audit_code: "unknown-dispatch",
        },
        Case {
            name: "MAIL FROM is not the checked sender",
            mail: mail(&fresh().await),
            mail_from: COLLEAGUE,
            to: vec![HOSPITAL],
            status: "5.7.1",
            says: "sender is not the one that was checked",
            audit_code: "sender-not-checked",
        },
        Case {
            name: "a recipient that was not checked",
            mail: mail(&fresh().await),
            mail_from: SENDER,
            to: vec![HOSPITAL, "someone@zorgmail.nl"],
            status: "5.7.1",
            says: "a recipient was added after the check",
            audit_code: "recipient-not-checked",
        },
        Case {
            name: "an attachment added",
            mail: mail(&fresh().await).attachments(2),
            mail_from: SENDER,
            to: vec![HOSPITAL],
            status: "5.7.7",
            says: "the attachments changed after the check",
            audit_code: "attachments-changed",
        },
        Case {
            name: "an attachment removed",
            mail: mail(&fresh().await).attachments(0),
            mail_from: SENDER,
            to: vec![HOSPITAL],
            status: "5.7.7",
            says: "the attachments changed after the check",
            audit_code: "attachments-changed",
        },
    ];

    for case in cases {
        let (client, _) = SmtpClient::connect(app.relay_addr(), None).await;
        let mut client = client.starttls(&app.dev_ca_path()).await;
        let reply = client
            .send(case.mail_from, &case.to, &case.mail.mime())
            .await;

        reply.assert_says(550, case.status, case.says);
        assert!(
            reply.line().contains("Veilig verzenden"),
            "{}: says what to do: {}",
            case.name,
            reply.line()
        );
        let audit = audit_kinds(&app).await;
        let last = audit.last().expect("an audit row");
        assert_eq!(
            (last.0.as_str(), last.2.as_deref()),
            ("relay-refused", Some(case.audit_code)),
            "{}",
            case.name
        );
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(next_hop.received().is_empty(), "nothing was delivered");
    app.finish().await;
}

async fn a_token_is_accepted_for_accept_within_after_issue(backend: Backend) {
    let Route {
        next_hop,
        app,
        user,
    } = route(backend).await;
    let first = send_token(&app, &user, &draft(SENDER, &[HOSPITAL])).await;
    let second = send_token(&app, &user, &draft(SENDER, &[HOSPITAL])).await;

    // Exchange queued the mail for two days: the send-time expiry (15 min) is long past.
    app.clock.advance(Duration::from_secs(48 * 3600));
    let mail = OutboundMail::new(SENDER, &[HOSPITAL]).token(&first);
    exchange_sends(&app, &mail, &[HOSPITAL])
        .await
        .assert_code(250);

    app.clock.advance(Duration::from_secs(1));
    let mail = OutboundMail::new(SENDER, &[HOSPITAL]).token(&second);
    let reply = exchange_sends(&app, &mail, &[HOSPITAL]).await;

    reply.assert_says(550, "5.7.1", "the send token has expired");
    assert_eq!(next_hop.wait_for(1).await.len(), 1);
    app.finish().await;
}

// ---- Who may connect -----------------------------------------------------------------------

async fn a_client_outside_accept_from_is_turned_away(backend: Backend) {
    let app = TestApp::builder(backend).relay_on(ANY).start().await;
    let relay = std::net::SocketAddr::new(non_loopback_address(), app.relay_addr().port());

    let (_, greeting) = SmtpClient::connect(relay, Some(non_loopback_address())).await;

    greeting.assert_says(554, "5.7.1", "may not connect here");
    app.finish().await;
}

async fn a_client_on_the_network_must_use_starttls(backend: Backend) {
    let network = non_loopback_address();
    let next_hop = SmtpServer::start(Security::Plain).await;
    let app = with_next_hop(backend, &next_hop)
        .relay_on(ANY)
        .set("relay.accept_from", vec![format!("{network}/32")])
        .start()
        .await;
    let relay = std::net::SocketAddr::new(network, app.relay_addr().port());
    let user = clinician(&app).await;
    let token = send_token(&app, &user, &draft(SENDER, &[HOSPITAL])).await;
    let mail = OutboundMail::new(SENDER, &[HOSPITAL]).token(&token);

    let (mut plain, greeting) = SmtpClient::connect(relay, Some(network)).await;
    greeting.assert_code(220);
    let ehlo = plain.command("EHLO exchange.test").await;
    assert!(ehlo.lines.iter().any(|line| line == "STARTTLS"), "{ehlo:?}");
    let refused = plain.send(SENDER, &[HOSPITAL], &mail.mime()).await;
    refused.assert_says(530, "5.7.0", "STARTTLS");

    let (plain, _) = SmtpClient::connect(relay, Some(network)).await;
    let mut secure = plain.starttls(&app.dev_ca_path()).await;
    secure
        .send(SENDER, &[HOSPITAL], &mail.mime())
        .await
        .assert_code(250);
    assert_eq!(next_hop.wait_for(1).await.len(), 1);
    app.finish().await;
}

// ---- The next hop ---------------------------------------------------------------------------

async fn a_next_hop_that_is_down_is_a_451_and_the_retry_is_delivered_once(backend: Backend) {
    let Route {
        next_hop,
        app,
        user,
    } = route(backend).await;
    let address = next_hop.addr;
    let (_, mail) = checked_three_routes_mail(&app, &user).await;
    drop(next_hop);

    let deferred = exchange_sends(&app, &mail, &EXTERNAL).await;

    deferred.assert_says(451, "4.4.0", "try again later");
    let next_hop = SmtpServer::start_on(address, Security::Plain).await;
    exchange_sends(&app, &mail, &EXTERNAL)
        .await
        .assert_code(250);
    exchange_sends(&app, &mail, &EXTERNAL)
        .await
        .assert_says(250, "2.0.0", "already delivered");
    let received = next_hop.wait_for(3).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(next_hop.received().len(), 3, "{received:#?}");
    for to in [&[HOSPITAL][..], &[PATIENT], &[SENDER]] {
        received_for(&received, to);
    }
    app.finish().await;
}

async fn without_a_next_hop_mail_goes_to_the_relay_outbox(backend: Backend) {
    let app = TestApp::builder(backend).relay_on(LOOPBACK).start().await;
    let user = clinician(&app).await;
    let token = send_token(&app, &user, &three_routes()).await;

    exchange_sends(&app, &three_routes_mail(&token), &EXTERNAL)
        .await
        .assert_code(250);

    let outbox = app.data_dir().join("relay-outbox");
    let mut envelopes: Vec<Value> = std::fs::read_dir(&outbox)
        .expect("the relay outbox")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.to_string_lossy().ends_with(".envelope.json"))
        .map(|path| {
            let eml = std::fs::read(path.to_string_lossy().replace(".envelope.json", ".eml"))
                .expect("the message beside its envelope");
            assert!(!String::from_utf8_lossy(&eml).contains("X-SendSecure-Token"));
            serde_json::from_slice(&std::fs::read(&path).expect("readable")).expect("JSON")
        })
        .collect();
    envelopes.sort_by_key(|envelope| envelope["to"].to_string());
    let recipients: Vec<&Value> = envelopes.iter().map(|envelope| &envelope["to"]).collect();
    assert_eq!(
        recipients,
        [&json!([SENDER]), &json!([HOSPITAL]), &json!([PATIENT])]
    );
    app.finish().await;
}
