//! The policy simulator: SimulateCustomPolicy, SimulatePrincipalPolicy,
//! GetContextKeysFor{Custom,Principal}Policy (IAM API Reference; IAM User Guide,
//! "Testing IAM policies with the IAM policy simulator").
//!
//! Gather, then decide: the policies come from the input (`PolicyInputList.N`,
//! `PermissionsBoundaryPolicyInputList.1`, `ResourcePolicy`) and, for the principal
//! operations, from the entity named by `PolicySourceArn` ([`source`]); each action is
//! evaluated against each resource by `warden_policy::evaluate`, which explains its
//! decision with the matched statements and their positions.
//!
//! One `EvaluationResult` per action, as the current service model documents it: with
//! `ResourceArns`, `ResourceSpecificResults` holds one entry per resource and the
//! top-level result reports the most restrictive decision, the union of the statements
//! that made it and of the missing context keys.

mod context;
mod exclusions;
mod organizations;
pub mod source;

use std::sync::Arc;

use serde_json::{Map, Value, json};
use warden_policy::{
    Context, Decision, Evaluation, Layer, LayerOutcome, MatchedStatement, Policy, PolicyKind, PolicySet,
    Principal, Request, evaluate,
};

use super::{OpCtx, Target, ops, page_list};
use crate::error::IamError;
use crate::input::Input;
use crate::state::AccountState;
use organizations::OrgVerdict;
use source::{EntityArn, EntityKind};

ops! { OPS {
    "SimulateCustomPolicy" => Target::Any, Read(simulate_custom);
    "SimulatePrincipalPolicy" => Target::ArnMember("PolicySourceArn"), Read(simulate_principal);
    "GetContextKeysForCustomPolicy" => Target::Any, Read(context_keys_custom);
    "GetContextKeysForPrincipalPolicy" => Target::ArnMember("PolicySourceArn"), Read(context_keys_principal);
}}

/// The EC2 scenarios of `ResourceHandlingOption` (SimulateCustomPolicy, "ResourceHandlingOption").
const RESOURCE_HANDLING_OPTIONS: [&str; 4] = [
    "EC2-VPC-InstanceStore",
    "EC2-VPC-InstanceStore-Subnet",
    "EC2-VPC-EBS",
    "EC2-VPC-EBS-Subnet",
];

/// What the simulator reports as `SourcePolicyType`. AWS answers with these names, not
/// with the model's `PolicySourceType` values (recorded: `"IAM Policy"` for managed
/// policies attached to users, groups and roles, and for `PolicyInputList.N`).
fn source_type(layer: Layer) -> &'static str {
    match layer {
        Layer::Resource => "Resource Policy",
        Layer::Organizations => "Organizations Policy",
        Layer::Identity | Layer::PermissionsBoundary | Layer::Session => "IAM Policy",
    }
}

type Owned = Vec<(String, Arc<Policy>)>;

/// Everything one simulation evaluates, gathered before any decision.
struct Simulation {
    identity: Owned,
    boundary: Option<(String, Arc<Policy>)>,
    resource_policy: Option<Policy>,
    principal: Principal,
    context: Context,
    /// `OrganizationsDecisionDetail` is reported (principal simulations: Warden accounts
    /// have no SCPs, so organizations always allow).
    organizations: bool,
    /// The SCP levels of `OrderedOrganizationPolicyInputList`, root first.
    scp_levels: Option<Vec<Owned>>,
}

fn malformed(e: warden_policy::PolicyError) -> IamError {
    IamError::MalformedPolicyDocument(e.to_string())
}

/// `{member}.1`, `{member}.2`, ...: the ids AWS gives input policies.
fn parse_list(input: &Input, member: &str, kind: PolicyKind) -> Result<Owned, IamError> {
    input
        .strings(member)
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            Policy::parse(text, kind)
                .map(|p| (format!("{member}.{}", i + 1), Arc::new(p)))
                .map_err(malformed)
        })
        .collect()
}

/// `PermissionsBoundaryPolicyInputList`: at most one document.
fn boundary_input(input: &Input) -> Result<Option<(String, Arc<Policy>)>, IamError> {
    let mut list = parse_list(
        input,
        "PermissionsBoundaryPolicyInputList",
        PolicyKind::PermissionsBoundary,
    )?;
    if list.len() > 1 {
        return Err(IamError::InvalidInput(
            "The list of Permissions Boundary policies cannot exceed 1 items.".into(),
        ));
    }
    Ok(list.pop())
}

/// The simulated caller: `CallerArn` must name an IAM user, group or role.
fn caller(arn: &str) -> Result<(EntityArn<'_>, Principal), IamError> {
    let parsed = EntityArn::parse(arn).ok_or_else(|| {
        IamError::InvalidInput(
            "Invalid caller - Caller must be an IAM user, role or group in this context.".into(),
        )
    })?;
    let principal = parsed.principal(arn);
    Ok((parsed, principal))
}

/// The global keys the simulator knows about its caller, then `ContextEntries`, which
/// override them. Nothing else is assumed: keys such as `aws:CurrentTime` or
/// `aws:SourceIp` are missing unless given, and reported as such.
fn simulation_context(
    input: &Input,
    account: &str,
    caller: Option<(&str, &EntityArn)>,
) -> Result<Context, IamError> {
    let mut c = Context::new();
    match caller {
        Some((arn, parsed)) => {
            c.insert("aws:PrincipalAccount", parsed.account);
            c.insert("aws:PrincipalArn", arn);
            if parsed.kind == EntityKind::User {
                c.insert("aws:username", parsed.name);
            }
        }
        None => {
            c.insert("aws:PrincipalAccount", account);
        }
    }
    for (key, value) in context::parse_entries(input.list("ContextEntries"))? {
        c.insert(&key, value);
    }
    Ok(c)
}

fn simulate_custom(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let identity = parse_list(input, "PolicyInputList", PolicyKind::Identity)?;
    let boundary = boundary_input(input)?;
    let scp_levels = organizations::levels(input.list("OrderedOrganizationPolicyInputList"))?;
    let (principal, context) = match input.opt_str("CallerArn") {
        Some(arn) => {
            let (parsed, principal) = caller(arn)?;
            let ctx = simulation_context(input, state.id.as_str(), Some((arn, &parsed)))?;
            (principal, ctx)
        }
        None => {
            if input.is_present("ResourcePolicy") {
                return Err(IamError::InvalidInput(
                    "Invalid caller - Caller cannot be null or empty.".into(),
                ));
            }
            // An identity of the caller's account that no resource policy names: without
            // a CallerArn only the identity-based policies can decide.
            let principal = Principal::user(&state.arn("user", "/", ""));
            (principal, simulation_context(input, state.id.as_str(), None)?)
        }
    };
    run(
        input,
        Simulation {
            identity,
            boundary,
            resource_policy: resource_policy(input)?,
            principal,
            context,
            organizations: false,
            scp_levels,
        },
    )
}

fn simulate_principal(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let excluded = exclusions::Exclusions::parse(input.list("PolicyExclusionList"))?;
    let mut source = source::resolve(state, input.str("PolicySourceArn")?)?;
    excluded.apply(&mut source);
    let mut identity = source.identity;
    identity.extend(parse_list(input, "PolicyInputList", PolicyKind::Identity)?);
    // An input boundary replaces the entity's own (API Reference, PermissionsBoundaryPolicyInputList).
    let boundary = boundary_input(input)?.or(source.boundary);
    let caller_arn = input.opt_str("CallerArn").unwrap_or(&source.arn);
    let (parsed, principal) = caller(caller_arn)?;
    let context = simulation_context(input, state.id.as_str(), Some((caller_arn, &parsed)))?;
    run(
        input,
        Simulation {
            identity,
            boundary,
            resource_policy: resource_policy(input)?,
            principal,
            context,
            organizations: true,
            scp_levels: None,
        },
    )
}

fn resource_policy(input: &Input) -> Result<Option<Policy>, IamError> {
    input
        .opt_str("ResourcePolicy")
        .map(|text| Policy::parse(text, PolicyKind::Resource).map_err(malformed))
        .transpose()
}

/// The account of `ResourceOwner`: an account ARN (`arn:aws:iam::ACCOUNT:root`) or ID.
fn resource_owner<'a>(input: &Input<'a>) -> Result<Option<&'a str>, IamError> {
    let Some(owner) = input.opt_str("ResourceOwner") else {
        return Ok(None);
    };
    let account = owner
        .strip_prefix("arn:aws:iam::")
        .and_then(|r| r.split_once(':'))
        .map_or(owner, |(a, _)| a);
    if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) {
        Ok(Some(account))
    } else {
        Err(IamError::InvalidInput("Invalid Resource Owner.".into()))
    }
}

/// The account field of an ARN, when it has one (S3 ARNs do not).
fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

/// One action on one resource.
struct Outcome<'a> {
    resource: &'a str,
    eval: Evaluation,
    cross_account: bool,
    /// What the SCP levels said, when the simulation has any.
    orgs: Option<OrgVerdict>,
}

/// The decision once the SCP levels are taken into account: an explicit deny anywhere
/// wins, then the levels must allow. SCP statements and keys are not reported, so a
/// decision made by the SCPs alone lists no matched statements.
fn with_organizations(mut eval: Evaluation, orgs: Option<OrgVerdict>) -> Evaluation {
    let decision = match (orgs, eval.decision) {
        (_, Decision::ExplicitDeny) | (Some(OrgVerdict::ExplicitDeny), _) => Decision::ExplicitDeny,
        (Some(OrgVerdict::ImplicitDeny), _) => Decision::ImplicitDeny,
        (_, d) => d,
    };
    if decision != eval.decision {
        eval.decision = decision;
        eval.matched.clear();
    }
    eval
}

fn run(input: &Input, sim: Simulation) -> Result<Value, IamError> {
    let actions = input.strings("ActionNames");
    let given = input.strings("ResourceArns");
    let explicit = !given.is_empty();
    let resources = if explicit { given } else { vec!["*"] };
    if let Some(option) = input.opt_str("ResourceHandlingOption")
        && !RESOURCE_HANDLING_OPTIONS.contains(&option)
    {
        return Err(IamError::InvalidInput(format!(
            "Invalid ResourceHandlingOption: {option}. It must be one of {}.",
            RESOURCE_HANDLING_OPTIONS.join(", ")
        )));
    }
    if sim.resource_policy.is_some() && resources.contains(&"*") {
        return Err(IamError::InvalidInput(
            "Invalid Entity Arn: * does not clearly define entity type and name.".into(),
        ));
    }
    let owner = resource_owner(input)?;
    let set = PolicySet {
        identity: sim.identity.iter().map(|(id, p)| (id.as_str(), &**p)).collect(),
        resource: sim.resource_policy.as_ref().map(|p| ("ResourcePolicy", p)),
        permissions_boundary: sim.boundary.as_ref().map(|(id, p)| (id.as_str(), &**p)),
        ..PolicySet::default()
    };
    let mut results = Vec::with_capacity(actions.len());
    for action in actions {
        let outcomes: Vec<Outcome> = resources
            .iter()
            .map(|&resource| {
                let account = if resource == "*" {
                    None
                } else {
                    arn_account(resource).or(owner)
                };
                let request = Request {
                    principal: &sim.principal,
                    action,
                    resource,
                    context: &sim.context,
                    resource_account: account,
                };
                let orgs = sim
                    .scp_levels
                    .as_deref()
                    .map(|levels| organizations::verdict(&request, levels));
                Outcome {
                    resource,
                    eval: with_organizations(evaluate(&request, &set), orgs),
                    cross_account: account.is_some_and(|a| sim.principal.account() != Some(a)),
                    orgs,
                }
            })
            .collect();
        results.push(action_result(action, &outcomes, explicit, &sim));
    }
    let mut out = Map::new();
    let page = page_list(results, input, &mut out)?;
    out.insert("EvaluationResults".into(), Value::Array(page));
    Ok(Value::Object(out))
}

fn rank(d: Decision) -> u8 {
    match d {
        Decision::Allowed => 0,
        Decision::ImplicitDeny => 1,
        Decision::ExplicitDeny => 2,
    }
}

fn outcome_decision(o: LayerOutcome) -> Decision {
    match o {
        LayerOutcome::Allow => Decision::Allowed,
        LayerOutcome::Deny => Decision::ExplicitDeny,
        LayerOutcome::NoMatch | LayerOutcome::Absent => Decision::ImplicitDeny,
    }
}

fn statement(m: &MatchedStatement) -> Value {
    json!({
        "SourcePolicyId": m.policy_id,
        "SourcePolicyType": source_type(m.layer),
        "StartPosition": {"Line": m.start.line, "Column": m.start.column},
        "EndPosition": {"Line": m.end.line, "Column": m.end.column},
    })
}

/// How each kind of policy decided a cross-account request (`EvalDecisionDetails`).
fn decision_details(e: &Evaluation, sim: &Simulation) -> Vec<(&'static str, Decision)> {
    let mut details = vec![("IAM Policy", outcome_decision(e.layers.identity))];
    if sim.resource_policy.is_some() {
        details.push(("Resource Policy", outcome_decision(e.layers.resource)));
    }
    if sim.boundary.is_some() {
        details.push((
            "Permissions Boundary Policy",
            outcome_decision(e.layers.permissions_boundary),
        ));
    }
    details
}

fn details_json(details: &[(&'static str, Decision)]) -> Value {
    Value::Object(
        details
            .iter()
            .map(|(k, d)| ((*k).to_owned(), json!(d.as_simulator_str())))
            .collect(),
    )
}

fn denied_by_organizations(o: &Outcome) -> bool {
    matches!(o.orgs, Some(OrgVerdict::ExplicitDeny | OrgVerdict::ImplicitDeny))
}

fn boundary_allows(e: &Evaluation) -> bool {
    e.layers.permissions_boundary == LayerOutcome::Allow
}

fn action_result(action: &str, outcomes: &[Outcome], explicit: bool, sim: &Simulation) -> Value {
    let decision = outcomes
        .iter()
        .map(|o| o.eval.decision)
        .max_by_key(|d| rank(*d))
        .unwrap_or(Decision::ImplicitDeny);
    // The statements that made the reported decision, each once.
    let mut matched: Vec<&MatchedStatement> = Vec::new();
    for m in outcomes
        .iter()
        .filter(|o| o.eval.decision == decision)
        .flat_map(|o| &o.eval.matched)
    {
        if !matched.iter().any(|x| {
            x.policy_id == m.policy_id && x.statement_index == m.statement_index && x.layer == m.layer
        }) {
            matched.push(m);
        }
    }
    let mut missing: Vec<&str> = Vec::new();
    for k in outcomes.iter().flat_map(|o| &o.eval.missing_context_keys) {
        if !missing.iter().any(|x| x.eq_ignore_ascii_case(k)) {
            missing.push(k);
        }
    }
    let resource_name = match outcomes {
        [one] => one.resource,
        _ => "*",
    };
    let mut r = Map::new();
    r.insert("EvalActionName".into(), json!(action));
    r.insert("EvalResourceName".into(), json!(resource_name));
    r.insert("EvalDecision".into(), json!(decision.as_simulator_str()));
    r.insert(
        "MatchedStatements".into(),
        Value::Array(matched.into_iter().map(statement).collect()),
    );
    r.insert("MissingContextValues".into(), json!(missing));
    if explicit {
        // Present and empty within one account; per kind of policy, the most
        // restrictive across the resources, for cross-account simulations.
        let mut top: Vec<(&'static str, Decision)> = Vec::new();
        for o in outcomes
            .iter()
            .filter(|o| o.cross_account && !denied_by_organizations(o))
        {
            for (kind, d) in decision_details(&o.eval, sim) {
                match top.iter_mut().find(|(k, _)| *k == kind) {
                    Some(slot) if rank(d) > rank(slot.1) => slot.1 = d,
                    Some(_) => {}
                    None => top.push((kind, d)),
                }
            }
        }
        // "If an Organizations SCP included in the evaluation denies access, the simulation
        // ends [...] and this parameter is not returned" (EvaluationResult).
        if !outcomes.iter().any(denied_by_organizations) {
            r.insert("EvalDecisionDetails".into(), details_json(&top));
        }
    }
    if sim.scp_levels.is_some() {
        let allowed = outcomes.iter().all(|o| o.orgs == Some(OrgVerdict::Allow));
        r.insert(
            "OrganizationsDecisionDetail".into(),
            json!({"AllowedByOrganizations": allowed}),
        );
    } else if sim.organizations {
        r.insert(
            "OrganizationsDecisionDetail".into(),
            json!({"AllowedByOrganizations": true}),
        );
    }
    if sim.boundary.is_some() {
        let allowed = outcomes.iter().all(|o| boundary_allows(&o.eval));
        r.insert(
            "PermissionsBoundaryDecisionDetail".into(),
            json!({"AllowedByPermissionsBoundary": allowed}),
        );
    }
    if explicit {
        let specific: Vec<Value> = outcomes.iter().map(|o| resource_result(o, sim)).collect();
        r.insert("ResourceSpecificResults".into(), Value::Array(specific));
    }
    Value::Object(r)
}

fn resource_result(o: &Outcome, sim: &Simulation) -> Value {
    let mut r = Map::new();
    r.insert("EvalResourceName".into(), json!(o.resource));
    r.insert(
        "EvalResourceDecision".into(),
        json!(o.eval.decision.as_simulator_str()),
    );
    r.insert(
        "MatchedStatements".into(),
        Value::Array(o.eval.matched.iter().map(statement).collect()),
    );
    r.insert("MissingContextValues".into(), json!(o.eval.missing_context_keys));
    if o.cross_account && !denied_by_organizations(o) {
        r.insert(
            "EvalDecisionDetails".into(),
            details_json(&decision_details(&o.eval, sim)),
        );
    }
    if sim.boundary.is_some() {
        r.insert(
            "PermissionsBoundaryDecisionDetail".into(),
            json!({"AllowedByPermissionsBoundary": boundary_allows(&o.eval)}),
        );
    }
    Value::Object(r)
}

/// The context keys of `policies`, in order of appearance, each once whatever its case.
fn context_keys<'a>(policies: impl Iterator<Item = &'a Policy>) -> Value {
    let mut keys: Vec<String> = Vec::new();
    for k in policies.flat_map(Policy::context_keys) {
        if !keys.iter().any(|x| x.eq_ignore_ascii_case(&k)) {
            keys.push(k);
        }
    }
    json!({ "ContextKeyNames": keys })
}

fn context_keys_custom(_: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let inputs = parse_list(input, "PolicyInputList", PolicyKind::Identity)?;
    Ok(context_keys(inputs.iter().map(|(_, p)| &**p)))
}

/// The keys of the entity's own policies (its groups' too for a user) and of the input
/// policies; not of its permissions boundary nor of SCPs (API Reference).
fn context_keys_principal(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let source = source::resolve(state, input.str("PolicySourceArn")?)?;
    let inputs = parse_list(input, "PolicyInputList", PolicyKind::Identity)?;
    Ok(context_keys(
        source.identity.iter().chain(&inputs).map(|(_, p)| &**p),
    ))
}
