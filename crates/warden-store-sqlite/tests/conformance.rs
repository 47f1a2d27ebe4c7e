#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The shared store conformance suite against the embedded store, in memory and on disk.

#[tokio::test]
async fn conformance_in_memory() {
    let store = warden_store_sqlite::SqliteStore::in_memory().unwrap();
    warden_store::conformance::run_all(&store).await;
}

#[tokio::test]
async fn conformance_on_disk_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("warden.db");
    let store = warden_store_sqlite::SqliteStore::open(&path).unwrap();
    warden_store::conformance::run_all(&store).await;
    drop(store);
    let reopened = warden_store_sqlite::SqliteStore::open(&path).unwrap();
    use warden_store::Store;
    assert_eq!(
        reopened.load_all().await.unwrap().len(),
        3,
        "data survives a reopen"
    );
}
