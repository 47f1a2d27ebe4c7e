#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{EncodingKey, Header};
use p256::pkcs8::EncodePrivateKey;
use serde_json::json;

use super::*;

const ISSUER: &str = "https://idp.example.com";

/// A provider whose discovery document and JWKS are served from memory, counting fetches.
struct Fake {
    jwks: Value,
    fetches: AtomicUsize,
}

#[async_trait::async_trait]
impl Fetcher for Fake {
    async fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        let body = if url.ends_with("/openid-configuration") {
            json!({"issuer": ISSUER, "jwks_uri": format!("{ISSUER}/keys")})
        } else {
            self.jwks.clone()
        };
        Ok(body.to_string().into_bytes())
    }
}

fn es256() -> (EncodingKey, Value) {
    let secret = p256::SecretKey::random(&mut rand_core::OsRng);
    let point = secret.public_key().to_sec1_bytes();
    let pem = secret.to_pkcs8_pem(Default::default()).unwrap();
    let jwk = json!({"kty": "EC", "crv": "P-256", "kid": "k1", "alg": "ES256", "use": "sig",
        "x": URL_SAFE_NO_PAD.encode(&point[1..33]), "y": URL_SAFE_NO_PAD.encode(&point[33..65])});
    (EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(), jwk)
}

fn setup() -> (Arc<Fake>, OidcKeys, EncodingKey) {
    let (key, jwk) = es256();
    let fake = Arc::new(Fake {
        jwks: json!({ "keys": [jwk] }),
        fetches: AtomicUsize::new(0),
    });
    let keys = OidcKeys::new(fake.clone());
    (fake, keys, key)
}

fn token(key: &EncodingKey, kid: &str, claims: Value) -> String {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(&header, &claims, key).unwrap()
}

fn at(t: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(t).unwrap()
}

const T: i64 = 1_800_000_000;

/// Unknown `kid`s fetch the keys again at most once per 30 seconds, so unsigned requests
/// with made-up key IDs cannot make Warden hammer the provider.
#[tokio::test]
async fn unknown_kids_refetch_keys_at_most_every_30_seconds() {
    let (fake, keys, key) = setup();
    let clients = ["app".to_owned()];
    let claims = json!({"iss": ISSUER, "aud": "app", "sub": "u", "exp": T + 300});
    for i in 0..20 {
        let e = keys
            .verify(
                &token(&key, &format!("made-up-{i}"), claims.clone()),
                ISSUER,
                &clients,
                at(T),
            )
            .await
            .unwrap_err();
        assert_eq!(e.code, "InvalidIdentityToken");
    }
    // The first look-up (2 fetches) and one forced refresh (2 more), not 40.
    assert_eq!(fake.fetches.load(Ordering::SeqCst), 4);
    // Genuine tokens still verify from the cache.
    keys.verify(&token(&key, "k1", claims.clone()), ISSUER, &clients, at(T))
        .await
        .unwrap();
    assert_eq!(fake.fetches.load(Ordering::SeqCst), 4);
    // Later, a new kid may refresh again (key rotation is still followed).
    let _ = keys
        .verify(&token(&key, "rotated", claims), ISSUER, &clients, at(T + 31))
        .await;
    assert_eq!(fake.fetches.load(Ordering::SeqCst), 6);
}

/// `nbf` is checked against the server's clock (the `now` passed in), like `exp`.
#[tokio::test]
async fn not_before_uses_the_servers_clock() {
    let (_, keys, key) = setup();
    let clients = ["app".to_owned()];
    // Valid from 10 minutes after T (T is in 2027: the system clock alone would refuse it).
    let claims = json!({"iss": ISSUER, "aud": "app", "sub": "u", "nbf": T + 600, "exp": T + 3600});
    let t = token(&key, "k1", claims);
    let e = keys.verify(&t, ISSUER, &clients, at(T)).await.unwrap_err();
    assert_eq!(e.code, "InvalidIdentityToken");
    assert!(e.message.contains("nbf"), "{}", e.message);
    keys.verify(&t, ISSUER, &clients, at(T + 600)).await.unwrap();
    // A non-numeric nbf is refused, not ignored.
    let odd = token(
        &key,
        "k1",
        json!({"iss": ISSUER, "aud": "app", "sub": "u", "nbf": "later", "exp": T + 3600}),
    );
    assert!(keys.verify(&odd, ISSUER, &clients, at(T)).await.is_err());
}

#[derive(Default)]
struct Unreachable {
    calls: AtomicUsize,
}

#[async_trait::async_trait]
impl Fetcher for Unreachable {
    async fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Err(format!("{url}: connection refused by 10.0.0.5:8443"))
    }
}

/// A failed fetch answers AWS's one message: nothing of the network behind Warden (the
/// caller is unauthenticated).
#[tokio::test]
async fn fetch_failures_reveal_nothing_to_the_caller() {
    let keys = OidcKeys::new(Arc::new(Unreachable::default()));
    let (key, _) = es256();
    let claims = json!({"iss": ISSUER, "aud": "app", "sub": "u", "exp": T + 300});
    let e = keys
        .verify(&token(&key, "k1", claims), ISSUER, &["app".to_owned()], at(T))
        .await
        .unwrap_err();
    assert_eq!(e.code, "IDPCommunicationError");
    assert!(!e.message.contains("10.0.0.5"), "{}", e.message);
    assert!(
        e.message.starts_with("Couldn't retrieve verification key"),
        "{}",
        e.message
    );
}

/// A provider that failed is not asked again for 10 seconds: each attempt may hold a
/// blocking thread for the fetcher's whole timeout, and the callers are anonymous.
#[tokio::test]
async fn a_failing_provider_is_retried_after_10_seconds_only() {
    let fetcher = Arc::new(Unreachable::default());
    let keys = OidcKeys::new(fetcher.clone());
    let (key, _) = es256();
    let claims = json!({"iss": ISSUER, "aud": "app", "sub": "u", "exp": T + 300});
    let t = token(&key, "k1", claims);
    let clients = ["app".to_owned()];
    for s in 0..10 {
        let e = keys.verify(&t, ISSUER, &clients, at(T + s)).await.unwrap_err();
        assert_eq!(e.code, "IDPCommunicationError");
    }
    assert_eq!(fetcher.calls.load(Ordering::SeqCst), 1);
    let _ = keys.verify(&t, ISSUER, &clients, at(T + 10)).await;
    assert_eq!(fetcher.calls.load(Ordering::SeqCst), 2);
}
