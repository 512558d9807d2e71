//! A tenant's signing keys: found through its discovery document, fetched from its
//! `jwks_uri` (https), cached for [`KEYS_MAX_AGE`] and fetched again for an unknown `kid` at
//! most once per [`REFETCH_INTERVAL`]. A fetch holds no lock the cached keys are read under.

use std::{
    collections::HashMap,
    fmt,
    time::{Duration, SystemTime},
};

use jsonwebtoken::DecodingKey;
use serde::{Deserialize, de::DeserializeOwned};
use url::Url;

use super::Refusal;
use crate::{Error, clock::Clock};

/// Keys older than this are fetched again before use (Microsoft advises daily).
pub const KEYS_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);
/// At most one fetch per tenant in this time, whatever `kid`s come in.
pub const REFETCH_INTERVAL: Duration = Duration::from_secs(60);
/// Microsoft's documents are a few KB; a larger one is not what we asked for.
const MAX_DOCUMENT_BYTES: usize = 256 * 1024;

/// An allowed tenant and its signing keys.
#[derive(Debug)]
pub(super) struct Tenant {
    /// The tenant id, lowercase.
    pub(super) id: String,
    /// `{authority}/{tid}/v2.0`: the discovery document's `issuer` and the tokens' `iss`.
    pub(super) issuer: String,
    discovery_url: String,
    /// Held only to read or replace the cache, never across a fetch.
    keys: std::sync::Mutex<KeyCache>,
    /// Held across a fetch, so concurrent requests with a new `kid` cause one fetch, not many;
    /// requests whose key is cached never wait for it.
    fetching: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct KeyCache {
    /// From the discovery document; kept until the keys reach their maximum age.
    jwks_uri: Option<Url>,
    keys: HashMap<String, DecodingKey>,
    /// The last successful fetch of the keys.
    fetched_at: Option<SystemTime>,
    /// The last fetch, successful or not: the rate limit.
    attempted_at: Option<SystemTime>,
}

impl fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyCache")
            .field("jwks_uri", &self.jwks_uri.as_ref().map(Url::as_str))
            .field("kids", &self.keys.keys().collect::<Vec<_>>())
            .field("fetched_at", &self.fetched_at)
            .field("attempted_at", &self.attempted_at)
            .finish()
    }
}

impl Tenant {
    pub(super) fn new(authority: &str, id: &str) -> Self {
        let issuer = format!("{authority}/{id}/v2.0");
        Self {
            id: id.to_owned(),
            discovery_url: format!("{issuer}/.well-known/openid-configuration"),
            issuer,
            keys: std::sync::Mutex::new(KeyCache::default()),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, KeyCache> {
        self.keys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The key, if the cache is fresh and knows it.
    fn cached(&self, kid: &str, now: SystemTime) -> Option<DecodingKey> {
        let cache = self.lock();
        cache
            .is_fresh(now)
            .then(|| cache.keys.get(kid).cloned())
            .flatten()
    }

    /// Keeps what a fetch brought. On failure the keys held stay in use (fetched over HTTPS
    /// from the tenant; Microsoft announces new keys long before it signs with them), and a
    /// warning is logged.
    fn store(&self, fetched: Result<(Url, HashMap<String, DecodingKey>), String>, now: SystemTime) {
        let mut cache = self.lock();
        match fetched {
            Ok((jwks_uri, keys)) => {
                tracing::info!(
                    tenant = %self.id,
                    keys = keys.len(),
                    "fetched the Entra ID signing keys"
                );
                cache.jwks_uri = Some(jwks_uri);
                cache.keys = keys;
                cache.fetched_at = Some(now);
            }
            Err(problem) => tracing::warn!(
                tenant = %self.id,
                %problem,
                kept = cache.keys.len(),
                "cannot fetch the Entra ID signing keys"
            ),
        }
    }
}

impl KeyCache {
    fn may_fetch(&self, now: SystemTime) -> bool {
        self.attempted_at
            .is_none_or(|at| older_than(at, now, REFETCH_INTERVAL))
    }

    fn is_fresh(&self, now: SystemTime) -> bool {
        self.fetched_at
            .is_some_and(|at| !older_than(at, now, KEYS_MAX_AGE))
    }
}

/// A clock that went back counts as "long ago": better one fetch too many than none.
fn older_than(then: SystemTime, now: SystemTime, age: Duration) -> bool {
    now.duration_since(then)
        .map_or(true, |elapsed| elapsed >= age)
}

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: String,
}

#[derive(Deserialize)]
struct JwkSet {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    kty: String,
    kid: Option<String>,
    #[serde(rename = "use")]
    usage: Option<String>,
    alg: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

impl Tenant {
    /// The tenant's key `kid`: from the cache, or fetched when the cache is old or does not
    /// know the `kid` (rate-limited).
    pub(super) async fn key(
        &self,
        kid: &str,
        http: &reqwest::Client,
        clock: &dyn Clock,
    ) -> Result<DecodingKey, Error> {
        if let Some(key) = self.cached(kid, clock.now()) {
            return Ok(key);
        }
        // One fetch at a time per tenant; whoever waited finds the keys it brought.
        let _fetching = self.fetching.lock().await;
        let now = clock.now();
        if let Some(key) = self.cached(kid, now) {
            return Ok(key);
        }
        let (may_fetch, stale, jwks_uri) = {
            let cache = self.lock();
            let stale = !cache.is_fresh(now);
            // A rediscovery too when stale: the jwks_uri is trusted only as long as the keys.
            let jwks_uri = if stale { None } else { cache.jwks_uri.clone() };
            (cache.may_fetch(now), stale, jwks_uri)
        };
        if may_fetch {
            // A stale cache, or a key Microsoft has just started using (rotation), or garbage.
            self.lock().attempted_at = Some(now);
            let fetched = self.fetch_keys(http, jwks_uri).await;
            self.store(fetched, now);
        }
        let cache = self.lock();
        if let Some(key) = cache.keys.get(kid) {
            if stale && !may_fetch {
                tracing::debug!(tenant = %self.id, "using keys past their age: refetch rate-limited");
            }
            return Ok(key.clone());
        }
        if cache.fetched_at.is_none() {
            return Err(Error::internal(format!(
                "the signing keys of Entra ID tenant {} could not be fetched (see the warning \
                 logged before; retried at most once a minute)",
                self.id
            )));
        }
        Err(Refusal::UnknownKey.into())
    }

    async fn fetch_keys(
        &self,
        http: &reqwest::Client,
        jwks_uri: Option<Url>,
    ) -> Result<(Url, HashMap<String, DecodingKey>), String> {
        let jwks_uri = match jwks_uri {
            Some(uri) => uri,
            None => {
                let discovery: Discovery = get_json(http, &self.discovery_url).await?;
                if discovery.issuer != self.issuer {
                    return Err(format!(
                        "{} names the issuer {:?}, not {:?}",
                        self.discovery_url, discovery.issuer, self.issuer
                    ));
                }
                Url::parse(&discovery.jwks_uri)
                    .ok()
                    .filter(|uri| uri.scheme() == "https")
                    .ok_or_else(|| {
                        format!(
                            "{} names a jwks_uri that is not an https:// URL",
                            self.discovery_url
                        )
                    })?
            }
        };
        let set: JwkSet = get_json(http, jwks_uri.as_str()).await?;
        let keys = set
            .keys
            .into_iter()
            .filter(|jwk| {
                jwk.kty == "RSA"
                    && jwk.usage.as_deref().is_none_or(|usage| usage == "sig")
                    && jwk.alg.as_deref().is_none_or(|alg| alg == "RS256")
            })
            .filter_map(|jwk| {
                let key = DecodingKey::from_rsa_components(jwk.n.as_deref()?, jwk.e.as_deref()?);
                Some((jwk.kid?, key.ok()?))
            })
            .collect();
        Ok((jwks_uri, keys))
    }
}

/// GETs a JSON document of at most [`MAX_DOCUMENT_BYTES`].
async fn get_json<T: DeserializeOwned>(http: &reqwest::Client, url: &str) -> Result<T, String> {
    let mut response = http
        .get(url)
        .send()
        .await
        .map_err(|error| format!("GET {url}: {error}"))?;
    if !response.status().is_success() {
        return Err(format!("GET {url}: {}", response.status()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|error| format!("GET {url}: {error}"))?
    {
        if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
            return Err(format!("GET {url}: larger than {MAX_DOCUMENT_BYTES} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body)
        .map_err(|error| format!("GET {url}: not the JSON expected: {error}"))
}
