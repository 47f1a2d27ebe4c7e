//! The errors the codecs return: each carries the AWS code, HTTP status and fault the envelope needs.

/// A request that cannot be decoded or validated, or an output that does not fit its shape.
///
/// Render it with [`crate::encode_query_error`] or [`crate::encode_json_error`], using [`WireError::code`],
/// [`WireError::message`], [`WireError::http_status`] and [`WireError::sender_fault`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// awsQuery request without `Action`. AWS: `MissingAction`, 400 (Common Errors).
    #[error("Missing Action")]
    MissingAction,
    /// awsQuery `Action` (or `Version`) the service does not know. AWS (Coral query services such as IAM,
    /// SES): `InvalidAction`, 400, `Could not find operation X for version Y`.
    #[error("Could not find operation {action} for version {version}")]
    InvalidAction {
        /// The requested action.
        action: String,
        /// The requested (or the service's) version.
        version: String,
    },
    /// awsQuery parameter that is not a member of the input. The code is EC2's (`UnknownParameter`,
    /// `The parameter X is not recognized`), the one query service that documents rejecting them.
    #[error("The parameter {name} is not recognized")]
    UnknownParameter {
        /// The parameter as sent (the full dotted key).
        name: String,
    },
    /// awsQuery value of the wrong type, bad list index, too many members, duplicate key. AWS common error
    /// `InvalidParameterValue` (400): "An invalid or out-of-range value was supplied for the input parameter".
    #[error("{message}")]
    InvalidParameterValue {
        /// What is wrong, naming the parameter.
        message: String,
    },
    /// The model's constraints are broken. `code` is the service's (see
    /// [`crate::ServiceModel::validation_error_code`]); the message is AWS's
    /// `N validation error(s) detected: ...`.
    #[error("{message}")]
    Validation {
        /// `ValidationError` or `InvalidParameterException`.
        code: String,
        /// The full message.
        message: String,
    },
    /// awsJson/restJson body that is not JSON or whose values have the wrong JSON type:
    /// `SerializationException`, 400.
    #[error("{message}")]
    Serialization {
        /// What is wrong.
        message: String,
    },
    /// awsJson `X-Amz-Target` or restJson route the service does not know: `UnknownOperationException`
    /// (400 for awsJson as Coral answers; 404 for an unmatched restJson route).
    #[error("{message}")]
    UnknownOperation {
        /// What was asked.
        message: String,
        /// 400 or 404.
        status: u16,
    },
    /// The handler's output does not fit the output shape (a server bug): `InternalFailure`, 500.
    #[error("{message}")]
    InternalFailure {
        /// What does not fit.
        message: String,
    },
}

impl WireError {
    /// The AWS error code.
    #[must_use]
    pub fn code(&self) -> &str {
        match self {
            WireError::MissingAction => "MissingAction",
            WireError::InvalidAction { .. } => "InvalidAction",
            WireError::UnknownParameter { .. } => "UnknownParameter",
            WireError::InvalidParameterValue { .. } => "InvalidParameterValue",
            WireError::Validation { code, .. } => code,
            WireError::Serialization { .. } => "SerializationException",
            WireError::UnknownOperation { .. } => "UnknownOperationException",
            WireError::InternalFailure { .. } => "InternalFailure",
        }
    }

    /// The HTTP status.
    #[must_use]
    pub fn http_status(&self) -> u16 {
        match self {
            WireError::UnknownOperation { status, .. } => *status,
            WireError::InternalFailure { .. } => 500,
            _ => 400,
        }
    }

    /// Whether the caller is at fault (`<Type>Sender</Type>`).
    #[must_use]
    pub fn sender_fault(&self) -> bool {
        !matches!(self, WireError::InternalFailure { .. })
    }

    /// The message for the envelope.
    #[must_use]
    pub fn message(&self) -> String {
        self.to_string()
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        WireError::InvalidParameterValue {
            message: message.into(),
        }
    }

    pub(crate) fn serialization(message: impl Into<String>) -> Self {
        WireError::Serialization {
            message: message.into(),
        }
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        WireError::InternalFailure {
            message: message.into(),
        }
    }
}
