use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::AccountId;

/// An Amazon Resource Name: `arn:partition:service:region:account:resource`.
///
/// The resource part keeps any further `:` or `/` (`role/path/Name`,
/// `assumed-role/Role/Session`), as AWS's ARN grammar allows.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Arn {
    partition: String,
    service: String,
    region: String,
    account: String,
    resource: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ArnError {
    #[error("ARN {0:?} must start with 'arn:' and have six ':'-separated parts")]
    Shape(String),
    #[error("ARN {0:?} has an empty partition, service or resource")]
    Empty(String),
}

impl Arn {
    /// An IAM ARN in partition `aws`: `arn:aws:iam::ACCOUNT:{kind}{path}{name}` where `kind_and_path`
    /// is e.g. `user/` + path without its leading slash (`user/dev/`).
    pub fn iam(account: &AccountId, kind_and_path: &str, name: &str) -> Self {
        Self {
            partition: "aws".into(),
            service: "iam".into(),
            region: String::new(),
            account: account.to_string(),
            resource: format!("{kind_and_path}{name}"),
        }
    }

    pub fn new(service: &str, region: &str, account: &str, resource: &str) -> Self {
        Self {
            partition: "aws".into(),
            service: service.into(),
            region: region.into(),
            account: account.into(),
            resource: resource.into(),
        }
    }

    pub fn partition(&self) -> &str {
        &self.partition
    }
    pub fn service(&self) -> &str {
        &self.service
    }
    pub fn region(&self) -> &str {
        &self.region
    }
    pub fn account(&self) -> &str {
        &self.account
    }
    pub fn resource(&self) -> &str {
        &self.resource
    }
}

impl FromStr for Arn {
    type Err = ArnError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.splitn(6, ':');
        let (Some("arn"), Some(partition), Some(service), Some(region), Some(account), Some(resource)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(ArnError::Shape(s.to_owned()));
        };
        if partition.is_empty() || service.is_empty() || resource.is_empty() {
            return Err(ArnError::Empty(s.to_owned()));
        }
        Ok(Self {
            partition: partition.into(),
            service: service.into(),
            region: region.into(),
            account: account.into(),
            resource: resource.into(),
        })
    }
}

impl TryFrom<String> for Arn {
    type Error = ArnError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Arn> for String {
    fn from(a: Arn) -> String {
        a.to_string()
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:{}:{}:{}:{}",
            self.partition, self.service, self.region, self.account, self.resource
        )
    }
}

impl fmt::Debug for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Arn({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn round_trips_iam_and_sts_arns() {
        for s in [
            "arn:aws:iam::123456789012:user/Alice",
            "arn:aws:iam::123456789012:role/service-role/x",
            "arn:aws:sts::123456789012:assumed-role/R/sess",
            "arn:aws:iam::aws:policy/AdministratorAccess",
            "arn:aws:s3:::bucket/key:with:colons",
        ] {
            let arn: Arn = s.parse().unwrap();
            assert_eq!(arn.to_string(), s);
        }
    }

    #[test]
    fn rejects_malformed() {
        assert!("arn:aws:iam::123".parse::<Arn>().is_err());
        assert!("urn:aws:iam::1:user/x".parse::<Arn>().is_err());
        assert!("arn::iam::1:user/x".parse::<Arn>().is_err());
        assert!("arn:aws:iam::1:".parse::<Arn>().is_err());
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in ".{0,200}") {
            let _ = s.parse::<Arn>();
        }
    }
}
