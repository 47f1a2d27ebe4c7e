//! User pool groups: CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups,
//! AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser,
//! ListUsersInGroup. Members' tokens carry `cognito:groups` (and the groups' roles).

use serde_json::{Value, json};

use super::users::user_type;
use super::{epoch, page, pool, required, set, str_of};
use crate::error::CognitoError;
use crate::model::{Group, Mutation, Namespace, Pool, User};
use crate::{Ctx, Effect, Env};

pub fn group_type(g: &Group) -> Value {
    let mut out = json!({
        "GroupName": g.name,
        "UserPoolId": g.pool_id,
        "LastModifiedDate": epoch(g.modified),
        "CreationDate": epoch(g.created),
    });
    if let Some(d) = &g.description {
        set(&mut out, "Description", d.clone());
    }
    if let Some(r) = &g.role_arn {
        set(&mut out, "RoleArn", r.clone());
    }
    if let Some(p) = g.precedence {
        set(&mut out, "Precedence", p);
    }
    out
}

fn group<'a>(ns: &'a Namespace, pool: &Pool, input: &Value) -> Result<&'a Group, CognitoError> {
    let name = required(input, "GroupName")?;
    ns.groups
        .get(&Group::key_of(&pool.id, name))
        .ok_or_else(|| CognitoError::not_found("Group not found."))
}

fn user<'a>(ns: &'a Namespace, pool: &Pool, input: &Value) -> Result<&'a User, CognitoError> {
    ns.find_user(pool, required(input, "Username")?)
        .ok_or_else(CognitoError::user_not_found)
}

fn limit(input: &Value) -> usize {
    let limit = input.get("Limit").and_then(Value::as_u64).unwrap_or(60);
    usize::try_from(limit.clamp(1, 60)).unwrap_or(60)
}

/// `RoleArn` must be an IAM role's ARN.
fn role_arn(input: &Value) -> Result<Option<String>, CognitoError> {
    match str_of(input, "RoleArn") {
        None => Ok(None),
        Some(arn) if arn.starts_with("arn:aws:iam::") && arn.contains(":role/") => Ok(Some(arn.to_owned())),
        Some(arn) => Err(CognitoError::invalid_parameter(format!(
            "{arn} is not a valid role ARN."
        ))),
    }
}

pub fn create(_: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let pool = pool(ns, ctx, input)?;
    let name = required(input, "GroupName")?;
    if ns.groups.contains_key(&Group::key_of(&pool.id, name)) {
        return Err(CognitoError::new(
            "GroupExistsException",
            400,
            format!("A group with the name {name} already exists."),
        ));
    }
    let group = Group {
        pool_id: pool.id.clone(),
        name: name.to_owned(),
        description: str_of(input, "Description").map(str::to_owned),
        role_arn: role_arn(input)?,
        precedence: input.get("Precedence").and_then(Value::as_i64),
        created: ctx.now,
        modified: ctx.now,
    };
    let output = json!({"Group": group_type(&group)});
    Ok(Effect {
        output,
        mutations: vec![Mutation::PutGroup(Box::new(group))],
    })
}

pub fn get(_: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let pool = pool(ns, ctx, input)?;
    Ok(Effect::read(
        json!({"Group": group_type(group(ns, pool, input)?)}),
    ))
}

pub fn update(_: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let pool = pool(ns, ctx, input)?;
    let mut group = group(ns, pool, input)?.clone();
    if let Some(d) = str_of(input, "Description") {
        group.description = Some(d.to_owned());
    }
    if input.get("RoleArn").is_some() {
        group.role_arn = role_arn(input)?;
    }
    if let Some(p) = input.get("Precedence").and_then(Value::as_i64) {
        group.precedence = Some(p);
    }
    group.modified = ctx.now;
    let output = json!({"Group": group_type(&group)});
    Ok(Effect {
        output,
        mutations: vec![Mutation::PutGroup(Box::new(group))],
    })
}

pub fn delete(_: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let pool = pool(ns, ctx, input)?;
    let group = group(ns, pool, input)?;
    let mut mutations: Vec<Mutation> = ns
        .users_of(&pool.id)
        .filter(|u| u.groups.contains(&group.name))
        .map(|u| {
            let mut u = u.clone();
            u.groups.remove(&group.name);
            Mutation::PutUser(Box::new(u))
        })
        .collect();
    mutations.push(Mutation::DeleteGroup(group.key()));
    Ok(Effect::changes(mutations))
}

pub fn list(_: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let pool = pool(ns, ctx, input)?;
    let groups = ns.groups_of(&pool.id).map(|g| (g.name.clone(), group_type(g)));
    let (items, next) = page(groups, str_of(input, "NextToken"), limit(input));
    let mut out = json!({"Groups": items});
    if let Some(next) = next {
        set(&mut out, "NextToken", next);
    }
    Ok(Effect::read(out))
}

fn membership(ns: &Namespace, ctx: &Ctx<'_>, input: &Value, add: bool) -> Result<Effect, CognitoError> {
    let pool = pool(ns, ctx, input)?;
    let group = group(ns, pool, input)?;
    let mut user = user(ns, pool, input)?.clone();
    let changed = if add {
        user.groups.insert(group.name.clone())
    } else {
        user.groups.remove(&group.name)
    };
    let mutations = if changed {
        user.modified = ctx.now;
        vec![Mutation::PutUser(Box::new(user))]
    } else {
        Vec::new()
    };
    Ok(Effect::changes(mutations))
}

pub fn add_user(_: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    membership(ns, ctx, input, true)
}

pub fn remove_user(
    _: &Env<'_>,
    ns: &Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    membership(ns, ctx, input, false)
}

pub fn list_for_user(
    _: &Env<'_>,
    ns: &Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let pool = pool(ns, ctx, input)?;
    let user = user(ns, pool, input)?;
    let groups = user
        .groups
        .iter()
        .filter_map(|name| ns.groups.get(&Group::key_of(&pool.id, name)))
        .map(|g| (g.name.clone(), group_type(g)));
    let (items, next) = page(groups, str_of(input, "NextToken"), limit(input));
    let mut out = json!({"Groups": items});
    if let Some(next) = next {
        set(&mut out, "NextToken", next);
    }
    Ok(Effect::read(out))
}

pub fn list_users(_: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let pool = pool(ns, ctx, input)?;
    let group = group(ns, pool, input)?;
    let users = ns
        .users_of(&pool.id)
        .filter(|u| u.groups.contains(&group.name))
        .map(|u| (u.key(), user_type(u, "Attributes")));
    let (items, next) = page(users, str_of(input, "NextToken"), limit(input));
    let mut out = json!({"Users": items});
    if let Some(next) = next {
        set(&mut out, "NextToken", next);
    }
    Ok(Effect::read(out))
}

/// The `cognito:groups` of `user` (in precedence order, then name) and the roles of
/// those groups, the preferred one first (lowest precedence).
pub fn token_groups(ns: &Namespace, user: &User) -> (Vec<String>, Vec<String>) {
    let mut groups: Vec<&Group> = user
        .groups
        .iter()
        .filter_map(|name| ns.groups.get(&Group::key_of(&user.pool_id, name)))
        .collect();
    groups.sort_by(|a, b| {
        (a.precedence.unwrap_or(i64::MAX), &a.name).cmp(&(b.precedence.unwrap_or(i64::MAX), &b.name))
    });
    let names = groups.iter().map(|g| g.name.clone()).collect();
    let mut roles: Vec<String> = Vec::new();
    for role in groups.iter().filter_map(|g| g.role_arn.clone()) {
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    (names, roles)
}
