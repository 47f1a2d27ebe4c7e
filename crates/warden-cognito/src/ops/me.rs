//! What signed-in users do with their access token (ChangePassword,
//! UpdateUserAttributes, DeleteUser) and the administrator's equivalents
//! (AdminUpdateUserAttributes, AdminDeleteUserAttributes, AdminResetUserPassword).

use serde_json::Value;

use super::auth::access_token_user;
use super::users::{CHANGE_WORDING, check_password, checked_attributes, pool_user, set_password};
use super::{attribute_list, required};
use crate::error::CognitoError;
use crate::model::{Mutation, User};
use crate::{Ctx, Effect, Env};

fn save(user: User) -> Effect {
    Effect::changes(vec![Mutation::PutUser(Box::new(user))])
}

pub fn change_password(
    env: &Env<'_>,
    ns: &crate::model::Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let (pool, user) = access_token_user(env, ns, input, ctx.now)?;
    let previous = required(input, "PreviousPassword")?;
    let proposed = required(input, "ProposedPassword")?;
    let matches = user
        .password_hash
        .as_deref()
        .is_some_and(|h| warden_iam::crypto::verify_password(previous, h));
    if !matches {
        return Err(CognitoError::not_authorized("Incorrect username or password."));
    }
    check_password(pool, proposed, CHANGE_WORDING)?;
    let mut user = user.clone();
    set_password(env, &mut user, proposed)?;
    user.modified = ctx.now;
    Ok(save(user))
}

/// Applies attribute changes; a changed email or phone number is no longer verified
/// unless the change says it is.
fn update_attributes(
    pool: &crate::model::Pool,
    user: &User,
    input: &Value,
    now: time::OffsetDateTime,
) -> Result<User, CognitoError> {
    let changes = checked_attributes(pool, attribute_list(input, "UserAttributes"))?;
    let mut user = user.clone();
    for (verified, attribute) in [
        ("email_verified", "email"),
        ("phone_number_verified", "phone_number"),
    ] {
        let changed = changes
            .get(attribute)
            .is_some_and(|v| user.attributes.get(attribute) != Some(v));
        if changed && !changes.contains_key(verified) {
            user.attributes.insert(verified.to_owned(), "false".to_owned());
        }
    }
    user.attributes.extend(changes);
    user.modified = now;
    Ok(user)
}

pub fn update_user_attributes(
    env: &Env<'_>,
    ns: &crate::model::Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let (pool, user) = access_token_user(env, ns, input, ctx.now)?;
    Ok(save(update_attributes(pool, user, input, ctx.now)?))
}

pub fn delete_user(
    env: &Env<'_>,
    ns: &crate::model::Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let (_, user) = access_token_user(env, ns, input, ctx.now)?;
    Ok(Effect::changes(vec![Mutation::DeleteUser(user.key())]))
}

pub fn admin_update_user_attributes(
    _: &Env<'_>,
    ns: &crate::model::Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let (pool, user) = pool_user(ns, ctx, input)?;
    Ok(save(update_attributes(pool, user, input, ctx.now)?))
}

pub fn admin_delete_user_attributes(
    _: &Env<'_>,
    ns: &crate::model::Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let (_, user) = pool_user(ns, ctx, input)?;
    let names: Vec<&str> = input
        .get("UserAttributeNames")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if names.contains(&"sub") {
        return Err(CognitoError::invalid_parameter(
            "Attributes did not conform to the schema: sub: Attribute cannot be deleted.",
        ));
    }
    let mut user = user.clone();
    for name in names {
        user.attributes.remove(name);
    }
    user.modified = ctx.now;
    Ok(save(user))
}

pub fn admin_reset_user_password(
    _: &Env<'_>,
    ns: &crate::model::Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let (_, user) = pool_user(ns, ctx, input)?;
    if user.status != "CONFIRMED" && user.status != "RESET_REQUIRED" {
        return Err(CognitoError::not_authorized(
            "User password cannot be reset in the current state.",
        ));
    }
    let mut user = user.clone();
    user.status = "RESET_REQUIRED".into();
    user.modified = ctx.now;
    Ok(save(user))
}
