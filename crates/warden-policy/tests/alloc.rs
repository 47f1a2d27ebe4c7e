//! The hot path allocates nothing: `authorize` over policies without policy
//! variables, checked with a counting global allocator (this test binary only).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::alloc::System;

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use warden_policy::{Context, Decision, Policy, PolicyKind, PolicySet, Principal, Request, authorize};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const IDENTITY: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"],
   "Condition": {"StringEquals": {"aws:PrincipalTag/team": ["blue", "red"]}, "Bool": {"aws:SecureTransport": "true"},
                 "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}, "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
                 "NumericLessThanEquals": {"s3:max-keys": "100"}, "ForAllValues:StringLike": {"aws:TagKeys": "team*"}}},
  {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
  {"Effect": "Deny", "Action": "s3:DeleteBucket", "NotResource": "arn:aws:s3:::scratch*"}
]}"#;

const BUCKET: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": {"AWS": ["111122223333", "arn:aws:iam::111122223333:role/R"]}, "Action": "s3:GetObject",
   "Resource": "arn:aws:s3:::data/*", "Condition": {"StringLike": {"aws:UserAgent": "*"}}}
]}"#;

#[test]
fn authorize_does_not_allocate() {
    let identity = Policy::parse(IDENTITY, PolicyKind::Identity).unwrap();
    let boundary = Policy::parse(IDENTITY, PolicyKind::PermissionsBoundary).unwrap();
    let bucket = Policy::parse(BUCKET, PolicyKind::Resource).unwrap();
    let principal = Principal::assumed_role(
        "arn:aws:sts::111122223333:assumed-role/R/s",
        "arn:aws:iam::111122223333:role/R",
    );
    let mut context = Context::new();
    context
        .insert("aws:PrincipalTag/team", "red")
        .insert("aws:SecureTransport", true)
        .insert("aws:SourceIp", "10.1.2.3".parse::<std::net::IpAddr>().unwrap())
        .insert("s3:max-keys", 50_i64)
        .insert("aws:TagKeys", vec!["team-a".to_owned()])
        .insert("aws:UserAgent", "aws-cli")
        .set_now(time::macros::datetime!(2024-01-01 00:00 UTC));
    let set = PolicySet {
        identity: vec![("id", &identity)],
        resource: Some(("bucket", &bucket)),
        permissions_boundary: Some(("boundary", &boundary)),
        session: Vec::new(),
        scps: None,
    };
    let request = Request {
        principal: &principal,
        action: "s3:GetObject",
        resource: "arn:aws:s3:::data/report.csv",
        context: &context,
        resource_account: None,
    };
    let denied = Request {
        action: "s3:DeleteBucket",
        resource: "arn:aws:s3:::data",
        ..request
    };
    // Warm up anything lazily initialised.
    assert_eq!(authorize(&request, &set).decision, Decision::Allowed);

    let region = Region::new(GLOBAL);
    let allowed = authorize(&request, &set);
    let explicit = authorize(&denied, &set);
    let stats = region.change();
    assert_eq!(allowed.decision, Decision::Allowed);
    assert_eq!(explicit.decision, Decision::ExplicitDeny);
    assert_eq!(stats.allocations, 0, "{stats:?}");
    assert_eq!(stats.reallocations, 0, "{stats:?}");

    // The counter does see allocations: the explaining evaluator allocates its report.
    let region = Region::new(GLOBAL);
    let evaluation = warden_policy::evaluate(&request, &set);
    assert!(region.change().allocations > 0);
    assert_eq!(evaluation.decision, Decision::Allowed);
}
