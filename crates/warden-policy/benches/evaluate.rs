//! `cargo bench -p warden-policy`: one request against a principal with 10
//! policies / 50 statements with conditions, and compiling a ~6 KB policy.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use warden_policy::{Context, Policy, PolicyKind, PolicySet, Principal, Request, authorize, evaluate};

const SERVICES: [&str; 5] = ["s3", "ec2", "dynamodb", "sqs", "lambda"];

/// Policy `p` of 5 statements, each with conditions; only the last policy allows the benchmarked request.
fn policy_text(p: usize) -> String {
    let statements: Vec<String> = (0..5)
        .map(|s| {
            let service = SERVICES[(p + s) % SERVICES.len()];
            let effect = if s == 4 && p.is_multiple_of(3) { "Deny" } else { "Allow" };
            format!(
                r#"{{"Sid": "P{p}S{s}", "Effect": "{effect}", "Action": ["{service}:Get*", "{service}:List*", "{service}:Describe{p}*"],
                  "Resource": ["arn:aws:{service}:*:111122223333:thing-{p}-{s}/*", "arn:aws:s3:::bucket-{p}-{s}/*"],
                  "Condition": {{"StringEquals": {{"aws:PrincipalTag/team": ["team-{p}", "team-x"]}},
                                 "Bool": {{"aws:SecureTransport": "true"}},
                                 "IpAddress": {{"aws:SourceIp": ["10.{p}.0.0/16", "192.168.0.0/16"]}},
                                 "DateLessThan": {{"aws:CurrentTime": "2030-01-01T00:00:00Z"}}}}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
        statements.join(",\n")
    )
}

fn big_policy() -> String {
    // About 6 KB of non-whitespace: the managed-policy quota.
    let statements: Vec<String> = (0..19)
        .map(|i| {
            format!(
                r#"{{"Sid": "Stmt{i}", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:List*"],
                  "Resource": ["arn:aws:s3:::bucket-{i}/${{aws:username}}/*"],
                  "Condition": {{"StringLike": {{"s3:prefix": ["home/${{aws:username}}/*"]}}, "IpAddress": {{"aws:SourceIp": "10.0.0.0/8"}},
                                 "DateGreaterThan": {{"aws:CurrentTime": "2020-01-01T00:00:00Z"}}}}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
        statements.join(",")
    )
}

fn benches(c: &mut Criterion) {
    let policies: Vec<Policy> = (0..10)
        .map(|p| Policy::parse(&policy_text(p), PolicyKind::Identity).unwrap())
        .collect();
    let ids: Vec<String> = (0..10).map(|i| format!("PolicyInputList.{i}")).collect();
    let set = PolicySet {
        identity: ids.iter().map(String::as_str).zip(policies.iter()).collect(),
        ..PolicySet::default()
    };
    let principal = Principal::user("arn:aws:iam::111122223333:user/alice");
    let mut context = Context::new();
    context
        .insert("aws:PrincipalTag/team", "team-x")
        .insert("aws:SecureTransport", true)
        .insert(
            "aws:SourceIp",
            "192.168.1.10".parse::<std::net::IpAddr>().unwrap(),
        )
        .insert("aws:username", "alice")
        .set_now(time::macros::datetime!(2024-06-01 12:00 UTC));
    let request = Request {
        principal: &principal,
        action: "s3:GetObject",
        resource: "arn:aws:s3:::bucket-9-1/data.csv",
        context: &context,
        resource_account: None,
    };
    assert!(warden_policy::is_allowed(&request, &set));

    c.bench_function("authorize 10 policies / 50 statements", |b| {
        b.iter(|| authorize(black_box(&request), black_box(&set)))
    });
    c.bench_function("evaluate (with explanation) 10 policies / 50 statements", |b| {
        b.iter(|| evaluate(black_box(&request), black_box(&set)))
    });

    let big = big_policy();
    let size = big.chars().filter(|c| !c.is_whitespace()).count();
    assert!((5_000..=6_144).contains(&size), "{size}");
    c.bench_function(&format!("parse + compile a {size}-character policy"), |b| {
        b.iter(|| Policy::parse(black_box(&big), PolicyKind::Identity).unwrap())
    });
}

criterion_group!(evaluate_benches, benches);
criterion_main!(evaluate_benches);
