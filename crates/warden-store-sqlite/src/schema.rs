//! Embedded, ordered migrations. `PRAGMA user_version` records how many have run.

use rusqlite::Connection;
use warden_store::StoreError;

const MIGRATIONS: &[&str] = &[
    // 1: accounts with their revision, records keyed per account, server-wide settings.
    "CREATE TABLE accounts (id TEXT PRIMARY KEY NOT NULL, revision INTEGER NOT NULL);
     CREATE TABLE records (
         account TEXT NOT NULL REFERENCES accounts(id),
         kind TEXT NOT NULL,
         key TEXT NOT NULL,
         body BLOB NOT NULL,
         PRIMARY KEY (account, kind, key)
     ) WITHOUT ROWID;
     CREATE TABLE settings (name TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL);",
];

pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let err = |e: rusqlite::Error| StoreError::Backend(e.to_string());
    let done: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(err)?;
    let done = usize::try_from(done).unwrap_or(0);
    if done > MIGRATIONS.len() {
        return Err(StoreError::Backend(format!(
            "database schema version {done} is newer than this binary knows ({})",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(done) {
        let tx = conn.transaction().map_err(err)?;
        tx.execute_batch(sql).map_err(err)?;
        tx.pragma_update(None, "user_version", i64::try_from(i + 1).unwrap_or(i64::MAX))
            .map_err(err)?;
        tx.commit().map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_idempotent() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, MIGRATIONS.len() as i64);
    }
}
