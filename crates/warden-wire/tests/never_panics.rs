//! Property tests: the decoders never panic, whatever the client sends. (The fuzz targets in fuzz/ do the
//! same with coverage guidance on nightly; this is the one CI runs.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use warden_wire::{
    RestRequest, cognito_idp, cognito_sync, decode_json, decode_query, decode_rest_json, iam, sts, validate,
};

/// Keys built from IAM's vocabulary, so that the decoder gets past the first unknown name.
fn key() -> impl Strategy<Value = String> {
    let seg = prop_oneof![
        Just("Tags".to_owned()),
        Just("member".to_owned()),
        Just("entry".to_owned()),
        Just("key".to_owned()),
        Just("value".to_owned()),
        Just("Key".to_owned()),
        Just("Value".to_owned()),
        Just("UserName".to_owned()),
        Just("PolicyArns".to_owned()),
        Just("ContextEntries".to_owned()),
        Just("ContextKeyValues".to_owned()),
        Just("arn".to_owned()),
        "[0-9]{1,4}",
        "[A-Za-z.]{0,6}",
    ];
    prop::collection::vec(seg, 1..6).prop_map(|s| s.join("."))
}

fn form_body() -> impl Strategy<Value = Vec<(String, String)>> {
    let action = prop_oneof![
        Just("CreateUser"),
        Just("TagUser"),
        Just("SimulatePrincipalPolicy"),
        Just("ListUsers"),
        Just("AssumeRole"),
        Just("Nope"),
    ];
    (action, prop::collection::vec((key(), ".{0,12}"), 0..12)).prop_map(|(a, mut kv)| {
        kv.insert(0, ("Action".to_owned(), a.to_owned()));
        kv
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn decode_query_never_panics_on_arbitrary_pairs(pairs in prop::collection::vec((".{0,20}", ".{0,20}"), 0..16)) {
        let _ = decode_query(iam(), &pairs);
        let _ = decode_query(sts(), &pairs);
    }

    #[test]
    fn decode_query_never_panics_on_shaped_pairs(pairs in form_body()) {
        for model in [iam(), sts()] {
            if let Ok(req) = decode_query(model, &pairs) {
                let _ = validate(model, &req.action, &req.input);
            }
        }
    }

    #[test]
    fn decode_query_never_panics_on_arbitrary_bodies(body in ".{0,200}") {
        let pairs: Vec<(String, String)> = body
            .split('&')
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                let dec = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
                (dec(k), dec(v))
            })
            .collect();
        let _ = decode_query(iam(), &pairs);
    }

    #[test]
    fn decode_json_never_panics(body in prop::collection::vec(any::<u8>(), 0..200), op in "[A-Za-z]{0,20}") {
        let target = format!("AWSCognitoIdentityProviderService.{op}");
        let _ = decode_json(cognito_idp(), &target, &body);
        if let Ok((op, input)) = decode_json(cognito_idp(), "AWSCognitoIdentityProviderService.AdminCreateUser", &body) {
            let _ = validate(cognito_idp(), &op, &input);
        }
    }

    #[test]
    fn decode_json_never_panics_on_json(v in json_value()) {
        let body = v.to_string();
        for op in ["AdminCreateUser", "InitiateAuth", "CreateUserPool", "AdminUpdateUserAttributes"] {
            let target = format!("AWSCognitoIdentityProviderService.{op}");
            if let Ok((op, input)) = decode_json(cognito_idp(), &target, body.as_bytes()) {
                let _ = validate(cognito_idp(), &op, &input);
            }
        }
    }

    #[test]
    fn decode_rest_json_never_panics(path in "(/[a-zA-Z%0-9:]{0,12}){0,8}", method in "GET|POST|DELETE", body in ".{0,64}") {
        let req = RestRequest { method: &method, path: &path, query: &[], headers: &[], body: body.as_bytes() };
        let _ = decode_rest_json(cognito_sync(), &req);
    }
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        ".{0,10}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        let names = prop_oneof![
            Just("UserPoolId".to_owned()),
            Just("Username".to_owned()),
            Just("UserAttributes".to_owned()),
            Just("Name".to_owned()),
            Just("Value".to_owned()),
            Just("AuthParameters".to_owned()),
            Just("Policies".to_owned()),
            Just("PoolName".to_owned()),
            "[a-zA-Z]{1,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map(names, inner, 0..5)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}
