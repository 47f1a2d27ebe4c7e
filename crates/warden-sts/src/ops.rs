//! STS's operations. Each issues claims, seals them into a session token and answers
//! with AWS's output shape.

use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};
use warden_iam::authz::{self, Subject};
use warden_iam::input::Input;
use warden_iam::model::Role;
use warden_iam::state::AccountState;
use warden_iam::{Caller, util};
use warden_policy::{Context, Decision, Policy, PolicyKind};
use warden_token::{SessionClaims, SessionPrincipal};
use warden_types::{IdKind, account_of_access_key_id, new_access_key_id, new_id, new_secret_access_key};

use crate::{Sts, StsError};

/// The issuer of Cognito identity pools' OpenID tokens (GetOpenIdToken).
pub const COGNITO_IDENTITY_ISSUER: &str = "https://cognito-identity.amazonaws.com";
use crate::cognito_identity::COGNITO_IDENTITY;

/// Facts about the request that conditions may test (the same facts IAM requests carry).
pub use warden_iam::authz::RequestFacts as OpFacts;

/// STS operations AWS accepts without a signature.
pub fn is_unsigned(op: &str) -> bool {
    matches!(op, "AssumeRoleWithWebIdentity" | "AssumeRoleWithSAML")
}

/// Packed session policies and tags may use at most this many bytes (100 %).
const PACKED_LIMIT: usize = 2_048;
const MAX_TAGS: usize = 50;
const MAX_POLICY_ARNS: usize = 10;
pub(crate) const ONE_HOUR: i64 = 3_600;
/// GetSessionToken and GetFederationToken: 12 hours by default, 36 at most.
const LONG_DEFAULT: i64 = 43_200;
const LONG_MAX: i64 = 129_600;

pub async fn execute(
    sts: &Sts,
    op: &str,
    state: &AccountState,
    subject: &Subject<'_>,
    input: &Value,
    facts: &OpFacts<'_>,
) -> Result<Value, StsError> {
    let input = Input::new(input);
    match op {
        "GetCallerIdentity" => Ok(caller_identity(state, subject)),
        "AssumeRole" => {
            let mfa = verify_mfa(sts, state, subject, &input, facts).await?;
            assume_role(sts, state, subject, &input, facts, mfa)
        }
        "GetSessionToken" => {
            let mfa = verify_mfa(sts, state, subject, &input, facts).await?;
            get_session_token(sts, state, subject, &input, facts, mfa)
        }
        "GetFederationToken" => get_federation_token(sts, state, subject, &input, facts),
        "GetAccessKeyInfo" => access_key_info(sts, state, subject, &input, facts),
        "DecodeAuthorizationMessage" => decode_message(sts, state, subject, &input, facts),
        other => Err(StsError::new(
            "NotImplemented",
            501,
            format!("Warden does not implement {other} yet."),
        )),
    }
}

/// AWS's date format in STS messages (`2026-01-01T00:00:00Z`).
pub(crate) fn aws_date(t: OffsetDateTime) -> String {
    util::ts(t)
}

/// The operations AWS accepts without a signature.
pub async fn execute_unsigned(
    sts: &Sts,
    op: &str,
    input: &Value,
    facts: &OpFacts<'_>,
) -> Result<Value, StsError> {
    let input = Input::new(input);
    match op {
        "AssumeRoleWithWebIdentity" => assume_role_with_web_identity(sts, &input, facts).await,
        "AssumeRoleWithSAML" => crate::saml_op::assume_role_with_saml(sts, &input, facts),
        other => Err(StsError::new(
            "NotImplemented",
            501,
            format!("Warden does not implement {other} yet."),
        )),
    }
}

async fn assume_role_with_web_identity(
    sts: &Sts,
    input: &Input<'_>,
    facts: &OpFacts<'_>,
) -> Result<Value, StsError> {
    let role_arn = input.str("RoleArn")?;
    let session_name = input.str("RoleSessionName")?;
    let token = input.str("WebIdentityToken")?;
    let snapshot = sts.iam.snapshot();
    let not_authorized =
        || StsError::access_denied("Not authorized to perform sts:AssumeRoleWithWebIdentity");
    let (account, role_name) = parse_role_arn(role_arn).ok_or_else(not_authorized)?;
    let state = snapshot.account(account).ok_or_else(not_authorized)?;
    let role = state
        .roles
        .get(&role_name.to_ascii_lowercase())
        .ok_or_else(not_authorized)?;
    if state.arn("role", &role.path, &role.name) != role_arn {
        return Err(not_authorized());
    }
    let issuer = crate::web_identity::unverified_issuer(token)?;
    // Cognito identity pools' tokens (GetOpenIdToken) need no IAM OIDC provider, as at
    // AWS: the principal is `cognito-identity.amazonaws.com`, any identity pool may be
    // the audience, and the trust policy's `cognito-identity.amazonaws.com:aud` decides.
    let (provider_arn, provider_url, claims) = if issuer == COGNITO_IDENTITY_ISSUER {
        let audience = crate::web_identity::unverified_audience(token)?;
        let claims = sts.oidc.verify(token, &issuer, &[audience], facts.now).await?;
        (COGNITO_IDENTITY.to_owned(), COGNITO_IDENTITY.to_owned(), claims)
    } else {
        let provider =
            warden_iam::ops::providers::oidc_provider_by_issuer(state, &issuer).ok_or_else(|| {
                StsError::new(
                    "InvalidIdentityToken",
                    400,
                    format!("No OpenIDConnect provider found in your account for {issuer}"),
                )
            })?;
        let claims = sts
            .oidc
            .verify(token, &provider.issuer(), &provider.client_ids, facts.now)
            .await?;
        let arn = format!("arn:aws:iam::{}:oidc-provider/{}", state.id, provider.url);
        (arn, provider.url.clone(), claims)
    };
    let policies = session_inputs(state, input)?;
    let str_claim = |k: &str| claims.get(k).and_then(Value::as_str).map(str::to_owned);
    let sub = str_claim("sub").unwrap_or_default();
    let aud = match claims.get("aud") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).next().map(str::to_owned),
        Some(Value::String(a)) => Some(a.clone()),
        _ => None,
    }
    .unwrap_or_default();
    // Condition keys of an OIDC provider: `{host/path}:aud`, `:sub`, `:amr`, `:oaud`, `:azp`...
    let mut context = Context::new();
    context.set_now(facts.now);
    context.insert(&format!("{}:aud", provider_url), aud.as_str());
    context.insert(&format!("{}:sub", provider_url), sub.as_str());
    if let Some(azp) = str_claim("azp") {
        context.insert(&format!("{}:azp", provider_url), azp);
    }
    if let Some(amr) = claims.get("amr") {
        let values: Vec<String> = match amr {
            Value::Array(a) => a.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
            Value::String(s) => vec![s.clone()],
            _ => Vec::new(),
        };
        context.insert(&format!("{}:amr", provider_url), values);
    }
    context.insert("sts:RoleSessionName", session_name);
    if let Some(ip) = facts.source_ip {
        context.insert("aws:SourceIp", warden_policy::ContextValue::Ip(ip));
    }
    add_tag_context(&mut context, &policies);
    if !web_identity_trusted(role, role_arn, &provider_arn, &context) {
        return Err(not_authorized());
    }
    let ttl = duration(
        input,
        ONE_HOUR,
        role.max_session_duration,
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    )?;
    let issued = role_session(
        state.id.as_str(),
        role,
        role_arn,
        session_name,
        &policies,
        facts.now,
        ttl,
    );
    let (credentials, user) = issue_role_session(sts, &issued, role, session_name, facts)?;
    let mut out = json!({
        "Credentials": credentials,
        "SubjectFromWebIdentityToken": sub,
        "AssumedRoleUser": user,
        "Provider": provider_url,
        "Audience": aud,
    });
    if let (Some(obj), Some(p)) = (out.as_object_mut(), policies.packed_percent) {
        obj.insert("PackedPolicySize".into(), json!(p));
    }
    Ok(out)
}

/// Whether `role`'s trust policy lets identities of the federated `provider` (an OIDC
/// provider's ARN, or `cognito-identity.amazonaws.com`) assume it in `context`. A web
/// identity belongs to no account: the trust policy alone decides.
pub(crate) fn web_identity_trusted(role: &Role, role_arn: &str, provider: &str, context: &Context) -> bool {
    let Some(trust) = role.trust_policy.compiled.clone() else {
        return false;
    };
    let principal = warden_policy::Principal::web_identity(provider);
    let set = warden_policy::PolicySet {
        resource: Some(("TrustPolicy", &trust)),
        ..warden_policy::PolicySet::default()
    };
    let request = warden_policy::Request {
        principal: &principal,
        action: "sts:AssumeRoleWithWebIdentity",
        resource: role_arn,
        context,
        resource_account: None,
    };
    warden_policy::authorize(&request, &set).decision == Decision::Allowed
}

fn caller_identity(state: &AccountState, subject: &Subject) -> Value {
    let arn = authz::subject_principal(state, subject).arn().to_owned();
    let user_id = match (subject.session.map(|s| &s.principal), subject.caller) {
        (
            Some(SessionPrincipal::AssumedRole {
                role_id,
                session_name,
                ..
            }),
            _,
        ) => format!("{role_id}:{session_name}"),
        (Some(SessionPrincipal::FederatedUser { name, .. }), _) => format!("{}:{name}", state.id),
        (_, Caller::Root { .. }) => state.id.to_string(),
        (_, Caller::User { user, .. }) => state.users.get(user).map(|u| u.id.clone()).unwrap_or_default(),
        (_, Caller::AssumedRole { role, session, .. }) => {
            format!(
                "{}:{session}",
                state.roles.get(role).map(|r| r.id.as_str()).unwrap_or_default()
            )
        }
        (_, Caller::FederatedUser { name, .. }) => format!("{}:{name}", state.id),
    };
    json!({ "UserId": user_id, "Account": state.id.as_str(), "Arn": arn })
}

fn is_session(subject: &Subject) -> bool {
    subject.session.is_some()
}

fn is_root(subject: &Subject) -> bool {
    match subject.session.map(|s| &s.principal) {
        Some(SessionPrincipal::SessionToken { user: None }) => true,
        Some(_) => false,
        None => matches!(subject.caller, Caller::Root { .. }),
    }
}

pub(crate) fn duration(input: &Input, default: i64, max: i64, too_long: &str) -> Result<Duration, StsError> {
    let secs = input.opt_i64("DurationSeconds").unwrap_or(default);
    if secs < 900 {
        return Err(StsError::validation(format!(
            "1 validation error detected: Value '{secs}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"
        )));
    }
    if secs > max {
        return Err(StsError::validation(too_long.to_owned()));
    }
    Ok(Duration::seconds(secs))
}

/// The session policy inputs: validated, and their packed size in percent.
pub(crate) struct SessionPolicies {
    pub(crate) text: Option<String>,
    pub(crate) arns: Vec<String>,
    pub(crate) tags: Vec<(String, String)>,
    pub(crate) transitive: Vec<String>,
    pub(crate) packed_percent: Option<usize>,
}

pub(crate) fn session_inputs(state: &AccountState, input: &Input) -> Result<SessionPolicies, StsError> {
    let text = input.opt_str("Policy").map(str::to_owned);
    if let Some(t) = &text {
        Policy::parse(t, PolicyKind::Session).map_err(|e| StsError::malformed(e.to_string()))?;
    }
    let arns: Vec<String> = input
        .list("PolicyArns")
        .iter()
        .filter_map(|p| {
            p.get("arn")
                .or_else(|| p.get("Arn"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .collect();
    if arns.len() > MAX_POLICY_ARNS {
        return Err(StsError::validation(format!(
            "Cannot exceed quota for PolicyArnsPerSession: {MAX_POLICY_ARNS}"
        )));
    }
    for arn in &arns {
        if authz::managed_policy(state, arn).is_none() {
            return Err(StsError::malformed(format!(
                "Policy {arn} does not exist or is not attachable."
            )));
        }
    }
    let tags: Vec<(String, String)> = input.tags("Tags").into_iter().map(|t| (t.key, t.value)).collect();
    if tags.len() > MAX_TAGS {
        return Err(StsError::validation(format!(
            "Cannot exceed quota for TagsPerSession: {MAX_TAGS}"
        )));
    }
    for (i, (k, _)) in tags.iter().enumerate() {
        if tags.iter().skip(i + 1).any(|(o, _)| o.eq_ignore_ascii_case(k)) {
            return Err(StsError::new(
                "InvalidParameterValue",
                400,
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
            ));
        }
    }
    let transitive: Vec<String> = input
        .strings("TransitiveTagKeys")
        .into_iter()
        .map(str::to_owned)
        .collect();
    if let Some(missing) = transitive
        .iter()
        .find(|k| !tags.iter().any(|(t, _)| t.eq_ignore_ascii_case(k)))
    {
        return Err(StsError::new(
            "InvalidParameterValue",
            400,
            format!("The transitive tag key {missing} must also be a session tag key."),
        ));
    }
    let mut policies = SessionPolicies {
        text,
        arns,
        tags,
        transitive,
        packed_percent: None,
    };
    policies.pack()?;
    Ok(policies)
}

impl SessionPolicies {
    /// Sets `packed_percent` (none without policies or tags), refusing more than 100 %.
    pub(crate) fn pack(&mut self) -> Result<(), StsError> {
        let packed = self
            .text
            .as_ref()
            .map_or(0, |t| t.chars().filter(|c| !c.is_whitespace()).count())
            + self.arns.iter().map(String::len).sum::<usize>()
            + self.tags.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
        let percent = (packed * 100).div_ceil(PACKED_LIMIT);
        if percent > 100 {
            return Err(StsError::new(
                "PackedPolicyTooLarge",
                400,
                format!("Packed policy consumes {percent}% of allotted space, please use smaller policy."),
            ));
        }
        let any = self.text.is_some() || !self.arns.is_empty() || !self.tags.is_empty();
        self.packed_percent = any.then_some(percent);
        Ok(())
    }
}

fn base_context(state: &AccountState, subject: &Subject, facts: &OpFacts) -> Context {
    authz::subject_context(state, subject, facts)
}

pub(crate) fn add_tag_context(c: &mut Context, policies: &SessionPolicies) {
    for (k, v) in &policies.tags {
        c.insert(&format!("aws:RequestTag/{k}"), v.as_str());
    }
    if !policies.tags.is_empty() {
        c.insert(
            "aws:TagKeys",
            policies.tags.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(),
        );
    }
    if !policies.transitive.is_empty() {
        c.insert("sts:TransitiveTagKeys", policies.transitive.clone());
    }
}

fn denied(
    state: &AccountState,
    subject: &Subject,
    action: &str,
    resource: &str,
    verdict: &warden_policy::Verdict,
) -> StsError {
    let who = authz::subject_principal(state, subject).arn().to_owned();
    StsError::access_denied(authz::access_denied_message(&who, action, resource, verdict))
}

pub(crate) fn credentials(sts: &Sts, claims: &SessionClaims) -> Result<Value, StsError> {
    Ok(json!({
        "AccessKeyId": claims.access_key_id,
        "SecretAccessKey": claims.secret_access_key,
        "SessionToken": sts.seal(claims)?,
        "Expiration": util::ts(claims.expires_at),
    }))
}

pub(crate) fn new_claims(
    account: &str,
    principal: SessionPrincipal,
    now: OffsetDateTime,
    ttl: Duration,
) -> SessionClaims {
    SessionClaims {
        access_key_id: account
            .parse()
            .map(|a| new_access_key_id(IdKind::TemporaryAccessKey, &a))
            .unwrap_or_else(|_| new_id(IdKind::TemporaryAccessKey)),
        secret_access_key: new_secret_access_key(),
        account: account.to_owned(),
        principal,
        issued_at: now,
        expires_at: now + ttl,
        ..SessionClaims::default()
    }
}

/// The claims of the session `session_name` of `role` (whose ARN is `role_arn`) in
/// `account`, issued at `now` for `ttl`, with the request's session policies and tags.
/// (Every AssumeRole* operation; each adds what is its own.)
pub(crate) fn role_session(
    account: &str,
    role: &Role,
    role_arn: &str,
    session_name: &str,
    policies: &SessionPolicies,
    now: OffsetDateTime,
    ttl: Duration,
) -> SessionClaims {
    let principal = SessionPrincipal::AssumedRole {
        role: role.name.to_ascii_lowercase(),
        role_id: role.id.clone(),
        role_arn: role_arn.to_owned(),
        session_name: session_name.to_owned(),
    };
    let mut claims = new_claims(account, principal, now, ttl);
    claims.session_policy = policies.text.clone();
    claims.session_policy_arns = policies.arns.clone();
    claims.tags = policies.tags.clone();
    claims
}

/// Seals the credentials of the role session `claims` and records the role's use
/// (GetRole's RoleLastUsed); returns the answer's `Credentials` and `AssumedRoleUser`.
pub(crate) fn issue_role_session(
    sts: &Sts,
    claims: &SessionClaims,
    role: &Role,
    session_name: &str,
    facts: &OpFacts,
) -> Result<(Value, Value), StsError> {
    let credentials = credentials(sts, claims)?;
    sts.iam
        .record_role_use(&claims.account, &role.id, facts.region, facts.now);
    let user = json!({
        "AssumedRoleId": format!("{}:{session_name}", role.id),
        "Arn": format!("arn:aws:sts::{}:assumed-role/{}/{session_name}", claims.account, role.name),
    });
    Ok((credentials, user))
}

/// Adds PackedPolicySize and SourceIdentity to an answer, when the session has them.
pub(crate) fn add_packed_size_and_source(
    out: &mut Value,
    policies: &SessionPolicies,
    claims: &SessionClaims,
) {
    if let Some(obj) = out.as_object_mut() {
        if let Some(p) = policies.packed_percent {
            obj.insert("PackedPolicySize".into(), json!(p));
        }
        if let Some(si) = &claims.source_identity {
            obj.insert("SourceIdentity".into(), json!(si));
        }
    }
}

fn assume_role(
    sts: &Sts,
    state: &AccountState,
    subject: &Subject,
    input: &Input,
    facts: &OpFacts,
    mfa: Option<OffsetDateTime>,
) -> Result<Value, StsError> {
    let role_arn = input.str("RoleArn")?;
    let session_name = input.str("RoleSessionName")?;
    if is_root(subject) {
        return Err(StsError::access_denied(
            "Roles may not be assumed by root accounts.",
        ));
    }
    let action = "sts:AssumeRole";
    let snapshot = sts.iam.snapshot();
    let target = parse_role_arn(role_arn).and_then(|(account, name)| {
        let acct = snapshot.account(account)?;
        let role = acct.roles.get(&name.to_ascii_lowercase())?;
        (acct.arn("role", &role.path, &role.name) == role_arn).then(|| (acct.clone(), role.clone()))
    });
    let policies = session_inputs(state, input)?;
    let mut context = base_context(state, subject, facts);
    context.insert("sts:RoleSessionName", session_name);
    if let Some(external) = input.opt_str("ExternalId") {
        context.insert("sts:ExternalId", external);
    }
    let source_identity = input.opt_str("SourceIdentity").map(str::to_owned);
    if let Some(si) = &source_identity {
        context.insert("sts:SourceIdentity", si.as_str());
    }
    if let Some(at) = mfa {
        context.insert("aws:MultiFactorAuthPresent", true);
        context.insert(
            "aws:MultiFactorAuthAge",
            (facts.now - at).whole_seconds().max(0) as f64,
        );
    }
    add_tag_context(&mut context, &policies);
    let Some((role_account, role)) = target else {
        let verdict = warden_policy::Verdict {
            decision: Decision::ImplicitDeny,
            reason: None,
        };
        return Err(denied(state, subject, action, role_arn, &verdict));
    };
    let trust = role.trust_policy.compiled.clone();
    let trust_ref = trust.as_deref().map(|p| ("TrustPolicy", p));
    let role_account_id = role_account.id.to_string();
    let authorize = |action: &str| {
        authz::authorize_subject(
            state,
            subject,
            action,
            role_arn,
            &context,
            trust_ref,
            Some(&role_account_id),
        )
    };
    for needed in std::iter::once(action)
        .chain((!policies.tags.is_empty()).then_some("sts:TagSession"))
        .chain(source_identity.is_some().then_some("sts:SetSourceIdentity"))
    {
        let verdict = authorize(needed);
        if verdict.decision != Decision::Allowed {
            return Err(denied(state, subject, needed, role_arn, &verdict));
        }
    }
    let chained = matches!(
        subject.session.map(|s| &s.principal),
        Some(SessionPrincipal::AssumedRole { .. })
    );
    let ttl = if chained {
        duration(
            input,
            ONE_HOUR,
            ONE_HOUR,
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
        )?
    } else {
        duration(
            input,
            ONE_HOUR,
            role.max_session_duration,
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        )?
    };
    let mut claims = role_session(
        &role_account_id,
        &role,
        role_arn,
        session_name,
        &policies,
        facts.now,
        ttl,
    );
    claims.transitive_tag_keys = policies.transitive.clone();
    claims.chained = chained;
    claims.source_identity = source_identity;
    claims.mfa_authenticated_at = mfa;
    if let Some(parent) = subject.session {
        // Transitive session tags and the source identity pass on through role chaining.
        for key in &parent.transitive_tag_keys {
            if let Some(tag) = parent.tags.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)) {
                if claims.tags.iter().any(|(k, _)| k.eq_ignore_ascii_case(key)) {
                    return Err(StsError::new(
                        "InvalidParameterValue",
                        400,
                        format!("Cannot override transitive tag key {key} from the calling session."),
                    ));
                }
                claims.tags.push(tag.clone());
                claims.transitive_tag_keys.push(key.clone());
            }
        }
        if parent.source_identity.is_some() {
            claims.source_identity.clone_from(&parent.source_identity);
        }
    }
    let (credentials, user) = issue_role_session(sts, &claims, &role, session_name, facts)?;
    let mut out = json!({ "Credentials": credentials, "AssumedRoleUser": user });
    add_packed_size_and_source(&mut out, &policies, &claims);
    Ok(out)
}

/// `arn:aws:iam::ACCOUNT:role/path/NAME` -> (account, name).
pub(crate) fn parse_role_arn(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.strip_prefix("arn:aws:iam::")?;
    let (account, resource) = rest.split_once(':')?;
    let path_and_name = resource.strip_prefix("role/")?;
    Some((account, path_and_name.rsplit('/').next()?))
}

/// GetSessionToken and GetFederationToken are for long-term credentials: an IAM user
/// (up to 36 hours) or the root user (one hour). Returns the user and the longest duration.
fn long_term_caller(subject: &Subject, op: &str) -> Result<(Option<String>, i64), StsError> {
    let refused = || StsError::access_denied(format!("Cannot call {op} with session credentials"));
    if is_session(subject) {
        return Err(refused());
    }
    match subject.caller {
        Caller::Root { .. } => Ok((None, ONE_HOUR)),
        Caller::User { user, .. } => Ok((Some(user.clone()), LONG_MAX)),
        _ => Err(refused()),
    }
}

fn get_session_token(
    sts: &Sts,
    state: &AccountState,
    subject: &Subject,
    input: &Input,
    facts: &OpFacts,
    mfa: Option<OffsetDateTime>,
) -> Result<Value, StsError> {
    let (user, max) = long_term_caller(subject, "GetSessionToken")?;
    let default = if user.is_none() { ONE_HOUR } else { LONG_DEFAULT };
    let ttl = duration(
        input,
        default.min(max),
        max,
        "The requested DurationSeconds exceeds the allowed maximum.",
    )?;
    let user_id = user
        .as_ref()
        .and_then(|u| state.users.get(u))
        .map(|u| u.id.clone());
    let mut claims = new_claims(
        state.id.as_str(),
        SessionPrincipal::SessionToken { user },
        facts.now,
        ttl,
    );
    claims.mfa_authenticated_at = mfa;
    claims.user_id = user_id;
    Ok(json!({ "Credentials": credentials(sts, &claims)? }))
}

/// `SerialNumber` + `TokenCode`: a code of the caller's enabled MFA device, accepted once
/// (consuming it is a write, so that a replay is refused on every node).
async fn verify_mfa(
    sts: &Sts,
    state: &AccountState,
    subject: &Subject<'_>,
    input: &Input<'_>,
    facts: &OpFacts<'_>,
) -> Result<Option<OffsetDateTime>, StsError> {
    let (Some(serial), Some(code)) = (input.opt_str("SerialNumber"), input.opt_str("TokenCode")) else {
        return Ok(None);
    };
    let user = match (subject.caller, subject.session.map(|s| &s.principal)) {
        (Caller::User { user, .. }, None | Some(SessionPrincipal::SessionToken { .. })) => {
            Some(user.as_str())
        }
        _ => None,
    };
    let owns = user
        .and_then(|u| state.users.get(u))
        .is_some_and(|u| u.mfa_devices.iter().any(|s| s == serial));
    if !owns {
        return Err(StsError::access_denied(
            "MultiFactorAuthentication failed, unable to validate MFA code.",
        ));
    }
    let now = facts.now;
    sts.iam
        .write(&state.id, |tx| {
            warden_iam::ops::mfa::consume_mfa_code(tx, serial, code, now)
        })
        .await?;
    Ok(Some(now))
}

fn get_federation_token(
    sts: &Sts,
    state: &AccountState,
    subject: &Subject,
    input: &Input,
    facts: &OpFacts,
) -> Result<Value, StsError> {
    let name = input.str("Name")?;
    let (user, max) = long_term_caller(subject, "GetFederationToken")?;
    let arn = format!("arn:aws:sts::{}:federated-user/{name}", state.id);
    let policies = session_inputs(state, input)?;
    let mut context = base_context(state, subject, facts);
    add_tag_context(&mut context, &policies);
    for needed in std::iter::once("sts:GetFederationToken")
        .chain((!policies.tags.is_empty()).then_some("sts:TagSession"))
    {
        let verdict = authz::authorize_subject(state, subject, needed, &arn, &context, None, None);
        if verdict.decision != Decision::Allowed {
            return Err(denied(state, subject, needed, &arn, &verdict));
        }
    }
    let default = if user.is_none() { ONE_HOUR } else { LONG_DEFAULT };
    let ttl = duration(
        input,
        default,
        max,
        "The requested DurationSeconds exceeds the allowed maximum.",
    )?;
    let user_id = user
        .as_ref()
        .and_then(|u| state.users.get(u))
        .map(|u| u.id.clone());
    let principal = SessionPrincipal::FederatedUser {
        name: name.to_owned(),
        user,
    };
    let mut claims = new_claims(state.id.as_str(), principal, facts.now, ttl);
    claims.user_id = user_id;
    claims.session_policy = policies.text;
    claims.session_policy_arns = policies.arns;
    claims.tags = policies.tags;
    let mut out = json!({
        "Credentials": credentials(sts, &claims)?,
        "FederatedUser": { "FederatedUserId": format!("{}:{name}", state.id), "Arn": arn },
    });
    if let (Some(obj), Some(p)) = (out.as_object_mut(), policies.packed_percent) {
        obj.insert("PackedPolicySize".into(), json!(p));
    }
    Ok(out)
}

fn decode_message(
    sts: &Sts,
    state: &AccountState,
    subject: &Subject,
    input: &Input,
    facts: &OpFacts,
) -> Result<Value, StsError> {
    let encoded = input.str("EncodedMessage")?;
    let context = base_context(state, subject, facts);
    let action = "sts:DecodeAuthorizationMessage";
    let verdict = authz::authorize_subject(state, subject, action, "*", &context, None, None);
    if verdict.decision != Decision::Allowed {
        return Err(denied(state, subject, action, "*", &verdict));
    }
    let decoded = sts.decode_authorization_message(state.id.as_str(), encoded)?;
    Ok(json!({ "DecodedMessage": decoded.to_string() }))
}

fn access_key_info(
    sts: &Sts,
    state: &AccountState,
    subject: &Subject,
    input: &Input,
    facts: &OpFacts,
) -> Result<Value, StsError> {
    let key = input.str("AccessKeyId")?;
    let context = base_context(state, subject, facts);
    let verdict = authz::authorize_subject(state, subject, "sts:GetAccessKeyInfo", "*", &context, None, None);
    if verdict.decision != Decision::Allowed {
        return Err(denied(state, subject, "sts:GetAccessKeyInfo", "*", &verdict));
    }
    // A key this server stores answers from the store (root keys given by
    // WARDEN_ROOT_ACCESS_KEY_ID need not follow AWS's encoding); any other key ID answers
    // the account it encodes, as AWS's does for keys of any account, existing or not.
    let snapshot = sts.iam.snapshot();
    let account = snapshot
        .access_key(key)
        .map(|(a, _)| a.id.clone())
        .or_else(|| account_of_access_key_id(key));
    match account {
        Some(account) => Ok(json!({ "Account": account.to_string() })),
        None => Err(StsError::new(
            "InvalidParameterValue",
            400,
            format!("The access key ID {key} is not a valid AWS access key ID."),
        )),
    }
}
