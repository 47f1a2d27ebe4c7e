//! Instance profiles: containers for one role that EC2 instances assume.

use serde_json::{Map, Value, json};
use warden_types::{IdKind, new_id};

use super::tags::find_instance_profile;
use super::{OpCtx, page, page_list};
use crate::error::IamError;
use crate::input::Input;
use crate::model::*;
use crate::rules::{self, quota};
use crate::state::AccountState;
use crate::tx::Tx;
use crate::views;

pub fn create(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let name = input.str("InstanceProfileName")?;
    if tx
        .state
        .instance_profiles
        .contains_key(&name.to_ascii_lowercase())
    {
        return Err(IamError::EntityAlreadyExists(format!(
            "Instance Profile {name} already exists."
        )));
    }
    let tags = input.tags("Tags");
    rules::check_tags(&tags)?;
    let profile = InstanceProfile {
        v: 1,
        name: name.to_owned(),
        id: new_id(IdKind::InstanceProfile),
        path: rules::path(input, "Path").to_owned(),
        created: ctx.now,
        roles: Vec::new(),
        tags,
    };
    let out = json!({ "InstanceProfile": views::instance_profile(&tx.state, &profile) });
    tx.insert(profile);
    Ok(out)
}

pub fn get(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let p = find_instance_profile(state, input)?;
    Ok(json!({ "InstanceProfile": views::instance_profile(state, &p) }))
}

pub fn list(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let prefix = rules::path(input, "PathPrefix");
    let mut out = Map::new();
    let items = page(
        state
            .instance_profiles
            .iter()
            .filter(|(_, p)| p.path.starts_with(prefix)),
        input,
        &mut out,
    )?;
    out.insert(
        "InstanceProfiles".into(),
        items
            .into_iter()
            .map(|p| views::instance_profile(state, p))
            .collect(),
    );
    Ok(Value::Object(out))
}

pub fn delete(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let p = find_instance_profile(&tx.state, input)?;
    if !p.roles.is_empty() {
        return Err(IamError::DeleteConflict(
            "Cannot delete entity, must remove roles from instance profile first.".into(),
        ));
    }
    tx.delete::<InstanceProfile>(&p.name.to_ascii_lowercase());
    Ok(json!({}))
}

pub fn add_role(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let mut p = find_instance_profile(&tx.state, input)?;
    let role = rules::role(&tx.state, input.str("RoleName")?)?;
    let key = role.name.to_ascii_lowercase();
    if p.roles.len() >= quota::ROLES_PER_INSTANCE_PROFILE {
        return Err(IamError::LimitExceeded(format!(
            "Cannot exceed quota for InstanceSessionsPerInstanceProfile: {}",
            quota::ROLES_PER_INSTANCE_PROFILE
        )));
    }
    p.roles.push(key);
    tx.put(p);
    Ok(json!({}))
}

pub fn remove_role(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let mut p = find_instance_profile(&tx.state, input)?;
    let role_name = input.str("RoleName")?;
    let key = role_name.to_ascii_lowercase();
    if !p.roles.contains(&key) {
        return Err(IamError::NoSuchEntity(format!(
            "The role with name {role_name} cannot be found in instance profile {}.",
            p.name
        )));
    }
    p.roles.retain(|r| *r != key);
    tx.put(p);
    Ok(json!({}))
}

pub fn list_for_role(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let role = rules::role(state, input.str("RoleName")?)?;
    let key = role.name.to_ascii_lowercase();
    let profiles: Vec<Value> = state
        .instance_profiles
        .values()
        .filter(|p| p.roles.contains(&key))
        .map(|p| views::instance_profile(state, p))
        .collect();
    let mut out = Map::new();
    let profiles = page_list(profiles, input, &mut out)?;
    out.insert("InstanceProfiles".into(), Value::Array(profiles));
    Ok(Value::Object(out))
}
