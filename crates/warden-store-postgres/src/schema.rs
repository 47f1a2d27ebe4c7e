//! Embedded, ordered migrations, recorded in `warden_schema`; an advisory lock keeps two
//! nodes starting at once from running them twice.

use warden_store::StoreError;

const MIGRATIONS: &[&str] = &[
    // 1: accounts with their revision, records keyed per account, server-wide settings.
    "CREATE TABLE accounts (id TEXT PRIMARY KEY, revision BIGINT NOT NULL);
     CREATE TABLE records (
         account TEXT NOT NULL REFERENCES accounts(id),
         kind TEXT NOT NULL,
         key TEXT NOT NULL,
         body BYTEA NOT NULL,
         PRIMARY KEY (account, kind, key)
     );
     CREATE TABLE settings (name TEXT PRIMARY KEY, value BYTEA NOT NULL);",
];

pub(crate) async fn migrate(client: &mut deadpool_postgres::Object) -> Result<(), StoreError> {
    let err = |e: tokio_postgres::Error| StoreError::Backend(e.to_string());
    let tx = client.transaction().await.map_err(err)?;
    tx.batch_execute(
        "SELECT pg_advisory_xact_lock(7256000001);
         CREATE TABLE IF NOT EXISTS warden_schema (version BIGINT NOT NULL);",
    )
    .await
    .map_err(err)?;
    let done: i64 = tx
        .query_one("SELECT COALESCE(MAX(version), 0) FROM warden_schema", &[])
        .await
        .map_err(err)?
        .get(0);
    let done = usize::try_from(done).unwrap_or(0);
    if done > MIGRATIONS.len() {
        return Err(StoreError::Backend(format!(
            "database schema version {done} is newer than this binary knows ({})",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(done) {
        tx.batch_execute(sql).await.map_err(err)?;
        let v = i64::try_from(i + 1).unwrap_or(i64::MAX);
        tx.execute("INSERT INTO warden_schema (version) VALUES ($1)", &[&v])
            .await
            .map_err(err)?;
    }
    tx.commit().await.map_err(err)
}
