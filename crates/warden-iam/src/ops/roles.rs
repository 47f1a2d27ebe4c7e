//! Roles: trust policies, MaxSessionDuration, descriptions, boundaries.

use serde_json::{Map, Value, json};
use warden_policy::PolicyKind;
use warden_types::{IdKind, new_id};

use super::{OpCtx, page};
use crate::error::IamError;
use crate::input::Input;
use crate::model::*;
use crate::rules::{self, quota};
use crate::state::AccountState;
use crate::tx::Tx;
use crate::views;

/// MaxSessionDuration: 3,600 seconds by default, 3,600 to 43,200 allowed.
const DEFAULT_MAX_SESSION: i64 = 3_600;
const MAX_SESSION_RANGE: std::ops::RangeInclusive<i64> = 3_600..=43_200;

fn trust_policy(text: &str) -> Result<PolicyDoc, IamError> {
    let policy = rules::parse_policy(
        text,
        PolicyKind::Trust,
        quota::TRUST_POLICY_SIZE,
        "ACLSizePerRole",
    )?;
    Ok(PolicyDoc::compiled(text.to_owned(), policy))
}

fn check_max_session(v: i64) -> Result<i64, IamError> {
    if MAX_SESSION_RANGE.contains(&v) {
        Ok(v)
    } else {
        Err(IamError::ValidationError(format!(
            "1 validation error detected: Value '{v}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value {}",
            if v < 3_600 {
                "greater than or equal to 3600"
            } else {
                "less than or equal to 43200"
            }
        )))
    }
}

pub fn create(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let name = input.str("RoleName")?;
    let trust = trust_policy(input.str("AssumeRolePolicyDocument")?)?;
    if tx.state.roles.contains_key(&name.to_ascii_lowercase()) {
        return Err(IamError::EntityAlreadyExists(format!(
            "Role with name {name} already exists."
        )));
    }
    let tags = input.tags("Tags");
    rules::check_tags(&tags)?;
    let boundary = input.opt_str("PermissionsBoundary").map(str::to_owned);
    if let Some(b) = &boundary {
        rules::check_boundary(&tx.state, b)?;
    }
    let role = Role {
        v: 1,
        name: name.to_owned(),
        id: new_id(IdKind::Role),
        path: rules::path(input, "Path").to_owned(),
        created: ctx.now,
        trust_policy: trust,
        description: input.opt_str("Description").map(str::to_owned),
        max_session_duration: check_max_session(
            input.opt_i64("MaxSessionDuration").unwrap_or(DEFAULT_MAX_SESSION),
        )?,
        tags,
        boundary,
        permissions: Permissions::default(),
        last_used: None,
        last_used_region: None,
    };
    let mut view = views::role(&tx.state, &role, true);
    if let Some(obj) = view.as_object_mut() {
        // CreateRole's answer carries no RoleLastUsed.
        obj.remove("RoleLastUsed");
    }
    tx.insert(role);
    Ok(json!({ "Role": view }))
}

pub fn get(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let role = rules::role(state, input.str("RoleName")?)?;
    Ok(json!({ "Role": views::role(state, role, true) }))
}

pub fn list(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let prefix = rules::path(input, "PathPrefix");
    let mut out = Map::new();
    let roles = page(
        state.roles.iter().filter(|(_, r)| r.path.starts_with(prefix)),
        input,
        &mut out,
    )?;
    out.insert(
        "Roles".into(),
        roles.into_iter().map(|r| views::role(state, r, false)).collect(),
    );
    Ok(Value::Object(out))
}

pub fn update(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let mut role = rules::role(&tx.state, input.str("RoleName")?)?.clone();
    if let Some(d) = input.opt_str("Description") {
        role.description = Some(d.to_owned());
    }
    if let Some(m) = input.opt_i64("MaxSessionDuration") {
        role.max_session_duration = check_max_session(m)?;
    }
    tx.put(role);
    Ok(json!({}))
}

pub fn update_description(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let mut role = rules::role(&tx.state, input.str("RoleName")?)?.clone();
    role.description = Some(input.str("Description")?.to_owned());
    let out = json!({ "Role": views::role(&tx.state, &role, true) });
    tx.put(role);
    Ok(out)
}

pub fn update_trust(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let mut role = rules::role(&tx.state, input.str("RoleName")?)?.clone();
    role.trust_policy = trust_policy(input.str("PolicyDocument")?)?;
    tx.put(role);
    Ok(json!({}))
}

pub fn delete(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let role = rules::role(&tx.state, input.str("RoleName")?)?;
    if super::credentials::is_service_linked(role) {
        return Err(IamError::UnmodifiableEntity(format!(
            "Cannot perform the operation on the protected role '{}' - this role is only modifiable by AWS",
            role.name
        )));
    }
    let key = role.name.to_ascii_lowercase();
    let conflict = |what: &str| {
        Err(IamError::DeleteConflict(format!(
            "Cannot delete entity, must {what} first."
        )))
    };
    if tx
        .state
        .instance_profiles
        .values()
        .any(|p| p.roles.contains(&key))
    {
        return conflict("remove roles from instance profile");
    }
    if !role.permissions.attached.is_empty() {
        return conflict("detach all policies");
    }
    if !role.permissions.inline.is_empty() {
        return conflict("delete policies");
    }
    tx.delete::<Role>(&key);
    Ok(json!({}))
}

pub fn put_boundary(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let mut role = rules::role(&tx.state, input.str("RoleName")?)?.clone();
    let arn = input.str("PermissionsBoundary")?;
    rules::check_boundary(&tx.state, arn)?;
    role.boundary = Some(arn.to_owned());
    tx.put(role);
    Ok(json!({}))
}

pub fn delete_boundary(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let mut role = rules::role(&tx.state, input.str("RoleName")?)?.clone();
    role.boundary = None;
    tx.put(role);
    Ok(json!({}))
}
