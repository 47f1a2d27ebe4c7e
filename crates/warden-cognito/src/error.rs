//! Cognito's client-visible errors: AWS's exception names, statuses and messages.

use warden_store::StoreError;

/// An error as the caller sees it (`__type` and `message` of the awsJson1.1 envelope).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct CognitoError {
    pub code: &'static str,
    pub status: u16,
    pub message: String,
}

impl CognitoError {
    pub fn new(code: &'static str, status: u16, message: impl Into<String>) -> Self {
        Self {
            code,
            status,
            message: message.into(),
        }
    }

    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new("InvalidParameterException", 400, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new("ResourceNotFoundException", 400, message)
    }

    pub fn not_authorized(message: impl Into<String>) -> Self {
        Self::new("NotAuthorizedException", 400, message)
    }

    pub fn user_not_found() -> Self {
        Self::new("UserNotFoundException", 400, "User does not exist.")
    }

    pub fn invalid_password(message: impl Into<String>) -> Self {
        Self::new("InvalidPasswordException", 400, message)
    }

    pub fn pool_not_found(pool_id: &str) -> Self {
        Self::not_found(format!("User pool {pool_id} does not exist."))
    }

    pub fn client_not_found(client_id: &str) -> Self {
        Self::not_found(format!("User pool client {client_id} does not exist."))
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new("InternalErrorException", 500, message)
    }
}

impl From<StoreError> for CognitoError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "user pool store failure");
        Self::internal("An internal error occurred.")
    }
}
