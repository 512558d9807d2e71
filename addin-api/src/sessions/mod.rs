//! Sessions (SPEC §8): what a sign-in yields and every other call presents.
//!
//! A session token is 256 random bits, handed out once and stored only as its SHA-256. It is
//! bound to the mailbox and to the device id the panel keeps in the browser: presented with
//! another device id it is refused. It lapses after `auth.reverify_after` without use, and
//! each use slides that window. An Entra ID session also lapses `auth.entra.revalidate_after`
//! after its access token was checked: the panel then shows a fresh one (silently), so a user
//! disabled in Entra ID is out within that time. A session of another method than
//! `auth.method` is ended: changing the method signs everyone in anew.

mod cache;

use std::sync::Arc;

use addin_core::{
    address::Address,
    policy::{AuthMethod, AuthSettings},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as BASE64URL};
use rand::RngCore;

/// How long an ending on another instance (or by `sendsecure sessions revoke`) may take.
pub use self::cache::FRESH_SECS as SESSION_CACHE_SECS;
use self::cache::{CachedSession, SessionCache};
use crate::{
    Error,
    clock::Clock,
    store::{Digest, SessionRecord, Store},
    vault::{Purpose, Vault, sha256},
};

/// Writing `last_used_at` on every request would make each check a database write; a minute
/// of slack on a 30-day window costs nothing.
const TOUCH_INTERVAL_SECS: i64 = 60;

/// A signed-in user, as handlers see it.
#[derive(Clone, Debug)]
pub struct Session {
    /// The user's own mailbox.
    pub mailbox: Address,
    /// Its keyed hash: the audit trail's and an admin's handle on the user.
    pub mailbox_hash: Digest,
    /// Whose saved numbers and settings these are: the mailbox, or for Entra ID the account
    /// (tenant and object id), which a renamed mailbox keeps.
    pub owner_hash: Digest,
    pub method: AuthMethod,
    pub token_hash: Digest,
    /// The browser the session belongs to: it keys the send token's coverage digest.
    pub device: DeviceId,
    /// Unix seconds.
    pub expires_at: i64,
}

/// How the user proved who they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Proof {
    EmailCode,
    Entra(EntraAccount),
}

/// An Entra ID account, by the ids Microsoft never reassigns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntraAccount {
    /// `tid`, lower case.
    pub tenant: String,
    /// `oid`, lower case.
    pub object: String,
}

impl Proof {
    fn method(&self) -> AuthMethod {
        match self {
            Self::EmailCode => AuthMethod::EmailCode,
            Self::Entra(_) => AuthMethod::EntraId,
        }
    }
}

/// What [`Sessions::revoke_mailbox`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Revoked {
    pub sessions: u64,
    pub pending_codes: u64,
    pub devices: u64,
}

impl std::fmt::Display for Revoked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural =
            |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        write!(
            f,
            "ended {} of the mailbox, voided {}, forgot {}",
            plural(self.sessions, "session", "sessions"),
            plural(
                self.pending_codes,
                "pending sign-in code",
                "pending sign-in codes"
            ),
            plural(self.devices, "device", "devices"),
        )
    }
}

/// The browser's device id: 16–128 characters of `A–Z a–z 0–9 - _` (the panel makes a random
/// one and keeps it in local storage).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceId(String);

impl DeviceId {
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let valid = (16..=128).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(Error::BadRequest {
                code: "invalid-device-id",
                message: "device_id must be 16 to 128 letters, digits, '-' or '_'".into(),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> Digest {
        sha256(self.0.as_bytes())
    }
}

#[derive(Debug)]
pub struct Sessions {
    store: Arc<dyn Store>,
    vault: Arc<Vault>,
    clock: Arc<dyn Clock>,
    method: AuthMethod,
    idle_secs: i64,
    revalidate_secs: i64,
    cache: SessionCache,
}

impl Sessions {
    /// Sessions under the policy's `auth` settings.
    pub fn new(
        store: Arc<dyn Store>,
        vault: Arc<Vault>,
        clock: Arc<dyn Clock>,
        auth: &AuthSettings,
    ) -> Self {
        let secs = |interval: addin_core::policy::Interval| {
            i64::try_from(interval.duration().as_secs()).unwrap_or(i64::MAX)
        };
        Self {
            store,
            vault,
            clock,
            method: auth.method,
            idle_secs: secs(auth.reverify_after),
            revalidate_secs: secs(auth.entra.revalidate_after),
            cache: SessionCache::default(),
        }
    }

    /// Starts a session after a successful sign-in; returns the token (shown once) and when
    /// it lapses.
    pub async fn issue(
        &self,
        mailbox: &Address,
        device: &DeviceId,
        proof: Proof,
    ) -> Result<(String, i64), Error> {
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let token = BASE64URL.encode(secret);
        let token_hash = sha256(token.as_bytes());
        let now = self.clock.unix_now();
        let mailbox_hash = self.vault.lookup(Purpose::Mailbox, mailbox.as_str());
        let owner_hash = match &proof {
            Proof::EmailCode => mailbox_hash,
            Proof::Entra(account) => self.vault.lookup(
                Purpose::EntraAccount,
                &format!("{}/{}", account.tenant, account.object),
            ),
        };
        let record = SessionRecord {
            token_hash,
            device_hash: device.hash(),
            mailbox_hash,
            owner_hash,
            mailbox_sealed: self.vault.seal(mailbox.as_str().as_bytes(), &token_hash),
            method: method_name(proof.method()).into(),
            created_at: now,
            last_used_at: now,
            validated_at: now,
        };
        self.store.insert_session(&record).await?;
        Ok((token, self.lapses_at(&record, proof.method())))
    }

    /// The session for a bearer token presented with a device id; slides its window.
    pub async fn authenticate(&self, token: &str, device_id: &str) -> Result<Session, Error> {
        let token_hash = sha256(token.as_bytes());
        let device = DeviceId::parse(device_id).map_err(|_| Error::Unauthorized)?;
        let now = self.clock.unix_now();
        let session = match self.cache.get(&token_hash, now) {
            // A session that seems lapsed may have been used on another instance since.
            Some(cached) if now < self.lapses_at(&cached.record, self.method) => cached,
            _ => self.read(&token_hash, now).await?,
        };
        let CachedSession {
            record, mailbox, ..
        } = session;
        if !constant_time_eq(&record.device_hash, &device.hash()) {
            return Err(Error::Unauthorized);
        }
        if now.saturating_sub(record.last_used_at) >= TOUCH_INTERVAL_SECS {
            self.store.touch_session(&token_hash, now).await?;
            self.cache.touched(&token_hash, now);
        }
        let last_used_at = now.max(record.last_used_at);
        Ok(Session {
            mailbox,
            mailbox_hash: record.mailbox_hash,
            owner_hash: record.owner_hash,
            method: self.method,
            token_hash,
            device,
            expires_at: self.lapses_at(
                &SessionRecord {
                    last_used_at,
                    ..record
                },
                self.method,
            ),
        })
    }

    /// A session from the store, still valid under the policy at `now`, into the cache; a
    /// lapsed one, or one of another sign-in method, is ended.
    async fn read(&self, token_hash: &Digest, now: i64) -> Result<CachedSession, Error> {
        let record = self
            .store
            .find_session(token_hash)
            .await?
            .ok_or(Error::Unauthorized)?;
        let method = parse_method(&record.method)
            .ok_or_else(|| Error::internal("a session has an unknown sign-in method"))?;
        if method != self.method || now >= self.lapses_at(&record, method) {
            self.store.delete_session(token_hash).await?;
            self.cache.remove(token_hash);
            return Err(Error::Unauthorized);
        }
        let mailbox = self
            .vault
            .open(&record.mailbox_sealed, token_hash)
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| Address::parse(&text).ok())
            .ok_or_else(|| {
                Error::internal("a session's mailbox does not open with the data key")
            })?;
        let session = CachedSession::new(record, mailbox, now);
        self.cache.insert(session.clone());
        Ok(session)
    }

    /// When a session lapses: idle too long, or (Entra ID) its token checked too long ago.
    fn lapses_at(&self, record: &SessionRecord, method: AuthMethod) -> i64 {
        let idle = record.last_used_at.saturating_add(self.idle_secs);
        match method {
            AuthMethod::EmailCode => idle,
            AuthMethod::EntraId => {
                idle.min(record.validated_at.saturating_add(self.revalidate_secs))
            }
        }
    }

    pub async fn end(&self, session: &Session) -> Result<(), Error> {
        self.cache.remove(&session.token_hash);
        Ok(self.store.delete_session(&session.token_hash).await?)
    }

    /// Ends the sessions of another sign-in method than the policy's (at start-up, after an
    /// admin changed `auth.method`); returns how many.
    pub async fn end_other_methods(&self) -> Result<u64, Error> {
        self.cache.clear();
        Ok(self
            .store
            .delete_sessions_not_of(method_name(self.method))
            .await?)
    }

    /// Ends every session of a mailbox (an admin's `sendsecure sessions revoke`), voids its
    /// pending sign-in codes, and forgets its devices (a lost laptop must not keep the
    /// standing of a device that signed in before).
    pub async fn revoke_mailbox(&self, mailbox: &Address) -> Result<Revoked, Error> {
        let owner = self.vault.lookup(Purpose::Mailbox, mailbox.as_str());
        self.cache.clear();
        Ok(Revoked {
            sessions: self.store.delete_sessions_of(&owner).await?,
            pending_codes: self.store.delete_sign_in_codes_of(&owner).await?,
            devices: self.store.forget_devices_of(&owner).await?,
        })
    }

    /// The sessions of a mailbox (an admin's `sendsecure sessions list`), most recently used
    /// first.
    pub async fn list_mailbox(&self, mailbox: &Address) -> Result<Vec<SessionSummary>, Error> {
        let mailbox_hash = self.vault.lookup(Purpose::Mailbox, mailbox.as_str());
        Ok(self
            .store
            .list_sessions_of(&mailbox_hash)
            .await?
            .into_iter()
            .map(|record| SessionSummary {
                device: record.device_hash[..4]
                    .iter()
                    .map(|byte| format!("{byte:02x}"))
                    .collect(),
                method: record.method,
                created_at: record.created_at,
                last_used_at: record.last_used_at,
            })
            .collect())
    }
}

/// A session as an admin sees it: which device (the first 8 hex digits of its id's SHA-256,
/// the same for every session of one browser), how it signed in, when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionSummary {
    pub device: String,
    pub method: String,
    pub created_at: i64,
    pub last_used_at: i64,
}

fn method_name(method: AuthMethod) -> &'static str {
    match method {
        AuthMethod::EmailCode => "email-code",
        AuthMethod::EntraId => "entra-id",
    }
}

fn parse_method(name: &str) -> Option<AuthMethod> {
    [AuthMethod::EmailCode, AuthMethod::EntraId]
        .into_iter()
        .find(|m| method_name(*m) == name)
}

/// Compares secrets' hashes without an early exit, so the time taken tells nothing.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use addin_core::policy::Interval;

    use super::*;
    use crate::{clock::ManualClock, store::SqliteStore};

    const DAY: Duration = Duration::from_secs(24 * 3600);
    const HOUR: Duration = Duration::from_secs(3600);
    const DEVICE: &str = "device-0123456789abcdef";

    struct Fixture {
        store: Arc<dyn Store>,
        clock: Arc<ManualClock>,
    }

    impl Fixture {
        async fn new() -> Self {
            Self {
                store: Arc::new(SqliteStore::in_memory().await.expect("store")),
                clock: Arc::new(ManualClock::new(
                    UNIX_EPOCH + Duration::from_secs(1_800_000_000),
                )),
            }
        }

        /// Sessions under `method`, 30 days idle, Entra ID revalidated every 24 hours.
        fn sessions(&self, method: AuthMethod) -> Sessions {
            let auth = AuthSettings {
                method,
                reverify_after: Interval::from_secs(30 * 86_400),
                ..AuthSettings::default()
            };
            Sessions::new(
                Arc::clone(&self.store),
                Arc::new(Vault::new(&[9; 32])),
                self.clock.clone(),
                &auth,
            )
        }
    }

    fn mailbox() -> Address {
        Address::parse("a.jansen@huisartsen-oost.nl").expect("valid")
    }

    fn device() -> DeviceId {
        DeviceId::parse(DEVICE).expect("valid")
    }

    fn entra(object: &str) -> Proof {
        Proof::Entra(EntraAccount {
            tenant: "11111111-1111-1111-1111-111111111111".into(),
            object: object.into(),
        })
    }

    /// A session for [`mailbox`] on [`device`], signed in with an e-mail code: its token.
    async fn email_session(sessions: &Sessions) -> String {
        sessions
            .issue(&mailbox(), &device(), Proof::EmailCode)
            .await
            .expect("issued")
            .0
    }

    #[track_caller]
    fn assert_signed_out(result: Result<Session, Error>) {
        assert!(matches!(result, Err(Error::Unauthorized)), "{result:?}");
    }

    #[tokio::test]
    async fn a_session_works_only_with_its_device() {
        let f = Fixture::new().await;
        let sessions = f.sessions(AuthMethod::EmailCode);
        let token = email_session(&sessions).await;
        let session = sessions.authenticate(&token, DEVICE).await.expect("valid");
        assert_eq!(session.mailbox, mailbox());
        assert_eq!(session.method, AuthMethod::EmailCode);
        assert_eq!(
            session.owner_hash, session.mailbox_hash,
            "the mailbox owns its numbers"
        );
        assert_signed_out(
            sessions
                .authenticate(&token, "another-device-0123456")
                .await,
        );
        assert_signed_out(sessions.authenticate("forged-token", DEVICE).await);
    }

    #[tokio::test]
    async fn use_slides_the_window_and_idleness_ends_it() {
        let f = Fixture::new().await;
        let sessions = f.sessions(AuthMethod::EmailCode);
        let (token, expires_at) = sessions
            .issue(&mailbox(), &device(), Proof::EmailCode)
            .await
            .expect("issued");
        assert_eq!(expires_at, f.clock.unix_now() + 30 * 86_400);

        f.clock.advance(29 * DAY);
        let slid = sessions
            .authenticate(&token, DEVICE)
            .await
            .expect("day 29 still works");
        assert_eq!(
            slid.expires_at,
            f.clock.unix_now() + 30 * 86_400,
            "the window slid"
        );

        f.clock.advance(29 * DAY);
        sessions
            .authenticate(&token, DEVICE)
            .await
            .expect("29 days after the last use");

        f.clock.advance(30 * DAY + Duration::from_secs(1));
        assert_signed_out(sessions.authenticate(&token, DEVICE).await);
        f.clock.advance(Duration::from_secs(1));
        assert_signed_out(sessions.authenticate(&token, DEVICE).await);
    }

    #[tokio::test]
    async fn an_entra_session_lapses_a_day_after_its_token_was_checked() {
        let f = Fixture::new().await;
        let sessions = f.sessions(AuthMethod::EntraId);
        let (token, expires_at) = sessions
            .issue(
                &mailbox(),
                &device(),
                entra("2c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"),
            )
            .await
            .expect("issued");
        assert_eq!(expires_at, f.clock.unix_now() + 86_400);

        f.clock.advance(23 * HOUR);
        let session = sessions
            .authenticate(&token, DEVICE)
            .await
            .expect("within the day");
        assert_eq!(
            session.expires_at,
            f.clock.unix_now() + 3600,
            "use does not slide past the revalidation"
        );
        f.clock.advance(HOUR);
        assert_signed_out(sessions.authenticate(&token, DEVICE).await);
    }

    #[tokio::test]
    async fn an_entra_account_owns_its_numbers_whatever_its_address() {
        let f = Fixture::new().await;
        let sessions = f.sessions(AuthMethod::EntraId);
        let object = "2c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
        let renamed = Address::parse("a.jansen-devries@huisartsen-oost.nl").expect("valid");
        let mut owners = Vec::new();
        for (address, proof) in [
            (mailbox(), entra(object)),
            (renamed, entra(object)),
            (mailbox(), entra("3c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f")),
        ] {
            let (token, _) = sessions
                .issue(&address, &device(), proof)
                .await
                .expect("issued");
            let session = sessions.authenticate(&token, DEVICE).await.expect("valid");
            assert_ne!(session.owner_hash, session.mailbox_hash);
            owners.push(session.owner_hash);
        }
        assert_eq!(owners[0], owners[1], "renamed, the same account");
        assert_ne!(owners[0], owners[2], "another account at the same address");
    }

    #[tokio::test]
    async fn changing_the_sign_in_method_ends_the_other_methods_sessions() {
        let f = Fixture::new().await;
        let before = f.sessions(AuthMethod::EmailCode);
        let (by_code, _) = before
            .issue(&mailbox(), &device(), Proof::EmailCode)
            .await
            .expect("issued");
        let (by_entra, _) = before
            .issue(
                &mailbox(),
                &device(),
                entra("2c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"),
            )
            .await
            .expect("issued");
        assert_signed_out(before.authenticate(&by_entra, DEVICE).await);

        let after = f.sessions(AuthMethod::EntraId);
        let (again, _) = after
            .issue(
                &mailbox(),
                &device(),
                entra("2c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"),
            )
            .await
            .expect("issued");
        assert_eq!(after.end_other_methods().await.expect("ends"), 1);
        assert_signed_out(after.authenticate(&by_code, DEVICE).await);
        after
            .authenticate(&again, DEVICE)
            .await
            .expect("its own method");
    }

    #[tokio::test]
    async fn logout_and_revocation_end_sessions() {
        let f = Fixture::new().await;
        let sessions = f.sessions(AuthMethod::EmailCode);
        let issue = |address: Address| {
            let sessions = &sessions;
            async move {
                sessions
                    .issue(&address, &device(), Proof::EmailCode)
                    .await
                    .expect("issued")
                    .0
            }
        };
        let first = issue(mailbox()).await;
        let second = issue(mailbox()).await;
        let others = issue(Address::parse("b@huisartsen-oost.nl").expect("valid")).await;

        let session = sessions.authenticate(&first, DEVICE).await.expect("valid");
        sessions.authenticate(&second, DEVICE).await.expect("valid");
        sessions.end(&session).await.expect("ends");
        assert_signed_out(sessions.authenticate(&first, DEVICE).await);

        assert_eq!(
            sessions
                .list_mailbox(&mailbox())
                .await
                .expect("lists")
                .len(),
            1
        );
        assert_eq!(
            sessions
                .revoke_mailbox(&mailbox())
                .await
                .expect("revokes")
                .sessions,
            1
        );
        assert_signed_out(sessions.authenticate(&second, DEVICE).await);
        sessions
            .authenticate(&others, DEVICE)
            .await
            .expect("untouched");
        assert!(
            sessions
                .list_mailbox(&mailbox())
                .await
                .expect("lists")
                .is_empty()
        );
    }

    /// Two instances over one database: a session ended on one is refused by the other once
    /// its cached copy is [`cache::FRESH_SECS`] old, and not a second later than that.
    #[tokio::test]
    async fn an_ending_elsewhere_takes_effect_within_seconds() {
        let f = Fixture::new().await;
        let here = f.sessions(AuthMethod::EmailCode);
        let elsewhere = f.sessions(AuthMethod::EmailCode);
        let token = email_session(&here).await;
        here.authenticate(&token, DEVICE).await.expect("valid");

        elsewhere.revoke_mailbox(&mailbox()).await.expect("revokes");
        assert_signed_out(elsewhere.authenticate(&token, DEVICE).await);
        f.clock
            .advance(Duration::from_secs(cache::FRESH_SECS as u64 - 1));
        here.authenticate(&token, DEVICE)
            .await
            .expect("a moment's grace: no database round trip per request");
        f.clock.advance(Duration::from_secs(1));
        assert_signed_out(here.authenticate(&token, DEVICE).await);
    }

    #[tokio::test]
    async fn a_cached_session_still_needs_its_device_and_slides() {
        let f = Fixture::new().await;
        let sessions = f.sessions(AuthMethod::EmailCode);
        let token = email_session(&sessions).await;
        let first = sessions.authenticate(&token, DEVICE).await.expect("valid");
        assert_signed_out(
            sessions
                .authenticate(&token, "another-device-0123456")
                .await,
        );
        f.clock
            .advance(Duration::from_secs(TOUCH_INTERVAL_SECS as u64));
        let later = sessions.authenticate(&token, DEVICE).await.expect("valid");
        assert_eq!(later.expires_at, first.expires_at + TOUCH_INTERVAL_SECS);
        let stored = f
            .store
            .find_session(&later.token_hash)
            .await
            .expect("reads")
            .expect("kept");
        assert_eq!(stored.last_used_at, f.clock.unix_now(), "the use is stored");
    }

    #[test]
    fn device_ids_are_validated() {
        assert!(DeviceId::parse(DEVICE).is_ok());
        for bad in ["", "short", "with space 0123456789", &"x".repeat(129)] {
            assert!(DeviceId::parse(bad).is_err(), "{bad:?}");
        }
    }
}
