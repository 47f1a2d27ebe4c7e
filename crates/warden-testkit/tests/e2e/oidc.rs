//! AssumeRoleWithWebIdentity against an OIDC provider that runs inside the test on
//! loopback, with keys the test generates (ES256 and RS256), including rotation and
//! every forged or wrong token the issue names.

use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::pkcs8::EncodePrivateKey;
use serde_json::{Value, json};
use warden_testkit::{ACCOUNT_ID, Keys, TestServer};

use crate::{code, create_role, doc, err};

/// A signing key with its public JWK.
#[derive(Clone)]
struct SigningKey {
    kid: String,
    alg: Algorithm,
    encoding: EncodingKey,
    jwk: Value,
}

fn es256(kid: &str) -> SigningKey {
    let secret = p256::SecretKey::random(&mut rand_core::OsRng);
    let point = secret.public_key().to_sec1_bytes();
    let (x, y) = (&point[1..33], &point[33..65]);
    let pem = secret.to_pkcs8_pem(Default::default()).unwrap();
    SigningKey {
        kid: kid.into(),
        alg: Algorithm::ES256,
        encoding: EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
        jwk: json!({"kty": "EC", "crv": "P-256", "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y),
            "kid": kid, "alg": "ES256", "use": "sig"}),
    }
}

fn rs256(kid: &str) -> SigningKey {
    use rsa::pkcs8::EncodePrivateKey as _;
    use rsa::traits::PublicKeyParts;
    let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
    let pem = key.to_pkcs8_pem(Default::default()).unwrap();
    SigningKey {
        kid: kid.into(),
        alg: Algorithm::RS256,
        encoding: EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
        jwk: json!({"kty": "RSA", "n": URL_SAFE_NO_PAD.encode(key.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(key.e().to_bytes_be()), "kid": kid, "alg": "RS256", "use": "sig"}),
    }
}

fn json_body(v: Value) -> ([(axum::http::HeaderName, &'static str); 1], String) {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        v.to_string(),
    )
}

/// A minimal OIDC provider: discovery document and JWKS on 127.0.0.1.
struct Provider {
    issuer: String,
    published: Arc<Mutex<Vec<Value>>>,
}

impl Provider {
    async fn start(keys: &[&SigningKey]) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://127.0.0.1:{}/realm", listener.local_addr().unwrap().port());
        let published = Arc::new(Mutex::new(keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>()));
        let (iss, jwks) = (issuer.clone(), published.clone());
        let app = axum::Router::new()
            .route(
                "/realm/.well-known/openid-configuration",
                axum::routing::get(move || {
                    let iss = iss.clone();
                    async move { json_body(json!({"issuer": iss, "jwks_uri": format!("{iss}/keys")})) }
                }),
            )
            .route(
                "/realm/keys",
                axum::routing::get(move || {
                    let keys = jwks.lock().unwrap().clone();
                    async move { json_body(json!({ "keys": keys })) }
                }),
            );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { issuer, published }
    }

    fn host_path(&self) -> String {
        self.issuer.trim_start_matches("http://").to_owned()
    }

    fn token(&self, key: &SigningKey, claims: Value) -> String {
        let mut header = Header::new(key.alg);
        header.kid = Some(key.kid.clone());
        jsonwebtoken::encode(&header, &claims, &key.encoding).unwrap()
    }

    fn claims(&self, sub: &str, aud: &str, ttl: i64) -> Value {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        json!({"iss": self.issuer, "sub": sub, "aud": aud, "iat": now, "exp": now + ttl, "amr": ["pwd"]})
    }
}

/// Registers the provider and a role that trusts it for audience `app-client` and
/// subject `user-1`; returns the role ARN.
async fn setup(s: &TestServer, p: &Provider) -> String {
    let iam = s.root_iam();
    let created = iam
        .create_open_id_connect_provider()
        .url(&p.issuer)
        .client_id_list("app-client")
        .thumbprint_list("a".repeat(40))
        .send()
        .await
        .unwrap();
    let provider_arn = created.open_id_connect_provider_arn().unwrap().to_owned();
    assert_eq!(
        provider_arn,
        format!("arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{}", p.host_path())
    );
    let host = p.host_path();
    let trust = doc(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": provider_arn}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {format!("{host}:aud"): "app-client", format!("{host}:sub"): "user-1"}}}]}));
    let role = create_role(&iam, "web", trust).await;
    s.put_role_policy("web", "list", crate::allow("iam:ListUsers", "*"))
        .await;
    role
}

type WebIdentityResult = Result<
    aws_sdk_sts::operation::assume_role_with_web_identity::AssumeRoleWithWebIdentityOutput,
    aws_sdk_sts::error::SdkError<
        aws_sdk_sts::operation::assume_role_with_web_identity::AssumeRoleWithWebIdentityError,
    >,
>;

async fn assume(s: &TestServer, role: &str, token: &str) -> WebIdentityResult {
    s.sts(&Keys::root())
        .assume_role_with_web_identity()
        .role_arn(role)
        .role_session_name("web-session")
        .web_identity_token(token)
        .send()
        .await
}

#[tokio::test]
async fn web_identity_token_gets_role_credentials() {
    let s = TestServer::start().await;
    let key = es256("k1");
    let p = Provider::start(&[&key]).await;
    let role = setup(&s, &p).await;
    let out = assume(&s, &role, &p.token(&key, p.claims("user-1", "app-client", 300)))
        .await
        .unwrap();
    assert_eq!(out.subject_from_web_identity_token(), Some("user-1"));
    assert_eq!(out.audience(), Some("app-client"));
    assert_eq!(out.provider(), Some(p.host_path().as_str()));
    let c = out.credentials().unwrap();
    let keys = Keys::of_session(c);
    let who = s.sts(&keys).get_caller_identity().send().await.unwrap();
    assert_eq!(
        who.arn(),
        Some(format!("arn:aws:sts::{ACCOUNT_ID}:assumed-role/web/web-session").as_str())
    );
    s.iam(&keys).list_users().send().await.unwrap();
}

#[tokio::test]
async fn rs256_tokens_and_key_rotation() {
    let s = TestServer::start().await;
    let old = rs256("old");
    let p = Provider::start(&[&old]).await;
    let role = setup(&s, &p).await;
    assume(&s, &role, &p.token(&old, p.claims("user-1", "app-client", 300)))
        .await
        .unwrap();
    // The provider rotates to a new key: Warden fetches the JWKS again for the new kid.
    let new = es256("new");
    p.published.lock().unwrap().push(new.jwk.clone());
    assume(&s, &role, &p.token(&new, p.claims("user-1", "app-client", 300)))
        .await
        .unwrap();
}

#[tokio::test]
async fn wrong_expired_forged_and_unsigned_tokens_are_refused() {
    let s = TestServer::start().await;
    let key = es256("k1");
    let p = Provider::start(&[&key]).await;
    let role = setup(&s, &p).await;

    let (c, m) = err(assume(&s, &role, &p.token(&key, p.claims("user-1", "other-client", 300))).await);
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("InvalidIdentityToken", "Incorrect token audience")
    );

    let (c, m) = err(assume(&s, &role, &p.token(&key, p.claims("user-1", "app-client", -600))).await);
    assert_eq!(c, "ExpiredTokenException", "{m}");
    assert!(m.starts_with("Token expired: current date/time"), "{m}");

    // Same kid, another key: the signature does not verify.
    let mut forger = es256("k1");
    forger.kid = "k1".into();
    assert_eq!(
        code(
            assume(
                &s,
                &role,
                &p.token(&forger, p.claims("user-1", "app-client", 300))
            )
            .await
        ),
        "InvalidIdentityToken"
    );

    // alg: none, and HMAC signed with the public key as the secret ("key confusion").
    let claims = p.claims("user-1", "app-client", 300);
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","kid":"k1"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    assert_eq!(code(assume(&s, &role, &unsigned).await), "InvalidIdentityToken");
    let mut hs = Header::new(Algorithm::HS256);
    hs.kid = Some("k1".into());
    let confused = jsonwebtoken::encode(
        &hs,
        &claims,
        &EncodingKey::from_secret(key.jwk.to_string().as_bytes()),
    )
    .unwrap();
    assert_eq!(code(assume(&s, &role, &confused).await), "InvalidIdentityToken");
    assert_eq!(code(assume(&s, &role, "not-a-jwt").await), "InvalidIdentityToken");

    // The trust policy's sub condition: another user is not allowed.
    assert_eq!(
        code(assume(&s, &role, &p.token(&key, p.claims("user-2", "app-client", 300))).await),
        "AccessDenied"
    );
}

#[tokio::test]
async fn unregistered_providers_are_refused() {
    let s = TestServer::start().await;
    let key = es256("k1");
    let p = Provider::start(&[&key]).await;
    let role = create_role(&s.root_iam(), "web", doc(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Federated": "accounts.example.com"}, "Action": "sts:AssumeRoleWithWebIdentity"}]}),
        )).await;
    let (c, m) = err(assume(&s, &role, &p.token(&key, p.claims("user-1", "app-client", 300))).await);
    assert_eq!(c, "InvalidIdentityToken");
    assert!(m.contains("No OpenIDConnect provider found"), "{m}");
}
