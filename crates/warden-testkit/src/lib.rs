//! The test kit: a Warden server on `127.0.0.1:0` with its own data directory, a
//! controllable clock, and official AWS SDK clients pointed at it.
//!
//! ```no_run
//! # async fn f() {
//! let server = warden_testkit::TestServer::start().await;
//! let iam = server.root_iam();
//! iam.create_user().user_name("alice").send().await.unwrap();
//! # }
//! ```
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

pub mod saml;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use aws_credential_types::Credentials;
use aws_sdk_iam::config::retry::RetryConfig;
use aws_sdk_iam::config::{BehaviorVersion, Region};
use time::OffsetDateTime;
use warden_server::Clock;
use warden_types::Secret;
use zeroize::Zeroizing;

/// The account ID every test server's default account gets, for stable ARNs.
pub const ACCOUNT_ID: &str = "123456789012";
pub const ROOT_ACCESS_KEY_ID: &str = "AKIAWARDENTESTROOT01";
pub const ROOT_SECRET_ACCESS_KEY: &str = "wardenTestRootSecretKey0000000000000000a";

/// Real time plus an offset the test controls (to expire tokens, skew signatures).
#[derive(Default)]
pub struct FakeClock {
    offset_seconds: AtomicI64,
}

impl FakeClock {
    pub fn advance(&self, by: time::Duration) {
        self.offset_seconds
            .fetch_add(by.whole_seconds(), Ordering::SeqCst);
    }
}

impl Clock for FakeClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + time::Duration::seconds(self.offset_seconds.load(Ordering::SeqCst))
    }
}

/// Which store a test server runs on.
#[derive(Debug, Clone)]
pub enum Backend {
    Embedded,
    /// PostgreSQL at this URL, in the given schema (fresh per server unless restarted).
    Postgres {
        url: String,
        schema: String,
    },
}

impl Backend {
    /// PostgreSQL at `url` in a new schema of its own.
    pub fn postgres(url: String) -> Self {
        Backend::Postgres {
            url,
            schema: format!("warden_e2e_{}", rand::random::<u64>()),
        }
    }
}

/// A running server for one test.
pub struct TestServer {
    pub endpoint: String,
    pub account_id: String,
    pub clock: Arc<FakeClock>,
    pub data_dir: tempfile::TempDir,
    pub server: Option<warden::Started>,
    pub backend: Backend,
    /// The `--public-url` the server was given, if not its own address (kept on restart).
    pub public_url: Option<String>,
}

/// Long-term or temporary credentials.
#[derive(Debug, Clone)]
pub struct Keys {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

impl Keys {
    pub fn new(id: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            access_key_id: id.into(),
            secret_access_key: secret.into(),
            session_token: None,
        }
    }

    pub fn root() -> Self {
        Self::new(ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY)
    }

    /// The temporary credentials an STS call returned.
    pub fn of_session(c: &aws_sdk_sts::types::Credentials) -> Self {
        Self {
            access_key_id: c.access_key_id().to_owned(),
            secret_access_key: c.secret_access_key().to_owned(),
            session_token: Some(c.session_token().to_owned()),
        }
    }

    fn credentials(&self) -> Credentials {
        Credentials::new(
            &self.access_key_id,
            &self.secret_access_key,
            self.session_token.clone(),
            None,
            "warden-testkit",
        )
    }
}

/// The PostgreSQL URL tests use (`WARDEN_TEST_DATABASE_URL`, else the local trust-auth
/// server of the dev and CI machines), if a server answers there.
pub async fn postgres_url() -> Option<String> {
    let url = std::env::var("WARDEN_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let addr = url
        .split('@')
        .nth(1)
        .and_then(|h| h.split('/').next())
        .unwrap_or("127.0.0.1:5432")
        .to_owned();
    match tokio::net::TcpStream::connect(&addr).await {
        Ok(_) => Some(url),
        Err(e) => {
            if std::env::var("WARDEN_REQUIRE_POSTGRES").is_ok() {
                panic!("WARDEN_REQUIRE_POSTGRES is set but PostgreSQL at {addr} is unreachable: {e}");
            }
            eprintln!("SKIPPED: PostgreSQL backend: no server at {addr} ({e})");
            None
        }
    }
}

impl TestServer {
    /// A server on the store `WARDEN_TEST_BACKEND` names (`postgres` runs the suite on
    /// PostgreSQL; anything else, or nothing, on the embedded store).
    pub async fn start() -> Self {
        Self::start_on(Self::start_backend().await).await
    }

    pub async fn start_on(backend: Backend) -> Self {
        let data_dir = tempfile::tempdir().expect("temp dir");
        Self::start_in(backend, data_dir).await
    }

    /// A server over an existing data directory (to test restarts).
    pub async fn start_in(backend: Backend, data_dir: tempfile::TempDir) -> Self {
        Self::start_configured(backend, data_dir, |_| {}).await
    }

    /// A server on the default backend whose `--public-url` is `url` (user pool issuers).
    pub async fn start_with_public_url(url: &str) -> Self {
        let backend = Self::start_backend().await;
        let url = url.to_owned();
        Self::start_configured(backend, tempfile::tempdir().expect("temp dir"), move |c| {
            c.public_url = Some(url);
        })
        .await
    }

    async fn start_backend() -> Backend {
        match std::env::var("WARDEN_TEST_BACKEND").as_deref() {
            Ok("postgres") => match postgres_url().await {
                Some(url) => Backend::postgres(url),
                None => Backend::Embedded,
            },
            _ => Backend::Embedded,
        }
    }

    /// A server whose configuration `tweak` adjusts after the test defaults are set.
    pub async fn start_configured(
        backend: Backend,
        data_dir: tempfile::TempDir,
        tweak: impl FnOnce(&mut warden::Config),
    ) -> Self {
        let clock = Arc::new(FakeClock::default());
        let mut config = warden::Config::embedded(data_dir.path().to_path_buf());
        config.listen = "127.0.0.1:0".parse().expect("addr");
        config.master_key = Some(Zeroizing::new([42u8; 32]));
        config.account_id = Some(ACCOUNT_ID.parse().expect("account id"));
        config.root_key = Some((ROOT_ACCESS_KEY_ID.to_owned(), Secret::new(ROOT_SECRET_ACCESS_KEY)));
        config.clock = clock.clone();
        if let Backend::Postgres { url, schema } = &backend {
            config.database_url = Some(url.clone());
            config.database_schema = Some(schema.clone());
        }
        tweak(&mut config);
        let public_url = config.public_url.clone();
        let server = warden::start(config).await.expect("server starts");
        Self {
            endpoint: format!("http://{}", server.addr),
            account_id: server.default_account.clone(),
            clock,
            data_dir,
            server: Some(server),
            backend,
            public_url,
        }
    }

    /// Stops the server gracefully and starts it again on the same data.
    pub async fn restart(self) -> Self {
        let backend = self.backend.clone();
        let public_url = self.public_url.clone();
        let dir = self.stop().await;
        Self::start_configured(backend, dir, |c| c.public_url = public_url).await
    }

    /// The base of user pool issuers: `{public-url}`, or the server's own address.
    pub fn public_base(&self) -> &str {
        self.public_url.as_deref().unwrap_or(&self.endpoint)
    }

    /// Stops the server gracefully and hands back its data directory.
    pub async fn stop(mut self) -> tempfile::TempDir {
        // (Drop order: the server must stop before its data directory goes.)
        if let Some(s) = self.server.take() {
            s.shutdown().await.expect("clean shutdown");
        }
        self.data_dir
    }

    fn sdk_config(&self, keys: &Keys) -> aws_sdk_iam::Config {
        aws_sdk_iam::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(keys.credentials())
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .retry_config(RetryConfig::disabled())
            .build()
    }

    pub fn iam(&self, keys: &Keys) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::from_conf(self.sdk_config(keys))
    }

    /// A Cognito user pools client signing with `keys`.
    pub fn cognito(&self, keys: &Keys) -> aws_sdk_cognitoidentityprovider::Client {
        self.cognito_in("us-east-1", Some(keys))
    }

    /// A Cognito user pools client for `region`, signing with `keys` or, without, sending
    /// the unsigned operations (sign-up, sign-in) as apps do.
    pub fn cognito_in(&self, region: &str, keys: Option<&Keys>) -> aws_sdk_cognitoidentityprovider::Client {
        use aws_sdk_cognitoidentityprovider::config;
        let mut conf = config::Builder::new()
            .behavior_version(config::BehaviorVersion::latest())
            .region(config::Region::new(region.to_owned()))
            .endpoint_url(&self.endpoint)
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .retry_config(config::retry::RetryConfig::disabled());
        if let Some(keys) = keys {
            conf = conf.credentials_provider(keys.credentials());
        }
        aws_sdk_cognitoidentityprovider::Client::from_conf(conf.build())
    }

    /// A Cognito identity pools client signing with `keys`, or unsigned without.
    pub fn cognito_identity(&self, keys: Option<&Keys>) -> aws_sdk_cognitoidentity::Client {
        use aws_sdk_cognitoidentity::config;
        let mut conf = config::Builder::new()
            .behavior_version(config::BehaviorVersion::latest())
            .region(config::Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .retry_config(config::retry::RetryConfig::disabled());
        if let Some(keys) = keys {
            conf = conf.credentials_provider(keys.credentials());
        }
        aws_sdk_cognitoidentity::Client::from_conf(conf.build())
    }

    /// A Cognito user pools client without credentials (what a browser or phone app has).
    pub fn cognito_unsigned(&self) -> aws_sdk_cognitoidentityprovider::Client {
        self.cognito_in("us-east-1", None)
    }

    pub fn root_iam(&self) -> aws_sdk_iam::Client {
        self.iam(&Keys::root())
    }

    pub fn sts(&self, keys: &Keys) -> aws_sdk_sts::Client {
        let conf = aws_sdk_sts::Config::builder()
            .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
            .region(aws_sdk_sts::config::Region::new("us-east-1"))
            .endpoint_url(&self.endpoint)
            .credentials_provider(keys.credentials())
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .retry_config(aws_sdk_sts::config::retry::RetryConfig::disabled())
            .build();
        aws_sdk_sts::Client::from_conf(conf)
    }

    /// Puts an inline policy on a user (as root).
    pub async fn put_user_policy(&self, user: &str, name: &str, document: impl Into<String>) {
        self.root_iam()
            .put_user_policy()
            .user_name(user)
            .policy_name(name)
            .policy_document(document)
            .send()
            .await
            .expect("put user policy");
    }

    /// Puts an inline policy on a role (as root).
    pub async fn put_role_policy(&self, role: &str, name: &str, document: impl Into<String>) {
        self.root_iam()
            .put_role_policy()
            .role_name(role)
            .policy_name(name)
            .policy_document(document)
            .send()
            .await
            .expect("put role policy");
    }

    /// A second account named `name`, as `warden account create` makes one (through the
    /// CLI's client, signed by the root key); returns its ID and its root keys.
    pub async fn create_account(&self, name: &str) -> (String, Keys) {
        let endpoint = self.endpoint.clone();
        let name = name.to_owned();
        let root = warden::cli_client::SigningKeys {
            access_key_id: ROOT_ACCESS_KEY_ID,
            secret_access_key: ROOT_SECRET_ACCESS_KEY,
            session_token: None,
        };
        let created = tokio::task::spawn_blocking(move || {
            warden::cli_client::create_account(&endpoint, &name, &root).expect("create account")
        })
        .await
        .expect("create account task");
        let field = |k: &str| {
            let value = created.get(k).and_then(|v| v.as_str());
            value.expect("account field").to_owned()
        };
        (
            field("AccountId"),
            Keys::new(field("AccessKeyId"), field("SecretAccessKey")),
        )
    }

    /// Creates a user with an access key, returning the key.
    pub async fn user_with_key(&self, name: &str) -> Keys {
        let iam = self.root_iam();
        iam.create_user()
            .user_name(name)
            .send()
            .await
            .expect("create user");
        let key = iam
            .create_access_key()
            .user_name(name)
            .send()
            .await
            .expect("create key");
        let key = key.access_key().expect("access key");
        Keys::new(key.access_key_id(), key.secret_access_key())
    }
}
