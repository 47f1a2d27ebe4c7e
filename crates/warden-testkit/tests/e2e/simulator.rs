//! The policy simulator: SimulateCustomPolicy, SimulatePrincipalPolicy and the context-key
//! operations, through the AWS SDK for Rust.

use std::collections::HashMap;

use aws_sdk_iam::types::{
    ContextEntry, ContextKeyTypeEnum, EvaluationResult, PolicyEvaluationDecisionType as D, Statement,
};
use serde_json::json;
use warden_testkit::{ACCOUNT_ID, TestServer};

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
    let policy_arn = iam
        .create_policy()
        .policy_name("put")
        .policy_document(document)
        .send()
        .await
        .unwrap()
        .policy()
        .unwrap()
        .arn()
        .unwrap()
        .to_owned();
    iam.create_user().user_name("u").send().await.unwrap();
    iam.attach_user_policy()
        .user_name("u")
        .policy_arn(&policy_arn)
        .send()
        .await
        .unwrap();
    iam.create_group().group_name("g").send().await.unwrap();
    iam.attach_group_policy()
        .group_name("g")
        .policy_arn(&policy_arn)
        .send()
        .await
        .unwrap();
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
    iam.put_user_policy()
        .user_name("alice")
        .policy_name("own")
        .policy_document(allow("s3:GetObject", "*"))
        .send()
        .await
        .unwrap();
    iam.attach_user_policy()
        .user_name("alice")
        .policy_arn("arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        .send()
        .await
        .unwrap();
    iam.create_group().group_name("devs").send().await.unwrap();
    iam.add_user_to_group()
        .group_name("devs")
        .user_name("alice")
        .send()
        .await
        .unwrap();
    let deny = doc(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}),
    );
    iam.put_group_policy()
        .group_name("devs")
        .policy_name("no-delete")
        .policy_document(deny)
        .send()
        .await
        .unwrap();
    let sqs = iam
        .create_policy()
        .policy_name("sqs-all")
        .policy_document(allow("sqs:*", "*"))
        .send()
        .await
        .unwrap()
        .policy()
        .unwrap()
        .arn()
        .unwrap()
        .to_owned();
    iam.attach_group_policy()
        .group_name("devs")
        .policy_arn(&sqs)
        .send()
        .await
        .unwrap();
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
    let boundary = iam
        .create_policy()
        .policy_name("s3-only")
        .policy_document(allow("s3:*", "*"))
        .send()
        .await
        .unwrap()
        .policy()
        .unwrap()
        .arn()
        .unwrap()
        .to_owned();
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
    iam.put_user_policy()
        .user_name("carol")
        .policy_name("mine")
        .policy_document(&first)
        .send()
        .await
        .unwrap();
    iam.create_group().group_name("ops").send().await.unwrap();
    iam.add_user_to_group()
        .group_name("ops")
        .user_name("carol")
        .send()
        .await
        .unwrap();
    let tagged = doc(json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "ec2:*", "Resource": "*",
        "Condition": {"StringEquals": {"ec2:ResourceTag/team": "ops"}}}]}));
    iam.put_group_policy()
        .group_name("ops")
        .policy_name("team")
        .policy_document(&tagged)
        .send()
        .await
        .unwrap();
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
