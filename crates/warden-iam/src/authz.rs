//! Gather, then decide: the policies that apply to a caller, taken from the in-memory
//! snapshot, and the request context of IAM's global condition keys. The decision
//! itself is `warden_policy`'s.

use std::net::IpAddr;
use std::sync::Arc;

use time::OffsetDateTime;
use warden_policy::{Context, Decision, Policy, PolicySet, Principal, Request, Verdict};

use crate::caller::Caller;
use crate::managed;
use crate::model::{Permissions, Tag};
use crate::state::AccountState;

/// Compiled policies with the IDs the simulator and explanations report them under.
pub type NamedPolicies = Vec<(String, Arc<Policy>)>;

/// The identity-side policies of a principal, owned so that a [`PolicySet`] can borrow them.
#[derive(Default)]
pub struct Gathered {
    /// (policy id, policy): inline policies by name, managed policies by ARN.
    pub identity: Vec<(String, Arc<Policy>)>,
    pub boundary: Option<(String, Arc<Policy>)>,
}

impl Gathered {
    pub fn policy_set(&self) -> PolicySet<'_> {
        PolicySet {
            identity: self.identity.iter().map(|(id, p)| (id.as_str(), &**p)).collect(),
            permissions_boundary: self.boundary.as_ref().map(|(id, p)| (id.as_str(), &**p)),
            ..PolicySet::default()
        }
    }
}

/// A managed policy's compiled default version, customer or AWS.
pub fn managed_policy(state: &AccountState, arn: &str) -> Option<Arc<Policy>> {
    if let Some(p) = crate::rules::customer_policy(state, arn) {
        return p.default_document().and_then(|d| d.compiled.clone());
    }
    managed::get(arn).and_then(|p| p.compiled().cloned())
}

fn add_permissions(state: &AccountState, perms: &Permissions, out: &mut Vec<(String, Arc<Policy>)>) {
    for p in perms.inline.values() {
        if let Some(c) = &p.document.compiled {
            out.push((p.name.clone(), c.clone()));
        }
    }
    for arn in &perms.attached {
        if let Some(c) = managed_policy(state, arn) {
            out.push((arn.clone(), c));
        }
    }
}

/// The identity policies and boundary of an IAM user (with their groups') or role.
pub fn gather(state: &AccountState, caller: &Caller) -> Gathered {
    let mut g = Gathered::default();
    let boundary = match caller {
        Caller::User { user, .. } => {
            let Some(u) = state.users.get(user) else { return g };
            add_permissions(state, &u.permissions, &mut g.identity);
            for group in u.groups.iter().filter_map(|k| state.groups.get(k)) {
                add_permissions(state, &group.permissions, &mut g.identity);
            }
            u.boundary.clone()
        }
        Caller::AssumedRole { role, .. } => {
            let Some(r) = state.roles.get(role) else { return g };
            add_permissions(state, &r.permissions, &mut g.identity);
            r.boundary.clone()
        }
        Caller::Root { .. } | Caller::FederatedUser { .. } => None,
    };
    g.boundary = boundary.and_then(|arn| managed_policy(state, &arn).map(|p| (arn, p)));
    g
}

/// The policy-language principal of a caller.
pub fn principal(state: &AccountState, caller: &Caller) -> Principal {
    match caller {
        Caller::Root { account } => Principal::root(account.as_str()),
        Caller::User { user, .. } => match state.users.get(user) {
            Some(u) => Principal::user(&state.arn("user", &u.path, &u.name)),
            None => Principal::anonymous(),
        },
        Caller::AssumedRole { role, session, .. } => match state.roles.get(role) {
            Some(r) => Principal::assumed_role(
                &format!("arn:aws:sts::{}:assumed-role/{}/{session}", state.id, r.name),
                &state.arn("role", &r.path, &r.name),
            ),
            None => Principal::anonymous(),
        },
        Caller::FederatedUser { name, .. } => {
            Principal::federated_user(&format!("arn:aws:sts::{}:federated-user/{name}", state.id))
        }
    }
}

/// The facts about a request's transport that go into its context.
pub struct RequestFacts<'a> {
    pub now: OffsetDateTime,
    pub source_ip: Option<IpAddr>,
    pub secure_transport: bool,
    pub region: &'a str,
}

/// The global condition keys AWS sets for every request of this caller.
pub fn base_context(state: &AccountState, caller: &Caller, facts: &RequestFacts) -> Context {
    let mut c = Context::new();
    c.set_now(facts.now);
    c.insert("aws:SecureTransport", facts.secure_transport);
    c.insert("aws:RequestedRegion", facts.region);
    c.insert("aws:PrincipalAccount", state.id.as_str());
    c.insert("aws:MultiFactorAuthPresent", false);
    c.insert("aws:ViaAWSService", false);
    if let Some(ip) = facts.source_ip {
        c.insert("aws:SourceIp", warden_policy::ContextValue::Ip(ip));
    }
    let principal = principal(state, caller);
    c.insert("aws:PrincipalArn", principal.arn());
    match caller {
        Caller::Root { .. } => {
            c.insert("aws:PrincipalType", "Account");
            c.insert("aws:userid", state.id.as_str());
        }
        Caller::User { user, .. } => {
            c.insert("aws:PrincipalType", "User");
            if let Some(u) = state.users.get(user) {
                c.insert("aws:username", u.name.as_str());
                c.insert("aws:userid", u.id.as_str());
                principal_tags(&mut c, &u.tags);
            }
        }
        Caller::AssumedRole { role, session, .. } => {
            c.insert("aws:PrincipalType", "AssumedRole");
            if let Some(r) = state.roles.get(role) {
                c.insert("aws:userid", format!("{}:{session}", r.id));
                c.insert("aws:PrincipalArn", state.arn("role", &r.path, &r.name));
                principal_tags(&mut c, &r.tags);
            }
        }
        Caller::FederatedUser { name, .. } => {
            c.insert("aws:PrincipalType", "FederatedUser");
            c.insert("aws:userid", format!("{}:{name}", state.id));
        }
    }
    c
}

fn principal_tags(c: &mut Context, tags: &[Tag]) {
    for t in tags {
        c.insert(&format!("aws:PrincipalTag/{}", t.key), t.value.as_str());
    }
}

/// The decision for `caller` doing `action` on `resource` in its own account. The root
/// user may do anything in its account (only SCPs could stop it, and Warden has none).
pub fn authorize(
    state: &AccountState,
    caller: &Caller,
    action: &str,
    resource: &str,
    context: &Context,
) -> Verdict {
    if let Caller::Root { .. } = caller {
        return Verdict {
            decision: Decision::Allowed,
            reason: None,
        };
    }
    let gathered = gather(state, caller);
    let set = gathered.policy_set();
    let principal = principal(state, caller);
    let request = Request {
        principal: &principal,
        action,
        resource,
        context,
        resource_account: None,
    };
    warden_policy::authorize(&request, &set)
}

/// AWS's AccessDenied message: who, what, on which resource, and why.
pub fn access_denied_message(principal_arn: &str, action: &str, resource: &str, verdict: &Verdict) -> String {
    let why = verdict
        .reason
        .map(|r| format!(" {}", r.describe(action)))
        .unwrap_or_default();
    format!("User: {principal_arn} is not authorized to perform: {action} on resource: {resource}{why}")
}

/// A request's caller with its temporary session, if it signed with STS credentials.
pub struct Subject<'a> {
    pub caller: &'a Caller,
    pub session: Option<&'a warden_token::SessionClaims>,
}

/// The compiled session policies of a session: its inline policy and managed ARNs.
/// `None` when the session carries none (no session layer).
pub fn session_policies(
    state: &AccountState,
    session: &warden_token::SessionClaims,
) -> Option<NamedPolicies> {
    if session.session_policy.is_none() && session.session_policy_arns.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    if let Some(text) = &session.session_policy {
        // Validated when the session was issued; a document that no longer parses grants nothing.
        if let Ok(p) = Policy::parse(text, warden_policy::PolicyKind::Session) {
            out.push(("SessionPolicy".to_owned(), Arc::new(p)));
        }
    }
    for arn in &session.session_policy_arns {
        if let Some(p) = managed_policy(state, arn) {
            out.push((arn.clone(), p));
        }
    }
    Some(out)
}

/// Adds what a session contributes to the context: issue time, MFA, tags, source identity.
pub fn add_session_context(c: &mut Context, session: &warden_token::SessionClaims, now: OffsetDateTime) {
    c.insert(
        "aws:TokenIssueTime",
        warden_policy::ContextValue::Date(session.issued_at),
    );
    match session.mfa_authenticated_at {
        Some(at) => {
            c.insert("aws:MultiFactorAuthPresent", true);
            let age = (now - at).whole_seconds().max(0);
            c.insert("aws:MultiFactorAuthAge", age as f64);
        }
        None => {
            c.insert("aws:MultiFactorAuthPresent", false);
        }
    }
    for (k, v) in &session.tags {
        c.insert(&format!("aws:PrincipalTag/{k}"), v.as_str());
    }
    if let Some(si) = &session.source_identity {
        c.insert("aws:SourceIdentity", si.as_str());
    }
    if let warden_token::SessionPrincipal::FederatedUser { name, .. } = &session.principal {
        c.insert("aws:userid", format!("{}:{name}", session.account));
    }
}

/// The context of a request by `subject`: global keys plus the session's.
pub fn subject_context(state: &AccountState, subject: &Subject, facts: &RequestFacts) -> Context {
    let mut c = base_context(state, subject.caller, facts);
    if let Some(session) = subject.session {
        add_session_context(&mut c, session, facts.now);
    }
    c
}

/// The identity-side policy set of a subject: its identity policies (for a federated user,
/// the parent user's), boundary and session policies.
pub fn gather_subject(state: &AccountState, subject: &Subject) -> (Gathered, Option<NamedPolicies>) {
    let gathered = match (subject.caller, subject.session.map(|s| &s.principal)) {
        (_, Some(warden_token::SessionPrincipal::FederatedUser { user: Some(user), .. })) => gather(
            state,
            &Caller::User {
                account: state.id.clone(),
                user: user.clone(),
            },
        ),
        _ => gather(state, subject.caller),
    };
    let session = subject.session.and_then(|s| session_policies(state, s));
    (gathered, session)
}

/// Whether the subject is a root-user session or the root user (full access in its account).
fn is_root(subject: &Subject) -> bool {
    match subject.session.map(|s| &s.principal) {
        Some(warden_token::SessionPrincipal::SessionToken { user: None }) => true,
        Some(_) => false,
        None => matches!(subject.caller, Caller::Root { .. }),
    }
}

/// The decision for `subject` doing `action` on `resource`, optionally with a resource
/// policy from `resource_account` (AssumeRole's trust policy, cross-account requests).
pub fn authorize_subject(
    state: &AccountState,
    subject: &Subject,
    action: &str,
    resource: &str,
    context: &Context,
    resource_policy: Option<(&str, &Policy)>,
    resource_account: Option<&str>,
) -> Verdict {
    let same_account = resource_account.is_none_or(|a| a == state.id.as_str());
    let federated_without_policy = matches!(
        subject.session.map(|s| &s.principal),
        Some(warden_token::SessionPrincipal::FederatedUser { .. })
    ) && subject
        .session
        .is_some_and(|s| s.session_policy.is_none() && s.session_policy_arns.is_empty());
    if federated_without_policy {
        // GetFederationToken without a policy yields a session with no permissions.
        return Verdict {
            decision: Decision::ImplicitDeny,
            reason: Some(warden_policy::DenyReason::NoSessionAllow),
        };
    }
    if is_root(subject) && same_account && resource_policy.is_none() {
        return Verdict {
            decision: Decision::Allowed,
            reason: None,
        };
    }
    let (gathered, session) = gather_subject(state, subject);
    let mut set = gathered.policy_set();
    if is_root(subject) {
        // The root user's identity "policy" is everything in its account; model it as an
        // allow-all identity layer so cross-account and explicit denies still apply.
        set.identity = ROOT_ALLOW.iter().map(|p| ("root", p)).collect();
    }
    if let Some(session) = &session {
        set.session = session.iter().map(|(id, p)| (id.as_str(), &**p)).collect();
    }
    set.resource = resource_policy;
    let principal = subject_principal(state, subject);
    let request = Request {
        principal: &principal,
        action,
        resource,
        context,
        resource_account,
    };
    warden_policy::authorize(&request, &set)
}

static ROOT_ALLOW: std::sync::LazyLock<Vec<Policy>> = std::sync::LazyLock::new(|| {
    Policy::parse(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        warden_policy::PolicyKind::Identity,
    )
    .into_iter()
    .collect()
});

/// The policy-language principal of a subject (a session's principal when it has one).
pub fn subject_principal(state: &AccountState, subject: &Subject) -> Principal {
    match subject.session.map(|s| &s.principal) {
        Some(warden_token::SessionPrincipal::AssumedRole {
            role_arn,
            session_name,
            ..
        }) => {
            let role_name = role_arn.rsplit('/').next().unwrap_or_default();
            Principal::assumed_role(
                &format!(
                    "arn:aws:sts::{}:assumed-role/{role_name}/{session_name}",
                    state.id
                ),
                role_arn,
            )
        }
        Some(warden_token::SessionPrincipal::FederatedUser { name, .. }) => {
            Principal::federated_user(&format!("arn:aws:sts::{}:federated-user/{name}", state.id))
        }
        _ => principal(state, subject.caller),
    }
}
