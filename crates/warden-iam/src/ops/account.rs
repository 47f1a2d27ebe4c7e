//! Account-level operations: the alias and the summary of entities and quotas.

use serde_json::{Value, json};

use super::OpCtx;
use super::login::account_info;
use crate::error::IamError;
use crate::input::Input;
use crate::rules::quota;
use crate::state::AccountState;
use crate::tx::Tx;

pub fn create_alias(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let alias = input.str("AccountAlias")?;
    let mut info = account_info(&tx.state, ctx);
    if info.aliases.iter().any(|a| a == alias) {
        return Ok(json!({}));
    }
    // An account has one alias: creating another replaces it, as IAM does.
    info.aliases = vec![alias.to_owned()];
    debug_assert_eq!(info.aliases.len(), quota::ALIASES_PER_ACCOUNT);
    tx.put_info(info);
    Ok(json!({}))
}

pub fn delete_alias(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let alias = input.str("AccountAlias")?;
    let mut info = account_info(&tx.state, ctx);
    if !info.aliases.iter().any(|a| a == alias) {
        return Err(IamError::NoSuchEntity(format!(
            "The account alias {alias} cannot be found."
        )));
    }
    info.aliases.retain(|a| a != alias);
    tx.put_info(info);
    Ok(json!({}))
}

pub fn list_aliases(state: &AccountState, _: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let aliases = state.info.as_ref().map(|i| i.aliases.clone()).unwrap_or_default();
    Ok(json!({ "AccountAliases": aliases, "IsTruncated": false }))
}

pub fn summary(state: &AccountState, _: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let count = |n: usize| json!(n);
    let policy_versions: usize = state.policies.values().map(|p| p.versions.len()).sum();
    let mfa: usize = state.users.values().map(|u| u.mfa_devices.len()).sum();
    let root_keys = state.access_keys.values().any(|k| k.user.is_none());
    Ok(json!({ "SummaryMap": {
        "Users": count(state.users.len()),
        "UsersQuota": 5000,
        "Groups": count(state.groups.len()),
        "GroupsQuota": 300,
        "Roles": count(state.roles.len()),
        "RolesQuota": 1000,
        "Policies": count(state.policies.len()),
        "PoliciesQuota": 1500,
        "PolicyVersionsInUse": count(policy_versions),
        "PolicyVersionsInUseQuota": 10000,
        "InstanceProfiles": count(state.instance_profiles.len()),
        "InstanceProfilesQuota": 1000,
        "ServerCertificates": count(state.server_certificates.len()),
        "ServerCertificatesQuota": 20,
        "MFADevices": count(mfa),
        "MFADevicesInUse": count(mfa),
        "AccountMFAEnabled": 0,
        "AccountAccessKeysPresent": i32::from(root_keys),
        "AccountSigningCertificatesPresent": 0,
        "AccessKeysPerUserQuota": quota::ACCESS_KEYS_PER_USER,
        "GroupsPerUserQuota": quota::GROUPS_PER_USER,
        "AttachedPoliciesPerUserQuota": quota::MANAGED_POLICIES_PER_ENTITY,
        "AttachedPoliciesPerGroupQuota": quota::MANAGED_POLICIES_PER_ENTITY,
        "AttachedPoliciesPerRoleQuota": quota::MANAGED_POLICIES_PER_ENTITY,
        "UserPolicySizeQuota": quota::USER_POLICY_SIZE,
        "GroupPolicySizeQuota": quota::GROUP_POLICY_SIZE,
        "PolicySizeQuota": quota::MANAGED_POLICY_SIZE,
        "VersionsPerPolicyQuota": quota::VERSIONS_PER_POLICY,
        "SigningCertificatesPerUserQuota": 2,
        "GlobalEndpointTokenVersion": state.info.as_ref().map_or(1, |i| i.sts_token_version),
        "AssumeRolePolicySizeQuota": quota::TRUST_POLICY_SIZE,
    }}))
}

/// SetSecurityTokenServicePreferences: which token version the global STS endpoint
/// issues (reported by GetAccountSummary as GlobalEndpointTokenVersion).
pub fn set_sts_preferences(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let version = match input.str("GlobalEndpointTokenVersion")? {
        "v2Token" => 2,
        _ => 1,
    };
    let mut info = account_info(&tx.state, ctx);
    info.sts_token_version = version;
    tx.put_info(info);
    Ok(json!({}))
}
