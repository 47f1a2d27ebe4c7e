//! Users: AdminCreateUser, AdminGetUser, AdminDeleteUser, AdminSetUserPassword,
//! AdminConfirmSignUp, AdminDisableUser, AdminEnableUser, ListUsers, SignUp.

use std::collections::BTreeMap;

use rand::Rng;
use serde_json::{Value, json};

use super::{attribute_list, client, epoch, page, pool, required, set, str_of};
use crate::error::CognitoError;
use crate::model::{Client, Mutation, Namespace, Pool, SrpVerifier, User};
use crate::{Ctx, Effect, Env, tokens};

/// How each operation words a password the policy refuses (AWS's three phrasings).
pub const SIGN_UP_WORDING: &str = "Password did not conform with policy";
pub const ADMIN_CREATE_WORDING: &str = "Password did not conform with password policy";
pub const CHANGE_WORDING: &str = "Password does not conform to policy";

/// AWS's `InvalidPasswordException` for a password the pool's policy refuses, in the
/// operation's `wording`.
pub fn check_password(pool: &Pool, password: &str, wording: &str) -> Result<(), CognitoError> {
    let p = &pool.password_policy;
    let refuse = |why: &str| Err(CognitoError::invalid_password(format!("{wording}: {why}")));
    if password.chars().count() < p.minimum_length as usize {
        return refuse("Password not long enough");
    }
    if p.require_uppercase && !password.chars().any(char::is_uppercase) {
        return refuse("Password must have uppercase characters");
    }
    if p.require_lowercase && !password.chars().any(char::is_lowercase) {
        return refuse("Password must have lowercase characters");
    }
    if p.require_numbers && !password.chars().any(|c| c.is_ascii_digit()) {
        return refuse("Password must have numeric characters");
    }
    if p.require_symbols && !password.chars().any(|c| c.is_ascii_punctuation() || c == ' ') {
        return refuse("Password must have symbol characters");
    }
    Ok(())
}

fn hash_password(password: &str) -> Result<String, CognitoError> {
    warden_iam::crypto::hash_password(password)
        .ok_or_else(|| CognitoError::internal("Password hashing failed."))
}

/// Sets `user`'s password: its argon2id hash (password flows) and SRP verifier (SRP).
pub fn set_password(env: &Env<'_>, user: &mut User, password: &str) -> Result<(), CognitoError> {
    user.password_hash = Some(hash_password(password)?);
    let (salt, verifier) = crate::srp::new_verifier(&user.pool_id, &user.username, password);
    user.srp = Some(SrpVerifier {
        salt,
        verifier_sealed: env.sealer.seal(&verifier, &user.srp_context()),
        verifier: Some(verifier),
    });
    Ok(())
}

/// A temporary password that satisfies any policy (AWS generates one when none is given).
fn generated_password(pool: &Pool) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let len = (pool.password_policy.minimum_length as usize).max(12);
    let mut out: String = (0..len)
        .map(|_| {
            ALPHABET
                .get(rng.gen_range(0..ALPHABET.len()))
                .copied()
                .unwrap_or(b'x') as char
        })
        .collect();
    out.push_str("aA1!");
    out
}

/// The `[{Name, Value}]` form of a user's attributes, `sub` first as AWS lists it.
pub fn attributes_of(user: &User) -> Vec<Value> {
    let mut out = vec![json!({"Name": "sub", "Value": user.sub})];
    out.extend(
        user.attributes
            .iter()
            .filter(|(k, _)| k.as_str() != "sub")
            .map(|(k, v)| json!({"Name": k, "Value": v})),
    );
    out
}

pub fn user_type(user: &User, attributes_key: &str) -> Value {
    json!({
        "Username": user.username,
        attributes_key: attributes_of(user),
        "UserCreateDate": epoch(user.created),
        "UserLastModifiedDate": epoch(user.modified),
        "Enabled": user.enabled,
        "UserStatus": user.status,
    })
}

/// Checks given attributes against the pool's schema.
pub(crate) fn checked_attributes(
    pool: &Pool,
    given: Vec<(String, String)>,
) -> Result<BTreeMap<String, String>, CognitoError> {
    let mut out = BTreeMap::new();
    for (name, value) in given {
        if name == "sub" {
            return Err(CognitoError::invalid_parameter(
                "Attributes did not conform to the schema: sub: Attribute cannot be written.",
            ));
        }
        if !pool.knows_attribute(&name) {
            return Err(CognitoError::invalid_parameter(format!(
                "Attributes did not conform to the schema: {name}: Attribute does not exist in the schema."
            )));
        }
        if value.chars().count() > 2048 {
            return Err(CognitoError::invalid_parameter(format!(
                "Attributes did not conform to the schema: {name}: String must be no longer than 2048 characters"
            )));
        }
        out.insert(name, value);
    }
    Ok(out)
}

/// A new user's username and attributes. In pools where email or phone number is the
/// username, the given name is that attribute and the username is the user's `sub`.
fn new_user(
    ns: &Namespace,
    pool: &Pool,
    given: &str,
    attributes: Vec<(String, String)>,
    now: time::OffsetDateTime,
    exists_message: &str,
) -> Result<User, CognitoError> {
    let sub = tokens::uuid();
    let mut attributes = checked_attributes(pool, attributes)?;
    let username = if pool.username_attributes.is_empty() {
        given.to_owned()
    } else {
        let attribute = if given.contains('@') && pool.username_attributes.iter().any(|a| a == "email") {
            "email"
        } else if given.starts_with('+') && pool.username_attributes.iter().any(|a| a == "phone_number") {
            "phone_number"
        } else {
            return Err(CognitoError::invalid_parameter(
                "Username should be either an email or a phone number.",
            ));
        };
        if ns.find_user(pool, given).is_some() {
            return Err(CognitoError::new(
                "UsernameExistsException",
                400,
                format!("An account with the given {attribute} already exists."),
            ));
        }
        attributes.insert(attribute.to_owned(), given.to_owned());
        sub.clone()
    };
    if ns.user(&pool.id, &username).is_some() {
        return Err(CognitoError::new("UsernameExistsException", 400, exists_message));
    }
    Ok(User {
        pool_id: pool.id.clone(),
        username,
        sub,
        attributes,
        password_hash: None,
        srp: None,
        groups: Default::default(),
        totp: None,
        status: "UNCONFIRMED".into(),
        enabled: true,
        created: now,
        modified: now,
        temporary_password_expires: None,
    })
}

/// The user `Username` of the pool `UserPoolId`.
pub(crate) fn pool_user<'a>(
    ns: &'a Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<(&'a Pool, &'a User), CognitoError> {
    let pool = pool(ns, ctx, input)?;
    let name = required(input, "Username")?;
    let user = ns
        .find_user(pool, name)
        .ok_or_else(CognitoError::user_not_found)?;
    Ok((pool, user))
}

fn save(user: User) -> Mutation {
    Mutation::PutUser(Box::new(user))
}

pub fn admin_create(
    env: &Env<'_>,
    ns: &Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let pool = pool(ns, ctx, input)?;
    let name = required(input, "Username")?;
    if str_of(input, "MessageAction") == Some("RESEND") {
        let user = ns
            .find_user(pool, name)
            .ok_or_else(CognitoError::user_not_found)?;
        if user.status != "FORCE_CHANGE_PASSWORD" {
            return Err(CognitoError::new(
                "UnsupportedUserStateException",
                400,
                "Resend not possible. User's status is not FORCE_CHANGE_PASSWORD.",
            ));
        }
        return Ok(Effect::read(json!({"User": user_type(user, "Attributes")})));
    }
    let attributes = attribute_list(input, "UserAttributes");
    let mut user = new_user(ns, pool, name, attributes, ctx.now, "User account already exists")?;
    let password = match str_of(input, "TemporaryPassword") {
        Some(p) => {
            check_password(pool, p, ADMIN_CREATE_WORDING)?;
            p.to_owned()
        }
        None => generated_password(pool),
    };
    set_password(env, &mut user, &password)?;
    user.status = "FORCE_CHANGE_PASSWORD".into();
    let days = i64::from(pool.password_policy.temporary_password_validity_days);
    user.temporary_password_expires = Some(ctx.now + time::Duration::days(days));
    let output = json!({"User": user_type(&user, "Attributes")});
    Ok(Effect {
        output,
        mutations: vec![save(user)],
    })
}

pub fn admin_get(_: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let (_, user) = pool_user(ns, ctx, input)?;
    let mut out = user_type(user, "UserAttributes");
    super::mfa::settings_of(user, &mut out);
    Ok(Effect::read(out))
}

pub fn admin_delete(
    _: &Env<'_>,
    ns: &Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let (_, user) = pool_user(ns, ctx, input)?;
    Ok(Effect::changes(vec![Mutation::DeleteUser(user.key())]))
}

pub fn admin_set_password(
    env: &Env<'_>,
    ns: &Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let (pool, user) = pool_user(ns, ctx, input)?;
    let password = required(input, "Password")?;
    check_password(pool, password, CHANGE_WORDING)?;
    let permanent = input.get("Permanent").and_then(Value::as_bool).unwrap_or(false);
    let mut user = user.clone();
    set_password(env, &mut user, password)?;
    user.modified = ctx.now;
    if permanent {
        user.status = "CONFIRMED".into();
        user.temporary_password_expires = None;
    } else {
        user.status = "FORCE_CHANGE_PASSWORD".into();
        let days = i64::from(pool.password_policy.temporary_password_validity_days);
        user.temporary_password_expires = Some(ctx.now + time::Duration::days(days));
    }
    Ok(Effect::changes(vec![save(user)]))
}

pub fn admin_confirm_sign_up(
    _: &Env<'_>,
    ns: &Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let (_, user) = pool_user(ns, ctx, input)?;
    if user.status != "UNCONFIRMED" {
        return Err(CognitoError::not_authorized(format!(
            "User cannot be confirmed. Current status is {}",
            user.status
        )));
    }
    let mut user = user.clone();
    user.status = "CONFIRMED".into();
    user.modified = ctx.now;
    Ok(Effect::changes(vec![save(user)]))
}

/// Marks every live refresh token of `user` revoked (and with them the access tokens
/// issued from them).
pub fn revoke_sessions(ns: &Namespace, user: &User) -> Vec<Mutation> {
    ns.refresh
        .values()
        .filter(|t| {
            !t.revoked && t.pool_id == user.pool_id && t.username.eq_ignore_ascii_case(&user.username)
        })
        .map(|t| {
            let mut t = t.clone();
            t.revoked = true;
            Mutation::PutRefresh(Box::new(t))
        })
        .collect()
}

fn set_enabled(ns: &Namespace, ctx: &Ctx<'_>, input: &Value, enabled: bool) -> Result<Effect, CognitoError> {
    let (_, user) = pool_user(ns, ctx, input)?;
    let mut mutations = if enabled {
        Vec::new()
    } else {
        revoke_sessions(ns, user)
    };
    let mut user = user.clone();
    user.enabled = enabled;
    user.modified = ctx.now;
    mutations.push(save(user));
    Ok(Effect::changes(mutations))
}

pub fn admin_disable(
    _: &Env<'_>,
    ns: &Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    set_enabled(ns, ctx, input, false)
}

pub fn admin_enable(
    _: &Env<'_>,
    ns: &Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    set_enabled(ns, ctx, input, true)
}

/// A ListUsers filter: `attribute = "value"` or `attribute ^= "value"` (prefix).
pub(crate) struct Filter {
    attribute: String,
    prefix: bool,
    value: String,
}

const FILTERABLE: &[&str] = &[
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
];

pub(crate) fn parse_filter(text: &str) -> Result<Filter, CognitoError> {
    let bad = || CognitoError::invalid_parameter("Error while parsing filter.");
    let (attribute, rest, prefix) = match text.split_once("^=") {
        Some((a, r)) => (a, r, true),
        None => {
            let (a, r) = text.split_once('=').ok_or_else(bad)?;
            (a, r, false)
        }
    };
    let attribute = attribute.trim();
    let value = rest
        .trim()
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .ok_or_else(bad)?;
    if !FILTERABLE.contains(&attribute) {
        return Err(bad());
    }
    Ok(Filter {
        attribute: attribute.to_owned(),
        prefix,
        value: value.to_owned(),
    })
}

impl Filter {
    fn matches(&self, user: &User) -> bool {
        let actual = match self.attribute.as_str() {
            "username" => Some(user.username.as_str()),
            "sub" => Some(user.sub.as_str()),
            "cognito:user_status" => Some(user.status.as_str()),
            "status" => Some(if user.enabled { "Enabled" } else { "Disabled" }),
            other => user.attributes.get(other).map(String::as_str),
        };
        actual.is_some_and(|a| {
            if self.prefix {
                a.to_lowercase().starts_with(&self.value.to_lowercase())
            } else {
                a == self.value
            }
        })
    }
}

pub fn list(_: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let pool = pool(ns, ctx, input)?;
    let filter = str_of(input, "Filter")
        .filter(|f| !f.trim().is_empty())
        .map(parse_filter)
        .transpose()?;
    let limit = input.get("Limit").and_then(Value::as_u64).unwrap_or(60);
    let limit = usize::try_from(limit.clamp(1, 60)).unwrap_or(60);
    let wanted: Option<Vec<&str>> = input
        .get("AttributesToGet")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect());
    let users = ns
        .users_of(&pool.id)
        .filter(|u| filter.as_ref().is_none_or(|f| f.matches(u)))
        .map(|u| {
            let mut t = user_type(u, "Attributes");
            if let (Some(wanted), Some(attrs)) =
                (&wanted, t.get_mut("Attributes").and_then(Value::as_array_mut))
            {
                attrs.retain(|a| {
                    a.get("Name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| wanted.contains(&n))
                });
            }
            (u.key(), t)
        });
    let (items, next) = page(users, str_of(input, "PaginationToken"), limit);
    let mut out = json!({"Users": items});
    if let Some(next) = next {
        set(&mut out, "PaginationToken", Value::from(next));
    }
    Ok(Effect::read(out))
}

/// Checks `SECRET_HASH` for clients that have a secret.
pub fn check_secret_hash(client: &Client, username: &str, given: Option<&str>) -> Result<(), CognitoError> {
    let Some(secret) = &client.secret else {
        return Ok(());
    };
    let Some(given) = given else {
        return Err(CognitoError::not_authorized(format!(
            "Client {} is configured with secret but SECRET_HASH was not received",
            client.id
        )));
    };
    if !tokens::same(given, &tokens::client_secret_hash(secret, username, &client.id)) {
        return Err(CognitoError::not_authorized(format!(
            "Unable to verify secret hash for client {}",
            client.id
        )));
    }
    Ok(())
}

/// The pool of a public request's `ClientId`.
pub fn client_and_pool<'a>(ns: &'a Namespace, input: &Value) -> Result<(&'a Client, &'a Pool), CognitoError> {
    let client = client(ns, required(input, "ClientId")?)?;
    let pool = ns
        .pool(&client.pool_id)
        .ok_or_else(|| CognitoError::pool_not_found(&client.pool_id))?;
    Ok((client, pool))
}

pub fn sign_up(env: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let (client, pool) = client_and_pool(ns, input)?;
    if pool.allow_admin_create_user_only {
        return Err(CognitoError::not_authorized(
            "SignUp is not permitted for this user pool",
        ));
    }
    let name = required(input, "Username")?;
    check_secret_hash(client, name, str_of(input, "SecretHash"))?;
    let password = required(input, "Password")?;
    check_password(pool, password, SIGN_UP_WORDING)?;
    let attributes = attribute_list(input, "UserAttributes");
    let mut user = new_user(ns, pool, name, attributes, ctx.now, "User already exists")?;
    set_password(env, &mut user, password)?;
    let output = json!({"UserConfirmed": false, "UserSub": user.sub});
    Ok(Effect {
        output,
        mutations: vec![save(user)],
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::parse_filter;

    #[test]
    fn filters_parse_as_aws_documents_them() {
        let f = parse_filter(r#"email ^= "bob@""#).unwrap_or_else(|e| unreachable!("{e}"));
        assert!(f.prefix && f.attribute == "email" && f.value == "bob@");
        let f = parse_filter(r#"cognito:user_status = "CONFIRMED""#).unwrap_or_else(|e| unreachable!("{e}"));
        assert!(!f.prefix && f.attribute == "cognito:user_status");
        for bad in [
            "email",
            r#"email = bob"#,
            r#"custom:x = "1""#,
            r#"= "x""#,
            "email ~ \"x\"",
        ] {
            assert!(parse_filter(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn any_filter_text_parses_or_is_refused(text in ".{0,80}") {
            let _ = parse_filter(&text);
        }
    }
}
