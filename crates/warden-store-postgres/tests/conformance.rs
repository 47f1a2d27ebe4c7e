#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The shared store conformance suite against PostgreSQL. The database comes from
//! `WARDEN_TEST_DATABASE_URL` (default: the local trust-auth server the dev and CI
//! machines run); each run uses a fresh schema. Without a reachable server the test
//! says so and is skipped.

use warden_store::Store;

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

fn url() -> String {
    std::env::var("WARDEN_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_URL.to_owned())
}

fn fresh_schema() -> String {
    format!("warden_test_{}", rand::random::<u64>())
}

async fn reachable(url: &str) -> bool {
    match tokio_postgres::connect(url, tokio_postgres::NoTls).await {
        Ok(_) => true,
        Err(e) => {
            if std::env::var("WARDEN_REQUIRE_POSTGRES").is_ok() {
                panic!("WARDEN_REQUIRE_POSTGRES is set but PostgreSQL at {url} is unreachable: {e}");
            }
            eprintln!("SKIPPED: PostgreSQL store tests: no server at {url} ({e})");
            false
        }
    }
}

#[tokio::test]
async fn conformance() {
    let url = url();
    if !reachable(&url).await {
        return;
    }
    let store = warden_store_postgres::PostgresStore::connect(&url, Some(&fresh_schema()))
        .await
        .unwrap();
    warden_store::conformance::run_all(&store).await;
}

#[tokio::test]
async fn commits_notify_other_nodes() {
    let url = url();
    if !reachable(&url).await {
        return;
    }
    let schema = fresh_schema();
    let a = warden_store_postgres::PostgresStore::connect(&url, Some(&schema))
        .await
        .unwrap();
    let b = warden_store_postgres::PostgresStore::connect(&url, Some(&schema))
        .await
        .unwrap();
    let mut rx = b.subscribe().unwrap();
    a.commit("444444444444", 0, &[]).await.unwrap();
    let got = tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        got, "444444444444",
        "only this schema's commits are announced here"
    );
    // Node b now sees revision 1 and a stale commit from b is refused.
    assert!(b.commit("444444444444", 0, &[]).await.is_err());
    assert_eq!(b.commit("444444444444", 1, &[]).await.unwrap(), 2);
}
