//! The policy simulator: SimulateCustomPolicy, SimulatePrincipalPolicy and the context-key
//! operations, through the AWS SDK for Rust.

use std::collections::HashMap;

use aws_sdk_iam::types::{
    ContextEntry, ContextKeyTypeEnum, EvaluationResult, OrderedOrganizationPolicyType,
    PolicyEvaluationDecisionType as D, Statement,
};
use serde_json::json;
use warden::cli_client::{SigningKeys, signed_post};
use warden_testkit::{ACCOUNT_ID, ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY, TestServer};

use crate::{allow, doc, err};

fn decision(r: &EvaluationResult) -> &str {
    r.eval_decision().as_str()
}

/// (SourcePolicyId, SourcePolicyType, start line, start column, end line, end column).
fn stmt(s: &Statement) -> (String, String, i32, i32, i32, i32) {
    let start = s.start_position().unwrap();
    let end = s.end_position().unwrap();
    (
        s.source_policy_id().unwrap().to_owned(),
        s.source_policy_type().unwrap().as_str().to_owned(),
        start.line(),
        start.column(),
        end.line(),
        end.column(),
    )
}

fn ids(r: &EvaluationResult) -> Vec<&str> {
    r.matched_statements()
        .iter()
        .map(|s| s.source_policy_id().unwrap())
        .collect()
}

fn entry(key: &str, t: ContextKeyTypeEnum, values: &[&str]) -> ContextEntry {
    ContextEntry::builder()
        .context_key_name(key)
        .context_key_type(t)
        .set_context_key_values(Some(values.iter().map(|v| (*v).to_owned()).collect()))
        .build()
}

/// Setup steps shared by the principal-policy tests (root's client).
async fn attach_user_policy(iam: &aws_sdk_iam::Client, user: &str, arn: &str) {
    iam.attach_user_policy()
        .user_name(user)
        .policy_arn(arn)
        .send()
        .await
        .unwrap();
}

async fn attach_group_policy(iam: &aws_sdk_iam::Client, group: &str, arn: &str) {
    iam.attach_group_policy()
        .group_name(group)
        .policy_arn(arn)
        .send()
        .await
        .unwrap();
}

async fn add_user_to_group(iam: &aws_sdk_iam::Client, group: &str, user: &str) {
    iam.add_user_to_group()
        .group_name(group)
        .user_name(user)
        .send()
        .await
        .unwrap();
}

async fn put_user_policy(iam: &aws_sdk_iam::Client, user: &str, name: &str, document: impl Into<String>) {
    let put = iam.put_user_policy().user_name(user).policy_name(name);
    put.policy_document(document).send().await.unwrap();
}

async fn put_group_policy(iam: &aws_sdk_iam::Client, group: &str, name: &str, document: impl Into<String>) {
    let put = iam.put_group_policy().group_name(group).policy_name(name);
    put.policy_document(document).send().await.unwrap();
}

#[tokio::test]
async fn custom_policy_allow_explicit_and_implicit_deny_with_positions() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let policy = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Sid\": \"All\",\n      \"Effect\": \"Allow\",\n      \"Action\": \"s3:*\",\n      \"Resource\": \"*\"\n    },\n    {\"Sid\": \"NoDelete\", \"Effect\": \"Deny\", \"Action\": \"s3:Delete*\", \"Resource\": \"*\"}\n  ]\n}";
    let out = iam
        .simulate_custom_policy()
        .policy_input_list(policy)
        .action_names("s3:GetObject")
        .action_names("s3:DeleteObject")
        .action_names("iam:CreateUser")
        .send()
        .await
        .unwrap();
    assert!(!out.is_truncated());
    let r = out.evaluation_results();
    assert_eq!(r.len(), 3);

    assert_eq!(r[0].eval_action_name(), "s3:GetObject");
    assert_eq!(r[0].eval_resource_name(), Some("*"));
    assert_eq!(r[0].eval_decision(), &D::Allowed);
    assert_eq!(
        stmt(&r[0].matched_statements()[0]),
        ("PolicyInputList.1".into(), "IAM Policy".into(), 4, 6, 9, 6)
    );
    assert_eq!(r[0].matched_statements().len(), 1);
    // Resource `*`: no per-resource results, no decision details, no organizations detail.
    assert!(r[0].resource_specific_results().is_empty());
    assert!(r[0].eval_decision_details().is_none());
    assert!(r[0].organizations_decision_detail().is_none());
    assert!(r[0].permissions_boundary_decision_detail().is_none());

    assert_eq!(r[1].eval_decision(), &D::ExplicitDeny);
    assert_eq!(
        r[1].matched_statements().iter().map(stmt).collect::<Vec<_>>(),
        [("PolicyInputList.1".into(), "IAM Policy".into(), 10, 6, 10, 83)]
    );

    assert_eq!(r[2].eval_decision(), &D::ImplicitDeny);
    assert!(r[2].matched_statements().is_empty());
    assert!(r[2].missing_context_values().is_empty());
}

/// The recorded AWS response (testdata/aws-recorded/test_iam.snapshot.json,
/// `test_simulate_principle_policy[user|group|role]`): a managed policy that allows
/// s3:PutObject, attached to a user, a group or a role; positions in Python's
/// `json.dumps` of the document.
#[tokio::test]
async fn principal_policy_matches_the_recorded_aws_response() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let document = r#"{"Version": "2012-10-17", "Statement": {"Sid": "", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}}"#;
    let policy_arn = crate::create_policy(&iam, "put", document).await;
    iam.create_user().user_name("u").send().await.unwrap();
    attach_user_policy(&iam, "u", &policy_arn).await;
    iam.create_group().group_name("g").send().await.unwrap();
    attach_group_policy(&iam, "g", &policy_arn).await;
    let trust = doc(
        json!({"Version": "2012-10-17", "Statement": {"Sid": "", "Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"}}),
    );
    iam.create_role()
        .role_name("r")
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap();
    iam.attach_role_policy()
        .role_name("r")
        .policy_arn(&policy_arn)
        .send()
        .await
        .unwrap();

    for kind in ["user/u", "group/g", "role/r"] {
        let out = iam
            .simulate_principal_policy()
            .policy_source_arn(format!("arn:aws:iam::{ACCOUNT_ID}:{kind}"))
            .action_names("s3:PutObject")
            .action_names("s3:GetObjectVersion")
            .resource_arns("arn:aws:s3:::bucket")
            .send()
            .await
            .unwrap();
        assert!(!out.is_truncated());
        let r = out.evaluation_results();
        assert_eq!(r.len(), 2, "{kind}");
        let put = &r[0];
        assert_eq!(put.eval_action_name(), "s3:PutObject");
        assert_eq!(put.eval_resource_name(), Some("arn:aws:s3:::bucket"));
        assert_eq!(decision(put), "allowed");
        assert_eq!(put.eval_decision_details(), Some(&HashMap::new()));
        assert!(
            put.organizations_decision_detail()
                .unwrap()
                .allowed_by_organizations()
        );
        assert!(put.missing_context_values().is_empty());
        let expected = ("put".to_owned(), "IAM Policy".to_owned(), 1, 41, 1, 113);
        assert_eq!(stmt(&put.matched_statements()[0]), expected, "{kind}");
        let rs = &put.resource_specific_results()[0];
        assert_eq!(rs.eval_resource_name(), "arn:aws:s3:::bucket");
        assert_eq!(rs.eval_resource_decision(), &D::Allowed);
        assert_eq!(stmt(&rs.matched_statements()[0]), expected);
        assert!(rs.missing_context_values().is_empty());

        let get = &r[1];
        assert_eq!(get.eval_action_name(), "s3:GetObjectVersion");
        assert_eq!(decision(get), "implicitDeny");
        assert!(get.matched_statements().is_empty());
        assert_eq!(
            get.resource_specific_results()[0].eval_resource_decision(),
            &D::ImplicitDeny
        );
    }
}

#[tokio::test]
async fn missing_context_values_and_typed_context_entries() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let policy = doc(json!({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*",
    "Condition": {
        "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
        "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
        "NumericLessThanEquals": {"s3:max-keys": "10"},
        "ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "team"]},
        "Bool": {"aws:SecureTransport": "true"}
    }}]}));
    let simulate = |entries: Vec<ContextEntry>| {
        iam.simulate_custom_policy()
            .policy_input_list(&policy)
            .action_names("s3:ListBucket")
            .set_context_entries(Some(entries))
            .send()
    };

    let none = simulate(vec![]).await.unwrap();
    let r = &none.evaluation_results()[0];
    assert_eq!(decision(r), "implicitDeny");
    let mut missing = r.missing_context_values().to_vec();
    missing.sort();
    assert_eq!(
        missing,
        [
            "aws:CurrentTime",
            "aws:SecureTransport",
            "aws:SourceIp",
            "aws:TagKeys",
            "s3:max-keys"
        ]
    );

    let good = || {
        vec![
            entry("aws:SourceIp", ContextKeyTypeEnum::Ip, &["203.0.113.7"]),
            entry(
                "aws:CurrentTime",
                ContextKeyTypeEnum::Date,
                &["2024-06-01T12:00:00Z"],
            ),
            entry("s3:max-keys", ContextKeyTypeEnum::Numeric, &["7"]),
            entry("aws:TagKeys", ContextKeyTypeEnum::StringList, &["owner", "team"]),
            entry("aws:SecureTransport", ContextKeyTypeEnum::Boolean, &["true"]),
        ]
    };
    let all = simulate(good()).await.unwrap();
    let r = &all.evaluation_results()[0];
    assert_eq!(decision(r), "allowed");
    assert!(r.missing_context_values().is_empty());
    assert_eq!(ids(r), ["PolicyInputList.1"]);

    // Each value on the wrong side of its condition denies, and nothing is missing.
    let cases: [(usize, ContextEntry); 4] = [
        (
            0,
            entry("aws:SourceIp", ContextKeyTypeEnum::Ip, &["198.51.100.1"]),
        ),
        (
            1,
            entry(
                "aws:CurrentTime",
                ContextKeyTypeEnum::Date,
                &["2031-01-01T00:00:00Z"],
            ),
        ),
        (2, entry("s3:max-keys", ContextKeyTypeEnum::Numeric, &["11"])),
        (
            3,
            entry("aws:TagKeys", ContextKeyTypeEnum::StringList, &["owner", "cost"]),
        ),
    ];
    for (i, wrong) in cases {
        let mut entries = good();
        entries[i] = wrong;
        let out = simulate(entries).await.unwrap();
        let r = &out.evaluation_results()[0];
        assert_eq!(decision(r), "implicitDeny", "case {i}");
        assert!(r.missing_context_values().is_empty(), "case {i}");
    }

    let (c, m) = err(simulate(vec![entry(
        "aws:SourceIp",
        ContextKeyTypeEnum::Ip,
        &["not-an-ip"],
    )])
    .await);
    assert_eq!(c, "InvalidInput");
    assert_eq!(
        m,
        "Invalid context value for key aws:SourceIp: expected IP address."
    );
    let (c, m) = err(simulate(vec![entry(
        "s3:max-keys",
        ContextKeyTypeEnum::Numeric,
        &["1", "2"],
    )])
    .await);
    assert_eq!(c, "InvalidInput", "{m}");
}

#[tokio::test]
async fn permissions_boundary_input_limits_and_is_reported() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let out = iam
        .simulate_custom_policy()
        .policy_input_list(allow("*", "*"))
        .permissions_boundary_policy_input_list(allow("s3:*", "*"))
        .action_names("s3:GetObject")
        .action_names("iam:ListUsers")
        .send()
        .await
        .unwrap();
    let r = out.evaluation_results();
    assert_eq!(decision(&r[0]), "allowed");
    assert!(
        r[0].permissions_boundary_decision_detail()
            .unwrap()
            .allowed_by_permissions_boundary()
    );
    assert_eq!(
        ids(&r[0]),
        ["PolicyInputList.1", "PermissionsBoundaryPolicyInputList.1"]
    );
    assert_eq!(decision(&r[1]), "implicitDeny");
    assert!(
        !r[1]
            .permissions_boundary_decision_detail()
            .unwrap()
            .allowed_by_permissions_boundary()
    );
    assert!(r[1].matched_statements().is_empty());

    let (c, m) = err(iam
        .simulate_custom_policy()
        .policy_input_list(allow("*", "*"))
        .permissions_boundary_policy_input_list(allow("s3:*", "*"))
        .permissions_boundary_policy_input_list(allow("iam:*", "*"))
        .action_names("s3:GetObject")
        .send()
        .await);
    assert_eq!(c, "InvalidInput");
    assert_eq!(
        m,
        "The list of Permissions Boundary policies cannot exceed 1 items."
    );
}

#[tokio::test]
async fn resource_policy_grants_within_the_account_and_not_across() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let alice = format!("arn:aws:iam::{ACCOUNT_ID}:user/alice");
    let bucket_policy = doc(json!({"Version": "2012-10-17", "Statement": [{
        "Sid": "AliceReads", "Effect": "Allow", "Principal": {"AWS": alice},
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}));
    let unrelated = allow("sqs:SendMessage", "*");
    let out = iam
        .simulate_custom_policy()
        .policy_input_list(&unrelated)
        .resource_policy(&bucket_policy)
        .caller_arn(&alice)
        .action_names("s3:GetObject")
        .action_names("s3:PutObject")
        .resource_arns("arn:aws:s3:::b/k1")
        .resource_arns("arn:aws:s3:::b/k2")
        .send()
        .await
        .unwrap();
    let r = out.evaluation_results();
    assert_eq!(decision(&r[0]), "allowed");
    assert_eq!(r[0].eval_resource_name(), Some("*"));
    assert_eq!(r[0].matched_statements().len(), 1);
    let (id, kind, ..) = stmt(&r[0].matched_statements()[0]);
    assert_eq!(
        (id.as_str(), kind.as_str()),
        ("ResourcePolicy", "Resource Policy")
    );
    assert_eq!(r[0].eval_decision_details(), Some(&HashMap::new()));
    let per: Vec<_> = r[0]
        .resource_specific_results()
        .iter()
        .map(|x| (x.eval_resource_name(), x.eval_resource_decision().as_str()))
        .collect();
    assert_eq!(
        per,
        [("arn:aws:s3:::b/k1", "allowed"), ("arn:aws:s3:::b/k2", "allowed")]
    );
    assert_eq!(decision(&r[1]), "implicitDeny");

    // Another account owns the bucket: its policy is not enough without an identity allow.
    let cross = iam
        .simulate_custom_policy()
        .policy_input_list(&unrelated)
        .resource_policy(&bucket_policy)
        .caller_arn(&alice)
        .resource_owner("arn:aws:iam::111122223333:root")
        .action_names("s3:GetObject")
        .resource_arns("arn:aws:s3:::b/k1")
        .send()
        .await
        .unwrap();
    let r = &cross.evaluation_results()[0];
    assert_eq!(decision(r), "implicitDeny");
    let details = r.eval_decision_details().unwrap();
    assert_eq!(details.get("IAM Policy"), Some(&D::ImplicitDeny));
    assert_eq!(details.get("Resource Policy"), Some(&D::Allowed));

    let (c, m) = err(iam
        .simulate_custom_policy()
        .policy_input_list(&unrelated)
        .resource_policy(&bucket_policy)
        .action_names("s3:GetObject")
        .resource_arns("arn:aws:s3:::b/k1")
        .send()
        .await);
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("InvalidInput", "Invalid caller - Caller cannot be null or empty.")
    );
    let (c, m) = err(iam
        .simulate_custom_policy()
        .policy_input_list(&unrelated)
        .resource_policy(&bucket_policy)
        .caller_arn(&alice)
        .action_names("s3:GetObject")
        .send()
        .await);
    assert_eq!(
        (c.as_str(), m.as_str()),
        (
            "InvalidInput",
            "Invalid Entity Arn: * does not clearly define entity type and name."
        )
    );
}

#[tokio::test]
async fn principal_policy_gathers_user_group_managed_and_boundary() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    iam.create_user().user_name("alice").send().await.unwrap();
    put_user_policy(&iam, "alice", "own", allow("s3:GetObject", "*")).await;
    attach_user_policy(&iam, "alice", "arn:aws:iam::aws:policy/IAMReadOnlyAccess").await;
    iam.create_group().group_name("devs").send().await.unwrap();
    add_user_to_group(&iam, "devs", "alice").await;
    let deny = doc(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}),
    );
    put_group_policy(&iam, "devs", "no-delete", deny).await;
    let sqs = crate::create_policy(&iam, "sqs-all", allow("sqs:*", "*")).await;
    attach_group_policy(&iam, "devs", &sqs).await;
    let alice = format!("arn:aws:iam::{ACCOUNT_ID}:user/alice");
    let simulate = || {
        iam.simulate_principal_policy()
            .policy_source_arn(&alice)
            .action_names("s3:GetObject")
            .action_names("iam:ListUsers")
            .action_names("sqs:SendMessage")
            .action_names("s3:DeleteObject")
            .action_names("ec2:RunInstances")
    };
    let out = simulate().send().await.unwrap();
    let r = out.evaluation_results();
    let got: Vec<(&str, Vec<&str>)> = r.iter().map(|x| (decision(x), ids(x))).collect();
    assert_eq!(
        got,
        [
            ("allowed", vec!["user_alice_own"]),
            ("allowed", vec!["IAMReadOnlyAccess"]),
            ("allowed", vec!["sqs-all"]),
            ("explicitDeny", vec!["group_devs_no-delete"]),
            ("implicitDeny", vec![]),
        ]
    );
    assert!(
        r.iter()
            .all(|x| x.permissions_boundary_decision_detail().is_none())
    );

    // The user's boundary limits; an input boundary replaces it.
    let boundary = crate::create_policy(&iam, "s3-only", allow("s3:*", "*")).await;
    iam.put_user_permissions_boundary()
        .user_name("alice")
        .permissions_boundary(&boundary)
        .send()
        .await
        .unwrap();
    let out = simulate().send().await.unwrap();
    let r = out.evaluation_results();
    let got: Vec<(&str, bool)> = r
        .iter()
        .map(|x| {
            (
                decision(x),
                x.permissions_boundary_decision_detail()
                    .unwrap()
                    .allowed_by_permissions_boundary(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("allowed", true),
            ("implicitDeny", false),
            ("implicitDeny", false),
            ("explicitDeny", true),
            ("implicitDeny", false),
        ]
    );
    assert_eq!(ids(&r[0]), ["user_alice_own", "s3-only"]);
    let out = simulate()
        .permissions_boundary_policy_input_list(allow("iam:*", "*"))
        .policy_input_list(allow("ec2:*", "*"))
        .send()
        .await
        .unwrap();
    let decisions: Vec<&str> = out.evaluation_results().iter().map(decision).collect();
    assert_eq!(
        decisions,
        [
            "implicitDeny",
            "allowed",
            "implicitDeny",
            "explicitDeny",
            "implicitDeny"
        ]
    );

    // CallerArn defaults to the source; the policies are still the source's.
    let policy = doc(json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::home/${aws:username}/*"}]}));
    let out = iam
        .simulate_principal_policy()
        .policy_source_arn(format!("arn:aws:iam::{ACCOUNT_ID}:group/devs"))
        .policy_input_list(&policy)
        .caller_arn(&alice)
        .action_names("s3:GetObject")
        .resource_arns("arn:aws:s3:::home/alice/notes")
        .resource_arns("arn:aws:s3:::home/bob/notes")
        .send()
        .await
        .unwrap();
    let r = &out.evaluation_results()[0];
    let per: Vec<&str> = r
        .resource_specific_results()
        .iter()
        .map(|x| x.eval_resource_decision().as_str())
        .collect();
    assert_eq!(per, ["allowed", "implicitDeny"]);
    assert_eq!(decision(r), "implicitDeny");
}

#[tokio::test]
async fn simulation_results_paginate() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let actions = ["s3:A", "s3:B", "s3:C", "s3:D", "s3:E"];
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let out = iam
            .simulate_custom_policy()
            .policy_input_list(allow("s3:*", "*"))
            .set_action_names(Some(actions.iter().map(|a| (*a).to_owned()).collect()))
            .max_items(2)
            .set_marker(marker.clone())
            .send()
            .await
            .unwrap();
        pages += 1;
        seen.extend(
            out.evaluation_results()
                .iter()
                .map(|r| r.eval_action_name().to_owned()),
        );
        assert_eq!(out.is_truncated(), out.marker().is_some());
        match out.marker() {
            Some(m) => marker = Some(m.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, actions);
    let (c, _) = err(iam
        .simulate_custom_policy()
        .policy_input_list(allow("s3:*", "*"))
        .action_names("s3:A")
        .marker("not a marker")
        .send()
        .await);
    assert_eq!(c, "InvalidInput");
}

#[tokio::test]
async fn context_keys_of_custom_and_principal_policies() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let first = doc(json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "dynamodb:*",
        "Resource": "arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}",
        "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2015-08-16T12:00:00Z"}}}]}));
    let second = doc(json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Action": "*", "Resource": "*",
        "Condition": {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "DateLessThan": {"aws:currenttime": "2030-01-01"}}}]}));
    let out = iam
        .get_context_keys_for_custom_policy()
        .policy_input_list(&first)
        .policy_input_list(&second)
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.context_key_names(),
        ["aws:username", "aws:CurrentTime", "aws:SourceIp"]
    );

    iam.create_user().user_name("carol").send().await.unwrap();
    put_user_policy(&iam, "carol", "mine", &first).await;
    iam.create_group().group_name("ops").send().await.unwrap();
    add_user_to_group(&iam, "ops", "carol").await;
    let tagged = doc(json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "ec2:*", "Resource": "*",
        "Condition": {"StringEquals": {"ec2:ResourceTag/team": "ops"}}}]}));
    put_group_policy(&iam, "ops", "team", &tagged).await;
    let extra = doc(json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:*", "Resource": "*",
        "Condition": {"StringLike": {"s3:prefix": "home/*"}}}]}));
    let out = iam
        .get_context_keys_for_principal_policy()
        .policy_source_arn(format!("arn:aws:iam::{ACCOUNT_ID}:user/carol"))
        .policy_input_list(&extra)
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.context_key_names(),
        [
            "aws:username",
            "aws:CurrentTime",
            "ec2:ResourceTag/team",
            "s3:prefix"
        ]
    );
    let out = iam
        .get_context_keys_for_principal_policy()
        .policy_source_arn(format!("arn:aws:iam::{ACCOUNT_ID}:group/ops"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.context_key_names(), ["ec2:ResourceTag/team"]);

    let (c, m) = err(iam
        .get_context_keys_for_principal_policy()
        .policy_source_arn(format!("arn:aws:iam::{ACCOUNT_ID}:user/ghost"))
        .send()
        .await);
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("NoSuchEntity", "The user with name ghost cannot be found.")
    );
    let (c, _) = err(iam
        .get_context_keys_for_custom_policy()
        .policy_input_list("{\"Version\": \"2012-10-17\"}")
        .send()
        .await);
    assert_eq!(c, "MalformedPolicyDocument");
}

#[tokio::test]
async fn simulator_errors() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let (c, m) = err(iam
        .simulate_custom_policy()
        .policy_input_list(
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}"#,
        )
        .action_names("s3:GetObject")
        .send()
        .await);
    assert_eq!(
        (c.as_str(), m.as_str()),
        (
            "MalformedPolicyDocument",
            "Policy statement must contain resources."
        )
    );
    let (c, _) = err(iam
        .simulate_custom_policy()
        .policy_input_list("not json")
        .action_names("s3:GetObject")
        .send()
        .await);
    assert_eq!(c, "MalformedPolicyDocument");
    let (c, m) = err(iam
        .simulate_principal_policy()
        .policy_source_arn(format!("arn:aws:iam::{ACCOUNT_ID}:role/nobody"))
        .action_names("s3:GetObject")
        .send()
        .await);
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("NoSuchEntity", "The role with name nobody cannot be found.")
    );
    let policy_arn = format!("arn:aws:iam::{ACCOUNT_ID}:policy/some-policy");
    let (c, m) = err(iam
        .simulate_principal_policy()
        .policy_source_arn(&policy_arn)
        .action_names("s3:GetObject")
        .send()
        .await);
    assert_eq!(c, "InvalidInput");
    assert_eq!(
        m,
        format!("Invalid Entity Arn: {policy_arn} does not clearly define entity type and name.")
    );
    let (c, m) = err(iam
        .simulate_custom_policy()
        .policy_input_list(allow("s3:*", "*"))
        .caller_arn(format!("arn:aws:sts::{ACCOUNT_ID}:assumed-role/r/s"))
        .action_names("s3:GetObject")
        .send()
        .await);
    assert_eq!(
        (c.as_str(), m.as_str()),
        (
            "InvalidInput",
            "Invalid caller - Caller must be an IAM user, role or group in this context."
        )
    );
    let (c, m) = err(iam
        .simulate_custom_policy()
        .policy_input_list(allow("s3:*", "*"))
        .action_names("s3:GetObject")
        .context_entries(
            ContextEntry::builder()
                .context_key_name("aws:SourceIp")
                .context_key_values("10.0.0.1")
                .build(),
        )
        .send()
        .await);
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("InvalidInput", "Context key aws:SourceIp has invalid type null.")
    );
}

#[tokio::test]
async fn principal_simulation_is_authorized_on_the_source_arn() {
    let s = TestServer::start().await;
    let keys = s.user_with_key("dave").await;
    let root = s.root_iam();
    root.create_user().user_name("erin").send().await.unwrap();
    let dave_arn = format!("arn:aws:iam::{ACCOUNT_ID}:user/dave");
    root.put_user_policy()
        .user_name("dave")
        .policy_name("self-sim")
        .policy_document(allow("iam:SimulatePrincipalPolicy", &dave_arn))
        .send()
        .await
        .unwrap();
    let dave = s.iam(&keys);
    let out = dave
        .simulate_principal_policy()
        .policy_source_arn(&dave_arn)
        .action_names("iam:SimulatePrincipalPolicy")
        .resource_arns(&dave_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(decision(&out.evaluation_results()[0]), "allowed");
    let erin_arn = format!("arn:aws:iam::{ACCOUNT_ID}:user/erin");
    let (c, m) = err(dave
        .simulate_principal_policy()
        .policy_source_arn(&erin_arn)
        .action_names("s3:GetObject")
        .send()
        .await);
    assert_eq!(c, "AccessDenied");
    assert_eq!(
        m,
        format!(
            "User: {dave_arn} is not authorized to perform: iam:SimulatePrincipalPolicy on resource: {erin_arn} because no identity-based policy allows the iam:SimulatePrincipalPolicy action"
        )
    );
    let (c, _) = err(dave
        .simulate_custom_policy()
        .policy_input_list(allow("s3:*", "*"))
        .action_names("s3:GetObject")
        .send()
        .await);
    assert_eq!(c, "AccessDenied");
}

fn scp_level(policies: &[String]) -> OrderedOrganizationPolicyType {
    policies
        .iter()
        .fold(OrderedOrganizationPolicyType::builder(), |b, p| {
            b.service_control_policy_input_list(p)
        })
        .build()
}

fn deny(action: &str) -> String {
    doc(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": action, "Resource": "*"}]}),
    )
}

fn allowed_by_organizations(r: &EvaluationResult) -> Option<bool> {
    r.organizations_decision_detail()
        .map(|d| d.allowed_by_organizations())
}

/// OrderedOrganizationPolicyInputList: every level, root to account, must allow; an SCP
/// deny at any level denies; SCP statements are not among MatchedStatements.
#[tokio::test]
async fn custom_policy_with_an_organizations_hierarchy() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let full = allow("*", "*");
    let out = iam
        .simulate_custom_policy()
        .policy_input_list(allow("*", "*"))
        .ordered_organization_policy_input_list(scp_level(std::slice::from_ref(&full)))
        .ordered_organization_policy_input_list(scp_level(&[allow("s3:*", "*"), deny("s3:DeleteObject")]))
        .ordered_organization_policy_input_list(scp_level(std::slice::from_ref(&full)))
        .action_names("s3:GetObject")
        .action_names("s3:DeleteObject")
        .action_names("iam:CreateUser")
        .send()
        .await
        .unwrap();
    let r = out.evaluation_results();
    assert_eq!(r.len(), 3);
    assert_eq!(r[0].eval_decision(), &D::Allowed);
    assert_eq!(allowed_by_organizations(&r[0]), Some(true));
    assert_eq!(ids(&r[0]), ["PolicyInputList.1"]);
    // The OU's SCP denies: explicit deny, and the SCP's statement is not reported.
    assert_eq!(r[1].eval_decision(), &D::ExplicitDeny);
    assert_eq!(allowed_by_organizations(&r[1]), Some(false));
    assert!(r[1].matched_statements().is_empty());
    // The root allows everything but the OU only s3: implicit deny.
    assert_eq!(r[2].eval_decision(), &D::ImplicitDeny);
    assert_eq!(allowed_by_organizations(&r[2]), Some(false));
    assert!(r[2].matched_statements().is_empty());

    // An identity deny is still reported when the SCPs allow.
    let out = iam
        .simulate_custom_policy()
        .policy_input_list(deny("s3:*"))
        .ordered_organization_policy_input_list(scp_level(std::slice::from_ref(&full)))
        .action_names("s3:GetObject")
        .send()
        .await
        .unwrap();
    let r = &out.evaluation_results()[0];
    assert_eq!(r.eval_decision(), &D::ExplicitDeny);
    assert_eq!(ids(r), ["PolicyInputList.1"]);
    assert_eq!(allowed_by_organizations(r), Some(true));

    // A level whose SCPs allow nothing of s3 denies s3; with resources, the per-resource
    // decision follows.
    let out = iam
        .simulate_custom_policy()
        .policy_input_list(allow("s3:*", "*"))
        .ordered_organization_policy_input_list(scp_level(std::slice::from_ref(&full)))
        .ordered_organization_policy_input_list(scp_level(&[allow("ec2:*", "*")]))
        .action_names("s3:GetObject")
        .resource_arns("arn:aws:s3:::bucket/key")
        .send()
        .await
        .unwrap();
    let r = &out.evaluation_results()[0];
    assert_eq!(r.eval_decision(), &D::ImplicitDeny);
    assert_eq!(allowed_by_organizations(r), Some(false));
    assert_eq!(
        r.resource_specific_results()[0].eval_resource_decision(),
        &D::ImplicitDeny
    );

    // A malformed SCP is refused like any input policy.
    let (c, _) = err(iam
        .simulate_custom_policy()
        .policy_input_list(allow("s3:*", "*"))
        .ordered_organization_policy_input_list(scp_level(&["{".to_owned()]))
        .action_names("s3:GetObject")
        .send()
        .await);
    assert_eq!(c, "MalformedPolicyDocument");
}

/// A SimulatePrincipalPolicy request as an awsQuery form, signed by the root user. The
/// SDK for Rust (aws-sdk-iam 1.133) writes a `PolicyIdentifier` union without its member
/// name (`PolicyExclusionList.member.1.member=inline`), which no server can read; the
/// AWS CLI and boto3 write `PolicyExclusionList.member.1.PolicyType=inline`, as here.
async fn simulate_principal_raw(s: &TestServer, params: &[(String, String)]) -> (u16, String) {
    let enc =
        |v: &str| percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC).to_string();
    let mut body = "Action=SimulatePrincipalPolicy&Version=2010-05-08".to_owned();
    for (k, v) in params {
        body.push_str(&format!("&{}={}", enc(k), enc(v)));
    }
    let endpoint = s.endpoint.clone();
    tokio::task::spawn_blocking(move || {
        let keys = SigningKeys {
            access_key_id: ROOT_ACCESS_KEY_ID,
            secret_access_key: ROOT_SECRET_ACCESS_KEY,
            session_token: None,
        };
        signed_post(
            &endpoint,
            "/",
            "iam",
            "application/x-www-form-urlencoded",
            body.as_bytes(),
            &keys,
        )
        .unwrap()
    })
    .await
    .unwrap()
}

/// The `EvalDecision`s of a response, in order.
fn xml_decisions(xml: &str) -> Vec<String> {
    xml.split("<EvalDecision>")
        .skip(1)
        .filter_map(|r| r.split("</EvalDecision>").next())
        .map(str::to_owned)
        .collect()
}

fn xml_code(xml: &str) -> &str {
    xml.split("<Code>")
        .nth(1)
        .and_then(|r| r.split("</Code>").next())
        .unwrap_or_default()
}

/// PolicyExclusionList: the principal's policies left out by type, ARN (with wildcards)
/// or inline name and entity; identifiers that match nothing are ignored, malformed ones
/// are InvalidInput.
#[tokio::test]
async fn principal_policy_with_exclusions() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    iam.create_user().user_name("carol").send().await.unwrap();
    put_user_policy(&iam, "carol", "s3-read", allow("s3:GetObject", "*")).await;
    let managed = crate::create_policy(&iam, "custom-iam-list", allow("iam:ListUsers", "*")).await;
    attach_user_policy(&iam, "carol", &managed).await;
    attach_user_policy(
        &iam,
        "carol",
        "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess",
    )
    .await;
    iam.create_group().group_name("queue-team").send().await.unwrap();
    add_user_to_group(&iam, "queue-team", "carol").await;
    put_group_policy(&iam, "queue-team", "sqs", allow("sqs:SendMessage", "*")).await;
    let actions = [
        "s3:GetObject",
        "iam:ListUsers",
        "dynamodb:GetItem",
        "sqs:SendMessage",
    ];
    // Each exclusion is a list of (member suffix, value) pairs of one PolicyIdentifier.
    let simulate = |exclusions: &[&[(&str, &str)]]| {
        let mut params = vec![(
            "PolicySourceArn".to_owned(),
            format!("arn:aws:iam::{ACCOUNT_ID}:user/carol"),
        )];
        for (i, a) in actions.iter().enumerate() {
            params.push((format!("ActionNames.member.{}", i + 1), (*a).to_owned()));
        }
        for (i, members) in exclusions.iter().enumerate() {
            for (k, v) in *members {
                params.push((
                    format!("PolicyExclusionList.member.{}.{k}", i + 1),
                    (*v).to_owned(),
                ));
            }
        }
        let s = &s;
        async move { simulate_principal_raw(s, &params).await }
    };
    let allowed = |(status, xml): (u16, String)| {
        assert_eq!(status, 200, "{xml}");
        xml_decisions(&xml)
            .iter()
            .map(|d| d == "allowed")
            .collect::<Vec<bool>>()
    };
    assert_eq!(allowed(simulate(&[]).await), [true, true, true, true]);
    assert_eq!(
        allowed(simulate(&[&[("PolicyType", "inline")]]).await),
        [false, true, true, false],
        "inline policies of the user and of its groups"
    );
    assert_eq!(
        allowed(simulate(&[&[("PolicyType", "aws-managed")]]).await),
        [true, true, false, true]
    );
    assert_eq!(
        allowed(simulate(&[&[("PolicyType", "user-managed")]]).await),
        [true, false, true, true]
    );
    let pattern = format!("arn:aws:iam::{ACCOUNT_ID}:policy/custom-*-l?st");
    assert_eq!(
        allowed(simulate(&[&[("PolicyArn", pattern.as_str())]]).await),
        [true, false, true, true],
        "a managed policy by ARN, with wildcards in its name"
    );
    let inline = |name: &'static str, kind: &'static str, entity: &'static str| {
        [
            ("InlinePolicyIdentifier.PolicyName", name),
            ("InlinePolicyIdentifier.AttachmentType", kind),
            ("InlinePolicyIdentifier.AttachmentName", entity),
        ]
    };
    assert_eq!(
        allowed(simulate(&[&inline("sqs", "group", "queue-team")]).await),
        [true, true, true, false]
    );
    // Well-formed identifiers that match nothing change nothing.
    assert_eq!(
        allowed(
            simulate(&[
                &inline("sqs", "user", "carol"),
                &inline("s3-read", "role", "carol"),
                &[("PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess")],
                &[("PolicyType", "scp")],
                &[("PolicyType", "rcp")],
                &[("PolicyType", "permission-boundary")],
            ])
            .await
        ),
        [true, true, true, true]
    );
    // Malformed identifiers: a wildcard outside the policy name, not a policy ARN, two
    // members of the union at once.
    let wildcard_path = format!("arn:aws:iam::{ACCOUNT_ID}:*/custom-iam-list");
    let role_arn = format!("arn:aws:iam::{ACCOUNT_ID}:role/custom-iam-list");
    for bad in [
        vec![("PolicyArn", wildcard_path.as_str())],
        vec![("PolicyArn", "arn:aws:iam::*:policy/custom-iam-list")],
        vec![("PolicyArn", role_arn.as_str())],
        vec![("PolicyType", "inline"), ("PolicyArn", managed.as_str())],
    ] {
        let (status, xml) = simulate(&[&bad]).await;
        assert_eq!((status, xml_code(&xml)), (400, "InvalidInput"), "{bad:?}: {xml}");
    }

    // The principal's permissions boundary, excluded by type.
    iam.put_user_permissions_boundary()
        .user_name("carol")
        .permissions_boundary(&managed)
        .send()
        .await
        .unwrap();
    assert_eq!(allowed(simulate(&[]).await), [false, true, false, false]);
    let (status, xml) = simulate(&[&[("PolicyType", "permission-boundary")]]).await;
    assert!(!xml.contains("PermissionsBoundaryDecisionDetail"), "{xml}");
    assert_eq!(allowed((status, xml)), [true, true, true, true]);
}
