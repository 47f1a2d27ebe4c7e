//! Runs the benchmark's workloads a fixed number of times, for instruction counts:
//! `valgrind --tool=callgrind target/release/examples/profile eval 10000` (or `worst`,
//! `explain`, `parse 1000`); subtract a run of 1 to leave out the setup.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../benches/fixtures/mod.rs"]
mod fixtures;

use std::hint::black_box;

use warden_policy::{Policy, PolicyKind, PolicySet, Request, authorize, evaluate};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map_or("eval", String::as_str);
    let n: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let policies = fixtures::policies();
    let ids = fixtures::ids();
    let set = PolicySet {
        identity: ids.iter().map(String::as_str).zip(policies.iter()).collect(),
        ..PolicySet::default()
    };
    let principal = fixtures::principal();
    let context = fixtures::context();
    let request = Request {
        principal: &principal,
        action: fixtures::ACTION,
        resource: fixtures::RESOURCE,
        context: &context,
        resource_account: None,
    };
    let worst = fixtures::worst_case_policies();
    let worst_set = PolicySet {
        identity: ids.iter().map(String::as_str).zip(worst.iter()).collect(),
        ..PolicySet::default()
    };
    let big = fixtures::big_policy();
    match what {
        "eval" => {
            for _ in 0..n {
                black_box(authorize(black_box(&request), black_box(&set)));
            }
        }
        "worst" => {
            for _ in 0..n {
                black_box(authorize(black_box(&request), black_box(&worst_set)));
            }
        }
        "explain" => {
            for _ in 0..n {
                black_box(evaluate(black_box(&request), black_box(&set)));
            }
        }
        "parse" => {
            for _ in 0..n {
                black_box(Policy::parse(black_box(&big), PolicyKind::Identity).unwrap());
            }
        }
        other => panic!("unknown workload {other}"),
    }
}
