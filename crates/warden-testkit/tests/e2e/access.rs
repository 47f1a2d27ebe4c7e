//! Authorization on every request: deny by default, policies from every source, a
//! change applying to the very next request, AccessDenied messages like AWS's.

use serde_json::json;
use warden_testkit::{ACCOUNT_ID, TestServer};

use crate::{allow, code, create_policy, doc, err};

#[tokio::test]
async fn new_user_is_denied_everything_with_aws_message() {
    let s = TestServer::start().await;
    let keys = s.user_with_key("nobody").await;
    let (c, m) = err(s.iam(&keys).list_roles().send().await);
    assert_eq!(c, "AccessDenied");
    assert_eq!(
        m,
        format!(
            "User: arn:aws:iam::{ACCOUNT_ID}:user/nobody is not authorized to perform: iam:ListRoles on resource: * because no identity-based policy allows the iam:ListRoles action"
        )
    );
}

#[tokio::test]
async fn policy_changes_apply_to_the_next_request() {
    let s = TestServer::start().await;
    let keys = s.user_with_key("alice").await;
    let alice = s.iam(&keys);
    assert_eq!(code(alice.list_users().send().await), "AccessDenied");
    s.put_user_policy("alice", "list", allow("iam:ListUsers", "*"))
        .await;
    alice.list_users().send().await.unwrap();
    let deny = doc(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]}),
    );
    s.put_user_policy("alice", "deny", deny).await;
    let (c, m) = err(alice.list_users().send().await);
    assert_eq!(c, "AccessDenied");
    assert!(
        m.contains("with an explicit deny in an identity-based policy"),
        "{m}"
    );
}

#[tokio::test]
async fn group_and_managed_policies_grant_and_boundaries_limit() {
    let s = TestServer::start().await;
    let keys = s.user_with_key("bob").await;
    let root = s.root_iam();
    let bob = s.iam(&keys);
    root.create_group().group_name("readers").send().await.unwrap();
    root.add_user_to_group()
        .group_name("readers")
        .user_name("bob")
        .send()
        .await
        .unwrap();
    root.attach_group_policy()
        .group_name("readers")
        .policy_arn("arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        .send()
        .await
        .unwrap();
    bob.list_users().send().await.unwrap();
    bob.get_user().user_name("bob").send().await.unwrap();
    assert_eq!(
        code(bob.create_user().user_name("x").send().await),
        "AccessDenied"
    );

    // A permissions boundary allowing only GetUser narrows the group's grant.
    let boundary = create_policy(&root, "only-get-user", allow("iam:GetUser", "*")).await;
    root.put_user_permissions_boundary()
        .user_name("bob")
        .permissions_boundary(&boundary)
        .send()
        .await
        .unwrap();
    let got = root.get_user().user_name("bob").send().await.unwrap();
    let b = got.user().unwrap().permissions_boundary().unwrap();
    assert_eq!(
        b.permissions_boundary_type(),
        Some(&aws_sdk_iam::types::PermissionsBoundaryAttachmentType::Policy)
    );
    assert_eq!(b.permissions_boundary_arn(), Some(boundary.as_str()));
    bob.get_user().user_name("bob").send().await.unwrap();
    let (c, m) = err(bob.list_users().send().await);
    assert_eq!(c, "AccessDenied");
    assert!(m.contains("permissions boundary"), "{m}");
}

#[tokio::test]
async fn resource_arns_carry_paths_and_conditions_see_tags() {
    let s = TestServer::start().await;
    let keys = s.user_with_key("carol").await;
    let carol = s.iam(&keys);
    let policy = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:CreateUser", "Resource": format!("arn:aws:iam::{ACCOUNT_ID}:user/team/*"),
         "Condition": {"StringEquals": {"aws:RequestTag/team": "blue"}}}
    ]}));
    s.put_user_policy("carol", "p", policy).await;
    let tag = aws_sdk_iam::types::Tag::builder()
        .key("team")
        .value("blue")
        .build()
        .unwrap();
    carol
        .create_user()
        .user_name("t1")
        .path("/team/")
        .tags(tag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(
            carol
                .create_user()
                .user_name("t2")
                .path("/other/")
                .tags(tag)
                .send()
                .await
        ),
        "AccessDenied"
    );
    assert_eq!(
        code(carol.create_user().user_name("t3").path("/team/").send().await),
        "AccessDenied"
    );
}

#[tokio::test]
async fn users_act_on_themselves_without_user_name() {
    let s = TestServer::start().await;
    let keys = s.user_with_key("dana").await;
    let root = s.root_iam();
    let policy = allow(
        "iam:*AccessKey*",
        &format!("arn:aws:iam::{ACCOUNT_ID}:user/${{aws:username}}"),
    );
    s.put_user_policy("dana", "self", policy).await;
    let dana = s.iam(&keys);
    let listed = dana.list_access_keys().send().await.unwrap();
    assert_eq!(listed.access_key_metadata()[0].user_name(), Some("dana"));
    root.create_user().user_name("erin").send().await.unwrap();
    assert_eq!(
        code(dana.list_access_keys().user_name("erin").send().await),
        "AccessDenied"
    );
}

#[tokio::test]
async fn inactive_and_deleted_keys_stop_working() {
    let s = TestServer::start().await;
    let keys = s.user_with_key("frank").await;
    let root = s.root_iam();
    let sts = s.sts(&keys);
    sts.get_caller_identity().send().await.unwrap();
    root.update_access_key()
        .user_name("frank")
        .access_key_id(&keys.access_key_id)
        .status(aws_sdk_iam::types::StatusType::Inactive)
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(sts.get_caller_identity().send().await),
        "InvalidClientTokenId"
    );
    root.delete_access_key()
        .user_name("frank")
        .access_key_id(&keys.access_key_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(sts.get_caller_identity().send().await),
        "InvalidClientTokenId"
    );
}

#[tokio::test]
async fn self_service_mfa_policy_scopes_new_devices_to_the_user() {
    let s = TestServer::start().await;
    let keys = s.user_with_key("pat").await;
    // The resource form of AWS's "manage your own MFA device" example policy.
    let policy = allow("iam:CreateVirtualMFADevice", "arn:aws:iam::*:mfa/${aws:username}");
    s.put_user_policy("pat", "mfa", policy).await;
    let pat = s.iam(&keys);
    pat.create_virtual_mfa_device()
        .virtual_mfa_device_name("pat")
        .send()
        .await
        .unwrap();
    let (c, m) = err(pat
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("someone-else")
        .send()
        .await);
    assert_eq!(c, "AccessDenied");
    assert!(
        m.contains(&format!("arn:aws:iam::{ACCOUNT_ID}:mfa/someone-else")),
        "{m}"
    );
}
