//! The table of operations: each names whether it is public (unsigned, as AWS accepts
//! it) and what IAM resource a signed call is authorized on.

mod auth;
mod clients;
mod groups;
pub mod identity;
mod me;
mod mfa;
mod pools;
mod users;

use serde_json::Value;

use crate::error::CognitoError;
use crate::model::{Client, Namespace, Pool};
use crate::{Ctx, Effect, Env};

pub type Run = fn(&Env<'_>, &Namespace, &Ctx<'_>, &Value) -> Result<Effect, CognitoError>;

/// How a request for an operation is authenticated and authorized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Signed, authorized with IAM on the user pool named by `UserPoolId` (or by its
    /// ARN, `ResourceArn`).
    Pool,
    /// Signed, authorized with IAM on `*` (no pool exists yet, or all are listed).
    Account,
    /// Unsigned: the client, pool or token in the input is the credential.
    Public,
}

pub struct OpSpec {
    pub name: &'static str,
    pub access: Access,
    pub run: Run,
}

macro_rules! ops {
    ($($name:literal => $access:ident $run:path),* $(,)?) => {
        /// Every operation this version serves.
        pub static TABLE: &[OpSpec] = &[
            $(OpSpec { name: $name, access: Access::$access, run: $run },)*
        ];
    };
}

ops! {
    "CreateUserPool" => Account pools::create,
    "DescribeUserPool" => Pool pools::describe,
    "UpdateUserPool" => Pool pools::update,
    "TagResource" => Pool pools::tag_resource,
    "UntagResource" => Pool pools::untag_resource,
    "ListTagsForResource" => Pool pools::list_tags,
    "ListUserPools" => Account pools::list,
    "DeleteUserPool" => Pool pools::delete,
    "CreateUserPoolClient" => Pool clients::create,
    "DescribeUserPoolClient" => Pool clients::describe,
    "UpdateUserPoolClient" => Pool clients::update,
    "ListUserPoolClients" => Pool clients::list,
    "DeleteUserPoolClient" => Pool clients::delete,
    "AdminCreateUser" => Pool users::admin_create,
    "AdminGetUser" => Pool users::admin_get,
    "AdminDeleteUser" => Pool users::admin_delete,
    "AdminSetUserPassword" => Pool users::admin_set_password,
    "AdminConfirmSignUp" => Pool users::admin_confirm_sign_up,
    "AdminDisableUser" => Pool users::admin_disable,
    "AdminEnableUser" => Pool users::admin_enable,
    "AdminUserGlobalSignOut" => Pool auth::admin_global_sign_out,
    "ListUsers" => Pool users::list,
    "CreateGroup" => Pool groups::create,
    "GetGroup" => Pool groups::get,
    "UpdateGroup" => Pool groups::update,
    "DeleteGroup" => Pool groups::delete,
    "ListGroups" => Pool groups::list,
    "AdminAddUserToGroup" => Pool groups::add_user,
    "AdminRemoveUserFromGroup" => Pool groups::remove_user,
    "AdminListGroupsForUser" => Pool groups::list_for_user,
    "ListUsersInGroup" => Pool groups::list_users,
    "AdminUpdateUserAttributes" => Pool me::admin_update_user_attributes,
    "AdminDeleteUserAttributes" => Pool me::admin_delete_user_attributes,
    "AdminResetUserPassword" => Pool me::admin_reset_user_password,
    "AdminInitiateAuth" => Pool auth::admin_initiate,
    "AdminRespondToAuthChallenge" => Pool auth::admin_respond_to_challenge,
    "SetUserPoolMfaConfig" => Pool mfa::set_pool_config,
    "GetUserPoolMfaConfig" => Pool mfa::get_pool_config,
    "AdminSetUserMFAPreference" => Pool mfa::admin_set_user_preference,
    "SignUp" => Public users::sign_up,
    "InitiateAuth" => Public auth::initiate,
    "RespondToAuthChallenge" => Public auth::respond_to_challenge,
    "GetUser" => Public auth::get_user,
    "GlobalSignOut" => Public auth::global_sign_out,
    "RevokeToken" => Public auth::revoke_token,
    "ChangePassword" => Public me::change_password,
    "UpdateUserAttributes" => Public me::update_user_attributes,
    "DeleteUser" => Public me::delete_user,
    "AssociateSoftwareToken" => Public mfa::associate,
    "VerifySoftwareToken" => Public mfa::verify,
    "SetUserMFAPreference" => Public mfa::set_user_preference,
}

/// Checks a ListUsers `Filter` (for fuzzing the parser from outside the crate).
pub fn check_list_users_filter(text: &str) -> Result<(), CognitoError> {
    users::parse_filter(text).map(|_| ())
}

pub fn find(name: &str) -> Option<&'static OpSpec> {
    TABLE.iter().find(|op| op.name == name)
}

/// Where an unsigned request's account is found: its `ClientId`, its identity pool or
/// identity, or the pool named by the issuer of its `AccessToken`.
pub fn public_account(input: &Value) -> Option<(String, String)> {
    for member in ["IdentityPoolId", "IdentityId"] {
        if let Some(id) = input.get(member).and_then(Value::as_str) {
            let (region, account) = crate::ids::parse_region_uuid(id)?;
            return Some((account, region.to_owned()));
        }
    }
    if let Some(client) = input.get("ClientId").and_then(Value::as_str) {
        let account = crate::ids::account_of_client_id(client)?;
        return Some((account, String::new()));
    }
    if let Some(session) = input.get("Session").and_then(Value::as_str)
        && input.get("AccessToken").is_none()
    {
        let account = crate::ids::account_of_client_id(auth::session_client(session)?)?;
        return Some((account, String::new()));
    }
    let token = input.get("AccessToken").and_then(Value::as_str)?;
    let claims = crate::tokens::unverified_claims(token)?;
    let iss = claims.get("iss").and_then(Value::as_str)?;
    let pool_id = iss.rsplit('/').next()?;
    let (region, account) = crate::ids::parse_pool_id(pool_id)?;
    Some((account, region.to_owned()))
}

/// Sets `key` of a JSON object (a no-op on anything else, which these builders never make).
pub(crate) fn set(object: &mut Value, key: impl Into<String>, value: impl Into<Value>) {
    if let Some(map) = object.as_object_mut() {
        map.insert(key.into(), value.into());
    }
}

pub(crate) fn str_of<'a>(input: &'a Value, name: &str) -> Option<&'a str> {
    input.get(name).and_then(Value::as_str)
}

/// A required string member (the model's validation has already run; this guards the
/// handler against a shape it did not expect).
pub(crate) fn required<'a>(input: &'a Value, name: &str) -> Result<&'a str, CognitoError> {
    str_of(input, name).ok_or_else(|| CognitoError::invalid_parameter(format!("{name} is required.")))
}

/// The pool named by `UserPoolId`, in the caller's region (a pool lives in one region).
pub(crate) fn pool<'a>(ns: &'a Namespace, ctx: &Ctx<'_>, input: &Value) -> Result<&'a Pool, CognitoError> {
    let id = required(input, "UserPoolId")?;
    ns.pool(id)
        .filter(|p| p.region == ctx.region)
        .ok_or_else(|| CognitoError::pool_not_found(id))
}

pub(crate) fn client<'a>(ns: &'a Namespace, client_id: &str) -> Result<&'a Client, CognitoError> {
    ns.clients
        .get(client_id)
        .ok_or_else(|| CognitoError::client_not_found(client_id))
}

/// Epoch seconds with milliseconds, as Cognito's timestamps go on the wire.
pub(crate) fn epoch(t: time::OffsetDateTime) -> Value {
    let millis = i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
    Value::from(millis as f64 / 1000.0)
}

/// `[{Name, Value}]` as a map.
pub(crate) fn attribute_list(input: &Value, name: &str) -> Vec<(String, String)> {
    input
        .get(name)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| {
            Some((
                a.get("Name")?.as_str()?.to_owned(),
                a.get("Value")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            ))
        })
        .collect()
}

/// A page of `items` after `token` (the last key of the previous page).
pub(crate) fn page<T>(
    items: impl Iterator<Item = (String, T)>,
    token: Option<&str>,
    limit: usize,
) -> (Vec<T>, Option<String>) {
    let mut out = Vec::new();
    let mut next = None;
    for (key, item) in items.filter(|(k, _)| token.is_none_or(|t| k.as_str() > t)) {
        if out.len() == limit {
            next = Some(key);
            break;
        }
        out.push((key, item));
    }
    let next = next.and(out.last().map(|(k, _)| k.clone()));
    (out.into_iter().map(|(_, t)| t).collect(), next)
}
