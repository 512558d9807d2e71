//! Getting into a Viewer message (SPEC §14): the recipient's link, an access code by SMS (or
//! by e-mail where the installation type allows and no number was given), and a Viewer
//! session for that message only.
//!
//! * A code is 6 digits from the operating system's CSPRNG, valid 15 minutes, single use, and
//!   belongs to the link *and the browser that asked* (a cookie of its own): a new code from
//!   that browser voids its old one, and each code takes 5 tries. Someone else holding the
//!   link makes codes of their own in their own browser — they can neither void nor spend the
//!   recipient's. Six digits with 5 tries is a 1 in 200,000 chance per code; the request
//!   limits below bound the codes.
//! * Requests: per link and browser 3 in 15 minutes (a slow SMS, a mistyped code and one more
//!   try); per link 10 a day across browsers, which bounds what anyone holding the link can
//!   make the server send to the recipient's phone; per client address 20 in 15 minutes in
//!   this instance's memory. Wrong codes: per client address 30 in 15 minutes.
//! * Stored only as a keyed hash over link, browser and code.
//! * A correct code opens a session: 256 random bits in an `HttpOnly; Secure;
//!   SameSite=Strict` cookie for that message's path, stored as SHA-256, 30 minutes idle.

use std::{net::IpAddr, time::Duration};

use addin_core::{api::Language, phone::Phone, policy::InstallationType};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as BASE64URL};
use rand::{Rng, RngCore};

use super::{
    ViewerRecipient,
    mails::{self, CodeMail},
    secrets,
};
use crate::{
    Error,
    app::App,
    client_limit::ClientLimit,
    dispatch::Dispatch,
    sessions::constant_time_eq,
    sms::Sms,
    store::{CodeLimit, Digest, RecipientView, ViewerCodeRecord, ViewerSessionRecord},
    vault::{Purpose, sha256},
};

const CODE_DIGITS: u32 = 6;
const CODE_LIFETIME: Duration = Duration::from_secs(15 * 60);
const MAX_ATTEMPTS: i64 = 5;
/// `(per browser, window, max)`: see the module documentation.
const REQUEST_LIMITS: [(bool, Duration, i64); 2] = [
    (true, Duration::from_secs(15 * 60), 3),
    (false, Duration::from_secs(24 * 3600), 10),
];
const CLIENT_WINDOW: Duration = Duration::from_secs(15 * 60);
const CLIENT_REQUESTS: usize = 20;
const CLIENT_WRONG_CODES: usize = 30;
/// A Viewer session lapses after this long without use.
pub const SESSION_IDLE: Duration = Duration::from_secs(30 * 60);

/// The per-client limits, in this instance's memory.
#[derive(Debug)]
pub struct ClientLimits {
    requests: ClientLimit,
    wrong_codes: ClientLimit,
}

impl Default for ClientLimits {
    fn default() -> Self {
        let window = seconds(CLIENT_WINDOW);
        Self {
            requests: ClientLimit::new(CLIENT_REQUESTS, window),
            wrong_codes: ClientLimit::new(CLIENT_WRONG_CODES, window),
        }
    }
}

/// A recipient's link, opened: readable now, with who it is for and what was sent.
#[derive(Debug)]
pub struct Opened {
    /// SHA-256 of the link's secret.
    pub link_hash: Digest,
    pub view: RecipientView,
    pub recipient: ViewerRecipient,
    pub dispatch: Dispatch,
}

impl Opened {
    /// The sender's organisation as the recipient reads it.
    pub fn organisation(&self, app: &App) -> String {
        app.policy.organisation.name.clone().unwrap_or_else(|| {
            self.dispatch
                .sender
                .rsplit_once('@')
                .map_or_else(String::new, |(_, domain)| domain.to_owned())
        })
    }

    /// "A. Jansen" as the message's `From` named the sender, else their address.
    pub fn sender_name(&self) -> String {
        self.recipient
            .sender_name
            .clone()
            .unwrap_or_else(|| self.dispatch.sender.clone())
    }

    /// The language the message was sent in: English for `(EN)`, else Dutch.
    pub fn language(&self) -> Language {
        self.recipient.language
    }

    /// Where the code goes: the masked number, or `None` for e-mail.
    pub fn masked_phone(&self) -> Option<String> {
        self.recipient
            .phone
            .as_deref()
            .and_then(|phone| Phone::parse(phone).ok())
            .map(|phone| phone.masked())
    }
}

/// The link's secret from a URL, opened; any link that is unknown, expired or withdrawn is
/// [`Error::NotAvailable`], all alike.
pub async fn open(app: &App, secret: &str) -> Result<Opened, Error> {
    // A secret is 20 bytes in base64url; anything else is not worth a database lookup.
    if BASE64URL.decode(secret).map(|bytes| bytes.len()) != Ok(20) {
        return Err(Error::NotAvailable);
    }
    let link_hash = secrets::secret_hash(secret);
    let view = app
        .store
        .find_recipient(&link_hash)
        .await?
        .filter(|view| view.message.readable(app.clock.unix_now()))
        .ok_or(Error::NotAvailable)?;
    let recipient = app
        .vault
        .open(&view.recipient.sealed, &link_hash)
        .and_then(|json| serde_json::from_slice(&json).ok())
        .ok_or_else(|| Error::internal("a Viewer recipient does not open"))?;
    let dispatch = app
        .dispatches
        .find(&view.message.token_id)
        .await?
        .ok_or_else(|| Error::internal("a Viewer message without its dispatch"))?
        .dispatch;
    Ok(Opened {
        link_hash,
        view,
        recipient,
        dispatch,
    })
}

/// How the code went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CodeSent {
    /// By SMS to this masked number.
    Sms(String),
    Email,
}

/// Sends a new access code for `opened` to the recipient, for the browser `browser`.
pub async fn send_code(
    app: &App,
    opened: &Opened,
    browser: &str,
    client: IpAddr,
) -> Result<CodeSent, Error> {
    let now = app.clock.unix_now();
    if !app.viewer.limits.requests.allow(client, now) {
        return Err(too_many());
    }
    let code = format!(
        "{:0width$}",
        rand::rngs::OsRng.gen_range(0..10u32.pow(CODE_DIGITS)),
        width = CODE_DIGITS as usize
    );
    let device_hash = sha256(browser.as_bytes());
    let record = ViewerCodeRecord {
        link_hash: opened.link_hash,
        device_hash,
        code_hash: code_hash(app, &opened.link_hash, &device_hash, &code),
        created_at: now,
        expires_at: now + seconds(CODE_LIFETIME),
        attempts: 0,
    };
    let limits = REQUEST_LIMITS.map(|(per_browser, window, max)| CodeLimit {
        per_browser,
        since: now - seconds(window),
        max,
    });
    if !app.store.issue_viewer_code(&record, &limits).await? {
        return Err(too_many());
    }
    let organisation = opened.organisation(app);
    let texts = crate::i18n::Texts(opened.language());
    let minutes = (CODE_LIFETIME.as_secs() / 60).to_string();
    let sent = match (&opened.recipient.phone, app.policy.installation_type) {
        (Some(phone), _) => {
            let text = texts.t_with(
                "code-sms",
                &[
                    ("organisation", &organisation),
                    ("code", &code),
                    ("minutes", &minutes),
                ],
            );
            app.viewer
                .sms
                .send(
                    &Sms {
                        to: phone.clone(),
                        text,
                    },
                    &opened.view.message.reference,
                )
                .await
                .map_err(|error| {
                    tracing::warn!(%error, "a Viewer access code could not go by SMS");
                    Error::Unavailable("the SMS could not be sent; try again in a moment".into())
                })?;
            CodeSent::Sms(opened.masked_phone().unwrap_or_default())
        }
        (None, InstallationType::ViewerPhoneRequired | InstallationType::Standard) => {
            return Err(Error::internal(
                "a Viewer recipient without a number where the installation needs one",
            ));
        }
        (None, InstallationType::ViewerPhoneCheck | InstallationType::Viewer) => {
            let mail = mails::code_mail(
                &app.mail_from,
                &opened.recipient.address,
                &CodeMail {
                    language: opened.language(),
                    organisation: &organisation,
                    code: &code,
                },
            )?;
            app.next_hop
                .send(mail.envelope(), &mail.formatted())
                .await
                .map_err(|error| {
                    tracing::warn!(%error, "a Viewer access code could not go by e-mail");
                    Error::Unavailable("the e-mail could not be sent; try again in a moment".into())
                })?;
            CodeSent::Email
        }
    };
    let channel = match sent {
        CodeSent::Sms(_) => "sms",
        CodeSent::Email => "email",
    };
    app.audit
        .viewer_event(&opened.view.message, "viewer-code-sent", Some(channel))
        .await?;
    Ok(sent)
}

/// Checks `code` for `browser`; a right one opens a session, whose token it returns.
pub async fn verify_code(
    app: &App,
    opened: &Opened,
    browser: &str,
    code: &str,
    client: IpAddr,
) -> Result<String, Error> {
    let now = app.clock.unix_now();
    let device_hash = sha256(browser.as_bytes());
    let code = code.trim();
    let well_formed =
        code.len() == CODE_DIGITS as usize && code.bytes().all(|b| b.is_ascii_digit());
    let claimed = app
        .store
        .claim_viewer_code_attempt(&opened.link_hash, &device_hash, now, MAX_ATTEMPTS)
        .await?;
    let right = claimed.is_some_and(|record| {
        well_formed
            && constant_time_eq(
                &record.code_hash,
                &code_hash(app, &opened.link_hash, &device_hash, code),
            )
    });
    if !right {
        if !app.viewer.limits.wrong_codes.allow(client, now) {
            return Err(too_many());
        }
        return Err(Error::InvalidCode);
    }
    let expected = code_hash(app, &opened.link_hash, &device_hash, code);
    if !app
        .store
        .consume_viewer_code(&opened.link_hash, &device_hash, &expected)
        .await?
    {
        // The same code used twice at once: one of them wins.
        return Err(Error::InvalidCode);
    }
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let token = BASE64URL.encode(secret);
    app.store
        .insert_viewer_session(&ViewerSessionRecord {
            token_hash: sha256(token.as_bytes()),
            link_hash: opened.link_hash,
            created_at: now,
            last_used_at: now,
        })
        .await?;
    app.audit
        .viewer_event(&opened.view.message, "viewer-opened", None)
        .await?;
    Ok(token)
}

/// Whether `token` is a live session for `opened`'s link; slides it.
pub async fn check_session(app: &App, opened: &Opened, token: &str) -> Result<(), Error> {
    let now = app.clock.unix_now();
    let token_hash = sha256(token.as_bytes());
    let session = app
        .store
        .find_viewer_session(&token_hash)
        .await?
        .filter(|session| constant_time_eq(&session.link_hash, &opened.link_hash))
        .filter(|session| now - session.last_used_at < seconds(SESSION_IDLE))
        .ok_or(Error::ViewerSessionRequired)?;
    if now - session.last_used_at >= 60 {
        app.store.touch_viewer_session(&token_hash, now).await?;
    }
    Ok(())
}

/// A new browser id for the code cookie: 128 random bits.
pub fn new_browser_id() -> String {
    let mut id = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut id);
    BASE64URL.encode(id)
}

/// The recipient says the number is not theirs: the sender hears of it.
/// Tells the sender, once per link (anyone holding the link can press the button; of two
/// presses at the same moment both may get through).
pub async fn report_wrong_number(app: &App, opened: &Opened) -> Result<(), Error> {
    if opened.view.wrong_number_reported_at.is_some() {
        return Ok(());
    }
    let preferences = app.preferences.get(&opened.view.message.owner_hash).await?;
    let mail = mails::wrong_number(
        &app.mail_from,
        &opened.dispatch.sender,
        preferences.language.unwrap_or(Language::Nl),
        &opened.recipient.address,
        opened.masked_phone().as_deref().unwrap_or_default(),
        &opened.view.message.reference,
    )?;
    app.next_hop
        .send(mail.envelope(), &mail.formatted())
        .await
        .map_err(|error| {
            tracing::warn!(%error, "a wrong-number report could not be sent");
            Error::Unavailable("the report could not be sent; try again in a moment".into())
        })?;
    app.store
        .note_wrong_number_report(&opened.link_hash, app.clock.unix_now())
        .await?;
    app.audit
        .viewer_event(&opened.view.message, "viewer-wrong-number", None)
        .await
}

fn code_hash(app: &App, link_hash: &Digest, device_hash: &Digest, code: &str) -> Digest {
    let text = format!(
        "{}:{}:{code}",
        BASE64URL.encode(link_hash),
        BASE64URL.encode(device_hash)
    );
    app.vault.lookup(Purpose::ViewerCode, &text)
}

/// The Viewer's pages say "try again later"; `Retry-After` gives the client window.
fn too_many() -> Error {
    Error::TooManyRequests {
        retry_after: seconds(CLIENT_WINDOW),
    }
}

fn seconds(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}
