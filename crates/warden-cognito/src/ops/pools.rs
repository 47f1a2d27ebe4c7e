//! CreateUserPool, DescribeUserPool, ListUserPools, DeleteUserPool.

use serde_json::{Value, json};

use super::{epoch, page, pool, set, str_of};
use crate::error::CognitoError;
use crate::model::{Mutation, Namespace, PasswordPolicy, Pool};
use crate::{Ctx, Effect, Env, ids, tokens};

/// Settings fixed at creation (UpdateUserPool does not take them).
const IMMUTABLE: &[&str] = &["AliasAttributes", "Schema", "UsernameConfiguration"];

/// Settings accepted, stored and echoed as given (this version does not act on them).
const ECHOED: &[&str] = &[
    "LambdaConfig",
    "EmailConfiguration",
    "SmsConfiguration",
    "VerificationMessageTemplate",
    "AccountRecoverySetting",
    "UserAttributeUpdateSettings",
    "DeviceConfiguration",
    "UserPoolAddOns",
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "SmsVerificationMessage",
    "SmsAuthenticationMessage",
    "UserPoolTier",
];

/// The standard attributes every pool has: (name, data type, mutable, required).
const STANDARD_ATTRIBUTES: &[(&str, &str)] = &[
    ("sub", "String"),
    ("name", "String"),
    ("given_name", "String"),
    ("family_name", "String"),
    ("middle_name", "String"),
    ("nickname", "String"),
    ("preferred_username", "String"),
    ("profile", "String"),
    ("picture", "String"),
    ("website", "String"),
    ("email", "String"),
    ("email_verified", "Boolean"),
    ("gender", "String"),
    ("birthdate", "String"),
    ("zoneinfo", "String"),
    ("locale", "String"),
    ("phone_number", "String"),
    ("phone_number_verified", "Boolean"),
    ("address", "String"),
    ("updated_at", "Number"),
];

pub fn is_standard_attribute(name: &str) -> bool {
    STANDARD_ATTRIBUTES.iter().any(|(n, _)| *n == name)
}

fn schema_attributes(pool: &Pool) -> Vec<Value> {
    let mut out: Vec<Value> = STANDARD_ATTRIBUTES
        .iter()
        .map(|(name, data_type)| {
            let mut a = json!({
                "Name": name,
                "AttributeDataType": data_type,
                "DeveloperOnlyAttribute": false,
                "Mutable": *name != "sub",
                "Required": *name == "sub",
            });
            match *data_type {
                "String" => {
                    let min = if *name == "sub" { "1" } else { "0" };
                    set(
                        &mut a,
                        "StringAttributeConstraints",
                        json!({"MinLength": min, "MaxLength": "2048"}),
                    );
                }
                "Number" => set(&mut a, "NumberAttributeConstraints", json!({"MinValue": "0"})),
                _ => {}
            }
            a
        })
        .collect();
    for custom in pool.custom_attributes() {
        out.push(custom);
    }
    out
}

impl Pool {
    /// The custom attributes declared in the pool's `Schema`, named `custom:...`.
    pub fn custom_attributes(&self) -> Vec<Value> {
        let declared = self.extra.get("Schema").and_then(Value::as_array);
        declared
            .into_iter()
            .flatten()
            .filter_map(|a| {
                let name = a.get("Name")?.as_str()?;
                if is_standard_attribute(name) {
                    return None;
                }
                let mut a = a.clone();
                set(
                    &mut a,
                    "Name",
                    Value::from(format!("custom:{}", name.trim_start_matches("custom:"))),
                );
                Some(a)
            })
            .collect()
    }

    /// Whether `name` is an attribute users of this pool may have.
    pub fn knows_attribute(&self, name: &str) -> bool {
        is_standard_attribute(name)
            || self
                .custom_attributes()
                .iter()
                .any(|a| a.get("Name").and_then(Value::as_str) == Some(name))
    }
}

fn password_policy(input: &Value) -> Result<PasswordPolicy, CognitoError> {
    let mut policy = PasswordPolicy::default();
    let Some(p) = input.get("Policies").and_then(|p| p.get("PasswordPolicy")) else {
        return Ok(policy);
    };
    let flag = |name: &str, default: bool| p.get(name).and_then(Value::as_bool).unwrap_or(default);
    // A policy given without a member means that member's requirement is off.
    policy.require_uppercase = flag("RequireUppercase", false);
    policy.require_lowercase = flag("RequireLowercase", false);
    policy.require_numbers = flag("RequireNumbers", false);
    policy.require_symbols = flag("RequireSymbols", false);
    if let Some(n) = p.get("MinimumLength").and_then(Value::as_u64) {
        if !(6..=99).contains(&n) {
            return Err(CognitoError::invalid_parameter(
                "Invalid range for password minimum length. Value must be between 6 and 99.",
            ));
        }
        policy.minimum_length = u32::try_from(n).unwrap_or(8);
    }
    if let Some(d) = p.get("TemporaryPasswordValidityDays").and_then(Value::as_u64) {
        policy.temporary_password_validity_days = u32::try_from(d.min(365)).unwrap_or(7);
    }
    Ok(policy)
}

fn string_list(input: &Value, name: &str) -> Vec<String> {
    input
        .get(name)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

pub fn create(env: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let name = super::required(input, "PoolName")?;
    let username_attributes = string_list(input, "UsernameAttributes");
    if username_attributes
        .iter()
        .any(|a| a != "email" && a != "phone_number")
    {
        return Err(CognitoError::invalid_parameter(
            "UsernameAttributes may only contain email and phone_number.",
        ));
    }
    if !username_attributes.is_empty() && input.get("AliasAttributes").is_some() {
        return Err(CognitoError::invalid_parameter(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool",
        ));
    }
    let mut id = ids::new_pool_id(ctx.region, ctx.account);
    while ns.pools.contains_key(&id) {
        id = ids::new_pool_id(ctx.region, ctx.account);
    }
    let mut pool = Pool {
        key: tokens::generate_key(env.sealer, &id)?,
        id,
        name: name.to_owned(),
        account: ctx.account.to_owned(),
        region: ctx.region.to_owned(),
        created: ctx.now,
        modified: ctx.now,
        password_policy: PasswordPolicy::default(),
        username_attributes,
        auto_verified_attributes: Vec::new(),
        allow_admin_create_user_only: false,
        software_token_mfa: false,
        deletion_protection: String::new(),
        mfa_configuration: String::new(),
        tags: Default::default(),
        extra: IMMUTABLE
            .iter()
            .filter_map(|k| Some(((*k).to_owned(), input.get(*k)?.clone())))
            .collect(),
    };
    configure(&mut pool, input)?;
    let output = json!({"UserPool": describe_pool(ns, &pool)});
    Ok(Effect {
        output,
        mutations: vec![Mutation::PutPool(Box::new(pool))],
    })
}

/// Applies the settings of CreateUserPool / UpdateUserPool: what the input leaves out
/// takes its default, as AWS documents for UpdateUserPool.
fn configure(pool: &mut Pool, input: &Value) -> Result<(), CognitoError> {
    pool.password_policy = password_policy(input)?;
    pool.auto_verified_attributes = string_list(input, "AutoVerifiedAttributes");
    pool.allow_admin_create_user_only = input
        .pointer("/AdminCreateUserConfig/AllowAdminCreateUserOnly")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    pool.deletion_protection = str_of(input, "DeletionProtection")
        .unwrap_or("INACTIVE")
        .to_owned();
    pool.mfa_configuration = match str_of(input, "MfaConfiguration").unwrap_or("OFF") {
        "ON" if !pool.software_token_mfa => {
            return Err(CognitoError::invalid_parameter(
                "MfaConfiguration ON needs an MFA method: enable software tokens with SetUserPoolMfaConfig.",
            ));
        }
        other => other.to_owned(),
    };
    pool.tags = input
        .get("UserPoolTags")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
        .collect();
    pool.extra.retain(|k, _| IMMUTABLE.contains(&k.as_str()));
    for k in ECHOED {
        if let Some(v) = input.get(*k) {
            pool.extra.insert((*k).to_owned(), v.clone());
        }
    }
    Ok(())
}

pub fn update(_: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let mut pool = pool(ns, ctx, input)?.clone();
    configure(&mut pool, input)?;
    pool.modified = ctx.now;
    Ok(Effect::changes(vec![Mutation::PutPool(Box::new(pool))]))
}

fn describe_pool(ns: &Namespace, pool: &Pool) -> Value {
    let p = &pool.password_policy;
    let mut out = json!({
        "Id": pool.id,
        "Name": pool.name,
        "Arn": pool.arn(),
        "Policies": {"PasswordPolicy": {
            "MinimumLength": p.minimum_length,
            "RequireUppercase": p.require_uppercase,
            "RequireLowercase": p.require_lowercase,
            "RequireNumbers": p.require_numbers,
            "RequireSymbols": p.require_symbols,
            "TemporaryPasswordValidityDays": p.temporary_password_validity_days,
        }},
        "DeletionProtection": pool.deletion_protection,
        "LambdaConfig": {},
        "LastModifiedDate": epoch(pool.modified),
        "CreationDate": epoch(pool.created),
        "SchemaAttributes": schema_attributes(pool),
        "AutoVerifiedAttributes": pool.auto_verified_attributes,
        "VerificationMessageTemplate": {"DefaultEmailOption": "CONFIRM_WITH_CODE"},
        "MfaConfiguration": pool.mfa_configuration,
        "EstimatedNumberOfUsers": ns.users_of(&pool.id).count(),
        "EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"},
        "UserPoolTags": pool.tags,
        "AdminCreateUserConfig": {
            "AllowAdminCreateUserOnly": pool.allow_admin_create_user_only,
            "UnusedAccountValidityDays": p.temporary_password_validity_days,
        },
        "AccountRecoverySetting": {"RecoveryMechanisms": [
            {"Priority": 1, "Name": "verified_email"},
            {"Priority": 2, "Name": "verified_phone_number"},
        ]},
        "UserPoolTier": "ESSENTIALS",
    });
    if !pool.username_attributes.is_empty() {
        set(
            &mut out,
            "UsernameAttributes",
            Value::from(pool.username_attributes.clone()),
        );
    }
    for (k, v) in &pool.extra {
        if k != "Schema" {
            set(&mut out, k, v.clone());
        }
    }
    out
}

pub fn describe(_: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let pool = pool(ns, ctx, input)?;
    Ok(Effect::read(json!({"UserPool": describe_pool(ns, pool)})))
}

pub fn list(_: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let limit = input.get("MaxResults").and_then(Value::as_u64).unwrap_or(60);
    let limit = usize::try_from(limit.clamp(1, 60)).unwrap_or(60);
    let token = str_of(input, "NextToken");
    if token.is_some_and(|t| !ns.pools.contains_key(t) && ids::parse_pool_id(t).is_none()) {
        return Err(CognitoError::invalid_parameter("Invalid pagination token."));
    }
    let pools = ns
        .pools
        .iter()
        .filter(|(_, p)| p.region == ctx.region)
        .map(|(k, p)| {
            let summary = json!({
                "Id": p.id,
                "Name": p.name,
                "LambdaConfig": {},
                "LastModifiedDate": epoch(p.modified),
                "CreationDate": epoch(p.created),
            });
            (k.clone(), summary)
        });
    let (items, next) = page(pools, token, limit);
    let mut out = json!({"UserPools": items});
    if let Some(next) = next {
        set(&mut out, "NextToken", Value::from(next));
    }
    Ok(Effect::read(out))
}

pub fn delete(_: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let pool = pool(ns, ctx, input)?;
    if pool.deletion_protection == "ACTIVE" {
        return Err(CognitoError::invalid_parameter(
            "The user pool cannot be deleted because deletion protection is activated.",
        ));
    }
    Ok(Effect::changes(vec![Mutation::DeletePool(pool.id.clone())]))
}

/// The pool a `ResourceArn` names, in the caller's account and region.
fn pool_of_arn<'a>(ns: &'a Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<&'a Pool, CognitoError> {
    let arn = super::required(input, "ResourceArn")?;
    let prefix = format!("arn:aws:cognito-idp:{}:{}:userpool/", ctx.region, ctx.account);
    let id = arn.strip_prefix(&prefix).ok_or_else(|| {
        CognitoError::invalid_parameter(format!("{arn} is not a user pool of this account."))
    })?;
    ns.pool(id)
        .filter(|p| p.region == ctx.region)
        .ok_or_else(|| CognitoError::pool_not_found(id))
}

pub fn tag_resource(
    _: &Env<'_>,
    ns: &Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let mut pool = pool_of_arn(ns, ctx, input)?.clone();
    for (k, v) in input.get("Tags").and_then(Value::as_object).into_iter().flatten() {
        pool.tags
            .insert(k.clone(), v.as_str().unwrap_or_default().to_owned());
    }
    if pool.tags.len() > 50 {
        return Err(CognitoError::invalid_parameter(
            "A user pool can have at most 50 tags.",
        ));
    }
    Ok(Effect::changes(vec![Mutation::PutPool(Box::new(pool))]))
}

pub fn untag_resource(
    _: &Env<'_>,
    ns: &Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let mut pool = pool_of_arn(ns, ctx, input)?.clone();
    for key in input
        .get("TagKeys")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        pool.tags.remove(key.as_str().unwrap_or_default());
    }
    Ok(Effect::changes(vec![Mutation::PutPool(Box::new(pool))]))
}

pub fn list_tags(_: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let pool = pool_of_arn(ns, ctx, input)?;
    Ok(Effect::read(json!({"Tags": pool.tags})))
}
