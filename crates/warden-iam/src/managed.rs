//! AWS managed policies (`arn:aws:iam::aws:policy/...`): the documents AWS publishes,
//! present in every account, immutable. The build script turns the vendored JSON into
//! a static table sorted by ARN (`build.rs`), so nothing is parsed or copied at start-up
//! and a document's bytes are only paged in when a policy is used; each document is
//! compiled on first use.

use std::sync::{Arc, OnceLock};

use warden_policy::{Policy, PolicyKind};

pub struct AwsManagedPolicy {
    pub name: &'static str,
    pub path: &'static str,
    pub arn: &'static str,
    /// A stable `ANPA...` ID derived from the name (the same in every account and build).
    pub id: &'static str,
    pub default_version: &'static str,
    pub created: &'static str,
    pub updated: &'static str,
    /// The policy document as compact JSON.
    pub document: &'static str,
    compiled: OnceLock<Option<Arc<Policy>>>,
}

impl AwsManagedPolicy {
    /// The compiled document (`None` only if AWS's text failed our parser, which the
    /// tests rule out).
    pub fn compiled(&self) -> Option<&Arc<Policy>> {
        self.compiled
            .get_or_init(|| {
                Policy::parse(self.document, PolicyKind::Identity)
                    .ok()
                    .map(Arc::new)
            })
            .as_ref()
    }
}

include!(concat!(env!("OUT_DIR"), "/aws_managed_policies.rs"));

/// The AWS managed policy with this ARN.
pub fn get(arn: &str) -> Option<&'static AwsManagedPolicy> {
    let i = POLICIES.binary_search_by(|p| p.arn.cmp(arn)).ok()?;
    POLICIES.get(i)
}

/// Every AWS managed policy, sorted by name.
pub fn all() -> impl Iterator<Item = &'static AwsManagedPolicy> {
    BY_NAME.iter().filter_map(|&i| POLICIES.get(usize::from(i)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_policies_exist() {
        for name in [
            "AdministratorAccess",
            "ReadOnlyAccess",
            "IAMReadOnlyAccess",
            "AmazonS3FullAccess",
        ] {
            let p = get(&format!("arn:aws:iam::aws:policy/{name}")).unwrap();
            assert_eq!(p.name, name);
            assert!(p.id.starts_with("ANPA") && p.id.len() == 21);
        }
        assert!(get("arn:aws:iam::aws:policy/NoSuchPolicyAnywhere").is_none());
        assert!(all().count() > 1500);
        let names: Vec<_> = all().map(|p| p.name).collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]), "all() is sorted by name");
    }

    #[test]
    fn documents_are_compact_json_in_aws_order() {
        let p = get("arn:aws:iam::aws:policy/AdministratorAccess").unwrap();
        assert_eq!(
            p.document,
            r#"{"Statement":[{"Action":"*","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}"#
        );
        assert_eq!(p.path, "/");
        assert_eq!(p.arn, "arn:aws:iam::aws:policy/AdministratorAccess");
    }

    #[test]
    fn every_aws_policy_compiles() {
        let failed: Vec<_> = all()
            .filter(|p| p.compiled().is_none())
            .map(|p| {
                (
                    p.name,
                    Policy::parse(p.document, PolicyKind::Identity)
                        .err()
                        .map(|e| e.to_string()),
                )
            })
            .collect();
        assert!(
            failed.is_empty(),
            "AWS managed policies our parser rejects: {failed:?}"
        );
    }
}
