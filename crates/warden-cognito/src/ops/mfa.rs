//! TOTP multi-factor authentication: SetUserPoolMfaConfig, GetUserPoolMfaConfig,
//! AssociateSoftwareToken, VerifySoftwareToken, SetUserMFAPreference,
//! AdminSetUserMFAPreference, and the SOFTWARE_TOKEN_MFA challenge of sign-in.

use rand::RngCore;
use serde_json::{Value, json};
use warden_iam::ops::mfa::{base32, base32_decode, totp};

use super::auth::access_token_user;
use super::users::pool_user;
use super::{pool, required};
use crate::error::CognitoError;
use crate::model::{Mutation, Namespace, Totp, User};
use crate::{Ctx, Effect, Env};

pub fn set_pool_config(
    _: &Env<'_>,
    ns: &Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let mut pool = pool(ns, ctx, input)?.clone();
    if let Some(enabled) = input
        .pointer("/SoftwareTokenMfaConfiguration/Enabled")
        .and_then(Value::as_bool)
    {
        pool.software_token_mfa = enabled;
    }
    if let Some(mode) = input.get("MfaConfiguration").and_then(Value::as_str) {
        if mode != "OFF" && !pool.software_token_mfa {
            return Err(CognitoError::invalid_parameter(
                "At least one MFA method must be enabled to turn MFA on.",
            ));
        }
        pool.mfa_configuration = mode.to_owned();
    }
    pool.modified = ctx.now;
    let output = config_of(&pool);
    Ok(Effect {
        output,
        mutations: vec![Mutation::PutPool(Box::new(pool))],
    })
}

fn config_of(pool: &crate::model::Pool) -> Value {
    json!({
        "SoftwareTokenMfaConfiguration": {"Enabled": pool.software_token_mfa},
        "MfaConfiguration": pool.mfa_configuration,
    })
}

pub fn get_pool_config(
    _: &Env<'_>,
    ns: &Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    Ok(Effect::read(config_of(pool(ns, ctx, input)?)))
}

/// The user an authenticator operation is for: by access token, or by the session of
/// an `MFA_SETUP` challenge (then also a fresh session to carry on with).
fn mfa_user<'a>(
    env: &Env<'_>,
    ns: &'a Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<(&'a User, Option<String>), CognitoError> {
    if input.get("AccessToken").is_some() {
        let (_, user) = access_token_user(env, ns, input, ctx.now)?;
        return Ok((user, None));
    }
    let session = required(input, "Session")?;
    let invalid = || CognitoError::not_authorized("Invalid session for the user.");
    let client_id = super::auth::session_client(session).ok_or_else(invalid)?;
    let client = ns.clients.get(client_id).ok_or_else(invalid)?;
    let pool = ns.pool(&client.pool_id).ok_or_else(invalid)?;
    let answer = super::auth::Answer {
        session,
        username: None,
        challenge: "MFA_SETUP",
    };
    let user = super::auth::challenged_user(env, ns, (pool, client), &answer, ctx.now)?;
    let next = super::auth::seal_session(env, client, user, "MFA_SETUP", ctx.now);
    Ok((user, Some(next)))
}

pub fn associate(
    env: &Env<'_>,
    ns: &Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let (user, next) = mfa_user(env, ns, ctx, input)?;
    let mut seed = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut seed);
    let secret = base32(&seed);
    let mut user = user.clone();
    user.totp = Some(Totp {
        secret_sealed: env.sealer.seal(&secret, &user.totp_context()),
        verified: false,
        enabled: false,
        secret: Some(secret.clone()),
    });
    let mut output = json!({"SecretCode": secret});
    if let Some(next) = next {
        super::set(&mut output, "Session", next);
    }
    Ok(Effect {
        output,
        mutations: vec![Mutation::PutUser(Box::new(user))],
    })
}

/// Whether `code` is the user's TOTP code now, a step before or a step after.
pub fn code_matches(user: &User, code: &str, now: time::OffsetDateTime) -> bool {
    let Some(seed) = user
        .totp
        .as_ref()
        .and_then(|t| t.secret.as_deref())
        .and_then(base32_decode)
    else {
        return false;
    };
    let step = u64::try_from(now.unix_timestamp() / 30).unwrap_or(0);
    [step.saturating_sub(1), step, step + 1]
        .iter()
        .any(|s| crate::tokens::same(&totp(&seed, *s), code))
}

pub fn verify(env: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let (user, next) = mfa_user(env, ns, ctx, input)?;
    if user.totp.is_none() {
        return Err(CognitoError::invalid_parameter(
            "User has not associated a software token (AssociateSoftwareToken).",
        ));
    }
    if !code_matches(user, required(input, "UserCode")?, ctx.now) {
        return Err(CognitoError::new(
            "EnableSoftwareTokenMFAException",
            400,
            "Code mismatch and fail enable Software Token MFA",
        ));
    }
    let mut user = user.clone();
    if let Some(t) = user.totp.as_mut() {
        t.verified = true;
        // Set up during sign-in (MFA_SETUP): the authenticator is the user's MFA now.
        t.enabled |= next.is_some();
    }
    let mut output = json!({"Status": "SUCCESS"});
    if let Some(next) = next {
        super::set(&mut output, "Session", next);
    }
    Ok(Effect {
        output,
        mutations: vec![Mutation::PutUser(Box::new(user))],
    })
}

fn set_preference(user: &User, input: &Value, now: time::OffsetDateTime) -> Result<Effect, CognitoError> {
    let mut user = user.clone();
    if let Some(enabled) = input
        .pointer("/SoftwareTokenMfaSettings/Enabled")
        .and_then(Value::as_bool)
    {
        match user.totp.as_mut() {
            Some(t) if t.verified => t.enabled = enabled,
            _ if !enabled => {}
            _ => {
                return Err(CognitoError::invalid_parameter(
                    "User has not verified software token mfa",
                ));
            }
        }
    }
    user.modified = now;
    Ok(Effect::changes(vec![Mutation::PutUser(Box::new(user))]))
}

pub fn set_user_preference(
    env: &Env<'_>,
    ns: &Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let (_, user) = access_token_user(env, ns, input, ctx.now)?;
    set_preference(user, input, ctx.now)
}

pub fn admin_set_user_preference(
    _: &Env<'_>,
    ns: &Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let (_, user) = pool_user(ns, ctx, input)?;
    set_preference(user, input, ctx.now)
}

/// The MFA members of GetUser / AdminGetUser.
pub fn settings_of(user: &User, out: &mut Value) {
    if user.totp_required() {
        super::set(out, "UserMFASettingList", json!(["SOFTWARE_TOKEN_MFA"]));
        super::set(out, "PreferredMfaSetting", "SOFTWARE_TOKEN_MFA");
    }
}
