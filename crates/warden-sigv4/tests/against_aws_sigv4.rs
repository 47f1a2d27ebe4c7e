//! Property tests: requests signed by the SDK's own signer (the `aws-sigv4` crate) verify with
//! ours, in both forms, and any one-character change to a signed part is refused.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::{Duration as StdDuration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SignatureLocation,
    SigningSettings, UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use common::{RawRequest, one_char_mutations};
use proptest::prelude::*;
use time::{Duration, OffsetDateTime};
use warden_sigv4::{
    PathNormalization, SecretAccessKey, Settings, SigV4Error, SignatureForm, UriEncoding, derive_signing_key,
    parse, verify_with,
};

const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SKEW: Duration = Duration::minutes(15);

/// AWS's `UriEncode` (everything but `A-Za-z0-9-._~`), to build valid URIs from any string.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(Debug, Clone)]
struct Input {
    method: &'static str,
    host: &'static str,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    presigned: bool,
    /// S3's canonicalisation (single encoding, no normalization) instead of everyone else's.
    s3: bool,
    content_sha256_header: bool,
    session_token: Option<String>,
    region: &'static str,
    service: &'static str,
    signed_at: u64,
    expires: u64,
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        // Any text, percent-encoded (the URI the SDK sends).
        "[a-zA-Z0-9 _~*+%&=\u{e9}\u{4e2d}-]{1,6}".prop_map(|s| encode(&s)),
        // Characters a URI path may carry unencoded, which the signer encodes.
        "[a-zA-Z0-9!$'()*+,;=:@_~-]{1,6}",
    ]
}

fn query_pair() -> impl Strategy<Value = String> {
    (
        "[a-zA-Z0-9 _.~*+/=&%\u{e9}-]{0,6}",
        proptest::option::of("[a-zA-Z0-9 _.~*+/=&%\u{e9}-]{0,8}"),
    )
        .prop_filter("a pair needs a key or a value", |(k, v)| {
            !k.is_empty() || v.as_ref().is_some_and(|v| !v.is_empty())
        })
        .prop_map(|(k, v)| match v {
            Some(v) => format!("{}={}", encode(&k), encode(&v)),
            None => encode(&k),
        })
}

fn header() -> impl Strategy<Value = (String, String)> {
    (
        prop_oneof![
            Just("x-custom".to_owned()),
            Just("My-Header".to_owned()),
            Just("Content-Type".to_owned()),
            "x-[a-z0-9]{1,8}",
        ],
        "[ -~]{0,16}",
    )
}

fn input() -> impl Strategy<Value = Input> {
    (
        (
            prop::sample::select(vec!["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]),
            prop::sample::select(vec!["iam.amazonaws.com", "127.0.0.1:4600", "localhost"]),
            prop::collection::vec(segment(), 0..4),
            any::<bool>(),
            prop::collection::vec(query_pair(), 0..4),
            prop::collection::vec(header(), 0..4),
            prop::collection::vec(any::<u8>(), 0..48),
        ),
        (
            any::<bool>(),
            any::<bool>(),
            proptest::option::of("[A-Za-z0-9+/=]{8,40}"),
            prop::sample::select(vec!["us-east-1", "eu-west-3", "local"]),
            prop::sample::select(vec!["iam", "sts", "cognito-idp"]),
            // 2015-01-01 .. 2035-01-01
            1_420_070_400u64..2_051_222_400,
            1u64..=604_800,
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (method, host, segments, trailing, query, headers, body),
                (presigned, content_sha256_header, session_token, region, service, at, expires, s3),
            )| {
                let mut path = String::new();
                for s in &segments {
                    path.push('/');
                    path.push_str(s);
                }
                if path.is_empty() || trailing {
                    path.push('/');
                }
                Input {
                    method,
                    host,
                    path,
                    query: query.join("&"),
                    headers,
                    body,
                    presigned,
                    s3,
                    content_sha256_header: content_sha256_header && !presigned,
                    session_token,
                    region,
                    service,
                    signed_at: at,
                    expires,
                }
            },
        )
}

/// Signs with `aws-sigv4` and returns the request as the server would receive it.
fn sign_with_sdk(input: &Input) -> RawRequest {
    let uri = if input.query.is_empty() {
        format!("http://{}{}", input.host, input.path)
    } else {
        format!("http://{}{}?{}", input.host, input.path, input.query)
    };
    let identity = Credentials::new(AKID, SECRET, input.session_token.clone(), None, "test").into();
    let mut settings = SigningSettings::default();
    if input.presigned {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(StdDuration::from_secs(input.expires));
    }
    if input.content_sha256_header {
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    if input.s3 {
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    }
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(input.region)
        .name(input.service)
        .time(SystemTime::UNIX_EPOCH + StdDuration::from_secs(input.signed_at))
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let signable = SignableRequest::new(
        input.method,
        uri.as_str(),
        input.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        SignableBody::Bytes(&input.body),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut request = http::Request::builder()
        .method(input.method)
        .uri(uri.as_str())
        .body(())
        .unwrap();
    for (n, v) in &input.headers {
        request.headers_mut().append(
            http::HeaderName::from_bytes(n.as_bytes()).unwrap(),
            http::HeaderValue::from_str(v).unwrap(),
        );
    }
    instructions.apply_to_request_http1x(&mut request);

    // What the server sees: the Host header the client's HTTP stack sends, then the rest.
    let mut headers = vec![("Host".to_owned(), input.host.to_owned())];
    for (n, v) in request.headers() {
        // Over the wire, leading and trailing whitespace of a value is not part of it.
        let v = v.to_str().unwrap().trim_matches([' ', '\t']);
        headers.push((n.as_str().to_owned(), v.to_owned()));
    }
    RawRequest {
        method: input.method.to_owned(),
        path: request.uri().path().to_owned(),
        query: request.uri().query().unwrap_or("").to_owned(),
        headers,
        body: input.body.clone(),
    }
}

fn settings(s3: bool) -> Settings {
    if s3 {
        Settings {
            uri_encoding: UriEncoding::Single,
            path_normalization: PathNormalization::AsIs,
            max_skew: SKEW,
        }
    } else {
        Settings {
            max_skew: SKEW,
            ..Settings::default()
        }
    }
}

fn server_check(raw: &RawRequest, s3: bool, now: OffsetDateTime) -> Result<(), SigV4Error> {
    raw.with(|req| {
        let signed = parse(req)?.ok_or(SigV4Error::MissingAuthenticationToken)?;
        if signed.access_key_id() != AKID {
            return Err(SigV4Error::InvalidClientTokenId);
        }
        verify_with(req, &signed, &SecretAccessKey::new(SECRET), now, &settings(s3))
    })
}

/// Every one-character change to a signed part of the request.
fn mutations(raw: &RawRequest) -> Vec<(String, RawRequest)> {
    let signed_names: Vec<String> = raw.with(|req| {
        let signed = parse(req).unwrap().unwrap();
        let mut names = signed.signed_headers().to_vec();
        if signed.form() == SignatureForm::Header {
            names.push("authorization".to_owned());
        }
        names
    });
    let mut out = Vec::new();
    for m in one_char_mutations(&raw.method) {
        out.push((
            format!("method {m}"),
            RawRequest {
                method: m,
                ..raw.clone()
            },
        ));
    }
    for m in one_char_mutations(&raw.path) {
        out.push((
            format!("path {m}"),
            RawRequest {
                path: m,
                ..raw.clone()
            },
        ));
    }
    for m in one_char_mutations(&raw.query) {
        out.push((
            format!("query {m}"),
            RawRequest {
                query: m,
                ..raw.clone()
            },
        ));
    }
    for (i, (name, value)) in raw.headers.iter().enumerate() {
        if signed_names.iter().any(|s| s.eq_ignore_ascii_case(name)) {
            for m in one_char_mutations(value) {
                let mut headers = raw.headers.clone();
                headers[i].1 = m.clone();
                out.push((
                    format!("header {name}: {m}"),
                    RawRequest {
                        headers,
                        ..raw.clone()
                    },
                ));
            }
        }
    }
    for i in 0..raw.body.len() {
        let mut body = raw.body.clone();
        body[i] ^= 0x01;
        out.push((format!("body byte {i}"), RawRequest { body, ..raw.clone() }));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn sdk_signed_requests_verify(input in input(), offset in 0.0f64..1.0) {
        let raw = sign_with_sdk(&input);
        let signed_at = OffsetDateTime::from_unix_timestamp(input.signed_at as i64).unwrap();
        // Any time the request is still valid: within the skew, or the presigned URL's life.
        let life = if input.presigned { Duration::seconds(input.expires as i64) } else { SKEW };
        let now = signed_at - SKEW + (SKEW + life) * offset;
        if let Err(e) = server_check(&raw, input.s3, now) {
            panic!("{e}\n{raw:#?}");
        }

        raw.with(|req| {
            let signed = parse(req).unwrap().unwrap();
            prop_assert_eq!(signed.form() == SignatureForm::Presigned, input.presigned);
            prop_assert_eq!(signed.session_token(), input.session_token.as_deref());
            prop_assert_eq!(signed.scope().region(), input.region);
            prop_assert_eq!(signed.scope().service(), input.service);
            prop_assert_eq!(signed.request_time(), signed_at);
            let scope = signed.scope();
            let key = derive_signing_key(
                &SecretAccessKey::new(SECRET), scope.date(), scope.region(), scope.service());
            prop_assert!(verify_with(req, &signed, &key, now, &settings(input.s3)).is_ok());
            let wrong = SecretAccessKey::new("not-the-secret");
            prop_assert!(verify_with(req, &signed, &wrong, now, &settings(input.s3)).is_err());
            Ok(())
        })?;

        // Stale or not yet valid.
        prop_assert!(server_check(&raw, input.s3, signed_at + life + Duration::SECOND).is_err());
        prop_assert!(server_check(&raw, input.s3, signed_at - SKEW - Duration::SECOND).is_err());
    }

    #[test]
    fn any_signed_character_changed_is_refused(input in input(), picks in prop::collection::vec(any::<prop::sample::Index>(), 16)) {
        let raw = sign_with_sdk(&input);
        let now = OffsetDateTime::from_unix_timestamp(input.signed_at as i64).unwrap();
        let all = mutations(&raw);
        prop_assert!(!all.is_empty());
        for pick in picks {
            let (what, mutated) = pick.get(&all);
            prop_assert!(server_check(mutated, input.s3, now).is_err(), "accepted after {}: {:#?}", what, mutated);
        }
    }
}
