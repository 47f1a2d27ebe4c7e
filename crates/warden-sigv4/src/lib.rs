//! Verification of AWS Signature Version 4, as IAM, STS and Cognito receive it.
//!
//! Pure: no I/O, no clock, no key store. The server reads a request into an [`HttpRequest`],
//! calls [`parse`] to read the signature, looks the access key up (its secret, or a cached
//! [`SigningKey`] from [`derive_signing_key`]), then calls [`verify`] with the time. Both
//! signature forms are supported: the `Authorization` header and the presigned query
//! (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders`,
//! `X-Amz-Signature`, `X-Amz-Security-Token`). Every refusal is a [`SigV4Error`] carrying AWS's
//! code, HTTP status and message.
//!
//! ```
//! use time::{Duration, macros::datetime};
//! use warden_sigv4::{HttpRequest, SecretAccessKey, SigV4Error, derive_signing_key, parse, verify};
//!
//! // AWS's test suite, case get-vanilla.
//! let headers = [
//!     ("Host", "example.amazonaws.com"),
//!     ("X-Amz-Date", "20150830T123600Z"),
//!     (
//!         "Authorization",
//!         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
//!          SignedHeaders=host;x-amz-date, \
//!          Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
//!     ),
//! ];
//! let req = HttpRequest::new("GET", "/", "", &headers, b"");
//! let signed = parse(&req)?.ok_or(SigV4Error::MissingAuthenticationToken)?;
//! assert_eq!(signed.access_key_id(), "AKIDEXAMPLE");
//! assert_eq!(signed.scope().service(), "service");
//!
//! // The server looks the secret up by access key ID...
//! let secret = SecretAccessKey::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
//! let now = datetime!(2015-08-30 12:40:00 UTC);
//! verify(&req, &signed, &secret, now, Duration::minutes(15))?;
//!
//! // ...or a signing key it derived (and cached) for this scope.
//! let scope = signed.scope();
//! let key = derive_signing_key(&secret, scope.date(), scope.region(), scope.service());
//! verify(&req, &signed, &key, now, Duration::minutes(15))?;
//!
//! // An hour later the request is stale, with AWS's message.
//! let err = verify(&req, &signed, &key, datetime!(2015-08-30 13:36:00 UTC), Duration::minutes(15))
//!     .unwrap_err();
//! assert_eq!(err.aws_code(), "SignatureDoesNotMatch");
//! assert_eq!(err.http_status(), 403);
//! assert_eq!(
//!     err.message(),
//!     "Signature expired: 20150830T123600Z is now earlier than 20150830T132100Z (20150830T133600Z - 15 min.)"
//! );
//! # Ok::<(), SigV4Error>(())
//! ```
//!
//! Canonicalisation follows the SDK's signer for every service but S3 by default
//! ([`UriEncoding::Double`], [`PathNormalization::Normalize`]); [`verify_with`] takes other
//! [`Settings`]. AWS's SigV4 test suite (aws-c-auth) and property tests against the `aws-sigv4`
//! crate check it (see `tests/`).

mod canonical;
mod error;
mod key;
mod parse;
mod request;
mod time_fmt;
mod verify;

pub use canonical::{
    PathNormalization, Settings, UNSIGNED_PAYLOAD, UriEncoding, canonical_query, canonical_request,
    canonical_uri, payload_hash, string_to_sign,
};
pub use error::{Mismatch, SigV4Error};
pub use key::{SecretAccessKey, SigningKey, VerifyingKey, derive_signing_key};
pub use parse::{ALGORITHM, CredentialScope, MAX_EXPIRES_SECONDS, SignatureForm, SignedRequest, parse};
pub use request::{HttpRequest, Payload};
pub use verify::{verify, verify_with};
