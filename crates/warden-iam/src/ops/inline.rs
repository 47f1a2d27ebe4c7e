//! Inline policies on users, groups and roles. Each entity's inline policies share one
//! size quota (non-whitespace characters): 2,048 for a user, 5,120 for a group and
//! 10,240 for a role.

use serde_json::{Map, Value, json};
use warden_policy::PolicyKind;

use super::{OpCtx, page};
use crate::error::IamError;
use crate::input::Input;
use crate::model::*;
use crate::rules::{self, quota};
use crate::state::AccountState;
use crate::tx::{Entity, Tx};

/// What differs between users, groups and roles for inline policies.
struct Owner<E> {
    member: &'static str,
    noun: &'static str,
    limit: usize,
    lookup: for<'a> fn(&'a AccountState, &str) -> Result<&'a E, IamError>,
}

const USER: Owner<User> = Owner {
    member: "UserName",
    noun: "user",
    limit: quota::USER_POLICY_SIZE,
    lookup: rules::user,
};
const GROUP: Owner<Group> = Owner {
    member: "GroupName",
    noun: "group",
    limit: quota::GROUP_POLICY_SIZE,
    lookup: rules::group,
};
const ROLE: Owner<Role> = Owner {
    member: "RoleName",
    noun: "role",
    limit: quota::ROLE_POLICY_SIZE,
    lookup: rules::role,
};

fn non_whitespace(s: &str) -> usize {
    s.chars().filter(|c| !c.is_whitespace()).count()
}

fn put<E: Entity + HasPermissions>(tx: &mut Tx, input: &Input, owner: Owner<E>) -> Result<Value, IamError> {
    let owner_name = input.str(owner.member)?;
    let mut entity = (owner.lookup)(&tx.state, owner_name)?.clone();
    let name = input.str("PolicyName")?;
    let text = input.str("PolicyDocument")?;
    let key = name.to_ascii_lowercase();
    let others: usize = entity
        .permissions()
        .inline
        .iter()
        .filter(|(k, _)| **k != key)
        .map(|(_, p)| non_whitespace(&p.document.text))
        .sum();
    if others + non_whitespace(text) > owner.limit {
        return Err(IamError::LimitExceeded(format!(
            "Maximum policy size of {} bytes exceeded for {} {owner_name}",
            owner.limit, owner.noun
        )));
    }
    let policy = rules::parse_policy(text, PolicyKind::Identity, owner.limit, "PolicySize")?;
    entity.permissions_mut().inline.insert(
        key,
        InlinePolicy {
            name: name.to_owned(),
            document: PolicyDoc::compiled(text.to_owned(), policy),
        },
    );
    tx.put(entity);
    Ok(json!({}))
}

fn get<E: HasPermissions>(state: &AccountState, input: &Input, owner: Owner<E>) -> Result<Value, IamError> {
    let entity = (owner.lookup)(state, input.str(owner.member)?)?;
    let name = input.str("PolicyName")?;
    let p = entity
        .permissions()
        .inline
        .get(&name.to_ascii_lowercase())
        .ok_or_else(|| {
            IamError::NoSuchEntity(format!(
                "The {} policy with name {name} cannot be found.",
                owner.noun
            ))
        })?;
    Ok(json!({
        owner.member: input.str(owner.member)?,
        "PolicyName": p.name,
        "PolicyDocument": p.document.url_encoded(),
    }))
}

fn delete<E: Entity + HasPermissions>(
    tx: &mut Tx,
    input: &Input,
    owner: Owner<E>,
) -> Result<Value, IamError> {
    let mut entity = (owner.lookup)(&tx.state, input.str(owner.member)?)?.clone();
    let name = input.str("PolicyName")?;
    if entity
        .permissions_mut()
        .inline
        .remove(&name.to_ascii_lowercase())
        .is_none()
    {
        return Err(IamError::NoSuchEntity(format!(
            "The {} policy with name {name} cannot be found.",
            owner.noun
        )));
    }
    tx.put(entity);
    Ok(json!({}))
}

fn list<E: HasPermissions>(state: &AccountState, input: &Input, owner: Owner<E>) -> Result<Value, IamError> {
    let entity = (owner.lookup)(state, input.str(owner.member)?)?;
    let mut out = Map::new();
    let names = page(entity.permissions().inline.iter(), input, &mut out)?;
    out.insert(
        "PolicyNames".into(),
        names.into_iter().map(|p| json!(p.name)).collect(),
    );
    Ok(Value::Object(out))
}

pub fn put_user(tx: &mut Tx, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    put(tx, i, USER)
}
pub fn get_user(s: &AccountState, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    get(s, i, USER)
}
pub fn delete_user(tx: &mut Tx, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    delete(tx, i, USER)
}
pub fn list_user(s: &AccountState, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    list(s, i, USER)
}
pub fn put_group(tx: &mut Tx, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    put(tx, i, GROUP)
}
pub fn get_group(s: &AccountState, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    get(s, i, GROUP)
}
pub fn delete_group(tx: &mut Tx, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    delete(tx, i, GROUP)
}
pub fn list_group(s: &AccountState, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    list(s, i, GROUP)
}
pub fn put_role(tx: &mut Tx, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    put(tx, i, ROLE)
}
pub fn get_role(s: &AccountState, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    get(s, i, ROLE)
}
pub fn delete_role(tx: &mut Tx, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    delete(tx, i, ROLE)
}
pub fn list_role(s: &AccountState, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    list(s, i, ROLE)
}
