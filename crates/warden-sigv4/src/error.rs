//! The errors a SigV4 check reports, with AWS's codes, HTTP statuses and messages.
//!
//! Codes are the awsQuery ones (IAM, STS), as listed in AWS's "Common Errors" pages; the awsJson
//! services (Cognito) name the same errors `...Exception`, see [`SigV4Error::aws_json_type`].
//! Messages are AWS's own wording, as returned by AWS's front end (the "Coral" stack) and
//! recorded by clients and emulators of it (e.g. "Signature expired: 20150830T123600Z is now
//! earlier than 20150830T124100Z (20150830T125600Z - 15 min.)").

use time::{Duration, OffsetDateTime};

use crate::time_fmt::{format_amz_date, format_skew};

/// AWS's message for a signature that does not match, before the canonical request part.
const MSG_SIGNATURE_MISMATCH: &str = "The request signature we calculated does not match the \
     signature you provided. Check your AWS Secret Access Key and signing method. Consult the \
     service documentation for details.";

/// Why a request's signature was refused (the detail of [`SigV4Error::SignatureDoesNotMatch`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// The HMAC differs: AWS tells the client what it should have signed.
    Computed {
        /// The canonical request the server computed.
        canonical_request: String,
        /// The string to sign the server computed.
        string_to_sign: String,
    },
    /// The request is refused before computing the HMAC (host not signed, credential scope
    /// wrong, both signature forms present); the message is AWS's.
    Refused(String),
}

/// A refused SigV4 request. Each variant knows its AWS code, HTTP status and message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SigV4Error {
    /// No authentication at all where the operation requires it (403). `parse` returns
    /// `Ok(None)` for such a request; the caller, which knows the operation, raises this.
    #[error("Missing Authentication Token")]
    MissingAuthenticationToken,
    /// The Authorization header or the presigned query is missing parts or malformed (400).
    #[error("{message}")]
    IncompleteSignature {
        /// AWS's message, e.g. "Authorization header requires 'Credential' parameter. ...".
        message: String,
    },
    /// The access key is unknown (403). The lookup is the caller's; this is its error.
    #[error("The security token included in the request is invalid.")]
    InvalidClientTokenId,
    /// The signature does not match, or the request is refused before the HMAC (403).
    #[error("{}", mismatch_message(.0))]
    SignatureDoesNotMatch(Box<Mismatch>),
    /// The request time is more than the allowed skew in the past (403, code
    /// `SignatureDoesNotMatch`, as IAM and STS answer it).
    #[error(
        "Signature expired: {} is now earlier than {} ({} - {}.)",
        format_amz_date(*request_time),
        format_amz_date(now.checked_sub(*skew).unwrap_or(*now)),
        format_amz_date(*now),
        format_skew(*skew)
    )]
    SignatureExpired {
        /// The request's X-Amz-Date (or Date).
        request_time: OffsetDateTime,
        /// The server's time.
        now: OffsetDateTime,
        /// The allowed clock skew.
        skew: Duration,
    },
    /// The request time is more than the allowed skew in the future (403, code
    /// `SignatureDoesNotMatch`).
    #[error(
        "Signature not yet current: {} is still later than {} ({} + {}.)",
        format_amz_date(*request_time),
        format_amz_date(now.checked_add(*skew).unwrap_or(*now)),
        format_amz_date(*now),
        format_skew(*skew)
    )]
    SignatureNotYetCurrent {
        /// The request's X-Amz-Date (or Date).
        request_time: OffsetDateTime,
        /// The server's time.
        now: OffsetDateTime,
        /// The allowed clock skew.
        skew: Duration,
    },
    /// A presigned URL used after its `X-Amz-Date + X-Amz-Expires` (400, code `RequestExpired`).
    #[error("Request has expired")]
    RequestExpired {
        /// The presigned URL's X-Amz-Date.
        request_time: OffsetDateTime,
        /// Its X-Amz-Expires.
        expires: Duration,
        /// The server's time.
        now: OffsetDateTime,
    },
    /// A presigned URL's `X-Amz-Expires` is not a number of seconds up to 604800 (400).
    #[error("{message}")]
    AuthorizationQueryParametersError {
        /// AWS's message, e.g. "X-Amz-Expires must be less than a week (in seconds) that is 604800".
        message: String,
    },
    /// The `x-amz-content-sha256` header is not the SHA-256 of the body (400).
    #[error("The provided 'x-amz-content-sha256' header does not match what was computed.")]
    XAmzContentSha256Mismatch {
        /// The header's value.
        provided: String,
        /// The hex SHA-256 of the body.
        computed: String,
    },
    /// The `x-amz-content-sha256` header is neither a SHA-256 nor `UNSIGNED-PAYLOAD` (400).
    #[error("x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value.")]
    InvalidContentSha256,
}

fn mismatch_message(mismatch: &Mismatch) -> String {
    match mismatch {
        Mismatch::Computed {
            canonical_request,
            string_to_sign,
        } => format!(
            "{MSG_SIGNATURE_MISMATCH}\n\nThe Canonical String for this request should have been\n\
             '{canonical_request}'\n\nThe String-to-Sign should have been\n'{string_to_sign}'\n"
        ),
        Mismatch::Refused(message) => message.clone(),
    }
}

impl SigV4Error {
    /// AWS's error code as the awsQuery protocol (IAM, STS) renders it.
    #[must_use]
    pub fn aws_code(&self) -> &'static str {
        match self {
            Self::MissingAuthenticationToken => "MissingAuthenticationToken",
            Self::IncompleteSignature { .. } => "IncompleteSignature",
            Self::InvalidClientTokenId => "InvalidClientTokenId",
            Self::SignatureDoesNotMatch(_)
            | Self::SignatureExpired { .. }
            | Self::SignatureNotYetCurrent { .. } => "SignatureDoesNotMatch",
            Self::RequestExpired { .. } => "RequestExpired",
            Self::AuthorizationQueryParametersError { .. } => "AuthorizationQueryParametersError",
            Self::XAmzContentSha256Mismatch { .. } => "XAmzContentSHA256Mismatch",
            Self::InvalidContentSha256 => "InvalidArgument",
        }
    }

    /// The same error's `__type` in the awsJson protocols (Cognito), where AWS names the
    /// common errors differently (`InvalidSignatureException`, `UnrecognizedClientException`...).
    #[must_use]
    pub fn aws_json_type(&self) -> &'static str {
        match self {
            Self::MissingAuthenticationToken => "MissingAuthenticationTokenException",
            Self::IncompleteSignature { .. } => "IncompleteSignatureException",
            Self::InvalidClientTokenId => "UnrecognizedClientException",
            Self::SignatureDoesNotMatch(_)
            | Self::SignatureExpired { .. }
            | Self::SignatureNotYetCurrent { .. } => "InvalidSignatureException",
            other => other.aws_code(),
        }
    }

    /// The HTTP status AWS answers with.
    #[must_use]
    pub fn http_status(&self) -> u16 {
        match self {
            Self::MissingAuthenticationToken
            | Self::InvalidClientTokenId
            | Self::SignatureDoesNotMatch(_)
            | Self::SignatureExpired { .. }
            | Self::SignatureNotYetCurrent { .. } => 403,
            Self::IncompleteSignature { .. }
            | Self::RequestExpired { .. }
            | Self::AuthorizationQueryParametersError { .. }
            | Self::XAmzContentSha256Mismatch { .. }
            | Self::InvalidContentSha256 => 400,
        }
    }

    /// AWS's message for the error (the same text as `Display`).
    #[must_use]
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// Every error here is the client's fault ("Sender" in the awsQuery envelope).
    #[must_use]
    pub fn is_sender_fault(&self) -> bool {
        true
    }

    /// `SignatureDoesNotMatch` with a message of AWS's, for refusals before the HMAC.
    pub(crate) fn refused(message: impl Into<String>) -> Self {
        Self::SignatureDoesNotMatch(Box::new(Mismatch::Refused(message.into())))
    }

    pub(crate) fn incomplete(message: impl Into<String>) -> Self {
        Self::IncompleteSignature {
            message: message.into(),
        }
    }

    /// The error AWS gives when the credential scope names another service than the one that
    /// received the request: "Credential should be scoped to correct service: 'sts'. ".
    #[must_use]
    pub fn wrong_service(expected: &str) -> Self {
        Self::refused(format!(
            "Credential should be scoped to correct service: '{expected}'. "
        ))
    }

    /// The error AWS gives when the credential scope names a region the server refuses:
    /// "Credential should be scoped to a valid region, not 'xx-nowhere-1'. ".
    #[must_use]
    pub fn wrong_region(region: &str) -> Self {
        Self::refused(format!(
            "Credential should be scoped to a valid region, not '{region}'. "
        ))
    }
}
