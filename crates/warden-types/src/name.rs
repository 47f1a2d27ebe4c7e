use std::fmt;

use serde::{Deserialize, Serialize};

/// An IAM entity name: it keeps the case it was created with, but two names that differ
/// only in case are the same entity ("Names are not distinguished by case", IAM User
/// Guide, "IAM identifiers"). [`IamName::key`] is the lower-cased form used for
/// uniqueness and lookups.
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IamName(String);

impl IamName {
    pub fn new(name: impl Into<String>) -> Self {
        Self(name.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-folded key under which the name is unique.
    pub fn key(&self) -> String {
        Self::key_of(&self.0)
    }

    /// The case-folded key of any name, for looking one up.
    pub fn key_of(name: &str) -> String {
        name.to_ascii_lowercase()
    }
}

impl PartialEq for IamName {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}
impl Eq for IamName {}

impl fmt::Display for IamName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for IamName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IamName({:?})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_ignoring_case_but_keeps_case() {
        let a = IamName::new("Alice");
        assert_eq!(a, IamName::new("aLiCe"));
        assert_eq!(a.as_str(), "Alice");
        assert_eq!(a.key(), "alice");
    }
}
