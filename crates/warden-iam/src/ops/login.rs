//! Login profiles (console passwords) and the account password policy, which is
//! enforced on every password set, with reuse prevention.

use serde_json::{Value, json};

use super::OpCtx;
use crate::caller::Caller;
use crate::error::IamError;
use crate::input::Input;
use crate::model::*;
use crate::rules;
use crate::state::AccountState;
use crate::tx::Tx;
use crate::util::ts;

/// How many earlier passwords are remembered, AWS's maximum for PasswordReusePrevention.
const REMEMBERED_PASSWORDS: usize = 24;

fn hash(password: &str) -> Result<String, IamError> {
    crate::crypto::hash_password(password)
        .ok_or_else(|| IamError::ServiceFailure("password hashing failed".into()))
}

pub use crate::crypto::verify_password as verify;

fn violation() -> IamError {
    IamError::PasswordPolicyViolation("Password does not conform to the account password policy.".into())
}

/// Checks `password` against the account's policy, or AWS's default policy when none is
/// set (at least 8 characters and three of: upper case, lower case, digits, symbols).
pub fn check_password(state: &AccountState, password: &str) -> Result<(), IamError> {
    let upper = password.chars().any(|c| c.is_ascii_uppercase());
    let lower = password.chars().any(|c| c.is_ascii_lowercase());
    let digit = password.chars().any(|c| c.is_ascii_digit());
    let symbol = password.chars().any(|c| c.is_ascii_punctuation());
    let len = i64::try_from(password.chars().count()).unwrap_or(i64::MAX);
    match state.info.as_ref().and_then(|i| i.password_policy.as_ref()) {
        None => {
            let kinds = [upper, lower, digit, symbol].into_iter().filter(|b| *b).count();
            if len < 8 || kinds < 3 {
                return Err(violation());
            }
        }
        Some(p) => {
            if len < p.minimum_password_length
                || (p.require_uppercase_characters && !upper)
                || (p.require_lowercase_characters && !lower)
                || (p.require_numbers && !digit)
                || (p.require_symbols && !symbol)
            {
                return Err(violation());
            }
        }
    }
    Ok(())
}

fn check_reuse(state: &AccountState, profile: &LoginProfile, password: &str) -> Result<(), IamError> {
    let remember = state
        .info
        .as_ref()
        .and_then(|i| i.password_policy.as_ref())
        .and_then(|p| p.password_reuse_prevention)
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0);
    let recent = std::iter::once(&profile.password_hash)
        .chain(profile.previous_hashes.iter())
        .take(remember);
    if recent.into_iter().any(|h| verify(password, h)) {
        return Err(IamError::PasswordPolicyViolation(
            "Policy constraint violation with password reuse prevention during password change operation"
                .into(),
        ));
    }
    Ok(())
}

pub fn create(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let mut user = rules::user(&tx.state, input.str("UserName")?)?.clone();
    if user.login_profile.is_some() {
        return Err(IamError::EntityAlreadyExists(format!(
            "Login Profile for user {} already exists.",
            user.name
        )));
    }
    let password = input.str("Password")?;
    check_password(&tx.state, password)?;
    let reset = input.opt_bool("PasswordResetRequired").unwrap_or(false);
    user.login_profile = Some(LoginProfile {
        password_hash: hash(password)?,
        created: ctx.now,
        password_changed: ctx.now,
        reset_required: reset,
        previous_hashes: Vec::new(),
    });
    let out = json!({ "LoginProfile": {"UserName": user.name, "CreateDate": ts(ctx.now), "PasswordResetRequired": reset} });
    tx.put(user);
    Ok(out)
}

fn no_profile(name: &str) -> IamError {
    IamError::NoSuchEntity(format!("Login Profile for User {name} cannot be found."))
}

pub fn get(state: &AccountState, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let user = rules::user_or_caller(state, input, ctx.caller)?
        .ok_or_else(|| IamError::ValidationError("The root user has no login profile here.".into()))?;
    let p = user
        .login_profile
        .as_ref()
        .ok_or_else(|| no_profile(&user.name))?;
    Ok(
        json!({ "LoginProfile": {"UserName": user.name, "CreateDate": ts(p.created), "PasswordResetRequired": p.reset_required} }),
    )
}

fn set_password(
    state: &AccountState,
    profile: &mut LoginProfile,
    password: &str,
    ctx: &OpCtx,
) -> Result<(), IamError> {
    check_password(state, password)?;
    check_reuse(state, profile, password)?;
    let old = std::mem::replace(&mut profile.password_hash, hash(password)?);
    profile.previous_hashes.insert(0, old);
    profile.previous_hashes.truncate(REMEMBERED_PASSWORDS);
    profile.password_changed = ctx.now;
    Ok(())
}

pub fn update(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let mut user = rules::user(&tx.state, input.str("UserName")?)?.clone();
    let mut profile = user.login_profile.clone().ok_or_else(|| no_profile(&user.name))?;
    if let Some(password) = input.opt_str("Password") {
        set_password(&tx.state, &mut profile, password, ctx)?;
    }
    if let Some(reset) = input.opt_bool("PasswordResetRequired") {
        profile.reset_required = reset;
    }
    user.login_profile = Some(profile);
    tx.put(user);
    Ok(json!({}))
}

pub fn delete(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let mut user = rules::user(&tx.state, input.str("UserName")?)?.clone();
    if user.login_profile.take().is_none() {
        return Err(no_profile(&user.name));
    }
    tx.put(user);
    Ok(json!({}))
}

/// ChangePassword: an IAM user changes their own password, proving the old one.
pub fn change_password(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let Caller::User { user: key, .. } = ctx.caller else {
        return Err(IamError::Other {
            code: "InvalidUserType",
            status: 400,
            message: "Only IAM users can change their own password.".into(),
        });
    };
    let mut user = tx
        .state
        .users
        .get(key)
        .cloned()
        .ok_or_else(|| IamError::no_such("user", key))?;
    let allowed = tx
        .state
        .info
        .as_ref()
        .and_then(|i| i.password_policy.as_ref())
        .is_none_or(|p| p.allow_users_to_change_password);
    if !allowed {
        return Err(IamError::AccessDenied(
            "The account password policy does not allow users to change their password.".into(),
        ));
    }
    let mut profile = user.login_profile.clone().ok_or_else(|| no_profile(&user.name))?;
    if !verify(input.str("OldPassword")?, &profile.password_hash) {
        return Err(IamError::AccessDenied(
            "The old password provided is incorrect.".into(),
        ));
    }
    set_password(&tx.state, &mut profile, input.str("NewPassword")?, ctx)?;
    profile.reset_required = false;
    user.login_profile = Some(profile);
    tx.put(user);
    Ok(json!({}))
}

pub fn update_policy(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let flag = |n: &str| input.opt_bool(n).unwrap_or(false);
    let policy = PasswordPolicy {
        minimum_password_length: input.opt_i64("MinimumPasswordLength").unwrap_or(6),
        require_symbols: flag("RequireSymbols"),
        require_numbers: flag("RequireNumbers"),
        require_uppercase_characters: flag("RequireUppercaseCharacters"),
        require_lowercase_characters: flag("RequireLowercaseCharacters"),
        allow_users_to_change_password: flag("AllowUsersToChangePassword"),
        max_password_age: input.opt_i64("MaxPasswordAge").filter(|v| *v > 0),
        password_reuse_prevention: input.opt_i64("PasswordReusePrevention").filter(|v| *v > 0),
        hard_expiry: flag("HardExpiry"),
    };
    let mut info = account_info(&tx.state, ctx);
    info.password_policy = Some(policy);
    tx.put_info(info);
    Ok(json!({}))
}

/// The account's info record, or a fresh one for an account created before it existed.
pub(crate) fn account_info(state: &AccountState, ctx: &OpCtx) -> AccountInfo {
    state.info.clone().unwrap_or_else(|| AccountInfo {
        v: 1,
        name: state.id.to_string(),
        created: ctx.now,
        aliases: Vec::new(),
        password_policy: None,
        sts_token_version: 1,
    })
}

pub fn get_policy(state: &AccountState, _: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let p = state
        .info
        .as_ref()
        .and_then(|i| i.password_policy.as_ref())
        .ok_or_else(|| {
            IamError::NoSuchEntity(format!(
                "The Password Policy with domain name {} cannot be found.",
                state.id
            ))
        })?;
    let mut v = json!({
        "MinimumPasswordLength": p.minimum_password_length,
        "RequireSymbols": p.require_symbols,
        "RequireNumbers": p.require_numbers,
        "RequireUppercaseCharacters": p.require_uppercase_characters,
        "RequireLowercaseCharacters": p.require_lowercase_characters,
        "AllowUsersToChangePassword": p.allow_users_to_change_password,
        "ExpirePasswords": p.max_password_age.is_some(),
        "HardExpiry": p.hard_expiry,
    });
    if let Some(o) = v.as_object_mut() {
        if let Some(age) = p.max_password_age {
            o.insert("MaxPasswordAge".into(), json!(age));
        }
        if let Some(n) = p.password_reuse_prevention {
            o.insert("PasswordReusePrevention".into(), json!(n));
        }
    }
    Ok(json!({ "PasswordPolicy": v }))
}

pub fn delete_policy(tx: &mut Tx, _: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let mut info = account_info(&tx.state, ctx);
    if info.password_policy.take().is_none() {
        return Err(IamError::NoSuchEntity(
            "The account policy with name PasswordPolicy cannot be found.".into(),
        ));
    }
    tx.put_info(info);
    Ok(json!({}))
}
