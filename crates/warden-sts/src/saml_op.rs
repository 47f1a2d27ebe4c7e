//! AssumeRoleWithSAML (unsigned): a SAML response verified against the metadata of the
//! provider named by `PrincipalArn` ([`crate::saml`]), the requested role among the
//! response's `Role` attribute pairs, and the role's trust policy with the `saml:*`
//! condition keys (IAM User Guide, "Available keys for SAML-based AWS STS federation").

use serde_json::{Value, json};
use warden_iam::input::Input;
use warden_iam::ops::providers::{parse_saml_metadata, saml_provider_by_arn};
use warden_policy::{Context, ContextValue, Decision};

use crate::ops::{
    ONE_HOUR, OpFacts, add_packed_size_and_source, add_tag_context, duration, issue_role_session,
    parse_role_arn, role_session,
};
use crate::saml::{ATTRIBUTE_KEYS, SamlClaims, name_qualifier};
use crate::{Sts, StsError};

const ACTION: &str = "sts:AssumeRoleWithSAML";

fn not_authorized() -> StsError {
    StsError::access_denied("Not authorized to perform sts:AssumeRoleWithSAML")
}

fn no_provider() -> StsError {
    StsError::new("InvalidIdentityToken", 400, "Specified provider doesn't exist")
}

/// The trust policy's view of a SAML caller.
fn saml_context(
    claims: &SamlClaims,
    account: &str,
    provider_name: &str,
    session_name: &str,
    facts: &OpFacts,
) -> Context {
    let mut c = Context::new();
    c.set_now(facts.now);
    c.insert("saml:aud", claims.recipient.as_str());
    c.insert("saml:iss", claims.issuer.as_str());
    c.insert("saml:sub", claims.subject.as_str());
    c.insert("saml:sub_type", claims.subject_type.as_str());
    c.insert(
        "saml:namequalifier",
        name_qualifier(&claims.issuer, account, provider_name),
    );
    c.insert("saml:doc", format!("{account}/{provider_name}"));
    for (oid, key) in ATTRIBUTE_KEYS {
        if let Some((_, values)) = claims.attributes.iter().find(|(n, _)| n == oid) {
            c.insert(key, values.clone());
        }
    }
    c.insert("sts:RoleSessionName", session_name);
    if let Some(si) = &claims.source_identity {
        c.insert("sts:SourceIdentity", si.as_str());
    }
    if let Some(ip) = facts.source_ip {
        c.insert("aws:SourceIp", ContextValue::Ip(ip));
    }
    c
}

pub(crate) fn assume_role_with_saml(sts: &Sts, input: &Input, facts: &OpFacts) -> Result<Value, StsError> {
    let role_arn = input.str("RoleArn")?;
    let provider_arn = input.str("PrincipalArn")?;
    let assertion = input.str("SAMLAssertion")?;
    let snapshot = sts.iam.snapshot();
    let provider_account = provider_arn
        .strip_prefix("arn:aws:iam::")
        .and_then(|rest| rest.split_once(':'))
        .map(|(account, _)| account)
        .ok_or_else(no_provider)?;
    let state = snapshot.account(provider_account).ok_or_else(no_provider)?;
    let provider = saml_provider_by_arn(state, provider_arn).ok_or_else(no_provider)?;
    let (role_account, role_name) = parse_role_arn(role_arn).ok_or_else(not_authorized)?;
    // The provider and the role it may assume live in one account.
    if role_account != state.id.as_str() {
        return Err(not_authorized());
    }
    let role = state
        .roles
        .get(&role_name.to_ascii_lowercase())
        .filter(|r| state.arn("role", &r.path, &r.name) == role_arn)
        .ok_or_else(not_authorized)?;
    let mut policies = crate::ops::session_inputs(state, input)?;
    // AssertionEncryptionMode `Required`: IAM accepts encrypted assertions only, and
    // Warden does not decrypt yet, so nothing from such a provider is accepted.
    if provider
        .assertion_encryption_mode
        .as_deref()
        .is_some_and(|m| m.eq_ignore_ascii_case("Required"))
    {
        return Err(StsError::new(
            "InvalidIdentityToken",
            400,
            "The SAML provider requires encrypted assertions, which Warden does not decrypt yet.",
        ));
    }
    let metadata = parse_saml_metadata(&provider.metadata)
        .map_err(|_| StsError::internal("a stored SAML provider's metadata no longer parses"))?;
    let claims = crate::saml::verify(
        assertion,
        &metadata.entity_id,
        &metadata.signing_certificates,
        facts.now,
    )?;
    if !claims
        .roles
        .iter()
        .any(|(r, p)| r == role_arn && p == provider_arn)
    {
        return Err(not_authorized());
    }
    let session_name = claims.session_name.clone();
    policies.tags.clone_from(&claims.tags);
    policies.transitive.clone_from(&claims.transitive_tag_keys);
    policies.pack()?;
    let mut context = saml_context(&claims, state.id.as_str(), &provider.name, &session_name, facts);
    add_tag_context(&mut context, &policies);
    let principal = warden_policy::Principal::web_identity(provider_arn);
    let trust = role.trust_policy.compiled.clone().ok_or_else(not_authorized)?;
    let set = warden_policy::PolicySet {
        resource: Some(("TrustPolicy", &trust)),
        ..warden_policy::PolicySet::default()
    };
    for action in std::iter::once(ACTION)
        .chain((!policies.tags.is_empty()).then_some("sts:TagSession"))
        .chain(
            claims
                .source_identity
                .is_some()
                .then_some("sts:SetSourceIdentity"),
        )
    {
        let request = warden_policy::Request {
            principal: &principal,
            action,
            resource: role_arn,
            context: &context,
            // A SAML identity belongs to no account: the trust policy alone decides.
            resource_account: None,
        };
        if warden_policy::authorize(&request, &set).decision != Decision::Allowed {
            return Err(not_authorized());
        }
    }
    let mut ttl = duration(
        input,
        ONE_HOUR,
        role.max_session_duration,
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    )?;
    // The session ends with the IdP's session (SessionNotOnOrAfter) if that is sooner.
    if let Some(end) = claims.session_not_on_or_after {
        ttl = ttl.min(end - facts.now);
    }
    let mut issued = role_session(
        state.id.as_str(),
        role,
        role_arn,
        &session_name,
        &policies,
        facts.now,
        ttl,
    );
    issued.transitive_tag_keys = policies.transitive.clone();
    issued.source_identity = claims.source_identity.clone();
    let (credentials, user) = issue_role_session(sts, &issued, role, &session_name, facts)?;
    let mut out = json!({
        "Credentials": credentials,
        "AssumedRoleUser": user,
        "Subject": claims.subject,
        "SubjectType": claims.subject_type,
        "Issuer": claims.issuer,
        "Audience": claims.recipient,
        "NameQualifier": name_qualifier(&claims.issuer, state.id.as_str(), &provider.name),
    });
    add_packed_size_and_source(&mut out, &policies, &issued);
    Ok(out)
}
