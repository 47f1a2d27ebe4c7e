//! How entities look on the wire: the members of the model's output shapes.

use serde_json::{Value, json};

use crate::model::*;
use crate::state::AccountState;
use crate::util::ts;

fn boundary(arn: &Option<String>) -> Option<Value> {
    arn.as_ref()
        .map(|a| json!({"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": a}))
}

pub fn tags(tags: &[Tag]) -> Value {
    json!(tags)
}

fn insert_opt(v: &mut Value, key: &str, value: Option<Value>) {
    if let (Some(obj), Some(value)) = (v.as_object_mut(), value) {
        obj.insert(key.to_owned(), value);
    }
}

/// `User` as GetUser returns it (with tags and boundary); `ListUsers` omits both.
pub fn user(state: &AccountState, u: &User, full: bool) -> Value {
    let mut v = json!({
        "Path": u.path,
        "UserName": u.name,
        "UserId": u.id,
        "Arn": state.arn("user", &u.path, &u.name),
        "CreateDate": ts(u.created),
    });
    insert_opt(
        &mut v,
        "PasswordLastUsed",
        u.password_last_used.map(|t| json!(ts(t))),
    );
    if full {
        insert_opt(&mut v, "PermissionsBoundary", boundary(&u.boundary));
        if !u.tags.is_empty() {
            insert_opt(&mut v, "Tags", Some(tags(&u.tags)));
        }
    }
    v
}

pub fn group(state: &AccountState, g: &Group) -> Value {
    json!({
        "Path": g.path,
        "GroupName": g.name,
        "GroupId": g.id,
        "Arn": state.arn("group", &g.path, &g.name),
        "CreateDate": ts(g.created),
    })
}

/// `RoleLastUsed`: the later of the stored use and this node's record of AssumeRole calls.
pub fn role_last_used(state: &AccountState, r: &Role) -> Value {
    let stored = r.last_used.map(|t| (t, r.last_used_region.clone()));
    let recorded = state
        .access
        .role_last_used(&r.id)
        .map(|(t, region)| (t, Some(region)));
    let latest = match (stored, recorded) {
        (Some(a), Some(b)) => Some(if b.0 >= a.0 { b } else { a }),
        (a, b) => a.or(b),
    };
    let mut last = json!({});
    if let Some((t, region)) = latest {
        insert_opt(&mut last, "LastUsedDate", Some(json!(ts(t))));
        insert_opt(&mut last, "Region", region.map(|s| json!(s)));
    }
    last
}

/// An access key's last use: the later of the stored one and this node's record.
pub fn key_last_used(state: &AccountState, k: &AccessKey) -> Option<crate::service::KeyUse> {
    let stored = k.last_used.map(|time| crate::service::KeyUse {
        time,
        service: k.last_used_service.clone().unwrap_or_default(),
        region: k.last_used_region.clone().unwrap_or_default(),
    });
    match (stored, state.access.key_last_used(&k.id)) {
        (Some(a), Some(b)) => Some(if b.time >= a.time { b } else { a }),
        (a, b) => a.or(b),
    }
}

pub fn role(state: &AccountState, r: &Role, full: bool) -> Value {
    let mut v = json!({
        "Path": r.path,
        "RoleName": r.name,
        "RoleId": r.id,
        "Arn": state.arn("role", &r.path, &r.name),
        "CreateDate": ts(r.created),
        "AssumeRolePolicyDocument": r.trust_policy.url_encoded(),
        "MaxSessionDuration": r.max_session_duration,
    });
    insert_opt(&mut v, "Description", r.description.as_ref().map(|d| json!(d)));
    if full {
        insert_opt(&mut v, "PermissionsBoundary", boundary(&r.boundary));
        if !r.tags.is_empty() {
            insert_opt(&mut v, "Tags", Some(tags(&r.tags)));
        }
        insert_opt(&mut v, "RoleLastUsed", Some(role_last_used(state, r)));
    }
    v
}

pub fn policy(state: &AccountState, p: &ManagedPolicy, counts: (usize, usize), full: bool) -> Value {
    let mut v = json!({
        "PolicyName": p.name,
        "PolicyId": p.id,
        "Arn": state.arn("policy", &p.path, &p.name),
        "Path": p.path,
        "DefaultVersionId": p.default_version,
        "AttachmentCount": counts.0,
        "PermissionsBoundaryUsageCount": counts.1,
        "IsAttachable": true,
        "CreateDate": ts(p.created),
        "UpdateDate": ts(p.updated),
    });
    if full {
        insert_opt(&mut v, "Description", p.description.as_ref().map(|d| json!(d)));
        if !p.tags.is_empty() {
            insert_opt(&mut v, "Tags", Some(tags(&p.tags)));
        }
    }
    v
}

pub fn policy_version(v: &PolicyVersion, default: &str, with_document: bool) -> Value {
    let mut out = json!({
        "VersionId": v.id,
        "IsDefaultVersion": v.id == default,
        "CreateDate": ts(v.created),
    });
    if with_document {
        insert_opt(&mut out, "Document", Some(json!(v.document.url_encoded())));
    }
    out
}

pub fn access_key_meta(user_name: &str, k: &AccessKey) -> Value {
    json!({
        "UserName": user_name,
        "AccessKeyId": k.id,
        "Status": k.status.as_str(),
        "CreateDate": ts(k.created),
    })
}

pub fn instance_profile(state: &AccountState, p: &InstanceProfile) -> Value {
    let roles: Vec<Value> = p
        .roles
        .iter()
        .filter_map(|k| state.roles.get(k))
        .map(|r| role(state, r, false))
        .collect();
    let mut v = json!({
        "Path": p.path,
        "InstanceProfileName": p.name,
        "InstanceProfileId": p.id,
        "Arn": state.arn("instance-profile", &p.path, &p.name),
        "CreateDate": ts(p.created),
        "Roles": roles,
    });
    if !p.tags.is_empty() {
        insert_opt(&mut v, "Tags", Some(tags(&p.tags)));
    }
    v
}
