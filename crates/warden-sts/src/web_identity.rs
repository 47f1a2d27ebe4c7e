//! AssumeRoleWithWebIdentity: an OIDC ID token from a provider registered with
//! CreateOpenIDConnectProvider, verified against the provider's published keys
//! (discovery document, then JWKS; cached, and fetched again when a token names a key
//! we have not seen, so key rotation is followed). Only asymmetric algorithms are
//! accepted: `alg: none` and HMAC "key confusion" tokens are refused.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use time::{Duration, OffsetDateTime};

use crate::StsError;

/// Fetches a URL's body (the edge provides it; this crate does no I/O of its own).
#[async_trait::async_trait]
pub trait Fetcher: Send + Sync + 'static {
    async fn get(&self, url: &str) -> Result<Vec<u8>, String>;
}

/// How long published keys are trusted before they are fetched again.
const KEYS_TTL: Duration = Duration::hours(1);
/// Tokens may be this far from our clock on `nbf`/`exp`/`iat`.
const LEEWAY_SECONDS: u64 = 60;
/// A token naming a key we have not seen fetches the keys again at most this often per
/// issuer: anyone may send AssumeRoleWithWebIdentity unsigned, and a made-up `kid` must
/// not turn each such request into two fetches from the provider.
const FORCED_REFRESH_EVERY: Duration = Duration::seconds(30);
/// After a failed fetch, a provider's keys are not fetched again for this long.
const RETRY_FAILED_AFTER: Duration = Duration::seconds(10);

const ALLOWED: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::PS256,
];

pub struct OidcKeys {
    fetcher: Arc<dyn Fetcher>,
    cache: Mutex<HashMap<String, (OffsetDateTime, Arc<JwkSet>)>>,
    /// When each issuer's keys were last fetched again for an unknown `kid`.
    forced: Mutex<HashMap<String, OffsetDateTime>>,
    /// When fetching each issuer's keys last failed.
    failed: Mutex<HashMap<String, OffsetDateTime>>,
}

fn invalid(message: impl Into<String>) -> StsError {
    StsError::new("InvalidIdentityToken", 400, message)
}

/// AWS's `IDPCommunicationError` message.
const IDP_UNREACHABLE: &str = "Couldn't retrieve verification key from your identity provider,  please reference \
     AssumeRoleWithWebIdentity documentation for requirements";

fn communication(message: impl Into<String>) -> StsError {
    StsError::new("IDPCommunicationError", 400, message)
}

/// The unverified claims of a token, to find its provider (verified afterwards).
fn unverified_claims(token: &str) -> Result<Value, StsError> {
    let not_jwt = || invalid("The web identity token is not a JWT.");
    let payload = token.split('.').nth(1).ok_or_else(not_jwt)?;
    let bytes = base64::Engine::decode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        payload.trim_end_matches('='),
    )
    .map_err(|_| not_jwt())?;
    serde_json::from_slice(&bytes).map_err(|_| not_jwt())
}

/// The unverified `iss` of a token, to find its provider (verified below).
pub fn unverified_issuer(token: &str) -> Result<String, StsError> {
    unverified_claims(token)?
        .get("iss")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| invalid("The web identity token has no issuer (iss)."))
}

/// The unverified `aud` of a token (its first, if several).
pub fn unverified_audience(token: &str) -> Result<String, StsError> {
    match unverified_claims(token)?.get("aud") {
        Some(Value::String(a)) => Ok(a.clone()),
        Some(Value::Array(a)) => a
            .iter()
            .find_map(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| invalid("Incorrect token audience")),
        _ => Err(invalid("Incorrect token audience")),
    }
}

impl OidcKeys {
    pub fn new(fetcher: Arc<dyn Fetcher>) -> Self {
        Self {
            fetcher,
            cache: Mutex::new(HashMap::new()),
            forced: Mutex::new(HashMap::new()),
            failed: Mutex::new(HashMap::new()),
        }
    }

    /// Fetches `url` as JSON. What went wrong stays in the server's log: the caller is
    /// unauthenticated, and the fetcher's errors (addresses, TLS and DNS failures) would
    /// make Warden an oracle for the network behind it; AWS answers with one message.
    async fn fetch_json(&self, url: &str) -> Result<Value, StsError> {
        let body = self.fetcher.get(url).await.map_err(|e| {
            tracing::info!(url, error = %e, "fetching an OIDC provider's keys failed");
            communication(IDP_UNREACHABLE)
        })?;
        serde_json::from_slice(&body).map_err(|_| {
            tracing::info!(url, "an OIDC provider's document is not JSON");
            communication(IDP_UNREACHABLE)
        })
    }

    async fn keys(&self, issuer: &str, now: OffsetDateTime, refresh: bool) -> Result<Arc<JwkSet>, StsError> {
        if !refresh {
            let cached = self.cache.lock().ok().and_then(|c| c.get(issuer).cloned());
            if let Some((at, set)) = cached
                && now - at < KEYS_TTL
            {
                return Ok(set);
            }
        }
        // A provider that just failed is not asked again at once: each attempt holds a
        // blocking thread for up to the fetcher's timeout, and anyone may send requests.
        let failed = self.failed.lock().ok().and_then(|f| f.get(issuer).copied());
        if failed.is_some_and(|at| now - at < RETRY_FAILED_AFTER && now >= at) {
            return Err(communication(IDP_UNREACHABLE));
        }
        let set = match self.fetch_keys(issuer).await {
            Ok(set) => Arc::new(set),
            Err(e) => {
                if let Ok(mut f) = self.failed.lock() {
                    if f.len() >= 10_000 {
                        f.clear();
                    }
                    f.insert(issuer.to_owned(), now);
                }
                return Err(e);
            }
        };
        if let Ok(mut f) = self.failed.lock() {
            f.remove(issuer);
        }
        if let Ok(mut c) = self.cache.lock() {
            c.insert(issuer.to_owned(), (now, set.clone()));
        }
        Ok(set)
    }

    async fn fetch_keys(&self, issuer: &str) -> Result<JwkSet, StsError> {
        let discovery_url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let discovery = self.fetch_json(&discovery_url).await?;
        let jwks_uri = discovery
            .get("jwks_uri")
            .and_then(Value::as_str)
            .ok_or_else(|| communication(IDP_UNREACHABLE))?;
        let jwks = self.fetch_json(jwks_uri).await?;
        serde_json::from_value(jwks).map_err(|_| communication(IDP_UNREACHABLE))
    }

    /// Whether an unknown `kid` may fetch `issuer`'s keys again now (and records it).
    fn may_force_refresh(&self, issuer: &str, now: OffsetDateTime) -> bool {
        let Ok(mut forced) = self.forced.lock() else {
            return false;
        };
        if forced
            .get(issuer)
            .is_some_and(|at| now - *at < FORCED_REFRESH_EVERY)
        {
            return false;
        }
        if forced.len() >= 10_000 {
            forced.clear();
        }
        forced.insert(issuer.to_owned(), now);
        true
    }

    /// Verifies the token's signature, issuer, audience and times; returns its claims.
    pub async fn verify(
        &self,
        token: &str,
        issuer: &str,
        client_ids: &[String],
        now: OffsetDateTime,
    ) -> Result<Value, StsError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| invalid("The web identity token is malformed."))?;
        if !ALLOWED.contains(&header.alg) {
            return Err(invalid(format!(
                "The web identity token's algorithm {:?} is not accepted.",
                header.alg
            )));
        }
        let mut keys = self.keys(issuer, now, false).await?;
        let find = |set: &JwkSet| match &header.kid {
            Some(kid) => set.find(kid).cloned(),
            None => set.keys.first().cloned(),
        };
        let jwk = match find(&keys) {
            Some(k) => k,
            None => {
                // A key we have not seen: the provider may have rotated (at most once
                // per FORCED_REFRESH_EVERY).
                if !self.may_force_refresh(issuer, now) {
                    return Err(invalid("The web identity token is signed by an unknown key."));
                }
                keys = self.keys(issuer, now, true).await?;
                find(&keys).ok_or_else(|| invalid("The web identity token is signed by an unknown key."))?
            }
        };
        let key =
            DecodingKey::from_jwk(&jwk).map_err(|_| invalid("The provider's signing key is unusable."))?;
        let mut validation = Validation::new(header.alg);
        validation.leeway = LEEWAY_SECONDS;
        validation.set_issuer(&[issuer]);
        validation.validate_aud = false;
        // Times are checked below against `now` (the server's clock), not the library's
        // reading of the system clock.
        validation.validate_nbf = false;
        validation.validate_exp = false;
        let data = jsonwebtoken::decode::<Value>(token, &key, &validation)
            .map_err(|e| invalid(format!("The web identity token could not be verified: {e}")))?;
        let claims = data.claims;
        check_expiry(&claims, now)?;
        check_not_before(&claims, now)?;
        let audiences: Vec<&str> = match claims.get("aud") {
            Some(Value::String(a)) => vec![a.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !audiences.iter().any(|a| client_ids.iter().any(|c| c == a)) {
            return Err(invalid("Incorrect token audience"));
        }
        Ok(claims)
    }
}

fn check_not_before(claims: &Value, now: OffsetDateTime) -> Result<(), StsError> {
    let Some(nbf) = claims.get("nbf") else {
        return Ok(());
    };
    let nbf = nbf
        .as_i64()
        .ok_or_else(|| invalid("The web identity token's nbf is not a number of seconds."))?;
    let leeway = i64::try_from(LEEWAY_SECONDS).unwrap_or(0);
    if now.unix_timestamp() + leeway < nbf {
        return Err(invalid("The web identity token is not valid yet (nbf)."));
    }
    Ok(())
}

fn check_expiry(claims: &Value, now: OffsetDateTime) -> Result<(), StsError> {
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or_else(|| invalid("The web identity token has no exp."))?;
    let leeway = i64::try_from(LEEWAY_SECONDS).unwrap_or(0);
    if now.unix_timestamp() > exp + leeway {
        let fmt = |t: i64| {
            OffsetDateTime::from_unix_timestamp(t)
                .map(crate::ops::aws_date)
                .unwrap_or_default()
        };
        return Err(StsError::new(
            "ExpiredTokenException",
            400,
            format!(
                "Token expired: current date/time {} must be before the expiration date/time {}",
                crate::ops::aws_date(now),
                fmt(exp)
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
#[path = "web_identity_tests.rs"]
mod tests;
