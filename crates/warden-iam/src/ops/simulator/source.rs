//! The policies of a `PolicySourceArn` (SimulatePrincipalPolicy,
//! GetContextKeysForPrincipalPolicy): a user's inline and attached policies and those of
//! its groups, a group's, or a role's, with the permissions boundary of a user or role.
//!
//! Policy ids are the ones the simulator reports as `SourcePolicyId`: an inline policy
//! as `{user|group|role}_{owner}_{policy}`, a managed policy by its name.

use std::sync::Arc;

use warden_policy::{Policy, Principal};

use crate::authz::managed_policy;
use crate::error::IamError;
use crate::model::Permissions;
use crate::state::AccountState;

/// The kind of IAM entity an ARN names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityKind {
    User,
    Group,
    Role,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::User => "user",
            EntityKind::Group => "group",
            EntityKind::Role => "role",
        }
    }
}

/// An `arn:aws:iam::ACCOUNT:{user|group|role}/{path}{name}` taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityArn<'a> {
    pub account: &'a str,
    pub kind: EntityKind,
    pub path: String,
    pub name: &'a str,
}

impl<'a> EntityArn<'a> {
    pub fn parse(arn: &'a str) -> Option<Self> {
        let rest = arn.strip_prefix("arn:aws:iam::")?;
        let (account, resource) = rest.split_once(':')?;
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (kind, path_name) = resource.split_once('/')?;
        let kind = match kind {
            "user" => EntityKind::User,
            "group" => EntityKind::Group,
            "role" => EntityKind::Role,
            _ => return None,
        };
        let (path, name) = match path_name.rsplit_once('/') {
            Some((inner, name)) => (format!("/{inner}/"), name),
            None => ("/".to_owned(), path_name),
        };
        if name.is_empty() || name.contains(['*', '?']) {
            return None;
        }
        Some(Self {
            account,
            kind,
            path,
            name,
        })
    }

    /// The policy-language principal for a simulated caller with this ARN. A group is
    /// never a principal of a real request; it is simulated as a user-like identity.
    pub fn principal(&self, arn: &str) -> Principal {
        match self.kind {
            EntityKind::Role => Principal::role(arn),
            EntityKind::User | EntityKind::Group => Principal::user(arn),
        }
    }
}

/// Where one of a source's identity policies comes from, for `PolicyExclusionList`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// An inline policy of the entity or of one of its groups.
    Inline {
        owner_kind: EntityKind,
        owner: String,
        name: String,
    },
    /// A managed policy attached to the entity or to one of its groups.
    Managed { arn: String },
}

/// The policies gathered from one entity, owned so that a `PolicySet` can borrow them.
pub struct Source {
    pub arn: String,
    pub kind: EntityKind,
    pub name: String,
    pub identity: Vec<(String, Arc<Policy>)>,
    /// Where each of `identity` comes from, in the same order.
    pub origins: Vec<Origin>,
    pub boundary: Option<(String, Arc<Policy>)>,
}

/// AWS's answer for an ARN that does not name a user, group or role.
pub fn invalid_entity(arn: &str) -> IamError {
    IamError::InvalidInput(format!(
        "Invalid Entity Arn: {arn} does not clearly define entity type and name."
    ))
}

/// The entity named by `arn` in this account, with its policies.
pub fn resolve(state: &AccountState, arn: &str) -> Result<Source, IamError> {
    let parsed = EntityArn::parse(arn).ok_or_else(|| invalid_entity(arn))?;
    let kind = parsed.kind;
    let missing = || IamError::no_such(kind.as_str(), parsed.name);
    if parsed.account != state.id.as_str() {
        return Err(missing());
    }
    let key = parsed.name.to_ascii_lowercase();
    let mut out = Gathered::default();
    let (name, path, boundary) = match kind {
        EntityKind::User => {
            let u = state.users.get(&key).ok_or_else(missing)?;
            add(state, EntityKind::User, &u.name, &u.permissions, &mut out);
            for g in u.groups.iter().filter_map(|k| state.groups.get(k)) {
                add(state, EntityKind::Group, &g.name, &g.permissions, &mut out);
            }
            (&u.name, &u.path, u.boundary.as_deref())
        }
        EntityKind::Group => {
            let g = state.groups.get(&key).ok_or_else(missing)?;
            add(state, EntityKind::Group, &g.name, &g.permissions, &mut out);
            (&g.name, &g.path, None)
        }
        EntityKind::Role => {
            let r = state.roles.get(&key).ok_or_else(missing)?;
            add(state, EntityKind::Role, &r.name, &r.permissions, &mut out);
            (&r.name, &r.path, r.boundary.as_deref())
        }
    };
    // The ARN names the entity with its path; the same name under another path is another entity.
    if *path != parsed.path {
        return Err(missing());
    }
    let boundary = boundary.and_then(|arn| managed_policy(state, arn).map(|p| (managed_id(arn), p)));
    Ok(Source {
        arn: state.arn(kind.as_str(), path, name),
        kind,
        name: name.clone(),
        identity: out.identity,
        origins: out.origins,
        boundary,
    })
}

/// A managed policy's `SourcePolicyId`: its name.
fn managed_id(arn: &str) -> String {
    arn.rsplit('/').next().unwrap_or(arn).to_owned()
}

#[derive(Default)]
struct Gathered {
    identity: Vec<(String, Arc<Policy>)>,
    origins: Vec<Origin>,
}

fn add(state: &AccountState, owner_kind: EntityKind, owner: &str, perms: &Permissions, out: &mut Gathered) {
    for p in perms.inline.values() {
        if let Some(c) = &p.document.compiled {
            out.identity
                .push((format!("{}_{owner}_{}", owner_kind.as_str(), p.name), c.clone()));
            out.origins.push(Origin::Inline {
                owner_kind,
                owner: owner.to_owned(),
                name: p.name.clone(),
            });
        }
    }
    for arn in &perms.attached {
        if let Some(c) = managed_policy(state, arn) {
            out.identity.push((managed_id(arn), c));
            out.origins.push(Origin::Managed { arn: arn.clone() });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_arns() {
        let a = EntityArn::parse("arn:aws:iam::123456789012:user/dev/team/alice").unwrap();
        assert_eq!(
            (a.account, a.kind, a.path.as_str(), a.name),
            ("123456789012", EntityKind::User, "/dev/team/", "alice")
        );
        let g = EntityArn::parse("arn:aws:iam::123456789012:group/admins").unwrap();
        assert_eq!(
            (g.kind, g.path.as_str(), g.name),
            (EntityKind::Group, "/", "admins")
        );
        for bad in [
            "arn:aws:iam::123456789012:policy/p",
            "arn:aws:iam::123456789012:user/",
            "arn:aws:iam::12345:user/a",
            "arn:aws:sts::123456789012:assumed-role/r/s",
            "arn:aws:iam::123456789012:user/*",
            "*",
        ] {
            assert_eq!(EntityArn::parse(bad), None, "{bad}");
        }
    }
}
