//! Shared and delegated mailboxes (seed 002 §2.3): signed in with their own mailbox, a user
//! checks and sends from another mailbox of the organisation — the practice's shared one.
//! Exchange enforces Send As; the relay takes the mail with the `From` the token was issued
//! for, and the dispatch and the audit trail record both who and as whom. The user's own
//! saved numbers serve the shared mailbox's drafts.

use std::net::{IpAddr, Ipv4Addr};

use addin_core::address::Address;
use reqwest::StatusCode;

use crate::{
    exchange::{OutboundMail, SmtpClient, SmtpReply},
    helpers::{
        Backend, COLLEAGUE, HOSPITAL, MOBILE_TYPED, PATIENT, SENDER, Session, TestApp, draft,
    },
    smtp_server::{Security, SmtpServer},
};

both_backends!(
    a_user_sends_securely_from_the_practices_shared_mailbox,
    no_token_is_issued_for_a_mailbox_outside_the_organisation,
    a_token_for_the_shared_mailbox_carries_no_other_colleague,
);

/// The practice's shared mailbox: a.jansen holds Send As on it in Exchange.
const SHARED: &str = "praktijk@huisartsen-oost.nl";
const SEND_TOKEN: &str = "/api/v1/send-token";

struct Practice {
    next_hop: SmtpServer,
    app: TestApp,
    user: Session,
}

/// The relay on loopback with a next hop of its own; a.jansen signed in, the patient's
/// number saved under a.jansen's own name.
async fn practice(backend: Backend) -> Practice {
    let next_hop = SmtpServer::start(Security::Plain).await;
    let app = TestApp::builder(backend)
        .relay_on(IpAddr::V4(Ipv4Addr::LOCALHOST))
        .set("relay.next_hop", format!("smtp://{}", next_hop.addr))
        .start()
        .await;
    let user = app.sign_in(SENDER).await;
    app.save_phone(&user, PATIENT, MOBILE_TYPED).await;
    Practice {
        next_hop,
        app,
        user,
    }
}

async fn token_for(app: &TestApp, user: &Session, from: &str) -> String {
    let issued = app
        .post_as(user, SEND_TOKEN, &draft(from, &[HOSPITAL, PATIENT]))
        .await
        .ok_json();
    issued["token"].as_str().expect("a token").to_owned()
}

/// Exchange hands the mail to the relay with `mail_from` in the envelope.
async fn exchange_sends(app: &TestApp, mail_from: &str, mail: &OutboundMail) -> SmtpReply {
    let (client, greeting) = SmtpClient::connect(app.relay_addr(), None).await;
    greeting.assert_code(220);
    let mut client = client.starttls(&app.dev_ca_path()).await;
    client
        .send(mail_from, &[HOSPITAL, PATIENT], &mail.mime())
        .await
}

async fn a_user_sends_securely_from_the_practices_shared_mailbox(backend: Backend) {
    let Practice {
        next_hop,
        app,
        user,
    } = practice(backend).await;

    // The patient's number is a.jansen's saved one: no phone in the draft, yet it may go.
    let token = token_for(&app, &user, SHARED).await;
    let mail = OutboundMail::new(SHARED, &[HOSPITAL, PATIENT]).token(&token);
    let reply = exchange_sends(&app, SHARED, &mail).await;

    reply.assert_says(
        250,
        "2.0.0",
        "delivered to 1 directly and 1 through the Viewer",
    );
    let received = next_hop.wait_for(3).await;
    let direct = received
        .iter()
        .find(|message| message.to == [HOSPITAL])
        .expect("the hospital's copy");
    assert_eq!(direct.from, SHARED, "sent as the shared mailbox");

    let db = app.raw_db().await;
    let issued = db
        .audit_rows()
        .await
        .into_iter()
        .find(|row| row.kind == "send-token")
        .expect("the issue is audited");
    db.close().await;
    let hash_of = |mailbox: &str| {
        let address = Address::parse(mailbox).expect("an address");
        Some(app.state().audit.mailbox_hash(&address).to_vec())
    };
    assert_eq!(issued.mailbox_hash, hash_of(SENDER), "who: a.jansen");
    assert_eq!(
        issued.sender_hash,
        hash_of(SHARED),
        "as whom: the shared mailbox"
    );
    app.finish().await;
}

async fn no_token_is_issued_for_a_mailbox_outside_the_organisation(backend: Backend) {
    let Practice { app, user, .. } = practice(backend).await;

    let reply = app
        .post_as(&user, SEND_TOKEN, &draft(HOSPITAL, &[PATIENT]))
        .await;

    reply.assert_error(StatusCode::FORBIDDEN, "sender-not-in-organisation");
    app.finish().await;
}

/// The token covers the shared mailbox and a.jansen, the delegate Exchange may put in the
/// envelope: a colleague's envelope is not what was checked.
async fn a_token_for_the_shared_mailbox_carries_no_other_colleague(backend: Backend) {
    let Practice {
        next_hop,
        app,
        user,
    } = practice(backend).await;
    let token = token_for(&app, &user, SHARED).await;
    let mail = OutboundMail::new(SHARED, &[HOSPITAL, PATIENT]).token(&token);

    let reply = exchange_sends(&app, COLLEAGUE, &mail).await;

    reply.assert_says(550, "5.7.1", "not the one that was checked");
    let on_behalf = exchange_sends(&app, SENDER, &mail).await;
    on_behalf.assert_code(250);
    assert_eq!(next_hop.wait_for(3).await.len(), 3);
    app.finish().await;
}
