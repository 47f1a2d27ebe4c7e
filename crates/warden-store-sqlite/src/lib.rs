//! The embedded store: one SQLite file in the data directory, in WAL mode with
//! `synchronous=FULL`, so that a commit that returned is on disk (a `kill -9` right
//! after a 200 loses nothing).
//!
//! ```no_run
//! # async fn f() -> Result<(), warden_store::StoreError> {
//! let store = warden_store_sqlite::SqliteStore::open(std::path::Path::new("./warden-data/warden.db"))?;
//! # Ok(()) }
//! ```

mod schema;

use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, params};
use warden_store::{AccountRecords, Change, Record, Store, StoreError};

/// SQLite behind one connection: SQLite serializes writers anyway, and one connection
/// keeps the cache warm. Calls run on tokio's blocking pool.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(backend)?;
        Self::init(conn)
    }

    /// A private in-memory database, for tests.
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory().map_err(backend)?)
    }

    fn init(mut conn: Connection) -> Result<Self, StoreError> {
        conn.pragma_update(None, "journal_mode", "WAL").map_err(backend)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(backend)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(backend)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(backend)?;
        schema::migrate(&mut conn)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    async fn with_conn<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| StoreError::Backend("sqlite connection poisoned".into()))?;
            f(&mut guard)
        })
        .await
        .map_err(backend)?
    }
}

fn read_account(conn: &Connection, account: &str) -> Result<Option<AccountRecords>, StoreError> {
    let revision: Option<i64> = conn
        .query_row("SELECT revision FROM accounts WHERE id = ?1", [account], |r| {
            r.get(0)
        })
        .optional()
        .map_err(backend)?;
    let Some(revision) = revision else { return Ok(None) };
    let mut stmt = conn
        .prepare_cached("SELECT kind, key, body FROM records WHERE account = ?1 ORDER BY kind, key")
        .map_err(backend)?;
    let records = stmt
        .query_map([account], |r| {
            Ok(Record {
                kind: r.get(0)?,
                key: r.get(1)?,
                body: r.get(2)?,
            })
        })
        .map_err(backend)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(backend)?;
    Ok(Some(AccountRecords {
        account: account.to_owned(),
        revision: revision.unsigned_abs(),
        records,
    }))
}

fn apply(conn: &mut Connection, account: &str, expected: u64, changes: &[Change]) -> Result<u64, StoreError> {
    let tx = conn.transaction().map_err(backend)?;
    let actual: Option<i64> = tx
        .query_row("SELECT revision FROM accounts WHERE id = ?1", [account], |r| {
            r.get(0)
        })
        .optional()
        .map_err(backend)?;
    let actual = actual.map_or(0, i64::unsigned_abs);
    if actual != expected {
        return Err(StoreError::RevisionMismatch {
            account: account.to_owned(),
            expected,
            actual,
        });
    }
    let next = expected + 1;
    let next_i64 = i64::try_from(next).map_err(backend)?;
    tx.execute(
        "INSERT INTO accounts (id, revision) VALUES (?1, ?2) ON CONFLICT(id) DO UPDATE SET revision = ?2",
        params![account, next_i64],
    )
    .map_err(backend)?;
    for change in changes {
        match change {
            Change::Insert(r) => {
                let inserted = tx
                    .execute(
                        "INSERT INTO records (account, kind, key, body) VALUES (?1, ?2, ?3, ?4) \
                         ON CONFLICT DO NOTHING",
                        params![account, r.kind, r.key, r.body],
                    )
                    .map_err(backend)?;
                if inserted == 0 {
                    return Err(StoreError::AlreadyExists {
                        kind: r.kind.clone(),
                        key: r.key.clone(),
                    });
                }
            }
            Change::Put(r) => {
                tx.execute(
                    "INSERT INTO records (account, kind, key, body) VALUES (?1, ?2, ?3, ?4) \
                     ON CONFLICT(account, kind, key) DO UPDATE SET body = excluded.body",
                    params![account, r.kind, r.key, r.body],
                )
                .map_err(backend)?;
            }
            Change::Delete { kind, key } => {
                tx.execute(
                    "DELETE FROM records WHERE account = ?1 AND kind = ?2 AND key = ?3",
                    params![account, kind, key],
                )
                .map_err(backend)?;
            }
        }
    }
    tx.commit().map_err(backend)?;
    Ok(next)
}

#[async_trait]
impl Store for SqliteStore {
    async fn load_all(&self) -> Result<Vec<AccountRecords>, StoreError> {
        self.with_conn(|conn| {
            let ids: Vec<String> = {
                let mut stmt = conn
                    .prepare("SELECT id FROM accounts ORDER BY id")
                    .map_err(backend)?;
                stmt.query_map([], |r| r.get(0))
                    .map_err(backend)?
                    .collect::<Result<_, _>>()
                    .map_err(backend)?
            };
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(acct) = read_account(conn, &id)? {
                    out.push(acct);
                }
            }
            Ok(out)
        })
        .await
    }

    async fn load_account(&self, account: &str) -> Result<Option<AccountRecords>, StoreError> {
        let account = account.to_owned();
        self.with_conn(move |conn| read_account(conn, &account)).await
    }

    async fn commit(&self, account: &str, expected: u64, changes: &[Change]) -> Result<u64, StoreError> {
        let account = account.to_owned();
        let changes = changes.to_vec();
        self.with_conn(move |conn| apply(conn, &account, expected, &changes))
            .await
    }

    async fn get_setting(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let name = name.to_owned();
        self.with_conn(move |conn| {
            conn.query_row("SELECT value FROM settings WHERE name = ?1", [name], |r| r.get(0))
                .optional()
                .map_err(backend)
        })
        .await
    }

    async fn put_setting(
        &self,
        name: &str,
        value: &[u8],
        only_if_absent: bool,
    ) -> Result<Vec<u8>, StoreError> {
        let (name, value) = (name.to_owned(), value.to_vec());
        self.with_conn(move |conn| {
            let sql = if only_if_absent {
                "INSERT INTO settings (name, value) VALUES (?1, ?2) ON CONFLICT DO NOTHING"
            } else {
                "INSERT INTO settings (name, value) VALUES (?1, ?2) \
                 ON CONFLICT(name) DO UPDATE SET value = excluded.value"
            };
            conn.execute(sql, params![name, value]).map_err(backend)?;
            conn.query_row("SELECT value FROM settings WHERE name = ?1", [name], |r| r.get(0))
                .map_err(backend)
        })
        .await
    }
}
