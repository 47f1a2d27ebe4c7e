//! The shared store conformance suite: every adapter's tests call [`run_all`] on a fresh,
//! empty store. Each check panics with a message naming the rule it broke.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use crate::{Change, Record, Store, StoreError};

fn rec(kind: &str, key: &str, body: &str) -> Record {
    Record::new(kind, key, body.as_bytes().to_vec())
}

/// Runs every conformance check against `store`, which must start empty.
pub async fn run_all(store: &dyn Store) {
    empty_store_has_no_accounts(store).await;
    first_commit_creates_account(store).await;
    insert_conflict_is_atomic(store).await;
    revision_guards_concurrent_writers(store).await;
    put_and_delete(store).await;
    accounts_are_isolated(store).await;
    settings_create_once(store).await;
    bodies_round_trip_bytes(store).await;
}

async fn empty_store_has_no_accounts(store: &dyn Store) {
    assert!(
        store.load_all().await.unwrap().is_empty(),
        "a new store must be empty"
    );
    assert!(store.load_account("111111111111").await.unwrap().is_none());
}

async fn first_commit_creates_account(store: &dyn Store) {
    let rev = store
        .commit(
            "111111111111",
            0,
            &[Change::Insert(rec("user", "alice", "{\"v\":1}"))],
        )
        .await
        .unwrap();
    assert_eq!(rev, 1, "first commit moves the account to revision 1");
    let acct = store
        .load_account("111111111111")
        .await
        .unwrap()
        .expect("account exists");
    assert_eq!(acct.revision, 1);
    assert_eq!(acct.records, vec![rec("user", "alice", "{\"v\":1}")]);
}

async fn insert_conflict_is_atomic(store: &dyn Store) {
    let err = store
        .commit(
            "111111111111",
            1,
            &[
                Change::Insert(rec("user", "bob", "{}")),
                Change::Insert(rec("user", "alice", "{}")),
            ],
        )
        .await
        .expect_err("inserting an existing key must fail");
    assert!(
        matches!(err, StoreError::AlreadyExists { ref kind, ref key } if kind == "user" && key == "alice"),
        "{err:?}"
    );
    let acct = store.load_account("111111111111").await.unwrap().unwrap();
    assert_eq!(acct.revision, 1, "a failed commit must not move the revision");
    assert_eq!(
        acct.records.len(),
        1,
        "a failed commit must write nothing (bob must not exist)"
    );
}

async fn revision_guards_concurrent_writers(store: &dyn Store) {
    let err = store
        .commit("111111111111", 0, &[Change::Put(rec("group", "g", "{}"))])
        .await
        .expect_err("a stale revision must be refused");
    assert!(
        matches!(err, StoreError::RevisionMismatch { actual: 1, .. }),
        "{err:?}"
    );
    let err = store
        .commit("111111111111", 7, &[])
        .await
        .expect_err("a future revision must be refused");
    assert!(matches!(err, StoreError::RevisionMismatch { .. }), "{err:?}");
}

async fn put_and_delete(store: &dyn Store) {
    let rev = store
        .commit(
            "111111111111",
            1,
            &[
                Change::Put(rec("user", "alice", "{\"v\":2}")),
                Change::Put(rec("group", "devs", "{}")),
            ],
        )
        .await
        .unwrap();
    assert_eq!(rev, 2);
    let rev = store
        .commit(
            "111111111111",
            2,
            &[
                Change::Delete {
                    kind: "group".into(),
                    key: "devs".into(),
                },
                Change::Delete {
                    kind: "group".into(),
                    key: "missing".into(),
                },
            ],
        )
        .await
        .unwrap();
    assert_eq!(rev, 3);
    let acct = store.load_account("111111111111").await.unwrap().unwrap();
    assert_eq!(
        acct.records,
        vec![rec("user", "alice", "{\"v\":2}")],
        "put replaces, delete removes"
    );
}

async fn accounts_are_isolated(store: &dyn Store) {
    store
        .commit(
            "222222222222",
            0,
            &[Change::Insert(rec("user", "alice", "{\"other\":1}"))],
        )
        .await
        .unwrap();
    let all = store.load_all().await.unwrap();
    assert_eq!(all.len(), 2);
    let a = all.iter().find(|a| a.account == "111111111111").unwrap();
    let b = all.iter().find(|a| a.account == "222222222222").unwrap();
    assert_eq!(a.records, vec![rec("user", "alice", "{\"v\":2}")]);
    assert_eq!(b.records, vec![rec("user", "alice", "{\"other\":1}")]);
    assert_eq!((a.revision, b.revision), (3, 1));
}

async fn settings_create_once(store: &dyn Store) {
    assert!(store.get_setting("k").await.unwrap().is_none());
    assert_eq!(store.put_setting("k", b"first", true).await.unwrap(), b"first");
    assert_eq!(
        store.put_setting("k", b"second", true).await.unwrap(),
        b"first",
        "create-once keeps the first"
    );
    assert_eq!(store.put_setting("k", b"third", false).await.unwrap(), b"third");
    assert_eq!(store.get_setting("k").await.unwrap().unwrap(), b"third");
}

async fn bodies_round_trip_bytes(store: &dyn Store) {
    let body: Vec<u8> = (0..=255u8).collect();
    store
        .commit(
            "333333333333",
            0,
            &[Change::Insert(Record::new("blob", "k/é:1", body.clone()))],
        )
        .await
        .unwrap();
    let acct = store.load_account("333333333333").await.unwrap().unwrap();
    assert_eq!(acct.records[0].body, body);
    assert_eq!(acct.records[0].key, "k/é:1");
}
