//! Role credentials for a Cognito identity (GetCredentialsForIdentity of identity
//! pools): the role's trust policy is evaluated as for AssumeRoleWithWebIdentity from
//! the federated principal `cognito-identity.amazonaws.com`, with the keys AWS documents
//! for it (`cognito-identity.amazonaws.com:aud` = the identity pool, `:sub` = the
//! identity, `:amr` = `authenticated` and the login providers, or `unauthenticated`).

use serde_json::Value;
use time::Duration;
use warden_policy::Context;

use crate::ops::{
    OpFacts, SessionPolicies, issue_role_session, parse_role_arn, role_session, web_identity_trusted,
};
use crate::{Sts, StsError};

/// The federated principal identity pools assume roles as.
pub const COGNITO_IDENTITY: &str = "cognito-identity.amazonaws.com";
/// The session name AWS gives these role sessions.
const SESSION_NAME: &str = "CognitoIdentityCredentials";

/// Who asks for credentials: an identity of an identity pool, and how it signed in.
pub struct CognitoIdentity<'a> {
    pub role_arn: &'a str,
    pub identity_pool_id: &'a str,
    pub identity_id: &'a str,
    /// `["unauthenticated"]`, or `["authenticated", provider, ...]`.
    pub amr: Vec<String>,
}

/// AWS's answer when the role cannot be assumed by the identity pool.
fn invalid_configuration() -> StsError {
    StsError::new(
        "InvalidIdentityPoolConfigurationException",
        400,
        "Invalid identity pool configuration. Check assigned IAM roles for this pool.",
    )
}

impl Sts {
    /// One hour of credentials of `identity.role_arn` for the identity, if the role's
    /// trust policy lets the identity pool's identities assume it; returns the sealed
    /// credentials (`AccessKeyId`, `SecretAccessKey`, `SessionToken`, `Expiration`).
    pub fn credentials_for_cognito_identity(
        &self,
        identity: &CognitoIdentity<'_>,
        facts: &OpFacts<'_>,
    ) -> Result<Value, StsError> {
        let snapshot = self.iam.snapshot();
        let (account, role_name) = parse_role_arn(identity.role_arn).ok_or_else(invalid_configuration)?;
        let state = snapshot.account(account).ok_or_else(invalid_configuration)?;
        let role = state
            .roles
            .get(&role_name.to_ascii_lowercase())
            .ok_or_else(invalid_configuration)?;
        if state.arn("role", &role.path, &role.name) != identity.role_arn {
            return Err(invalid_configuration());
        }
        let mut context = Context::new();
        context.set_now(facts.now);
        context.insert(&format!("{COGNITO_IDENTITY}:aud"), identity.identity_pool_id);
        context.insert(&format!("{COGNITO_IDENTITY}:sub"), identity.identity_id);
        context.insert(&format!("{COGNITO_IDENTITY}:amr"), identity.amr.clone());
        context.insert("sts:RoleSessionName", SESSION_NAME);
        if let Some(ip) = facts.source_ip {
            context.insert("aws:SourceIp", warden_policy::ContextValue::Ip(ip));
        }
        if !web_identity_trusted(role, identity.role_arn, COGNITO_IDENTITY, &context) {
            return Err(invalid_configuration());
        }
        let no_policies = SessionPolicies {
            text: None,
            arns: Vec::new(),
            tags: Vec::new(),
            transitive: Vec::new(),
            packed_percent: None,
        };
        let claims = role_session(
            state.id.as_str(),
            role,
            identity.role_arn,
            SESSION_NAME,
            &no_policies,
            facts.now,
            Duration::hours(1),
        );
        let (credentials, _) = issue_role_session(self, &claims, role, SESSION_NAME, facts)?;
        Ok(credentials)
    }
}
