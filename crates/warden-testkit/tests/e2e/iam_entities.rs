//! Users, groups, roles, access keys, login profiles, instance profiles, tags: AWS's
//! shapes, defaults, limits and errors.

use serde_json::json;
use warden_testkit::{ACCOUNT_ID, TestServer};

use crate::{code, decode, doc, err};

#[tokio::test]
async fn user_lifecycle_with_case_insensitive_names() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let created = iam
        .create_user()
        .user_name("Alice")
        .path("/dev/")
        .send()
        .await
        .unwrap();
    let u = created.user().unwrap();
    assert_eq!(u.arn(), format!("arn:aws:iam::{ACCOUNT_ID}:user/dev/Alice"));
    assert!(u.user_id().starts_with("AIDA") && u.user_id().len() == 21);
    assert_eq!(u.path(), "/dev/");

    let got = iam.get_user().user_name("alice").send().await.unwrap();
    assert_eq!(
        got.user().unwrap().user_name(),
        "Alice",
        "names keep their case, lookups ignore it"
    );
    assert_eq!(
        code(iam.create_user().user_name("ALICE").send().await),
        "EntityAlreadyExists"
    );

    iam.update_user()
        .user_name("alice")
        .new_user_name("Alicia")
        .new_path("/ops/")
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(iam.get_user().user_name("Alice").send().await),
        "NoSuchEntity"
    );
    let renamed = iam.get_user().user_name("alicia").send().await.unwrap();
    assert_eq!(
        renamed.user().unwrap().arn(),
        format!("arn:aws:iam::{ACCOUNT_ID}:user/ops/Alicia")
    );

    iam.delete_user().user_name("Alicia").send().await.unwrap();
    let (c, m) = err(iam.get_user().user_name("Alicia").send().await);
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("NoSuchEntity", "The user with name Alicia cannot be found.")
    );
}

#[tokio::test]
async fn invalid_names_answer_validation_error() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let (c, m) = err(iam.create_user().user_name("bad name").send().await);
    assert_eq!(c, "ValidationError");
    assert!(m.contains("at 'userName' failed to satisfy constraint"), "{m}");
    assert_eq!(
        code(iam.create_user().user_name("x".repeat(65)).send().await),
        "ValidationError"
    );
    assert_eq!(
        code(iam.create_user().user_name("ok").path("no-slashes").send().await),
        "ValidationError"
    );
}

#[tokio::test]
async fn list_users_paginates_with_markers() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    for i in 0..7 {
        iam.create_user()
            .user_name(format!("user{i}"))
            .send()
            .await
            .unwrap();
    }
    let mut names = Vec::new();
    let mut marker = None;
    loop {
        let page = iam
            .list_users()
            .max_items(3)
            .set_marker(marker.clone())
            .send()
            .await
            .unwrap();
        names.extend(page.users().iter().map(|u| u.user_name().to_owned()));
        if !page.is_truncated() {
            break;
        }
        marker = page.marker().map(str::to_owned);
    }
    assert_eq!(names, (0..7).map(|i| format!("user{i}")).collect::<Vec<_>>());
    let empty = iam.list_users().path_prefix("/nothing/").send().await.unwrap();
    assert!(empty.users().is_empty() && !empty.is_truncated());
}

#[tokio::test]
async fn groups_and_membership() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    iam.create_user().user_name("bob").send().await.unwrap();
    for g in ["devs", "ops"] {
        iam.create_group().group_name(g).send().await.unwrap();
        iam.add_user_to_group()
            .group_name(g)
            .user_name("bob")
            .send()
            .await
            .unwrap();
    }
    let groups = iam.list_groups_for_user().user_name("bob").send().await.unwrap();
    assert_eq!(groups.groups().len(), 2, "a user may be in several groups");
    let devs = iam.get_group().group_name("devs").send().await.unwrap();
    assert_eq!(devs.users().len(), 1);
    assert_eq!(
        code(iam.delete_group().group_name("devs").send().await),
        "DeleteConflict"
    );
    assert_eq!(
        code(iam.delete_user().user_name("bob").send().await),
        "DeleteConflict"
    );
    iam.remove_user_from_group()
        .group_name("devs")
        .user_name("bob")
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(
            iam.remove_user_from_group()
                .group_name("devs")
                .user_name("bob")
                .send()
                .await
        ),
        "NoSuchEntity"
    );
    iam.delete_group().group_name("devs").send().await.unwrap();
}

#[tokio::test]
async fn access_keys_two_per_user_secret_once() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    iam.create_user().user_name("carol").send().await.unwrap();
    let k1 = iam.create_access_key().user_name("carol").send().await.unwrap();
    let k1 = k1.access_key().unwrap();
    assert!(k1.access_key_id().starts_with("AKIA") && k1.access_key_id().len() == 20);
    assert_eq!(k1.secret_access_key().len(), 40);
    iam.create_access_key().user_name("carol").send().await.unwrap();
    let (c, m) = err(iam.create_access_key().user_name("carol").send().await);
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
    );

    let listed = iam.list_access_keys().user_name("carol").send().await.unwrap();
    assert_eq!(listed.access_key_metadata().len(), 2);
    iam.update_access_key()
        .user_name("carol")
        .access_key_id(k1.access_key_id())
        .status(aws_sdk_iam::types::StatusType::Inactive)
        .send()
        .await
        .unwrap();
    let listed = iam.list_access_keys().user_name("carol").send().await.unwrap();
    let k = listed
        .access_key_metadata()
        .iter()
        .find(|k| k.access_key_id() == Some(k1.access_key_id()))
        .unwrap();
    assert_eq!(k.status(), Some(&aws_sdk_iam::types::StatusType::Inactive));
    iam.delete_access_key()
        .user_name("carol")
        .access_key_id(k1.access_key_id())
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(
            iam.delete_access_key()
                .user_name("carol")
                .access_key_id(k1.access_key_id())
                .send()
                .await
        ),
        "NoSuchEntity"
    );
}

#[tokio::test]
async fn roles_with_trust_policies_and_session_duration() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let trust = doc(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}));
    let role = iam
        .create_role()
        .role_name("app")
        .assume_role_policy_document(&trust)
        .send()
        .await
        .unwrap();
    let role = role.role().unwrap();
    assert!(role.role_id().starts_with("AROA"));
    assert_eq!(
        role.max_session_duration(),
        Some(3600),
        "MaxSessionDuration defaults to one hour"
    );
    assert_eq!(
        decode(role.assume_role_policy_document().unwrap()),
        serde_json::from_str::<serde_json::Value>(&trust).unwrap()
    );

    let (c, m) = err(iam
        .update_role()
        .role_name("app")
        .max_session_duration(100)
        .send()
        .await);
    assert_eq!(c, "ValidationError", "{m}");
    iam.update_role()
        .role_name("app")
        .max_session_duration(7200)
        .description("d")
        .send()
        .await
        .unwrap();
    let got = iam.get_role().role_name("app").send().await.unwrap();
    assert_eq!(got.role().unwrap().max_session_duration(), Some(7200));

    // A trust policy must name a principal; an identity-style document is malformed.
    let no_principal =
        doc(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}));
    assert_eq!(
        code(
            iam.create_role()
                .role_name("bad")
                .assume_role_policy_document(no_principal)
                .send()
                .await
        ),
        "MalformedPolicyDocument"
    );
}

#[tokio::test]
async fn instance_profiles_hold_one_role() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let trust = doc(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}));
    for r in ["r1", "r2"] {
        iam.create_role()
            .role_name(r)
            .assume_role_policy_document(&trust)
            .send()
            .await
            .unwrap();
    }
    iam.create_instance_profile()
        .instance_profile_name("ip")
        .send()
        .await
        .unwrap();
    iam.add_role_to_instance_profile()
        .instance_profile_name("ip")
        .role_name("r1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(
            iam.add_role_to_instance_profile()
                .instance_profile_name("ip")
                .role_name("r2")
                .send()
                .await
        ),
        "LimitExceeded"
    );
    assert_eq!(
        code(iam.delete_role().role_name("r1").send().await),
        "DeleteConflict"
    );
    let got = iam
        .get_instance_profile()
        .instance_profile_name("ip")
        .send()
        .await
        .unwrap();
    assert_eq!(got.instance_profile().unwrap().roles()[0].role_name(), "r1");
}

#[tokio::test]
async fn tags_on_users_and_roles() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let tag = |k: &str, v: &str| {
        aws_sdk_iam::types::Tag::builder()
            .key(k)
            .value(v)
            .build()
            .unwrap()
    };
    iam.create_user()
        .user_name("t")
        .tags(tag("team", "blue"))
        .send()
        .await
        .unwrap();
    iam.tag_user()
        .user_name("t")
        .tags(tag("TEAM", "red"))
        .tags(tag("env", "dev"))
        .send()
        .await
        .unwrap();
    let tags = iam.list_user_tags().user_name("t").send().await.unwrap();
    let mut pairs: Vec<_> = tags
        .tags()
        .iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect();
    pairs.sort();
    assert_eq!(
        pairs,
        vec![("TEAM".into(), "red".into()), ("env".into(), "dev".into())],
        "tag keys are case-insensitive"
    );
    iam.untag_user()
        .user_name("t")
        .tag_keys("team")
        .send()
        .await
        .unwrap();
    assert_eq!(
        iam.list_user_tags()
            .user_name("t")
            .send()
            .await
            .unwrap()
            .tags()
            .len(),
        1
    );
    assert_eq!(
        code(
            iam.tag_user()
                .user_name("t")
                .tags(tag("aws:reserved", "x"))
                .send()
                .await
        ),
        "InvalidInput"
    );
}

#[tokio::test]
async fn login_profiles_follow_the_password_policy() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    iam.create_user().user_name("dave").send().await.unwrap();
    iam.update_account_password_policy()
        .minimum_password_length(12)
        .require_numbers(true)
        .password_reuse_prevention(2)
        .allow_users_to_change_password(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(
            iam.create_login_profile()
                .user_name("dave")
                .password("short1")
                .send()
                .await
        ),
        "PasswordPolicyViolation"
    );
    iam.create_login_profile()
        .user_name("dave")
        .password("long enough 1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(
            iam.update_login_profile()
                .user_name("dave")
                .password("long enough 1")
                .send()
                .await
        ),
        "PasswordPolicyViolation",
        "reuse prevention"
    );
    iam.update_login_profile()
        .user_name("dave")
        .password("long enough 2")
        .send()
        .await
        .unwrap();
    let policy = iam.get_account_password_policy().send().await.unwrap();
    assert_eq!(
        policy.password_policy().unwrap().minimum_password_length(),
        Some(12)
    );
    assert_eq!(
        code(
            iam.create_login_profile()
                .user_name("dave")
                .password("another one 3")
                .send()
                .await
        ),
        "EntityAlreadyExists"
    );
    assert_eq!(
        code(iam.delete_user().user_name("dave").send().await),
        "DeleteConflict"
    );
}

#[tokio::test]
async fn account_alias_and_summary() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    iam.create_account_alias()
        .account_alias("my-org")
        .send()
        .await
        .unwrap();
    assert_eq!(
        iam.list_account_aliases().send().await.unwrap().account_aliases(),
        ["my-org"]
    );
    iam.create_user().user_name("u").send().await.unwrap();
    let summary = iam.get_account_summary().send().await.unwrap();
    let map = summary.summary_map().unwrap();
    assert_eq!(map.get(&aws_sdk_iam::types::SummaryKeyType::Users), Some(&1));
    assert_eq!(
        map.get(&aws_sdk_iam::types::SummaryKeyType::AccessKeysPerUserQuota),
        Some(&2)
    );
    assert_eq!(
        map.get(&aws_sdk_iam::types::SummaryKeyType::GlobalEndpointTokenVersion),
        Some(&1)
    );
    iam.set_security_token_service_preferences()
        .global_endpoint_token_version(aws_sdk_iam::types::GlobalEndpointTokenVersion::V2Token)
        .send()
        .await
        .unwrap();
    let summary = iam.get_account_summary().send().await.unwrap();
    let version = summary
        .summary_map()
        .unwrap()
        .get(&aws_sdk_iam::types::SummaryKeyType::GlobalEndpointTokenVersion);
    assert_eq!(version, Some(&2));
}
