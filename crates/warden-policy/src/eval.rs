//! Evaluation of a request against every policy that applies to it.
//!
//! The order is the one the IAM User Guide gives ("Policy evaluation logic",
//! "How AWS enforcement code logic evaluates requests", "Cross-account policy
//! evaluation logic"):
//! 1. an explicit deny in any policy wins;
//! 2. organization policies (SCPs), when present, must allow;
//! 3. within one account, a resource-based policy can grant on its own, by how
//!    it names the principal: the user or session ARN itself (or `*`) grants
//!    regardless of the other policies; a role ARN matching one of its sessions
//!    grants only if the permissions boundary and session policies allow too;
//!    the account (`"AWS": "ACCOUNT"`) delegates to identity-based policies;
//! 4. otherwise identity-based policies must allow, and so must the permissions
//!    boundary and the session policies when there are any;
//! 5. across accounts, the resource-based policy must allow as well;
//! 6. everything else is an implicit deny.
//!
//! Role trust policies are the documented exception to (3)/(4): the trust policy
//! itself must allow the principal.

use crate::condition::Arn;
use crate::context::Context;
use crate::policy::{Applies, Effect, Observer, Policy, PolicyKind, Position, Probe};
use crate::principal::{Principal, PrincipalKind, PrincipalMatch};

/// One request to authorize.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub principal: &'a Principal,
    /// `service:Action`, any case.
    pub action: &'a str,
    /// The resource ARN, or `*` for actions without resource-level permissions.
    pub resource: &'a str,
    pub context: &'a Context,
    /// The account that owns the resource, when it may differ from the
    /// principal's (cross-account evaluation); `None` means the principal's own account.
    pub resource_account: Option<&'a str>,
}

/// A policy of the set with the caller's id for it (`PolicyInputList.2`, a policy ARN...).
pub type PolicyRef<'a> = (&'a str, &'a Policy);

/// Every policy that applies to a request, gathered by the caller.
#[derive(Debug, Clone, Default)]
pub struct PolicySet<'a> {
    /// Inline and attached policies of the principal (and its groups).
    pub identity: Vec<PolicyRef<'a>>,
    /// The resource's policy (or the role's trust policy for `sts:AssumeRole*`).
    pub resource: Option<PolicyRef<'a>>,
    pub permissions_boundary: Option<PolicyRef<'a>>,
    /// Session policies of the caller's session; empty when it has none.
    pub session: Vec<PolicyRef<'a>>,
    /// The SCPs that apply to the principal's account, when the account is in an
    /// organization; at least one must allow.
    pub scps: Option<Vec<PolicyRef<'a>>>,
}

/// The kind of policy a statement came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    Identity,
    Resource,
    PermissionsBoundary,
    Session,
    Organizations,
}

impl Layer {
    /// How AWS names the policy type in AccessDenied messages.
    pub fn description(self) -> &'static str {
        match self {
            Layer::Identity => "an identity-based policy",
            Layer::Resource => "a resource-based policy",
            Layer::PermissionsBoundary => "a permissions boundary",
            Layer::Session => "a session policy",
            Layer::Organizations => "a service control policy",
        }
    }
}

/// The final decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    Allowed,
    ExplicitDeny,
    ImplicitDeny,
}

impl Decision {
    /// The simulator's `EvalDecision` value.
    pub fn as_simulator_str(self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::ExplicitDeny => "explicitDeny",
            Decision::ImplicitDeny => "implicitDeny",
        }
    }
}

/// Why a request was denied, for AccessDenied messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DenyReason {
    /// A Deny statement of this kind of policy matched.
    ExplicitDeny(Layer),
    NoOrganizationsAllow,
    NoIdentityAllow,
    NoResourceAllow,
    NoPermissionsBoundaryAllow,
    NoSessionAllow,
}

impl DenyReason {
    /// The end of AWS's AccessDenied message: "User: X is not authorized to
    /// perform: A on resource: R " + this.
    pub fn describe(self, action: &str) -> String {
        let no = |what: &str| format!("because no {what} allows the {action} action");
        match self {
            DenyReason::ExplicitDeny(layer) => format!("with an explicit deny in {}", layer.description()),
            DenyReason::NoOrganizationsAllow => no("service control policy"),
            DenyReason::NoIdentityAllow => no("identity-based policy"),
            DenyReason::NoResourceAllow => no("resource-based policy"),
            DenyReason::NoPermissionsBoundaryAllow => no("permissions boundary"),
            DenyReason::NoSessionAllow => no("session policy"),
        }
    }
}

/// What one kind of policy said about the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LayerOutcome {
    /// No policy of this kind applies to the request.
    Absent,
    /// Policies exist but no statement matched.
    NoMatch,
    Allow,
    Deny,
}

/// Per-layer outcomes, for the simulator's decision details.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LayerOutcomes {
    pub identity: LayerOutcome,
    pub resource: LayerOutcome,
    pub permissions_boundary: LayerOutcome,
    pub session: LayerOutcome,
    pub organizations: LayerOutcome,
}

/// A statement that decided the outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedStatement {
    /// The id the caller gave the policy in the [`PolicySet`].
    pub policy_id: String,
    pub layer: Layer,
    /// 0-based index of the statement in the document.
    pub statement_index: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    pub start: Position,
    pub end: Position,
}

/// The decision with its explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub decision: Decision,
    /// `None` when allowed.
    pub reason: Option<DenyReason>,
    /// The statements that decided: the matching Deny statements for an
    /// explicit deny, the matching Allow statements when allowed, none otherwise.
    pub matched: Vec<MatchedStatement>,
    /// Context keys that the applicable statements needed but the request lacked
    /// (the simulator's MissingContextValues), in order, once each.
    pub missing_context_keys: Vec<String>,
    pub layers: LayerOutcomes,
}

/// The decision and reason only: what the hot path needs. `Copy`, no allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Verdict {
    pub decision: Decision,
    pub reason: Option<DenyReason>,
}

#[derive(Default, Clone, Copy)]
struct Acc {
    present: bool,
    allow: bool,
    deny: bool,
    /// The strongest way an Allow statement of a resource policy named the principal.
    allow_how: Option<PrincipalMatch>,
}

impl Acc {
    fn outcome(self) -> LayerOutcome {
        match (self.present, self.deny, self.allow) {
            (false, _, _) => LayerOutcome::Absent,
            (true, true, _) => LayerOutcome::Deny,
            (true, false, true) => LayerOutcome::Allow,
            (true, false, false) => LayerOutcome::NoMatch,
        }
    }
}

trait Sink: Observer {
    fn statement(&mut self, layer: Layer, id: &str, index: usize, policy: &Policy);
}

struct Quiet;
impl Observer for Quiet {
    const FULL: bool = false;
    fn missing_key(&mut self, _: &str) {}
}
impl Sink for Quiet {
    fn statement(&mut self, _: Layer, _: &str, _: usize, _: &Policy) {}
}

#[derive(Default)]
struct Collect {
    matched: Vec<MatchedStatement>,
    missing: Vec<String>,
}
impl Observer for Collect {
    const FULL: bool = true;
    fn missing_key(&mut self, key: &str) {
        if !self.missing.iter().any(|k| k.eq_ignore_ascii_case(key)) {
            self.missing.push(key.to_owned());
        }
    }
}
impl Sink for Collect {
    fn statement(&mut self, layer: Layer, id: &str, index: usize, policy: &Policy) {
        if let Some(s) = policy.statements().get(index) {
            self.matched.push(MatchedStatement {
                policy_id: id.to_owned(),
                layer,
                statement_index: index,
                sid: s.sid.as_deref().map(str::to_owned),
                effect: s.effect,
                start: s.start,
                end: s.end,
            });
        }
    }
}

fn layer<'a, S: Sink>(
    req: &Probe<'_>,
    which: Layer,
    policies: impl Iterator<Item = &'a PolicyRef<'a>>,
    sink: &mut S,
) -> Acc {
    let mut acc = Acc::default();
    for (id, policy) in policies {
        acc.present = true;
        for (index, s) in policy.candidates(req.service) {
            let Applies::Yes(how) = s.applies(req, sink) else {
                continue;
            };
            sink.statement(which, id, index, policy);
            match s.effect {
                Effect::Deny => acc.deny = true,
                Effect::Allow => {
                    acc.allow = true;
                    if how > acc.allow_how {
                        acc.allow_how = how;
                    }
                }
            }
        }
    }
    acc
}

struct Layers {
    identity: Acc,
    resource: Acc,
    boundary: Acc,
    session: Acc,
    orgs: Acc,
}

fn run<S: Sink>(req: &Request<'_>, set: &PolicySet<'_>, sink: &mut S) -> (Layers, Verdict) {
    let probe = Probe {
        principal: req.principal,
        action: req.action,
        service: req.action.split_once(':').map_or(req.action, |(s, _)| s),
        resource: Arn::new(req.resource),
        context: req.context,
    };
    let p = &probe;
    let layers = Layers {
        orgs: layer(p, Layer::Organizations, set.scps.iter().flatten(), sink),
        resource: layer(p, Layer::Resource, set.resource.iter(), sink),
        identity: layer(p, Layer::Identity, set.identity.iter(), sink),
        boundary: layer(
            p,
            Layer::PermissionsBoundary,
            set.permissions_boundary.iter(),
            sink,
        ),
        session: layer(p, Layer::Session, set.session.iter(), sink),
    };
    let verdict = decide(req, set, &layers);
    (layers, verdict)
}

fn decide(req: &Request<'_>, set: &PolicySet<'_>, l: &Layers) -> Verdict {
    let deny = |reason| Verdict {
        decision: Decision::ImplicitDeny,
        reason: Some(reason),
    };
    let allowed = Verdict {
        decision: Decision::Allowed,
        reason: None,
    };
    for (acc, which) in [
        (l.orgs, Layer::Organizations),
        (l.resource, Layer::Resource),
        (l.identity, Layer::Identity),
        (l.boundary, Layer::PermissionsBoundary),
        (l.session, Layer::Session),
    ] {
        if acc.deny {
            return Verdict {
                decision: Decision::ExplicitDeny,
                reason: Some(DenyReason::ExplicitDeny(which)),
            };
        }
    }
    if set.scps.is_some() && !l.orgs.allow {
        return deny(DenyReason::NoOrganizationsAllow);
    }
    let p = req.principal;
    let boundary_ok = !l.boundary.present || l.boundary.allow;
    let session_ok = !l.session.present || l.session.allow;
    // The root user has full access in its own account without any policy.
    let identity_ok = p.has_identity() && (p.kind() == PrincipalKind::Root || l.identity.allow);
    let cross_account = req.resource_account.is_some_and(|a| p.account() != Some(a));
    let resource_how = l.resource.allow_how.or(if l.resource.allow {
        Some(PrincipalMatch::Direct)
    } else {
        None
    });
    let is_trust = set
        .resource
        .is_some_and(|(_, policy)| policy.kind() == PolicyKind::Trust);

    if cross_account {
        if resource_how.is_none() {
            return deny(DenyReason::NoResourceAllow);
        }
    } else {
        match resource_how {
            Some(PrincipalMatch::Direct | PrincipalMatch::Anyone) => return allowed,
            Some(PrincipalMatch::Role) if boundary_ok && session_ok => return allowed,
            None if is_trust => return deny(DenyReason::NoResourceAllow),
            _ => {}
        }
    }
    if identity_ok && boundary_ok && session_ok {
        return allowed;
    }
    if !p.has_identity() {
        return deny(DenyReason::NoResourceAllow);
    }
    let via_role = resource_how == Some(PrincipalMatch::Role);
    if !identity_ok && !via_role {
        deny(DenyReason::NoIdentityAllow)
    } else if !boundary_ok {
        deny(DenyReason::NoPermissionsBoundaryAllow)
    } else {
        deny(DenyReason::NoSessionAllow)
    }
}

/// The decision for one request, without explanation. Same logic as
/// [`evaluate`], allocation-free for policies without variables.
pub fn authorize(request: &Request<'_>, set: &PolicySet<'_>) -> Verdict {
    run(request, set, &mut Quiet).1
}

/// `authorize(..).decision == Decision::Allowed`.
pub fn is_allowed(request: &Request<'_>, set: &PolicySet<'_>) -> bool {
    authorize(request, set).decision == Decision::Allowed
}

/// The decision with the statements that made it, the per-layer outcomes and
/// the context keys the policies needed but the request lacked.
pub fn evaluate(request: &Request<'_>, set: &PolicySet<'_>) -> Evaluation {
    let mut sink = Collect::default();
    let (l, verdict) = run(request, set, &mut sink);
    let keep = match verdict.decision {
        Decision::ExplicitDeny => Some(Effect::Deny),
        Decision::Allowed => Some(Effect::Allow),
        Decision::ImplicitDeny => None,
    };
    let mut matched = sink.matched;
    matched.retain(|m| Some(m.effect) == keep);
    Evaluation {
        decision: verdict.decision,
        reason: verdict.reason,
        matched,
        missing_context_keys: sink.missing,
        layers: LayerOutcomes {
            identity: l.identity.outcome(),
            resource: l.resource.outcome(),
            permissions_boundary: l.boundary.outcome(),
            session: l.session.outcome(),
            organizations: l.orgs.outcome(),
        },
    }
}
