//! Request decoding and validation: what is accepted, what is refused, and AWS's words for it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::json;
use warden_wire::{
    RestRequest, UnknownParameters, WireError, cognito_identity, cognito_idp, cognito_sync, decode_json,
    decode_query, decode_query_with, decode_rest_json, encode_rest_json, iam, match_route, sts, validate,
};

fn pairs(kv: &[(&str, &str)]) -> Vec<(String, String)> {
    kv.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn iam_err(kv: &[(&str, &str)]) -> WireError {
    decode_query(iam(), &pairs(kv)).unwrap_err()
}

fn message(model: &warden_wire::ServiceModel, op: &str, input: serde_json::Value) -> String {
    let e = validate(model, op, &input).unwrap_err();
    assert_eq!(e.http_status(), 400);
    e.message()
}

#[test]
fn query_decodes_lists_maps_and_nested_structures() {
    let req = decode_query(
        iam(),
        &pairs(&[
            ("Action", "SimulatePrincipalPolicy"),
            ("Version", "2010-05-08"),
            ("PolicySourceArn", "arn:aws:iam::123456789012:user/bob"),
            ("ActionNames.member.2", "s3:PutObject"),
            ("ActionNames.member.1", "s3:GetObject"),
            (
                "ContextEntries.member.1.ContextKeyName",
                "aws:MultiFactorAuthPresent",
            ),
            ("ContextEntries.member.1.ContextKeyType", "boolean"),
            ("ContextEntries.member.1.ContextKeyValues.member.1", "true"),
            ("MaxItems", "10"),
        ]),
    )
    .unwrap();
    assert_eq!(req.action, "SimulatePrincipalPolicy");
    assert_eq!(req.version.as_deref(), Some("2010-05-08"));
    assert_eq!(
        req.input,
        json!({
            "PolicySourceArn": "arn:aws:iam::123456789012:user/bob",
            "ActionNames": ["s3:GetObject", "s3:PutObject"],
            "ContextEntries": [{"ContextKeyName": "aws:MultiFactorAuthPresent", "ContextKeyType": "boolean",
                                "ContextKeyValues": ["true"]}],
            "MaxItems": 10,
        })
    );
    validate(iam(), &req.action, &req.input).unwrap();
    let tagged = decode_query(
        sts(),
        &pairs(&[
            ("Action", "AssumeRole"),
            ("RoleArn", "arn:aws:iam::123456789012:role/r"),
            ("RoleSessionName", "s"),
            ("DurationSeconds", "3600"),
            ("Tags.member.1.Key", "k"),
            ("Tags.member.1.Value", "v"),
            ("TransitiveTagKeys", ""),
        ]),
    )
    .unwrap();
    assert_eq!(tagged.version, None);
    assert_eq!(tagged.input["Tags"], json!([{"Key": "k", "Value": "v"}]));
    assert_eq!(tagged.input["TransitiveTagKeys"], json!([]));
    assert_eq!(tagged.input["DurationSeconds"], json!(3600));
}

#[test]
fn query_skips_presigned_authentication_parameters() {
    let req = decode_query(
        sts(),
        &pairs(&[
            ("Action", "GetCallerIdentity"),
            ("Version", "2011-06-15"),
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            (
                "X-Amz-Credential",
                "AKIDEXAMPLE/20150830/us-east-1/sts/aws4_request",
            ),
            ("X-Amz-Date", "20150830T123600Z"),
            ("X-Amz-Expires", "60"),
            ("X-Amz-SignedHeaders", "host"),
            ("X-Amz-Signature", "abc"),
        ]),
    )
    .unwrap();
    assert_eq!(req.input, json!({}));
}

#[test]
fn query_refuses_what_it_cannot_read() {
    let e = iam_err(&[("Version", "2010-05-08"), ("UserName", "bob")]);
    assert_eq!(
        (e.code(), e.http_status(), e.message().as_str()),
        ("MissingAction", 400, "Missing Action")
    );

    let e = iam_err(&[("Action", "CreateUsers"), ("Version", "2010-05-08")]);
    assert_eq!(e.code(), "InvalidAction");
    assert_eq!(
        e.message(),
        "Could not find operation CreateUsers for version 2010-05-08"
    );
    let e = iam_err(&[("Action", "CreateUser"), ("Version", "2011-06-15")]);
    assert_eq!(
        e.message(),
        "Could not find operation CreateUser for version 2011-06-15"
    );

    let e = iam_err(&[("Action", "CreateUser"), ("UserName", "bob"), ("Colour", "blue")]);
    assert_eq!(
        (e.code(), e.message().as_str()),
        ("UnknownParameter", "The parameter Colour is not recognized")
    );
    let e = iam_err(&[
        ("Action", "CreateUser"),
        ("UserName", "bob"),
        ("Tags.member.1.Colour", "blue"),
    ]);
    assert_eq!(
        e.message(),
        "The parameter Tags.member.1.Colour is not recognized"
    );
    let e = iam_err(&[("Action", "CreateUser"), ("UserName.x", "bob")]);
    assert_eq!(e.code(), "UnknownParameter");
    let e = iam_err(&[("Action", "GetAccountSummary"), ("Foo", "1")]);
    assert_eq!(e.code(), "UnknownParameter");
    let lenient = decode_query_with(
        iam(),
        &pairs(&[("Action", "CreateUser"), ("UserName", "b"), ("New", "x")]),
        UnknownParameters::Ignore,
    );
    assert_eq!(lenient.unwrap().input, json!({"UserName": "b"}));

    let e = iam_err(&[("Action", "ListUsers"), ("MaxItems", "abc")]);
    assert_eq!(e.code(), "InvalidParameterValue");
    assert_eq!(
        e.message(),
        "Invalid value 'abc' for parameter MaxItems: expected an integer"
    );
    let e = iam_err(&[("Action", "ListUsers"), ("MaxItems", "99999999999")]);
    assert_eq!(e.code(), "InvalidParameterValue");
    let e = iam_err(&[
        ("Action", "CreateAccessKey"),
        ("UserName", "b"),
        ("UserName", "c"),
    ]);
    assert_eq!(e.message(), "The parameter UserName is given more than once");
    let e = iam_err(&[("Action", "CreateUser"), ("Action", "DeleteUser")]);
    assert_eq!(e.code(), "InvalidParameterValue");

    for bad in ["0", "-1", "01", "x", "1001", "99999999999999999999999", ""] {
        let key = format!("Tags.member.{bad}.Key");
        let e = iam_err(&[("Action", "CreateUser"), ("UserName", "bob"), (&key, "k")]);
        assert_eq!(e.code(), "InvalidParameterValue", "{bad}");
    }
    let many: Vec<(String, String)> = [("Action".to_owned(), "TagUser".to_owned())]
        .into_iter()
        .chain((1..=1001).map(|i| (format!("Tags.member.{i}.Key"), "k".to_owned())))
        .collect();
    assert_eq!(
        decode_query(iam(), &many).unwrap_err().code(),
        "InvalidParameterValue"
    );
    let deep = format!("UserName{}", ".a".repeat(100));
    assert_eq!(
        iam_err(&[("Action", "CreateUser"), (&deep, "x")]).code(),
        "InvalidParameterValue"
    );
    let e = iam_err(&[("Action", "CreateUser"), ("Tags", "notalist")]);
    assert_eq!(e.code(), "InvalidParameterValue");
}

#[test]
fn validation_messages_are_aws_words() {
    assert_eq!(
        message(iam(), "CreateUser", json!({})),
        "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null"
    );
    assert_eq!(
        message(iam(), "CreateUser", json!({"UserName": "bob smith"})),
        "1 validation error detected: Value 'bob smith' at 'userName' failed to satisfy constraint: Member must \
         satisfy regular expression pattern: [\\w+=,.@-]+"
    );
    let long = "a".repeat(65);
    assert_eq!(
        message(iam(), "CreateUser", json!({"UserName": long})),
        format!(
            "1 validation error detected: Value '{long}' at 'userName' failed to satisfy constraint: Member must \
             have length less than or equal to 64"
        )
    );
    assert_eq!(
        message(iam(), "CreateUser", json!({"UserName": ""})),
        "2 validation errors detected: Value '' at 'userName' failed to satisfy constraint: Member must have \
         length greater than or equal to 1; Value '' at 'userName' failed to satisfy constraint: Member must \
         satisfy regular expression pattern: [\\w+=,.@-]+"
    );
    // Recorded from AWS (tests/data/aws-recorded/test_sts.snapshot.json, invalid-session-name).
    assert_eq!(
        message(
            sts(),
            "AssumeRole",
            json!({"RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "Session1:2"})
        ),
        "1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to satisfy constraint: Member \
         must satisfy regular expression pattern: [\\w+=,.@-]*"
    );
    assert_eq!(
        message(
            iam(),
            "TagUser",
            json!({"UserName": "bob", "Tags": [{"Key": "k"}]})
        ),
        "1 validation error detected: Value null at 'tags.1.member.value' failed to satisfy constraint: Member \
         must not be null"
    );
    assert_eq!(
        message(iam(), "ListUsers", json!({"MaxItems": 0})),
        "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have \
         value greater than or equal to 1"
    );
    assert_eq!(
        message(
            iam(),
            "UpdateAccessKey",
            json!({"AccessKeyId": "AKIAIOSFODNN7EXAMPLE", "Status": "On"})
        ),
        "1 validation error detected: Value 'On' at 'status' failed to satisfy constraint: Member must satisfy \
         enum value set: [Active, Inactive, Expired]"
    );
    assert_eq!(
        message(
            iam(),
            "CreateOpenIDConnectProvider",
            json!({"Url": "https://a", "ThumbprintList": ["abc"]})
        ),
        "1 validation error detected: Value '[abc]' at 'thumbprintList' failed to satisfy constraint: Member must \
         satisfy constraint: [Member must have length greater than or equal to 40]"
    );
    // Sensitive values are not echoed.
    let m = message(
        iam(),
        "CreateLoginProfile",
        json!({"UserName": "bob", "Password": ""}),
    );
    assert!(
        m.contains("Value at 'password' failed to satisfy constraint"),
        "{m}"
    );
    // Cognito reports the same words under its own code.
    let e = validate(
        cognito_idp(),
        "AdminGetUser",
        &json!({"UserPoolId": "bad pool", "Username": "bob"}),
    )
    .unwrap_err();
    assert_eq!(e.code(), "InvalidParameterException");
    assert_eq!(
        e.message(),
        "1 validation error detected: Value 'bad pool' at 'userPoolId' failed to satisfy constraint: Member must \
         satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+"
    );
}

#[test]
fn json_decodes_by_target() {
    let body = br#"{"UserPoolId":"us-east-1_abc","Username":"bob","ClientMetadata":{"k":"v"},"Unknown":1}"#;
    let (op, input) = decode_json(
        cognito_idp(),
        "AWSCognitoIdentityProviderService.AdminGetUser",
        body,
    )
    .unwrap();
    assert_eq!(op, "AdminGetUser");
    assert_eq!(input, json!({"UserPoolId": "us-east-1_abc", "Username": "bob"}));
    let (op, input) = decode_json(
        cognito_identity(),
        "AWSCognitoIdentityService.GetId",
        br#"{"IdentityPoolId":"us-east-1:x","Logins":{"a":"b"}}"#,
    )
    .unwrap();
    assert_eq!((op.as_str(), &input["Logins"]), ("GetId", &json!({"a": "b"})));
    let (_, input) = decode_json(
        cognito_idp(),
        "AWSCognitoIdentityProviderService.AdminListUserAuthEvents",
        br#"{"UserPoolId":"us-east-1_abc","Username":"bob","MaxResults":5,"NextToken":null}"#,
    )
    .unwrap();
    assert_eq!(
        input,
        json!({"UserPoolId": "us-east-1_abc", "Username": "bob", "MaxResults": 5})
    );
}

#[test]
fn json_refuses_what_it_cannot_read() {
    let t = "AWSCognitoIdentityProviderService.AdminGetUser";
    let e = decode_json(cognito_idp(), "AWSCognitoIdentityProviderService.Nope", b"{}").unwrap_err();
    assert_eq!((e.code(), e.http_status()), ("UnknownOperationException", 400));
    let e = decode_json(cognito_idp(), "AWSCognitoIdentityService.AdminGetUser", b"{}").unwrap_err();
    assert_eq!(e.code(), "UnknownOperationException");
    assert_eq!(
        decode_json(cognito_idp(), "", b"{}").unwrap_err().code(),
        "UnknownOperationException"
    );
    for body in [
        &b"{"[..],
        b"[]",
        b"\"x\"",
        b"{\"UserPoolId\":1}",
        b"{\"Username\":[\"a\"]}",
    ] {
        let e = decode_json(cognito_idp(), t, body).unwrap_err();
        assert_eq!(
            (e.code(), e.http_status()),
            ("SerializationException", 400),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
    let e = decode_json(
        cognito_idp(),
        "AWSCognitoIdentityProviderService.ListUsers",
        br#"{"Limit":"5"}"#,
    );
    assert_eq!(e.unwrap_err().code(), "SerializationException");
    let e = decode_json(
        cognito_idp(),
        "AWSCognitoIdentityProviderService.ListUsers",
        br#"{"Limit":1.5}"#,
    );
    assert_eq!(e.unwrap_err().code(), "SerializationException");
    let (_, empty) = decode_json(cognito_idp(), t, b"").unwrap();
    assert_eq!(empty, json!({}));
}

#[test]
fn rest_json_routes_and_binds_members() {
    let (op, labels) = match_route(
        cognito_sync(),
        "GET",
        "/identitypools/us-east-1%3Apool/identities/id1/datasets/ds",
    )
    .unwrap();
    assert_eq!(op.name, "DescribeDataset");
    assert_eq!(
        labels[0],
        ("IdentityPoolId".to_owned(), "us-east-1:pool".to_owned())
    );
    assert_eq!(
        match_route(cognito_sync(), "GET", "/identitypools/p/identities/i/datasets")
            .unwrap()
            .0
            .name,
        "ListDatasets"
    );
    assert_eq!(
        match_route(cognito_sync(), "POST", "/identitypools/p/identities/i/datasets/d")
            .unwrap()
            .0
            .name,
        "UpdateRecords"
    );
    assert!(match_route(cognito_sync(), "GET", "/identitypools/p/identities//datasets/d").is_none());
    assert!(match_route(cognito_sync(), "PATCH", "/identitypools/p").is_none());

    let query = [
        ("maxResults".to_owned(), "10".to_owned()),
        ("lastSyncCount".to_owned(), "3".to_owned()),
    ];
    let req = RestRequest {
        method: "GET",
        path: "/identitypools/p/identities/i/datasets/d/records",
        query: &query,
        headers: &[],
        body: b"",
    };
    let (op, input) = decode_rest_json(cognito_sync(), &req).unwrap();
    assert_eq!(op, "ListRecords");
    assert_eq!(
        input,
        json!({"IdentityPoolId": "p", "IdentityId": "i", "DatasetName": "d", "LastSyncCount": 3, "MaxResults": 10})
    );

    let headers = [("X-Amz-Client-Context".to_owned(), "Y3R4".to_owned())];
    let body = br#"{"SyncSessionToken":"t","RecordPatches":[{"Op":"replace","Key":"k","Value":"v","SyncCount":1,"DeviceLastModifiedDate":1400000000}]}"#;
    let path = "/identitypools/us-east-1%3A0a/identities/us-east-1:0b/datasets/d";
    let req = RestRequest {
        method: "POST",
        path,
        query: &[],
        headers: &headers,
        body,
    };
    let (op, input) = decode_rest_json(cognito_sync(), &req).unwrap();
    assert_eq!(op, "UpdateRecords");
    assert_eq!(input["ClientContext"], "Y3R4");
    assert_eq!(
        input["RecordPatches"][0]["DeviceLastModifiedDate"],
        "2014-05-13T16:53:20Z"
    );
    validate(cognito_sync(), &op, &input).unwrap();

    let e = decode_rest_json(
        cognito_sync(),
        &RestRequest {
            method: "GET",
            path: "/nope",
            query: &[],
            headers: &[],
            body: b"",
        },
    )
    .unwrap_err();
    assert_eq!((e.code(), e.http_status()), ("UnknownOperationException", 404));
    let bad = [("maxResults".to_owned(), "ten".to_owned())];
    let req = RestRequest {
        method: "GET",
        path: "/identitypools",
        query: &bad,
        headers: &[],
        body: b"",
    };
    assert_eq!(
        decode_rest_json(cognito_sync(), &req).unwrap_err().code(),
        "SerializationException"
    );

    let resp = encode_rest_json(
        cognito_sync(),
        "DescribeDataset",
        &json!({"Dataset": {"DatasetName": "d", "NumRecords": 2, "CreationDate": "2014-05-13T16:53:20Z"}}),
    )
    .unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(
        String::from_utf8(resp.body).unwrap(),
        r#"{"Dataset":{"DatasetName":"d","CreationDate":1400000000.0,"NumRecords":2}}"#
    );
}
