//! Why a policy document was refused.

/// Which AWS error code the server should answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyErrorKind {
    /// `MalformedPolicyDocument` (HTTP 400): the document is not a valid policy.
    Malformed,
    /// `LimitExceeded` (HTTP 409): the document is larger than its quota.
    LimitExceeded,
}

/// A policy document IAM would refuse.
///
/// `message` is worded exactly as AWS words it (the server returns it verbatim);
/// `location` says where in the document the problem is, for logs and tests,
/// because AWS's own messages mostly don't.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PolicyError {
    kind: PolicyErrorKind,
    message: String,
    location: Option<String>,
}

impl PolicyError {
    pub(crate) fn malformed(message: impl Into<String>, location: impl Into<String>) -> Self {
        let location = location.into();
        Self {
            kind: PolicyErrorKind::Malformed,
            message: message.into(),
            location: (!location.is_empty()).then_some(location),
        }
    }

    pub(crate) fn limit_exceeded(message: String) -> Self {
        Self {
            kind: PolicyErrorKind::LimitExceeded,
            message,
            location: None,
        }
    }

    /// The AWS error kind (`MalformedPolicyDocument` or `LimitExceeded`).
    pub fn kind(&self) -> PolicyErrorKind {
        self.kind
    }

    /// True when the server must answer `LimitExceeded` rather than `MalformedPolicyDocument`.
    pub fn is_limit_exceeded(&self) -> bool {
        self.kind == PolicyErrorKind::LimitExceeded
    }

    /// The AWS error code for this error.
    pub fn aws_code(&self) -> &'static str {
        match self.kind {
            PolicyErrorKind::Malformed => "MalformedPolicyDocument",
            PolicyErrorKind::LimitExceeded => "LimitExceeded",
        }
    }

    /// The message as AWS words it.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where the problem is, e.g. `Statement[1].Condition.DateGreaterThan.aws:CurrentTime`
    /// or `line 3, column 7`; `None` when it concerns the whole document.
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }
}

/// Checks a document against a size quota the way IAM counts it: characters that
/// are not whitespace. The caller picks the quota: 2,048 (user inline), 5,120
/// (group inline), 10,240 (role inline), 6,144 (managed policy).
///
/// ```
/// use warden_policy::check_size;
/// assert!(check_size("{ \"a\" : 1 }", 7).is_ok());
/// let err = check_size("{\"a\":12}", 7).unwrap_err();
/// assert!(err.is_limit_exceeded());
/// ```
pub fn check_size(text: &str, limit: usize) -> Result<(), PolicyError> {
    let size = text.chars().filter(|c| !c.is_whitespace()).count();
    if size > limit {
        return Err(PolicyError::limit_exceeded(format!(
            "Cannot exceed quota for PolicySize: {limit}"
        )));
    }
    Ok(())
}
