//! `POST /api/v1/playground/exchange` (SPEC §9, §13): the playground's stand-in for Exchange
//! Online hands a sent mail to the relay over SMTP and says what became of each recipient —
//! only in development, never with a real next hop.

use std::net::{IpAddr, Ipv4Addr};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{
    helpers::{Backend, COLLEAGUE, HOSPITAL, MOBILE_TYPED, PATIENT, SENDER, TestApp, draft},
    smtp_server::{Security, SmtpServer},
};

both_backends!(
    a_sent_mail_is_routed_as_exchange_would,
    ordinary_mail_never_reaches_the_relay,
    the_playground_needs_the_relay,
    the_playground_never_delivers_real_mail,
    the_playground_sends_only_as_a_mailbox_of_the_organisation,
);

const EXCHANGE: &str = "/api/v1/playground/exchange";
const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// The playground's mail: to the hospital and the patient, the colleague in CC.
fn sent(token: Option<&str>) -> Value {
    json!({
        "from": SENDER,
        "to": [HOSPITAL, PATIENT],
        "cc": [COLLEAGUE],
        "subject": "Uitslag bloedonderzoek",
        "body": "Beste mevrouw Bakker,",
        "attachments": [
            {"name": "uitslag-lab.pdf", "size": 48213},
            {"name": "scan (OneDrive)", "size": 0, "cloud": true}
        ],
        "token": token,
    })
}

fn outcomes(answer: &Value) -> Vec<(String, String)> {
    answer["recipients"]
        .as_array()
        .expect("recipients")
        .iter()
        .map(|r| {
            (
                r["address"].as_str().expect("an address").to_owned(),
                r["outcome"].as_str().expect("an outcome").to_owned(),
            )
        })
        .collect()
}

async fn a_sent_mail_is_routed_as_exchange_would(backend: Backend) {
    let app = TestApp::builder(backend).relay_on(LOOPBACK).start().await;
    let user = app.sign_in(SENDER).await;
    app.save_phone(&user, PATIENT, MOBILE_TYPED).await;
    let mut checked = draft(SENDER, &[HOSPITAL, PATIENT]);
    checked["cc"] = json!([{"address": COLLEAGUE}]);
    checked["attachments"] = json!([
        {"name": "uitslag-lab.pdf", "size": 48213},
        {"name": "scan (OneDrive)", "size": 0}
    ]);
    let issued = app
        .post_as(&user, "/api/v1/send-token", &checked)
        .await
        .ok_json();

    let answer = app
        .post_as(&user, EXCHANGE, &sent(issued["token"].as_str()))
        .await
        .ok_json();

    assert_eq!(answer["relay"]["code"], 250, "{answer}");
    assert!(
        answer["relay"]["reply"]
            .as_str()
            .expect("a reply")
            .starts_with("250 2.0.0 Send Secure: delivered to 1 directly and 1 through the Viewer"),
        "{answer}"
    );
    assert_eq!(
        outcomes(&answer),
        [
            (HOSPITAL.into(), "next-hop".into()),
            (PATIENT.into(), "viewer".into()),
            (COLLEAGUE.into(), "exchange".into()),
        ]
    );
    let relayed = std::fs::read_dir(app.data_dir().join("relay-outbox"))
        .expect("the relay outbox")
        .filter(|entry| {
            entry
                .as_ref()
                .is_ok_and(|entry| entry.path().to_string_lossy().ends_with(".eml"))
        })
        .count();
    assert_eq!(
        relayed, 3,
        "the hospital's copy, the notification, the confirmation"
    );
    app.finish().await;
}

async fn ordinary_mail_never_reaches_the_relay(backend: Backend) {
    let app = TestApp::builder(backend).relay_on(LOOPBACK).start().await;
    let user = app.sign_in(SENDER).await;

    let answer = app.post_as(&user, EXCHANGE, &sent(None)).await.ok_json();

    assert_eq!(answer["relay"], Value::Null);
    assert_eq!(
        outcomes(&answer),
        [
            (HOSPITAL.into(), "ordinary".into()),
            (PATIENT.into(), "ordinary".into()),
            (COLLEAGUE.into(), "exchange".into()),
        ]
    );
    assert!(!app.data_dir().join("relay-outbox").exists());
    app.finish().await;
}

async fn the_playground_needs_the_relay(backend: Backend) {
    let app = TestApp::builder(backend).start().await;
    let user = app.sign_in(SENDER).await;

    let reply = app.post_as(&user, EXCHANGE, &sent(Some("a.b.c"))).await;

    reply.assert_error(StatusCode::CONFLICT, "relay-off");
    app.finish().await;
}

async fn the_playground_never_delivers_real_mail(backend: Backend) {
    let next_hop = SmtpServer::start(Security::Plain).await;
    let app = TestApp::builder(backend)
        .relay_on(LOOPBACK)
        .set("relay.next_hop", format!("smtp://{}", next_hop.addr))
        .start()
        .await;
    let user = app.sign_in(SENDER).await;

    let reply = app.post_as(&user, EXCHANGE, &sent(Some("a.b.c"))).await;

    reply.assert_error(StatusCode::CONFLICT, "relay-delivers-for-real");
    assert!(next_hop.received().is_empty());
    app.finish().await;
}

async fn the_playground_sends_only_as_a_mailbox_of_the_organisation(backend: Backend) {
    let app = TestApp::builder(backend).relay_on(LOOPBACK).start().await;
    let user = app.sign_in(SENDER).await;
    let mut from_the_hospital = sent(Some("a.b.c"));
    from_the_hospital["from"] = json!(HOSPITAL);

    let reply = app.post_as(&user, EXCHANGE, &from_the_hospital).await;

    reply.assert_error(StatusCode::FORBIDDEN, "sender-not-in-organisation");
    app.finish().await;
}
