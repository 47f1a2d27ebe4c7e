//! Step two: check the time and the HMAC, with the key the server looked up.

use subtle::ConstantTimeEq;
use time::{Duration, OffsetDateTime};

use crate::canonical::{Settings, Unsigned, canonical_request_without, string_to_sign};
use crate::error::{Mismatch, SigV4Error};
use crate::key::VerifyingKey;
use crate::parse::{SignatureForm, SignedRequest};
use crate::request::HttpRequest;

/// Verifies a parsed signature with the default canonicalisation (every AWS service but S3:
/// [`crate::UriEncoding::Double`], [`crate::PathNormalization::Normalize`]) and the given skew.
///
/// `key` is the secret access key of `signed.access_key_id()` or a signing key derived from it
/// for `signed.scope()` (see [`crate::derive_signing_key`]).
///
/// # Errors
/// See [`verify_with`].
pub fn verify<'k>(
    req: &HttpRequest<'_>,
    signed: &SignedRequest,
    key: impl Into<VerifyingKey<'k>>,
    now: OffsetDateTime,
    skew: Duration,
) -> Result<(), SigV4Error> {
    let settings = Settings {
        max_skew: skew,
        ..Settings::default()
    };
    verify_with(req, signed, key, now, &settings)
}

/// Verifies a parsed signature: time first ([`SignedRequest::check_time`]), then the body
/// against `x-amz-content-sha256`, then the HMAC, compared in constant time.
///
/// A presigned URL whose `X-Amz-Security-Token` was appended after signing (as AWS IoT's are)
/// verifies too; see [`SignedRequest::session_token`] for what the caller must then check.
/// With `x-amz-content-sha256: UNSIGNED-PAYLOAD` the body is not covered by the signature.
///
/// # Errors
/// [`SigV4Error::SignatureExpired`], [`SigV4Error::SignatureNotYetCurrent`],
/// [`SigV4Error::RequestExpired`], [`SigV4Error::SignatureDoesNotMatch`] (with the canonical
/// request and string to sign, as AWS reports them), [`SigV4Error::InvalidContentSha256`] or
/// [`SigV4Error::XAmzContentSha256Mismatch`].
pub fn verify_with<'k>(
    req: &HttpRequest<'_>,
    signed: &SignedRequest,
    key: impl Into<VerifyingKey<'k>>,
    now: OffsetDateTime,
    settings: &Settings,
) -> Result<(), SigV4Error> {
    signed.check_time(now, settings.max_skew)?;
    let key = key.into();
    let canonical = canonical_request_without(req, signed, settings, Unsigned::Signature)?;
    let to_sign = string_to_sign(signed, &canonical);
    if matches(signed, key, &to_sign) {
        return Ok(());
    }
    // A presigned URL may carry a session token appended after signing (AWS IoT's presigned
    // URLs; the suite's post-sts-header-after). The token is then not covered by the
    // signature: the server must check that it belongs to the access key, as it does anyway.
    if signed.form == SignatureForm::Presigned && signed.session_token.is_some() {
        let without_token = canonical_request_without(req, signed, settings, Unsigned::SignatureAndToken)?;
        if matches(signed, key, &string_to_sign(signed, &without_token)) {
            return Ok(());
        }
    }
    Err(SigV4Error::SignatureDoesNotMatch(Box::new(Mismatch::Computed {
        canonical_request: canonical,
        string_to_sign: to_sign,
    })))
}

/// Compares as lower-case hex, as AWS does, in constant time.
fn matches(signed: &SignedRequest, key: VerifyingKey<'_>, string_to_sign: &str) -> bool {
    let expected = hex::encode(key.signature(&signed.scope, string_to_sign.as_bytes()));
    expected.as_bytes().ct_eq(signed.signature.as_bytes()).into()
}
