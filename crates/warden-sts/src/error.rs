use warden_iam::IamError;

/// STS's client-visible errors (AWS's codes and statuses).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct StsError {
    pub code: &'static str,
    pub status: u16,
    pub message: String,
}

impl StsError {
    pub fn new(code: &'static str, status: u16, message: impl Into<String>) -> Self {
        Self {
            code,
            status,
            message: message.into(),
        }
    }
    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::new("AccessDenied", 403, message)
    }
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new("ValidationError", 400, message)
    }
    pub fn malformed(message: impl Into<String>) -> Self {
        Self::new("MalformedPolicyDocument", 400, message)
    }
    pub fn invalid_token() -> Self {
        Self::new(
            "InvalidClientTokenId",
            403,
            "The security token included in the request is invalid.",
        )
    }
    pub fn expired_token() -> Self {
        Self::new(
            "ExpiredToken",
            403,
            "The security token included in the request is expired",
        )
    }
    pub fn internal(message: impl Into<String>) -> Self {
        let message = message.into();
        tracing::error!(%message, "STS internal failure");
        Self::new("InternalFailure", 500, "An internal error occurred.")
    }
}

impl From<IamError> for StsError {
    fn from(e: IamError) -> Self {
        Self {
            code: e.code(),
            status: e.status(),
            message: e.message(),
        }
    }
}
