//! One client-visible error type for the edge: every service's and layer's errors
//! convert into it, and [`crate::render`] writes it in the request's protocol.

use warden_iam::IamError;
use warden_sigv4::SigV4Error;
use warden_wire::WireError;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: String,
    pub message: String,
    pub status: u16,
    pub sender_fault: bool,
    /// For AccessDenied: the sealed details DecodeAuthorizationMessage reveals, sent in
    /// the `x-amz-encoded-authorization-message` header (AWS's message text is kept as is).
    pub encoded_message: Option<String>,
}

impl ApiError {
    pub fn new(code: &str, status: u16, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
            status,
            sender_fault: status < 500,
            encoded_message: None,
        }
    }

    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::new("AccessDenied", 403, message)
    }

    pub fn internal() -> Self {
        Self::new(
            "InternalFailure",
            500,
            "The request processing has failed because of an unknown error, exception or failure.",
        )
    }
}

impl From<IamError> for ApiError {
    fn from(e: IamError) -> Self {
        Self {
            code: e.code().to_owned(),
            message: e.message(),
            status: e.status(),
            sender_fault: e.sender_fault(),
            encoded_message: None,
        }
    }
}

impl From<WireError> for ApiError {
    fn from(e: WireError) -> Self {
        Self {
            code: e.code().to_owned(),
            message: e.message(),
            status: e.http_status(),
            sender_fault: e.sender_fault(),
            encoded_message: None,
        }
    }
}

impl From<warden_sts::StsError> for ApiError {
    fn from(e: warden_sts::StsError) -> Self {
        Self {
            code: e.code.to_owned(),
            message: e.message,
            status: e.status,
            sender_fault: e.status < 500,
            encoded_message: None,
        }
    }
}

impl From<SigV4Error> for ApiError {
    fn from(e: SigV4Error) -> Self {
        Self {
            code: e.aws_code().to_owned(),
            message: e.message(),
            status: e.http_status(),
            sender_fault: e.is_sender_fault(),
            encoded_message: None,
        }
    }
}
