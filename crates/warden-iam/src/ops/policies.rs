//! Managed policies: customer policies with up to five versions and a default, AWS
//! managed policies (read-only), attachments to users, groups and roles.

use serde_json::{Map, Value, json};
use warden_policy::PolicyKind;
use warden_types::{IdKind, new_id};

use super::{OpCtx, page, page_list};
use crate::error::IamError;
use crate::input::Input;
use crate::managed::{self, AwsManagedPolicy};
use crate::model::*;
use crate::rules::{self, quota};
use crate::state::AccountState;
use crate::tx::{Entity, Tx};

use crate::views;

fn document(text: &str) -> Result<PolicyDoc, IamError> {
    let p = rules::parse_policy(
        text,
        PolicyKind::Identity,
        quota::MANAGED_POLICY_SIZE,
        "PolicySize",
    )?;
    Ok(PolicyDoc::compiled(text.to_owned(), p))
}

/// The customer policy an ARN names, refusing AWS managed policies for changes.
fn owned<'a>(state: &'a AccountState, arn: &str) -> Result<&'a ManagedPolicy, IamError> {
    if let Some(p) = rules::customer_policy(state, arn) {
        return Ok(p);
    }
    if managed::get(arn).is_some() {
        return Err(IamError::UnmodifiableEntity(format!(
            "Cannot modify AWS managed policy {arn}."
        )));
    }
    Err(IamError::NoSuchEntity(format!(
        "Policy {arn} does not exist or is not attachable."
    )))
}

pub fn create(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let name = input.str("PolicyName")?;
    let doc = document(input.str("PolicyDocument")?)?;
    if tx.state.policies.contains_key(&name.to_ascii_lowercase()) {
        return Err(IamError::EntityAlreadyExists(format!(
            "A policy called {name} already exists. Duplicate names are not allowed."
        )));
    }
    let tags = input.tags("Tags");
    rules::check_tags(&tags)?;
    let policy = ManagedPolicy {
        v: 1,
        name: name.to_owned(),
        id: new_id(IdKind::Policy),
        path: rules::path(input, "Path").to_owned(),
        description: input.opt_str("Description").map(str::to_owned),
        created: ctx.now,
        updated: ctx.now,
        default_version: "v1".into(),
        versions: vec![PolicyVersion {
            id: "v1".into(),
            document: doc,
            created: ctx.now,
        }],
        next_version: 2,
        tags,
    };
    let mut view = views::policy(&tx.state, &policy, (0, 0), true);
    if let Some(o) = view.as_object_mut() {
        o.remove("Description");
    }
    tx.insert(policy);
    Ok(json!({ "Policy": view }))
}

fn aws_view(state: &AccountState, p: &AwsManagedPolicy) -> Value {
    let (attached, boundary) = rules::policy_usage(state, p.arn);
    json!({
        "PolicyName": p.name, "PolicyId": p.id, "Arn": p.arn, "Path": p.path,
        "DefaultVersionId": p.default_version, "AttachmentCount": attached,
        "PermissionsBoundaryUsageCount": boundary, "IsAttachable": true,
        "CreateDate": p.created, "UpdateDate": p.updated,
    })
}

pub fn get(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let arn = input.str("PolicyArn")?;
    if let Some(p) = rules::customer_policy(state, arn) {
        return Ok(json!({ "Policy": views::policy(state, p, rules::policy_usage(state, arn), true) }));
    }
    let p = managed::get(arn).ok_or_else(|| rules::no_such_policy(arn))?;
    Ok(json!({ "Policy": aws_view(state, p) }))
}

enum Listed<'a> {
    Local(&'a ManagedPolicy),
    Aws(&'a AwsManagedPolicy),
}

pub fn list(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let scope = input.opt_str("Scope").unwrap_or("All");
    let prefix = rules::path(input, "PathPrefix");
    let only_attached = input.opt_bool("OnlyAttached").unwrap_or(false);
    let usage = input.opt_str("PolicyUsageFilter");
    let mut items: Vec<(String, Listed)> = Vec::new();
    if scope != "AWS" {
        items.extend(
            state
                .policies
                .iter()
                .map(|(k, p)| (format!("{k}\u{0}local"), Listed::Local(p))),
        );
    }
    if scope != "Local" {
        items.extend(
            managed::all().map(|p| (format!("{}\u{0}aws", p.name.to_ascii_lowercase()), Listed::Aws(p))),
        );
    }
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let arn_of = |l: &Listed| match l {
        Listed::Local(p) => state.arn("policy", &p.path, &p.name),
        Listed::Aws(p) => p.arn.to_owned(),
    };
    let path_of = |l: &Listed| match l {
        Listed::Local(p) => p.path.clone(),
        Listed::Aws(p) => p.path.to_owned(),
    };
    items.retain(|(_, l)| {
        let (attached, boundary) = if only_attached || usage.is_some() {
            rules::policy_usage(state, &arn_of(l))
        } else {
            (0, 0)
        };
        path_of(l).starts_with(prefix)
            && (!only_attached || attached + boundary > 0)
            && match usage {
                Some("PermissionsPolicy") => attached > 0,
                Some("PermissionsBoundary") => boundary > 0,
                _ => true,
            }
    });
    let mut out = Map::new();
    let page = page(items.iter().map(|(k, l)| (k, l)), input, &mut out)?;
    let views: Vec<Value> = page
        .into_iter()
        .map(|l| match l {
            Listed::Local(p) => {
                let arn = state.arn("policy", &p.path, &p.name);
                let mut v = views::policy(state, p, rules::policy_usage(state, &arn), false);
                if let Some(o) = v.as_object_mut() {
                    o.remove("Description");
                }
                v
            }
            Listed::Aws(p) => aws_view(state, p),
        })
        .collect();
    out.insert("Policies".into(), Value::Array(views));
    Ok(Value::Object(out))
}

impl Clone for Listed<'_> {
    fn clone(&self) -> Self {
        match self {
            Listed::Local(p) => Listed::Local(p),
            Listed::Aws(p) => Listed::Aws(p),
        }
    }
}

pub fn delete(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let arn = input.str("PolicyArn")?;
    let policy = owned(&tx.state, arn)?;
    let (attached, boundary) = rules::policy_usage(&tx.state, arn);
    if attached + boundary > 0 {
        return Err(IamError::DeleteConflict(
            "Cannot delete a policy attached to entities.".into(),
        ));
    }
    if policy.versions.len() > 1 {
        return Err(IamError::DeleteConflict(
            "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.".into(),
        ));
    }
    let key = policy.key();
    tx.delete::<ManagedPolicy>(&key);
    Ok(json!({}))
}

pub fn create_version(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let arn = input.str("PolicyArn")?;
    let mut policy = owned(&tx.state, arn)?.clone();
    let doc = document(input.str("PolicyDocument")?)?;
    if policy.versions.len() >= quota::VERSIONS_PER_POLICY {
        return Err(IamError::LimitExceeded(
            "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.".into(),
        ));
    }
    let version = PolicyVersion {
        id: format!("v{}", policy.next_version),
        document: doc,
        created: ctx.now,
    };
    policy.next_version += 1;
    if input.opt_bool("SetAsDefault").unwrap_or(false) {
        policy.default_version.clone_from(&version.id);
        policy.updated = ctx.now;
    }
    let out = json!({ "PolicyVersion": views::policy_version(&version, &policy.default_version, false) });
    policy.versions.push(version);
    tx.put(policy);
    Ok(out)
}

pub fn get_version(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let arn = input.str("PolicyArn")?;
    let id = input.str("VersionId")?;
    let missing = || {
        IamError::NoSuchEntity(format!(
            "Policy {arn} version {id} does not exist or is not attachable."
        ))
    };
    if let Some(p) = rules::customer_policy(state, arn) {
        let v = p.versions.iter().find(|v| v.id == id).ok_or_else(missing)?;
        return Ok(json!({ "PolicyVersion": views::policy_version(v, &p.default_version, true) }));
    }
    let p = managed::get(arn).ok_or_else(|| rules::no_such_policy(arn))?;
    if p.default_version != id {
        return Err(missing());
    }
    Ok(json!({ "PolicyVersion": {
        "Document": crate::util::url_encode(p.document), "VersionId": p.default_version,
        "IsDefaultVersion": true, "CreateDate": p.updated,
    }}))
}

pub fn list_versions(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let arn = input.str("PolicyArn")?;
    let mut out = Map::new();
    let versions: Vec<Value> = if let Some(p) = rules::customer_policy(state, arn) {
        // Newest first, as IAM lists them.
        p.versions
            .iter()
            .rev()
            .map(|v| views::policy_version(v, &p.default_version, false))
            .collect()
    } else {
        let p = managed::get(arn).ok_or_else(|| rules::no_such_policy(arn))?;
        vec![json!({"VersionId": p.default_version, "IsDefaultVersion": true, "CreateDate": p.updated})]
    };
    let versions = page_list(versions, input, &mut out)?;
    out.insert("Versions".into(), Value::Array(versions));
    Ok(Value::Object(out))
}

pub fn delete_version(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let arn = input.str("PolicyArn")?;
    let id = input.str("VersionId")?;
    let mut policy = owned(&tx.state, arn)?.clone();
    if !policy.versions.iter().any(|v| v.id == id) {
        return Err(IamError::NoSuchEntity(format!(
            "Policy {arn} version {id} does not exist or is not deletable."
        )));
    }
    if policy.default_version == id {
        return Err(IamError::DeleteConflict(
            "Cannot delete the default version of a policy.".into(),
        ));
    }
    policy.versions.retain(|v| v.id != id);
    tx.put(policy);
    Ok(json!({}))
}

pub fn set_default_version(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let arn = input.str("PolicyArn")?;
    let id = input.str("VersionId")?;
    let mut policy = owned(&tx.state, arn)?.clone();
    if !policy.versions.iter().any(|v| v.id == id) {
        return Err(IamError::NoSuchEntity(format!(
            "Policy {arn} version {id} does not exist or is not attachable."
        )));
    }
    policy.default_version = id.to_owned();
    policy.updated = ctx.now;
    tx.put(policy);
    Ok(json!({}))
}

fn attach<E: Entity + HasPermissions>(
    tx: &mut Tx,
    input: &Input,
    lookup: fn(&AccountState, &str) -> Result<E, IamError>,
    name_member: &str,
    quota_name: &str,
) -> Result<Value, IamError> {
    let mut entity = lookup(&tx.state, input.str(name_member)?)?;
    let arn = input.str("PolicyArn")?;
    if !rules::policy_exists(&tx.state, arn) {
        return Err(rules::no_such_policy(arn));
    }
    let attached = &mut entity.permissions_mut().attached;
    if attached.iter().any(|a| a == arn) {
        return Ok(json!({}));
    }
    if attached.len() >= quota::MANAGED_POLICIES_PER_ENTITY {
        return Err(IamError::LimitExceeded(format!(
            "Cannot exceed quota for {quota_name}: {}",
            quota::MANAGED_POLICIES_PER_ENTITY
        )));
    }
    attached.push(arn.to_owned());
    tx.put(entity);
    Ok(json!({}))
}

fn detach<E: Entity + HasPermissions>(
    tx: &mut Tx,
    input: &Input,
    lookup: fn(&AccountState, &str) -> Result<E, IamError>,
    name_member: &str,
) -> Result<Value, IamError> {
    let mut entity = lookup(&tx.state, input.str(name_member)?)?;
    let arn = input.str("PolicyArn")?;
    let attached = &mut entity.permissions_mut().attached;
    let before = attached.len();
    attached.retain(|a| a != arn);
    if attached.len() == before {
        return Err(IamError::NoSuchEntity(format!("Policy {arn} was not found.")));
    }
    tx.put(entity);
    Ok(json!({}))
}

fn user(s: &AccountState, n: &str) -> Result<User, IamError> {
    rules::user(s, n).cloned()
}
fn group(s: &AccountState, n: &str) -> Result<Group, IamError> {
    rules::group(s, n).cloned()
}
fn role(s: &AccountState, n: &str) -> Result<Role, IamError> {
    rules::role(s, n).cloned()
}

pub fn attach_user(tx: &mut Tx, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    attach(tx, i, user, "UserName", "PoliciesPerUser")
}
pub fn attach_group(tx: &mut Tx, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    attach(tx, i, group, "GroupName", "PoliciesPerGroup")
}
pub fn attach_role(tx: &mut Tx, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    attach(tx, i, role, "RoleName", "PoliciesPerRole")
}
pub fn detach_user(tx: &mut Tx, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    detach(tx, i, user, "UserName")
}
pub fn detach_group(tx: &mut Tx, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    detach(tx, i, group, "GroupName")
}
pub fn detach_role(tx: &mut Tx, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    detach(tx, i, role, "RoleName")
}

fn list_attached(state: &AccountState, input: &Input, perms: &Permissions) -> Result<Value, IamError> {
    let prefix = rules::path(input, "PathPrefix");
    let attached: Vec<Value> = perms
        .attached
        .iter()
        .filter_map(|arn| {
            let (name, path) = match rules::customer_policy(state, arn) {
                Some(p) => (p.name.clone(), p.path.clone()),
                None => managed::get(arn).map(|p| (p.name.to_owned(), p.path.to_owned()))?,
            };
            path.starts_with(prefix)
                .then(|| json!({"PolicyName": name, "PolicyArn": arn}))
        })
        .collect();
    let mut out = Map::new();
    let attached = page_list(attached, input, &mut out)?;
    out.insert("AttachedPolicies".into(), Value::Array(attached));
    Ok(Value::Object(out))
}

pub fn list_attached_user(s: &AccountState, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    list_attached(s, i, &rules::user(s, i.str("UserName")?)?.permissions)
}
pub fn list_attached_group(s: &AccountState, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    list_attached(s, i, &rules::group(s, i.str("GroupName")?)?.permissions)
}
pub fn list_attached_role(s: &AccountState, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    list_attached(s, i, &rules::role(s, i.str("RoleName")?)?.permissions)
}

pub fn list_entities(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let arn = input.str("PolicyArn")?;
    if !rules::policy_exists(state, arn) {
        return Err(rules::no_such_policy(arn));
    }
    let filter = input.opt_str("EntityFilter");
    let prefix = rules::path(input, "PathPrefix");
    let boundary_only = input.opt_str("PolicyUsageFilter") == Some("PermissionsBoundary");
    let uses = |perms: &Permissions, boundary: Option<&String>| {
        if boundary_only {
            boundary.is_some_and(|b| b == arn)
        } else {
            perms.attached.iter().any(|a| a == arn)
        }
    };
    let want = |kind: &str| filter.is_none_or(|f| f == kind);
    let mut entities: Vec<(&str, Value)> = Vec::new();
    if want("Group") && !boundary_only {
        for g in state
            .groups
            .values()
            .filter(|g| g.path.starts_with(prefix) && uses(&g.permissions, None))
        {
            entities.push(("PolicyGroups", json!({"GroupName": g.name, "GroupId": g.id})));
        }
    }
    if want("User") {
        for u in state
            .users
            .values()
            .filter(|u| u.path.starts_with(prefix) && uses(&u.permissions, u.boundary.as_ref()))
        {
            entities.push(("PolicyUsers", json!({"UserName": u.name, "UserId": u.id})));
        }
    }
    if want("Role") {
        for r in state
            .roles
            .values()
            .filter(|r| r.path.starts_with(prefix) && uses(&r.permissions, r.boundary.as_ref()))
        {
            entities.push(("PolicyRoles", json!({"RoleName": r.name, "RoleId": r.id})));
        }
    }
    let mut out = Map::new();
    let page = page_list(entities, input, &mut out)?;
    for key in ["PolicyGroups", "PolicyUsers", "PolicyRoles"] {
        let items: Vec<Value> = page
            .iter()
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
            .collect();
        out.insert(key.into(), Value::Array(items));
    }
    Ok(Value::Object(out))
}
