//! `cargo bench -p warden-policy`: one request against a principal with 10
//! policies / 50 statements with conditions, and compiling a ~6 KB policy.
//! The inputs are in `fixtures/mod.rs` (shared with `examples/profile.rs`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod fixtures;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use warden_policy::{Policy, PolicyKind, PolicySet, Request, authorize, evaluate};

fn benches(c: &mut Criterion) {
    let policies = fixtures::policies();
    let ids = fixtures::ids();
    let set = PolicySet {
        identity: ids.iter().map(String::as_str).zip(policies.iter()).collect(),
        ..PolicySet::default()
    };
    assert_eq!(policies.iter().map(Policy::statement_count).sum::<usize>(), 50);
    let principal = fixtures::principal();
    let context = fixtures::context();
    let request = Request {
        principal: &principal,
        action: fixtures::ACTION,
        resource: fixtures::RESOURCE,
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

    // Not the target's case but its bound: no statement is skipped before its 4 conditions.
    let worst = fixtures::worst_case_policies();
    let worst_set = PolicySet {
        identity: ids.iter().map(String::as_str).zip(worst.iter()).collect(),
        ..PolicySet::default()
    };
    c.bench_function(
        "authorize 10 policies / 50 statements, all evaluating their conditions",
        |b| b.iter(|| authorize(black_box(&request), black_box(&worst_set))),
    );

    let big = fixtures::big_policy();
    let size = big.chars().filter(|c| !c.is_whitespace()).count();
    assert!((5_000..=6_144).contains(&size), "{size}");
    c.bench_function(&format!("parse + compile a {size}-character policy"), |b| {
        b.iter(|| Policy::parse(black_box(&big), PolicyKind::Identity).unwrap())
    });
}

criterion_group!(evaluate_benches, benches);
criterion_main!(evaluate_benches);
