//! Access keys: at most two per user, the secret shown once, Active/Inactive, last used.
//! The root user's keys are those created with root credentials and no `UserName`.

use serde_json::{Map, Value, json};
use warden_types::{AccountId, IdKind, Secret, new_access_key_id, new_secret_access_key};

use super::{OpCtx, page};
use crate::error::IamError;
use crate::input::Input;
use crate::model::*;
use crate::rules::{self, quota};
use crate::state::AccountState;
use crate::tx::Tx;
use crate::util::ts;

/// The user key (None = root) and display name an access key operation acts on.
fn owner(state: &AccountState, input: &Input, ctx: &OpCtx) -> Result<(Option<String>, String), IamError> {
    Ok(match rules::user_or_caller(state, input, ctx.caller)? {
        Some(u) => (Some(u.name.to_ascii_lowercase()), u.name.clone()),
        None => (None, "root".to_owned()),
    })
}

fn not_found(id: &str) -> IamError {
    IamError::NoSuchEntity(format!("The Access Key with id {id} cannot be found."))
}

pub fn create(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let (user, display) = owner(&tx.state, input, ctx)?;
    let count = tx.state.access_keys.values().filter(|k| k.user == user).count();
    if count >= quota::ACCESS_KEYS_PER_USER {
        return Err(IamError::LimitExceeded(format!(
            "Cannot exceed quota for AccessKeysPerUser: {}",
            quota::ACCESS_KEYS_PER_USER
        )));
    }
    let (key, secret) = new_key(ctx, &tx.state.id, user);
    let out = json!({ "AccessKey": {
        "UserName": display,
        "AccessKeyId": key.id,
        "Status": "Active",
        "SecretAccessKey": secret.expose(),
        "CreateDate": ts(key.created),
    }});
    tx.insert(key);
    Ok(out)
}

/// A fresh active key for `user` (None = root) with its secret sealed for storage.
pub fn new_key(ctx: &OpCtx, account: &AccountId, user: Option<String>) -> (AccessKey, Secret) {
    let id = new_access_key_id(IdKind::AccessKey, account);
    let secret = Secret::new(new_secret_access_key());
    let key = AccessKey {
        v: 1,
        secret_sealed: ctx.sealer.seal(secret.expose(), &id),
        id,
        user,
        secret: Some(secret.clone()),
        status: KeyStatus::Active,
        created: ctx.now,
        last_used: None,
        last_used_service: None,
        last_used_region: None,
    };
    (key, secret)
}

pub fn list(state: &AccountState, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let (user, display) = owner(state, input, ctx)?;
    let mut out = Map::new();
    let keys = page(
        state.access_keys.iter().filter(|(_, k)| k.user == user),
        input,
        &mut out,
    )?;
    let keys: Vec<Value> = keys
        .into_iter()
        .map(|k| json!({"UserName": display, "AccessKeyId": k.id, "Status": k.status.as_str(), "CreateDate": ts(k.created)}))
        .collect();
    out.insert("AccessKeyMetadata".into(), Value::Array(keys));
    Ok(Value::Object(out))
}

fn owned_key(state: &AccountState, input: &Input, ctx: &OpCtx) -> Result<AccessKey, IamError> {
    let (user, _) = owner(state, input, ctx)?;
    let id = input.str("AccessKeyId")?;
    state
        .access_keys
        .get(id)
        .filter(|k| k.user == user)
        .cloned()
        .ok_or_else(|| not_found(id))
}

pub fn update(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let mut key = owned_key(&tx.state, input, ctx)?;
    key.status = match input.str("Status")? {
        "Active" => KeyStatus::Active,
        _ => KeyStatus::Inactive,
    };
    tx.put(key);
    Ok(json!({}))
}

pub fn delete(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let key = owned_key(&tx.state, input, ctx)?;
    tx.delete::<AccessKey>(&key.id);
    Ok(json!({}))
}

pub fn last_used(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let id = input.str("AccessKeyId")?;
    let key = state.access_keys.get(id).ok_or_else(|| not_found(id))?;
    let user = match &key.user {
        Some(u) => state.users.get(u).map(|u| u.name.clone()).unwrap_or_default(),
        None => "root".to_owned(),
    };
    // AWS answers "N/A" for a key that never signed a request, and no LastUsedDate.
    let last = match crate::views::key_last_used(state, key) {
        Some(u) => json!({ "LastUsedDate": ts(u.time), "ServiceName": u.service, "Region": u.region }),
        None => json!({ "ServiceName": "N/A", "Region": "N/A" }),
    };
    Ok(json!({ "UserName": user, "AccessKeyLastUsed": last }))
}
