//! Explanations: matched statements with AWS's positions, missing context keys,
//! the context keys a policy references, and the AccessDenied reasons.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use warden_policy::{
    Context, Decision, DenyReason, Effect, Layer, LayerOutcome, Policy, PolicyKind, PolicySet, Position,
    Principal, Request, evaluate,
};

fn request<'a>(p: &'a Principal, action: &'a str, resource: &'a str, ctx: &'a Context) -> Request<'a> {
    Request {
        principal: p,
        action,
        resource,
        context: ctx,
        resource_account: None,
    }
}

/// SimulatePrincipalPolicy recorded against AWS (tests/data/aws-recorded/iam-extract.json):
/// the document is Python's `json.dumps` of the test's dict.
#[test]
fn positions_match_the_recorded_simulator() {
    let extract: serde_json::Value =
        serde_json::from_str(include_str!("data/aws-recorded/iam-extract.json")).unwrap();
    let recorded = &extract["tests/aws/services/iam/test_iam.py::TestIAMIntegrations::test_simulate_principle_policy[user]"]
        ["recorded-content"]["response"]["EvaluationResults"][0]["MatchedStatements"][0];
    let doc = r#"{"Version": "2012-10-17", "Statement": {"Sid": "", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}}"#;
    let policy = Policy::parse(doc, PolicyKind::Identity).unwrap();
    let p = Principal::user("arn:aws:iam::111111111111:user/u");
    let ctx = Context::new();
    let set = PolicySet {
        identity: vec![("arn:aws:iam::111111111111:policy/p", &policy)],
        ..PolicySet::default()
    };
    let e = evaluate(&request(&p, "s3:PutObject", "arn:aws:s3:::bucket", &ctx), &set);
    assert_eq!(e.decision.as_simulator_str(), "allowed");
    let m = &e.matched[0];
    let pos = |v: &serde_json::Value| Position {
        line: v["Line"].as_u64().unwrap() as usize,
        column: v["Column"].as_u64().unwrap() as usize,
    };
    assert_eq!(m.start, pos(&recorded["StartPosition"]));
    assert_eq!(m.end, pos(&recorded["EndPosition"]));
    assert_eq!(m.sid.as_deref(), Some(""));
    let denied = evaluate(
        &request(&p, "s3:GetObjectVersion", "arn:aws:s3:::bucket", &ctx),
        &set,
    );
    assert_eq!(denied.decision.as_simulator_str(), "implicitDeny");
    assert!(denied.matched.is_empty());
}

#[test]
fn positions_in_a_pretty_document() {
    let doc = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Sid\": \"A\",\n      \"Effect\": \"Allow\",\n      \"Action\": \"s3:*\",\n      \"Resource\": \"*\"\n    },\n    {\"Sid\": \"B\", \"Effect\": \"Deny\", \"Action\": \"s3:Delete*\", \"Resource\": \"*\"}\n  ]\n}";
    let policy = Policy::parse(doc, PolicyKind::Identity).unwrap();
    let p = Principal::user("arn:aws:iam::111111111111:user/u");
    let ctx = Context::new();
    let set = PolicySet {
        identity: vec![("PolicyInputList.1", &policy)],
        ..PolicySet::default()
    };
    let e = evaluate(&request(&p, "s3:GetObject", "*", &ctx), &set);
    assert_eq!(e.matched.len(), 1);
    assert_eq!(
        (e.matched[0].start, e.matched[0].end),
        (Position { line: 4, column: 6 }, Position { line: 9, column: 6 })
    );
    let e = evaluate(&request(&p, "s3:DeleteObject", "*", &ctx), &set);
    assert_eq!(e.decision, Decision::ExplicitDeny);
    let m = &e.matched[0];
    assert_eq!(
        (m.statement_index, m.sid.as_deref(), m.effect, m.layer),
        (1, Some("B"), Effect::Deny, Layer::Identity)
    );
    assert_eq!(
        (m.start, m.end),
        (
            Position { line: 10, column: 6 },
            Position { line: 10, column: 76 }
        )
    );
    assert_eq!(m.policy_id, "PolicyInputList.1");
}

#[test]
fn context_keys_as_written() {
    let doc = r#"{"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/${aws:username}/*",
       "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01"}, "IpAddress": {"AWS:SourceIp": "10.0.0.0/8"}}},
      {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
       "Condition": {"StringNotEquals": {"aws:currenttime": "x", "s3:prefix": "${aws:PrincipalTag/Team}"}}}]}"#;
    let policy = Policy::parse(doc, PolicyKind::Identity).unwrap();
    assert_eq!(
        policy.context_keys(),
        [
            "aws:username",
            "aws:CurrentTime",
            "AWS:SourceIp",
            "s3:prefix",
            "aws:principaltag/team"
        ]
    );
}

#[test]
fn layer_outcomes_and_reasons() {
    let allow = Policy::parse(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
        PolicyKind::Identity,
    )
    .unwrap();
    let boundary = Policy::parse(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#,
        PolicyKind::PermissionsBoundary,
    )
    .unwrap();
    let p = Principal::user("arn:aws:iam::111111111111:user/u");
    let ctx = Context::new();
    let set = PolicySet {
        identity: vec![("id", &allow)],
        permissions_boundary: Some(("pb", &boundary)),
        ..PolicySet::default()
    };
    let e = evaluate(&request(&p, "iam:CreateUser", "*", &ctx), &set);
    assert_eq!(e.reason, Some(DenyReason::NoPermissionsBoundaryAllow));
    assert_eq!(e.layers.identity, LayerOutcome::Allow);
    assert_eq!(e.layers.permissions_boundary, LayerOutcome::NoMatch);
    assert_eq!(e.layers.resource, LayerOutcome::Absent);
    assert_eq!(
        e.reason.unwrap().describe("iam:CreateUser"),
        "because no permissions boundary allows the iam:CreateUser action"
    );
    assert_eq!(
        DenyReason::ExplicitDeny(Layer::Identity).describe("x"),
        "with an explicit deny in an identity-based policy"
    );
}

#[test]
fn policies_are_shareable() {
    fn assert_send_sync_clone<T: Send + Sync + Clone>() {}
    assert_send_sync_clone::<Policy>();
    assert_send_sync_clone::<Context>();
    assert_send_sync_clone::<Principal>();
}
