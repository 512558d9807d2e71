//! The code rules with the clock in the test's hand: nothing sleeps.

use std::{
    net::IpAddr,
    sync::Arc,
    time::{Duration, UNIX_EPOCH},
};

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::*;
use crate::{clock::ManualClock, mailer::MailError, store::SqliteStore};

const MAILBOX: &str = "a.jansen@huisartsen-oost.nl";
const DEVICE: &str = "device-0123456789abcdef";
const MINUTE: Duration = Duration::from_secs(60);
const SECOND: Duration = Duration::from_secs(1);

/// What the mailer was asked to send.
#[derive(Debug)]
struct Sent {
    to: Address,
    code: String,
    language: Language,
}

/// Hands every e-mail to the test instead of sending it.
#[derive(Debug)]
struct RecordingMailer(mpsc::UnboundedSender<Sent>);

#[async_trait]
impl Mailer for RecordingMailer {
    async fn send(&self, mail: &CodeMail) -> Result<Delivery, MailError> {
        let _ = self.0.send(Sent {
            to: mail.to.clone(),
            code: mail.code.clone(),
            language: mail.language,
        });
        Ok(Delivery::Smtp)
    }
}

struct Fixture {
    codes: EmailCodes,
    clock: Arc<ManualClock>,
    sent: mpsc::UnboundedReceiver<Sent>,
}

async fn fixture() -> Fixture {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory().await.expect("store"));
    let vault = Arc::new(Vault::new(&[9; 32]));
    let clock = Arc::new(ManualClock::new(
        UNIX_EPOCH + Duration::from_secs(1_800_000_000),
    ));
    let (to_test, sent) = mpsc::unbounded_channel();
    let codes = EmailCodes::new(
        store,
        vault,
        clock.clone(),
        Arc::new(RecordingMailer(to_test)),
        vec![Domain::parse("huisartsen-oost.nl").expect("valid")],
    );
    Fixture { codes, clock, sent }
}

fn address(text: &str) -> Address {
    Address::parse(text).expect("valid")
}

fn mailbox() -> Address {
    address(MAILBOX)
}

fn device() -> DeviceId {
    DeviceId::parse(DEVICE).expect("valid")
}

fn client(n: u8) -> IpAddr {
    IpAddr::from([192, 0, 2, n])
}

impl Fixture {
    /// Asks for a code for `mailbox` from `client`, as `start` is called.
    async fn start_as(&self, mailbox: &Address, client: IpAddr) -> Result<Started, Error> {
        self.codes
            .start(mailbox, &device(), client, Language::En)
            .await
    }

    /// Asks for a code for the test mailbox and returns it as the e-mail has it.
    async fn request_code(&mut self) -> String {
        self.request_code_for(&mailbox()).await
    }

    async fn request_code_for(&mut self, mailbox: &Address) -> String {
        let started = self.start_as(mailbox, client(1)).await.expect("started");
        self.delivered(started).await
    }

    /// The code in the e-mail `started` sent.
    async fn delivered(&mut self, started: Started) -> String {
        let Started::Sending(sending) = started else {
            panic!("expected an e-mail to be sent, got {started:?}");
        };
        sending.await.expect("the send task ends");
        self.sent.try_recv().expect("one e-mail").code
    }

    async fn verify(&self, code: &str) -> Result<(), Error> {
        self.codes.verify(&mailbox(), &device(), code).await
    }

    fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }
}

/// A code that is not `code`.
fn wrong(code: &str) -> String {
    let last = code.as_bytes()[CODE_DIGITS - 1] - b'0';
    format!("{}{}", &code[..CODE_DIGITS - 1], (last + 1) % 10)
}

#[track_caller]
fn assert_refused(result: Result<(), Error>) {
    assert!(
        matches!(result, Err(Error::InvalidCode)),
        "expected invalid-code, got {result:?}"
    );
}

// ---- Codes ---------------------------------------------------------------------------------

/// The session itself is issued by the route and covered end to end in tests/api/sign_in_email.
#[tokio::test]
async fn the_right_code_is_accepted() {
    let mut f = fixture().await;
    let code = f.request_code().await;

    f.verify(&code).await.expect("the right code");
}

#[tokio::test]
async fn the_email_goes_to_the_mailbox_in_the_asked_language() {
    let mut f = fixture().await;
    let started = f
        .codes
        .start(&mailbox(), &device(), client(1), Language::De)
        .await
        .expect("started");
    let Started::Sending(sending) = started else {
        panic!("sent");
    };
    sending.await.expect("the send task ends");
    let sent = f.sent.try_recv().expect("one e-mail");
    assert_eq!(sent.to, mailbox());
    assert_eq!(sent.language, Language::De);
    assert_eq!(sent.code.len(), 8);
    assert!(sent.code.bytes().all(|b| b.is_ascii_digit()));
}

#[tokio::test]
async fn five_wrong_tries_burn_the_code() {
    let mut f = fixture().await;
    let code = f.request_code().await;

    for _ in 0..5 {
        assert_refused(f.verify(&wrong(&code)).await);
    }

    assert_refused(f.verify(&code).await);
}

#[tokio::test]
async fn four_wrong_tries_leave_the_fifth_to_the_right_code() {
    let mut f = fixture().await;
    let code = f.request_code().await;

    for _ in 0..4 {
        assert_refused(f.verify(&wrong(&code)).await);
    }

    f.verify(&code).await.expect("the fifth try, right");
}

#[tokio::test]
async fn a_code_works_once() {
    let mut f = fixture().await;
    let code = f.request_code().await;
    f.verify(&code).await.expect("first use");

    assert_refused(f.verify(&code).await);
}

#[tokio::test]
async fn a_code_works_until_15_minutes_have_passed() {
    let mut f = fixture().await;
    let code = f.request_code().await;
    f.advance(14 * MINUTE + 59 * SECOND);
    f.verify(&code).await.expect("at 14:59");

    let code = f.request_code().await;
    f.advance(15 * MINUTE);
    assert_refused(f.verify(&code).await);

    f.advance(16 * MINUTE);
    let code = f.request_code().await;
    f.advance(15 * MINUTE + SECOND);
    assert_refused(f.verify(&code).await);
}

#[tokio::test]
async fn a_new_code_voids_the_old() {
    let mut f = fixture().await;
    let old = f.request_code().await;
    let new = f.request_code().await;

    assert_refused(f.verify(&old).await);
    f.verify(&new).await.expect("the new code");
}

#[tokio::test]
async fn a_code_works_only_on_the_device_that_asked_for_it() {
    let mut f = fixture().await;
    let code = f.request_code().await;
    let other = DeviceId::parse("another-device-0123456789").expect("valid");

    assert_refused(f.codes.verify(&mailbox(), &other, &code).await);
    assert_refused(
        f.codes
            .verify(&address("b.devries@huisartsen-oost.nl"), &device(), &code)
            .await,
    );

    f.verify(&code).await.expect("on its own device");
}

#[tokio::test]
async fn a_code_may_be_typed_with_spaces_but_must_be_eight_digits() {
    let mut f = fixture().await;
    let code = f.request_code().await;

    for malformed in ["", "1234567", "123456789", "12345abc", "１２３４５６７８"] {
        assert!(
            matches!(
                f.verify(malformed).await,
                Err(Error::BadRequest {
                    code: "invalid-code-format",
                    ..
                })
            ),
            "{malformed:?}"
        );
    }

    f.verify(&format!(" {} {}\n", &code[..4], &code[4..]))
        .await
        .expect("spaces are ignored");
}

#[tokio::test]
async fn no_code_no_sign_in() {
    let f = fixture().await;
    assert_refused(f.verify("12345678").await);
}

#[test]
fn codes_are_eight_random_digits() {
    let codes: std::collections::HashSet<String> = (0..200).map(|_| new_code()).collect();
    assert!(codes.len() > 190, "random");
    for code in &codes {
        assert_eq!(code.len(), CODE_DIGITS);
        assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
    }
    let first_digits: std::collections::HashSet<u8> =
        codes.iter().map(|code| code.as_bytes()[0]).collect();
    assert!(
        first_digits.len() >= 8,
        "leading digits vary, zero included"
    );
}

// ---- Who gets a code -----------------------------------------------------------------------

#[tokio::test]
async fn mailboxes_outside_the_organisation_get_no_code() {
    let mut f = fixture().await;

    let started = f
        .start_as(&address("someone@example.com"), client(1))
        .await
        .expect("answered like any other");

    assert!(matches!(started, Started::OutsideOrganisation));
    assert!(f.sent.try_recv().is_err(), "nothing sent");
}

// ---- Limits --------------------------------------------------------------------------------

#[tokio::test]
async fn a_mailbox_gets_3_codes_in_any_15_minutes() {
    let mut f = fixture().await;
    f.request_code().await;
    f.advance(MINUTE);
    f.request_code().await;
    f.advance(MINUTE);
    f.request_code().await;

    f.advance(12 * MINUTE + 59 * SECOND);
    let started = f.start_as(&mailbox(), client(1)).await.expect("answered");
    assert!(
        matches!(started, Started::MailboxLimitReached),
        "{started:?}"
    );
    assert!(f.sent.try_recv().is_err(), "nothing sent");
    let colleague = address("b.devries@huisartsen-oost.nl");
    f.request_code_for(&colleague).await;

    // Now 15 minutes after the first.
    f.advance(SECOND);
    let code = f.request_code().await;
    f.verify(&code).await.expect("the new code works");
}

#[tokio::test]
async fn a_refused_request_leaves_the_live_code_alone() {
    let mut f = fixture().await;
    f.request_code().await;
    f.request_code().await;
    let live = f.request_code().await;

    let started = f.start_as(&mailbox(), client(1)).await.expect("answered");

    assert!(matches!(started, Started::MailboxLimitReached));
    f.verify(&live)
        .await
        .expect("the last code sent still works");
}

#[tokio::test]
async fn a_mailbox_gets_10_codes_in_any_24_hours() {
    let mut f = fixture().await;
    // One every quarter of an hour keeps within the 15-minute limit.
    for _ in 0..10 {
        f.request_code().await;
        f.advance(15 * MINUTE);
    }
    // The first code was sent 2.5 hours ago.
    let started = f.start_as(&mailbox(), client(2)).await.expect("answered");
    assert!(matches!(started, Started::MailboxLimitReached));

    f.advance(24 * 60 * MINUTE - 150 * MINUTE - SECOND);
    let started = f.start_as(&mailbox(), client(3)).await.expect("answered");
    assert!(
        matches!(started, Started::MailboxLimitReached),
        "a second before the first leaves the day"
    );

    f.advance(SECOND);
    let started = f.start_as(&mailbox(), client(4)).await.expect("answered");
    f.delivered(started).await;
}

#[tokio::test]
async fn a_client_may_ask_20_times_in_any_15_minutes() {
    let f = fixture().await;
    let mailboxes: Vec<Address> = (0..21)
        .map(|n| address(&format!("user{n}@huisartsen-oost.nl")))
        .collect();
    for mailbox in &mailboxes[..19] {
        f.start_as(mailbox, client(1)).await.expect("allowed");
    }
    f.advance(14 * MINUTE);
    // Requests for mailboxes outside the organisation count too.
    f.start_as(&address("x@example.com"), client(1))
        .await
        .expect("the 20th");

    f.advance(59 * SECOND);
    assert!(matches!(
        f.start_as(&mailboxes[19], client(1)).await,
        Err(Error::TooManyRequests)
    ));
    f.start_as(&mailboxes[19], client(2))
        .await
        .expect("another client");

    // 15 minutes after the first 19.
    f.advance(SECOND);
    f.start_as(&mailboxes[20], client(1))
        .await
        .expect("the window moved on");
}
