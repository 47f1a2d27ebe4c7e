//! AWS's codes, statuses and messages for each way a signature is refused.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use hmac::{Hmac, Mac};
use sha2::Sha256;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use warden_sigv4::{
    HttpRequest, Mismatch, SecretAccessKey, Settings, SigV4Error, SignatureForm, SignedRequest,
    canonical_request, derive_signing_key, parse, string_to_sign, verify,
};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SIGNED_AT: OffsetDateTime = datetime!(2015-08-30 12:36:00 UTC);
const SKEW: Duration = Duration::minutes(15);
const VANILLA_AUTH: &str = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
const VANILLA_PRESIGNED: &str = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Expires=3600&X-Amz-Signature=e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d";

fn parse_headers(headers: &[(&str, &str)]) -> Result<Option<SignedRequest>, SigV4Error> {
    parse(&HttpRequest::new("GET", "/", "", headers, b""))
}

fn parse_query(query: &str) -> Result<Option<SignedRequest>, SigV4Error> {
    parse(&HttpRequest::new(
        "GET",
        "/",
        query,
        &[("Host", "example.amazonaws.com")],
        b"",
    ))
}

fn vanilla_headers(authorization: &str) -> [(&str, &str); 3] {
    [
        ("Host", "example.amazonaws.com"),
        ("X-Amz-Date", "20150830T123600Z"),
        ("Authorization", authorization),
    ]
}

fn check(err: &SigV4Error, code: &str, status: u16, message: &str) {
    assert_eq!(err.aws_code(), code, "{err:?}");
    assert_eq!(err.http_status(), status, "{err:?}");
    assert_eq!(err.message(), message, "{err:?}");
}

#[test]
fn unsigned_requests_parse_to_none() {
    assert_eq!(parse_headers(&[("Host", "h")]).unwrap(), None);
    // A bearer token (Cognito's userInfo) is not SigV4's business.
    assert_eq!(
        parse_headers(&[("Authorization", "Bearer abc.def.ghi")]).unwrap(),
        None
    );
    assert_eq!(parse_query("Action=GetId&Version=1").unwrap(), None);
    check(
        &SigV4Error::MissingAuthenticationToken,
        "MissingAuthenticationToken",
        403,
        "Missing Authentication Token",
    );
    assert_eq!(
        SigV4Error::MissingAuthenticationToken.aws_json_type(),
        "MissingAuthenticationTokenException"
    );
}

#[test]
fn missing_header_parts_are_listed_like_aws() {
    let err = parse_headers(&[("Authorization", "AWS4-HMAC-SHA256")]).unwrap_err();
    check(
        &err,
        "IncompleteSignature",
        400,
        "Authorization header requires 'Credential' parameter. Authorization header requires \
         'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. \
         Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. \
         Authorization=AWS4-HMAC-SHA256",
    );
    assert_eq!(err.aws_json_type(), "IncompleteSignatureException");

    let auth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date";
    let err = parse_headers(&vanilla_headers(auth)).unwrap_err();
    check(
        &err,
        "IncompleteSignature",
        400,
        &format!("Authorization header requires 'Signature' parameter. Authorization={auth}"),
    );

    let err = parse_headers(&[
        ("Host", "h"),
        (
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders=host, Signature=ab",
        ),
    ])
    .unwrap_err();
    assert!(err.message().starts_with(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization="
    ));
}

#[test]
fn malformed_authorization_parts() {
    let err = parse_headers(&vanilla_headers(
        "AWS4-HMAC-SHA256 Credential=a/20150830/r/s/aws4_request, SignedHeaders, Signature=ab",
    ))
    .unwrap_err();
    check(
        &err,
        "IncompleteSignature",
        400,
        "'SignedHeaders' not a valid key=value pair (missing equal-sign) in Authorization header: \
         'AWS4-HMAC-SHA256 Credential=a/20150830/r/s/aws4_request, SignedHeaders, Signature=ab'.",
    );

    let err = parse_headers(&vanilla_headers(
        "AWS4-HMAC-SHA512 Credential=a/20150830/r/s/aws4_request, SignedHeaders=host, Signature=ab",
    ))
    .unwrap_err();
    check(
        &err,
        "IncompleteSignature",
        400,
        "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). ",
    );

    let err = parse_headers(&vanilla_headers(
        "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam, SignedHeaders=host, Signature=ab",
    ))
    .unwrap_err();
    check(
        &err,
        "IncompleteSignature",
        400,
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKID/20150830/us-east-1/iam'",
    );

    // Commas alone separate the parameters too; trailing slashes of the credential are ignored.
    let signed = parse_headers(&vanilla_headers(
        "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request/,SignedHeaders=host,Signature=ab",
    ))
    .unwrap()
    .unwrap();
    assert_eq!(signed.access_key_id(), "AKID");
    assert_eq!(signed.scope().to_string(), "20150830/us-east-1/iam/aws4_request");
}

#[test]
fn credential_scope_must_match_the_request_date_and_terminator() {
    let err = parse_headers(&vanilla_headers(
        "AWS4-HMAC-SHA256 Credential=AKID/20150831/us-east-1/iam/aws5_request, SignedHeaders=host;x-amz-date, Signature=ab",
    ))
    .unwrap_err();
    check(
        &err,
        "SignatureDoesNotMatch",
        403,
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. \
         Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: \
         '20150831' != '20150830', from '20150830T123600Z'.",
    );
    assert_eq!(err.aws_json_type(), "InvalidSignatureException");
    check(
        &SigV4Error::wrong_service("sts"),
        "SignatureDoesNotMatch",
        403,
        "Credential should be scoped to correct service: 'sts'. ",
    );
    check(
        &SigV4Error::wrong_region("nowhere"),
        "SignatureDoesNotMatch",
        403,
        "Credential should be scoped to a valid region, not 'nowhere'. ",
    );
}

#[test]
fn host_must_be_signed() {
    let err = parse_headers(&vanilla_headers(
        "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, SignedHeaders=x-amz-date, Signature=ab",
    ))
    .unwrap_err();
    check(
        &err,
        "SignatureDoesNotMatch",
        403,
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
}

#[test]
fn bad_dates() {
    let err = parse_headers(&[
        ("Host", "h"),
        ("X-Amz-Date", "2015-08-30T12:36:00Z"),
        ("Authorization", VANILLA_AUTH),
    ])
    .unwrap_err();
    check(
        &err,
        "IncompleteSignature",
        400,
        "Date must be in ISO-8601 'basic format'. Got '2015-08-30T12:36:00Z'. See http://en.wikipedia.org/wiki/ISO_8601",
    );
}

#[test]
fn date_header_stands_in_for_x_amz_date() {
    let headers = [
        ("Host", "example.amazonaws.com"),
        ("Date", "Sun, 30 Aug 2015 12:36:00 GMT"),
        (
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=date;host, Signature=0000",
        ),
    ];
    let req = HttpRequest::new("GET", "/", "", &headers, b"");
    let signed = parse(&req).unwrap().unwrap();
    assert_eq!(signed.request_time(), SIGNED_AT);
    let canonical = canonical_request(&req, &signed, &Settings::default()).unwrap();
    assert!(canonical.contains("\ndate:Sun, 30 Aug 2015 12:36:00 GMT\nhost:example.amazonaws.com\n"));
    let to_sign = string_to_sign(&signed, &canonical);
    assert!(to_sign.starts_with("AWS4-HMAC-SHA256\n20150830T123600Z\n"));

    // Sign it by hand and check it verifies.
    let key = derive_signing_key(
        &SecretAccessKey::new(SECRET),
        signed.scope().date(),
        "us-east-1",
        "service",
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(to_sign.as_bytes());
    let signature = hex::encode(mac.finalize().into_bytes());
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=date;host, Signature={signature}"
    );
    let headers = [headers[0], headers[1], ("Authorization", auth.as_str())];
    let req = HttpRequest::new("GET", "/", "", &headers, b"");
    let signed = parse(&req).unwrap().unwrap();
    verify(&req, &signed, &key, SIGNED_AT, SKEW).unwrap();
}

#[test]
fn both_forms_at_once_are_refused() {
    let headers = [("Host", "example.amazonaws.com"), ("Authorization", VANILLA_AUTH)];
    let err = parse(&HttpRequest::new("GET", "/", VANILLA_PRESIGNED, &headers, b"")).unwrap_err();
    check(
        &err,
        "SignatureDoesNotMatch",
        403,
        "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
    );
}

#[test]
fn missing_query_parts_are_listed_like_aws() {
    let err = parse_query("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20150830T123600Z").unwrap_err();
    check(
        &err,
        "IncompleteSignature",
        400,
        "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters \
         must include 'X-Amz-Signature'. AWS query-string parameters must include \
         'X-Amz-SignedHeaders'. Re-examine the query-string parameters.",
    );
    let err = parse_query("X-Amz-Signature=abc").unwrap_err();
    assert!(
        err.message()
            .starts_with("AWS query-string parameters must include 'X-Amz-Algorithm'. ")
    );
}

#[test]
fn expires_is_bounded() {
    let base = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00";
    for (expires, message) in [
        (
            "604801",
            "X-Amz-Expires must be less than a week (in seconds) that is 604800",
        ),
        (
            "99999999999999999999999",
            "X-Amz-Expires must be less than a week (in seconds) that is 604800",
        ),
        ("ten", "X-Amz-Expires should be a number"),
        ("", "X-Amz-Expires should be a number"),
        ("-5", "X-Amz-Expires must be non-negative"),
    ] {
        let err = parse_query(&format!("{base}&X-Amz-Expires={expires}")).unwrap_err();
        check(&err, "AuthorizationQueryParametersError", 400, message);
    }
    let signed = parse_query(&format!("{base}&X-Amz-Expires=604800"))
        .unwrap()
        .unwrap();
    assert_eq!(signed.expires(), Some(Duration::days(7)));
    assert_eq!(signed.form(), SignatureForm::Presigned);
}

fn vanilla() -> (Vec<(&'static str, &'static str)>, SecretAccessKey) {
    (
        vanilla_headers(VANILLA_AUTH).to_vec(),
        SecretAccessKey::new(SECRET),
    )
}

#[test]
fn stale_and_future_requests_have_aws_messages() {
    let (headers, secret) = vanilla();
    let req = HttpRequest::new("GET", "/", "", &headers, b"");
    let signed = parse(&req).unwrap().unwrap();

    let err = verify(&req, &signed, &secret, datetime!(2015-08-30 12:56:00 UTC), SKEW).unwrap_err();
    check(
        &err,
        "SignatureDoesNotMatch",
        403,
        "Signature expired: 20150830T123600Z is now earlier than 20150830T124100Z (20150830T125600Z - 15 min.)",
    );
    assert!(matches!(err, SigV4Error::SignatureExpired { .. }));

    let err = verify(&req, &signed, &secret, datetime!(2015-08-30 12:16:00 UTC), SKEW).unwrap_err();
    check(
        &err,
        "SignatureDoesNotMatch",
        403,
        "Signature not yet current: 20150830T123600Z is still later than 20150830T123100Z (20150830T121600Z + 15 min.)",
    );

    // The skew is a parameter.
    let err = verify(
        &req,
        &signed,
        &secret,
        datetime!(2015-08-30 12:42:00 UTC),
        Duration::minutes(5),
    )
    .unwrap_err();
    assert_eq!(
        err.message(),
        "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T124200Z - 5 min.)"
    );
    verify(&req, &signed, &secret, datetime!(2015-08-30 12:51:00 UTC), SKEW).unwrap();
}

#[test]
fn presigned_urls_expire() {
    let headers = [("Host", "example.amazonaws.com")];
    let req = HttpRequest::new("GET", "/", VANILLA_PRESIGNED, &headers, b"");
    let signed = parse(&req).unwrap().unwrap();
    let secret = SecretAccessKey::new(SECRET);
    // Valid for its X-Amz-Expires (an hour), more than the skew.
    verify(&req, &signed, &secret, datetime!(2015-08-30 13:36:00 UTC), SKEW).unwrap();
    let err = verify(&req, &signed, &secret, datetime!(2015-08-30 13:36:01 UTC), SKEW).unwrap_err();
    check(&err, "RequestExpired", 400, "Request has expired");
}

#[test]
fn signature_mismatch_tells_what_should_have_been_signed() {
    let (headers, _) = vanilla();
    let req = HttpRequest::new("GET", "/", "", &headers, b"");
    let signed = parse(&req).unwrap().unwrap();
    let err = verify(&req, &signed, &SecretAccessKey::new("wrong"), SIGNED_AT, SKEW).unwrap_err();
    check(
        &err,
        "SignatureDoesNotMatch",
        403,
        "The request signature we calculated does not match the signature you provided. Check your \
         AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n\
         The Canonical String for this request should have been\n\
         'GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\
         e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'\n\n\
         The String-to-Sign should have been\n\
         'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n\
         bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63'\n",
    );
    let SigV4Error::SignatureDoesNotMatch(mismatch) = err else {
        panic!()
    };
    assert!(matches!(*mismatch, Mismatch::Computed { .. }));

    // Upper-case hex is not the signature AWS computes.
    let upper = VANILLA_AUTH.replace("5fa00fa31553b73ebf", "5FA00FA31553B73EBF");
    let headers = vanilla_headers(&upper);
    let req = HttpRequest::new("GET", "/", "", &headers, b"");
    let signed = parse(&req).unwrap().unwrap();
    assert!(verify(&req, &signed, &SecretAccessKey::new(SECRET), SIGNED_AT, SKEW).is_err());
}

#[test]
fn unknown_access_key() {
    check(
        &SigV4Error::InvalidClientTokenId,
        "InvalidClientTokenId",
        403,
        "The security token included in the request is invalid.",
    );
    assert_eq!(
        SigV4Error::InvalidClientTokenId.aws_json_type(),
        "UnrecognizedClientException"
    );
}

/// Signs `req` (whose Authorization header has a placeholder signature) the way a client does.
fn sign_by_hand(method: &str, headers: &[(&str, &str)], body: &[u8]) -> String {
    let req = HttpRequest::new(method, "/", "", headers, body);
    let signed = parse(&req).unwrap().unwrap();
    let canonical = canonical_request(&req, &signed, &Settings::default()).unwrap();
    let to_sign = string_to_sign(&signed, &canonical);
    let key = derive_signing_key(
        &SecretAccessKey::new(SECRET),
        signed.scope().date(),
        "us-east-1",
        "iam",
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(to_sign.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[test]
fn content_sha256_header_is_honoured() {
    let auth = |sig: &str| {
        format!(
            "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature={sig}"
        )
    };
    let secret = SecretAccessKey::new(SECRET);

    // UNSIGNED-PAYLOAD: the body is not covered.
    let placeholder = auth("00");
    let headers = [
        ("Host", "iam.amazonaws.com"),
        ("X-Amz-Date", "20150830T123600Z"),
        ("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"),
        ("Authorization", placeholder.as_str()),
    ];
    let signature = sign_by_hand("POST", &headers, b"Action=ListUsers");
    let real = auth(&signature);
    let headers = [
        headers[0],
        headers[1],
        headers[2],
        ("Authorization", real.as_str()),
    ];
    for body in [&b"Action=ListUsers"[..], b"anything"] {
        let req = HttpRequest::new("POST", "/", "", &headers, body);
        let signed = parse(&req).unwrap().unwrap();
        verify(&req, &signed, &secret, SIGNED_AT, SKEW).unwrap();
    }

    // A hash must be the body's.
    let body_hash = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"; // Param1=value1
    let headers = [
        ("Host", "iam.amazonaws.com"),
        ("X-Amz-Date", "20150830T123600Z"),
        ("X-Amz-Content-Sha256", body_hash),
        ("Authorization", placeholder.as_str()),
    ];
    let signature = sign_by_hand("POST", &headers, b"Param1=value1");
    let real = auth(&signature);
    let headers = [
        headers[0],
        headers[1],
        headers[2],
        ("Authorization", real.as_str()),
    ];
    let req = HttpRequest::new("POST", "/", "", &headers, b"Param1=value1");
    let signed = parse(&req).unwrap().unwrap();
    verify(&req, &signed, &secret, SIGNED_AT, SKEW).unwrap();
    let req = HttpRequest::new("POST", "/", "", &headers, b"Param1=value2");
    let err = verify(&req, &signed, &secret, SIGNED_AT, SKEW).unwrap_err();
    check(
        &err,
        "XAmzContentSHA256Mismatch",
        400,
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );

    let headers = [
        headers[0],
        headers[1],
        ("X-Amz-Content-Sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
        headers[3],
    ];
    let req = HttpRequest::new("POST", "/", "", &headers, b"");
    let signed = parse(&req).unwrap().unwrap();
    let err = verify(&req, &signed, &secret, SIGNED_AT, SKEW).unwrap_err();
    assert_eq!(err, SigV4Error::InvalidContentSha256);
}

#[test]
fn secrets_do_not_leak_through_debug() {
    let secret = SecretAccessKey::new(SECRET);
    assert!(!format!("{secret:?}").contains("EXAMPLEKEY"));
    let key = derive_signing_key(&secret, SIGNED_AT.date(), "us-east-1", "iam");
    assert!(!format!("{key:?}").contains(&hex::encode(key.as_bytes())[..8]));
}
