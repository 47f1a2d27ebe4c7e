//! AWS managed policies (`arn:aws:iam::aws:policy/...`): the documents AWS publishes,
//! present in every account, immutable. Parsed on first use (the JSON is 4.6 MB) and
//! each document compiled on first use, so that start-up stays fast.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, OnceLock};

use serde::Deserialize;
use warden_policy::{Policy, PolicyKind};

static RAW: &str = include_str!("../data/aws-managed-policies.json");

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawPolicy {
    create_date: String,
    update_date: String,
    default_version_id: String,
    path: String,
    document: serde_json::Value,
}

pub struct AwsManagedPolicy {
    pub name: String,
    pub path: String,
    pub arn: String,
    pub id: String,
    pub default_version: String,
    pub created: String,
    pub updated: String,
    pub document: String,
    compiled: OnceLock<Option<Arc<Policy>>>,
}

impl AwsManagedPolicy {
    /// The compiled document (`None` only if AWS's text failed our parser, which the
    /// tests rule out).
    pub fn compiled(&self) -> Option<&Arc<Policy>> {
        self.compiled
            .get_or_init(|| {
                Policy::parse(&self.document, PolicyKind::Identity)
                    .ok()
                    .map(Arc::new)
            })
            .as_ref()
    }
}

static POLICIES: LazyLock<HashMap<String, AwsManagedPolicy>> = LazyLock::new(load);

fn load() -> HashMap<String, AwsManagedPolicy> {
    let raw: HashMap<String, RawPolicy> = serde_json::from_str(RAW).unwrap_or_default();
    raw.into_iter()
        .map(|(name, p)| {
            let arn = format!("arn:aws:iam::aws:policy{}{}", p.path, name);
            let policy = AwsManagedPolicy {
                id: stable_id(&name),
                document: serde_json::to_string(&p.document).unwrap_or_default(),
                name,
                path: p.path,
                arn: arn.clone(),
                default_version: p.default_version_id,
                created: p.create_date,
                updated: p.update_date,
                compiled: OnceLock::new(),
            };
            (arn, policy)
        })
        .collect()
}

/// A stable `ANPA...` ID derived from the name, so every account and every restart agree.
fn stable_id(name: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut out = String::from("ANPA");
    for round in 0u8..17 {
        for b in name.bytes().chain([round]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        let i = usize::try_from(h % 32).unwrap_or(0);
        out.push(char::from(ALPHABET.get(i).copied().unwrap_or(b'A')));
    }
    out
}

/// The AWS managed policy with this ARN.
pub fn get(arn: &str) -> Option<&'static AwsManagedPolicy> {
    POLICIES.get(arn)
}

/// Every AWS managed policy, sorted by name.
pub fn all() -> Vec<&'static AwsManagedPolicy> {
    let mut v: Vec<_> = POLICIES.values().collect();
    v.sort_by(|a, b| a.name.cmp(&b.name));
    v
}

/// Parses the vendored file now (the server calls this after it is ready).
pub fn warm_up() {
    LazyLock::force(&POLICIES);
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
        assert!(all().len() > 1500);
    }

    #[test]
    fn every_aws_policy_compiles() {
        let failed: Vec<_> = all()
            .into_iter()
            .filter(|p| p.compiled().is_none())
            .map(|p| {
                (
                    &p.name,
                    Policy::parse(&p.document, PolicyKind::Identity)
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
