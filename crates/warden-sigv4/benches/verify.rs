//! Verifying one header-signed request (AWS's post-x-www-form-urlencoded case: a form POST like
//! IAM's and STS's) with a cached signing key, and the same with the secret (key derived each
//! time), and parsing alone.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use time::{Duration, macros::datetime};
use warden_sigv4::{HttpRequest, SecretAccessKey, derive_signing_key, parse, verify};

const HEADERS: [(&str, &str); 6] = [
    ("Content-Type", "application/x-www-form-urlencoded"),
    ("Host", "example.amazonaws.com"),
    ("Content-Length", "13"),
    ("X-Amz-Date", "20150830T123600Z"),
    (
        "x-amz-content-sha256",
        "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
    ),
    (
        "Authorization",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
         SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, \
         Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b",
    ),
];

fn bench(c: &mut Criterion) {
    let req = HttpRequest::new("POST", "/", "", &HEADERS, b"Param1=value1");
    let now = datetime!(2015-08-30 12:36:00 UTC);
    let skew = Duration::minutes(15);
    let secret = SecretAccessKey::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    let signed = parse(&req).unwrap().unwrap();
    let scope = signed.scope();
    let key = derive_signing_key(&secret, scope.date(), scope.region(), scope.service());
    verify(&req, &signed, &key, now, skew).unwrap();

    c.bench_function("parse + verify, cached signing key", |b| {
        b.iter(|| {
            let signed = parse(black_box(&req)).unwrap().unwrap();
            verify(black_box(&req), &signed, &key, now, skew).unwrap();
        });
    });
    c.bench_function("parse + verify, secret (key derived)", |b| {
        b.iter(|| {
            let signed = parse(black_box(&req)).unwrap().unwrap();
            verify(black_box(&req), &signed, &secret, now, skew).unwrap();
        });
    });
    c.bench_function("parse only", |b| {
        b.iter(|| parse(black_box(&req)).unwrap().unwrap());
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
