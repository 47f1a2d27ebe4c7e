//! The canonical request and the string to sign.
//!
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html>

use std::fmt::Write as _;

use sha2::{Digest, Sha256};
use time::Duration;

use crate::error::SigV4Error;
use crate::parse::{ALGORITHM, SignatureForm, SignedRequest};
use crate::request::{HttpRequest, Payload, hex_value, query_pairs};
use crate::time_fmt::format_amz_date;

/// The payload hash that tells the server the body is not signed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// How the path is percent-encoded in the canonical request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UriEncoding {
    /// Every AWS service but S3: the path as received (already percent-encoded once) is
    /// URI-encoded again, so `%20` in the request becomes `%2520` in the canonical request. This
    /// is the SDK signer's `PercentEncodingMode::Double` and aws-c-auth's `use_double_uri_encode`.
    #[default]
    Double,
    /// S3: the path as received is taken as encoded once and signed as it is (the SDK signer's
    /// `PercentEncodingMode::Single`). Only bytes that cannot appear raw in a URI path (RFC 3986
    /// `pchar`), such as spaces or UTF-8, and `%` not starting an escape, are encoded.
    Single,
}

/// Whether the path is normalized before it is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PathNormalization {
    /// Every AWS service but S3: `.` and `..` segments are removed (RFC 3986, 5.2.4) and empty
    /// segments (`//`) collapse, keeping a trailing slash. The SDK signer's
    /// `UriPathNormalizationMode::Enabled`; the suite's `"normalize": true`.
    #[default]
    Normalize,
    /// S3: the path is signed as it is (object keys may contain `//` or `..`). The suite's
    /// `"normalize": false`.
    AsIs,
}

/// How requests are canonicalised and how much clock skew is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Path encoding (default: [`UriEncoding::Double`]).
    pub uri_encoding: UriEncoding,
    /// Path normalization (default: [`PathNormalization::Normalize`]).
    pub path_normalization: PathNormalization,
    /// The allowed difference between the request's time and the server's (default: 15 min).
    pub max_skew: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            uri_encoding: UriEncoding::Double,
            path_normalization: PathNormalization::Normalize,
            max_skew: Duration::minutes(15),
        }
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

fn push_escaped(out: &mut String, b: u8) {
    out.push('%');
    out.push(char::from(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0')));
    out.push(char::from(HEX.get(usize::from(b & 15)).copied().unwrap_or(b'0')));
}

/// AWS's `UriEncode`: every byte but `A-Za-z0-9-._~` as `%XX` (upper-case hex).
fn uri_encode(out: &mut String, bytes: &[u8]) {
    for &b in bytes {
        if is_unreserved(b) {
            out.push(char::from(b));
        } else {
            push_escaped(out, b);
        }
    }
}

/// Removes dot segments and empty segments, keeping a trailing slash; as the SDK signer does.
fn normalize_path(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let mut out = String::with_capacity(path.len() + 1);
    for segment in &segments {
        out.push('/');
        out.push_str(segment);
    }
    let trailing = ["/", "/.", "/..", "/./", "/../"]
        .iter()
        .any(|end| path.ends_with(end));
    if out.is_empty() || (trailing && !segments.is_empty()) {
        out.push('/');
    }
    out
}

/// The canonical URI of a raw path.
#[must_use]
pub fn canonical_uri(path: &str, settings: &Settings) -> String {
    let normalized;
    let path = match settings.path_normalization {
        PathNormalization::Normalize => {
            normalized = normalize_path(path);
            normalized.as_str()
        }
        PathNormalization::AsIs if path.is_empty() => "/",
        PathNormalization::AsIs => path,
    };
    let mut out = String::with_capacity(path.len() + 8);
    let bytes = path.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        if b == b'/' || is_unreserved(b) {
            out.push(char::from(b));
            continue;
        }
        if settings.uri_encoding == UriEncoding::Single {
            let escape = b == b'%'
                && bytes.get(i).copied().and_then(hex_value).is_some()
                && bytes.get(i + 1).copied().and_then(hex_value).is_some();
            if escape || b"!$&'()*+,;=:@".contains(&b) {
                out.push(char::from(b));
                continue;
            }
        }
        push_escaped(&mut out, b);
    }
    out
}

/// Which query parameters a presigned request's signature leaves out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unsigned {
    /// `X-Amz-Signature` only.
    Signature,
    /// `X-Amz-Signature` and `X-Amz-Security-Token`: the token was appended after signing (the
    /// SDK signer's `SessionTokenMode::Exclude`, used for AWS IoT's presigned URLs).
    SignatureAndToken,
}

/// The canonical query string: pairs decoded then re-encoded with `UriEncode`, sorted by key
/// then value, `X-Amz-Signature` left out of a presigned request's.
#[must_use]
pub fn canonical_query(query: &str, form: SignatureForm) -> String {
    canonical_query_without(query, form, Unsigned::Signature)
}

pub(crate) fn canonical_query_without(query: &str, form: SignatureForm, unsigned: Unsigned) -> String {
    let is_signed = |key: &[u8]| match (form, unsigned) {
        (SignatureForm::Header, _) => true,
        (SignatureForm::Presigned, Unsigned::Signature) => key != b"X-Amz-Signature",
        (SignatureForm::Presigned, Unsigned::SignatureAndToken) => {
            key != b"X-Amz-Signature" && key != b"X-Amz-Security-Token"
        }
    };
    let mut pairs: Vec<(String, String)> = query_pairs(query)
        .filter(|(key, _)| is_signed(key))
        .map(|(key, value)| {
            let mut k = String::with_capacity(key.len());
            uri_encode(&mut k, &key);
            let mut v = String::with_capacity(value.len());
            uri_encode(&mut v, &value);
            (k, v)
        })
        .collect();
    pairs.sort_unstable();
    let mut out = String::with_capacity(query.len() + 16);
    for (i, (key, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(key);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// Trims spaces and collapses runs of spaces, as the SDK signer does (tabs are kept).
fn push_trimmed(out: &mut String, value: &str) {
    let mut previous_space = false;
    for c in value.trim_matches(' ').chars() {
        if c == ' ' {
            if !previous_space {
                out.push(' ');
            }
            previous_space = true;
        } else {
            out.push(c);
            previous_space = false;
        }
    }
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The payload hash of the canonical request: the `x-amz-content-sha256` header when present
/// (`UNSIGNED-PAYLOAD`, or a SHA-256 that must be the body's), else the SHA-256 of the body.
///
/// # Errors
/// [`SigV4Error::InvalidContentSha256`] or [`SigV4Error::XAmzContentSha256Mismatch`].
pub fn payload_hash(req: &HttpRequest<'_>) -> Result<String, SigV4Error> {
    let computed = match req.payload {
        Payload::Bytes(body) => sha256_hex(body),
        Payload::Sha256(digest) => hex::encode(digest),
    };
    let Some(provided) = req.header("x-amz-content-sha256") else {
        return Ok(computed);
    };
    let provided = provided.trim();
    if provided == UNSIGNED_PAYLOAD {
        return Ok(provided.to_owned());
    }
    if provided.len() != 64 || !provided.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(SigV4Error::InvalidContentSha256);
    }
    if !provided.eq_ignore_ascii_case(&computed) {
        return Err(SigV4Error::XAmzContentSha256Mismatch {
            provided: provided.to_owned(),
            computed,
        });
    }
    Ok(provided.to_owned())
}

/// The canonical request of `req` for the signature `signed`:
/// method, URI, query, headers, signed header names and payload hash, one per line.
///
/// # Errors
/// Those of [`payload_hash`].
pub fn canonical_request(
    req: &HttpRequest<'_>,
    signed: &SignedRequest,
    settings: &Settings,
) -> Result<String, SigV4Error> {
    canonical_request_without(req, signed, settings, Unsigned::Signature)
}

pub(crate) fn canonical_request_without(
    req: &HttpRequest<'_>,
    signed: &SignedRequest,
    settings: &Settings,
    unsigned: Unsigned,
) -> Result<String, SigV4Error> {
    let payload = payload_hash(req)?;
    let mut out = String::with_capacity(256 + req.path.len() + req.query.len());
    out.push_str(req.method);
    out.push('\n');
    out.push_str(&canonical_uri(req.path, settings));
    out.push('\n');
    out.push_str(&canonical_query_without(req.query, signed.form, unsigned));
    out.push('\n');
    for name in &signed.signed_headers {
        out.push_str(name);
        out.push(':');
        // Repeated headers: values joined by commas in the order received.
        for (i, value) in req.header_values(name).enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_trimmed(&mut out, value);
        }
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&signed.signed_headers.join(";"));
    out.push('\n');
    out.push_str(&payload);
    Ok(out)
}

/// The string to sign: algorithm, request time, credential scope and the hash of the canonical
/// request, one per line.
#[must_use]
pub fn string_to_sign(signed: &SignedRequest, canonical_request: &str) -> String {
    let mut out = String::with_capacity(160);
    let _ = write!(
        out,
        "{ALGORITHM}\n{}\n{}\n{}",
        format_amz_date(signed.request_time),
        signed.scope,
        sha256_hex(canonical_request.as_bytes())
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(path: &str, encoding: UriEncoding, normalization: PathNormalization) -> String {
        canonical_uri(
            path,
            &Settings {
                uri_encoding: encoding,
                path_normalization: normalization,
                ..Settings::default()
            },
        )
    }

    #[test]
    fn normalizes_like_the_sdk() {
        for (input, expected) in [
            ("", "/"),
            ("/", "/"),
            ("//example//", "/example/"),
            ("/example/..", "/"),
            ("/a/b/../..", "/"),
            ("/./example", "/example"),
            ("/a/./b/.", "/a/b/"),
            ("/../a", "/a"),
            ("a/b", "/a/b"),
            ("/a/b/", "/a/b/"),
        ] {
            assert_eq!(normalize_path(input), expected, "{input}");
        }
    }

    #[test]
    fn encodes_twice_or_once() {
        use PathNormalization::AsIs;
        assert_eq!(uri("/a%20b", UriEncoding::Double, AsIs), "/a%2520b");
        assert_eq!(uri("/a%20b", UriEncoding::Single, AsIs), "/a%20b");
        assert_eq!(uri("/a%2fb", UriEncoding::Single, AsIs), "/a%2fb");
        assert_eq!(uri("/a b*", UriEncoding::Single, AsIs), "/a%20b*");
        assert_eq!(uri("/a b*", UriEncoding::Double, AsIs), "/a%20b%2A");
        assert_eq!(uri("/a%zz", UriEncoding::Single, AsIs), "/a%25zz");
        assert_eq!(uri("/\u{1234}", UriEncoding::Double, AsIs), "/%E1%88%B4");
        assert_eq!(uri("//a//", UriEncoding::Double, AsIs), "//a//");
    }

    #[test]
    fn sorts_query_by_encoded_key_then_value() {
        assert_eq!(
            canonical_query("b=2&a=2&a=1&c&%E1%88%B4=x&d=a+b", SignatureForm::Header),
            "%E1%88%B4=x&a=1&a=2&b=2&c=&d=a%20b"
        );
        assert_eq!(
            canonical_query("X-Amz-Signature=abc&a=1", SignatureForm::Presigned),
            "a=1"
        );
    }

    #[test]
    fn trims_and_collapses_spaces() {
        let mut out = String::new();
        push_trimmed(&mut out, "  a   b \tc  ");
        assert_eq!(out, "a b \tc");
    }
}
