//! Signing in with an e-mail code (SPEC §8): the user proves they read the mailbox by typing
//! the code mailed to it into the panel that asked for it.
//!
//! * A code is 8 digits from the operating system's CSPRNG, valid 15 minutes, good for one
//!   sign-in. It belongs to the mailbox **and the device** (panel) that asked for it: a new
//!   code voids that device's old one, and each code takes at most 5 tries, after which even
//!   the right code is refused. Another device — a stranger who knows the address — can
//!   neither void nor burn it: its requests and its wrong guesses touch only its own code.
//! * It is stored only as a keyed hash (the data key's HMAC) over mailbox, device and code:
//!   a database copy without the key cannot be searched through the 10⁸ codes.
//! * Codes are only mailed to the organisation's own domains (`organisation.domains`), so
//!   the server cannot be made to mail strangers.
//!
//! Limits, counted in the database so every instance shares them (clients by network: an
//! IPv4 address, an IPv6 /64), and why these numbers:
//! * Per mailbox and device, 3 codes in any 15 minutes and 10 a day: a user needs one code,
//!   sometimes a second when the first is slow or mistyped; a third within a code's lifetime
//!   is the last honest retry.
//! * Per client network, 20 code requests in any 15 minutes and 30 wrong codes: a practice
//!   shares one address behind its router and rarely has more than a few people signing in
//!   at once; one machine cannot run through many mailboxes.
//! * A device that has not signed in to the mailbox in the last 180 days ("new") is also
//!   held to 10 codes and 20 wrong codes a day per mailbox from its network, and to 100
//!   codes and 100 wrong codes a day per mailbox from everywhere. These bound what anyone can
//!   make the server mail to one colleague, and the guesses at one mailbox's codes: at most
//!   100 a day at 10⁸ codes, one chance in a million a day. A stranger can use them up, so
//!   they do not apply to devices that signed in before: the owner's own panels (the usual
//!   case, signing in again after 30 days) cannot be locked out, and a stranger on another
//!   network cannot reach the per-network share of the owner's new device either.
//!
//! `start` answers the same whether a code went out or not (not an organisation mailbox, the
//! mail failed): the caller learns nothing about any mailbox. The e-mail is sent in a task of
//! its own, so the answer's timing does not tell either. A limit is refused openly (429 with
//! `Retry-After`): it says something about the caller and the device, and the same limits
//! apply to every address in the organisation's domains, existing or not.

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
    client_limit::network_of,
    clock::Clock,
    config::ServeArgs,
    mailer::{self, CodeMail, Delivery, Mailer},
    sessions::{DeviceId, constant_time_eq},
    store::{Digest, RateLimit, SignInCodeRecord, Store},
    vault::{Purpose, Vault},
};

/// Digits in a code: 10⁸ codes against at most 100 guesses a day (see the module doc).
const CODE_DIGITS: usize = 8;
const CODE_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// Tries per code, right or wrong.
const MAX_ATTEMPTS: i64 = 5;
const QUARTER: Duration = Duration::from_secs(15 * 60);
const DAY: Duration = Duration::from_secs(24 * 3600);
/// `(window, max)` per what is counted; see the module doc.
const CODES_PER_DEVICE: [(Duration, i64); 2] = [(QUARTER, 3), (DAY, 10)];
const REQUESTS_PER_NETWORK: (Duration, i64) = (QUARTER, 20);
const NEW_DEVICE_CODES_PER_NETWORK: (Duration, i64) = (DAY, 10);
const NEW_DEVICE_CODES_PER_MAILBOX: (Duration, i64) = (DAY, 100);
const WRONG_CODES_PER_NETWORK: (Duration, i64) = (QUARTER, 30);
const NEW_DEVICE_WRONG_CODES_PER_NETWORK: (Duration, i64) = (DAY, 20);
const NEW_DEVICE_WRONG_CODES_PER_MAILBOX: (Duration, i64) = (DAY, 100);
/// A device that signed in to a mailbox is "known" to it for this long after.
const KNOWN_DEVICE_FOR: Duration = Duration::from_secs(180 * 24 * 3600);
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
    /// Codes go only to these domains.
    domains: Vec<Domain>,
}

/// What [`EmailCodes::start`] did. The HTTP answer is the same for each (see the module doc);
/// tests and logs tell them apart.
#[derive(Debug)]
pub enum Started {
    /// A code was made; the task ends once its e-mail was handed on, or failed.
    Sending(tokio::task::JoinHandle<()>),
    /// The mailbox is outside `organisation.domains`: nothing was sent.
    OutsideOrganisation,
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
        // Fail closed: without them, anyone could have codes mailed anywhere.
        if policy.organisation.domains.is_empty() {
            return Err(Error::InvalidConfig {
                key: "organisation.domains",
                problem: "must name the organisation's mail domains when auth.method is \
                          \"email-code\": sign-in codes are mailed only there"
                    .into(),
            });
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

    /// Mails a new code to `mailbox` for `device`, unless a limit says no
    /// ([`Error::TooManyRequests`]).
    pub async fn start(
        &self,
        mailbox: &Address,
        device: &DeviceId,
        client: IpAddr,
        language: Language,
    ) -> Result<Started, Error> {
        let now = self.clock.unix_now();
        let network = network_of(client).to_string();
        self.take(
            &[self.limit(REQUESTS_PER_NETWORK, &["request", &network])],
            now,
        )
        .await?;
        if !self.in_organisation(mailbox) {
            tracing::info!("no sign-in code sent: the mailbox is not in organisation.domains");
            return Ok(Started::OutsideOrganisation);
        }

        let who = Who::new(self, mailbox, device, now).await?;
        let mut limits: Vec<RateLimit> = CODES_PER_DEVICE
            .iter()
            .map(|per| self.limit(*per, &["code", mailbox.as_str(), device.as_str()]))
            .collect();
        if !who.known {
            limits.push(self.limit(
                NEW_DEVICE_CODES_PER_NETWORK,
                &["code", mailbox.as_str(), &network],
            ));
            limits.push(self.limit(NEW_DEVICE_CODES_PER_MAILBOX, &["code", mailbox.as_str()]));
        }
        self.take(&limits, now).await?;

        let code = new_code();
        self.store
            .put_sign_in_code(&SignInCodeRecord {
                mailbox_hash: who.mailbox_hash,
                device_hash: who.device_hash,
                code_hash: self.code_hash(mailbox, device, &code),
                created_at: now,
                expires_at: now.saturating_add(seconds(CODE_LIFETIME)),
                attempts: 0,
            })
            .await?;
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
    /// tried too often: [`Error::InvalidCode`], without saying which; too many wrong codes
    /// from here: [`Error::TooManyRequests`].
    pub async fn verify(
        &self,
        mailbox: &Address,
        device: &DeviceId,
        typed: &str,
        client: IpAddr,
    ) -> Result<(), Error> {
        let code = normalise(typed)?;
        let now = self.clock.unix_now();
        let network = network_of(client).to_string();
        let who = Who::new(self, mailbox, device, now).await?;
        let wrong_codes = [
            self.limit(WRONG_CODES_PER_NETWORK, &["wrong", &network]),
            self.limit(
                NEW_DEVICE_WRONG_CODES_PER_NETWORK,
                &["wrong", mailbox.as_str(), &network],
            ),
            self.limit(
                NEW_DEVICE_WRONG_CODES_PER_MAILBOX,
                &["wrong", mailbox.as_str()],
            ),
        ];
        // A device that signed in before answers only to the per-network limit.
        let applying = if who.known {
            &wrong_codes[..1]
        } else {
            &wrong_codes[..]
        };
        if let Some(room_at) = self.store.rate_exceeded(applying, now).await? {
            tracing::warn!("a sign-in code check was refused: too many wrong codes");
            return Err(too_many(room_at, now));
        }

        let live = self
            .store
            .claim_sign_in_attempt(&who.mailbox_hash, &who.device_hash, now, MAX_ATTEMPTS)
            .await?;
        let right = live.as_ref().is_some_and(|live| {
            constant_time_eq(&live.code_hash, &self.code_hash(mailbox, device, &code))
        });
        if !right {
            // Every wrong code counts against the mailbox too, whichever device typed it.
            let buckets = wrong_codes.map(|limit| limit.bucket);
            self.store.record_rate(&buckets, now).await?;
            if live.is_some_and(|live| live.attempts >= MAX_ATTEMPTS) {
                tracing::warn!(
                    "a sign-in code was tried wrongly {MAX_ATTEMPTS} times; it no longer works"
                );
            }
            return Err(Error::InvalidCode);
        }
        let live = live.unwrap_or_else(|| unreachable!("a right code is a live one"));
        // Of concurrent sign-ins with one code, only the one that removes it succeeds.
        if !self
            .store
            .consume_sign_in_code(&who.mailbox_hash, &who.device_hash, &live.code_hash)
            .await?
        {
            return Err(Error::InvalidCode);
        }
        self.store
            .note_known_device(&who.mailbox_hash, &who.device_hash, now)
            .await?;
        Ok(())
    }

    /// A limit on what `parts` name.
    fn limit(&self, (window, max): (Duration, i64), parts: &[&str]) -> RateLimit {
        RateLimit {
            bucket: self.bucket(parts),
            window: seconds(window),
            max,
        }
    }

    /// The keyed hash a limit counts under; the parts never contain a line break (addresses,
    /// device ids and networks cannot).
    fn bucket(&self, parts: &[&str]) -> Digest {
        self.vault.lookup(
            Purpose::RateLimit,
            &format!("sign-in\n{}", parts.join("\n")),
        )
    }

    async fn take(&self, limits: &[RateLimit], now: i64) -> Result<(), Error> {
        match self.store.take_rate(limits, now).await? {
            None => Ok(()),
            Some(room_at) => {
                tracing::warn!("a sign-in code request was refused: a limit is reached");
                Err(too_many(room_at, now))
            }
        }
    }

    fn in_organisation(&self, mailbox: &Address) -> bool {
        self.domains
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

/// The mailbox and device as the store knows them, and whether the device signed in to the
/// mailbox before.
struct Who {
    mailbox_hash: Digest,
    device_hash: Digest,
    known: bool,
}

impl Who {
    async fn new(
        codes: &EmailCodes,
        mailbox: &Address,
        device: &DeviceId,
        now: i64,
    ) -> Result<Self, Error> {
        let mailbox_hash = codes.vault.lookup(Purpose::Mailbox, mailbox.as_str());
        let device_hash = device.hash();
        let known = codes
            .store
            .is_known_device(
                &mailbox_hash,
                &device_hash,
                now.saturating_sub(seconds(KNOWN_DEVICE_FOR)),
            )
            .await?;
        Ok(Self {
            mailbox_hash,
            device_hash,
            known,
        })
    }
}

fn too_many(room_at: i64, now: i64) -> Error {
    Error::TooManyRequests {
        retry_after: room_at.saturating_sub(now).max(1),
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
