//! Sign-in and sessions: InitiateAuth / AdminInitiateAuth (password and refresh flows),
//! RespondToAuthChallenge (NEW_PASSWORD_REQUIRED), GetUser, GlobalSignOut,
//! AdminUserGlobalSignOut, RevokeToken.

use std::sync::LazyLock;

use serde_json::{Map, Value, json};
use time::{Duration, OffsetDateTime};

use super::users::{
    CHANGE_WORDING, attributes_of, check_password, check_secret_hash, client_and_pool, revoke_sessions,
    set_password,
};
use super::{client, pool, required, set, str_of};
use crate::error::CognitoError;
use crate::model::{Client, Mutation, Namespace, Pool, RefreshToken, User};
use crate::tokens::{self, TokenFault};
use crate::{Ctx, Effect, Env};

/// How long a challenge's `Session` may be answered (AWS's default AuthSessionValidity).
const SESSION_VALIDITY: Duration = Duration::minutes(3);

fn wrong_credentials() -> CognitoError {
    CognitoError::not_authorized("Incorrect username or password.")
}

/// A hash to verify against when the user does not exist, so that an unknown username
/// costs the same time as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| warden_iam::crypto::hash_password("warden-no-such-user").unwrap_or_default());

fn auth_parameter<'a>(input: &'a Value, name: &str) -> Option<&'a str> {
    input
        .get("AuthParameters")
        .and_then(|p| p.get(name))
        .and_then(Value::as_str)
}

fn flow_not_enabled(flow: &str) -> CognitoError {
    CognitoError::invalid_parameter(format!("{flow} flow not enabled for this client"))
}

/// Checks username and password; answers the tokens or the challenge that follows.
fn password_sign_in(
    env: &Env<'_>,
    ns: &Namespace,
    pool: &Pool,
    client: &Client,
    input: &Value,
    now: OffsetDateTime,
) -> Result<Effect, CognitoError> {
    let name = auth_parameter(input, "USERNAME")
        .ok_or_else(|| CognitoError::invalid_parameter("Missing required parameter USERNAME"))?;
    let password = auth_parameter(input, "PASSWORD")
        .ok_or_else(|| CognitoError::invalid_parameter("Missing required parameter PASSWORD"))?;
    check_secret_hash(client, name, auth_parameter(input, "SECRET_HASH"))?;
    let Some(user) = ns.find_user(pool, name) else {
        let _ = warden_iam::crypto::verify_password(password, &DUMMY_HASH);
        return Err(if client.prevents_user_existence_errors() {
            wrong_credentials()
        } else {
            CognitoError::user_not_found()
        });
    };
    may_sign_in(user)?;
    let matches = user
        .password_hash
        .as_deref()
        .is_some_and(|h| warden_iam::crypto::verify_password(password, h));
    if !matches {
        return Err(wrong_credentials());
    }
    signed_in(env, ns, pool, client, user, now)
}

/// AWS's order: a disabled or unconfirmed user is told so whatever the password.
fn may_sign_in(user: &User) -> Result<(), CognitoError> {
    if !user.enabled {
        return Err(CognitoError::not_authorized("User is disabled."));
    }
    if user.status == "UNCONFIRMED" {
        return Err(CognitoError::new(
            "UserNotConfirmedException",
            400,
            "User is not confirmed.",
        ));
    }
    Ok(())
}

/// What follows a proven password: tokens, or the step the user's status asks for.
fn signed_in(
    env: &Env<'_>,
    ns: &Namespace,
    pool: &Pool,
    client: &Client,
    user: &User,
    now: OffsetDateTime,
) -> Result<Effect, CognitoError> {
    match user.status.as_str() {
        "RESET_REQUIRED" => Err(CognitoError::new(
            "PasswordResetRequiredException",
            400,
            "Password reset required for the user",
        )),
        "FORCE_CHANGE_PASSWORD" => {
            if user.temporary_password_expires.is_some_and(|t| now >= t) {
                return Err(CognitoError::not_authorized(
                    "Temporary password has expired and must be reset by an administrator.",
                ));
            }
            Ok(Effect::read(new_password_challenge(env, client, user, now)))
        }
        _ if pool.mfa_configuration == "ON" && !user.totp_required() => Ok(Effect::read(json!({
            "ChallengeName": "MFA_SETUP",
            "Session": seal_session(env, client, user, "MFA_SETUP", now),
            "ChallengeParameters": {"MFAS_CAN_SETUP": "[\"SOFTWARE_TOKEN_MFA\"]"},
        }))),
        _ if pool.mfa_configuration != "OFF" && user.totp_required() => Ok(Effect::read(json!({
            "ChallengeName": "SOFTWARE_TOKEN_MFA",
            "Session": seal_session(env, client, user, "SOFTWARE_TOKEN_MFA", now),
            "ChallengeParameters": {"USER_ID_FOR_SRP": user.username},
        }))),
        _ => issue(env, ns, pool, client, user, now),
    }
}

fn new_password_challenge(env: &Env<'_>, client: &Client, user: &User, now: OffsetDateTime) -> Value {
    let attributes: Map<String, Value> = user
        .attributes
        .iter()
        .filter(|(k, _)| !k.ends_with("_verified"))
        .map(|(k, v)| (k.clone(), Value::from(v.clone())))
        .collect();
    json!({
        "ChallengeName": "NEW_PASSWORD_REQUIRED",
        "Session": seal_session(env, client, user, "NEW_PASSWORD_REQUIRED", now),
        "ChallengeParameters": {
            "USER_ID_FOR_SRP": user.username,
            "requiredAttributes": "[]",
            "userAttributes": Value::Object(attributes).to_string(),
        },
    })
}

/// A challenge session: sealed under the master key, bound to the client, the user and
/// the challenge, valid for three minutes.
///
/// The client's ID leads the session in the clear (`{clientId}.{sealed}`): operations
/// that take only a `Session` (AssociateSoftwareToken, VerifySoftwareToken during
/// MFA_SETUP) find their account and client by it; the seal binds it.
pub(crate) fn seal_session(
    env: &Env<'_>,
    client: &Client,
    user: &User,
    challenge: &str,
    now: OffsetDateTime,
) -> String {
    let body = json!({
        "u": user.username,
        "c": challenge,
        "x": (now + SESSION_VALIDITY).unix_timestamp(),
    });
    let sealed = env
        .sealer
        .seal(&body.to_string(), &format!("cognito-session/{}", client.id));
    format!("{}.{sealed}", client.id)
}

/// The client ID a session names (not yet verified: [`open_session`] checks the seal).
pub fn session_client(session: &str) -> Option<&str> {
    session.split_once('.').map(|(client, _)| client)
}

pub(crate) fn open_session(
    env: &Env<'_>,
    client: &Client,
    session: &str,
    now: OffsetDateTime,
) -> Result<Value, CognitoError> {
    let invalid = || CognitoError::not_authorized("Invalid session for the user.");
    let sealed = session
        .strip_prefix(client.id.as_str())
        .and_then(|rest| rest.strip_prefix('.'))
        .ok_or_else(invalid)?;
    let opened = env
        .sealer
        .open(sealed, &format!("cognito-session/{}", client.id))
        .map_err(|_| invalid())?;
    let body: Value = serde_json::from_str(opened.expose()).map_err(|_| invalid())?;
    let expires = body.get("x").and_then(Value::as_i64).ok_or_else(invalid)?;
    if now.unix_timestamp() >= expires {
        return Err(CognitoError::not_authorized(
            "Invalid session for the user, session is expired.",
        ));
    }
    Ok(body)
}

/// Signs ID and access tokens for `user` through `client`, for the sign-in `session`.
fn tokens_for(
    env: &Env<'_>,
    ns: &Namespace,
    pool: &Pool,
    client: &Client,
    user: &User,
    now: OffsetDateTime,
    session: &RefreshToken,
) -> Result<(String, String), CognitoError> {
    let issuer = env.issuer(&pool.id);
    let iat = now.unix_timestamp();
    let auth_time = session.auth_time.unix_timestamp();
    let event_id = tokens::uuid();
    let mut id_claims = json!({
        "sub": user.sub,
        "iss": issuer,
        "cognito:username": user.username,
        "origin_jti": session.origin_jti,
        "aud": client.id,
        "event_id": event_id,
        "token_use": "id",
        "auth_time": auth_time,
        "exp": iat + client.id_validity().whole_seconds(),
        "iat": iat,
        "jti": tokens::uuid(),
    });
    for (name, value) in &user.attributes {
        let claim = match name.as_str() {
            "email_verified" | "phone_number_verified" => Value::from(value == "true"),
            _ => Value::from(value.clone()),
        };
        set(&mut id_claims, name, claim);
    }
    let mut access_claims = json!({
        "sub": user.sub,
        "iss": issuer,
        "client_id": client.id,
        "origin_jti": session.origin_jti,
        "event_id": event_id,
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": auth_time,
        "exp": iat + client.access_validity().whole_seconds(),
        "iat": iat,
        "jti": tokens::uuid(),
        "username": user.username,
    });
    let (groups, roles) = super::groups::token_groups(ns, user);
    if !groups.is_empty() {
        set(&mut id_claims, "cognito:groups", groups.clone());
        set(&mut access_claims, "cognito:groups", groups);
    }
    if let Some(preferred) = roles.first() {
        set(&mut id_claims, "cognito:preferred_role", preferred.clone());
        set(&mut id_claims, "cognito:roles", roles);
    }
    Ok((
        tokens::sign(pool, &id_claims)?,
        tokens::sign(pool, &access_claims)?,
    ))
}

/// A new sign-in: ID, access and refresh tokens.
fn issue(
    env: &Env<'_>,
    ns: &Namespace,
    pool: &Pool,
    client: &Client,
    user: &User,
    now: OffsetDateTime,
) -> Result<Effect, CognitoError> {
    let origin_jti = tokens::uuid();
    let (refresh_token, secret_sha256) = tokens::new_refresh_token(&origin_jti);
    let session = RefreshToken {
        origin_jti,
        secret_sha256,
        pool_id: pool.id.clone(),
        client_id: client.id.clone(),
        username: user.username.clone(),
        issued: now,
        expires: now + client.refresh_validity(),
        auth_time: now,
        revoked: false,
    };
    let (id_token, access_token) = tokens_for(env, ns, pool, client, user, now, &session)?;
    let output = json!({
        "ChallengeParameters": {},
        "AuthenticationResult": {
            "AccessToken": access_token,
            "ExpiresIn": client.access_validity().whole_seconds(),
            "TokenType": "Bearer",
            "RefreshToken": refresh_token,
            "IdToken": id_token,
        },
    });
    Ok(Effect {
        output,
        mutations: vec![Mutation::PutRefresh(Box::new(session))],
    })
}

const INVALID_REFRESH: &str = "Invalid Refresh Token.";

fn invalid_refresh() -> CognitoError {
    CognitoError::not_authorized(INVALID_REFRESH)
}

/// The live session of a refresh token handed to `client`.
fn refresh_session<'a>(
    ns: &'a Namespace,
    client: &Client,
    token: &str,
    now: OffsetDateTime,
) -> Result<&'a RefreshToken, CognitoError> {
    let (jti, secret) = tokens::split_refresh_token(token).ok_or_else(invalid_refresh)?;
    let session = ns.refresh.get(jti).ok_or_else(invalid_refresh)?;
    if !tokens::same(&tokens::secret_hash(secret), &session.secret_sha256) || session.client_id != client.id {
        return Err(invalid_refresh());
    }
    if session.revoked {
        return Err(CognitoError::not_authorized("Refresh Token has been revoked"));
    }
    if now >= session.expires {
        return Err(CognitoError::not_authorized("Refresh Token has expired"));
    }
    Ok(session)
}

fn refresh_sign_in(
    env: &Env<'_>,
    ns: &Namespace,
    pool: &Pool,
    client: &Client,
    input: &Value,
    now: OffsetDateTime,
) -> Result<Effect, CognitoError> {
    let token = auth_parameter(input, "REFRESH_TOKEN")
        .ok_or_else(|| CognitoError::invalid_parameter("Missing required parameter REFRESH_TOKEN"))?;
    let session = refresh_session(ns, client, token, now)?;
    let user = ns.user(&pool.id, &session.username).ok_or_else(invalid_refresh)?;
    // With a secret, SECRET_HASH is computed over the user's username (or sub).
    if client.secret.is_some() {
        let given = auth_parameter(input, "SECRET_HASH");
        check_secret_hash(client, &user.username, given)
            .or_else(|_| check_secret_hash(client, &user.sub, given))?;
    }
    if !user.enabled {
        return Err(CognitoError::not_authorized("User is disabled."));
    }
    let (id_token, access_token) = tokens_for(env, ns, pool, client, user, now, session)?;
    Ok(Effect::read(json!({
        "ChallengeParameters": {},
        "AuthenticationResult": {
            "AccessToken": access_token,
            "ExpiresIn": client.access_validity().whole_seconds(),
            "TokenType": "Bearer",
            "IdToken": id_token,
        },
    })))
}

/// The flows both InitiateAuth and AdminInitiateAuth serve.
fn sign_in(
    env: &Env<'_>,
    ns: &Namespace,
    pool: &Pool,
    client: &Client,
    input: &Value,
    now: OffsetDateTime,
    admin: bool,
) -> Result<Effect, CognitoError> {
    let flow = required(input, "AuthFlow")?;
    match (flow, admin) {
        ("USER_PASSWORD_AUTH", false) => {
            if !client.allows("ALLOW_USER_PASSWORD_AUTH") {
                return Err(flow_not_enabled("USER_PASSWORD_AUTH"));
            }
            password_sign_in(env, ns, pool, client, input, now)
        }
        ("ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH", true) => {
            if !client.allows("ALLOW_ADMIN_USER_PASSWORD_AUTH") {
                return Err(CognitoError::invalid_parameter(
                    "Auth flow not enabled for this client",
                ));
            }
            password_sign_in(env, ns, pool, client, input, now)
        }
        ("REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN", _) => {
            if !client.allows("ALLOW_REFRESH_TOKEN_AUTH") {
                return Err(if admin {
                    CognitoError::invalid_parameter("Auth flow not enabled for this client")
                } else {
                    flow_not_enabled("REFRESH_TOKEN_AUTH")
                });
            }
            refresh_sign_in(env, ns, pool, client, input, now)
        }
        ("USER_SRP_AUTH", _) => srp_challenge(env, ns, pool, client, input, now),
        ("CUSTOM_AUTH" | "USER_AUTH", _) => Err(CognitoError::invalid_parameter(format!(
            "Warden does not implement the {flow} flow yet; use USER_SRP_AUTH, USER_PASSWORD_AUTH or \
             ADMIN_USER_PASSWORD_AUTH."
        ))),
        _ => Err(CognitoError::invalid_parameter(
            "Initiate Auth method not supported.",
        )),
    }
}

pub fn initiate(env: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let (client, pool) = client_and_pool(ns, input)?;
    sign_in(env, ns, pool, client, input, ctx.now, false)
}

/// The pool `UserPoolId` and its client `ClientId` (administrative sign-in calls).
fn admin_client<'a>(
    ns: &'a Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<(&'a Pool, &'a Client), CognitoError> {
    let pool = pool(ns, ctx, input)?;
    let client = client(ns, required(input, "ClientId")?)?;
    if client.pool_id != pool.id {
        return Err(CognitoError::client_not_found(&client.id));
    }
    Ok((pool, client))
}

/// One of a challenge answer's `ChallengeResponses`.
fn challenge_response<'a>(input: &'a Value, name: &str) -> Option<&'a str> {
    input
        .get("ChallengeResponses")
        .and_then(|r| r.get(name))
        .and_then(Value::as_str)
}

pub fn admin_initiate(
    env: &Env<'_>,
    ns: &Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let (pool, client) = admin_client(ns, ctx, input)?;
    sign_in(env, ns, pool, client, input, ctx.now, true)
}

/// AdminRespondToAuthChallenge: the same answers, signed, for a client of `UserPoolId`.
pub fn admin_respond_to_challenge(
    env: &Env<'_>,
    ns: &Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    admin_client(ns, ctx, input)?;
    respond_to_challenge(env, ns, ctx, input)
}

pub fn respond_to_challenge(
    env: &Env<'_>,
    ns: &Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let (client, pool) = client_and_pool(ns, input)?;
    let challenge = required(input, "ChallengeName")?;
    if challenge == "PASSWORD_VERIFIER" {
        return password_verifier(env, ns, pool, client, input, ctx.now);
    }
    if challenge == "SOFTWARE_TOKEN_MFA" {
        return software_token_answer(env, ns, pool, client, input, ctx.now);
    }
    if challenge == "MFA_SETUP" {
        return mfa_set_up(env, ns, pool, client, input, ctx.now);
    }
    if challenge != "NEW_PASSWORD_REQUIRED" {
        return Err(CognitoError::invalid_parameter(format!(
            "Warden does not implement the {challenge} challenge yet."
        )));
    }
    let session = open_session(env, client, str_of(input, "Session").unwrap_or_default(), ctx.now)?;
    let response = |name: &str| challenge_response(input, name);
    let name = response("USERNAME")
        .ok_or_else(|| CognitoError::invalid_parameter("Missing required parameter USERNAME"))?;
    let user = ns
        .find_user(pool, name)
        .ok_or_else(CognitoError::user_not_found)?;
    if session.get("u").and_then(Value::as_str) != Some(user.username.as_str())
        || session.get("c").and_then(Value::as_str) != Some(challenge)
        || user.status != "FORCE_CHANGE_PASSWORD"
    {
        return Err(CognitoError::not_authorized(
            "Invalid session for the user, session is expired.",
        ));
    }
    check_secret_hash(client, name, response("SECRET_HASH"))?;
    let password = response("NEW_PASSWORD")
        .ok_or_else(|| CognitoError::invalid_parameter("Missing required parameter NEW_PASSWORD"))?;
    check_password(pool, password, CHANGE_WORDING)?;
    let mut user = user.clone();
    set_password(env, &mut user, password)?;
    user.status = "CONFIRMED".into();
    user.temporary_password_expires = None;
    user.modified = ctx.now;
    let mut effect = issue(env, ns, pool, client, &user, ctx.now)?;
    effect.mutations.push(Mutation::PutUser(Box::new(user)));
    Ok(effect)
}

/// The pool, user and claims of a valid, unrevoked access token.
pub(crate) fn access_token_user<'a>(
    env: &Env<'_>,
    ns: &'a Namespace,
    input: &Value,
    now: OffsetDateTime,
) -> Result<(&'a Pool, &'a User), CognitoError> {
    let invalid = || CognitoError::not_authorized("Invalid Access Token");
    let token = required(input, "AccessToken")?;
    let claims = tokens::unverified_claims(token).ok_or_else(invalid)?;
    let pool_id = claims
        .get("iss")
        .and_then(Value::as_str)
        .and_then(|iss| iss.rsplit('/').next())
        .ok_or_else(invalid)?;
    let pool = ns.pool(pool_id).ok_or_else(invalid)?;
    let claims = tokens::verify(pool, &env.issuer(pool_id), token, now).map_err(|fault| match fault {
        TokenFault::Expired => CognitoError::not_authorized("Access Token has expired"),
        TokenFault::Invalid => invalid(),
    })?;
    if claims.get("token_use").and_then(Value::as_str) != Some("access") {
        return Err(invalid());
    }
    let username = claims
        .get("username")
        .and_then(Value::as_str)
        .ok_or_else(invalid)?;
    let user = ns
        .user(pool_id, username)
        .ok_or_else(CognitoError::user_not_found)?;
    let origin = claims
        .get("origin_jti")
        .and_then(Value::as_str)
        .ok_or_else(invalid)?;
    let live = ns
        .refresh
        .get(origin)
        .is_some_and(|s| !s.revoked && s.pool_id == pool.id && s.username == user.username);
    if !live {
        return Err(CognitoError::not_authorized("Access Token has been revoked"));
    }
    if !user.enabled {
        return Err(CognitoError::not_authorized("User is disabled."));
    }
    Ok((pool, user))
}

pub fn get_user(env: &Env<'_>, ns: &Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<Effect, CognitoError> {
    let (_, user) = access_token_user(env, ns, input, ctx.now)?;
    let mut out = json!({
        "Username": user.username,
        "UserAttributes": attributes_of(user),
    });
    super::mfa::settings_of(user, &mut out);
    Ok(Effect::read(out))
}

pub fn global_sign_out(
    env: &Env<'_>,
    ns: &Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let (_, user) = access_token_user(env, ns, input, ctx.now)?;
    Ok(Effect::changes(revoke_sessions(ns, user)))
}

pub fn admin_global_sign_out(
    _: &Env<'_>,
    ns: &Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let (_, user) = super::users::pool_user(ns, ctx, input)?;
    Ok(Effect::changes(revoke_sessions(ns, user)))
}

pub fn revoke_token(
    _: &Env<'_>,
    ns: &Namespace,
    ctx: &Ctx<'_>,
    input: &Value,
) -> Result<Effect, CognitoError> {
    let (client, _) = client_and_pool(ns, input)?;
    if let Some(secret) = &client.secret {
        let given = str_of(input, "ClientSecret").unwrap_or_default();
        if !tokens::same(given, secret) {
            return Err(CognitoError::new(
                "UnauthorizedException",
                400,
                "Invalid client secret.",
            ));
        }
    }
    if !client.enable_token_revocation {
        return Err(CognitoError::new(
            "UnsupportedOperationException",
            400,
            "Token revocation isn't enabled for this app client.",
        ));
    }
    let token = required(input, "Token")?;
    let session = match refresh_session(ns, client, token, ctx.now) {
        Ok(s) => s,
        // Revoking a token that is already revoked or expired succeeds (RFC 7009).
        Err(e) if e.message != INVALID_REFRESH => return Ok(Effect::read(json!({}))),
        Err(_) => {
            return Err(CognitoError::new(
                "UnsupportedTokenTypeException",
                400,
                "Invalid token type.",
            ));
        }
    };
    let mut revoked = session.clone();
    revoked.revoked = true;
    Ok(Effect::changes(vec![Mutation::PutRefresh(Box::new(revoked))]))
}

fn srp_context(client: &Client) -> String {
    format!("cognito-srp/{}", client.id)
}

/// The server's half of `USER_SRP_AUTH`: a `PASSWORD_VERIFIER` challenge whose
/// `SECRET_BLOCK` carries, sealed, the ephemeral secret `b` and the client's `A`.
fn srp_challenge(
    env: &Env<'_>,
    ns: &Namespace,
    pool: &Pool,
    client: &Client,
    input: &Value,
    now: OffsetDateTime,
) -> Result<Effect, CognitoError> {
    if !client.allows("ALLOW_USER_SRP_AUTH") {
        return Err(CognitoError::invalid_parameter(
            "USER_SRP_AUTH is not enabled for the client.",
        ));
    }
    let name = auth_parameter(input, "USERNAME")
        .ok_or_else(|| CognitoError::invalid_parameter("Missing required parameter USERNAME"))?;
    let a_hex = auth_parameter(input, "SRP_A")
        .ok_or_else(|| CognitoError::invalid_parameter("Missing required parameter SRP_A"))?;
    if a_hex.is_empty() || a_hex.len() > 2048 || !a_hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(CognitoError::invalid_parameter(
            "SRP_A is not a hexadecimal number.",
        ));
    }
    check_secret_hash(client, name, auth_parameter(input, "SECRET_HASH"))?;
    let user = ns.find_user(pool, name);
    let known = user.and_then(|u| {
        Some((
            u,
            u.srp.as_ref()?.verifier.as_deref()?,
            u.srp.as_ref()?.salt.as_str(),
        ))
    });
    let (user_id, verifier, salt, fake) = match known {
        Some((u, verifier, salt)) => (u.username.clone(), verifier.to_owned(), salt.to_owned(), false),
        None if user.is_some() || client.prevents_user_existence_errors() => {
            // A challenge that no password answers, indistinguishable from a real one.
            let (salt, verifier) = crate::srp::new_verifier(&pool.id, name, &tokens::uuid());
            (name.to_owned(), verifier, salt, true)
        }
        None => return Err(CognitoError::user_not_found()),
    };
    let (b, big_b) = crate::srp::server_ephemeral(&verifier)
        .ok_or_else(|| CognitoError::internal("An internal error occurred."))?;
    let body = json!({
        "u": user_id,
        "b": b,
        "a": a_hex.to_ascii_lowercase(),
        "x": (now + crate::SRP_BLOCK_VALIDITY).unix_timestamp(),
        "n": tokens::uuid(),
        "f": fake,
    });
    let sealed = env.sealer.seal(&body.to_string(), &srp_context(client));
    let block = sealed.strip_prefix("v1:").unwrap_or(&sealed).to_owned();
    Ok(Effect::read(json!({
        "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeParameters": {
            "SALT": salt,
            "SECRET_BLOCK": block,
            "SRP_B": big_b,
            "USERNAME": user_id,
            "USER_ID_FOR_SRP": user_id,
        },
    })))
}

/// Checks a `PASSWORD_VERIFIER` answer: the claim signature proves the password without
/// sending it. Each secret block is answered once.
fn password_verifier(
    env: &Env<'_>,
    ns: &Namespace,
    pool: &Pool,
    client: &Client,
    input: &Value,
    now: OffsetDateTime,
) -> Result<Effect, CognitoError> {
    let response = |name: &str| challenge_response(input, name);
    let missing = |name: &str| CognitoError::invalid_parameter(format!("Missing required parameter {name}"));
    let name = response("USERNAME").ok_or_else(|| missing("USERNAME"))?;
    let block =
        response("PASSWORD_CLAIM_SECRET_BLOCK").ok_or_else(|| missing("PASSWORD_CLAIM_SECRET_BLOCK"))?;
    let signature =
        response("PASSWORD_CLAIM_SIGNATURE").ok_or_else(|| missing("PASSWORD_CLAIM_SIGNATURE"))?;
    let timestamp = response("TIMESTAMP").ok_or_else(|| missing("TIMESTAMP"))?;
    let state: Value = env
        .sealer
        .open(&format!("v1:{block}"), &srp_context(client))
        .ok()
        .and_then(|s| serde_json::from_str(s.expose()).ok())
        .ok_or_else(wrong_credentials)?;
    let field = |k: &str| state.get(k).and_then(Value::as_str).unwrap_or_default();
    let expires = state.get("x").and_then(Value::as_i64).unwrap_or(0);
    if now.unix_timestamp() >= expires {
        return Err(CognitoError::not_authorized(
            "Invalid session for the user, session is expired.",
        ));
    }
    let nonce = field("n").to_owned();
    if state.get("f").and_then(Value::as_bool) != Some(false) || ns.used_srp_blocks.contains_key(&nonce) {
        return Err(wrong_credentials());
    }
    let user = ns
        .find_user(pool, name)
        .filter(|u| u.username == field("u"))
        .ok_or_else(wrong_credentials)?;
    check_secret_hash(client, name, response("SECRET_HASH"))?;
    may_sign_in(user)?;
    let verifier = user
        .srp
        .as_ref()
        .and_then(|s| s.verifier.as_deref())
        .ok_or_else(wrong_credentials)?;
    let block_bytes = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, block)
        .map_err(|_| wrong_credentials())?;
    let claim = crate::srp::ServerClaim {
        pool_id: &pool.id,
        user: &user.username,
        verifier_hex: verifier,
        b_hex: field("b"),
        a_hex: field("a"),
        secret_block: &block_bytes,
        timestamp,
    };
    let expected = claim.expected_signature().ok_or_else(wrong_credentials)?;
    if !tokens::same(&expected, signature) {
        return Err(wrong_credentials());
    }
    let used = Mutation::UseSrpBlock(nonce, OffsetDateTime::from_unix_timestamp(expires).unwrap_or(now));
    let mut effect = signed_in(env, ns, pool, client, user, now)?;
    effect.mutations.push(used);
    Ok(effect)
}

/// The answer to a `SOFTWARE_TOKEN_MFA` challenge: the session of the password step and
/// the authenticator's current code.
fn software_token_answer(
    env: &Env<'_>,
    ns: &Namespace,
    pool: &Pool,
    client: &Client,
    input: &Value,
    now: OffsetDateTime,
) -> Result<Effect, CognitoError> {
    let response = |name: &str| challenge_response(input, name);
    let session = open_session(env, client, str_of(input, "Session").unwrap_or_default(), now)?;
    let name = response("USERNAME")
        .ok_or_else(|| CognitoError::invalid_parameter("Missing required parameter USERNAME"))?;
    let user = ns
        .find_user(pool, name)
        .ok_or_else(CognitoError::user_not_found)?;
    if session.get("u").and_then(Value::as_str) != Some(user.username.as_str())
        || session.get("c").and_then(Value::as_str) != Some("SOFTWARE_TOKEN_MFA")
    {
        return Err(CognitoError::not_authorized("Invalid session for the user."));
    }
    check_secret_hash(client, name, response("SECRET_HASH"))?;
    let code = response("SOFTWARE_TOKEN_MFA_CODE").ok_or_else(|| {
        CognitoError::invalid_parameter("Missing required parameter SOFTWARE_TOKEN_MFA_CODE")
    })?;
    if !super::mfa::code_matches(user, code, now) {
        return Err(CognitoError::new(
            "CodeMismatchException",
            400,
            "Invalid code received for user",
        ));
    }
    may_sign_in(user)?;
    issue(env, ns, pool, client, user, now)
}

/// A challenge answer's session: which challenge it must be for and, if the answer
/// names one, the user.
pub(crate) struct Answer<'a> {
    pub session: &'a str,
    pub username: Option<&'a str>,
    pub challenge: &'a str,
}

/// The user of a challenge answer, if its session is valid and for that challenge.
pub(crate) fn challenged_user<'a>(
    env: &Env<'_>,
    ns: &'a Namespace,
    (pool, client): (&Pool, &Client),
    answer: &Answer<'_>,
    now: OffsetDateTime,
) -> Result<&'a User, CognitoError> {
    let opened = open_session(env, client, answer.session, now)?;
    let name = opened.get("u").and_then(Value::as_str).unwrap_or_default();
    let named_here = |u: &User| {
        answer
            .username
            .is_none_or(|n| ns.find_user(pool, n).is_some_and(|f| f.username == u.username))
    };
    ns.user(&pool.id, name)
        .filter(|_| opened.get("c").and_then(Value::as_str) == Some(answer.challenge))
        .filter(|u| named_here(u))
        .ok_or_else(|| CognitoError::not_authorized("Invalid session for the user."))
}

/// The answer to `MFA_SETUP`: once the session's user has verified an authenticator
/// (AssociateSoftwareToken and VerifySoftwareToken with the session), the sign-in
/// completes.
fn mfa_set_up(
    env: &Env<'_>,
    ns: &Namespace,
    pool: &Pool,
    client: &Client,
    input: &Value,
    now: OffsetDateTime,
) -> Result<Effect, CognitoError> {
    let username = challenge_response(input, "USERNAME");
    let answer = Answer {
        session: str_of(input, "Session").unwrap_or_default(),
        username,
        challenge: "MFA_SETUP",
    };
    let user = challenged_user(env, ns, (pool, client), &answer, now)?;
    if !user.totp_required() {
        return Err(CognitoError::invalid_parameter(
            "The user has not verified a software token yet (VerifySoftwareToken).",
        ));
    }
    may_sign_in(user)?;
    issue(env, ns, pool, client, user, now)
}
