//! Identity pools (`cognito-identity`): CreateIdentityPool, DescribeIdentityPool,
//! ListIdentityPools, UpdateIdentityPool, DeleteIdentityPool, SetIdentityPoolRoles,
//! GetIdentityPoolRoles, ListIdentities, DescribeIdentity, and the unsigned GetId and
//! GetCredentialsForIdentity that trade guests and signed-in user pool users for role
//! credentials (the "enhanced" flow).

use serde_json::{Map, Value, json};

use super::{Access, OpSpec, epoch, page, required, set, str_of};
use crate::error::CognitoError;
use crate::model::{CognitoProvider, Identity, IdentityPool, Mutation, Namespace};
use crate::tokens::{self, TokenFault};
use crate::{Ctx, Effect, Env, ids};

macro_rules! identity_ops {
    ($($name:literal => $access:ident $run:path),* $(,)?) => {
        /// Every identity pool operation this version serves.
        pub static TABLE: &[OpSpec] = &[
            $(OpSpec { name: $name, access: Access::$access, run: $run },)*
        ];
    };
}

identity_ops! {
    "CreateIdentityPool" => Account create,
    "DescribeIdentityPool" => Pool describe,
    "ListIdentityPools" => Account list,
    "UpdateIdentityPool" => Pool update,
    "DeleteIdentityPool" => Pool delete,
    "SetIdentityPoolRoles" => Pool set_roles,
    "GetIdentityPoolRoles" => Pool get_roles,
    "ListIdentities" => Pool list_identities,
    "DescribeIdentity" => Public describe_identity,
    "GetId" => Public get_id,
    "GetCredentialsForIdentity" => Public credentials_for_identity,
    "GetOpenIdToken" => Public open_id_token,
}

/// Settings accepted and echoed (other login providers are not trusted yet).
const ECHOED: &[&str] = &[
    "SupportedLoginProviders",
    "DeveloperProviderName",
    "OpenIdConnectProviderARNs",
    "SamlProviderARNs",
];

fn pool_not_found(id: &str) -> CognitoError {
    CognitoError::not_found(format!("IdentityPool '{id}' not found."))
}

fn identity_not_found(id: &str) -> CognitoError {
    CognitoError::not_found(format!("Identity '{id}' not found."))
}

/// The identity pool `IdentityPoolId` (in the caller's region).
fn identity_pool<'a>(
    ns: &'a Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<&'a IdentityPool, CognitoError> {
    let id = required(input, "IdentityPoolId")?;
    ns.identity_pools
        .get(id)
        .filter(|p| ids::parse_region_uuid(&p.id).is_some_and(|(r, _)| r == ctx.region))
        .ok_or_else(|| pool_not_found(id))
}

fn providers(input: &Value) -> Vec<CognitoProvider> {
    input
        .get("CognitoIdentityProviders")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some(CognitoProvider {
                provider_name: p.get("ProviderName")?.as_str()?.to_owned(),
                client_id: p.get("ClientId")?.as_str()?.to_owned(),
                server_side_token_check: p
                    .get("ServerSideTokenCheck")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            })
        })
        .collect()
}

fn tags(input: &Value) -> std::collections::BTreeMap<String, String> {
    input
        .get("IdentityPoolTags")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
        .collect()
}

/// Fills a pool's settings from an Create/UpdateIdentityPool input.
fn configure(pool: &mut IdentityPool, input: &Value) -> Result<(), CognitoError> {
    pool.name = required(input, "IdentityPoolName")?.to_owned();
    pool.allow_unauthenticated = input
        .get("AllowUnauthenticatedIdentities")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    pool.allow_classic_flow = input
        .get("AllowClassicFlow")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    pool.cognito_providers = providers(input);
    pool.tags = tags(input);
    pool.extra = ECHOED
        .iter()
        .filter_map(|k| Some(((*k).to_owned(), input.get(*k)?.clone())))
        .collect::<Map<String, Value>>();
    Ok(())
}

fn describe_pool(p: &IdentityPool) -> Value {
    let providers: Vec<Value> = p
        .cognito_providers
        .iter()
        .map(|c| {
            json!({
                "ProviderName": c.provider_name,
                "ClientId": c.client_id,
                "ServerSideTokenCheck": c.server_side_token_check,
            })
        })
        .collect();
    let mut out = json!({
        "IdentityPoolId": p.id,
        "IdentityPoolName": p.name,
        "AllowUnauthenticatedIdentities": p.allow_unauthenticated,
        "AllowClassicFlow": p.allow_classic_flow,
        "CognitoIdentityProviders": providers,
        "IdentityPoolTags": p.tags,
    });
    for (k, v) in &p.extra {
        set(&mut out, k, v.clone());
    }
    out
}

pub fn create(_: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let mut id = ids::new_identity_pool_id(ctx.region, ctx.account);
    while ns.identity_pools.contains_key(&id) {
        id = ids::new_identity_pool_id(ctx.region, ctx.account);
    }
    let mut pool = IdentityPool {
        id,
        name: String::new(),
        allow_unauthenticated: false,
        allow_classic_flow: false,
        cognito_providers: Vec::new(),
        roles: Default::default(),
        role_mappings: Map::new(),
        tags: Default::default(),
        extra: Map::new(),
        created: ctx.now,
    };
    configure(&mut pool, input)?;
    let output = describe_pool(&pool);
    Ok(Effect {
        output,
        mutations: vec![Mutation::PutIdentityPool(Box::new(pool))],
    })
}

pub fn describe(_: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    Ok(Effect::read(describe_pool(identity_pool(ns, ctx, input)?)))
}

pub fn update(_: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let mut pool = identity_pool(ns, ctx, input)?.clone();
    configure(&mut pool, input)?;
    let output = describe_pool(&pool);
    Ok(Effect {
        output,
        mutations: vec![Mutation::PutIdentityPool(Box::new(pool))],
    })
}

pub fn delete(_: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let pool = identity_pool(ns, ctx, input)?;
    Ok(Effect::changes(vec![Mutation::DeleteIdentityPool(
        pool.id.clone(),
    )]))
}

fn max_results(input: &Value) -> usize {
    let n = input.get("MaxResults").and_then(Value::as_u64).unwrap_or(60);
    usize::try_from(n.clamp(1, 60)).unwrap_or(60)
}

pub fn list(_: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let pools = ns
        .identity_pools
        .values()
        .filter(|p| ids::parse_region_uuid(&p.id).is_some_and(|(r, _)| r == ctx.region))
        .map(|p| {
            (
                p.id.clone(),
                json!({"IdentityPoolId": p.id, "IdentityPoolName": p.name}),
            )
        });
    let (items, next) = page(pools, str_of(input, "NextToken"), max_results(input));
    let mut out = json!({"IdentityPools": items});
    if let Some(next) = next {
        set(&mut out, "NextToken", next);
    }
    Ok(Effect::read(out))
}

pub fn set_roles(_: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let mut pool = identity_pool(ns, ctx, input)?.clone();
    let mut roles = std::collections::BTreeMap::new();
    for (kind, arn) in input
        .get("Roles")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let arn = arn.as_str().unwrap_or_default();
        if kind != "authenticated" && kind != "unauthenticated" {
            return Err(CognitoError::invalid_parameter(format!(
                "Roles may be authenticated and unauthenticated, not {kind}."
            )));
        }
        if !(arn.starts_with("arn:aws:iam::") && arn.contains(":role/")) {
            return Err(CognitoError::invalid_parameter(format!(
                "{arn} is not a valid role ARN."
            )));
        }
        roles.insert(kind.clone(), arn.to_owned());
    }
    pool.roles = roles;
    pool.role_mappings = input
        .get("RoleMappings")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    Ok(Effect::changes(vec![Mutation::PutIdentityPool(Box::new(pool))]))
}

pub fn get_roles(_: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let pool = identity_pool(ns, ctx, input)?;
    let mut out = json!({"IdentityPoolId": pool.id, "Roles": pool.roles});
    if !pool.role_mappings.is_empty() {
        set(
            &mut out,
            "RoleMappings",
            Value::Object(pool.role_mappings.clone()),
        );
    }
    Ok(Effect::read(out))
}

fn describe_identity_value(i: &Identity) -> Value {
    let logins: Vec<&str> = i.logins.iter().map(|(p, _)| p.as_str()).collect();
    json!({
        "IdentityId": i.id,
        "Logins": logins,
        "CreationDate": epoch(i.created),
        "LastModifiedDate": epoch(i.modified),
    })
}

pub fn list_identities(
    _: &Env<'_>,
    ns: &Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let pool = identity_pool(ns, ctx, input)?;
    let identities = ns
        .identities
        .values()
        .filter(|i| i.pool_id == pool.id)
        .map(|i| (i.id.clone(), describe_identity_value(i)));
    let (items, next) = page(identities, str_of(input, "NextToken"), max_results(input));
    let mut out = json!({"IdentityPoolId": pool.id, "Identities": items});
    if let Some(next) = next {
        set(&mut out, "NextToken", next);
    }
    Ok(Effect::read(out))
}

pub fn describe_identity(
    _: &Env<'_>,
    ns: &Namespace,
    _: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let id = required(input, "IdentityId")?;
    let identity = ns.identities.get(id).ok_or_else(|| identity_not_found(id))?;
    Ok(Effect::read(describe_identity_value(identity)))
}

/// A verified login: its provider, the user's `sub`, and the ID token's claims.
struct Login {
    provider: String,
    sub: String,
    claims: Value,
}

fn invalid_login(why: &str) -> CognitoError {
    CognitoError::not_authorized(format!("Invalid login token. {why}"))
}

/// Verifies each `Logins` entry: an ID token of a user pool of this account that the
/// identity pool lists, for the listed app client.
fn verify_logins(
    env: &Env<'_>,
    ns: &Namespace,
    pool: &IdentityPool,
    input: &Value,
    now: time::OffsetDateTime,
) -> Result<Vec<Login>, CognitoError> {
    let mut out = Vec::new();
    for (provider, token) in input
        .get("Logins")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let token = token.as_str().unwrap_or_default();
        let config = pool
            .cognito_providers
            .iter()
            .find(|p| &p.provider_name == provider)
            .ok_or_else(|| {
                CognitoError::not_authorized("Token is not from a supported provider of this identity pool.")
            })?;
        let user_pool_id = provider.rsplit('/').next().unwrap_or_default();
        let user_pool = ns
            .pool(user_pool_id)
            .ok_or_else(|| invalid_login("Issuer doesn't match providerName"))?;
        let claims =
            tokens::verify(user_pool, &env.issuer(user_pool_id), token, now).map_err(
                |fault| match fault {
                    TokenFault::Expired => invalid_login("Token expired."),
                    TokenFault::Invalid => invalid_login("Not a valid token of this provider."),
                },
            )?;
        if claims.get("token_use").and_then(Value::as_str) != Some("id") {
            return Err(invalid_login("Not an ID token."));
        }
        if claims.get("aud").and_then(Value::as_str) != Some(config.client_id.as_str()) {
            return Err(invalid_login("Incorrect token audience."));
        }
        let sub = claims
            .get("sub")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if config.server_side_token_check {
            let username = claims
                .get("cognito:username")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let origin = claims
                .get("origin_jti")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let live = ns.user(user_pool_id, username).is_some_and(|u| u.enabled)
                && ns.refresh.get(origin).is_some_and(|s| !s.revoked);
            if !live {
                return Err(invalid_login("Token has been revoked."));
            }
        }
        out.push(Login {
            provider: provider.clone(),
            sub,
            claims,
        });
    }
    Ok(out)
}

fn unauthenticated_refused() -> CognitoError {
    CognitoError::not_authorized("Unauthenticated access is not supported for this identity pool.")
}

pub fn get_id(env: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let pool_id = required(input, "IdentityPoolId")?;
    let pool = ns
        .identity_pools
        .get(pool_id)
        .ok_or_else(|| pool_not_found(pool_id))?;
    let logins = verify_logins(env, ns, pool, input, ctx.now)?;
    if logins.is_empty() && !pool.allow_unauthenticated {
        return Err(unauthenticated_refused());
    }
    // A login seen before keeps its identity.
    let known = ns.identities.values().find(|i| {
        i.pool_id == pool.id
            && logins
                .iter()
                .any(|l| i.logins.iter().any(|(p, s)| *p == l.provider && *s == l.sub))
    });
    if let Some(identity) = known {
        return Ok(Effect::read(json!({"IdentityId": identity.id})));
    }
    let (region, account) = ids::parse_region_uuid(&pool.id).ok_or_else(|| pool_not_found(pool_id))?;
    let mut id = ids::new_identity_id(region, &account);
    while ns.identities.contains_key(&id) {
        id = ids::new_identity_id(region, &account);
    }
    let identity = Identity {
        id: id.clone(),
        pool_id: pool.id.clone(),
        logins: logins.into_iter().map(|l| (l.provider, l.sub)).collect(),
        created: ctx.now,
        modified: ctx.now,
    };
    Ok(Effect {
        output: json!({"IdentityId": id}),
        mutations: vec![Mutation::PutIdentity(Box::new(identity))],
    })
}

/// The role of an authenticated identity: a role mapping for its provider (`Token`:
/// the token's `cognito:preferred_role`, or `CustomRoleArn` among its `cognito:roles`;
/// `Rules`: the first rule whose claim matches), else the pool's authenticated role.
fn authenticated_role(
    pool: &IdentityPool,
    login: &Login,
    custom: Option<&str>,
) -> Result<Option<String>, CognitoError> {
    let default = pool.roles.get("authenticated").cloned();
    let Some(mapping) = pool.role_mappings.get(&login.provider) else {
        return Ok(default);
    };
    let resolved = match mapping.get("Type").and_then(Value::as_str) {
        Some("Token") => {
            let roles: Vec<&str> = login
                .claims
                .get("cognito:roles")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            match custom {
                Some(c) if roles.contains(&c) => Some(c.to_owned()),
                Some(_) => None,
                None => login
                    .claims
                    .get("cognito:preferred_role")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            }
        }
        Some("Rules") => mapping
            .pointer("/RulesConfiguration/Rules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|rule| rule_matches(rule, &login.claims))
            .and_then(|rule| rule.get("RoleARN").and_then(Value::as_str))
            .map(str::to_owned),
        _ => None,
    };
    match (
        resolved,
        mapping.get("AmbiguousRoleResolution").and_then(Value::as_str),
    ) {
        (Some(role), _) => Ok(Some(role)),
        (None, Some("AuthenticatedRole")) => Ok(default),
        (None, _) => Err(CognitoError::not_authorized(
            "Unable to determine a role for this identity.",
        )),
    }
}

fn rule_matches(rule: &Value, claims: &Value) -> bool {
    let field = |k: &str| rule.get(k).and_then(Value::as_str).unwrap_or_default();
    let values: Vec<String> = match claims.get(field("Claim")) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        Some(other) => vec![other.to_string()],
        None => Vec::new(),
    };
    let want = field("Value");
    match field("MatchType") {
        "Equals" => values.iter().any(|v| v == want),
        "Contains" => values.iter().any(|v| v.contains(want)),
        "StartsWith" => values.iter().any(|v| v.starts_with(want)),
        "NotEqual" => !values.is_empty() && values.iter().all(|v| v != want),
        _ => false,
    }
}

/// An identity that proved who it is: its pool, and its role and `amr` as
/// GetCredentialsForIdentity and GetOpenIdToken see them.
struct Proven<'a> {
    identity: &'a Identity,
    pool: &'a IdentityPool,
    role: Option<String>,
    amr: Vec<String>,
}

/// Checks the `Logins` of a request for `IdentityId`: none for a guest of a pool that
/// allows guests, else a valid login linked to the identity.
fn prove<'a>(
    env: &Env<'_>,
    ns: &'a Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Proven<'a>, CognitoError> {
    let id = required(input, "IdentityId")?;
    let identity = ns.identities.get(id).ok_or_else(|| identity_not_found(id))?;
    let pool = ns
        .identity_pools
        .get(&identity.pool_id)
        .ok_or_else(|| identity_not_found(id))?;
    let logins = verify_logins(env, ns, pool, input, ctx.now)?;
    if identity.logins.is_empty() {
        if !pool.allow_unauthenticated {
            return Err(unauthenticated_refused());
        }
        return Ok(Proven {
            identity,
            pool,
            role: pool.roles.get("unauthenticated").cloned(),
            amr: vec!["unauthenticated".to_owned()],
        });
    }
    let login = logins
        .iter()
        .find(|l| identity.logins.iter().any(|(p, s)| *p == l.provider && *s == l.sub))
        .ok_or_else(|| {
            CognitoError::not_authorized(
                "Logins don't match. Please include at least one valid login for this identity or identity pool.",
            )
        })?;
    Ok(Proven {
        identity,
        pool,
        role: authenticated_role(pool, login, str_of(input, "CustomRoleArn"))?,
        amr: vec![
            "authenticated".to_owned(),
            login.provider.clone(),
            format!("{}:{}", login.provider, login.sub),
        ],
    })
}

/// GetOpenIdToken (the basic flow): a ten-minute OpenID token for the identity, which
/// AssumeRoleWithWebIdentity takes with `Federated: cognito-identity.amazonaws.com`.
pub fn open_id_token(
    env: &Env<'_>,
    ns: &Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let proven = prove(env, ns, ctx, input)?;
    if !proven.pool.allow_classic_flow {
        return Err(CognitoError::invalid_parameter(
            "Basic (classic) flow is not enabled, please use enhanced flow.",
        ));
    }
    let key = env
        .identity_key
        .ok_or_else(|| CognitoError::internal("An internal error occurred."))?;
    let iat = ctx.now.unix_timestamp();
    let claims = json!({
        "iss": crate::IDENTITY_ISSUER,
        "sub": proven.identity.id,
        "aud": proven.pool.id,
        "amr": proven.amr,
        "iat": iat,
        "exp": iat + 600,
    });
    Ok(Effect::read(json!({
        "IdentityId": proven.identity.id,
        "Token": tokens::sign_with(key, &claims)?,
    })))
}

pub fn credentials_for_identity(
    env: &Env<'_>,
    ns: &Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let Proven {
        identity,
        pool,
        role,
        amr,
    } = prove(env, ns, ctx, input)?;
    let role = role.ok_or_else(|| {
        CognitoError::new(
            "InvalidIdentityPoolConfigurationException",
            400,
            "Invalid identity pool configuration. Check assigned IAM roles for this pool.",
        )
    })?;
    let sts = env
        .sts
        .ok_or_else(|| CognitoError::internal("An internal error occurred."))?;
    let facts = warden_iam::authz::RequestFacts {
        now: ctx.now,
        source_ip: None,
        secure_transport: false,
        region: ctx.region,
    };
    let request = warden_sts::cognito_identity::CognitoIdentity {
        role_arn: &role,
        identity_pool_id: &pool.id,
        identity_id: &identity.id,
        amr,
    };
    let credentials = sts
        .credentials_for_cognito_identity(&request, &facts)
        .map_err(|e| CognitoError::new(e.code, e.status, e.message))?;
    Ok(Effect::read(json!({
        "IdentityId": identity.id,
        "Credentials": {
            "AccessKeyId": credentials.get("AccessKeyId"),
            "SecretKey": credentials.get("SecretAccessKey"),
            "SessionToken": credentials.get("SessionToken"),
            "Expiration": credentials.get("Expiration"),
        },
    })))
}
