//! The errors IAM (and STS) return to clients, named after AWS's codes.

use warden_store::StoreError;

/// A client-visible IAM error: AWS code, HTTP status and sender/receiver fault come from
/// [`IamError::code`], [`IamError::status`] and [`IamError::sender_fault`]; the wire layer
/// renders the envelope.
#[derive(Debug, Clone, thiserror::Error)]
pub enum IamError {
    #[error("{0}")]
    NoSuchEntity(String),
    #[error("{0}")]
    EntityAlreadyExists(String),
    #[error("{0}")]
    DeleteConflict(String),
    #[error("{0}")]
    LimitExceeded(String),
    #[error("{0}")]
    MalformedPolicyDocument(String),
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    ValidationError(String),
    #[error("{0}")]
    PasswordPolicyViolation(String),
    #[error("{0}")]
    UnmodifiableEntity(String),
    #[error("{0}")]
    EntityTemporarilyUnmodifiable(String),
    #[error("{0}")]
    InvalidAuthenticationCode(String),
    #[error("{0}")]
    ConcurrentModification(String),
    #[error("{0}")]
    ReportNotPresent(String),
    #[error("{0}")]
    ReportInProgress(String),
    #[error("{0}")]
    PolicyEvaluation(String),
    #[error("{0}")]
    AccessDenied(String),
    #[error("{0}")]
    ServiceFailure(String),
    /// Any other AWS error code with its status, for rarely used codes.
    #[error("{message}")]
    Other {
        code: &'static str,
        status: u16,
        message: String,
    },
}

impl IamError {
    /// The AWS error code on the wire.
    pub fn code(&self) -> &'static str {
        match self {
            IamError::NoSuchEntity(_) => "NoSuchEntity",
            IamError::EntityAlreadyExists(_) => "EntityAlreadyExists",
            IamError::DeleteConflict(_) => "DeleteConflict",
            IamError::LimitExceeded(_) => "LimitExceeded",
            IamError::MalformedPolicyDocument(_) => "MalformedPolicyDocument",
            IamError::InvalidInput(_) => "InvalidInput",
            IamError::ValidationError(_) => "ValidationError",
            IamError::PasswordPolicyViolation(_) => "PasswordPolicyViolation",
            IamError::UnmodifiableEntity(_) => "UnmodifiableEntity",
            IamError::EntityTemporarilyUnmodifiable(_) => "EntityTemporarilyUnmodifiable",
            IamError::InvalidAuthenticationCode(_) => "InvalidAuthenticationCode",
            IamError::ConcurrentModification(_) => "ConcurrentModification",
            IamError::ReportNotPresent(_) => "ReportNotPresent",
            IamError::ReportInProgress(_) => "ReportInProgress",
            IamError::PolicyEvaluation(_) => "PolicyEvaluation",
            IamError::AccessDenied(_) => "AccessDenied",
            IamError::ServiceFailure(_) => "ServiceFailure",
            IamError::Other { code, .. } => code,
        }
    }

    /// The HTTP status AWS answers with (the service model's `httpStatusCode`).
    pub fn status(&self) -> u16 {
        match self {
            IamError::NoSuchEntity(_) | IamError::ReportNotPresent(_) => 404,
            IamError::EntityAlreadyExists(_)
            | IamError::DeleteConflict(_)
            | IamError::LimitExceeded(_)
            | IamError::EntityTemporarilyUnmodifiable(_)
            | IamError::ConcurrentModification(_) => 409,
            IamError::InvalidAuthenticationCode(_) | IamError::AccessDenied(_) => 403,
            IamError::ReportInProgress(_) => 404,
            IamError::ServiceFailure(_) => 500,
            IamError::Other { status, .. } => *status,
            _ => 400,
        }
    }

    pub fn sender_fault(&self) -> bool {
        self.status() < 500
    }

    pub fn message(&self) -> String {
        self.to_string()
    }

    pub(crate) fn no_such(kind: &str, name: &str) -> Self {
        IamError::NoSuchEntity(format!("The {kind} with name {name} cannot be found."))
    }
}

impl From<StoreError> for IamError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::AlreadyExists { kind, key } => {
                IamError::EntityAlreadyExists(format!("{kind} with name {key} already exists."))
            }
            StoreError::RevisionMismatch { .. } => IamError::ConcurrentModification(
                "The request was rejected because multiple requests to change this object were submitted simultaneously. Wait a few minutes and submit your request again.".into(),
            ),
            StoreError::Backend(e) => {
                tracing::error!(error = %e, "store failure");
                IamError::ServiceFailure("The request processing has failed because of an unknown error, exception or failure.".into())
            }
        }
    }
}
