//! The Viewer end to end (SPEC §14): a mail to a patient goes through the real relay; the
//! notification arrives at a real SMTP next hop; a browser (ours, cookie by cookie) opens the
//! link, gets the access code from the SMS outbox, reads, downloads, replies and forwards; the
//! sender withdraws; retention clears what is old. And the attacks: codes guessed, codes of
//! others, links guessed, sessions moved to another message.

use std::{
    net::{IpAddr, Ipv4Addr},
    path::Path,
    sync::{Arc, Mutex},
    time::Duration,
};

use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use crate::{
    browser::Browser,
    exchange::{OutboundMail, SmtpClient, SmtpReply},
    helpers::{Backend, HOSPITAL, MOBILE_TYPED, PATIENT, SENDER, TestApp, TestAppBuilder, draft},
    smtp_server::{Received, Security, SmtpServer},
};

both_backends!(
    a_patient_reads_downloads_replies_and_forwards,
    a_code_belongs_to_the_browser_that_asked_for_it,
    wrong_codes_run_out_and_requests_are_limited,
    every_unreadable_link_shows_the_same_page,
    a_session_opens_its_own_message_only,
    the_sender_withdraws_a_message,
    an_admin_withdraws_by_reference,
    retention_deletes_content_and_key,
    the_pages_speak_the_recipients_language,
    without_a_number_the_code_goes_by_email,
    html_is_shown_inert_and_file_names_name_no_path,
    a_message_stored_before_summaries_is_read_from_its_content,
    the_senders_answer_in_the_thread_opens_a_new_cycle,
    a_wrong_number_is_reported_to_the_sender_once,
);

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
/// A second Viewer recipient, for forwards.
const FRIEND: &str = "j.devries@gmail.com";
const ATTACHMENT: &[u8] = b"%PDF-1.7 uitslag: Hb 8.1 mmol/l";

// ---- Arrange -------------------------------------------------------------------------------

/// A mail sent to the patient through the relay, as the patient and the sender received it.
struct Sent {
    next_hop: SmtpServer,
    app: TestApp,
    /// `/viewer/<secret>`.
    link: String,
    /// `/viewer/withdraw/<secret>`.
    withdraw: String,
    reference: String,
    password: String,
    /// What the relay received, token header and all.
    mime: Vec<u8>,
}

fn builder(backend: Backend, next_hop: &SmtpServer) -> TestAppBuilder {
    TestApp::builder(backend)
        .relay_on(LOOPBACK)
        .set("relay.next_hop", format!("smtp://{}", next_hop.addr))
}

/// A mail to the patient (with a saved number unless `phone` is false) with `mail`'s body.
async fn send_to_patient(
    builder: TestAppBuilder,
    next_hop: SmtpServer,
    phone: bool,
    mail: OutboundMail,
) -> Sent {
    let app = builder.start().await;
    if phone {
        let user = app.sign_in(SENDER).await;
        app.save_phone(&user, PATIENT, MOBILE_TYPED).await;
    }
    let delivered = relay_to_patient(&app, &next_hop, mail).await;
    Sent {
        link: delivered.link,
        withdraw: delivered.withdraw,
        reference: delivered.reference,
        password: delivered.password,
        mime: delivered.mime,
        next_hop,
        app,
    }
}

/// What one mail to the patient became: the patient's link, the sender's confirmation.
struct Delivered {
    link: String,
    withdraw: String,
    reference: String,
    password: String,
    mime: Vec<u8>,
}

/// The sender checks `mail` (a token for it), and Exchange hands it to the relay; returns what
/// the notification to the patient and the confirmation to the sender say.
async fn relay_to_patient(app: &TestApp, next_hop: &SmtpServer, mail: OutboundMail) -> Delivered {
    let user = app.sign_in(SENDER).await;
    let mut checked = draft(SENDER, &[PATIENT]);
    checked["subject"] = json!(mail.subject);
    checked["attachments"] = json!([{"name": "uitslag.pdf", "size": ATTACHMENT.len()}]);
    let issued = app
        .post_as(&user, "/api/v1/send-token", &checked)
        .await
        .ok_json();
    let mail = OutboundMail {
        tokens: vec![issued["token"].as_str().expect("a token").to_owned()],
        ..mail
    };
    let mime = mail.mime();
    let before = next_hop.received().len();
    let (client, _) = SmtpClient::connect(app.relay_addr(), None).await;
    let mut client = client.starttls(&app.dev_ca_path()).await;
    let reply: SmtpReply = client.send(SENDER, &[PATIENT], &mime).await;
    reply.assert_code(250);

    let received = next_hop.wait_for(before + 2).await;
    let new = &received[before..];
    let notification = text_of(to(new, PATIENT));
    let confirmation = text_of(to(new, SENDER));
    Delivered {
        link: path_after(&notification, "/viewer/"),
        withdraw: path_after(&confirmation, "/viewer/withdraw/"),
        reference: value_after(&confirmation, "Kenmerk: "),
        password: value_after(&confirmation, "Doorstuurwachtwoord: "),
        mime,
    }
}

/// The default: a patient with a number, a plain-text mail with one attachment.
async fn sent(backend: Backend) -> Sent {
    let next_hop = SmtpServer::start(Security::Plain).await;
    send_to_patient(builder(backend, &next_hop), next_hop, true, patient_mail()).await
}

fn patient_mail() -> OutboundMail {
    OutboundMail {
        body: "Beste mevrouw Bakker, uw Hb is 8.1 mmol/l.".into(),
        attachments: vec![("uitslag.pdf".into(), ATTACHMENT.to_vec())],
        ..OutboundMail::new(SENDER, &[PATIENT])
    }
}

fn to<'a>(received: &'a [Received], address: &str) -> &'a Received {
    received
        .iter()
        .find(|message| message.to == [address])
        .unwrap_or_else(|| panic!("a message to {address} in {received:#?}"))
}

fn text_of(message: &Received) -> String {
    mail_parser::MessageParser::default()
        .parse(&message.data)
        .expect("a message")
        .body_text(0)
        .expect("a text part")
        .into_owned()
}

/// `https://localhost:8443/viewer/xyz` in `text` → `/viewer/xyz`.
fn path_after(text: &str, prefix: &str) -> String {
    let start = text
        .find(&format!("https://localhost:8443{prefix}"))
        .unwrap_or_else(|| panic!("{prefix} in {text}"));
    text[start + "https://localhost:8443".len()..]
        .split_whitespace()
        .next()
        .expect("a path")
        .to_owned()
}

fn value_after(text: &str, label: &str) -> String {
    text.lines()
        .find_map(|line| line.strip_prefix(label))
        .unwrap_or_else(|| panic!("{label} in {text}"))
        .trim()
        .to_owned()
}

/// The newest SMS in the outbox: `(to, text)`.
fn last_sms(data_dir: &Path) -> (String, String) {
    let mut files: Vec<_> = std::fs::read_dir(data_dir.join("sms-outbox"))
        .expect("the SMS outbox")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| {
            let modified = std::fs::metadata(&path)
                .and_then(|meta| meta.modified())
                .expect("a time");
            (modified, path)
        })
        .collect();
    files.sort();
    let (_, path) = files.last().expect("an SMS");
    let sms: Value = serde_json::from_slice(&std::fs::read(path).expect("readable")).expect("JSON");
    (
        sms["to"].as_str().expect("to").to_owned(),
        sms["text"].as_str().expect("text").to_owned(),
    )
}

fn code_in(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|word| word.len() == 6)
        .unwrap_or_else(|| panic!("a 6-digit code in {text:?}"))
        .to_owned()
}

/// Asks for a code in `browser` and returns it (from the SMS outbox).
async fn ask_code(app: &TestApp, browser: &mut Browser, link: &str) -> String {
    let asked = browser.post_form(&format!("{link}/code"), &[]).await;
    assert_eq!(asked.redirect(), format!("{link}/code"));
    // SMS files are written within the request; a later one is newer.
    code_in(&last_sms(app.data_dir()).1)
}

/// A browser that has opened the message.
async fn opened(app: &TestApp, link: &str) -> Browser {
    let mut browser = Browser::new(app);
    let code = ask_code(app, &mut browser, link).await;
    let verified = browser
        .post_form(&format!("{link}/verify"), &[("code", &code)])
        .await;
    assert_eq!(verified.redirect(), format!("{link}/message"));
    browser
}

// ---- The whole way -------------------------------------------------------------------------

async fn a_patient_reads_downloads_replies_and_forwards(backend: Backend) {
    let sent = sent(backend).await;
    let app = &sent.app;
    let link = &sent.link;
    let mut browser = Browser::new(app);

    // The landing page: who sent it, where the code goes, no content yet.
    let landing = browser.get(link).await;
    landing.assert_status(StatusCode::OK);
    assert!(
        landing.body.contains("A. Jansen van Huisartsen Oost"),
        "{}",
        landing.body
    );
    assert!(landing.body.contains("06-••••••78"), "{}", landing.body);
    assert!(!landing.body.contains("Hb is 8.1"));
    for (name, value) in [
        (
            "content-security-policy",
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        ("referrer-policy", "no-referrer"),
        ("x-content-type-options", "nosniff"),
        ("cache-control", "no-store"),
    ] {
        assert_eq!(landing.header(name), Some(value), "{name}");
    }

    // The code goes by SMS to the dispatch's number; the field is one-time-code.
    let code = ask_code(app, &mut browser, link).await;
    let (number, text) = last_sms(app.data_dir());
    assert_eq!(number, "+31612345678");
    assert!(
        text.contains("Huisartsen Oost") && text.contains(&code),
        "{text}"
    );
    let code_page = browser.get(&format!("{link}/code")).await;
    assert!(
        code_page.body.contains("autocomplete=\"one-time-code\""),
        "{}",
        code_page.body
    );
    let browser_cookie = browser.cookie("viewer-browser").expect("a browser cookie");
    assert!(!browser_cookie.is_empty());
    let verified = browser
        .post_form(&format!("{link}/verify"), &[("code", &code)])
        .await;
    let session_cookie = verified
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|value| value.to_str().expect("text"))
        .find(|value| value.starts_with("viewer-session="))
        .expect("a session cookie");
    for attribute in [
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        &format!("Path={link}"),
    ] {
        assert!(
            session_cookie.contains(attribute),
            "{attribute} in {session_cookie}"
        );
    }

    // Read.
    let page = browser.get(&format!("{link}/message")).await;
    page.assert_status(StatusCode::OK);
    for shown in [
        "Uitslag bloedonderzoek",
        "A. Jansen",
        "Hb is 8.1 mmol/l",
        "uitslag.pdf",
    ] {
        assert!(page.body.contains(shown), "{shown} in {}", page.body);
    }

    // Download the attachment and the whole message, byte for byte.
    let file = browser.get(&format!("{link}/attachments/0")).await;
    file.assert_status(StatusCode::OK);
    assert_eq!(file.body.as_bytes(), ATTACHMENT);
    assert_eq!(
        file.header(header::CONTENT_DISPOSITION),
        Some("attachment; filename=\"uitslag.pdf\"; filename*=UTF-8''uitslag%2Epdf")
    );
    let eml = browser.get(&format!("{link}/download")).await;
    let token_line_end = sent
        .mime
        .windows(2)
        .position(|w| w == b"\r\n")
        .expect("a first line")
        + 2;
    assert_eq!(
        eml.body.as_bytes(),
        &sent.mime[token_line_end..],
        "as received, minus the token"
    );

    // Two replies reach the sender; the third is refused.
    for n in 1..=2 {
        let replied = browser
            .post_files(
                &format!("{link}/reply"),
                &[("text", &format!("Dank u, vraag {n}"))],
                vec![("files", "vraag.txt", b"een vraag".to_vec())],
            )
            .await;
        assert_eq!(replied.redirect(), format!("{link}/message?done=reply"));
    }
    let replies = sent.next_hop.wait_for(4).await;
    let replies: Vec<&Received> = replies
        .iter()
        .filter(|message| message.to == [SENDER] && text_of(message).contains("Dank u"))
        .collect();
    assert_eq!(replies.len(), 2);
    let reply = mail_parser::MessageParser::default()
        .parse(&replies[0].data)
        .expect("a message");
    assert_eq!(reply.subject(), Some("Re: Uitslag bloedonderzoek"));
    assert_eq!(
        reply.in_reply_to().as_text(),
        Some(&*sent_message_id(&sent.mime))
    );
    assert_eq!(reply.attachment_count(), 1);
    let third = browser
        .post_files(&format!("{link}/reply"), &[("text", "nog een")], vec![])
        .await;
    third.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        third.body.contains("twee keer geantwoord"),
        "{}",
        third.body
    );

    // Forward: a wrong password is refused; to the community directly, to an outsider as a
    // new Viewer message; a third is refused.
    let forward = |to: &'static str, password: String| {
        let fields = [
            ("reference".to_owned(), sent.reference.clone()),
            ("password".to_owned(), password),
            ("to".to_owned(), to.to_owned()),
            ("phone".to_owned(), "0687654321".to_owned()),
        ];
        (format!("{link}/forward"), fields)
    };
    let (path, fields) = forward(HOSPITAL, "WRONG-WRONG-WRONG".into());
    let wrong = browser.post_form(&path, &pairs(&fields)).await;
    wrong.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("klopt niet"), "{}", wrong.body);
    let (path, fields) = forward(HOSPITAL, sent.password.to_lowercase());
    let direct = browser.post_form(&path, &pairs(&fields)).await;
    assert_eq!(
        direct.redirect(),
        format!("{link}/message?done=forward-direct")
    );
    let (path, fields) = forward(FRIEND, sent.password.clone());
    let viewer = browser.post_form(&path, &pairs(&fields)).await;
    assert_eq!(
        viewer.redirect(),
        format!("{link}/message?done=forward-viewer")
    );
    let (path, fields) = forward(HOSPITAL, sent.password.clone());
    let third = browser.post_form(&path, &pairs(&fields)).await;
    third.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        third.body.contains("al twee keer doorgestuurd"),
        "{}",
        third.body
    );

    let received = sent.next_hop.wait_for(8).await;
    let to_hospital = to(&received, HOSPITAL);
    let forwarded = mail_parser::MessageParser::default()
        .parse(&to_hospital.data)
        .expect("a message");
    assert_eq!(forwarded.subject(), Some("Fwd: Uitslag bloedonderzoek"));
    assert_eq!(forwarded.attachment_count(), 1, "the original, attached");
    let friend = text_of(to(&received, FRIEND));
    assert!(
        friend.contains(&format!("{PATIENT} stuurt u een beveiligd bericht door")),
        "{friend}"
    );
    let friends_link = path_after(&friend, "/viewer/");
    assert_ne!(friends_link, *link);
    let mut friends_browser = Browser::new(app);
    let code = ask_code(app, &mut friends_browser, &friends_link).await;
    assert_eq!(
        last_sms(app.data_dir()).0,
        "+31687654321",
        "the number the patient gave"
    );
    let verified = friends_browser
        .post_form(&format!("{friends_link}/verify"), &[("code", &code)])
        .await;
    assert_eq!(verified.redirect(), format!("{friends_link}/message"));
    let friends_page = friends_browser
        .get(&format!("{friends_link}/message"))
        .await;
    assert!(friends_page.body.contains("Hb is 8.1 mmol/l"));
    let notices: Vec<String> = received
        .iter()
        .filter(|message| message.to == [SENDER])
        .map(text_of)
        .filter(|text| text.contains("doorgestuurd naar"))
        .collect();
    assert_eq!(notices.len(), 2, "the sender hears of both forwards");

    // The audit trail, without content or addresses.
    let db = app.raw_db().await;
    let kinds: Vec<(String, Option<String>)> = db
        .audit_rows()
        .await
        .into_iter()
        .filter(|row| row.kind.starts_with("viewer-"))
        .map(|row| (row.kind, row.codes))
        .collect();
    db.close().await;
    for expected in [
        ("viewer-code-sent", Some("sms")),
        ("viewer-opened", None),
        ("viewer-downloaded", Some("attachment")),
        ("viewer-downloaded", Some("message")),
        ("viewer-replied", None),
        ("viewer-forwarded", Some("direct")),
        ("viewer-forwarded", Some("viewer")),
    ] {
        let expected = (expected.0.to_owned(), expected.1.map(str::to_owned));
        assert!(kinds.contains(&expected), "{expected:?} in {kinds:?}");
    }
    sent.app.finish().await;
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect()
}

fn sent_message_id(mime: &[u8]) -> String {
    mail_parser::MessageParser::default()
        .parse(mime)
        .expect("a message")
        .message_id()
        .expect("a Message-ID")
        .to_owned()
}

// ---- Attacks on the code -------------------------------------------------------------------

async fn a_code_belongs_to_the_browser_that_asked_for_it(backend: Backend) {
    let sent = sent(backend).await;
    let app = &sent.app;
    let link = &sent.link;
    let mut patient = Browser::new(app);
    let mut stranger = Browser::new(app);

    let patients_code = ask_code(app, &mut patient, link).await;
    // Someone else with the link asks for codes and guesses: their own code, their own tries.
    let strangers_code = ask_code(app, &mut stranger, link).await;
    assert_ne!(patients_code, strangers_code);
    for _ in 0..5 {
        let guess = stranger
            .post_form(&format!("{link}/verify"), &[("code", &patients_code)])
            .await;
        guess.assert_status(StatusCode::UNAUTHORIZED);
    }

    let verified = patient
        .post_form(&format!("{link}/verify"), &[("code", &patients_code)])
        .await;
    assert_eq!(
        verified.redirect(),
        format!("{link}/message"),
        "neither voided nor spent"
    );
    // And a code works once.
    let again = stranger
        .post_form(&format!("{link}/verify"), &[("code", &strangers_code)])
        .await;
    again.assert_status(StatusCode::UNAUTHORIZED);
    sent.app.finish().await;
}

async fn wrong_codes_run_out_and_requests_are_limited(backend: Backend) {
    let sent = sent(backend).await;
    let app = &sent.app;
    let link = &sent.link;
    let mut browser = Browser::new(app);
    let code = ask_code(app, &mut browser, link).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };

    for _ in 0..5 {
        let tried = browser
            .post_form(&format!("{link}/verify"), &[("code", wrong)])
            .await;
        tried.assert_status(StatusCode::UNAUTHORIZED);
        assert!(tried.body.contains("klopt niet"), "{}", tried.body);
    }
    let right_too_late = browser
        .post_form(&format!("{link}/verify"), &[("code", &code)])
        .await;
    right_too_late.assert_status(StatusCode::UNAUTHORIZED);

    // A new code voids nothing of anyone else and works; after 15 minutes a code is dead.
    let fresh = ask_code(app, &mut browser, link).await;
    app.clock.advance(Duration::from_secs(15 * 60));
    let expired = browser
        .post_form(&format!("{link}/verify"), &[("code", &fresh)])
        .await;
    expired.assert_status(StatusCode::UNAUTHORIZED);

    // Three codes per browser per quarter of an hour.
    for _ in 0..3 {
        ask_code(app, &mut browser, link).await;
    }
    let fourth = browser.post_form(&format!("{link}/code"), &[]).await;
    fourth.assert_status(StatusCode::TOO_MANY_REQUESTS);
    assert!(
        fourth.body.contains("Wacht een kwartier"),
        "{}",
        fourth.body
    );
    sent.app.finish().await;
}

// ---- Links and sessions -------------------------------------------------------------------

async fn every_unreadable_link_shows_the_same_page(backend: Backend) {
    let sent = sent(backend).await;
    let app = &sent.app;
    let mut browser = Browser::new(app);
    let guessed = format!("/viewer/{}", "A".repeat(27));
    let not_base64 = "/viewer/..%2F..%2Fetc%2Fpasswd".to_owned();
    let short = "/viewer/abc".to_owned();

    // Each page links to itself in the other languages; apart from that, one page.
    let mut pages = Vec::new();
    for (path, landing) in [
        (&guessed, &guessed),
        (&not_base64, &not_base64),
        (&short, &short),
        (&format!("{guessed}/message"), &guessed),
    ] {
        let page = browser.get(path).await;
        page.assert_status(StatusCode::NOT_FOUND);
        pages.push(page.body.replace(landing.as_str(), "LINK"));
    }
    // The real one, once expired.
    app.clock.advance(Duration::from_secs(90 * 86_400));
    let expired = browser.get(&sent.link).await;
    expired.assert_status(StatusCode::NOT_FOUND);
    pages.push(expired.body.replace(&sent.link, "LINK"));
    assert!(pages[0].contains("niet beschikbaar"), "{}", pages[0]);
    for page in &pages[1..] {
        assert_eq!(page, &pages[0], "the same page for every unreadable link");
    }
    sent.app.finish().await;
}

async fn a_session_opens_its_own_message_only(backend: Backend) {
    let next_hop = SmtpServer::start(Security::Plain).await;
    let first = send_to_patient(builder(backend, &next_hop), next_hop, true, patient_mail()).await;
    let mut browser = opened(&first.app, &first.link).await;
    let session = browser
        .cookie("viewer-session")
        .expect("a session")
        .to_owned();

    // The same session presented on a message it was not opened for.
    let other = format!("/viewer/{}", "B".repeat(27));
    browser.set_cookie("viewer-session", &other, &session);
    browser
        .get(&other)
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let mut thief = Browser::new(&first.app);
    thief.set_cookie("viewer-session", "/viewer/", &session);
    let moved = thief.get(&format!("{}/message", first.link)).await;
    assert_eq!(
        moved.status,
        StatusCode::OK,
        "a stolen cookie works only on its own message"
    );

    // 30 minutes idle and the session is gone.
    first.app.clock.advance(Duration::from_secs(30 * 60));
    let lapsed = browser.get(&format!("{}/message", first.link)).await;
    assert_eq!(lapsed.redirect(), first.link);
    first.app.finish().await;
}

// ---- Withdrawal and retention --------------------------------------------------------------

async fn the_sender_withdraws_a_message(backend: Backend) {
    let sent = sent(backend).await;
    let app = &sent.app;
    let mut sender = Browser::new(app);
    let mut patient = opened(app, &sent.link).await;

    let confirm = sender.get(&sent.withdraw).await;
    confirm.assert_status(StatusCode::OK);
    assert!(confirm.body.contains(&sent.reference), "{}", confirm.body);
    patient
        .get(&format!("{}/message", sent.link))
        .await
        .assert_status(StatusCode::OK);
    let done = sender.post_form(&sent.withdraw, &[]).await;
    done.assert_status(StatusCode::OK);
    assert!(done.body.contains("ingetrokken"), "{}", done.body);

    for path in [
        sent.link.clone(),
        format!("{}/message", sent.link),
        sent.withdraw.clone(),
    ] {
        patient
            .get(&path)
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    assert_content_gone(app).await;
    let db = app.raw_db().await;
    let rows = db.audit_rows().await;
    db.close().await;
    assert_eq!(
        rows.iter()
            .filter(|row| row.kind == "viewer-withdrawn")
            .count(),
        1
    );
    sent.app.finish().await;
}

async fn an_admin_withdraws_by_reference(backend: Backend) {
    let sent = sent(backend).await;
    let app = &sent.app;
    let mut patient = opened(app, &sent.link).await;
    let withdraw = async |reference: &str| {
        let output = app
            .cli(&["viewer", "withdraw", "--reference", reference])
            .await;
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).trim().to_owned();
        (
            output.status.code(),
            text(&output.stdout),
            text(&output.stderr),
        )
    };

    let (code, _, error) = withdraw("SS-0000-0000").await;
    assert_eq!(code, Some(2));
    assert_eq!(error.lines().count(), 1, "{error}");
    assert!(error.contains("--reference"), "{error}");
    patient
        .get(&format!("{}/message", sent.link))
        .await
        .assert_status(StatusCode::OK);

    // As the confirmation wrote it, or typed in lower case.
    let (code, said, _) = withdraw(&sent.reference.to_lowercase()).await;
    assert_eq!(
        (code, said),
        (Some(0), format!("withdrew {}", sent.reference))
    );
    let (code, said, _) = withdraw(&sent.reference).await;
    assert_eq!(code, Some(0));
    assert!(said.contains("nothing left to withdraw"), "{said}");

    patient
        .get(&format!("{}/message", sent.link))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    assert_content_gone(app).await;
    sent.app.finish().await;
}

async fn retention_deletes_content_and_key(backend: Backend) {
    let sent = sent(backend).await;
    let app = &sent.app;

    app.clock.advance(Duration::from_secs(90 * 86_400 - 60));
    assert_eq!(
        addin_api::viewer::sweep::sweep(app.state())
            .await
            .expect("sweeps"),
        0,
        "day 89: nothing yet"
    );
    app.clock.advance(Duration::from_secs(60));
    assert_eq!(
        addin_api::viewer::sweep::sweep(app.state())
            .await
            .expect("sweeps"),
        1
    );

    assert_content_gone(app).await;
    let db = app.raw_db().await;
    let rows = db.audit_rows().await;
    db.close().await;
    assert!(rows.iter().any(|row| row.kind == "viewer-expired"));
    sent.app.finish().await;
}

/// A raw scan: no Viewer message holds content or a key any more.
async fn assert_content_gone(app: &TestApp) {
    let db = app.raw_db().await;
    let stored = db.every_value().await;
    db.close().await;
    for place in ["viewer_contents.content", "viewer_contents.sealed_key"] {
        assert!(
            !stored.iter().any(|value| value.place == place),
            "{place} is still stored"
        );
    }
}

// ---- Languages, channels, content ----------------------------------------------------------

async fn the_pages_speak_the_recipients_language(backend: Backend) {
    let next_hop = SmtpServer::start(Security::Plain).await;
    let english = OutboundMail {
        subject: "Results (EN)".into(),
        ..patient_mail()
    };
    let sent = send_to_patient(builder(backend, &next_hop), next_hop, true, english).await;
    let app = &sent.app;

    let mut dutch_browser = Browser::new(app).speaking("nl-NL,nl;q=0.9");
    let page = dutch_browser.get(&sent.link).await;
    assert!(
        page.body.contains("<html lang=\"en\">"),
        "(EN) opens in English"
    );
    assert!(page.body.contains("Read message"), "{}", page.body);

    let german = dutch_browser.get(&format!("{}?lang=de", sent.link)).await;
    assert!(german.body.contains("<html lang=\"de\">"));
    assert!(german.body.contains("Nachricht lesen"), "{}", german.body);
    let remembered = dutch_browser.get(&sent.link).await;
    assert!(
        remembered.body.contains("<html lang=\"de\">"),
        "the choice is kept"
    );
    let (_, sms) = {
        ask_code(app, &mut dutch_browser, &sent.link).await;
        last_sms(app.data_dir())
    };
    assert!(sms.starts_with("Your access code"), "{sms}");
    sent.app.finish().await;
}

async fn without_a_number_the_code_goes_by_email(backend: Backend) {
    let next_hop = SmtpServer::start(Security::Plain).await;
    let sent = send_to_patient(builder(backend, &next_hop), next_hop, false, patient_mail()).await;
    let app = &sent.app;
    let mut browser = Browser::new(app).speaking("en");

    let landing = browser.get(&sent.link).await;
    assert!(landing.body.contains("by e-mail"), "{}", landing.body);
    browser
        .post_form(&format!("{}/code", sent.link), &[])
        .await
        .redirect();
    let received = sent.next_hop.wait_for(3).await;
    let mail = text_of(received.last().expect("the code e-mail"));
    assert_eq!(received.last().expect("a mail").to, [PATIENT]);
    let code = code_in(&mail);
    let verified = browser
        .post_form(&format!("{}/verify", sent.link), &[("code", &code)])
        .await;
    assert_eq!(verified.redirect(), format!("{}/message", sent.link));
    let code_page = browser.get(&format!("{}/code", sent.link)).await;
    assert!(
        !code_page.body.contains("wrong-number"),
        "no number to report"
    );
    sent.app.finish().await;
}

async fn html_is_shown_inert_and_file_names_name_no_path(backend: Backend) {
    let next_hop = SmtpServer::start(Security::Plain).await;
    let hostile = OutboundMail {
        html: Some(
            "<p onmouseover=\"steal()\">Uitslag</p><script>alert(1)</script>\
             <img src=\"https://tracker.example/p.gif\"><a href=\"javascript:alert(1)\">klik</a>"
                .into(),
        ),
        attachments: vec![(
            "../../.ssh/authorized_keys\u{7}.pdf".into(),
            ATTACHMENT.to_vec(),
        )],
        ..patient_mail()
    };
    let sent = send_to_patient(builder(backend, &next_hop), next_hop, true, hostile).await;
    let mut browser = opened(&sent.app, &sent.link).await;

    let page = browser.get(&format!("{}/message", sent.link)).await;
    for inert in [
        "<script",
        "onmouseover",
        "<img",
        "tracker.example",
        "javascript:",
    ] {
        assert!(!page.body.contains(inert), "{inert} in {}", page.body);
    }
    assert!(page.body.contains("Uitslag</p>"), "{}", page.body);
    let file = browser.get(&format!("{}/attachments/0", sent.link)).await;
    let disposition = file
        .header(header::CONTENT_DISPOSITION)
        .expect("a disposition");
    assert!(
        disposition.starts_with("attachment; filename=\"ssh_authorized_keys_.pdf\""),
        "{disposition}"
    );
    assert!(
        !disposition.contains('/') && !disposition.contains(".."),
        "{disposition}"
    );
    sent.app.finish().await;
}

async fn a_wrong_number_is_reported_to_the_sender_once(backend: Backend) {
    let sent = sent(backend).await;
    let app = &sent.app;
    let mut browser = Browser::new(app);
    ask_code(app, &mut browser, &sent.link).await;
    let before = sent.next_hop.received().len();

    for _ in 0..3 {
        let reported = browser
            .post_form(&format!("{}/wrong-number", sent.link), &[])
            .await;
        reported.assert_status(StatusCode::OK);
        assert!(reported.body.contains("afzender"), "{}", reported.body);
    }

    // Each report goes out before its page does: all three presses are done.
    let reports: Vec<_> = sent.next_hop.wait_for(before + 1).await[before..]
        .iter()
        .filter(|message| message.to == [SENDER])
        .map(text_of)
        .collect();
    assert_eq!(reports.len(), 1, "told once: {reports:#?}");
    assert!(reports[0].contains(PATIENT), "{}", reports[0]);
    assert!(reports[0].contains(&sent.reference), "{}", reports[0]);
    assert!(reports[0].contains("06-••••••78"), "{}", reports[0]);
    let db = app.raw_db().await;
    let rows = db.audit_rows().await;
    db.close().await;
    assert_eq!(
        rows.iter()
            .filter(|row| row.kind == "viewer-wrong-number")
            .count(),
        1
    );
    sent.app.finish().await;
}

/// A reply "vraag `n`" without files.
async fn reply_in(browser: &mut Browser, link: &str, n: usize) -> crate::helpers::Reply {
    browser
        .post_files(
            &format!("{link}/reply"),
            &[("text", &format!("vraag {n}"))],
            vec![],
        )
        .await
}

async fn the_senders_answer_in_the_thread_opens_a_new_cycle(backend: Backend) {
    let sent = sent(backend).await;
    let app = &sent.app;
    let mut first = opened(app, &sent.link).await;
    for n in 1..=2 {
        reply_in(&mut first, &sent.link, n).await.redirect();
    }
    reply_in(&mut first, &sent.link, 3)
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);

    // Outlook's answer to the patient's last reply: the same thread, a new Viewer message.
    let received = sent.next_hop.received();
    let last_reply = received
        .iter()
        .rev()
        .find(|message| message.to == [SENDER] && text_of(message).contains("vraag 2"))
        .expect("the reply at the sender");
    let reply_id = sent_message_id(&last_reply.data);
    let answer = OutboundMail {
        subject: "Re: Uitslag bloedonderzoek".into(),
        body: "Dat kan, komt u dinsdag langs.".into(),
        in_reply_to: Some(reply_id),
        ..patient_mail()
    };
    let answered = relay_to_patient(app, &sent.next_hop, answer).await;
    assert_ne!(answered.link, sent.link, "a link of its own");

    let mut second = opened(app, &answered.link).await;
    for n in 1..=2 {
        reply_in(&mut second, &answered.link, n).await.redirect();
    }
    reply_in(&mut second, &answered.link, 3)
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    sent.app.finish().await;
}

async fn a_message_stored_before_summaries_is_read_from_its_content(backend: Backend) {
    let sent = sent(backend).await;
    let app = &sent.app;
    let mut browser = opened(app, &sent.link).await;
    let page = format!("{}/message", sent.link);
    let from_summary = browser.get(&page).await;
    from_summary.assert_status(StatusCode::OK);

    let db = app.raw_db().await;
    db.execute("UPDATE viewer_contents SET summary = NULL")
        .await;
    db.close().await;
    let from_content = browser.get(&page).await;
    from_content.assert_status(StatusCode::OK);
    assert_eq!(
        from_content.body, from_summary.body,
        "the same page either way"
    );
    assert!(
        from_content.body.contains("uw Hb is 8.1 mmol/l"),
        "{}",
        from_content.body
    );
    sent.app.finish().await;
}

/// One request to the gateway: its `Content-Type` and its JSON body.
type GatewayRequest = (Option<String>, Value);

/// A stand-in for CM.com's gateway on loopback: it records each request as sent.
pub struct SmsGatewayDouble {
    pub url: String,
    requests: Arc<Mutex<Vec<GatewayRequest>>>,
}

impl SmsGatewayDouble {
    pub async fn start() -> Self {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&requests);
        let router = axum::Router::new().route(
            "/v1.0/message",
            axum::routing::post(
                move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                    let recorded = Arc::clone(&recorded);
                    async move {
                        let content_type = headers
                            .get(header::CONTENT_TYPE)
                            .and_then(|value| value.to_str().ok())
                            .map(str::to_owned);
                        let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
                        recorded
                            .lock()
                            .expect("not poisoned")
                            .push((content_type, json));
                        axum::Json(json!({"details": "Created 1 message(s)", "errorCode": 0}))
                    }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let addr = listener.local_addr().expect("an address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self {
            url: format!("http://f1e2d3c4-0000-1111-2222-333344445555@{addr}/v1.0/message"),
            requests,
        }
    }

    pub fn requests(&self) -> Vec<GatewayRequest> {
        self.requests.lock().expect("not poisoned").clone()
    }
}

#[tokio::test]
async fn the_code_goes_to_cm_com_as_its_api_documents() {
    let gateway = SmsGatewayDouble::start().await;
    let next_hop = SmtpServer::start(Security::Plain).await;
    let sent = send_to_patient(
        builder(Backend::Sqlite, &next_hop)
            .set("sms.url", gateway.url.clone())
            .set("sms.sender", "Praktijk"),
        next_hop,
        true,
        patient_mail(),
    )
    .await;
    let mut browser = Browser::new(&sent.app);

    let asked = browser.post_form(&format!("{}/code", sent.link), &[]).await;
    asked.redirect();

    let requests = gateway.requests();
    assert_eq!(requests.len(), 1);
    let (content_type, body) = &requests[0];
    assert!(
        content_type
            .as_deref()
            .is_some_and(|ct| ct.starts_with("application/json")),
        "{content_type:?}"
    );
    let message = &body["messages"]["msg"][0];
    assert_eq!(
        body["messages"]["authentication"]["producttoken"],
        "f1e2d3c4-0000-1111-2222-333344445555"
    );
    assert_eq!(message["from"], "Praktijk");
    assert_eq!(message["to"], json!([{"number": "0031612345678"}]));
    assert_eq!(message["body"]["type"], "auto");
    let text = message["body"]["content"].as_str().expect("content");
    assert_eq!(code_in(text).len(), 6);
    assert_eq!(message["reference"], json!(sent.reference));
    assert!(
        !sent.app.data_dir().join("sms-outbox").exists(),
        "nothing in the outbox"
    );
    sent.app.finish().await;
}
