//! The PostgreSQL store. Many `warden serve` nodes may share one database: every commit
//! checks and bumps the account's revision under a row lock, so two nodes cannot both
//! commit against the same state, and a `NOTIFY warden_commits` tells the other nodes
//! to refresh that account's snapshot.
//!
//! ```no_run
//! # async fn f() -> Result<(), warden_store::StoreError> {
//! let store = warden_store_postgres::PostgresStore::connect("postgres://postgres@127.0.0.1:5432/test", None).await?;
//! # Ok(()) }
//! ```

mod schema;

use async_trait::async_trait;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use futures_util::StreamExt;
use tokio::sync::broadcast;
use tokio_postgres::{AsyncMessage, NoTls};
use warden_store::{AccountRecords, Change, Record, Store, StoreError};

/// Notifications are per database, not per schema: the channel carries the schema's name
/// so that deployments sharing a database in separate schemas don't wake each other.
fn channel(schema: Option<&str>) -> String {
    match schema {
        Some(s) => format!("warden_commits_{s}"),
        None => "warden_commits".to_owned(),
    }
}

pub struct PostgresStore {
    pool: Pool,
    notifications: broadcast::Sender<String>,
    channel: String,
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn rev(v: i64) -> u64 {
    v.unsigned_abs()
}

impl PostgresStore {
    /// Connects, migrates, and starts listening for other nodes' commits. `schema`, when
    /// given, is created if missing and used as the search path (tests use one per run).
    pub async fn connect(url: &str, schema: Option<&str>) -> Result<Self, StoreError> {
        let mut config: tokio_postgres::Config = url.parse().map_err(backend)?;
        if let Some(schema) = schema {
            if !schema.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return Err(StoreError::Backend(format!("invalid schema name {schema:?}")));
            }
            let (client, conn) = config.connect(NoTls).await.map_err(backend)?;
            let task = tokio::spawn(conn);
            client
                .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
                .await
                .map_err(backend)?;
            drop(client);
            let _ = task.await;
            config.options(format!("-c search_path={schema}"));
        }
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager).max_size(16).build().map_err(backend)?;
        {
            let mut client = pool.get().await.map_err(backend)?;
            schema::migrate(&mut client).await?;
        }
        let (notifications, _) = broadcast::channel(1024);
        let channel = channel(schema);
        spawn_listener(config, notifications.clone(), channel.clone()).await?;
        Ok(Self {
            pool,
            notifications,
            channel,
        })
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool.get().await.map_err(backend)
    }
}

/// One dedicated connection LISTENs and forwards each notification's payload (the
/// account ID) to subscribers.
async fn spawn_listener(
    config: tokio_postgres::Config,
    tx: broadcast::Sender<String>,
    channel: String,
) -> Result<(), StoreError> {
    let (client, mut conn) = config.connect(NoTls).await.map_err(backend)?;
    let mut messages = futures_util::stream::poll_fn(move |cx| conn.poll_message(cx));
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<Result<(), String>>();
    tokio::spawn(async move {
        // LISTEN is answered on the connection, which only this task drives: send it
        // from a second task and keep the client alive for as long as we listen.
        let listen = tokio::spawn(async move {
            let r = client
                .batch_execute(&format!("LISTEN {channel}"))
                .await
                .map_err(|e| e.to_string());
            let _ = ready_tx.send(r);
            client
        });
        while let Some(Ok(msg)) = messages.next().await {
            if let AsyncMessage::Notification(n) = msg {
                let _ = tx.send(n.payload().to_owned());
            }
        }
        drop(listen);
    });
    match ready_rx.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(StoreError::Backend(e)),
        Err(_) => Err(StoreError::Backend("listener connection closed".into())),
    }
}

async fn read_account(
    client: &impl tokio_postgres::GenericClient,
    account: &str,
) -> Result<Option<AccountRecords>, StoreError> {
    let Some(row) = client
        .query_opt("SELECT revision FROM accounts WHERE id = $1", &[&account])
        .await
        .map_err(backend)?
    else {
        return Ok(None);
    };
    let revision: i64 = row.get(0);
    let rows = client
        .query(
            "SELECT kind, key, body FROM records WHERE account = $1 ORDER BY kind, key",
            &[&account],
        )
        .await
        .map_err(backend)?;
    let records = rows
        .iter()
        .map(|r| Record {
            kind: r.get(0),
            key: r.get(1),
            body: r.get(2),
        })
        .collect();
    Ok(Some(AccountRecords {
        account: account.to_owned(),
        revision: rev(revision),
        records,
    }))
}

#[async_trait]
impl Store for PostgresStore {
    async fn load_all(&self) -> Result<Vec<AccountRecords>, StoreError> {
        let client = self.client().await?;
        let ids = client
            .query("SELECT id FROM accounts ORDER BY id", &[])
            .await
            .map_err(backend)?;
        let mut out = Vec::with_capacity(ids.len());
        for row in ids {
            let id: String = row.get(0);
            if let Some(acct) = read_account(&**client, &id).await? {
                out.push(acct);
            }
        }
        Ok(out)
    }

    async fn load_account(&self, account: &str) -> Result<Option<AccountRecords>, StoreError> {
        let client = self.client().await?;
        read_account(&**client, account).await
    }

    async fn commit(&self, account: &str, expected: u64, changes: &[Change]) -> Result<u64, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(backend)?;
        let expected_i64 = i64::try_from(expected).map_err(backend)?;
        let next = expected_i64 + 1;
        // Lock the account row (or create it) so that concurrent committers serialize here.
        tx.execute(
            "INSERT INTO accounts (id, revision) VALUES ($1, 0) ON CONFLICT (id) DO NOTHING",
            &[&account],
        )
        .await
        .map_err(backend)?;
        let actual: i64 = tx
            .query_one(
                "SELECT revision FROM accounts WHERE id = $1 FOR UPDATE",
                &[&account],
            )
            .await
            .map_err(backend)?
            .get(0);
        if actual != expected_i64 {
            return Err(StoreError::RevisionMismatch {
                account: account.to_owned(),
                expected,
                actual: rev(actual),
            });
        }
        tx.execute(
            "UPDATE accounts SET revision = $2 WHERE id = $1",
            &[&account, &next],
        )
        .await
        .map_err(backend)?;
        for change in changes {
            match change {
                Change::Insert(r) => {
                    let n = tx
                        .execute(
                            "INSERT INTO records (account, kind, key, body) VALUES ($1, $2, $3, $4) \
                             ON CONFLICT DO NOTHING",
                            &[&account, &r.kind, &r.key, &r.body],
                        )
                        .await
                        .map_err(backend)?;
                    if n == 0 {
                        return Err(StoreError::AlreadyExists {
                            kind: r.kind.clone(),
                            key: r.key.clone(),
                        });
                    }
                }
                Change::Put(r) => {
                    tx.execute(
                        "INSERT INTO records (account, kind, key, body) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (account, kind, key) DO UPDATE SET body = EXCLUDED.body",
                        &[&account, &r.kind, &r.key, &r.body],
                    )
                    .await
                    .map_err(backend)?;
                }
                Change::Delete { kind, key } => {
                    tx.execute(
                        "DELETE FROM records WHERE account = $1 AND kind = $2 AND key = $3",
                        &[&account, kind, key],
                    )
                    .await
                    .map_err(backend)?;
                }
            }
        }
        tx.execute("SELECT pg_notify($1, $2)", &[&self.channel, &account])
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(rev(next))
    }

    async fn get_setting(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt("SELECT value FROM settings WHERE name = $1", &[&name])
            .await
            .map_err(backend)?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn put_setting(
        &self,
        name: &str,
        value: &[u8],
        only_if_absent: bool,
    ) -> Result<Vec<u8>, StoreError> {
        let client = self.client().await?;
        let sql = if only_if_absent {
            "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING"
        } else {
            "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value"
        };
        client.execute(sql, &[&name, &value]).await.map_err(backend)?;
        let row = client
            .query_one("SELECT value FROM settings WHERE name = $1", &[&name])
            .await
            .map_err(backend)?;
        Ok(row.get(0))
    }

    fn subscribe(&self) -> Option<broadcast::Receiver<String>> {
        Some(self.notifications.subscribe())
    }
}
