//! STS served so far: GetCallerIdentity for every kind of long-term principal.

use warden_testkit::{ACCOUNT_ID, Keys, TestServer};

#[tokio::test]
async fn get_caller_identity_for_root_and_users() {
    let s = TestServer::start().await;
    let root = s.sts(&Keys::root()).get_caller_identity().send().await.unwrap();
    assert_eq!(root.account(), Some(ACCOUNT_ID));
    assert_eq!(
        root.arn(),
        Some(format!("arn:aws:iam::{ACCOUNT_ID}:root").as_str())
    );
    assert_eq!(root.user_id(), Some(ACCOUNT_ID));
    let keys = s.user_with_key("gina").await;
    let me = s.sts(&keys).get_caller_identity().send().await.unwrap();
    assert_eq!(
        me.arn(),
        Some(format!("arn:aws:iam::{ACCOUNT_ID}:user/gina").as_str())
    );
    assert!(me.user_id().unwrap().starts_with("AIDA"));
}
