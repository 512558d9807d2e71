//! Send tokens (SPEC §7): the server's signed word that a draft was checked, carried on the
//! mail as the `X-SendSecure-Token` header to the relay (SPEC §13).
//!
//! The header travels with the mail to *every* recipient, so the token names no one: its
//! claims are only `iss`, `aud` (`sendsecure-relay`), `jti`, `iat`, `exp` and `cov`, an
//! opaque digest (see [`crate::coverage`]). What was checked is the dispatch, stored under
//! the `jti` and sealed ([`crate::dispatch`]).
//!
//! The ES256 (ECDSA P-256) key is generated on first start and kept in the data directory. Its
//! `kid` is derived from the public key, so it stays the same across restarts and a verifier
//! that caches the JWKS keeps working.
//!
//! A rollover (`sendsecure keys rotate-send-token`) moves the key to
//! `send-token-key.previous.pem` and puts a new one in its place. Tokens are signed with the
//! new key only; the JWKS publishes both, current first, and the relay accepts either, by
//! `kid`, because Exchange may hand over mail with an older token for up to
//! `relay.accept_within`. After that the previous file can be deleted.

use std::{
    fs, io,
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as BASE64URL};
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind as JwtError,
};
use rand::RngCore;
use rcgen::{KeyPair, PKCS_ECDSA_P256_SHA256};
use serde::{Deserialize, Serialize};

use crate::{Error, clock::unix_seconds, vault};

/// How long a send token is usable at send time after it is issued (SPEC §7). The relay
/// accepts its dispatch for longer (`relay.accept_within`): Exchange queues and retries.
pub const SEND_TOKEN_TTL: Duration = Duration::from_secs(15 * 60);
/// The token's audience: only the relay accepts it.
pub const AUDIENCE: &str = "sendsecure-relay";
/// The signing key's file in the data directory.
pub const KEY_FILE: &str = "send-token-key.pem";
/// Bytes of the public key's SHA-256 that make the `kid`: 96 bits tell our keys apart.
const KID_BYTES: usize = 12;
/// Clocks of instances behind one load balancer may differ a little.
const CLOCK_SKEW: Duration = Duration::from_secs(60);

/// Signs send tokens with the server's key.
pub struct SendTokenSigner {
    issuer: String,
    kid: String,
    key: EncodingKey,
    verifier: SendTokenVerifier,
    /// The current key's JWK, then the previous key's during a rollover.
    jwks: Vec<serde_json::Value>,
}

impl std::fmt::Debug for SendTokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendTokenSigner")
            .field("issuer", &self.issuer)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// A signed token and what the API and the audit log report about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedSendToken {
    /// The compact JWS.
    pub token: String,
    /// The `jti`: the dispatch's key, and the audit log's reference.
    pub id: String,
    /// Unix seconds.
    pub iat: i64,
    /// Unix seconds.
    pub expires_at: i64,
}

/// Every claim a send token has. None of them names a person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendTokenClaims {
    /// The server's public base URL.
    pub iss: String,
    pub aud: String,
    pub jti: String,
    pub iat: i64,
    pub exp: i64,
    /// The coverage digest ([`crate::coverage`]).
    pub cov: String,
}

/// Why the relay does not believe a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenRefusal {
    #[error("the send token is not a well-formed token of this server")]
    Malformed,
    #[error("the send token's signature does not verify")]
    BadSignature,
    #[error("the send token is not meant for the relay")]
    WrongAudience,
    #[error("the send token was issued longer ago than the relay accepts")]
    TooOld,
}

/// A token whose signature, issuer and audience hold, within its time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedToken {
    pub jti: String,
    pub iat: i64,
}

impl SendTokenSigner {
    /// The key in `key_file`, generated there when missing; `true` when it was generated.
    /// Instances behind one load balancer must share the file (`--send-token-key`). The
    /// previous key beside it ([`previous_key_file`]), if any, is published and accepted too.
    pub fn load_or_create(key_file: &Path, issuer: &str) -> Result<(Self, bool), Error> {
        let path = key_file.to_owned();
        let (pem, generated) = match fs::read_to_string(&path) {
            Ok(pem) => (pem, false),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                let pem = generate_pem()?;
                vault::write_private(&path, pem.as_bytes()).map_err(|source| Error::DataDir {
                    path: path.clone(),
                    source,
                })?;
                (pem, true)
            }
            Err(source) => return Err(Error::DataDir { path, source }),
        };
        let current = SigningKey::parse(&pem, &path)?;
        let previous_path = previous_key_file(&path);
        let previous = match fs::read_to_string(&previous_path) {
            Ok(pem) => Some(SigningKey::parse(&pem, &previous_path)?),
            Err(error) if error.kind() == io::ErrorKind::NotFound => None,
            Err(source) => {
                return Err(Error::DataDir {
                    path: previous_path,
                    source,
                });
            }
        }
        .filter(|previous| previous.kid != current.kid);
        let keys: Vec<&SigningKey> = std::iter::once(&current).chain(&previous).collect();
        let signer = Self {
            issuer: issuer.to_owned(),
            kid: current.kid.clone(),
            // rcgen keeps the key as PKCS#8 DER, the form jsonwebtoken (ring) signs with.
            key: EncodingKey::from_ec_der(current.pair.serialized_der()),
            verifier: SendTokenVerifier::new(
                issuer,
                keys.iter()
                    .map(|key| (key.kid.clone(), key.public.clone()))
                    .collect(),
            ),
            jwks: keys.iter().map(|key| key.jwk.clone()).collect(),
        };
        Ok((signer, generated))
    }

    /// Signs a token for a checked draft whose coverage digest is `coverage`.
    pub fn issue(&self, coverage: String, now: SystemTime) -> Result<IssuedSendToken, Error> {
        let iat = unix_seconds(now);
        let exp = iat.saturating_add_unsigned(SEND_TOKEN_TTL.as_secs());
        let mut id = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut id);
        let claims = SendTokenClaims {
            iss: self.issuer.clone(),
            aud: AUDIENCE.into(),
            jti: BASE64URL.encode(id),
            iat,
            exp,
            cov: coverage,
        };
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        let token = jsonwebtoken::encode(&header, &claims, &self.key)
            .map_err(|error| Error::internal_from("cannot sign a send token", error))?;
        Ok(IssuedSendToken {
            token,
            id: claims.jti,
            iat,
            expires_at: exp,
        })
    }

    /// The public keys as a JWK Set, for `/.well-known/jwks.json`: the current key, then the
    /// previous one during a rollover.
    pub fn jwks(&self) -> serde_json::Value {
        serde_json::json!({ "keys": self.jwks })
    }

    /// The `kid`s of the keys tokens are accepted with, the signing one first.
    pub fn kids(&self) -> Vec<&str> {
        self.verifier
            .keys
            .iter()
            .map(|(kid, _)| kid.as_str())
            .collect()
    }

    /// What the relay checks tokens with: the public key only.
    pub fn verifier(&self) -> &SendTokenVerifier {
        &self.verifier
    }
}

/// A signing key read from its PEM file, with what is published and checked of it.
struct SigningKey {
    kid: String,
    pair: KeyPair,
    public: DecodingKey,
    jwk: serde_json::Value,
}

impl SigningKey {
    fn parse(pem: &str, path: &Path) -> Result<Self, Error> {
        let invalid = |problem: String| Error::InvalidConfig {
            key: "send_token_key",
            problem: format!(
                "({}) {problem}; delete the file to generate a new key",
                path.display()
            ),
        };
        let pair = KeyPair::from_pem(pem)
            .map_err(|error| invalid(format!("is not a PKCS#8 private key in PEM: {error}")))?;
        if !pair.is_compatible(&PKCS_ECDSA_P256_SHA256) {
            return Err(invalid("is not an ECDSA P-256 key".into()));
        }
        // The uncompressed point: 0x04 ‖ x ‖ y, 32 bytes each.
        let point = pair.public_key_raw();
        let (Some(x), Some(y)) = (point.get(1..33), point.get(33..65)) else {
            return Err(invalid("holds a malformed public key".into()));
        };
        let kid = BASE64URL.encode(&vault::sha256(point)[..KID_BYTES]);
        let (x, y) = (BASE64URL.encode(x), BASE64URL.encode(y));
        let public = DecodingKey::from_ec_components(&x, &y)
            .map_err(|error| invalid(format!("holds an unusable public key: {error}")))?;
        let jwk = serde_json::json!({
            "kty": "EC",
            "crv": "P-256",
            "x": x,
            "y": y,
            "kid": kid,
            "alg": "ES256",
            "use": "sig",
        });
        Ok(Self {
            kid,
            pair,
            public,
            jwk,
        })
    }
}

fn generate_pem() -> Result<String, Error> {
    KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)
        .map(|key| key.serialize_pem())
        .map_err(|error| Error::internal_from("cannot generate the send-token key", error))
}

/// Where the previous key of a rollover is kept: beside the key file, e.g.
/// `send-token-key.previous.pem` beside `send-token-key.pem`.
pub fn previous_key_file(key_file: &Path) -> PathBuf {
    let stem = key_file.file_stem().unwrap_or_default().to_string_lossy();
    let name = match key_file.extension() {
        Some(extension) => format!("{stem}.previous.{}", extension.to_string_lossy()),
        None => format!("{stem}.previous"),
    };
    key_file.with_file_name(name)
}

/// A send-token key rollover that was made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rollover {
    /// The `kid` of the key that signed until now.
    pub previous_kid: String,
    pub previous_file: PathBuf,
    /// The `kid` of the new signing key.
    pub current_kid: String,
}

impl std::fmt::Display for Rollover {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "send tokens are signed with the new key {} once the servers restart",
            self.current_kid
        )?;
        write!(
            f,
            "the key {} is kept in {} and still accepted: delete that file once the policy's \
             relay.accept_within has passed since every server restarted",
            self.previous_kid,
            self.previous_file.display()
        )
    }
}

/// Starts a rollover: the key in `key_file` becomes the previous key (replacing an older
/// previous one) and a new key takes its place. Servers read both when they (re)start.
pub fn roll_over(key_file: &Path) -> Result<Rollover, Error> {
    let pem = fs::read_to_string(key_file).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => Error::InvalidConfig {
            key: "send_token_key",
            problem: format!(
                "({}) does not exist: there is no key to roll over (serve makes the first)",
                key_file.display()
            ),
        },
        _ => Error::DataDir {
            path: key_file.to_owned(),
            source,
        },
    })?;
    let previous = SigningKey::parse(&pem, key_file)?;
    let new_pem = generate_pem()?;
    let current = SigningKey::parse(&new_pem, key_file)?;
    let previous_file = previous_key_file(key_file);
    // Each file is written beside its place and renamed into it, so a server starting
    // meanwhile always finds whole keys, and a key file at all times.
    replace_private(&previous_file, pem.as_bytes())?;
    replace_private(key_file, new_pem.as_bytes())?;
    Ok(Rollover {
        previous_kid: previous.kid,
        previous_file,
        current_kid: current.kid,
    })
}

/// Writes `contents` to `path` (owner-only), replacing what is there in one rename.
fn replace_private(path: &Path, contents: &[u8]) -> Result<(), Error> {
    let data_dir_error = |source| Error::DataDir {
        path: path.to_owned(),
        source,
    };
    let mut staged = path.as_os_str().to_owned();
    staged.push(".new");
    let staged = PathBuf::from(staged);
    // Left over from a rollover that was interrupted.
    if let Err(error) = fs::remove_file(&staged)
        && error.kind() != io::ErrorKind::NotFound
    {
        return Err(data_dir_error(error));
    }
    vault::write_private(&staged, contents).map_err(data_dir_error)?;
    fs::rename(&staged, path).map_err(data_dir_error)
}

/// A token's `jti`, read without any check: only to look up the caller's own dispatch, never
/// to trust the token.
pub fn unverified_id(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let claims: serde_json::Value =
        serde_json::from_slice(&BASE64URL.decode(payload).ok()?).ok()?;
    claims["jti"].as_str().map(str::to_owned)
}

/// Checks send tokens as the relay does (SPEC §13).
pub struct SendTokenVerifier {
    /// By `kid`: the current key, and the previous one during a rollover.
    keys: Vec<(String, DecodingKey)>,
    validation: Validation,
}

impl std::fmt::Debug for SendTokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendTokenVerifier").finish_non_exhaustive()
    }
}

impl SendTokenVerifier {
    fn new(issuer: &str, keys: Vec<(String, DecodingKey)>) -> Self {
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["iss", "aud", "exp"]);
        // `exp` bounds use at send time; the relay's window is `accept_within` after `iat`,
        // judged on the injected clock below rather than jsonwebtoken's system clock.
        validation.validate_exp = false;
        Self { keys, validation }
    }

    /// The token's id, when it is ours, for the relay, and issued at most `accept_within`
    /// before `now`.
    pub fn verify(
        &self,
        token: &str,
        now: SystemTime,
        accept_within: Duration,
    ) -> Result<VerifiedToken, TokenRefusal> {
        let kid = jsonwebtoken::decode_header(token)
            .map_err(|_| TokenRefusal::Malformed)?
            .kid;
        // Only our keys sign send tokens, and each token names its key.
        let key = self
            .keys
            .iter()
            .find(|(id, _)| kid.as_ref() == Some(id))
            .map(|(_, key)| key)
            .ok_or(TokenRefusal::BadSignature)?;
        let claims = jsonwebtoken::decode::<SendTokenClaims>(token, key, &self.validation)
            .map_err(|error| match error.kind() {
                JwtError::InvalidSignature | JwtError::InvalidAlgorithm => {
                    TokenRefusal::BadSignature
                }
                JwtError::InvalidAudience => TokenRefusal::WrongAudience,
                _ => TokenRefusal::Malformed,
            })?
            .claims;
        let now = unix_seconds(now);
        let window = i64::try_from(accept_within.as_secs()).unwrap_or(i64::MAX);
        let skew = i64::try_from(CLOCK_SKEW.as_secs()).unwrap_or(0);
        if claims.iat > now.saturating_add(skew) {
            return Err(TokenRefusal::Malformed);
        }
        if now.saturating_sub(claims.iat) > window {
            return Err(TokenRefusal::TooOld);
        }
        Ok(VerifiedToken {
            jti: claims.jti,
            iat: claims.iat,
        })
    }
}

#[cfg(test)]
#[allow(
    clippy::disallowed_methods,
    reason = "jsonwebtoken checks `exp` against the machine's clock"
)]
mod tests {
    use super::*;

    const ISSUER: &str = "https://sendsecure.example.nl";
    const COVERAGE: &str = "c0ver4ge";
    const TWO_DAYS: Duration = Duration::from_secs(48 * 3600);

    fn signer(dir: &Path) -> SendTokenSigner {
        SendTokenSigner::load_or_create(&dir.join(KEY_FILE), ISSUER)
            .expect("the key loads")
            .0
    }

    fn payload(token: &str) -> serde_json::Value {
        let payload = token.split('.').nth(1).expect("a payload");
        serde_json::from_slice(&BASE64URL.decode(payload).expect("base64url")).expect("JSON")
    }

    #[test]
    fn a_token_holds_only_the_six_claims() {
        let dir = tempfile::tempdir().expect("temp dir");
        let signer = signer(dir.path());
        let now = SystemTime::now();

        let issued = signer.issue(COVERAGE.into(), now).expect("signs");

        let header = jsonwebtoken::decode_header(&issued.token).expect("a JWS header");
        assert_eq!(header.alg, Algorithm::ES256);
        assert_eq!(
            header.kid.as_deref(),
            signer.jwks()["keys"][0]["kid"].as_str()
        );
        let claims = payload(&issued.token);
        let names: Vec<&str> = claims
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(names, ["aud", "cov", "exp", "iat", "iss", "jti"]);
        assert_eq!(claims["iss"], ISSUER);
        assert_eq!(claims["aud"], AUDIENCE);
        assert_eq!(claims["cov"], COVERAGE);
        assert_eq!(claims["iat"], unix_seconds(now));
        assert_eq!(claims["exp"], unix_seconds(now) + 15 * 60);
        assert_eq!(issued.id, claims["jti"]);
        assert_eq!(issued.iat, unix_seconds(now));
        assert_eq!(issued.expires_at, unix_seconds(now) + 15 * 60);
        let jti = BASE64URL
            .decode(issued.id.as_bytes())
            .expect("base64url jti");
        assert_eq!(jti.len(), 16, "128 random bits");
    }

    #[test]
    fn each_token_has_its_own_id() {
        let dir = tempfile::tempdir().expect("temp dir");
        let signer = signer(dir.path());
        let now = SystemTime::now();
        let first = signer.issue(COVERAGE.into(), now).expect("signs");
        let second = signer.issue(COVERAGE.into(), now).expect("signs");
        assert_ne!(first.id, second.id);
    }

    #[test]
    fn the_relay_accepts_a_token_within_its_window_after_the_send_time_has_passed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let signer = signer(dir.path());
        let issued_at = SystemTime::now();
        let issued = signer.issue(COVERAGE.into(), issued_at).expect("signs");
        let verify = |later: Duration| {
            signer
                .verifier()
                .verify(&issued.token, issued_at + later, TWO_DAYS)
        };

        let verified = verify(Duration::from_secs(16 * 60)).expect("past exp, within 48 h");
        assert_eq!(verified.jti, issued.id);
        assert_eq!(verified.iat, issued.iat);
        assert!(verify(TWO_DAYS).is_ok(), "at the end of the window");
        assert_eq!(
            verify(TWO_DAYS + Duration::from_secs(1)),
            Err(TokenRefusal::TooOld)
        );
    }

    #[test]
    fn a_token_from_the_future_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let signer = signer(dir.path());
        let now = SystemTime::now();
        let issued = signer
            .issue(COVERAGE.into(), now + Duration::from_secs(3600))
            .expect("signs");
        assert_eq!(
            signer.verifier().verify(&issued.token, now, TWO_DAYS),
            Err(TokenRefusal::Malformed)
        );
    }

    #[test]
    fn another_key_another_audience_or_garbage_is_refused() {
        let ours = tempfile::tempdir().expect("temp dir");
        let theirs = tempfile::tempdir().expect("temp dir");
        let now = SystemTime::now();
        let foreign = signer(theirs.path())
            .issue(COVERAGE.into(), now)
            .expect("signs");
        let signer = signer(ours.path());
        let verify = |token: &str| signer.verifier().verify(token, now, TWO_DAYS);

        assert_eq!(verify(&foreign.token), Err(TokenRefusal::BadSignature));
        assert_eq!(verify("not.a.token"), Err(TokenRefusal::Malformed));
        assert_eq!(verify(""), Err(TokenRefusal::Malformed));

        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(signer.kid.clone());
        let mut claims = payload(&signer.issue(COVERAGE.into(), now).expect("signs").token);
        claims["aud"] = "someone-else".into();
        let other_audience = jsonwebtoken::encode(&header, &claims, &signer.key).expect("signs");
        assert_eq!(verify(&other_audience), Err(TokenRefusal::WrongAudience));
    }

    #[test]
    fn the_jwks_publishes_one_p256_signing_key() {
        let dir = tempfile::tempdir().expect("temp dir");
        let jwks = signer(dir.path()).jwks();
        let keys = jwks["keys"].as_array().expect("a key list");
        assert_eq!(keys.len(), 1);
        let key = &keys[0];
        for (field, value) in [
            ("kty", "EC"),
            ("crv", "P-256"),
            ("alg", "ES256"),
            ("use", "sig"),
        ] {
            assert_eq!(key[field], value, "{field}");
        }
        for coordinate in ["x", "y"] {
            let text = key[coordinate].as_str().expect("a string");
            assert!(!text.contains('='), "no padding");
            assert_eq!(
                BASE64URL.decode(text).expect("base64url").len(),
                32,
                "{coordinate}"
            );
        }
    }

    #[test]
    fn the_key_is_generated_once_private_and_reused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (first, generated) =
            SendTokenSigner::load_or_create(&dir.path().join(KEY_FILE), ISSUER).expect("creates");
        assert!(generated);
        let (second, generated) =
            SendTokenSigner::load_or_create(&dir.path().join(KEY_FILE), ISSUER).expect("loads");
        assert!(!generated);
        assert_eq!(first.kid, second.kid);
        assert_eq!(first.jwks(), second.jwks());
        let now = SystemTime::now();
        let issued = first.issue(COVERAGE.into(), now).expect("signs");
        second
            .verifier()
            .verify(&issued.token, now, TWO_DAYS)
            .expect("valid after a restart");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(KEY_FILE))
                .expect("the key file exists")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_rollover_publishes_both_keys_and_accepts_tokens_of_either() {
        let dir = tempfile::tempdir().expect("temp dir");
        let key_file = dir.path().join(KEY_FILE);
        let before = signer(dir.path());
        let now = SystemTime::now();
        let old_token = before.issue(COVERAGE.into(), now).expect("signs");

        let rollover = roll_over(&key_file).expect("rolls over");

        assert_eq!(rollover.previous_kid, before.kid);
        assert_eq!(
            rollover.previous_file,
            dir.path().join("send-token-key.previous.pem")
        );
        let after = signer(dir.path());
        assert_eq!(after.kids(), [rollover.current_kid.as_str(), &before.kid]);
        let jwks = after.jwks();
        let kids: Vec<&str> = jwks["keys"]
            .as_array()
            .expect("a key list")
            .iter()
            .map(|key| key["kid"].as_str().expect("a kid"))
            .collect();
        assert_eq!(kids, after.kids(), "the current key first");
        let new_token = after.issue(COVERAGE.into(), now).expect("signs");
        let header = jsonwebtoken::decode_header(&new_token.token).expect("a header");
        assert_eq!(header.kid.as_deref(), Some(rollover.current_kid.as_str()));
        for token in [&old_token, &new_token] {
            after
                .verifier()
                .verify(&token.token, now, TWO_DAYS)
                .expect("accepted during the rollover");
        }
        #[cfg(unix)]
        for file in [&key_file, &rollover.previous_file] {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(file).expect("exists").permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", file.display());
        }

        // Once relay.accept_within has passed, the previous key goes.
        fs::remove_file(&rollover.previous_file).expect("deleted");
        let later = signer(dir.path());
        assert_eq!(later.kids(), [rollover.current_kid.as_str()]);
        assert_eq!(
            later.verifier().verify(&old_token.token, now, TWO_DAYS),
            Err(TokenRefusal::BadSignature)
        );
    }

    #[test]
    fn a_rollover_needs_a_key_to_roll_over() {
        let dir = tempfile::tempdir().expect("temp dir");
        let error = roll_over(&dir.path().join(KEY_FILE)).expect_err("no key yet");
        assert!(
            matches!(&error, Error::InvalidConfig { problem, .. } if problem.contains("does not exist")),
            "{error:?}"
        );
        assert_eq!(fs::read_dir(dir.path()).expect("readable").count(), 0);
    }

    #[test]
    fn the_previous_key_file_sits_beside_the_key_file() {
        assert_eq!(
            previous_key_file(Path::new("/etc/sendsecure/token.pem")),
            Path::new("/etc/sendsecure/token.previous.pem")
        );
        assert_eq!(
            previous_key_file(Path::new("keys/token")),
            Path::new("keys/token.previous")
        );
    }

    #[test]
    fn an_unusable_key_file_is_a_clear_error() {
        let other_key = KeyPair::generate_for(&rcgen::PKCS_ED25519).expect("an Ed25519 key");
        for (contents, problem) in [
            ("not a key".to_owned(), "is not a PKCS#8 private key in PEM"),
            (other_key.serialize_pem(), "is not an ECDSA P-256 key"),
        ] {
            let dir = tempfile::tempdir().expect("temp dir");
            fs::write(dir.path().join(KEY_FILE), contents).expect("writes");

            let error = SendTokenSigner::load_or_create(&dir.path().join(KEY_FILE), ISSUER)
                .expect_err("refused");

            let Error::InvalidConfig {
                key: "send_token_key",
                problem: text,
            } = &error
            else {
                panic!("unexpected error: {error:?}");
            };
            assert!(text.contains(problem), "{text}");
            assert!(text.contains(KEY_FILE), "names the file: {text}");
        }
    }

    #[test]
    fn an_unreadable_data_dir_is_a_data_dir_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let in_missing_dir = dir.path().join("missing").join(KEY_FILE);
        let error =
            SendTokenSigner::load_or_create(&in_missing_dir, ISSUER).expect_err("no directory");
        assert!(matches!(error, Error::DataDir { .. }), "{error:?}");
    }
}
