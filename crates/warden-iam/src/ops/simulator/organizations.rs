//! `OrderedOrganizationPolicyInputList` (SimulateCustomPolicy): the SCPs of an
//! Organizations hierarchy, one level per element from the organization root down to the
//! account (IAM API Reference, `OrderedOrganizationPolicyType`; Organizations User Guide,
//! "SCP evaluation").
//!
//! As Organizations enforces them: an explicit deny in an SCP at any level denies; every
//! level must allow the action with at least one of its SCPs, so a level with no SCP that
//! allows (or with no SCP at all) is an implicit deny. What the levels decide is reported
//! in `OrganizationsDecisionDetail`; their statements and context keys are not reported
//! (`MatchedStatements` and `MissingContextValues` cover identity-based and resource-based
//! policies only).

use std::sync::Arc;

use serde_json::Value;
use warden_policy::{DenyReason, Layer, Policy, PolicyKind, PolicySet, Request, authorize};

use super::{Owned, malformed};
use crate::error::IamError;

/// The most levels a hierarchy has (root, five levels of OUs, account): the model's
/// `OrganizationPolicyListType` maximum.
const MAX_LEVELS: usize = 7;

/// What the SCP levels say about one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgVerdict {
    Allow,
    /// Some level has no SCP that allows.
    ImplicitDeny,
    /// An SCP at some level denies.
    ExplicitDeny,
}

/// The SCP levels of the input, root first; `None` without the member.
pub fn levels(entries: &[Value]) -> Result<Option<Vec<Owned>>, IamError> {
    if entries.is_empty() {
        return Ok(None);
    }
    if entries.len() > MAX_LEVELS {
        return Err(IamError::InvalidInput(format!(
            "The list of Organizations policy levels cannot exceed {MAX_LEVELS} items."
        )));
    }
    let mut out = Vec::with_capacity(entries.len());
    for (i, level) in entries.iter().enumerate() {
        let docs = level
            .get("ServiceControlPolicyInputList")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut policies: Owned = Vec::with_capacity(docs.len());
        for (j, doc) in docs.iter().enumerate() {
            let text = doc.as_str().unwrap_or_default();
            let policy = Policy::parse(text, PolicyKind::ServiceControl).map_err(malformed)?;
            policies.push((
                format!(
                    "OrderedOrganizationPolicyInputList.{}.ServiceControlPolicyInputList.{}",
                    i + 1,
                    j + 1
                ),
                Arc::new(policy),
            ));
        }
        out.push(policies);
    }
    Ok(Some(out))
}

/// The verdict of the levels on `request`: each level is evaluated on its own (the
/// policy engine's organizations layer: a deny denies, otherwise one SCP must allow).
pub fn verdict(request: &Request<'_>, levels: &[Owned]) -> OrgVerdict {
    let mut out = OrgVerdict::Allow;
    for level in levels {
        let set = PolicySet {
            scps: Some(level.iter().map(|(id, p)| (id.as_str(), &**p)).collect()),
            ..PolicySet::default()
        };
        match authorize(request, &set).reason {
            Some(DenyReason::ExplicitDeny(Layer::Organizations)) => return OrgVerdict::ExplicitDeny,
            Some(DenyReason::NoOrganizationsAllow) => out = OrgVerdict::ImplicitDeny,
            // The level allowed; the engine went on to the (absent) identity policies.
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use warden_policy::{Context, Principal};

    fn scp(effect: &str, action: &str) -> String {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": effect, "Action": action, "Resource": "*"}]})
            .to_string()
    }

    fn run(levels_json: Value, action: &str) -> OrgVerdict {
        let levels = levels(levels_json.as_array().unwrap()).unwrap().unwrap();
        let principal = Principal::user("arn:aws:iam::123456789012:user/u");
        let context = Context::new();
        let request = Request {
            principal: &principal,
            action,
            resource: "*",
            context: &context,
            resource_account: None,
        };
        verdict(&request, &levels)
    }

    #[test]
    fn every_level_must_allow_and_a_deny_anywhere_denies() {
        let full = scp("Allow", "*");
        let s3 = scp("Allow", "s3:*");
        let no_delete = scp("Deny", "s3:Delete*");
        let levels = json!([
            {"ServiceControlPolicyInputList": [full]},
            {"ServiceControlPolicyInputList": [s3, no_delete]},
            {"ServiceControlPolicyInputList": [full]},
        ]);
        assert_eq!(run(levels.clone(), "s3:GetObject"), OrgVerdict::Allow);
        assert_eq!(run(levels.clone(), "s3:DeleteObject"), OrgVerdict::ExplicitDeny);
        // The root allows everything, but the OU allows only s3.
        assert_eq!(run(levels, "iam:CreateUser"), OrgVerdict::ImplicitDeny);
        // A level without any SCP allows nothing.
        let empty = json!([{"ServiceControlPolicyInputList": [scp("Allow", "*")]}, {}]);
        assert_eq!(run(empty, "s3:GetObject"), OrgVerdict::ImplicitDeny);
        // An explicit deny below wins over an implicit deny above.
        let both = json!([
            {"ServiceControlPolicyInputList": [scp("Allow", "ec2:*")]},
            {"ServiceControlPolicyInputList": [scp("Deny", "s3:*")]},
        ]);
        assert_eq!(run(both, "s3:GetObject"), OrgVerdict::ExplicitDeny);
    }

    #[test]
    fn malformed_scps_and_too_many_levels() {
        let bad = json!([{"ServiceControlPolicyInputList": ["{"]}]);
        assert!(matches!(
            levels(bad.as_array().unwrap()),
            Err(IamError::MalformedPolicyDocument(_))
        ));
        let eight: Vec<Value> = (0..8)
            .map(|_| json!({"ServiceControlPolicyInputList": [scp("Allow", "*")]}))
            .collect();
        assert!(matches!(levels(&eight), Err(IamError::InvalidInput(_))));
        assert!(levels(&[]).unwrap().is_none());
    }
}
