//! Tags on users, roles, managed policies and instance profiles: Tag*, Untag*, List*Tags.

use serde_json::{Map, Value, json};

use super::{OpCtx, page_list};
use crate::error::IamError;
use crate::input::Input;
use crate::model::*;
use crate::rules;
use crate::state::AccountState;
use crate::tx::{Entity, Tx};

/// An entity that carries tags.
trait Tagged: Entity {
    fn tags_mut(&mut self) -> &mut Vec<Tag>;
    fn tags(&self) -> &[Tag];
}

macro_rules! tagged {
    ($($ty:ty),*) => {$(
        impl Tagged for $ty {
            fn tags_mut(&mut self) -> &mut Vec<Tag> { &mut self.tags }
            fn tags(&self) -> &[Tag] { &self.tags }
        }
    )*};
}
tagged!(User, Role, ManagedPolicy, InstanceProfile);

type Lookup<E> = fn(&AccountState, &Input) -> Result<E, IamError>;

fn tag<E: Tagged>(tx: &mut Tx, input: &Input, lookup: Lookup<E>) -> Result<Value, IamError> {
    let mut e = lookup(&tx.state, input)?;
    let new = input.tags("Tags");
    rules::check_tags(&new)?;
    let merged = rules::merge_tags(e.tags(), new);
    rules::check_tags(&merged)?;
    *e.tags_mut() = merged;
    tx.put(e);
    Ok(json!({}))
}

fn untag<E: Tagged>(tx: &mut Tx, input: &Input, lookup: Lookup<E>) -> Result<Value, IamError> {
    let mut e = lookup(&tx.state, input)?;
    let keys = input.strings("TagKeys");
    e.tags_mut()
        .retain(|t| !keys.iter().any(|k| k.eq_ignore_ascii_case(&t.key)));
    tx.put(e);
    Ok(json!({}))
}

fn list<E: Tagged>(state: &AccountState, input: &Input, lookup: Lookup<E>) -> Result<Value, IamError> {
    let e = lookup(state, input)?;
    let mut out = Map::new();
    let tags = page_list(e.tags().to_vec(), input, &mut out)?;
    out.insert("Tags".into(), json!(tags));
    Ok(Value::Object(out))
}

fn user(s: &AccountState, i: &Input) -> Result<User, IamError> {
    rules::user(s, i.str("UserName")?).cloned()
}
fn role(s: &AccountState, i: &Input) -> Result<Role, IamError> {
    rules::role(s, i.str("RoleName")?).cloned()
}
fn policy(s: &AccountState, i: &Input) -> Result<ManagedPolicy, IamError> {
    let arn = i.str("PolicyArn")?;
    rules::customer_policy(s, arn)
        .cloned()
        .ok_or_else(|| rules::no_such_policy(arn))
}
fn instance_profile(s: &AccountState, i: &Input) -> Result<InstanceProfile, IamError> {
    let name = i.str("InstanceProfileName")?;
    s.instance_profiles
        .get(&name.to_ascii_lowercase())
        .cloned()
        .ok_or_else(|| IamError::NoSuchEntity(format!("Instance Profile {name} cannot be found.")))
}

pub fn tag_user(tx: &mut Tx, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    tag(tx, i, user)
}
pub fn untag_user(tx: &mut Tx, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    untag(tx, i, user)
}
pub fn list_user_tags(s: &AccountState, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    list(s, i, user)
}
pub fn tag_role(tx: &mut Tx, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    tag(tx, i, role)
}
pub fn untag_role(tx: &mut Tx, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    untag(tx, i, role)
}
pub fn list_role_tags(s: &AccountState, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    list(s, i, role)
}
pub fn tag_policy(tx: &mut Tx, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    tag(tx, i, policy)
}
pub fn untag_policy(tx: &mut Tx, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    untag(tx, i, policy)
}
pub fn list_policy_tags(s: &AccountState, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    list(s, i, policy)
}
pub fn tag_instance_profile(tx: &mut Tx, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    tag(tx, i, instance_profile)
}
pub fn untag_instance_profile(tx: &mut Tx, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    untag(tx, i, instance_profile)
}
pub fn list_instance_profile_tags(s: &AccountState, i: &Input, _: &OpCtx) -> Result<Value, IamError> {
    list(s, i, instance_profile)
}

/// Instance profile lookup shared with the instance profile operations.
pub(crate) fn find_instance_profile(s: &AccountState, i: &Input) -> Result<InstanceProfile, IamError> {
    instance_profile(s, i)
}
