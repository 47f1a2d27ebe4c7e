//! Starting a Warden server: store selection, master key, first-start bootstrap of the
//! default account, and the HTTP listener. The `warden` binary reads the command line
//! and environment into a [`Config`]; tests build one directly.
//!
//! ```no_run
//! # async fn f() -> anyhow::Result<()> {
//! let config = warden::Config::embedded("./warden-data".into());
//! let server = warden::start(config).await?;
//! println!("listening on {}", server.addr);
//! # Ok(()) }
//! ```

mod bootstrap;
pub mod cli_client;
pub mod fetch;
mod keys;

pub use keys::parse_master_key;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use time::OffsetDateTime;
use tokio::sync::watch;
use warden_iam::Iam;
use warden_iam::crypto::Sealer;
use warden_server::{App, Clock, ServerConfig};
use warden_store::Store;
use warden_types::{AccountId, Secret};
use zeroize::Zeroizing;

/// The system clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// How to start a server.
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// `postgres://...` to use PostgreSQL instead of the embedded store.
    pub database_url: Option<String>,
    /// PostgreSQL schema (tests isolate themselves with one each).
    pub database_schema: Option<String>,
    pub public_url: Option<String>,
    /// The master key; when `None`, `{data_dir}/master.key` is used (created if missing).
    pub master_key: Option<Zeroizing<[u8; 32]>>,
    /// The default account's ID on first start (random when `None`).
    pub account_id: Option<AccountId>,
    /// The default account's root keys on first start (generated when `None`).
    pub root_key: Option<(String, Secret)>,
    /// Write the audit log to `{data_dir}/audit.log`.
    pub audit_log: bool,
    pub clock: Arc<dyn Clock>,
}

impl Config {
    /// The embedded store in `data_dir`, listening on Warden's default port.
    pub fn embedded(data_dir: PathBuf) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 4600)),
            data_dir,
            database_url: None,
            database_schema: None,
            public_url: None,
            master_key: None,
            account_id: None,
            root_key: None,
            audit_log: true,
            clock: Arc::new(SystemClock),
        }
    }
}

/// A running server.
pub struct Started {
    pub addr: SocketAddr,
    pub default_account: String,
    /// Root keys generated on this first start, to show once; `None` on later starts or
    /// when they came from the configuration.
    pub generated_root_keys: Option<(String, Secret)>,
    pub app: Arc<App>,
    shutdown: watch::Sender<bool>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Started {
    /// Stops accepting connections, lets in-flight requests finish, and returns.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(true);
        self.task
            .await
            .context("server task panicked")?
            .context("server failed")
    }

    /// Waits for the server to stop (after a signal handled by the caller's `shutdown`).
    pub fn shutdown_handle(&self) -> watch::Sender<bool> {
        self.shutdown.clone()
    }

    pub async fn wait(self) -> anyhow::Result<()> {
        self.task
            .await
            .context("server task panicked")?
            .context("server failed")
    }
}

async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    Ok(match &config.database_url {
        Some(url) => Arc::new(
            warden_store_postgres::PostgresStore::connect(url, config.database_schema.as_deref())
                .await
                .context("connecting to PostgreSQL")?,
        ),
        None => Arc::new(
            warden_store_sqlite::SqliteStore::open(&config.data_dir.join("warden.db"))
                .context("opening the embedded store")?,
        ),
    })
}

/// Opens the store, bootstraps the default account on first start, binds the listener
/// and starts serving. Returns once the server is ready.
pub async fn start(config: Config) -> anyhow::Result<Started> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating data directory {}", config.data_dir.display()))?;
    let store = open_store(&config).await?;
    let master_key = match &config.master_key {
        Some(k) => k.clone(),
        None => keys::load_or_create_master_key(&config.data_dir.join("master.key"))?,
    };
    let iam = Arc::new(
        Iam::open(store.clone(), Sealer::new(&master_key))
            .await
            .context("loading state")?,
    );
    let now = config.clock.now();
    let (default_account, generated_root_keys) = bootstrap::default_account(&iam, &config, now).await?;

    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    let addr = listener.local_addr()?;
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let audit = if config.audit_log {
        warden_server::audit::AuditLog::to_file(config.data_dir.join("audit.log"))
    } else {
        warden_server::audit::AuditLog::disabled()
    };
    let pools = Arc::new(warden_cognito::UserPools::new(
        store.clone(),
        iam.sealer().clone(),
        public_url.clone(),
    ));
    let fetcher = fetch::LocalPoolsFirst::new(pools.clone(), &public_url);
    let sts = Arc::new(
        warden_sts::Sts::open(iam.clone(), Arc::new(fetcher), now)
            .await
            .context("loading STS sealing keys")?,
    );
    pools.attach_sts(sts.clone());
    rotate_sealing_keys(&sts, config.clock.clone());
    follow_other_nodes(&iam, &pools, store.as_ref());
    let app = Arc::new(App::new(
        warden_server::Services { iam, sts, pools },
        config.clock.clone(),
        ServerConfig {
            public_url,
            ..ServerConfig::default()
        },
        audit,
    ));
    let (shutdown, mut shutdown_rx) = watch::channel(false);
    let router = warden_server::router(app.clone());
    flush_usage_periodically(&app.iam);
    let iam = app.iam.clone();
    let task = tokio::spawn(async move {
        let served = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = shutdown_rx.wait_for(|stop| *stop).await;
        })
        .await;
        flush_usage(&iam).await;
        served
    });
    app.set_ready();
    Ok(Started {
        addr,
        default_account,
        generated_root_keys,
        app,
        shutdown,
        task,
    })
}

/// How often the last uses recorded in memory (access keys, roles) are written to the
/// store; they are also written when the server stops.
const USAGE_FLUSH_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

fn flush_usage_periodically(iam: &Arc<Iam>) {
    let iam = iam.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(USAGE_FLUSH_INTERVAL);
        tick.tick().await;
        loop {
            tick.tick().await;
            flush_usage(&iam).await;
        }
    });
}

async fn flush_usage(iam: &Iam) {
    match iam.flush_usage().await {
        Ok(0) => {}
        Ok(n) => tracing::debug!(entities = n, "wrote last-used data"),
        Err(e) => tracing::warn!(error = %e, "writing last-used data failed"),
    }
}

/// Checks hourly whether the session token sealing key is due for rotation.
fn rotate_sealing_keys(sts: &Arc<warden_sts::Sts>, clock: Arc<dyn Clock>) {
    let sts = sts.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        tick.tick().await;
        loop {
            tick.tick().await;
            if let Err(e) = sts.rotate_if_due(clock.now()).await {
                tracing::warn!(error = %e, "rotating the session token sealing key failed");
            }
        }
    });
}

/// On PostgreSQL, other nodes' commits arrive as notifications: reload those accounts
/// (user pool namespaces are read again on their next use).
fn follow_other_nodes(iam: &Arc<Iam>, pools: &Arc<warden_cognito::UserPools>, store: &dyn Store) {
    let Some(mut rx) = store.subscribe() else { return };
    let iam = iam.clone();
    let pools = pools.clone();
    tokio::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(key) if warden_cognito::model::account_of_namespace(&key).is_some() => {
                    pools.invalidate(&key);
                }
                Ok(account) => {
                    if let Err(e) = iam.refresh(&account).await {
                        tracing::warn!(account, error = %e, "refreshing an account after a notification failed");
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    });
}
