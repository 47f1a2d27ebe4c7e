//! `PolicyExclusionList` (SimulatePrincipalPolicy): policies of the principal left out
//! of the simulation, as if detached, without detaching them (IAM API Reference,
//! `PolicyIdentifier`, `InlinePolicyIdentifierType`).
//!
//! Each entry names exactly one of a policy type, a managed policy ARN (wildcards in the
//! name part: at most one `*`, any number of `?`) or an inline policy by name and the
//! entity it is embedded in (the same wildcards in the entity name). A malformed entry is
//! `InvalidInput`; a well-formed one that matches nothing is ignored, and so are the
//! types Warden principals never have (`scp`: Warden accounts are in no organization;
//! `rcp`: not supported by AWS either).

use serde_json::Value;

use super::source::{EntityKind, Origin, Source};
use crate::error::IamError;

/// One parsed `PolicyIdentifier`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Exclusion {
    Inline,
    AwsManaged,
    CustomerManaged,
    PermissionsBoundary,
    /// `scp` and `rcp`: nothing of a Warden principal is of these types.
    Nothing,
    Arn(String),
    InlineNamed {
        policy: String,
        kind: EntityKind,
        entity: String,
    },
}

fn invalid(message: String) -> IamError {
    IamError::InvalidInput(message)
}

/// At most one `*`, any number of `?` (the identifiers' wildcard rule).
fn wildcards_ok(text: &str) -> bool {
    text.matches('*').count() <= 1
}

/// `arn:aws:iam::{aws|ACCOUNT}:policy/{path/}{name}` with wildcards only after `policy/`.
fn check_policy_arn(arn: &str) -> Result<(), IamError> {
    let bad = || invalid(format!("Invalid PolicyArn in PolicyExclusionList: {arn}."));
    let rest = arn.strip_prefix("arn:aws:iam::").ok_or_else(bad)?;
    let (account, resource) = rest.split_once(':').ok_or_else(bad)?;
    let account_ok = account == "aws" || (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()));
    let name = resource.strip_prefix("policy/").ok_or_else(bad)?;
    if !account_ok || name.is_empty() || name.contains(':') || !wildcards_ok(name) {
        return Err(bad());
    }
    Ok(())
}

fn parse_one(entry: &Value) -> Result<Exclusion, IamError> {
    let members = ["PolicyType", "PolicyArn", "InlinePolicyIdentifier"];
    let given: Vec<&str> = members
        .into_iter()
        .filter(|m| entry.get(*m).is_some_and(|v| !v.is_null()))
        .collect();
    let [member] = given.as_slice() else {
        return Err(invalid(
            "Each PolicyExclusionList entry must specify exactly one of PolicyType, PolicyArn or \
             InlinePolicyIdentifier."
                .into(),
        ));
    };
    let str_of = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_owned();
    match *member {
        "PolicyType" => match entry.get("PolicyType").and_then(Value::as_str) {
            Some("inline") => Ok(Exclusion::Inline),
            Some("aws-managed") => Ok(Exclusion::AwsManaged),
            Some("user-managed") => Ok(Exclusion::CustomerManaged),
            Some("permission-boundary") => Ok(Exclusion::PermissionsBoundary),
            Some("scp" | "rcp") => Ok(Exclusion::Nothing),
            other => Err(invalid(format!(
                "Invalid PolicyType in PolicyExclusionList: {}.",
                other.unwrap_or("null")
            ))),
        },
        "PolicyArn" => {
            let arn = str_of(entry.get("PolicyArn"));
            check_policy_arn(&arn)?;
            Ok(Exclusion::Arn(arn))
        }
        _ => {
            let inline = entry.get("InlinePolicyIdentifier");
            let field = |name: &str| str_of(inline.and_then(|i| i.get(name)));
            let (policy, kind, entity) = (
                field("PolicyName"),
                field("AttachmentType"),
                field("AttachmentName"),
            );
            let kind = match kind.as_str() {
                "user" => EntityKind::User,
                "group" => EntityKind::Group,
                "role" => EntityKind::Role,
                other => {
                    return Err(invalid(format!(
                        "Invalid AttachmentType in PolicyExclusionList: {other}."
                    )));
                }
            };
            if policy.is_empty() || policy.contains(['*', '?']) || entity.is_empty() || !wildcards_ok(&entity)
            {
                return Err(invalid(
                    "Invalid InlinePolicyIdentifier in PolicyExclusionList: PolicyName and AttachmentName \
                     are required, and only AttachmentName may use wildcards (at most one *)."
                        .into(),
                ));
            }
            Ok(Exclusion::InlineNamed { policy, kind, entity })
        }
    }
}

/// The identifiers of `PolicyExclusionList`, all checked before any is applied.
pub struct Exclusions(Vec<Exclusion>);

impl Exclusions {
    pub fn parse(entries: &[Value]) -> Result<Exclusions, IamError> {
        entries
            .iter()
            .map(parse_one)
            .collect::<Result<_, _>>()
            .map(Exclusions)
    }

    fn excludes(&self, origin: &Origin) -> bool {
        self.0.iter().any(|e| match (e, origin) {
            (Exclusion::Inline, Origin::Inline { .. }) => true,
            (Exclusion::AwsManaged, Origin::Managed { arn }) => arn.starts_with("arn:aws:iam::aws:"),
            (Exclusion::CustomerManaged, Origin::Managed { arn }) => !arn.starts_with("arn:aws:iam::aws:"),
            (Exclusion::Arn(pattern), Origin::Managed { arn }) => {
                warden_policy::wildcard_match(pattern, arn, false)
            }
            (
                Exclusion::InlineNamed { policy, kind, entity },
                Origin::Inline {
                    owner_kind,
                    owner,
                    name,
                },
            ) => {
                // IAM names are unique without case; so they match.
                kind == owner_kind
                    && policy.eq_ignore_ascii_case(name)
                    && warden_policy::wildcard_match(entity, owner, true)
            }
            _ => false,
        })
    }

    /// Leaves the excluded policies out of `source`: identity policies by origin, and its
    /// own permissions boundary for `permission-boundary`.
    pub fn apply(&self, source: &mut Source) {
        let keep: Vec<bool> = source.origins.iter().map(|o| !self.excludes(o)).collect();
        let mut keep_identity = keep.iter().copied();
        source.identity.retain(|_| keep_identity.next().unwrap_or(true));
        let mut keep_origin = keep.iter().copied();
        source.origins.retain(|_| keep_origin.next().unwrap_or(true));
        if self.0.contains(&Exclusion::PermissionsBoundary) {
            source.boundary = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn malformed_identifiers_are_invalid_input() {
        for bad in [
            json!({}),
            json!({"PolicyType": "inline", "PolicyArn": "arn:aws:iam::aws:policy/X"}),
            json!({"PolicyType": "nonsense"}),
            json!({"PolicyArn": "not-an-arn"}),
            json!({"PolicyArn": "arn:aws:iam::*:policy/X"}),
            json!({"PolicyArn": "arn:aws:iam::123456789012:role/X"}),
            json!({"PolicyArn": "arn:aws:iam::123456789012:policy/*a*"}),
            json!({"InlinePolicyIdentifier": {"PolicyName": "p", "AttachmentType": "thing", "AttachmentName": "u"}}),
            json!({"InlinePolicyIdentifier": {"PolicyName": "p*", "AttachmentType": "user", "AttachmentName": "u"}}),
            json!({"InlinePolicyIdentifier": {"PolicyName": "p", "AttachmentType": "user", "AttachmentName": "a*b*"}}),
        ] {
            assert!(
                matches!(
                    Exclusions::parse(std::slice::from_ref(&bad)),
                    Err(IamError::InvalidInput(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn what_each_identifier_matches() {
        let e = Exclusions::parse(&[
            json!({"PolicyArn": "arn:aws:iam::123456789012:policy/team-?/*"}),
            json!({"InlinePolicyIdentifier": {"PolicyName": "Inline", "AttachmentType": "group", "AttachmentName": "dev*"}}),
            json!({"PolicyType": "scp"}),
        ])
        .unwrap();
        let managed = |arn: &str| Origin::Managed { arn: arn.into() };
        let inline = |kind, owner: &str, name: &str| Origin::Inline {
            owner_kind: kind,
            owner: owner.into(),
            name: name.into(),
        };
        assert!(e.excludes(&managed("arn:aws:iam::123456789012:policy/team-a/read")));
        assert!(!e.excludes(&managed("arn:aws:iam::123456789012:policy/team-ab/read")));
        assert!(!e.excludes(&managed("arn:aws:iam::aws:policy/ReadOnlyAccess")));
        assert!(e.excludes(&inline(EntityKind::Group, "developers", "inline")));
        assert!(!e.excludes(&inline(EntityKind::User, "developers", "inline")));
        assert!(!e.excludes(&inline(EntityKind::Group, "ops", "inline")));
        let types = Exclusions::parse(&[json!({"PolicyType": "aws-managed"})]).unwrap();
        assert!(types.excludes(&managed("arn:aws:iam::aws:policy/ReadOnlyAccess")));
        assert!(!types.excludes(&managed("arn:aws:iam::123456789012:policy/mine")));
        assert!(!types.excludes(&inline(EntityKind::User, "u", "p")));
    }
}
