//! User pool tokens: a per-pool RS256 key pair with a `kid`, ID and access tokens as
//! JWTs that anyone can verify from the pool's JWKS, and opaque refresh tokens whose
//! server side is a hash (DESIGN.md, "Secrets and sessions").

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use warden_iam::crypto::Sealer;

use crate::error::CognitoError;
use crate::model::{Pool, SigningKey};

const RSA_BITS: usize = 2048;

/// A new key pair for `pool_id`, its private half sealed under the master key.
pub fn generate_key(sealer: &Sealer, pool_id: &str) -> Result<SigningKey, CognitoError> {
    let private = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, RSA_BITS)
        .map_err(|_| CognitoError::internal("Generating the user pool's signing key failed."))?;
    let pem = private
        .to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
        .map_err(|_| CognitoError::internal("Encoding the user pool's signing key failed."))?;
    let n = private.n().to_bytes_be();
    let e = private.e().to_bytes_be();
    let mut digest = Sha256::new();
    digest.update(&n);
    digest.update(&e);
    Ok(SigningKey {
        kid: STANDARD.encode(digest.finalize()),
        private_sealed: sealer.seal(&pem, pool_id),
        n: URL_SAFE_NO_PAD.encode(n),
        e: URL_SAFE_NO_PAD.encode(e),
        private_pem: Some(pem.to_string()),
    })
}

/// The pool's JWKS document (`/{poolId}/.well-known/jwks.json`).
pub fn jwks(pool: &Pool) -> Value {
    jwks_of(&pool.key)
}

/// A JWKS document publishing `key`.
pub fn jwks_of(key: &SigningKey) -> Value {
    json!({"keys": [{
        "alg": "RS256",
        "e": key.e,
        "kid": key.kid,
        "kty": "RSA",
        "n": key.n,
        "use": "sig",
    }]})
}

/// The pool's OpenID discovery document.
pub fn openid_configuration(issuer: &str) -> Value {
    json!({
        "authorization_endpoint": format!("{issuer}/oauth2/authorize"),
        "id_token_signing_alg_values_supported": ["RS256"],
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
        "response_types_supported": ["code", "token"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "subject_types_supported": ["public"],
        "token_endpoint": format!("{issuer}/oauth2/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "userinfo_endpoint": format!("{issuer}/oauth2/userInfo"),
    })
}

/// Signs `claims` with the pool's private key.
pub fn sign(pool: &Pool, claims: &Value) -> Result<String, CognitoError> {
    sign_with(&pool.key, claims)
}

/// Signs `claims` with `key` (a pool's, or the identity pools' key).
pub fn sign_with(signing: &SigningKey, claims: &Value) -> Result<String, CognitoError> {
    let pem = signing
        .private_pem
        .as_deref()
        .ok_or_else(|| CognitoError::internal("The user pool's signing key is not available."))?;
    let key = EncodingKey::from_rsa_pem(pem.as_bytes())
        .map_err(|_| CognitoError::internal("The user pool's signing key is unusable."))?;
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(signing.kid.clone());
    jsonwebtoken::encode(&header, claims, &key)
        .map_err(|_| CognitoError::internal("Signing the token failed."))
}

/// The unverified claims of a JWT, to find its pool before the signature is checked.
pub fn unverified_claims(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenFault {
    /// Not a token this pool signed (or not a JWT at all).
    Invalid,
    /// Signed by the pool, but past its `exp`.
    Expired,
}

/// Verifies the signature (RS256 only, the pool's key) and expiry of a token the pool
/// issued, returning its claims.
pub fn verify(pool: &Pool, issuer: &str, token: &str, now: OffsetDateTime) -> Result<Value, TokenFault> {
    let claims = verify_signature(pool, issuer, token).ok_or(TokenFault::Invalid)?;
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or(TokenFault::Invalid)?;
    if now.unix_timestamp() >= exp {
        return Err(TokenFault::Expired);
    }
    Ok(claims)
}

fn verify_signature(pool: &Pool, issuer: &str, token: &str) -> Option<Value> {
    let header = jsonwebtoken::decode_header(token).ok()?;
    if header.alg != Algorithm::RS256 || header.kid.as_deref() != Some(pool.key.kid.as_str()) {
        return None;
    }
    let key = DecodingKey::from_rsa_components(&pool.key.n, &pool.key.e).ok()?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[issuer]);
    validation.validate_aud = false;
    // Expiry is checked against the server's clock, not the library's system clock.
    validation.validate_exp = false;
    validation.set_required_spec_claims(&["exp", "iss"]);
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .ok()
        .map(|d| d.claims)
}

/// A random identifier: `jti`, `origin_jti`, `event_id`.
pub fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A refresh token for `origin_jti`, and the hash of its secret part that is stored.
pub fn new_refresh_token(origin_jti: &str) -> (String, String) {
    let mut secret = [0u8; 48];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let secret = URL_SAFE_NO_PAD.encode(secret);
    let hash = secret_hash(&secret);
    (format!("{origin_jti}.{secret}"), hash)
}

/// The `origin_jti` and secret of a refresh token.
pub fn split_refresh_token(token: &str) -> Option<(&str, &str)> {
    let (jti, secret) = token.split_once('.')?;
    (!jti.is_empty() && !secret.is_empty()).then_some((jti, secret))
}

pub fn secret_hash(secret: &str) -> String {
    hex_lower(&Sha256::digest(secret.as_bytes()))
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Constant-time equality of two strings (hashes, client secrets).
pub fn same(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Cognito's `SECRET_HASH`: Base64(HMAC-SHA256(client secret, username + client ID)).
pub fn client_secret_hash(client_secret: &str, username: &str, client_id: &str) -> String {
    use hmac::{Hmac, Mac};
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(client_secret.as_bytes()) else {
        return String::new();
    };
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_hash_matches_the_known_answer() {
        // tests/data/known-answer.json (cognito-srp-helper's vector): SECRET_HASH.
        let vector: Value =
            serde_json::from_str(include_str!("../tests/data/known-answer.json")).unwrap_or_default();
        let input = &vector["inputs"];
        let hash = client_secret_hash(
            input["clientSecret"].as_str().unwrap_or_default(),
            input["username"].as_str().unwrap_or_default(),
            input["clientId"].as_str().unwrap_or_default(),
        );
        assert_eq!(Some(hash.as_str()), vector["expected"]["SECRET_HASH"].as_str());
    }

    proptest::proptest! {
        #[test]
        fn untrusted_token_text_never_panics(text in ".{0,200}") {
            let _ = unverified_claims(&text);
            let _ = split_refresh_token(&text);
            let _ = crate::ops::public_account(&serde_json::json!({"AccessToken": text.clone()}));
            let _ = crate::ops::public_account(&serde_json::json!({"ClientId": text.clone()}));
            let _ = crate::ids::parse_pool_id(&text);
        }
    }

    #[test]
    fn refresh_tokens_split_and_hash() {
        let (token, hash) = new_refresh_token("jti-1");
        let (jti, secret) = split_refresh_token(&token).unwrap_or_default();
        assert_eq!(jti, "jti-1");
        assert!(same(&secret_hash(secret), &hash));
        assert!(split_refresh_token("nodot").is_none());
        assert!(split_refresh_token(".x").is_none());
    }
}
