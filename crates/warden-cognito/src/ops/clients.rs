//! CreateUserPoolClient, DescribeUserPoolClient, ListUserPoolClients, DeleteUserPoolClient.

use serde_json::{Map, Value, json};

use super::{epoch, page, pool, required, set, str_of};
use crate::error::CognitoError;
use crate::model::{Client, Mutation, Namespace, TokenValidityUnits, unit_seconds};
use crate::{Ctx, Effect, Env, ids};

/// Client settings accepted, stored and echoed as given (the hosted OAuth endpoints that
/// would act on them are not served yet).
const ECHOED: &[&str] = &[
    "ReadAttributes",
    "WriteAttributes",
    "SupportedIdentityProviders",
    "CallbackURLs",
    "LogoutURLs",
    "DefaultRedirectURI",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "AllowedOAuthFlowsUserPoolClient",
    "AnalyticsConfiguration",
    "EnablePropagateAdditionalUserContextData",
    "AuthSessionValidity",
];

const FLOWS: &[&str] = &[
    "ADMIN_NO_SRP_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY",
    "USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_CUSTOM_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_AUTH",
];

/// A validity given in `unit`, checked against AWS's range for that token (seconds).
fn validity(
    input: &Value,
    member: &str,
    unit: &str,
    range: (i64, i64),
    what: &str,
) -> Result<Option<i64>, CognitoError> {
    let Some(value) = input.get(member).and_then(Value::as_i64) else {
        return Ok(None);
    };
    let seconds = value.saturating_mul(unit_seconds(unit));
    if seconds < range.0 || seconds > range.1 {
        return Err(CognitoError::invalid_parameter(format!(
            "{what} token validity must be between {} and {} {unit}.",
            range.0 / unit_seconds(unit),
            range.1 / unit_seconds(unit),
        )));
    }
    Ok(Some(value))
}

fn units(input: &Value) -> TokenValidityUnits {
    let given = |name: &str| {
        input
            .pointer(&format!("/TokenValidityUnits/{name}"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    TokenValidityUnits {
        access_token: given("AccessToken"),
        id_token: given("IdToken"),
        refresh_token: given("RefreshToken"),
    }
}

fn auth_flows(input: &Value) -> Result<Option<Vec<String>>, CognitoError> {
    let Some(given) = input.get("ExplicitAuthFlows").and_then(Value::as_array) else {
        return Ok(None);
    };
    let flows: Vec<String> = given
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    if let Some(bad) = flows.iter().find(|f| !FLOWS.contains(&f.as_str())) {
        return Err(CognitoError::invalid_parameter(format!(
            "1 validation error detected: Value '[{bad}]' at 'explicitAuthFlows' failed to satisfy constraint: \
             Member must satisfy enum value set: [{}]",
            FLOWS.join(", ")
        )));
    }
    let legacy = flows.iter().any(|f| !f.starts_with("ALLOW_"));
    let current = flows.iter().any(|f| f.starts_with("ALLOW_"));
    if legacy && current {
        return Err(CognitoError::invalid_parameter(
            "ExplicitAuthFlows values that begin with ALLOW_ cannot be combined with legacy values.",
        ));
    }
    Ok(Some(flows))
}

/// Applies the settings of CreateUserPoolClient / UpdateUserPoolClient: what the input
/// leaves out takes its default, as AWS documents for UpdateUserPoolClient.
fn configure(client: &mut Client, input: &Value) -> Result<(), CognitoError> {
    const MINUTE: i64 = 60;
    const DAY: i64 = 86_400;
    let units = units(input);
    let unit = |u: &Option<String>, default: &'static str| u.clone().unwrap_or_else(|| default.to_owned());
    let access_unit = unit(&units.access_token, "hours");
    let id_unit = unit(&units.id_token, "hours");
    let refresh_unit = unit(&units.refresh_token, "days");
    client.access_token_validity = validity(
        input,
        "AccessTokenValidity",
        &access_unit,
        (5 * MINUTE, DAY),
        "Access",
    )?;
    client.id_token_validity = validity(input, "IdTokenValidity", &id_unit, (5 * MINUTE, DAY), "Id")?;
    // Absent or 0: thirty days, in the unit given.
    let refresh = validity(
        input,
        "RefreshTokenValidity",
        &refresh_unit,
        (0, 3650 * DAY),
        "Refresh",
    )?
    .filter(|v| *v != 0)
    .unwrap_or(30 * DAY / unit_seconds(&refresh_unit));
    if refresh * unit_seconds(&refresh_unit) < 60 * MINUTE {
        return Err(CognitoError::invalid_parameter(format!(
            "Refresh token validity must be between {} and {} {refresh_unit}.",
            60 * MINUTE / unit_seconds(&refresh_unit),
            3650 * DAY / unit_seconds(&refresh_unit),
        )));
    }
    client.refresh_token_validity = refresh;
    client.units = units;
    client.name = required(input, "ClientName")?.to_owned();
    client.explicit_auth_flows = auth_flows(input)?;
    client.prevent_user_existence_errors = str_of(input, "PreventUserExistenceErrors").map(str::to_owned);
    client.enable_token_revocation = input
        .get("EnableTokenRevocation")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    client.extra = ECHOED
        .iter()
        .filter_map(|k| Some(((*k).to_owned(), input.get(*k)?.clone())))
        .collect::<Map<String, Value>>();
    Ok(())
}

pub fn create(env: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let pool = pool(ns, ctx, input)?;
    let mut id = ids::new_client_id(ctx.account);
    while ns.clients.contains_key(&id) {
        id = ids::new_client_id(ctx.account);
    }
    let secret = input
        .get("GenerateSecret")
        .and_then(Value::as_bool)
        .unwrap_or(false)
        .then(ids::new_client_secret);
    let mut client = Client {
        secret_sealed: secret.as_ref().map(|s| env.sealer.seal(s, &id)),
        secret,
        id,
        pool_id: pool.id.clone(),
        name: String::new(),
        explicit_auth_flows: None,
        access_token_validity: None,
        id_token_validity: None,
        refresh_token_validity: 30,
        units: TokenValidityUnits::default(),
        prevent_user_existence_errors: None,
        enable_token_revocation: true,
        created: ctx.now,
        modified: ctx.now,
        extra: Map::new(),
    };
    configure(&mut client, input)?;
    let output = json!({"UserPoolClient": describe_client(&client)});
    Ok(Effect {
        output,
        mutations: vec![Mutation::PutClient(Box::new(client))],
    })
}

pub fn update(_: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let mut client = pool_client(ns, ctx, input)?.clone();
    if input.get("ClientName").is_none() {
        let mut named = input.clone();
        set(&mut named, "ClientName", client.name.clone());
        configure(&mut client, &named)?;
    } else {
        configure(&mut client, input)?;
    }
    client.modified = ctx.now;
    let output = json!({"UserPoolClient": describe_client(&client)});
    Ok(Effect {
        output,
        mutations: vec![Mutation::PutClient(Box::new(client))],
    })
}

fn describe_client(c: &Client) -> Value {
    // Members the caller never set are absent, as in AWS's answers.
    let mut out = json!({
        "UserPoolId": c.pool_id,
        "ClientName": c.name,
        "ClientId": c.id,
        "LastModifiedDate": epoch(c.modified),
        "CreationDate": epoch(c.created),
        "RefreshTokenValidity": c.refresh_token_validity,
        "TokenValidityUnits": c.units,
        "AllowedOAuthFlowsUserPoolClient": false,
        "EnableTokenRevocation": c.enable_token_revocation,
        "EnablePropagateAdditionalUserContextData": false,
        "AuthSessionValidity": 3,
    });
    if let Some(secret) = &c.secret {
        set(&mut out, "ClientSecret", Value::from(secret.clone()));
    }
    if let Some(v) = c.access_token_validity {
        set(&mut out, "AccessTokenValidity", Value::from(v));
    }
    if let Some(v) = c.id_token_validity {
        set(&mut out, "IdTokenValidity", Value::from(v));
    }
    if let Some(flows) = &c.explicit_auth_flows {
        set(&mut out, "ExplicitAuthFlows", Value::from(flows.clone()));
    }
    if let Some(p) = &c.prevent_user_existence_errors {
        set(&mut out, "PreventUserExistenceErrors", Value::from(p.clone()));
    }
    for (k, v) in &c.extra {
        set(&mut out, k, v.clone());
    }
    out
}

/// The client `ClientId` of the pool `UserPoolId`.
fn pool_client<'a>(ns: &'a Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<&'a Client, CognitoError> {
    let pool = pool(ns, ctx, input)?;
    let id = required(input, "ClientId")?;
    ns.clients
        .get(id)
        .filter(|c| c.pool_id == pool.id)
        .ok_or_else(|| CognitoError::client_not_found(id))
}

pub fn describe(_: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let client = pool_client(ns, ctx, input)?;
    Ok(Effect::read(json!({"UserPoolClient": describe_client(client)})))
}

pub fn list(_: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let pool = pool(ns, ctx, input)?;
    let limit = input.get("MaxResults").and_then(Value::as_u64).unwrap_or(60);
    let limit = usize::try_from(limit.clamp(1, 60)).unwrap_or(60);
    let clients = ns.clients.values().filter(|c| c.pool_id == pool.id).map(|c| {
        let summary = json!({"ClientId": c.id, "UserPoolId": c.pool_id, "ClientName": c.name});
        (c.id.clone(), summary)
    });
    let (items, next) = page(clients, str_of(input, "NextToken"), limit);
    let mut out = json!({"UserPoolClients": items});
    if let Some(next) = next {
        set(&mut out, "NextToken", Value::from(next));
    }
    Ok(Effect::read(out))
}

pub fn delete(_: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let client = pool_client(ns, ctx, input)?;
    Ok(Effect::changes(vec![Mutation::DeleteClient(client.id.clone())]))
}
