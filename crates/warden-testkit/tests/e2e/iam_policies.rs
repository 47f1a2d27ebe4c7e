//! Managed policies (five versions and a default), AWS managed policies, inline
//! policies and their quotas, attachments and DeleteConflict.

use serde_json::json;
use warden_testkit::{ACCOUNT_ID, TestServer};

use crate::{allow, code, create_policy, decode, doc, err};

#[tokio::test]
async fn managed_policy_versions_five_and_a_default() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let p = iam
        .create_policy()
        .policy_name("P")
        .policy_document(allow("s3:GetObject", "*"))
        .send()
        .await
        .unwrap();
    let arn = p.policy().unwrap().arn().unwrap().to_owned();
    assert_eq!(arn, format!("arn:aws:iam::{ACCOUNT_ID}:policy/P"));
    assert_eq!(p.policy().unwrap().default_version_id(), Some("v1"));
    for i in 2..=5 {
        let v = iam
            .create_policy_version()
            .policy_arn(&arn)
            .policy_document(allow(&format!("s3:Get{i}"), "*"))
            .set_as_default(i == 3)
            .send()
            .await
            .unwrap();
        assert_eq!(
            v.policy_version().unwrap().version_id(),
            Some(format!("v{i}").as_str())
        );
    }
    let (c, m) = err(iam
        .create_policy_version()
        .policy_arn(&arn)
        .policy_document(allow("s3:X", "*"))
        .send()
        .await);
    assert_eq!(c, "LimitExceeded", "{m}");
    assert_eq!(
        iam.get_policy()
            .policy_arn(&arn)
            .send()
            .await
            .unwrap()
            .policy()
            .unwrap()
            .default_version_id(),
        Some("v3")
    );
    assert_eq!(
        code(
            iam.delete_policy_version()
                .policy_arn(&arn)
                .version_id("v3")
                .send()
                .await
        ),
        "DeleteConflict",
        "the default version cannot be deleted"
    );
    iam.delete_policy_version()
        .policy_arn(&arn)
        .version_id("v1")
        .send()
        .await
        .unwrap();
    let v6 = iam
        .create_policy_version()
        .policy_arn(&arn)
        .policy_document(allow("s3:Y", "*"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        v6.policy_version().unwrap().version_id(),
        Some("v6"),
        "version numbers are never reused"
    );
    let versions = iam.list_policy_versions().policy_arn(&arn).send().await.unwrap();
    assert_eq!(versions.versions().len(), 5);
    let v = iam
        .get_policy_version()
        .policy_arn(&arn)
        .version_id("v3")
        .send()
        .await
        .unwrap();
    assert_eq!(
        decode(v.policy_version().unwrap().document().unwrap())["Statement"][0]["Action"],
        "s3:Get3"
    );
    iam.set_default_policy_version()
        .policy_arn(&arn)
        .version_id("v6")
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(iam.delete_policy().policy_arn(&arn).send().await),
        "DeleteConflict",
        "versions must go first"
    );
    for v in ["v2", "v3", "v4", "v5"] {
        iam.delete_policy_version()
            .policy_arn(&arn)
            .version_id(v)
            .send()
            .await
            .unwrap();
    }
    iam.delete_policy().policy_arn(&arn).send().await.unwrap();
    assert_eq!(
        code(iam.get_policy().policy_arn(&arn).send().await),
        "NoSuchEntity"
    );
}

#[tokio::test]
async fn attached_policies_block_deletion() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let arn = create_policy(&iam, "Q", allow("iam:Get*", "*")).await;
    iam.create_user().user_name("u").send().await.unwrap();
    iam.attach_user_policy()
        .user_name("u")
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    let got = iam.get_policy().policy_arn(&arn).send().await.unwrap();
    assert_eq!(got.policy().unwrap().attachment_count(), Some(1));
    assert_eq!(
        code(iam.delete_policy().policy_arn(&arn).send().await),
        "DeleteConflict"
    );
    let entities = iam
        .list_entities_for_policy()
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(entities.policy_users()[0].user_name(), Some("u"));
    iam.detach_user_policy()
        .user_name("u")
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(
            iam.detach_user_policy()
                .user_name("u")
                .policy_arn(&arn)
                .send()
                .await
        ),
        "NoSuchEntity"
    );
    iam.delete_policy().policy_arn(&arn).send().await.unwrap();
    let missing = format!("arn:aws:iam::{ACCOUNT_ID}:policy/nope");
    assert_eq!(
        code(
            iam.attach_user_policy()
                .user_name("u")
                .policy_arn(missing)
                .send()
                .await
        ),
        "NoSuchEntity"
    );
}

#[tokio::test]
async fn aws_managed_policies_exist_and_are_immutable() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let arn = "arn:aws:iam::aws:policy/IAMReadOnlyAccess";
    let p = iam.get_policy().policy_arn(arn).send().await.unwrap();
    assert_eq!(p.policy().unwrap().policy_name(), Some("IAMReadOnlyAccess"));
    let version = p.policy().unwrap().default_version_id().unwrap().to_owned();
    let v = iam
        .get_policy_version()
        .policy_arn(arn)
        .version_id(&version)
        .send()
        .await
        .unwrap();
    let document = decode(v.policy_version().unwrap().document().unwrap());
    assert!(
        document["Statement"][0]["Action"]
            .as_array()
            .unwrap()
            .contains(&json!("iam:List*"))
    );
    assert_ne!(code(iam.delete_policy().policy_arn(arn).send().await), "");
    assert_ne!(
        code(
            iam.create_policy_version()
                .policy_arn(arn)
                .policy_document(allow("*", "*"))
                .send()
                .await
        ),
        ""
    );
    let listed = iam
        .list_policies()
        .scope(aws_sdk_iam::types::PolicyScopeType::Aws)
        .max_items(1000)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.policies().len(), 1000);
    assert!(listed.is_truncated());
}

#[tokio::test]
async fn inline_policies_and_their_size_quota() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    iam.create_user().user_name("u").send().await.unwrap();
    iam.put_user_policy()
        .user_name("u")
        .policy_name("p1")
        .policy_document(allow("s3:*", "*"))
        .send()
        .await
        .unwrap();
    let got = iam
        .get_user_policy()
        .user_name("U")
        .policy_name("P1")
        .send()
        .await
        .unwrap();
    assert_eq!(decode(got.policy_document())["Statement"][0]["Action"], "s3:*");
    assert_eq!(
        iam.list_user_policies()
            .user_name("u")
            .send()
            .await
            .unwrap()
            .policy_names(),
        ["p1"]
    );
    // 2,048 non-whitespace characters across a user's inline policies.
    let big = doc(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
        "Resource": format!("arn:aws:s3:::{}", "b".repeat(2000))}]}),
    );
    assert_eq!(
        code(
            iam.put_user_policy()
                .user_name("u")
                .policy_name("p2")
                .policy_document(big)
                .send()
                .await
        ),
        "LimitExceeded"
    );
    let malformed = doc(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Permit", "Action": "s3:*", "Resource": "*"}]}),
    );
    assert_eq!(
        code(
            iam.put_user_policy()
                .user_name("u")
                .policy_name("p3")
                .policy_document(malformed)
                .send()
                .await
        ),
        "MalformedPolicyDocument"
    );
    assert_eq!(
        code(iam.delete_user().user_name("u").send().await),
        "DeleteConflict"
    );
    iam.delete_user_policy()
        .user_name("u")
        .policy_name("p1")
        .send()
        .await
        .unwrap();
    iam.delete_user().user_name("u").send().await.unwrap();
}

#[tokio::test]
async fn malformed_documents_are_refused_with_a_reason() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let (c, m) = err(iam
        .create_policy()
        .policy_name("x")
        .policy_document("not json")
        .send()
        .await);
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("MalformedPolicyDocument", "Syntax errors in policy.")
    );
    let with_principal = doc(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": "*", "Action": "s3:*", "Resource": "*"}]}));
    assert_eq!(
        code(
            iam.create_policy()
                .policy_name("x")
                .policy_document(with_principal)
                .send()
                .await
        ),
        "MalformedPolicyDocument",
        "an identity policy may not name a principal"
    );
}

#[tokio::test]
async fn policies_granting_service_access() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    iam.create_user().user_name("u").send().await.unwrap();
    iam.create_group().group_name("g").send().await.unwrap();
    iam.add_user_to_group()
        .group_name("g")
        .user_name("u")
        .send()
        .await
        .unwrap();
    iam.put_user_policy()
        .user_name("u")
        .policy_name("s3-read")
        .policy_document(allow("s3:Get*", "*"))
        .send()
        .await
        .unwrap();
    iam.attach_group_policy()
        .group_name("g")
        .policy_arn("arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        .send()
        .await
        .unwrap();
    let out = iam
        .list_policies_granting_service_access()
        .arn(format!("arn:aws:iam::{ACCOUNT_ID}:user/u"))
        .service_namespaces("s3")
        .service_namespaces("iam")
        .service_namespaces("ec2")
        .send()
        .await
        .unwrap();
    let entries = out.policies_granting_service_access();
    assert_eq!(entries.len(), 3);
    let s3 = &entries[0];
    assert_eq!(s3.service_namespace(), Some("s3"));
    assert_eq!(s3.policies()[0].policy_name(), "s3-read");
    assert_eq!(s3.policies()[0].entity_name(), Some("u"));
    assert_eq!(
        entries[1].policies()[0].policy_arn(),
        Some("arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    );
    assert!(entries[2].policies().is_empty(), "nothing grants ec2");
    let missing = format!("arn:aws:iam::{ACCOUNT_ID}:user/nobody");
    assert_eq!(
        code(
            iam.list_policies_granting_service_access()
                .arn(missing)
                .service_namespaces("s3")
                .send()
                .await
        ),
        "NoSuchEntity"
    );
}
