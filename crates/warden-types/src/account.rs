use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A 12-digit AWS account ID. The `aws` pseudo-account of AWS managed policies is not
/// an `AccountId`: it is handled where managed policies are.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountId(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("account ID must be exactly 12 digits, got {0:?}")]
pub struct AccountIdError(pub String);

impl AccountId {
    /// A fresh random account ID (the first digit is not zero, as AWS's never are in practice).
    pub fn random() -> Self {
        use rand::Rng;
        let mut rng = rand::thread_rng();
        let mut s = String::with_capacity(12);
        s.push(char::from(b'1' + rng.gen_range(0..9u8)));
        for _ in 0..11 {
            s.push(char::from(b'0' + rng.gen_range(0..10u8)));
        }
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for AccountId {
    type Err = AccountIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(AccountIdError(s.to_owned()))
        }
    }
}

impl TryFrom<String> for AccountId {
    type Error = AccountIdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<AccountId> for String {
    fn from(a: AccountId) -> String {
        a.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountId({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_twelve_digits_only() {
        assert!("123456789012".parse::<AccountId>().is_ok());
        assert!("12345678901".parse::<AccountId>().is_err());
        assert!("12345678901a".parse::<AccountId>().is_err());
        assert!("1234567890123".parse::<AccountId>().is_err());
    }

    #[test]
    fn random_is_valid() {
        for _ in 0..100 {
            let a = AccountId::random();
            assert!(a.as_str().parse::<AccountId>().is_ok());
        }
    }
}
