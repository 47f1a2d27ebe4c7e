//! Groups and membership. A user may be in several groups; groups do not nest.

use serde_json::{Map, Value, json};
use warden_types::{IdKind, new_id};

use super::{OpCtx, page};
use crate::error::IamError;
use crate::input::Input;
use crate::model::*;
use crate::rules::{self, quota};
use crate::state::AccountState;
use crate::tx::Tx;
use crate::views;

pub fn create(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let name = input.str("GroupName")?;
    if tx.state.groups.contains_key(&name.to_ascii_lowercase()) {
        return Err(IamError::EntityAlreadyExists(format!(
            "Group with name {name} already exists."
        )));
    }
    let group = Group {
        v: 1,
        name: name.to_owned(),
        id: new_id(IdKind::Group),
        path: rules::path(input, "Path").to_owned(),
        created: ctx.now,
        permissions: Permissions::default(),
    };
    let out = json!({ "Group": views::group(&tx.state, &group) });
    tx.insert(group);
    Ok(out)
}

fn members<'a>(state: &'a AccountState, group_key: &'a str) -> impl Iterator<Item = (&'a String, &'a User)> {
    state
        .users
        .iter()
        .filter(move |(_, u)| u.groups.iter().any(|g| g == group_key))
}

pub fn get(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let group = rules::group(state, input.str("GroupName")?)?;
    let key = group.name.to_ascii_lowercase();
    let mut out = Map::new();
    let users = page(members(state, &key), input, &mut out)?;
    out.insert("Group".into(), views::group(state, group));
    out.insert(
        "Users".into(),
        users.into_iter().map(|u| views::user(state, u, false)).collect(),
    );
    Ok(Value::Object(out))
}

pub fn list(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let prefix = rules::path(input, "PathPrefix");
    let mut out = Map::new();
    let groups = page(
        state.groups.iter().filter(|(_, g)| g.path.starts_with(prefix)),
        input,
        &mut out,
    )?;
    out.insert(
        "Groups".into(),
        groups.into_iter().map(|g| views::group(state, g)).collect(),
    );
    Ok(Value::Object(out))
}

pub fn update(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let mut group = rules::group(&tx.state, input.str("GroupName")?)?.clone();
    let old_key = group.name.to_ascii_lowercase();
    if let Some(path) = input.opt_str("NewPath") {
        group.path = path.to_owned();
    }
    let Some(new_name) = input.opt_str("NewGroupName") else {
        tx.put(group);
        return Ok(json!({}));
    };
    let new_key = new_name.to_ascii_lowercase();
    if new_key != old_key && tx.state.groups.contains_key(&new_key) {
        return Err(IamError::EntityAlreadyExists(format!(
            "Group with name {new_name} already exists."
        )));
    }
    group.name = new_name.to_owned();
    if new_key == old_key {
        tx.put(group);
        return Ok(json!({}));
    }
    let moved: Vec<User> = members(&tx.state, &old_key).map(|(_, u)| u.clone()).collect();
    for mut u in moved {
        for g in &mut u.groups {
            if *g == old_key {
                g.clone_from(&new_key);
            }
        }
        tx.put(u);
    }
    tx.delete::<Group>(&old_key);
    tx.insert(group);
    Ok(json!({}))
}

pub fn delete(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let group = rules::group(&tx.state, input.str("GroupName")?)?;
    let key = group.name.to_ascii_lowercase();
    let conflict = |what: &str| {
        Err(IamError::DeleteConflict(format!(
            "Cannot delete entity, must {what} first."
        )))
    };
    if members(&tx.state, &key).next().is_some() {
        return conflict("remove users from group");
    }
    if !group.permissions.attached.is_empty() {
        return conflict("detach all policies");
    }
    if !group.permissions.inline.is_empty() {
        return conflict("delete policies");
    }
    tx.delete::<Group>(&key);
    Ok(json!({}))
}

pub fn add_user(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let group_key = rules::group(&tx.state, input.str("GroupName")?)?
        .name
        .to_ascii_lowercase();
    let mut user = rules::user(&tx.state, input.str("UserName")?)?.clone();
    if user.groups.contains(&group_key) {
        return Ok(json!({}));
    }
    if user.groups.len() >= quota::GROUPS_PER_USER {
        return Err(IamError::LimitExceeded(format!(
            "Cannot exceed quota for GroupsPerUser: {}",
            quota::GROUPS_PER_USER
        )));
    }
    user.groups.push(group_key);
    tx.put(user);
    Ok(json!({}))
}

pub fn remove_user(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let group_name = input.str("GroupName")?;
    let group_key = rules::group(&tx.state, group_name)?.name.to_ascii_lowercase();
    let mut user = rules::user(&tx.state, input.str("UserName")?)?.clone();
    let before = user.groups.len();
    user.groups.retain(|g| *g != group_key);
    if user.groups.len() == before {
        return Err(IamError::NoSuchEntity(format!(
            "The user with name {} cannot be found in group {group_name}.",
            user.name
        )));
    }
    tx.put(user);
    Ok(json!({}))
}

pub fn list_for_user(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let user = rules::user(state, input.str("UserName")?)?;
    let groups: Vec<(String, &Group)> = user
        .groups
        .iter()
        .filter_map(|k| state.groups.get(k).map(|g| (k.clone(), g)))
        .collect();
    let mut out = Map::new();
    let groups = page(groups.iter().map(|(k, g)| (k, *g)), input, &mut out)?;
    out.insert(
        "Groups".into(),
        groups.into_iter().map(|g| views::group(state, g)).collect(),
    );
    Ok(Value::Object(out))
}
