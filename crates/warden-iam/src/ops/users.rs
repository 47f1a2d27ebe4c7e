//! Users: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser, permissions boundaries.

use serde_json::{Map, Value, json};
use warden_types::{IdKind, new_id};

use super::{OpCtx, page};
use crate::error::IamError;
use crate::input::Input;
use crate::model::*;
use crate::rules;
use crate::state::AccountState;
use crate::tx::Tx;
use crate::views;

pub fn create(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let name = input.str("UserName")?;
    let key = name.to_ascii_lowercase();
    if tx.state.users.contains_key(&key) {
        return Err(IamError::EntityAlreadyExists(format!(
            "User with name {name} already exists."
        )));
    }
    let tags = input.tags("Tags");
    rules::check_tags(&tags)?;
    let boundary = input.opt_str("PermissionsBoundary").map(str::to_owned);
    if let Some(b) = &boundary {
        rules::check_boundary(&tx.state, b)?;
    }
    let user = User {
        v: 1,
        name: name.to_owned(),
        id: new_id(IdKind::User),
        path: rules::path(input, "Path").to_owned(),
        created: ctx.now,
        tags,
        boundary,
        permissions: Permissions::default(),
        groups: Vec::new(),
        login_profile: None,
        password_last_used: None,
        mfa_devices: Vec::new(),
    };
    let out = json!({ "User": views::user(&tx.state, &user, true) });
    tx.insert(user);
    Ok(out)
}

pub fn get(state: &AccountState, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    match rules::user_or_caller(state, input, ctx.caller)? {
        Some(u) => Ok(json!({ "User": views::user(state, u, true) })),
        // The root user answers with its account ID as user ID and the root ARN.
        None => {
            let created = state
                .info
                .as_ref()
                .map(|i| crate::util::ts(i.created))
                .unwrap_or_default();
            Ok(json!({ "User": {
                "Path": "/", "UserName": "", "UserId": state.id.as_str(),
                "Arn": state.root_arn(), "CreateDate": created,
            }}))
        }
    }
}

pub fn list(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let prefix = rules::path(input, "PathPrefix");
    let mut out = Map::new();
    let users = page(
        state.users.iter().filter(|(_, u)| u.path.starts_with(prefix)),
        input,
        &mut out,
    )?;
    out.insert(
        "Users".into(),
        users.into_iter().map(|u| views::user(state, u, false)).collect(),
    );
    Ok(Value::Object(out))
}

pub fn update(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let name = input.str("UserName")?;
    let mut user = rules::user(&tx.state, name)?.clone();
    let old_key = user.name.to_ascii_lowercase();
    if let Some(path) = input.opt_str("NewPath") {
        user.path = path.to_owned();
    }
    let Some(new_name) = input.opt_str("NewUserName") else {
        tx.put(user);
        return Ok(json!({}));
    };
    let new_key = new_name.to_ascii_lowercase();
    if new_key != old_key && tx.state.users.contains_key(&new_key) {
        return Err(IamError::EntityAlreadyExists(format!(
            "User with name {new_name} already exists."
        )));
    }
    user.name = new_name.to_owned();
    if new_key != old_key {
        // Access keys point at their user by key: move them along.
        let keys: Vec<AccessKey> = tx
            .state
            .access_keys
            .values()
            .filter(|k| k.user.as_deref() == Some(&old_key))
            .cloned()
            .collect();
        for mut k in keys {
            k.user = Some(new_key.clone());
            tx.put(k);
        }
        move_credentials(tx, &old_key, &new_key);
        tx.delete::<User>(&old_key);
        tx.insert(user);
    } else {
        tx.put(user);
    }
    Ok(json!({}))
}

pub fn delete(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let name = input.str("UserName")?;
    let user = rules::user(&tx.state, name)?;
    let key = user.name.to_ascii_lowercase();
    let conflict = |what: &str| {
        Err(IamError::DeleteConflict(format!(
            "Cannot delete entity, must {what} first."
        )))
    };
    if user.login_profile.is_some() {
        return conflict("delete login profile");
    }
    if tx
        .state
        .access_keys
        .values()
        .any(|k| k.user.as_deref() == Some(&key))
    {
        return conflict("delete access keys");
    }
    if !user.groups.is_empty() {
        return conflict("remove users from group");
    }
    if !user.permissions.attached.is_empty() {
        return conflict("detach all policies");
    }
    if !user.permissions.inline.is_empty() {
        return conflict("delete policies");
    }
    if !user.mfa_devices.is_empty() {
        return conflict("delete MFA device");
    }
    if tx.state.ssh_public_keys.values().any(|k| k.user == key) {
        return conflict("delete SSH public keys");
    }
    if tx
        .state
        .signing_certificates
        .values()
        .any(|c| c.user.as_deref() == Some(&key))
    {
        return conflict("delete signing certificates");
    }
    if tx.state.service_credentials.values().any(|c| c.user == key) {
        return conflict("remove referenced objects");
    }
    tx.delete::<User>(&key);
    Ok(json!({}))
}

pub fn put_boundary(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let mut user = rules::user(&tx.state, input.str("UserName")?)?.clone();
    let arn = input.str("PermissionsBoundary")?;
    rules::check_boundary(&tx.state, arn)?;
    user.boundary = Some(arn.to_owned());
    tx.put(user);
    Ok(json!({}))
}

pub fn delete_boundary(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let mut user = rules::user(&tx.state, input.str("UserName")?)?.clone();
    user.boundary = None;
    tx.put(user);
    Ok(json!({}))
}

/// Everything else that names its user by key moves with a renamed user: SSH keys,
/// signing certificates, service-specific credentials and MFA devices.
fn move_credentials(tx: &mut Tx, old_key: &str, new_key: &str) {
    let ssh: Vec<SshPublicKey> = tx
        .state
        .ssh_public_keys
        .values()
        .filter(|k| k.user == old_key)
        .cloned()
        .collect();
    for mut k in ssh {
        k.user = new_key.to_owned();
        tx.put(k);
    }
    let certs: Vec<SigningCertificate> = tx
        .state
        .signing_certificates
        .values()
        .filter(|c| c.user.as_deref() == Some(old_key))
        .cloned()
        .collect();
    for mut c in certs {
        c.user = Some(new_key.to_owned());
        tx.put(c);
    }
    let creds: Vec<ServiceCredential> = tx
        .state
        .service_credentials
        .values()
        .filter(|c| c.user == old_key)
        .cloned()
        .collect();
    for mut c in creds {
        c.user = new_key.to_owned();
        tx.put(c);
    }
    let devices: Vec<MfaDevice> = tx
        .state
        .mfa_devices
        .values()
        .filter(|d| d.user.as_deref() == Some(old_key))
        .cloned()
        .collect();
    for mut d in devices {
        d.user = Some(new_key.to_owned());
        tx.put(d);
    }
}
