//! AWS rules shared by several operations: tags, policy documents and their size
//! quotas, entity lookups with AWS's NoSuchEntity wording, the caller's own user.

use warden_policy::{Policy, PolicyKind};

use crate::caller::Caller;
use crate::error::IamError;
use crate::input::Input;
use crate::model::*;
use crate::state::AccountState;

/// IAM quotas (IAM User Guide, "IAM and AWS STS quotas").
pub mod quota {
    pub const TAGS_PER_ENTITY: usize = 50;
    pub const ACCESS_KEYS_PER_USER: usize = 2;
    pub const GROUPS_PER_USER: usize = 10;
    pub const MANAGED_POLICIES_PER_ENTITY: usize = 10;
    pub const VERSIONS_PER_POLICY: usize = 5;
    pub const ROLES_PER_INSTANCE_PROFILE: usize = 1;
    pub const ALIASES_PER_ACCOUNT: usize = 1;
    /// Non-whitespace characters of all inline policies of one entity, and of one document.
    pub const USER_POLICY_SIZE: usize = 2_048;
    pub const GROUP_POLICY_SIZE: usize = 5_120;
    pub const ROLE_POLICY_SIZE: usize = 10_240;
    pub const MANAGED_POLICY_SIZE: usize = 6_144;
    pub const TRUST_POLICY_SIZE: usize = 2_048;
}

/// Parses and validates a policy document, mapping the engine's errors to IAM's:
/// size over `limit` is `LimitExceeded`, anything else `MalformedPolicyDocument`.
pub fn parse_policy(text: &str, kind: PolicyKind, limit: usize, what: &str) -> Result<Policy, IamError> {
    if warden_policy::check_size(text, limit).is_err() {
        return Err(IamError::LimitExceeded(format!(
            "Cannot exceed quota for {what}: {limit}"
        )));
    }
    Policy::parse(text, kind).map_err(|e| IamError::MalformedPolicyDocument(e.to_string()))
}

/// Checks a set of tags after a change: AWS's limit, duplicate keys, reserved prefix.
pub fn check_tags(tags: &[Tag]) -> Result<(), IamError> {
    if tags.len() > quota::TAGS_PER_ENTITY {
        return Err(IamError::LimitExceeded(format!(
            "The number of tags has reached the maximum limit of {}.",
            quota::TAGS_PER_ENTITY
        )));
    }
    for (i, t) in tags.iter().enumerate() {
        if tags
            .iter()
            .skip(i + 1)
            .any(|o| o.key.eq_ignore_ascii_case(&t.key))
        {
            return Err(IamError::InvalidInput(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.".into(),
            ));
        }
        if t.key.to_ascii_lowercase().starts_with("aws:") {
            return Err(IamError::InvalidInput(format!(
                "User-defined tag keys can't start with 'aws:'. Tag key {} is invalid.",
                t.key
            )));
        }
    }
    Ok(())
}

/// Merges `new` into `existing` (a tag with an existing key replaces its value).
pub fn merge_tags(existing: &[Tag], new: Vec<Tag>) -> Vec<Tag> {
    let mut out: Vec<Tag> = existing
        .iter()
        .filter(|t| !new.iter().any(|n| n.key.eq_ignore_ascii_case(&t.key)))
        .cloned()
        .collect();
    out.extend(new);
    out
}

pub fn user<'a>(state: &'a AccountState, name: &str) -> Result<&'a User, IamError> {
    state
        .users
        .get(&name.to_ascii_lowercase())
        .ok_or_else(|| IamError::no_such("user", name))
}

pub fn group<'a>(state: &'a AccountState, name: &str) -> Result<&'a Group, IamError> {
    state
        .groups
        .get(&name.to_ascii_lowercase())
        .ok_or_else(|| IamError::no_such("group", name))
}

pub fn role<'a>(state: &'a AccountState, name: &str) -> Result<&'a Role, IamError> {
    state
        .roles
        .get(&name.to_ascii_lowercase())
        .ok_or_else(|| IamError::no_such("role", name))
}

/// The user an operation with an optional `UserName` acts on: the named one, else the
/// caller's own user. `Ok(None)` means the root user (which has no IAM user).
pub fn user_or_caller<'a>(
    state: &'a AccountState,
    input: &Input,
    caller: &Caller,
) -> Result<Option<&'a User>, IamError> {
    match (input.opt_str("UserName"), caller) {
        (Some(name), _) => user(state, name).map(Some),
        (None, Caller::User { user: key, .. }) => state
            .users
            .get(key)
            .map(Some)
            .ok_or_else(|| IamError::no_such("user", key)),
        (None, Caller::Root { .. }) => Ok(None),
        (None, _) => Err(IamError::ValidationError(
            "Must specify userName when calling with non-User credentials".into(),
        )),
    }
}

/// The path member, defaulting to `/` as IAM does.
pub fn path<'a>(input: &Input<'a>, member: &str) -> &'a str {
    input.opt_str(member).unwrap_or("/")
}

/// A customer managed policy of this account named by ARN.
pub fn customer_policy<'a>(state: &'a AccountState, arn: &str) -> Option<&'a ManagedPolicy> {
    let rest = arn.strip_prefix(&format!("arn:aws:iam::{}:policy", state.id))?;
    let name = rest.rsplit('/').next()?;
    let p = state.policies.get(&name.to_ascii_lowercase())?;
    (format!("{}{}", p.path, p.name) == rest).then_some(p)
}

/// Whether `arn` names a policy that can be attached in this account (customer or AWS managed).
pub fn policy_exists(state: &AccountState, arn: &str) -> bool {
    customer_policy(state, arn).is_some() || crate::managed::get(arn).is_some()
}

pub fn no_such_policy(arn: &str) -> IamError {
    IamError::NoSuchEntity(format!("Policy {arn} does not exist or is not attachable."))
}

/// Attachment and boundary counts of a managed policy across the account.
pub fn policy_usage(state: &AccountState, arn: &str) -> (usize, usize) {
    let attached = state
        .users
        .values()
        .filter(|u| u.permissions.attached.iter().any(|a| a == arn))
        .count()
        + state
            .groups
            .values()
            .filter(|g| g.permissions.attached.iter().any(|a| a == arn))
            .count()
        + state
            .roles
            .values()
            .filter(|r| r.permissions.attached.iter().any(|a| a == arn))
            .count();
    let boundary = state
        .users
        .values()
        .filter(|u| u.boundary.as_deref() == Some(arn))
        .count()
        + state
            .roles
            .values()
            .filter(|r| r.boundary.as_deref() == Some(arn))
            .count();
    (attached, boundary)
}

/// A permissions boundary must be an existing managed policy.
pub fn check_boundary(state: &AccountState, arn: &str) -> Result<(), IamError> {
    if policy_exists(state, arn) {
        Ok(())
    } else {
        Err(IamError::NoSuchEntity(format!(
            "Scope ARN: {arn} does not exist or is not attachable."
        )))
    }
}

/// `existing` with `new` merged in (TagX operations), checked against AWS's tag rules.
pub fn add_tags(existing: &[Tag], new: Vec<Tag>) -> Result<Vec<Tag>, IamError> {
    check_tags(&new)?;
    let merged = merge_tags(existing, new);
    check_tags(&merged)?;
    Ok(merged)
}

/// `existing` without the tags whose keys are in `keys` (case-insensitively; UntagX).
pub fn remove_tags(existing: &[Tag], keys: &[&str]) -> Vec<Tag> {
    existing
        .iter()
        .filter(|t| !keys.iter().any(|k| k.eq_ignore_ascii_case(&t.key)))
        .cloned()
        .collect()
}

/// A random version 4 UUID (job IDs, deletion task IDs, SAML provider UUIDs).
pub fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}
