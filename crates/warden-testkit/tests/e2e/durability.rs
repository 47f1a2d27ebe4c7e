//! Writes are durable, atomic and serialized: restarts keep everything, concurrent
//! creators of one name see exactly one success, and both stores behave the same.

use warden_testkit::{Backend, TestServer, postgres_url};

use crate::code;

async fn concurrent_create_user_has_one_winner(s: &TestServer) {
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let iam = s.root_iam();
        tasks.push(tokio::spawn(async move {
            iam.create_user().user_name("racer").send().await.is_ok()
        }));
    }
    let mut wins = 0;
    for t in tasks {
        wins += usize::from(t.await.unwrap());
    }
    assert_eq!(wins, 1, "exactly one CreateUser of a name succeeds");
}

#[tokio::test]
async fn concurrent_writers_embedded() {
    let s = TestServer::start().await;
    concurrent_create_user_has_one_winner(&s).await;
}

#[tokio::test]
async fn concurrent_writers_postgres() {
    let Some(url) = postgres_url().await else { return };
    let s = TestServer::start_on(Backend::postgres(url)).await;
    concurrent_create_user_has_one_winner(&s).await;
    s.root_iam().create_group().group_name("g").send().await.unwrap();
    assert_eq!(
        code(s.root_iam().create_group().group_name("G").send().await),
        "EntityAlreadyExists"
    );
}

#[tokio::test]
async fn state_survives_a_restart() {
    let s = TestServer::start().await;
    let keys = s.user_with_key("persist").await;
    s.root_iam()
        .put_user_policy()
        .user_name("persist")
        .policy_name("p")
        .policy_document(crate::allow("iam:GetUser", "*"))
        .send()
        .await
        .unwrap();
    let s = s.restart().await;
    // The sealed secret reopens under the master key and the compiled policy is back.
    s.iam(&keys).get_user().user_name("persist").send().await.unwrap();
    assert_eq!(code(s.iam(&keys).list_users().send().await), "AccessDenied");
}
