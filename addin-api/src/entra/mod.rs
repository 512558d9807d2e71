//! Entra ID sign-in (SPEC §8): validating the access token the panel obtained for this API's
//! own scope, and proving with it that the user owns the mailbox.
//!
//! The checks, in order:
//! 1. The header's `alg` is `RS256`; nothing else is even looked at (`none`, `HS256` — also
//!    HS256 "signed" with our public key — and every other algorithm are refused).
//! 2. The unverified `tid` picks the tenant; one outside `auth.entra.tenants` is refused before
//!    anything is fetched, so a stranger's token cannot make us call anyone.
//! 3. A Microsoft Graph token is refused by its audience, with that reason (Graph tokens carry
//!    a header nonce and cannot be verified by anyone but Graph anyway).
//! 4. The signature against the tenant's published keys: the discovery document
//!    `{authority}/{tid}/v2.0/.well-known/openid-configuration` must name the issuer
//!    `{authority}/{tid}/v2.0`; its `jwks_uri` (https) gives the keys. Keys are cached per
//!    tenant for [`KEYS_MAX_AGE`]; an unknown `kid` refetches them, at most once per
//!    [`REFETCH_INTERVAL`] per tenant, so garbage `kid`s cannot make us hammer Microsoft.
//! 5. The verified claims: `iss`, `aud` (the client id or `api://{client id}`), `ver` 2.0,
//!    `exp`/`nbf` with [`LEEWAY_SECS`] against the injected [`Clock`] (not the system clock),
//!    `scp` containing our scope (ID tokens and app-only tokens have none), `azp` (or v1's
//!    `appid`) our own client — the panel, not some other application that got a token for
//!    our scope —, a member of the tenant (a guest's `idp` names their home tenant, or
//!    `acct` is 1), an `oid`, and the account (`preferred_username`, else `upn`) equal to
//!    the mailbox.
//!
//! The account is identified by tenant and `oid`, which Microsoft never reassigns: a renamed
//! user keeps their saved numbers. `email` is not used as the account: Microsoft documents
//! it as mutable and, for some accounts, unverified (the "nOAuth" takeover).
//!
//! Every refusal is an [`Error::InvalidAccessToken`]: the client gets a 401 that says only
//! that, the log says which [`Refusal`] — never the token, never the address.
//!
//! A tenant's keys are fetched without holding the lock its cached keys are read under: a
//! slow or hanging identity provider holds up only the requests that need a new key.
//!
//! Here the validation; `config.rs` checks `auth.entra`, `keys.rs` keeps each tenant's
//! signing keys, `refusal.rs` names why a token is refused.

use std::{collections::HashMap, sync::Arc};

use addin_core::address::Address;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as BASE64URL};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, errors::ErrorKind};
use serde::{Deserialize, de::DeserializeOwned};

mod config;
mod keys;
mod refusal;

pub use self::{
    config::EntraConfig,
    keys::{KEYS_MAX_AGE, REFETCH_INTERVAL},
    refusal::Refusal,
};
use self::{config::guid, keys::Tenant};
use crate::{Error, clock::Clock, sessions::EntraAccount};

/// Clock skew allowed on `exp` and `nbf`.
pub const LEEWAY_SECS: i64 = 120;
/// Entra access tokens are 1–3 KB; anything far larger is not one.
const MAX_TOKEN_BYTES: usize = 16 * 1024;
/// Microsoft Graph's application id and resource URL, as its tokens' `aud`.
const GRAPH_AUDIENCES: [&str; 2] = [
    "00000003-0000-0000-c000-000000000000",
    "https://graph.microsoft.com",
];

/// Validates Entra ID access tokens for this API (see the module documentation).
///
/// The only way in from outside is HTTPS to the authority: tests run a real issuer and point
/// `auth.entra.authority` at it, so the fetching and caching are tested as they run.
#[derive(Debug)]
pub struct AccessTokenValidator {
    config: EntraConfig,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    /// One per allowed tenant, keyed by its id: the allow-list itself.
    tenants: HashMap<String, Tenant>,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
}

/// The claims we read. Unknown ones are ignored; a known one of the wrong type makes the
/// token malformed.
#[derive(Deserialize)]
struct Claims {
    tid: Option<String>,
    aud: Option<Audience>,
    ver: Option<String>,
    exp: Option<i64>,
    nbf: Option<i64>,
    scp: Option<String>,
    preferred_username: Option<String>,
    upn: Option<String>,
    oid: Option<String>,
    /// The application the token was issued to (v2); `appid` in v1 tokens.
    azp: Option<String>,
    appid: Option<String>,
    /// The identity provider that authenticated a guest: their home tenant or another IdP.
    idp: Option<String>,
    /// The optional account-status claim: 0 member, 1 guest.
    acct: Option<i64>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn values(&self) -> &[String] {
        match self {
            Self::One(one) => std::slice::from_ref(one),
            Self::Many(many) => many,
        }
    }
}

impl AccessTokenValidator {
    pub fn new(config: EntraConfig, http: reqwest::Client, clock: Arc<dyn Clock>) -> Self {
        let tenants = config
            .tenants
            .iter()
            .map(|id| (id.clone(), Tenant::new(&config.authority, id)))
            .collect();
        Self {
            config,
            http,
            clock,
            tenants,
        }
    }

    pub fn config(&self) -> &EntraConfig {
        &self.config
    }

    /// Accepts `token` as proof that its holder owns `mailbox`, or says why not; returns the
    /// account. A refusal is [`Error::InvalidAccessToken`]; an identity provider that cannot
    /// be reached (with no keys at hand) is [`Error::Internal`].
    pub async fn validate(&self, token: &str, mailbox: &Address) -> Result<EntraAccount, Error> {
        let outcome = self.check(token.trim(), mailbox).await;
        match &outcome {
            Ok(account) => {
                tracing::info!(tenant = %account.tenant, "accepted an Entra ID access token");
            }
            Err(Error::InvalidAccessToken(refusal)) => {
                tracing::info!(reason = refusal.name(), "refused an Entra ID access token");
            }
            Err(_) => {}
        }
        outcome
    }

    async fn check(&self, token: &str, mailbox: &Address) -> Result<EntraAccount, Error> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Refusal::Malformed.into());
        }
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(_), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Refusal::Malformed.into());
        };
        let header: Header = decode_part(header).ok_or(Refusal::Malformed)?;
        if header.alg != "RS256" {
            return Err(Refusal::Algorithm.into());
        }
        // Unverified: used only to choose the tenant and to refuse early.
        let unverified: Claims = decode_part(payload).ok_or(Refusal::Malformed)?;
        let tid = unverified.tid.as_deref().ok_or(Refusal::MissingClaim)?;
        let Some(tenant) = self.tenants.get(&tid.to_ascii_lowercase()) else {
            // A GUID names an organisation, not a person: worth showing an admin who forgot
            // a tenant. Anything else is not logged.
            tracing::info!(
                tenant = guid(tid).as_deref().unwrap_or("(not a tenant id)"),
                "an Entra ID token from a tenant that is not allowed"
            );
            return Err(Refusal::TenantNotAllowed.into());
        };
        if unverified
            .aud
            .as_ref()
            .is_some_and(|aud| aud.values().iter().any(|value| is_graph(value)))
        {
            return Err(Refusal::GraphToken.into());
        }

        let kid = header.kid.as_deref().ok_or(Refusal::UnknownKey)?;
        let key = tenant.key(kid, &self.http, self.clock.as_ref()).await?;
        let claims = self.verify(token, &key, tenant)?;

        // jsonwebtoken accepts a list that includes us; Entra ID never makes a token for
        // several audiences, so one that claims to be is refused.
        if claims.aud.as_ref().map(|aud| aud.values().len()) != Some(1) {
            return Err(Refusal::Audience.into());
        }
        if claims.ver.as_deref().is_some_and(|ver| ver != "2.0") {
            return Err(Refusal::Version.into());
        }
        let now = self.clock.unix_now();
        let exp = claims.exp.ok_or(Refusal::MissingClaim)?;
        if now > exp.saturating_add(LEEWAY_SECS) {
            return Err(Refusal::Expired.into());
        }
        if claims
            .nbf
            .is_some_and(|nbf| nbf > now.saturating_add(LEEWAY_SECS))
        {
            return Err(Refusal::NotYetValid.into());
        }
        let scopes = claims.scp.as_deref().ok_or(Refusal::NoScope)?;
        if !scopes.split(' ').any(|scope| scope == self.config.scope) {
            return Err(Refusal::Scope.into());
        }
        let client = claims.azp.as_deref().or(claims.appid.as_deref());
        if client.map(str::to_ascii_lowercase).as_deref() != Some(self.config.client_id.as_str()) {
            return Err(Refusal::Client.into());
        }
        // A member's token names no other identity provider; a guest's names their home
        // tenant (or another IdP) in `idp`.
        let foreign_idp = claims
            .idp
            .as_deref()
            .is_some_and(|idp| !idp.to_ascii_lowercase().contains(&tenant.id));
        if claims.acct == Some(1) || foreign_idp {
            return Err(Refusal::Guest.into());
        }
        let object = claims
            .oid
            .as_deref()
            .and_then(guid)
            .ok_or(Refusal::MissingClaim)?;
        let account = claims
            .preferred_username
            .as_deref()
            .or(claims.upn.as_deref())
            .and_then(|name| Address::parse(name).ok())
            .ok_or(Refusal::NoAccount)?;
        if account != *mailbox {
            return Err(Refusal::OtherMailbox.into());
        }
        Ok(EntraAccount {
            tenant: tenant.id.clone(),
            object,
        })
    }

    /// The signature, and (again, by jsonwebtoken) the algorithm, issuer and audience.
    fn verify(&self, token: &str, key: &DecodingKey, tenant: &Tenant) -> Result<Claims, Error> {
        let mut validation = Validation::new(Algorithm::RS256);
        // Time is checked against our clock, afterwards.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.set_issuer(&[&tenant.issuer]);
        let client_id = &self.config.client_id;
        validation.set_audience(&[client_id.clone(), format!("api://{client_id}")]);
        jsonwebtoken::decode::<Claims>(token, key, &validation)
            .map(|data| data.claims)
            .map_err(|error| {
                let refusal = match error.kind() {
                    ErrorKind::InvalidSignature => Refusal::Signature,
                    ErrorKind::InvalidAlgorithm => Refusal::Algorithm,
                    ErrorKind::InvalidIssuer => Refusal::Issuer,
                    ErrorKind::InvalidAudience => Refusal::Audience,
                    ErrorKind::MissingRequiredClaim(_) => Refusal::MissingClaim,
                    _ => Refusal::Malformed,
                };
                refusal.into()
            })
    }
}

fn decode_part<T: DeserializeOwned>(part: &str) -> Option<T> {
    let bytes = BASE64URL.decode(part).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn is_graph(audience: &str) -> bool {
    let audience = audience.trim_end_matches('/');
    GRAPH_AUDIENCES
        .iter()
        .any(|graph| audience.eq_ignore_ascii_case(graph))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLIENT: &str = "6E3B5A9C-0F4D-4B8E-9A1C-2D3E4F5A6B7C";

    #[test]
    fn graph_audiences_are_recognised() {
        assert!(is_graph("00000003-0000-0000-c000-000000000000"));
        assert!(is_graph("https://graph.microsoft.com/"));
        assert!(!is_graph(CLIENT));
    }
}
