//! Table tests over the five vendored models: every operation decodes a minimal valid input (its required
//! members, recursively) and encodes a minimal output; every pattern compiles.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use serde_json::{Map, Value, json};
use warden_wire::{
    Location, Protocol, RestRequest, ServiceModel, ShapeKind, cognito_identity, cognito_idp, cognito_sync,
    decode_json, decode_query, decode_rest_json, encode_json, encode_query_response, encode_rest_json, iam,
    pattern_is_supported, sts, validate, validate_shape,
};

fn all() -> [(&'static str, &'static ServiceModel); 5] {
    [
        ("iam", iam()),
        ("sts", sts()),
        ("cognito-idp", cognito_idp()),
        ("cognito-identity", cognito_identity()),
        ("cognito-sync", cognito_sync()),
    ]
}

/// Strings tried, in order, for a required string member until one satisfies its length and pattern.
const CANDIDATES: &[&str] = &[
    "a",
    "abc",
    "/",
    "arn:aws:iam::123456789012:role/example",
    "123456789012",
    "us-east-1_abcdefghi",
    "us-east-1:00000000-0000-4000-8000-000000000000",
    "AKIAIOSFODNN7EXAMPLE",
    "https://example.com",
    "user@example.com",
    "authenticated",
    "terms-of-use",
    "import-abc",
    "p-abcdefgh",
    "o-abcdefghij",
    "v1",
    "{####}",
    "{##a##}",
    "arn:aws:sns:us-east-1:123456789012:app/APNS/example",
    "o-abcdefghij/r-abcd",
    "0123456789abcdef0123456789abcdef",
    "123456",
    "us-east-1_0123abcd",
    "us-east-1:0123abcd",
    "a@b",
    "/a/",
    "00000000-0000-4000-8000-000000000000",
];

fn minimal(model: &ServiceModel, shape: &str, depth: usize) -> Value {
    let s = model.shape(shape).unwrap();
    let min = s.min.unwrap_or(0.0) as usize;
    match &s.kind {
        ShapeKind::Structure {
            members,
            required,
            union,
            ..
        } => {
            let mut out = Map::new();
            for m in members.iter().filter(|m| required.contains(&m.name)) {
                out.insert(m.name.clone(), minimal(model, &m.shape, depth + 1));
            }
            // awsQuery cannot send an empty structure: give nested ones (and unions) one member.
            if (*union || depth > 0)
                && out.is_empty()
                && depth < 8
                && let Some(m) = members.first()
            {
                out.insert(m.name.clone(), minimal(model, &m.shape, depth + 1));
            }
            Value::Object(out)
        }
        ShapeKind::List { member } => Value::Array(
            (0..min.max(1))
                .map(|_| minimal(model, &member.shape, depth + 1))
                .collect(),
        ),
        ShapeKind::Map { key, value } => {
            let mut out = Map::new();
            for i in 0..min.max(1) {
                let mut k = minimal(model, &key.shape, depth + 1)
                    .as_str()
                    .unwrap_or("k")
                    .to_owned();
                if i > 0 {
                    k.push_str(&i.to_string());
                }
                out.insert(k, minimal(model, &value.shape, depth + 1));
            }
            Value::Object(out)
        }
        ShapeKind::String => {
            if let Some(e) = s.enum_values.first() {
                return json!(e);
            }
            let padded = CANDIDATES.iter().flat_map(|c| {
                let n = c.chars().count();
                let pad = if n < min {
                    "a".repeat(min - n)
                } else {
                    String::new()
                };
                [
                    format!("{c}{pad}"),
                    format!("{pad}{c}"),
                    c.repeat(min.max(1).div_ceil(n.max(1))),
                ]
            });
            padded
                .map(Value::String)
                .find(|v| validate_shape(model, shape, v).is_ok())
                .unwrap_or_else(|| panic!("no candidate satisfies {shape}: {:?} {:?}", s.pattern, s.min))
        }
        ShapeKind::Integer | ShapeKind::Long | ShapeKind::Short | ShapeKind::Byte => {
            json!((s.min.unwrap_or(1.0).max(1.0).min(s.max.unwrap_or(f64::MAX))) as i64)
        }
        ShapeKind::Double | ShapeKind::Float => json!(s.min.unwrap_or(1.0).max(1.0)),
        ShapeKind::Boolean => json!(true),
        ShapeKind::Timestamp => json!("2015-05-21T17:40:35Z"),
        ShapeKind::Blob => json!("YWJj"),
        ShapeKind::Document => json!({"a": 1}),
    }
}

/// A test-side awsQuery serializer, following botocore's `QuerySerializer`.
fn query_pairs(model: &ServiceModel, shape: &str, v: &Value, prefix: &str, out: &mut Vec<(String, String)>) {
    let s = model.shape(shape).unwrap();
    let key = |name: &str| {
        if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}.{name}")
        }
    };
    match (&s.kind, v) {
        (ShapeKind::Structure { members, .. }, Value::Object(o)) => {
            for m in members {
                if let Some(mv) = o.get(&m.name) {
                    query_pairs(model, &m.shape, mv, &key(m.wire_name()), out);
                }
            }
        }
        (ShapeKind::List { member }, Value::Array(items)) => {
            if items.is_empty() {
                out.push((prefix.to_owned(), String::new()));
            }
            let name = member.location_name.as_deref().unwrap_or("member");
            for (i, item) in items.iter().enumerate() {
                query_pairs(
                    model,
                    &member.shape,
                    item,
                    &format!("{prefix}.{name}.{}", i + 1),
                    out,
                );
            }
        }
        (ShapeKind::Map { key: k, value }, Value::Object(o)) => {
            for (i, (mk, mv)) in o.iter().enumerate() {
                let kn = k.location_name.as_deref().unwrap_or("key");
                let vn = value.location_name.as_deref().unwrap_or("value");
                out.push((format!("{prefix}.entry.{}.{kn}", i + 1), mk.clone()));
                query_pairs(
                    model,
                    &value.shape,
                    mv,
                    &format!("{prefix}.entry.{}.{vn}", i + 1),
                    out,
                );
            }
        }
        (_, Value::String(t)) => out.push((prefix.to_owned(), t.clone())),
        (_, other) => out.push((prefix.to_owned(), other.to_string())),
    }
}

fn rest_request(
    model: &ServiceModel,
    op: &str,
    input: &Value,
) -> (String, String, Vec<(String, String)>, Vec<u8>) {
    let operation = model.operation(op).unwrap();
    let mut path = operation.request_uri.split('?').next().unwrap().to_owned();
    let mut query = Vec::new();
    let mut body = Map::new();
    if let Some(ShapeKind::Structure { members, .. }) =
        operation.input.as_deref().map(|s| &model.shape(s).unwrap().kind)
    {
        for m in members {
            let Some(v) = input.get(&m.name) else { continue };
            let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            match m.location {
                Location::Uri => {
                    let enc =
                        percent_encoding::utf8_percent_encode(&text, percent_encoding::NON_ALPHANUMERIC);
                    path = path.replace(&format!("{{{}}}", m.wire_name()), &enc.to_string());
                }
                Location::QueryString => query.push((m.wire_name().to_owned(), text)),
                _ => {
                    body.insert(m.wire_name().to_owned(), v.clone());
                }
            }
        }
    }
    (
        operation.http_method.clone(),
        path,
        query,
        serde_json::to_vec(&Value::Object(body)).unwrap(),
    )
}

#[test]
fn every_operation_decodes_a_minimal_valid_input() {
    let mut count = 0;
    let mut failures = Vec::new();
    for (service, model) in all() {
        for op in model.operations() {
            let input = op.input.as_deref().map_or(json!({}), |s| minimal(model, s, 0));
            if let Err(e) = validate(model, &op.name, &input) {
                failures.push(format!("{service} {}: minimal input invalid: {e}", op.name));
                continue;
            }
            let decoded = match model.metadata.protocol {
                Protocol::Query => {
                    let mut pairs = vec![
                        ("Action".to_owned(), op.name.clone()),
                        ("Version".to_owned(), model.metadata.api_version.clone()),
                    ];
                    if let Some(s) = op.input.as_deref() {
                        query_pairs(model, s, &input, "", &mut pairs);
                    }
                    decode_query(model, &pairs).map(|r| (r.action, r.input))
                }
                Protocol::Json => {
                    let target = format!("{}.{}", model.metadata.target_prefix.as_deref().unwrap(), op.name);
                    decode_json(model, &target, &serde_json::to_vec(&input).unwrap())
                }
                Protocol::RestJson => {
                    let (method, path, query, body) = rest_request(model, &op.name, &input);
                    let req = RestRequest {
                        method: &method,
                        path: &path,
                        query: &query,
                        headers: &[],
                        body: &body,
                    };
                    decode_rest_json(model, &req)
                }
                Protocol::Other(_) => unreachable!(),
            };
            match decoded {
                Ok((name, v)) if name == op.name && v == input => count += 1,
                Ok((name, v)) => {
                    failures.push(format!("{service} {}: decoded {name} {v}, want {input}", op.name))
                }
                Err(e) => failures.push(format!("{service} {}: {}: {e}", op.name, e.code())),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(count, 176 + 11 + 129 + 23 + 17);
}

#[test]
fn every_operation_encodes_a_minimal_output() {
    for (service, model) in all() {
        for op in model.operations() {
            let output = op.output.as_deref().map_or(json!({}), |s| minimal(model, s, 0));
            match model.metadata.protocol {
                Protocol::Query => {
                    let xml = encode_query_response(model, &op.name, &output, "req").unwrap();
                    let doc = common::xml::parse_xml(&xml);
                    assert_eq!(doc.children[0].name, format!("{}Response", op.name), "{service}");
                }
                Protocol::Json => {
                    let body = encode_json(model, &op.name, &output).unwrap();
                    serde_json::from_slice::<Value>(&body).unwrap();
                }
                _ => {
                    let resp = encode_rest_json(model, &op.name, &output).unwrap();
                    assert_eq!(resp.status, 200, "{service} {}", op.name);
                }
            }
        }
    }
}

#[test]
fn every_pattern_of_the_models_compiles() {
    let mut bad = Vec::new();
    let mut n = 0;
    for (service, model) in all() {
        for s in model.shapes() {
            if let Some(p) = &s.pattern {
                n += 1;
                if !pattern_is_supported(p) {
                    bad.push(format!("{service} {}: {p}", s.name));
                }
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(n > 100, "{n} patterns");
}

#[test]
fn error_info_uses_the_wire_code() {
    let e = iam().error_info("NoSuchEntity").unwrap();
    assert_eq!(
        (e.code.as_str(), e.http_status, e.sender_fault),
        ("NoSuchEntity", 404, true)
    );
    assert_eq!(
        iam().error_info("NoSuchEntityException").unwrap().code,
        "NoSuchEntity"
    );
    assert_eq!(iam().error_info("EntityAlreadyExists").unwrap().http_status, 409);
    assert_eq!(
        iam()
            .error_info("ServiceFailure")
            .map(|e| (e.http_status, e.sender_fault)),
        Some((500, false))
    );
    assert_eq!(
        sts().error_info("ExpiredTokenException").unwrap().http_status,
        400
    );
    assert_eq!(sts().error_info("IDPRejectedClaim").unwrap().http_status, 403);
    let c = cognito_idp().error_info("UserNotFoundException").unwrap();
    assert_eq!((c.http_status, c.sender_fault), (400, true));
    assert_eq!(cognito_idp().error_status("InternalErrorException", true), 500);
    assert_eq!(
        cognito_sync()
            .error_info("ResourceNotFoundException")
            .unwrap()
            .http_status,
        404
    );
    assert_eq!(iam().error_status("Throttling", true), 400);
    assert_eq!(iam().error_status("InternalFailure", false), 500);
    assert_eq!(iam().validation_error_code(), "ValidationError");
    assert_eq!(cognito_idp().validation_error_code(), "InvalidParameterException");
}

#[test]
fn models_carry_their_protocol_facts() {
    assert_eq!(
        iam().metadata.xml_namespace.as_deref(),
        Some("https://iam.amazonaws.com/doc/2010-05-08/")
    );
    assert_eq!(
        sts().metadata.xml_namespace.as_deref(),
        Some("https://sts.amazonaws.com/doc/2011-06-15/")
    );
    assert_eq!(
        cognito_idp().metadata.target_prefix.as_deref(),
        Some("AWSCognitoIdentityProviderService")
    );
    assert_eq!(
        cognito_identity().metadata.target_prefix.as_deref(),
        Some("AWSCognitoIdentityService")
    );
    assert_eq!(cognito_sync().metadata.protocol, Protocol::RestJson);
    let op = iam().operation("CreateUser").unwrap();
    assert_eq!(op.result_wrapper.as_deref(), Some("CreateUserResult"));
    assert_eq!(op.input.as_deref(), Some("CreateUserRequest"));
    assert!(op.errors.iter().any(|e| e == "EntityAlreadyExistsException"));
    assert_eq!(iam().operations().count(), 176);
}
