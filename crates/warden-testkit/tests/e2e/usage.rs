//! Last-use data: AccessKeyLastUsed for every request a long-term key signs, RoleLastUsed
//! for AssumeRole, both kept across a restart (recorded in memory, written to the store
//! periodically and when the server stops).

use aws_sdk_iam::types::Tag;
use serde_json::json;
use warden_testkit::{ACCOUNT_ID, Keys, TestServer};

async fn last_used(s: &TestServer, key: &str) -> aws_sdk_iam::types::AccessKeyLastUsed {
    s.root_iam()
        .get_access_key_last_used()
        .access_key_id(key)
        .send()
        .await
        .unwrap()
        .access_key_last_used
        .unwrap()
}

#[tokio::test]
async fn access_key_and_role_last_use_are_recorded_and_survive_a_restart() {
    let s = TestServer::start().await;
    let keys = s.user_with_key("worker").await;
    let never = last_used(&s, &keys.access_key_id).await;
    assert_eq!((never.service_name(), never.region()), ("N/A", "N/A"));
    assert!(never.last_used_date().is_none());

    // Denied (no policy yet) but authenticated: AWS records the use all the same.
    let started = std::time::SystemTime::now() - std::time::Duration::from_secs(1);
    assert!(s.iam(&keys).list_users().send().await.is_err());
    let used = last_used(&s, &keys.access_key_id).await;
    assert_eq!((used.service_name(), used.region()), ("iam", "us-east-1"));
    let when = std::time::SystemTime::try_from(*used.last_used_date().unwrap()).unwrap();
    assert!(when >= started, "{when:?} is before the request");

    // STS requests count as the key's use of sts.
    s.sts(&keys).get_caller_identity().send().await.unwrap();
    assert_eq!(last_used(&s, &keys.access_key_id).await.service_name(), "sts");

    // A role assumed by the user.
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT_ID}:root")}, "Action": "sts:AssumeRole"}]});
    let role = s
        .root_iam()
        .create_role()
        .role_name("used")
        .assume_role_policy_document(trust.to_string())
        .tags(Tag::builder().key("k").value("v").build().unwrap())
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    let allow = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "sts:AssumeRole", "Resource": role.arn()}]});
    s.put_user_policy("worker", "assume", allow.to_string()).await;
    s.sts(&keys)
        .assume_role()
        .role_arn(role.arn())
        .role_session_name("s1")
        .send()
        .await
        .unwrap();

    // The access advisor records an allowed IAM call.
    let list = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": "iam:ListUsers", "Resource": "*"}]});
    s.put_user_policy("worker", "list", list.to_string()).await;
    s.iam(&keys).list_users().send().await.unwrap();
    assert!(
        iam_last_authenticated(&s).await.is_some(),
        "recorded before the restart"
    );

    let s = s.restart().await;
    assert!(
        iam_last_authenticated(&s).await.is_some(),
        "the access advisor survives a restart"
    );
    let after = last_used(&s, &keys.access_key_id).await;
    assert_eq!(
        (after.service_name(), after.region()),
        ("iam", "us-east-1"),
        "the last use: ListUsers"
    );
    assert!(after.last_used_date().is_some());
    let got = s.root_iam().get_role().role_name("used").send().await.unwrap();
    let role_last = got.role().unwrap().role_last_used().unwrap();
    assert!(
        role_last.last_used_date().is_some(),
        "RoleLastUsed survives a restart"
    );
    assert_eq!(role_last.region(), Some("us-east-1"));

    // Root keys are tracked as well, and a fresh key of another user is not touched.
    let other = s.user_with_key("idle").await;
    s.root_iam().list_users().send().await.unwrap();
    assert_eq!(
        last_used(&s, &Keys::root().access_key_id).await.service_name(),
        "iam"
    );
    assert_eq!(last_used(&s, &other.access_key_id).await.service_name(), "N/A");
}

/// When `worker` last used IAM, per the access advisor (GenerateServiceLastAccessedDetails).
async fn iam_last_authenticated(s: &TestServer) -> Option<aws_sdk_iam::primitives::DateTime> {
    let iam = s.root_iam();
    let job = iam
        .generate_service_last_accessed_details()
        .arn(format!("arn:aws:iam::{ACCOUNT_ID}:user/worker"))
        .send()
        .await
        .unwrap();
    let details = iam
        .get_service_last_accessed_details()
        .job_id(job.job_id().unwrap())
        .send()
        .await
        .unwrap();
    let service = details
        .services_last_accessed()
        .iter()
        .find(|s| s.service_namespace() == "iam")
        .expect("iam is granted to worker");
    service.last_authenticated().copied()
}
