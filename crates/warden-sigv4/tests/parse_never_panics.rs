//! `parse` and `verify` take untrusted input: whatever it is, they answer without panicking.
//! (The libFuzzer target in `fuzz/` does the same with coverage guidance, on nightly.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use time::Duration;
use time::macros::datetime;
use warden_sigv4::{HttpRequest, SecretAccessKey, parse, verify};

/// Fragments that steer random input into the parser's deeper branches.
fn authorization() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        Just("AWS4-HMAC-SHA256".to_owned()),
        Just("AWS4-".to_owned()),
        Just("Credential=AKID/20150830/us-east-1/iam/aws4_request".to_owned()),
        Just("Credential=".to_owned()),
        Just("SignedHeaders=host;x-amz-date".to_owned()),
        Just("Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31".to_owned()),
        Just(",".to_owned()),
        Just(" ".to_owned()),
        Just("/".to_owned()),
        Just("=".to_owned()),
        ".{0,12}",
    ];
    prop::collection::vec(part, 0..10).prop_map(|parts| parts.concat())
}

fn query() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        Just("X-Amz-Algorithm=AWS4-HMAC-SHA256".to_owned()),
        Just("X-Amz-Credential=AKID%2F20150830%2Fus-east-1%2Fiam%2Faws4_request".to_owned()),
        Just("X-Amz-Date=20150830T123600Z".to_owned()),
        Just("X-Amz-Expires=".to_owned()),
        Just("X-Amz-SignedHeaders=host".to_owned()),
        Just("X-Amz-Signature=".to_owned()),
        Just("X-Amz-Security-Token=".to_owned()),
        Just("&".to_owned()),
        Just("%".to_owned()),
        Just("%E1%88".to_owned()),
        ".{0,12}",
    ];
    prop::collection::vec(part, 0..10).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn parse_and_verify_never_panic(
        auth in proptest::option::of(authorization()),
        query in query(),
        path in ".{0,24}",
        date in proptest::option::of(prop_oneof![Just("20150830T123600Z".to_owned()), ".{0,20}"]),
        http_date in proptest::option::of(".{0,32}"),
        sha in proptest::option::of(prop_oneof![Just("UNSIGNED-PAYLOAD".to_owned()), "[0-9a-f]{64}", ".{0,70}"]),
        body in prop::collection::vec(any::<u8>(), 0..32),
        now_offset in -1_000_000_000i64..1_000_000_000,
    ) {
        let mut headers: Vec<(&str, &str)> = vec![("Host", "example.amazonaws.com")];
        if let Some(auth) = &auth { headers.push(("Authorization", auth)); }
        if let Some(date) = &date { headers.push(("X-Amz-Date", date)); }
        if let Some(http_date) = &http_date { headers.push(("Date", http_date)); }
        if let Some(sha) = &sha { headers.push(("x-amz-content-sha256", sha)); }
        let req = HttpRequest::new("POST", &path, &query, &headers, &body);
        if let Ok(Some(signed)) = parse(&req) {
            let now = datetime!(2015-08-30 12:36:00 UTC) + Duration::seconds(now_offset);
            let result = verify(&req, &signed, &SecretAccessKey::new("s"), now, Duration::minutes(15));
            if let Err(e) = result {
                // Every error renders.
                prop_assert!(!e.aws_code().is_empty());
                let _ = (e.http_status(), e.message(), e.aws_json_type());
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(auth in ".*", query in ".*", date in ".*") {
        let headers = [("Authorization", auth.as_str()), ("X-Amz-Date", date.as_str()), ("Host", "h")];
        let _ = parse(&HttpRequest::new("GET", "/", &query, &headers, b""));
        let headers = [("X-Amz-Date", date.as_str()), ("Host", "h")];
        let _ = parse(&HttpRequest::new("GET", "/", &query, &headers, b""));
    }
}

#[test]
fn extreme_times_do_not_overflow() {
    let headers = [
        ("Host", "example.amazonaws.com"),
        ("X-Amz-Date", "99991231T235959Z"),
        (
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=AKID/99991231/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
        ),
    ];
    let req = HttpRequest::new("GET", "/", "", &headers, b"");
    let signed = parse(&req).unwrap().unwrap();
    let secret = SecretAccessKey::new("s");
    for now in [
        time::OffsetDateTime::UNIX_EPOCH,
        datetime!(9999-12-31 23:59:59 UTC),
        datetime!(-9999-01-01 0:00 UTC),
    ] {
        let _ = verify(&req, &signed, &secret, now, Duration::minutes(15));
        let _ = verify(&req, &signed, &secret, now, Duration::MAX);
    }
    let query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F99991231%2Fus-east-1%2Fiam%2Faws4_request&X-Amz-Date=99991231T235959Z&X-Amz-SignedHeaders=host&X-Amz-Expires=604800&X-Amz-Signature=00";
    let headers = [("Host", "example.amazonaws.com")];
    let req = HttpRequest::new("GET", "/", query, &headers, b"");
    let signed = parse(&req).unwrap().unwrap();
    let _ = verify(
        &req,
        &signed,
        &secret,
        datetime!(9999-12-31 23:59:59 UTC),
        Duration::MAX,
    );
}
