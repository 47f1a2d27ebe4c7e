//! End-to-end tests: the official AWS SDK for Rust against a real Warden server on a
//! loopback port. One binary for all of them (one link step); every test starts its own
//! server, so they are independent of each other's order.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

/// The PackedPolicySize of an STS answer: AWS still returns it; the SDK marks it deprecated.
macro_rules! packed_policy_size {
    ($out:expr) => {{
        #[allow(
            deprecated,
            reason = "AWS still returns PackedPolicySize; the SDK marks it deprecated"
        )]
        let packed = $out.packed_policy_size();
        packed
    }};
}

mod access;
mod durability;
mod iam_credentials;
mod iam_entities;
mod iam_extra;
mod iam_mfa;
mod iam_policies;
mod iam_providers;
mod iam_reports;
mod identity_pools;
mod oidc;
mod protocol;
mod saml;
mod security;
mod simulator;
mod sts;
mod usage;
mod user_pools;

use aws_sdk_iam::error::ProvideErrorMetadata;

/// The AWS error code and message of a call that must fail.
pub fn err<T: std::fmt::Debug, E: ProvideErrorMetadata + std::fmt::Debug>(
    r: Result<T, E>,
) -> (String, String) {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => match e.code() {
            Some(c) => (c.to_owned(), e.message().unwrap_or_default().to_owned()),
            None => panic!("expected an AWS error, got {e:?}"),
        },
    }
}

/// Asserts that a call failed with AWS's error `code` and `message`.
pub fn assert_error<T: std::fmt::Debug, E: ProvideErrorMetadata + std::fmt::Debug>(
    r: Result<T, E>,
    code: &str,
    message: &str,
) {
    let (c, m) = err(r);
    assert_eq!((c.as_str(), m.as_str()), (code, message));
}

/// The AWS error code of a call that must fail.
pub fn code<T: std::fmt::Debug, E: ProvideErrorMetadata + std::fmt::Debug>(r: Result<T, E>) -> String {
    err(r).0
}

pub fn doc(v: serde_json::Value) -> String {
    v.to_string()
}

/// A policy document as IAM returns it (URL-encoded JSON), parsed.
pub fn decode(s: &str) -> serde_json::Value {
    let text = percent_encoding::percent_decode_str(s).decode_utf8().unwrap();
    serde_json::from_str(&text).unwrap()
}

/// An allow-all-of-`action` identity policy.
pub fn allow(action: &str, resource: &str) -> String {
    doc(
        serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}),
    )
}

/// Creates a managed policy with `iam`'s identity, returning its ARN.
pub async fn create_policy(iam: &aws_sdk_iam::Client, name: &str, document: impl Into<String>) -> String {
    let out = iam
        .create_policy()
        .policy_name(name)
        .policy_document(document)
        .send()
        .await
        .unwrap();
    out.policy().unwrap().arn().unwrap().to_owned()
}

/// Creates a role with `iam`'s identity, trusting what `trust` allows; returns its ARN.
pub async fn create_role(iam: &aws_sdk_iam::Client, name: &str, trust: impl Into<String>) -> String {
    let out = iam
        .create_role()
        .role_name(name)
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap();
    out.role().unwrap().arn().to_owned()
}
