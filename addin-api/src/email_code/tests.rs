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

/// A device of its own for each `n`.
fn device_n(n: u16) -> DeviceId {
    DeviceId::parse(&format!("device-{n:04}-0123456789abcdef")).expect("valid")
}

impl Fixture {
    /// Asks for a code for `mailbox` from `client`, as `start` is called.
    async fn start_as(&self, mailbox: &Address, client: IpAddr) -> Result<Started, Error> {
        self.start_on(mailbox, &device(), client).await
    }

    async fn start_on(
        &self,
        mailbox: &Address,
        device: &DeviceId,
        client: IpAddr,
    ) -> Result<Started, Error> {
        self.codes
            .start(mailbox, device, client, Language::En)
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

    /// A code for the test mailbox on `device` from `client`.
    async fn code_on(&mut self, device: &DeviceId, client: IpAddr) -> String {
        let started = self
            .start_on(&mailbox(), device, client)
            .await
            .expect("started");
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
        self.verify_on(&device(), client(1), code).await
    }

    async fn verify_on(&self, device: &DeviceId, client: IpAddr, code: &str) -> Result<(), Error> {
        self.codes.verify(&mailbox(), device, code, client).await
    }

    /// Signs `device` in once, so it is known to the test mailbox.
    async fn sign_in_on(&mut self, device: &DeviceId, client: IpAddr) {
        let code = self.code_on(device, client).await;
        self.verify_on(device, client, &code)
            .await
            .expect("signed in");
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

/// A 429 whose `Retry-After` is `retry_after` seconds.
#[track_caller]
fn assert_throttled<T: std::fmt::Debug>(result: Result<T, Error>, retry_after: i64) {
    match result {
        Err(Error::TooManyRequests { retry_after: said }) => assert_eq!(said, retry_after),
        other => panic!("expected 429 after {retry_after} s, got {other:?}"),
    }
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

    assert_refused(f.verify_on(&other, client(1), &code).await);
    assert_refused(
        f.codes
            .verify(
                &address("b.devries@huisartsen-oost.nl"),
                &device(),
                &code,
                client(1),
            )
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

// ---- Strangers -----------------------------------------------------------------------------

#[tokio::test]
async fn another_device_neither_voids_nor_burns_the_owners_code() {
    let mut f = fixture().await;
    let code = f.request_code().await;
    let stranger = device_n(666);

    let theirs = f.code_on(&stranger, client(66)).await;
    for _ in 0..5 {
        assert_refused(f.verify_on(&stranger, client(66), &wrong(&code)).await);
    }
    assert_refused(f.verify_on(&stranger, client(66), &theirs).await);

    f.verify(&code)
        .await
        .expect("the owner's code is untouched");
}

#[tokio::test]
async fn a_strangers_requests_do_not_use_up_the_owners_allowance() {
    let mut f = fixture().await;
    let stranger = device_n(666);
    for _ in 0..3 {
        f.code_on(&stranger, client(66)).await;
    }
    assert_throttled(f.start_on(&mailbox(), &stranger, client(66)).await, 900);

    let code = f.request_code().await;
    f.verify(&code).await.expect("the owner signs in");
}

// ---- Limits --------------------------------------------------------------------------------

#[tokio::test]
async fn a_device_gets_3_codes_in_any_15_minutes() {
    let mut f = fixture().await;
    f.request_code().await;
    f.advance(MINUTE);
    f.request_code().await;
    f.advance(MINUTE);
    f.request_code().await;

    f.advance(12 * MINUTE + 59 * SECOND);
    assert_throttled(f.start_as(&mailbox(), client(1)).await, 1);
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

    assert_throttled(f.start_as(&mailbox(), client(1)).await, 900);
    f.verify(&live)
        .await
        .expect("the last code sent still works");
}

#[tokio::test]
async fn a_device_gets_10_codes_in_any_24_hours() {
    let mut f = fixture().await;
    // One every quarter of an hour keeps within the 15-minute limit.
    for _ in 0..10 {
        f.request_code().await;
        f.advance(15 * MINUTE);
    }
    // The first code was sent 2.5 hours ago: it leaves the day in 21.5 hours.
    assert_throttled(f.start_as(&mailbox(), client(2)).await, 21 * 3600 + 1800);

    f.advance(24 * 60 * MINUTE - 150 * MINUTE - SECOND);
    assert_throttled(f.start_as(&mailbox(), client(3)).await, 1);

    f.advance(SECOND);
    let started = f.start_as(&mailbox(), client(4)).await.expect("answered");
    f.delivered(started).await;
}

#[tokio::test]
async fn a_client_network_may_ask_20_times_in_any_15_minutes() {
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
    assert_throttled(f.start_as(&mailboxes[19], client(1)).await, 1);
    f.start_as(&mailboxes[19], client(2))
        .await
        .expect("another client");

    // 15 minutes after the first 19.
    f.advance(SECOND);
    f.start_as(&mailboxes[20], client(1))
        .await
        .expect("the window moved on");
}

#[tokio::test]
async fn ipv6_clients_are_counted_per_64() {
    let f = fixture().await;
    let in_64 = |n: u16| IpAddr::from([0x2001, 0xdb8, 1, 2, n, 0, 0, 1]);
    for n in 0..20 {
        f.start_as(&address(&format!("user{n}@huisartsen-oost.nl")), in_64(n))
            .await
            .expect("allowed");
    }
    assert_throttled(f.start_as(&mailbox(), in_64(99)).await, 900);
    f.start_as(&mailbox(), IpAddr::from([0x2001, 0xdb8, 1, 3, 0, 0, 0, 1]))
        .await
        .expect("another /64");
}

#[tokio::test]
async fn new_devices_get_10_codes_a_day_per_network_and_known_devices_are_not_held_to_it() {
    let mut f = fixture().await;
    let owner = device_n(1);
    f.sign_in_on(&owner, client(1)).await;

    // A stranger on the owner's network, a new device for each request.
    for n in 0..9 {
        f.code_on(&device_n(100 + n), client(1)).await;
        f.advance(MINUTE * 2);
    }
    assert_throttled(
        f.start_on(&mailbox(), &device_n(200), client(1)).await,
        24 * 3600 - 18 * 60,
    );
    let code = f.code_on(&owner, client(1)).await;
    f.verify_on(&owner, client(1), &code)
        .await
        .expect("the known device still signs in");
    f.code_on(&device_n(300), client(2)).await;
}

#[tokio::test]
async fn new_devices_get_100_codes_a_day_per_mailbox() {
    let mut f = fixture().await;
    let owner = device_n(1);
    // The owner's first code was a new device's: the first of the day's 100.
    f.sign_in_on(&owner, client(200)).await;
    for n in 0..99u16 {
        let network = u8::try_from(10 + n / 10).expect("small");
        if n % 20 == 0 {
            // Keeps every network within its 20 requests in any 15 minutes.
            f.advance(15 * MINUTE);
        }
        f.code_on(&device_n(100 + n), client(network)).await;
    }
    assert_throttled(
        f.start_on(&mailbox(), &device_n(999), client(99)).await,
        24 * 3600 - 75 * 60,
    );
    f.code_on(&owner, client(200)).await;
}

#[tokio::test]
async fn a_network_gets_30_wrong_codes_in_15_minutes() {
    let mut f = fixture().await;
    let owner = device_n(1);
    f.sign_in_on(&owner, client(1)).await;
    // Guesses at many mailboxes, so no mailbox's own limits come first.
    let guess = |n: u16| {
        let mailbox = address(&format!("user{n}@huisartsen-oost.nl"));
        let codes = &f.codes;
        async move {
            codes
                .verify(&mailbox, &device_n(100 + n), "12345678", client(66))
                .await
        }
    };
    for n in 0..30 {
        assert_refused(guess(n).await);
    }
    assert_throttled(guess(30).await, 900);

    let code = f.code_on(&owner, client(1)).await;
    f.verify_on(&owner, client(1), &code)
        .await
        .expect("another network is not held up");
}

#[tokio::test]
async fn new_devices_get_20_wrong_codes_a_day_per_network_and_the_owner_still_signs_in() {
    let mut f = fixture().await;
    let owner = device_n(1);
    f.sign_in_on(&owner, client(1)).await;
    for n in 0..20u16 {
        assert_refused(
            f.verify_on(&device_n(100 + n), client(66), "12345678")
                .await,
        );
    }
    f.advance(15 * MINUTE);
    assert_throttled(
        f.verify_on(&device_n(200), client(66), "12345678").await,
        24 * 3600 - 15 * 60,
    );

    // The owner's known device, and a new one of theirs elsewhere, are not held up.
    let code = f.code_on(&owner, client(1)).await;
    f.verify_on(&owner, client(1), &code).await.expect("known");
    let laptop = device_n(2);
    let code = f.code_on(&laptop, client(2)).await;
    f.verify_on(&laptop, client(2), &code)
        .await
        .expect("new, elsewhere");
}

#[tokio::test]
async fn new_devices_get_100_wrong_codes_a_day_per_mailbox() {
    let mut f = fixture().await;
    let owner = device_n(1);
    f.sign_in_on(&owner, client(1)).await;
    for n in 0..100u16 {
        let network = u8::try_from(10 + n / 20).expect("small");
        assert_refused(
            f.verify_on(&device_n(100 + n), client(network), "12345678")
                .await,
        );
    }
    assert_throttled(
        f.verify_on(&device_n(999), client(99), "12345678").await,
        24 * 3600,
    );
    let code = f.code_on(&owner, client(1)).await;
    f.verify_on(&owner, client(1), &code).await.expect("known");
}
