//! IAM's operations: one table from AWS's operation name to its resource and handler.
//! The IAM action of every operation is `iam:` + its name (Service Authorization
//! Reference, "Actions defined by AWS Identity and Access Management").

mod access_keys;
mod account;
pub mod credentials;
pub mod delegation;
mod groups;
mod inline;
mod instance_profiles;
mod login;
pub mod mfa;
pub mod organizations;
pub mod outbound_federation;
mod policies;
mod policy_template;
pub mod providers;
pub mod reports;
mod roles;
pub mod server_cert_tags;
pub mod service_access;
pub mod simulator;
mod summary;
mod tags;
mod users;

use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::caller::Caller;
use crate::error::IamError;
use crate::input::Input;
use crate::state::{AccountState, Snapshot};
use crate::tx::Tx;
use crate::util::{decode_marker, encode_marker};
use warden_types::AccountId;

/// What an operation needs beyond its input.
pub struct OpCtx<'a> {
    pub now: OffsetDateTime,
    pub caller: &'a Caller,
    /// Seals new secrets (access keys) for storage.
    pub sealer: &'a crate::crypto::Sealer,
}

pub type ReadFn = fn(&AccountState, &Input, &OpCtx) -> Result<Value, IamError>;
pub type WriteFn = fn(&mut Tx, &Input, &OpCtx) -> Result<Value, IamError>;
/// A read over every account's published state, for entities that one account holds and
/// callers of other accounts act on (delegation requests).
pub type SharedReadFn = fn(&Snapshot, &Input, &OpCtx) -> Result<Value, IamError>;
/// The account that holds the entity the input names; `None`: the caller's own.
pub type HomeFn = fn(&Snapshot, &Input) -> Option<AccountId>;
/// A write in the account [`HomeFn`] names, given the caller's own (published) account too.
pub type CrossWriteFn = fn(&mut Tx, &AccountState, &Input, &OpCtx) -> Result<Value, IamError>;

#[derive(Clone, Copy)]
pub enum Handler {
    Read(ReadFn),
    Write(WriteFn),
    ReadShared(SharedReadFn),
    WriteIn(HomeFn, CrossWriteFn),
}

/// The resource an operation acts on, for authorization (`Resource` in policies).
#[derive(Clone, Copy, Debug)]
pub enum Target {
    /// `*`: account-level operations (ListUsers, GetAccountSummary, ...).
    Any,
    /// `user/{path}{name}` from the named member; the caller's own user when absent.
    User(&'static str),
    Group(&'static str),
    Role(&'static str),
    /// A policy ARN member.
    PolicyArn(&'static str),
    InstanceProfile(&'static str),
    /// An ARN given as the named member (OIDC/SAML providers, MFA devices).
    ArnMember(&'static str),
    /// An ARN the operation's own module builds from its input (the ARN a Create* will
    /// give its new entity, e.g. `mfa/{path}{name}` for CreateVirtualMFADevice).
    Built(fn(&AccountState, &Input) -> String),
}

#[derive(Clone, Copy)]
pub struct OpSpec {
    pub name: &'static str,
    pub target: Target,
    pub handler: Handler,
}

impl OpSpec {
    /// The IAM action this operation is authorized as.
    pub fn action(&self) -> String {
        format!("iam:{}", self.name)
    }
}

/// Builds one module's table of operations: `"Name" => Target, Read(handler);`.
macro_rules! ops {
    ($table:ident { $($name:literal => $target:expr, $kind:ident($($f:path),+);)* }) => {
        /// Operations of this module.
        pub static $table: &[$crate::ops::OpSpec] = &[
            $($crate::ops::OpSpec { name: $name, target: $target, handler: $crate::ops::Handler::$kind($($f),+) },)*
        ];
    };
}
pub(crate) use ops;

/// Every implemented IAM operation, one table per module.
pub static TABLES: &[&[OpSpec]] = &[
    CORE,
    mfa::OPS,
    providers::OPS,
    reports::OPS,
    credentials::OPS,
    simulator::OPS,
    service_access::OPS,
    server_cert_tags::OPS,
    organizations::OPS,
    outbound_federation::OPS,
    delegation::OPS,
];

use Target::*;

ops! { CORE {
    "CreateUser" => User("UserName"), Write(users::create);
    "GetUser" => User("UserName"), Read(users::get);
    "ListUsers" => Any, Read(users::list);
    "UpdateUser" => User("UserName"), Write(users::update);
    "DeleteUser" => User("UserName"), Write(users::delete);
    "TagUser" => User("UserName"), Write(tags::tag_user);
    "UntagUser" => User("UserName"), Write(tags::untag_user);
    "ListUserTags" => User("UserName"), Read(tags::list_user_tags);
    "PutUserPermissionsBoundary" => User("UserName"), Write(users::put_boundary);
    "DeleteUserPermissionsBoundary" => User("UserName"), Write(users::delete_boundary);

    "CreateGroup" => Group("GroupName"), Write(groups::create);
    "GetGroup" => Group("GroupName"), Read(groups::get);
    "ListGroups" => Any, Read(groups::list);
    "UpdateGroup" => Group("GroupName"), Write(groups::update);
    "DeleteGroup" => Group("GroupName"), Write(groups::delete);
    "AddUserToGroup" => Group("GroupName"), Write(groups::add_user);
    "RemoveUserFromGroup" => Group("GroupName"), Write(groups::remove_user);
    "ListGroupsForUser" => User("UserName"), Read(groups::list_for_user);

    "CreateRole" => Role("RoleName"), Write(roles::create);
    "GetRole" => Role("RoleName"), Read(roles::get);
    "ListRoles" => Any, Read(roles::list);
    "UpdateRole" => Role("RoleName"), Write(roles::update);
    "UpdateRoleDescription" => Role("RoleName"), Write(roles::update_description);
    "UpdateAssumeRolePolicy" => Role("RoleName"), Write(roles::update_trust);
    "DeleteRole" => Role("RoleName"), Write(roles::delete);
    "TagRole" => Role("RoleName"), Write(tags::tag_role);
    "UntagRole" => Role("RoleName"), Write(tags::untag_role);
    "ListRoleTags" => Role("RoleName"), Read(tags::list_role_tags);
    "PutRolePermissionsBoundary" => Role("RoleName"), Write(roles::put_boundary);
    "DeleteRolePermissionsBoundary" => Role("RoleName"), Write(roles::delete_boundary);

    "CreatePolicy" => PolicyArn("PolicyName"), Write(policies::create);
    "GetPolicy" => PolicyArn("PolicyArn"), Read(policies::get);
    "ListPolicies" => Any, Read(policies::list);
    "DeletePolicy" => PolicyArn("PolicyArn"), Write(policies::delete);
    "CreatePolicyVersion" => PolicyArn("PolicyArn"), Write(policies::create_version);
    "GetPolicyVersion" => PolicyArn("PolicyArn"), Read(policies::get_version);
    "ListPolicyVersions" => PolicyArn("PolicyArn"), Read(policies::list_versions);
    "DeletePolicyVersion" => PolicyArn("PolicyArn"), Write(policies::delete_version);
    "SetDefaultPolicyVersion" => PolicyArn("PolicyArn"), Write(policies::set_default_version);
    "TagPolicy" => PolicyArn("PolicyArn"), Write(tags::tag_policy);
    "UntagPolicy" => PolicyArn("PolicyArn"), Write(tags::untag_policy);
    "ListPolicyTags" => PolicyArn("PolicyArn"), Read(tags::list_policy_tags);
    "AttachUserPolicy" => User("UserName"), Write(policies::attach_user);
    "DetachUserPolicy" => User("UserName"), Write(policies::detach_user);
    "AttachGroupPolicy" => Group("GroupName"), Write(policies::attach_group);
    "DetachGroupPolicy" => Group("GroupName"), Write(policies::detach_group);
    "AttachRolePolicy" => Role("RoleName"), Write(policies::attach_role);
    "DetachRolePolicy" => Role("RoleName"), Write(policies::detach_role);
    "ListAttachedUserPolicies" => User("UserName"), Read(policies::list_attached_user);
    "ListAttachedGroupPolicies" => Group("GroupName"), Read(policies::list_attached_group);
    "ListAttachedRolePolicies" => Role("RoleName"), Read(policies::list_attached_role);
    "ListEntitiesForPolicy" => PolicyArn("PolicyArn"), Read(policies::list_entities);

    "PutUserPolicy" => User("UserName"), Write(inline::put_user);
    "GetUserPolicy" => User("UserName"), Read(inline::get_user);
    "DeleteUserPolicy" => User("UserName"), Write(inline::delete_user);
    "ListUserPolicies" => User("UserName"), Read(inline::list_user);
    "PutGroupPolicy" => Group("GroupName"), Write(inline::put_group);
    "GetGroupPolicy" => Group("GroupName"), Read(inline::get_group);
    "DeleteGroupPolicy" => Group("GroupName"), Write(inline::delete_group);
    "ListGroupPolicies" => Group("GroupName"), Read(inline::list_group);
    "PutRolePolicy" => Role("RoleName"), Write(inline::put_role);
    "GetRolePolicy" => Role("RoleName"), Read(inline::get_role);
    "DeleteRolePolicy" => Role("RoleName"), Write(inline::delete_role);
    "ListRolePolicies" => Role("RoleName"), Read(inline::list_role);

    "CreateAccessKey" => User("UserName"), Write(access_keys::create);
    "ListAccessKeys" => User("UserName"), Read(access_keys::list);
    "UpdateAccessKey" => User("UserName"), Write(access_keys::update);
    "DeleteAccessKey" => User("UserName"), Write(access_keys::delete);
    "GetAccessKeyLastUsed" => Any, Read(access_keys::last_used);

    "CreateLoginProfile" => User("UserName"), Write(login::create);
    "GetLoginProfile" => User("UserName"), Read(login::get);
    "UpdateLoginProfile" => User("UserName"), Write(login::update);
    "DeleteLoginProfile" => User("UserName"), Write(login::delete);
    "ChangePassword" => User("UserName"), Write(login::change_password);
    "UpdateAccountPasswordPolicy" => Any, Write(login::update_policy);
    "GetAccountPasswordPolicy" => Any, Read(login::get_policy);
    "DeleteAccountPasswordPolicy" => Any, Write(login::delete_policy);

    "CreateInstanceProfile" => InstanceProfile("InstanceProfileName"), Write(instance_profiles::create);
    "GetInstanceProfile" => InstanceProfile("InstanceProfileName"), Read(instance_profiles::get);
    "ListInstanceProfiles" => Any, Read(instance_profiles::list);
    "DeleteInstanceProfile" => InstanceProfile("InstanceProfileName"), Write(instance_profiles::delete);
    "AddRoleToInstanceProfile" => InstanceProfile("InstanceProfileName"), Write(instance_profiles::add_role);
    "RemoveRoleFromInstanceProfile" => InstanceProfile("InstanceProfileName"), Write(instance_profiles::remove_role);
    "ListInstanceProfilesForRole" => Role("RoleName"), Read(instance_profiles::list_for_role);
    "TagInstanceProfile" => InstanceProfile("InstanceProfileName"), Write(tags::tag_instance_profile);
    "UntagInstanceProfile" => InstanceProfile("InstanceProfileName"), Write(tags::untag_instance_profile);
    "ListInstanceProfileTags" => InstanceProfile("InstanceProfileName"), Read(tags::list_instance_profile_tags);

    "CreateAccountAlias" => Any, Write(account::create_alias);
    "DeleteAccountAlias" => Any, Write(account::delete_alias);
    "ListAccountAliases" => Any, Read(account::list_aliases);
    "GetAccountSummary" => Any, Read(account::summary);
    "SetSecurityTokenServicePreferences" => Any, Write(account::set_sts_preferences);
}}

/// The operation named `name`, if Warden implements it.
pub fn find(name: &str) -> Option<&'static OpSpec> {
    TABLES.iter().flat_map(|t| t.iter()).find(|op| op.name == name)
}

/// Every implemented operation.
pub fn all() -> impl Iterator<Item = &'static OpSpec> {
    TABLES.iter().flat_map(|t| t.iter())
}

/// One page of an ordered map, resuming after `Marker`; adds `IsTruncated`/`Marker` to `out`.
pub(crate) fn page<'a, T: Clone + 'a>(
    items: impl Iterator<Item = (&'a String, &'a T)>,
    input: &Input,
    out: &mut serde_json::Map<String, Value>,
) -> Result<Vec<&'a T>, IamError> {
    let (marker, max) = input.page();
    let start = match marker {
        Some(m) => Some(decode_marker(m).ok_or_else(|| IamError::InvalidInput("Invalid Marker.".into()))?),
        None => None,
    };
    let mut taken = Vec::new();
    let mut truncated_at = None;
    for (key, item) in items {
        if start.as_ref().is_some_and(|s| key < s) {
            continue;
        }
        if taken.len() == max {
            truncated_at = Some(key.clone());
            break;
        }
        taken.push(item);
    }
    out.insert("IsTruncated".into(), json!(truncated_at.is_some()));
    if let Some(next) = truncated_at {
        out.insert("Marker".into(), json!(encode_marker(&next)));
    }
    Ok(taken)
}

/// Pages over a plain list by position (group members, attached policies, ...).
pub(crate) fn page_list<T: Clone>(
    items: Vec<T>,
    input: &Input,
    out: &mut serde_json::Map<String, Value>,
) -> Result<Vec<T>, IamError> {
    let keyed: Vec<(String, T)> = items
        .into_iter()
        .enumerate()
        .map(|(i, t)| (format!("{i:010}"), t))
        .collect();
    let page = page(keyed.iter().map(|(k, t)| (k, t)), input, out)?;
    Ok(page.into_iter().cloned().collect())
}
