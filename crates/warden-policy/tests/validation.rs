//! Every validation case recorded from AWS (moto's suite): invalid documents
//! must be refused with AWS's exact message, valid ones accepted.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;
use warden_policy::{Policy, PolicyKind};

fn cases() -> Value {
    serde_json::from_str(include_str!("data/policy-validation/cases.json")).unwrap()
}

/// The document as the AWS SDK would send it: a JSON text, or the string as-is.
fn text(doc: &Value) -> String {
    match doc {
        Value::String(s) => s.clone(),
        other => serde_json::to_string_pretty(other).unwrap(),
    }
}

#[test]
fn invalid_documents_are_refused_with_awss_message() {
    let cases = cases();
    let mut failures = Vec::new();
    let list = cases["invalid_policy_document_test_cases"].as_array().unwrap();
    assert_eq!(list.len(), 78);
    for (i, case) in list.iter().enumerate() {
        let expected = case["error_message"].as_str().unwrap();
        match Policy::parse(&text(&case["document"]), PolicyKind::Identity) {
            Ok(_) => failures.push(format!("invalid case {i}: accepted; expected {expected:?}")),
            Err(e) if e.message() != expected => {
                failures.push(format!(
                    "invalid case {i}: got {:?} at {:?}; expected {expected:?}",
                    e.message(),
                    e.location()
                ));
            }
            Err(e) => assert_eq!(e.aws_code(), "MalformedPolicyDocument"),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn valid_documents_are_accepted() {
    let cases = cases();
    let mut failures = Vec::new();
    let list = cases["valid_policy_documents"].as_array().unwrap();
    assert_eq!(list.len(), 54);
    for (i, doc) in list.iter().enumerate() {
        for compact in [false, true] {
            let t = if compact {
                serde_json::to_string(doc).unwrap()
            } else {
                text(doc)
            };
            if let Err(e) = Policy::parse(&t, PolicyKind::Identity) {
                failures.push(format!(
                    "valid case {i}: refused with {:?} at {:?}",
                    e.message(),
                    e.location()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn iam_rs_documents_parse() {
    let mut n = 0;
    for entry in std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/policy-parse/policies"
    ))
    .unwrap()
    {
        let path = entry.unwrap().path();
        let t = std::fs::read_to_string(&path).unwrap();
        if let Err(e) = Policy::parse(&t, PolicyKind::Identity) {
            panic!("{}: {} at {:?}", path.display(), e, e.location());
        }
        n += 1;
    }
    assert_eq!(n, 64);
}

#[test]
fn kind_rules() {
    let with_principal = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#;
    let e = Policy::parse(with_principal, PolicyKind::Identity).unwrap_err();
    assert_eq!(e.message(), "Policy document should not specify a principal.");
    assert!(Policy::parse(with_principal, PolicyKind::Resource).is_ok());

    let trust = r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let p = Policy::parse(trust, PolicyKind::Trust).unwrap();
    assert_eq!(p.version(), warden_policy::PolicyVersion::V2008_10_17);
    let no_principal =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}"#;
    assert_eq!(
        Policy::parse(no_principal, PolicyKind::Trust)
            .unwrap_err()
            .message(),
        "Missing required field Principal"
    );
    let bad_principal = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"sts:AssumeRole"}]}"#;
    assert_eq!(
        Policy::parse(bad_principal, PolicyKind::Trust)
            .unwrap_err()
            .message(),
        "Invalid principal in policy: \"AWS\":\"bob\""
    );
    // Recorded from AWS (tests/data/aws-recorded/iam-extract.json).
    assert_eq!(
        Policy::parse("{not json", PolicyKind::Trust)
            .unwrap_err()
            .message(),
        "This policy contains invalid Json"
    );
    let e = Policy::parse("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\" \"Action\": \"s3:*\"}]}", PolicyKind::Identity).unwrap_err();
    assert_eq!(e.message(), "Syntax errors in policy.");
    assert_eq!(e.location(), Some("line 4, column 24"));
}

#[test]
fn iam_resource_types_newer_than_the_recorded_message() {
    // AWS lists `delegation-request` as an IAM resource type; the recorded error message predates it.
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetDelegationRequest","Resource":"arn:aws:iam::123456789012:delegation-request/*"}]}"#;
    assert!(Policy::parse(doc, PolicyKind::Identity).is_ok());
    // An unknown IAM resource type is still refused with the recorded message.
    let bad = doc.replace("delegation-request/", "delegation-requests/");
    let e = Policy::parse(&bad, PolicyKind::Identity).unwrap_err();
    assert!(
        e.message().starts_with("IAM resource path must either be"),
        "{}",
        e.message()
    );
}

#[test]
fn size_limits() {
    use warden_policy::check_size;
    let doc = format!("{{\"a\": \"{}\"}}", "x".repeat(2040));
    assert!(check_size(&doc, 2048).is_ok());
    let doc = format!("{{\"a\": \"{}\"}}", "x".repeat(2043));
    let e = check_size(&doc, 2048).unwrap_err();
    assert!(e.is_limit_exceeded());
    assert_eq!(e.aws_code(), "LimitExceeded");
    // Whitespace does not count.
    assert!(check_size(&format!("{}{}", " \n\t".repeat(5000), "x".repeat(6144)), 6144).is_ok());
}
