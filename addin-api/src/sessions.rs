//! Sessions (SPEC §8): what a sign-in yields and every other call presents.
//!
//! A session token is 256 random bits, handed out once and stored only as its SHA-256. It is
//! bound to the mailbox and to the device id the panel keeps in the browser: presented with
//! another device id it is refused. It lapses after `auth.reverify_after` without use, and
//! each use slides that window.

use std::{sync::Arc, time::Duration};

use addin_core::{address::Address, policy::AuthMethod};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as BASE64URL};
use rand::RngCore;

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
    pub mailbox: Address,
    /// The owner key of the user's pairings and settings.
    pub mailbox_hash: Digest,
    pub method: AuthMethod,
    pub token_hash: Digest,
    /// The browser the session belongs to: it keys the send token's coverage digest.
    pub device: DeviceId,
    /// Unix seconds.
    pub expires_at: i64,
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
    lifetime_secs: i64,
}

impl Sessions {
    pub fn new(
        store: Arc<dyn Store>,
        vault: Arc<Vault>,
        clock: Arc<dyn Clock>,
        reverify_after: Duration,
    ) -> Self {
        let lifetime_secs = i64::try_from(reverify_after.as_secs()).unwrap_or(i64::MAX);
        Self {
            store,
            vault,
            clock,
            lifetime_secs,
        }
    }

    /// Starts a session after a successful sign-in; returns the token (shown once) and when
    /// it lapses.
    pub async fn issue(
        &self,
        mailbox: &Address,
        device: &DeviceId,
        method: AuthMethod,
    ) -> Result<(String, i64), Error> {
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let token = BASE64URL.encode(secret);
        let token_hash = sha256(token.as_bytes());
        let now = self.clock.unix_now();
        let record = SessionRecord {
            token_hash,
            device_hash: device.hash(),
            mailbox_hash: self.vault.lookup(Purpose::Mailbox, mailbox.as_str()),
            mailbox_sealed: self.vault.seal(mailbox.as_str().as_bytes(), &token_hash),
            method: method_name(method).into(),
            created_at: now,
            last_used_at: now,
        };
        self.store.insert_session(&record).await?;
        Ok((token, now.saturating_add(self.lifetime_secs)))
    }

    /// The session for a bearer token presented with a device id; slides its window.
    pub async fn authenticate(&self, token: &str, device_id: &str) -> Result<Session, Error> {
        let token_hash = sha256(token.as_bytes());
        let record = self
            .store
            .find_session(&token_hash)
            .await?
            .ok_or(Error::Unauthorized)?;
        let device = DeviceId::parse(device_id).map_err(|_| Error::Unauthorized)?;
        if !constant_time_eq(&record.device_hash, &device.hash()) {
            return Err(Error::Unauthorized);
        }
        let now = self.clock.unix_now();
        if now.saturating_sub(record.last_used_at) > self.lifetime_secs {
            self.store.delete_session(&token_hash).await?;
            return Err(Error::Unauthorized);
        }
        if now.saturating_sub(record.last_used_at) >= TOUCH_INTERVAL_SECS {
            self.store.touch_session(&token_hash, now).await?;
        }
        let mailbox = self
            .vault
            .open(&record.mailbox_sealed, &token_hash)
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| Address::parse(&text).ok())
            .ok_or_else(|| {
                Error::Internal("a session's mailbox does not open with the data key".into())
            })?;
        let method = parse_method(&record.method)
            .ok_or_else(|| Error::Internal("a session has an unknown sign-in method".into()))?;
        Ok(Session {
            mailbox,
            mailbox_hash: record.mailbox_hash,
            method,
            token_hash,
            device,
            expires_at: now
                .max(record.last_used_at)
                .saturating_add(self.lifetime_secs),
        })
    }

    pub async fn end(&self, session: &Session) -> Result<(), Error> {
        Ok(self.store.delete_session(&session.token_hash).await?)
    }

    /// Ends every session of a mailbox (an admin's `sendsecure sessions revoke`), voids its
    /// pending sign-in codes, and forgets its devices (a lost laptop must not keep the
    /// standing of a device that signed in before).
    pub async fn revoke_mailbox(&self, mailbox: &Address) -> Result<Revoked, Error> {
        let owner = self.vault.lookup(Purpose::Mailbox, mailbox.as_str());
        Ok(Revoked {
            sessions: self.store.delete_sessions_of(&owner).await?,
            pending_codes: self.store.delete_sign_in_codes_of(&owner).await?,
            devices: self.store.forget_devices_of(&owner).await?,
        })
    }
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
    use std::time::UNIX_EPOCH;

    use super::*;
    use crate::{clock::ManualClock, store::SqliteStore};

    const DAY: Duration = Duration::from_secs(24 * 3600);
    const DEVICE: &str = "device-0123456789abcdef";

    struct Fixture {
        sessions: Sessions,
        clock: Arc<ManualClock>,
    }

    async fn fixture() -> Fixture {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory().await.expect("store"));
        let clock = Arc::new(ManualClock::new(
            UNIX_EPOCH + Duration::from_secs(1_800_000_000),
        ));
        let sessions = Sessions::new(
            store,
            Arc::new(Vault::new(&[9; 32])),
            clock.clone(),
            30 * DAY,
        );
        Fixture { sessions, clock }
    }

    fn mailbox() -> Address {
        Address::parse("a.jansen@huisartsen-oost.nl").expect("valid")
    }

    fn device() -> DeviceId {
        DeviceId::parse(DEVICE).expect("valid")
    }

    #[tokio::test]
    async fn a_session_works_only_with_its_device() {
        let f = fixture().await;
        let (token, _) = f
            .sessions
            .issue(&mailbox(), &device(), AuthMethod::EmailCode)
            .await
            .expect("issued");
        let session = f
            .sessions
            .authenticate(&token, DEVICE)
            .await
            .expect("valid");
        assert_eq!(session.mailbox, mailbox());
        assert_eq!(session.method, AuthMethod::EmailCode);
        assert!(matches!(
            f.sessions
                .authenticate(&token, "another-device-0123456")
                .await,
            Err(Error::Unauthorized)
        ));
        assert!(matches!(
            f.sessions.authenticate("forged-token", DEVICE).await,
            Err(Error::Unauthorized)
        ));
    }

    #[tokio::test]
    async fn use_slides_the_window_and_idleness_ends_it() {
        let f = fixture().await;
        let (token, expires_at) = f
            .sessions
            .issue(&mailbox(), &device(), AuthMethod::EmailCode)
            .await
            .expect("issued");
        assert_eq!(expires_at, f.clock.unix_now() + 30 * 86_400);

        f.clock.advance(29 * DAY);
        let slid = f
            .sessions
            .authenticate(&token, DEVICE)
            .await
            .expect("day 29 still works");
        assert_eq!(
            slid.expires_at,
            f.clock.unix_now() + 30 * 86_400,
            "the window slid"
        );

        f.clock.advance(29 * DAY);
        f.sessions
            .authenticate(&token, DEVICE)
            .await
            .expect("29 days after the last use");

        f.clock.advance(30 * DAY + Duration::from_secs(1));
        assert!(matches!(
            f.sessions.authenticate(&token, DEVICE).await,
            Err(Error::Unauthorized)
        ));
        f.clock.advance(Duration::from_secs(1));
        assert!(
            matches!(
                f.sessions.authenticate(&token, DEVICE).await,
                Err(Error::Unauthorized)
            ),
            "and it is gone"
        );
    }

    #[tokio::test]
    async fn logout_and_revocation_end_sessions() {
        let f = fixture().await;
        let (first, _) = f
            .sessions
            .issue(&mailbox(), &device(), AuthMethod::EmailCode)
            .await
            .expect("issued");
        let (second, _) = f
            .sessions
            .issue(&mailbox(), &device(), AuthMethod::EmailCode)
            .await
            .expect("issued");
        let other = Address::parse("b@huisartsen-oost.nl").expect("valid");
        let (others, _) = f
            .sessions
            .issue(&other, &device(), AuthMethod::EntraId)
            .await
            .expect("issued");

        let session = f
            .sessions
            .authenticate(&first, DEVICE)
            .await
            .expect("valid");
        f.sessions.end(&session).await.expect("ends");
        assert!(f.sessions.authenticate(&first, DEVICE).await.is_err());

        assert_eq!(
            f.sessions
                .revoke_mailbox(&mailbox())
                .await
                .expect("revokes")
                .sessions,
            1
        );
        assert!(f.sessions.authenticate(&second, DEVICE).await.is_err());
        assert_eq!(
            f.sessions
                .authenticate(&others, DEVICE)
                .await
                .expect("untouched")
                .method,
            AuthMethod::EntraId
        );
    }

    #[test]
    fn device_ids_are_validated() {
        assert!(DeviceId::parse(DEVICE).is_ok());
        for bad in ["", "short", "with space 0123456789", &"x".repeat(129)] {
            assert!(DeviceId::parse(bad).is_err(), "{bad:?}");
        }
    }
}
