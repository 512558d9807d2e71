//! Signing in with an e-mail code (SPEC §8): the user proves they read the mailbox by typing
//! the code mailed to it into the panel that asked for it.
//!
//! * A code is 8 digits from the operating system's CSPRNG, valid 15 minutes, good for one
//!   sign-in, and the mailbox's only live code: a new one voids the old. Each code takes at
//!   most 5 tries; after the fifth wrong one even the right code is refused.
//! * It is stored only as a keyed hash (the data key's HMAC) over mailbox, device and code:
//!   a database copy without the key cannot be searched through the 10⁸ codes, and the code
//!   works only on the device (panel) that asked for it.
//! * Codes are only mailed to the organisation's own domains (`organisation.domains`; any
//!   domain while that list is empty), so the server cannot be made to mail strangers.
//!
//! Limits on sending codes, and why these numbers:
//! * Per mailbox, at most 3 codes in any 15 minutes and 10 in any 24 hours, counted in the
//!   database so every instance shares them. A user needs one code, sometimes a second when
//!   the first is slow or mistyped; a third within a code's lifetime is the last honest
//!   retry. Ten a day bounds the mail anyone can make the server send to one colleague, and
//!   with 5 tries per code an attacker gets at most 50 guesses a day at 10⁸ codes: a chance
//!   of one in two million per mailbox per day.
//! * Per client address, at most 20 requests in any 15 minutes, in this instance's memory
//!   (see [`crate::client_limit`]). A practice shares one address behind its router and rarely has
//!   more than a few people signing in at once; 20 leaves room for that while one machine
//!   cannot run through many mailboxes' allowances (3 requests lock a mailbox out for 15
//!   minutes). The address is the TCP peer, or behind the admin's `--trusted-proxies` the
//!   client their `X-Forwarded-For` names: behind a load balancer the whole organisation
//!   would otherwise be one client.
//!
//! `start` answers the same whether a code went out or not (rate-limited, not an
//! organisation mailbox, the mail failed): the caller learns nothing about any mailbox. The
//! e-mail is sent in a task of its own, so the answer's timing does not tell either. Only the
//! per-client limit is refused openly (429): it says something about the caller, nothing
//! about a mailbox.

#[cfg(test)]
mod tests;

use std::{net::IpAddr, path::Path, sync::Arc, time::Duration};

use addin_core::{
    address::{Address, Domain},
    api::Language,
    policy::{AuthMethod, Policy},
};
use rand::Rng;

use crate::{
    Error,
    client_limit::ClientLimit,
    clock::Clock,
    config::ServeArgs,
    mailer::{self, CodeMail, Delivery, Mailer},
    sessions::{DeviceId, constant_time_eq},
    store::{SendLimit, SignInCodeRecord, Store},
    vault::{Purpose, Vault},
};

/// Digits in a code: 10⁸ codes against at most 50 guesses a day (see the module doc).
const CODE_DIGITS: usize = 8;
const CODE_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// Tries per code, right or wrong.
const MAX_ATTEMPTS: i64 = 5;
/// Codes per mailbox: `(window, max)`.
const MAILBOX_LIMITS: [(Duration, i64); 2] = [
    (Duration::from_secs(15 * 60), 3),
    (Duration::from_secs(24 * 3600), 10),
];
const CLIENT_LIMIT_WINDOW: Duration = Duration::from_secs(15 * 60);
const CLIENT_LIMIT_MAX: usize = 20;
/// How long a send may take before it is given up (the SMTP commands have their own,
/// shorter timeout).
const SEND_TIMEOUT: Duration = Duration::from_secs(60);
/// The outbox, in the data directory, when no `smtp.url` is set.
pub const OUTBOX_DIR: &str = "outbox";

#[derive(Debug)]
pub struct EmailCodes {
    store: Arc<dyn Store>,
    vault: Arc<Vault>,
    clock: Arc<dyn Clock>,
    mailer: Arc<dyn Mailer>,
    /// Codes go only to these domains; empty: any.
    domains: Vec<Domain>,
    clients: ClientLimit,
}

/// What [`EmailCodes::start`] did. The HTTP answer is the same for each (see the module doc);
/// tests and logs tell them apart.
#[derive(Debug)]
pub enum Started {
    /// A code was made; the task ends once its e-mail was handed on, or failed.
    Sending(tokio::task::JoinHandle<()>),
    /// The mailbox is outside `organisation.domains`: nothing was sent.
    OutsideOrganisation,
    /// The mailbox had its share of codes lately: nothing was sent.
    MailboxLimitReached,
}

impl EmailCodes {
    pub fn new(
        store: Arc<dyn Store>,
        vault: Arc<Vault>,
        clock: Arc<dyn Clock>,
        mailer: Arc<dyn Mailer>,
        domains: Vec<Domain>,
    ) -> Self {
        Self {
            store,
            vault,
            clock,
            mailer,
            domains,
            clients: ClientLimit::new(CLIENT_LIMIT_MAX, seconds(CLIENT_LIMIT_WINDOW)),
        }
    }

    /// E-mail codes as the policy and options configure them; `None` when the organisation
    /// signs in with Entra ID.
    pub fn for_policy(
        policy: &Policy,
        args: &ServeArgs,
        store: Arc<dyn Store>,
        vault: Arc<Vault>,
        clock: Arc<dyn Clock>,
    ) -> Result<Option<Self>, Error> {
        if policy.auth.method != AuthMethod::EmailCode {
            return Ok(None);
        }
        let from = mailer::sender(args.mail_from.as_deref(), &args.public_url)?;
        let mailer = mailer::from_config(
            policy.smtp.url.as_deref(),
            from,
            args.ca_cert.as_deref(),
            outbox_dir(&args.data_dir),
        )?;
        Ok(Some(Self::new(
            store,
            vault,
            clock,
            mailer,
            policy.organisation.domains.clone(),
        )))
    }

    /// Mails a new code to `mailbox` for `device`, unless a limit says no. `Err` only for the
    /// per-client limit (429) and outages.
    pub async fn start(
        &self,
        mailbox: &Address,
        device: &DeviceId,
        client: IpAddr,
        language: Language,
    ) -> Result<Started, Error> {
        let now = self.clock.unix_now();
        if !self.clients.allow(client, now) {
            tracing::warn!(%client, "sign-in code refused: this client asked for too many");
            return Err(Error::TooManyRequests);
        }
        if !self.in_organisation(mailbox) {
            tracing::info!("no sign-in code sent: the mailbox is not in organisation.domains");
            return Ok(Started::OutsideOrganisation);
        }

        let code = new_code();
        let mailbox_hash = self.vault.lookup(Purpose::Mailbox, mailbox.as_str());
        let record = SignInCodeRecord {
            mailbox_hash,
            code_hash: self.code_hash(mailbox, device, &code),
            created_at: now,
            expires_at: now.saturating_add(seconds(CODE_LIFETIME)),
            attempts: 0,
        };
        let limits = MAILBOX_LIMITS.map(|(window, max)| SendLimit {
            since: now.saturating_sub(seconds(window)),
            max,
        });
        if !self.store.issue_sign_in_code(&record, &limits).await? {
            tracing::warn!("no sign-in code sent: the mailbox had its share of codes lately");
            return Ok(Started::MailboxLimitReached);
        }

        let mail = CodeMail {
            to: mailbox.clone(),
            code,
            language,
            valid_minutes: CODE_LIFETIME.as_secs() / 60,
        };
        Ok(Started::Sending(tokio::spawn(deliver(
            Arc::clone(&self.mailer),
            mail,
        ))))
    }

    /// Checks a code typed on `device` for `mailbox` and uses it up. Wrong, expired, used or
    /// tried too often: [`Error::InvalidCode`], without saying which.
    pub async fn verify(
        &self,
        mailbox: &Address,
        device: &DeviceId,
        typed: &str,
    ) -> Result<(), Error> {
        let code = normalise(typed)?;
        let mailbox_hash = self.vault.lookup(Purpose::Mailbox, mailbox.as_str());
        let now = self.clock.unix_now();
        let live = self
            .store
            .claim_sign_in_attempt(&mailbox_hash, now, MAX_ATTEMPTS)
            .await?
            .ok_or(Error::InvalidCode)?;
        if !constant_time_eq(&live.code_hash, &self.code_hash(mailbox, device, &code)) {
            if live.attempts >= MAX_ATTEMPTS {
                tracing::warn!(
                    "a sign-in code was tried wrongly {MAX_ATTEMPTS} times; it no longer works"
                );
            }
            return Err(Error::InvalidCode);
        }
        // Of concurrent sign-ins with one code, only the one that removes it succeeds.
        if !self
            .store
            .consume_sign_in_code(&mailbox_hash, &live.code_hash)
            .await?
        {
            return Err(Error::InvalidCode);
        }
        Ok(())
    }

    fn in_organisation(&self, mailbox: &Address) -> bool {
        self.domains.is_empty()
            || self
                .domains
                .iter()
                .any(|domain| domain.as_str() == mailbox.domain())
    }

    /// Device ids are `A–Z a–z 0–9 - _` and codes digits, so the line breaks keep the three
    /// parts apart.
    fn code_hash(&self, mailbox: &Address, device: &DeviceId, code: &str) -> [u8; 32] {
        let bound = format!("{}\n{}\n{code}", mailbox.as_str(), device.as_str());
        self.vault.lookup(Purpose::SignInCode, &bound)
    }
}

/// Where codes are written when no `smtp.url` is set.
pub fn outbox_dir(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join(OUTBOX_DIR)
}

/// Hands the e-mail on and logs the outcome: where it went, never to whom or with what code.
async fn deliver(mailer: Arc<dyn Mailer>, mail: CodeMail) {
    match tokio::time::timeout(SEND_TIMEOUT, mailer.send(&mail)).await {
        Ok(Ok(Delivery::Smtp)) => {
            tracing::info!("sign-in code e-mail handed to the SMTP server");
        }
        Ok(Ok(Delivery::Outbox(path))) => {
            tracing::info!(
                path = %path.display(),
                "smtp.url is not set: the sign-in code e-mail was written to the outbox"
            );
        }
        Ok(Err(error)) => tracing::error!(%error, "the sign-in code e-mail was not sent"),
        Err(_) => tracing::error!(
            "the sign-in code e-mail was not sent: the SMTP server took longer than {}s",
            SEND_TIMEOUT.as_secs()
        ),
    }
}

/// `CODE_DIGITS` uniform random digits, leading zeros kept.
fn new_code() -> String {
    let mut rng = rand::rngs::OsRng;
    (0..CODE_DIGITS)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

/// The code as typed, without the spaces or dashes a copy from the e-mail may bring along.
fn normalise(typed: &str) -> Result<String, Error> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if code.len() == CODE_DIGITS && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code)
    } else {
        Err(Error::BadRequest {
            code: "invalid-code-format",
            message: format!("the code is {CODE_DIGITS} digits"),
        })
    }
}

fn seconds(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}
