//! Send tokens (SPEC §7): the server's signed statement of what was checked before a mail
//! went out securely.
//!
//! The panel puts the token on the draft as the `X-SendSecure-Token` header; the secure-mail
//! relay downstream verifies it against `/.well-known/jwks.json` and routes each recipient as
//! the token says. It is also the NTA 7516 proof of what was checked, so it names the sender,
//! each recipient's route and phone, and the attachments — never the message's content.
//!
//! The ES256 (ECDSA P-256) key is generated on first start and kept in the data directory. Its
//! `kid` is derived from the public key, so it stays the same across restarts and a relay that
//! caches the JWKS keeps working.

use std::{
    collections::BTreeMap,
    fs, io,
    path::Path,
    time::{Duration, SystemTime},
};

use addin_core::{
    draft::Field,
    verdict::{PhoneStatus, Route, Verdict},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as BASE64URL};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rand::RngCore;
use rcgen::{KeyPair, PKCS_ECDSA_P256_SHA256};
use serde::{Deserialize, Serialize};

use crate::{Error, clock::unix_seconds, vault};

/// How long a send token is valid after it is issued (SPEC §7).
pub const SEND_TOKEN_TTL: Duration = Duration::from_secs(15 * 60);
/// The signing key's file in the data directory.
pub const KEY_FILE: &str = "send-token-key.pem";
/// Bytes of the public key's SHA-256 that make the `kid`: 96 bits tell our keys apart.
const KID_BYTES: usize = 12;

/// Signs send tokens with the server's key.
pub struct SendTokenSigner {
    issuer: String,
    kid: String,
    key: EncodingKey,
    jwk: serde_json::Value,
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
    /// The `jti`, for the audit log.
    pub id: String,
    /// Unix seconds.
    pub expires_at: i64,
}

/// The token's claims, as the relay reads them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendTokenClaims {
    /// The server's public base URL.
    pub iss: String,
    /// The sender's address.
    pub sub: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    pub recipients: Vec<RecipientClaim>,
    pub attachments: AttachmentsClaim,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientClaim {
    pub address: String,
    pub field: Field,
    pub route: Route,
    /// E.164, for the Viewer's SMS access code; absent when the code goes by e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentsClaim {
    pub count: usize,
    pub total_size: u64,
}

impl SendTokenSigner {
    /// The key in `key_file`, generated there when missing; `true` when it was generated.
    /// Instances behind one load balancer must share the file (`--send-token-key`).
    pub fn load_or_create(key_file: &Path, issuer: &str) -> Result<(Self, bool), Error> {
        let path = key_file.to_owned();
        let (pem, generated) = match fs::read_to_string(&path) {
            Ok(pem) => (pem, false),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(|error| {
                    Error::Internal(format!("cannot generate the send-token key: {error}"))
                })?;
                let pem = key.serialize_pem();
                vault::write_private(&path, pem.as_bytes()).map_err(|source| Error::DataDir {
                    path: path.clone(),
                    source,
                })?;
                (pem, true)
            }
            Err(source) => return Err(Error::DataDir { path, source }),
        };
        let invalid = |problem: String| Error::InvalidConfig {
            key: "send_token_key",
            problem: format!(
                "({}) {problem}; delete the file to generate a new key",
                path.display()
            ),
        };
        let key = KeyPair::from_pem(&pem)
            .map_err(|error| invalid(format!("is not a PKCS#8 private key in PEM: {error}")))?;
        if !key.is_compatible(&PKCS_ECDSA_P256_SHA256) {
            return Err(invalid("is not an ECDSA P-256 key".into()));
        }
        // The uncompressed point: 0x04 ‖ x ‖ y, 32 bytes each.
        let point = key.public_key_raw();
        let (Some(x), Some(y)) = (point.get(1..33), point.get(33..65)) else {
            return Err(invalid("holds a malformed public key".into()));
        };
        let kid = BASE64URL.encode(&vault::sha256(point)[..KID_BYTES]);
        let jwk = serde_json::json!({
            "kty": "EC",
            "crv": "P-256",
            "x": BASE64URL.encode(x),
            "y": BASE64URL.encode(y),
            "kid": kid,
            "alg": "ES256",
            "use": "sig",
        });
        let signer = Self {
            issuer: issuer.to_owned(),
            kid,
            // rcgen keeps the key as PKCS#8 DER, the form jsonwebtoken (ring) signs with.
            key: EncodingKey::from_ec_der(key.serialized_der()),
            jwk,
        };
        Ok((signer, generated))
    }

    /// Signs a token for a verdict the caller has found `can_send_secure`.
    pub fn issue(&self, verdict: &Verdict, now: SystemTime) -> Result<IssuedSendToken, Error> {
        let iat = unix_seconds(now);
        let exp = iat.saturating_add_unsigned(SEND_TOKEN_TTL.as_secs());
        let mut id = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut id);
        let claims = SendTokenClaims {
            iss: self.issuer.clone(),
            sub: verdict.sender.address.clone(),
            iat,
            nbf: iat,
            exp,
            jti: BASE64URL.encode(id),
            recipients: verdict
                .recipients
                .iter()
                .map(|recipient| RecipientClaim {
                    address: recipient.address.clone(),
                    field: recipient.field,
                    route: recipient.route,
                    phone: recipient
                        .phone_number
                        .clone()
                        .filter(|_| recipient.phone == PhoneStatus::Given),
                })
                .collect(),
            attachments: AttachmentsClaim {
                count: verdict.attachments.count,
                total_size: verdict.attachments.total_size,
            },
        };
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        let token = jsonwebtoken::encode(&header, &claims, &self.key)
            .map_err(|error| Error::Internal(format!("cannot sign a send token: {error}")))?;
        Ok(IssuedSendToken {
            token,
            id: claims.jti,
            expires_at: exp,
        })
    }

    /// The public key as a JWK Set, for `/.well-known/jwks.json`.
    pub fn jwks(&self) -> serde_json::Value {
        serde_json::json!({ "keys": [self.jwk] })
    }
}

/// How many recipients take each route, as `community=2,viewer=1`: what the audit log keeps
/// instead of the addresses (SPEC §7, §11).
pub fn routes_summary(verdict: &Verdict) -> String {
    let mut counts = BTreeMap::<String, usize>::new();
    for recipient in &verdict.recipients {
        // The wire name (`nta7516`, `viewer`), so the log reads like the API.
        let name = serde_json::to_value(recipient.route)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or_else(|| format!("{:?}", recipient.route));
        *counts.entry(name).or_default() += 1;
    }
    counts
        .iter()
        .map(|(route, count)| format!("{route}={count}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use addin_core::verdict::{AttachmentsReport, RecipientReport, SenderReport};
    use jsonwebtoken::{DecodingKey, Validation, errors::ErrorKind};

    use super::*;

    const ISSUER: &str = "https://sendsecure.example.nl";

    fn recipient(
        address: &str,
        field: Field,
        route: Route,
        phone: Option<&str>,
    ) -> RecipientReport {
        RecipientReport {
            address: address.into(),
            field,
            route,
            nta7516: false,
            phone: if phone.is_some() {
                PhoneStatus::Given
            } else {
                PhoneStatus::None
            },
            phone_number: phone.map(str::to_owned),
        }
    }

    fn verdict() -> Verdict {
        Verdict {
            can_send_secure: true,
            auto_send: false,
            sender: SenderReport {
                address: "a.jansen@huisartsen-oost.nl".into(),
                known: true,
                nta7516: true,
            },
            recipients: vec![
                recipient(
                    "patient@example.com",
                    Field::To,
                    Route::Viewer,
                    Some("+31612345678"),
                ),
                recipient("lab@ziekenhuis.nl", Field::Cc, Route::Community, None),
                recipient("apotheek@zorg.nl", Field::Bcc, Route::Community, None),
            ],
            attachments: AttachmentsReport {
                count: 2,
                total_size: 183_211,
                items: Vec::new(),
            },
            findings: Vec::new(),
        }
    }

    fn signer(dir: &Path) -> SendTokenSigner {
        SendTokenSigner::load_or_create(&dir.join(KEY_FILE), ISSUER)
            .expect("the key loads")
            .0
    }

    /// Verifies as a relay would: with the key taken from the published JWKS only.
    fn verify(
        token: &str,
        jwks: &serde_json::Value,
    ) -> jsonwebtoken::errors::Result<SendTokenClaims> {
        let jwk = &jwks["keys"][0];
        let key = DecodingKey::from_ec_components(
            jwk["x"].as_str().expect("x is a string"),
            jwk["y"].as_str().expect("y is a string"),
        )?;
        let mut validation = Validation::new(Algorithm::ES256);
        validation.leeway = 0;
        validation.validate_nbf = true;
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["iss", "sub", "exp", "nbf"]);
        jsonwebtoken::decode::<SendTokenClaims>(token, &key, &validation).map(|data| data.claims)
    }

    #[test]
    fn a_token_verifies_against_the_jwks_and_names_what_was_checked() {
        let dir = tempfile::tempdir().expect("temp dir");
        let signer = signer(dir.path());
        let now = SystemTime::now();

        let issued = signer.issue(&verdict(), now).expect("signs");

        let header = jsonwebtoken::decode_header(&issued.token).expect("a JWS header");
        assert_eq!(header.alg, Algorithm::ES256);
        assert_eq!(header.typ.as_deref(), Some("JWT"));
        assert_eq!(
            header.kid.as_deref(),
            signer.jwks()["keys"][0]["kid"].as_str()
        );
        let claims = verify(&issued.token, &signer.jwks()).expect("valid under the JWKS");
        assert_eq!(claims.iss, ISSUER);
        assert_eq!(claims.sub, "a.jansen@huisartsen-oost.nl");
        assert_eq!(claims.iat, unix_seconds(now));
        assert_eq!(claims.nbf, claims.iat);
        assert_eq!(claims.exp, claims.iat + 15 * 60);
        assert_eq!(issued.expires_at, claims.exp);
        assert_eq!(issued.id, claims.jti);
        assert_eq!(BASE64URL.decode(&claims.jti).expect("base64url").len(), 16);
        assert_eq!(
            claims.attachments,
            AttachmentsClaim {
                count: 2,
                total_size: 183_211
            }
        );

        // The wire form the relay parses, phone only where one was given.
        let payload = issued.token.split('.').nth(1).expect("a payload");
        let payload: serde_json::Value =
            serde_json::from_slice(&BASE64URL.decode(payload).expect("base64url")).expect("JSON");
        assert_eq!(
            payload["recipients"],
            serde_json::json!([
                {"address": "patient@example.com", "field": "to", "route": "viewer",
                 "phone": "+31612345678"},
                {"address": "lab@ziekenhuis.nl", "field": "cc", "route": "community"},
                {"address": "apotheek@zorg.nl", "field": "bcc", "route": "community"},
            ])
        );
        assert_eq!(
            payload["attachments"],
            serde_json::json!({"count": 2, "total_size": 183_211})
        );
    }

    #[test]
    fn each_token_has_its_own_id() {
        let dir = tempfile::tempdir().expect("temp dir");
        let signer = signer(dir.path());
        let now = SystemTime::now();
        let first = signer.issue(&verdict(), now).expect("signs");
        let second = signer.issue(&verdict(), now).expect("signs");
        assert_ne!(first.id, second.id);
    }

    #[test]
    fn a_phone_not_given_stays_out_of_the_token() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut verdict = verdict();
        verdict.recipients[0].phone = PhoneStatus::NotPossible;
        let issued = signer(dir.path())
            .issue(&verdict, SystemTime::now())
            .expect("signs");
        let claims = verify(&issued.token, &signer(dir.path()).jwks()).expect("valid");
        assert_eq!(claims.recipients[0].phone, None);
    }

    #[test]
    fn a_token_is_rejected_once_expired() {
        let dir = tempfile::tempdir().expect("temp dir");
        let signer = signer(dir.path());
        // jsonwebtoken validates against the system clock, so "checked 16 minutes later" is a
        // token issued 16 minutes ago, checked now.
        let issued_at = SystemTime::now() - Duration::from_secs(16 * 60);

        let issued = signer.issue(&verdict(), issued_at).expect("signs");

        let error = verify(&issued.token, &signer.jwks()).expect_err("expired");
        assert_eq!(error.kind(), &ErrorKind::ExpiredSignature);
    }

    #[test]
    fn a_token_is_rejected_under_another_key() {
        let ours = tempfile::tempdir().expect("temp dir");
        let theirs = tempfile::tempdir().expect("temp dir");
        let issued = signer(ours.path())
            .issue(&verdict(), SystemTime::now())
            .expect("signs");

        let error = verify(&issued.token, &signer(theirs.path()).jwks()).expect_err("wrong key");
        assert_eq!(error.kind(), &ErrorKind::InvalidSignature);
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
        let issued = first.issue(&verdict(), SystemTime::now()).expect("signs");
        verify(&issued.token, &second.jwks()).expect("valid after a restart");
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

    #[test]
    fn the_routes_summary_counts_routes_by_name_without_addresses() {
        assert_eq!(routes_summary(&verdict()), "community=2,viewer=1");
        let mut verdict = verdict();
        verdict.recipients[1].route = Route::Nta7516;
        assert_eq!(routes_summary(&verdict), "community=1,nta7516=1,viewer=1");
        verdict.recipients.clear();
        assert_eq!(routes_summary(&verdict), "");
    }
}
