//! Fuzzes the Authorization header and presigned-query parser, then verification.
//!
//! The input is split on NUL bytes into: Authorization header, query string, X-Amz-Date, path,
//! x-amz-content-sha256, body. Any panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;
use time::{Duration, macros::datetime};
use warden_sigv4::{HttpRequest, SecretAccessKey, parse, verify};

fuzz_target!(|data: &[u8]| {
    let mut fields = data.split(|b| *b == 0);
    let mut next = || String::from_utf8_lossy(fields.next().unwrap_or_default()).into_owned();
    let (auth, query, date, path, sha) = (next(), next(), next(), next(), next());
    let body = next();
    let mut headers = vec![("Host", "example.amazonaws.com")];
    if !auth.is_empty() {
        headers.push(("Authorization", auth.as_str()));
    }
    if !date.is_empty() {
        headers.push(("X-Amz-Date", date.as_str()));
    }
    if !sha.is_empty() {
        headers.push(("x-amz-content-sha256", sha.as_str()));
    }
    let req = HttpRequest::new("POST", &path, &query, &headers, body.as_bytes());
    if let Ok(Some(signed)) = parse(&req) {
        let secret = SecretAccessKey::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        let now = datetime!(2015-08-30 12:36:00 UTC);
        if let Err(e) = verify(&req, &signed, &secret, now, Duration::minutes(15)) {
            let _ = (e.aws_code(), e.http_status(), e.message());
        }
    }
});
