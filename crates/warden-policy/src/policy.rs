//! A compiled policy: validated once, then matched many times.

use std::sync::Arc;

use smol_str::SmolStr;

use crate::condition::{Arn, Condition, arn_matches};
use crate::context::{Context, Entry};
use crate::error::PolicyError;
use crate::json::{self, Node};
use crate::pattern::{self, ArnPattern, Pattern, Syntax};
use crate::principal::{Principal, PrincipalMatch, PrincipalSpec};
use crate::validate::{self, VERSION_2012, strings};

/// What a policy document is attached to; it decides which elements are
/// required or forbidden (Principal) and which versions are accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// A managed or inline policy of a user, group or role. No Principal; version 2012-10-17.
    Identity,
    /// A resource-based policy (bucket, queue, key policy...). Principal required.
    Resource,
    /// A role's trust policy (AssumeRolePolicyDocument). Principal required, Resource optional.
    Trust,
    /// A managed policy used as a permissions boundary. Same rules as `Identity`.
    PermissionsBoundary,
    /// A session policy passed to AssumeRole or GetFederationToken. No Principal.
    Session,
    /// An AWS Organizations service control policy. No Principal.
    ServiceControl,
}

impl PolicyKind {
    /// IAM refuses 2008-10-17 (and a missing Version) for the policies it
    /// stores for identities: "Policy document must be version 2012-10-17 or greater."
    pub(crate) fn requires_2012(self) -> bool {
        matches!(self, PolicyKind::Identity | PolicyKind::PermissionsBoundary)
    }

    pub(crate) fn takes_principal(self) -> bool {
        matches!(self, PolicyKind::Resource | PolicyKind::Trust)
    }
}

/// The policy language version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyVersion {
    /// `2008-10-17`, or no Version element: `${...}` is literal text.
    V2008_10_17,
    /// `2012-10-17`: policy variables are expanded.
    V2012_10_17,
}

/// A statement's effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    Allow,
    Deny,
}

/// A place in a policy document, as the policy simulator reports it
/// (`StartPosition` / `EndPosition`): 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Statement {
    pub sid: Option<SmolStr>,
    pub effect: Effect,
    actions: Vec<Pattern>,
    not_action: bool,
    /// `None` when the statement has neither Resource nor NotResource (trust policies).
    resources: Option<Vec<ArnPattern>>,
    not_resource: bool,
    principal: Option<PrincipalSpec>,
    not_principal: bool,
    pub conditions: Vec<Condition>,
    pub start: Position,
    pub end: Position,
}

/// What a statement says about one request.
pub(crate) enum Applies {
    No,
    /// The statement applies; for statements with a Principal element, how it named the principal.
    Yes(Option<PrincipalMatch>),
}

/// The request as the statements read it, with the action's service split off once.
#[derive(Clone, Copy)]
pub(crate) struct Probe<'a> {
    pub principal: &'a Principal,
    pub action: &'a str,
    pub service: &'a str,
    pub resource: Arn<'a>,
    pub context: &'a Context,
}

/// Reports what the evaluator saw, so that the same code serves the fast
/// `authorize` path (reports nothing) and `evaluate` (collects everything).
pub(crate) trait Observer {
    /// When false, evaluation may stop at the first failed condition.
    const FULL: bool;
    fn missing_key(&mut self, key: &str);
}

impl Statement {
    pub fn applies<O: Observer>(&self, probe: &Probe<'_>, obs: &mut O) -> Applies {
        let Probe {
            principal,
            action,
            // INVARIANT: callers reach statements through `Policy::candidates`, which
            // leaves out the statements whose actions all name another service.
            service: _,
            resource,
            context: ctx,
        } = *probe;
        let action_hit = self
            .actions
            .iter()
            .any(|p| p.matches(action, ctx, true) == Some(true));
        if action_hit == self.not_action {
            return Applies::No;
        }
        if let Some(resources) = &self.resources {
            let mut hit = false;
            for fields in resources {
                match arn_matches(fields, &resource, ctx) {
                    Some(h) => hit |= h,
                    None => {
                        report_vars(fields.iter().flat_map(Pattern::var_keys), ctx, obs);
                        return Applies::No;
                    }
                }
            }
            if hit == self.not_resource {
                return Applies::No;
            }
        }
        let how = match &self.principal {
            None => None,
            Some(spec) => match (spec.matches(principal), self.not_principal) {
                (Some(m), false) => Some(m),
                (None, true) => Some(PrincipalMatch::Direct),
                _ => return Applies::No,
            },
        };
        let mut ok = true;
        for c in &self.conditions {
            let entry = ctx.entry(c.key_lower());
            if !Entry::present(entry) {
                obs.missing_key(c.key());
            }
            match c.eval_entry(entry, ctx) {
                Some(true) => {}
                Some(false) => ok = false,
                None => {
                    report_vars(c.var_keys().into_iter(), ctx, obs);
                    ok = false;
                }
            }
            if !ok && !O::FULL {
                return Applies::No;
            }
        }
        if ok { Applies::Yes(how) } else { Applies::No }
    }
}

fn report_vars<'a, O: Observer>(keys: impl Iterator<Item = (&'a str, bool)>, ctx: &Context, obs: &mut O) {
    for (key, has_default) in keys {
        if !has_default && !ctx.present(key) {
            obs.missing_key(key);
        }
    }
}

#[derive(Debug)]
struct Inner {
    text: String,
    kind: PolicyKind,
    version: PolicyVersion,
    statements: Vec<Statement>,
    index: ServiceIndex,
}

/// Which statements can apply to an action of a given service: the statements
/// whose actions all name literal service prefixes are listed under each of
/// them; the others (`*`, `s*:Get`, NotAction) are candidates for every action.
/// Indices ascend in each list.
#[derive(Debug, Default)]
struct ServiceIndex {
    by_service: Vec<(Box<str>, Vec<u32>)>,
    any_service: Vec<u32>,
}

impl ServiceIndex {
    /// Lists statement `i` under the lower-cased service prefixes of its actions when all
    /// are literal (`s3:Get*` -> `s3`), so that a request for another service skips it
    /// without running the matchers; otherwise (`*`, `s*:Get`, NotAction) under every service.
    fn add<'a>(&mut self, i: usize, not_action: bool, mut actions: impl Iterator<Item = &'a str> + Clone) {
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        if not_action || !actions.clone().all(|a| literal_service(a).is_some()) {
            self.any_service.push(i);
            return;
        }
        for service in actions.by_ref().filter_map(literal_service) {
            match self
                .by_service
                .iter_mut()
                .find(|(k, _)| k.eq_ignore_ascii_case(service))
            {
                // An action list naming the same service twice lists the statement once.
                Some((_, list)) if list.last() == Some(&i) => {}
                Some((_, list)) => list.push(i),
                None => self
                    .by_service
                    .push((service.to_lowercase().into_boxed_str(), vec![i])),
            }
        }
    }
}

/// A validated, compiled policy document. Cheap to clone (shared), `Send + Sync`.
#[derive(Debug, Clone)]
pub struct Policy {
    inner: Arc<Inner>,
}

impl Policy {
    /// Validates `text` as IAM does for a policy of this kind, then compiles it.
    pub fn parse(text: &str, kind: PolicyKind) -> Result<Policy, PolicyError> {
        let arena = json::arena_for(text.len());
        let document = validate::validate(text, kind, &arena)?;
        let doc = &document.root;
        let version = match doc.value.get("Version").and_then(|v| v.value.as_str()) {
            Some(VERSION_2012) => PolicyVersion::V2012_10_17,
            _ => PolicyVersion::V2008_10_17,
        };
        let variables = version == PolicyVersion::V2012_10_17;
        let nodes = validate::statements(doc);
        // AWS's simulator reports the column just after the statement's `{` and just after
        // its `}` (tests/data/aws-recorded, test_simulate_principle_policy): hence `c + 1`.
        let offsets: Vec<usize> = nodes
            .iter()
            .flat_map(|n| [n.start, n.end.saturating_sub(1)])
            .collect();
        let places = json::line_cols(text, &document.newlines, &offsets);
        let mut index = ServiceIndex::default();
        let statements: Vec<Statement> = nodes
            .iter()
            .enumerate()
            .map(|(i, node)| {
                let at = |k: usize| {
                    places
                        .get(k)
                        .map_or(Position { line: 1, column: 1 }, |&(line, c)| Position {
                            line,
                            column: c + 1,
                        })
                };
                compile_statement((i, node), variables, (at(2 * i), at(2 * i + 1)), &mut index)
            })
            .collect();
        Ok(Policy {
            inner: Arc::new(Inner {
                text: text.to_owned(),
                kind,
                version,
                statements,
                index,
            }),
        })
    }

    pub fn version(&self) -> PolicyVersion {
        self.inner.version
    }

    pub fn kind(&self) -> PolicyKind {
        self.inner.kind
    }

    /// The document as given.
    pub fn text(&self) -> &str {
        &self.inner.text
    }

    pub fn statement_count(&self) -> usize {
        self.inner.statements.len()
    }

    pub(crate) fn statements(&self) -> &[Statement] {
        &self.inner.statements
    }

    /// The statements that can apply to an action of `service` (any case), with
    /// their indices, in document order.
    pub(crate) fn candidates<'s>(
        &'s self,
        service: &str,
    ) -> impl Iterator<Item = (usize, &'s Statement)> + 's {
        let index = &self.inner.index;
        let listed: &[u32] = index
            .by_service
            .iter()
            .find(|(s, _)| s.len() == service.len() && s.eq_ignore_ascii_case(service))
            .map_or(&[], |(_, list)| list.as_slice());
        let mut listed = listed.iter().copied().peekable();
        let mut any = index.any_service.iter().copied().peekable();
        let statements = &self.inner.statements;
        std::iter::from_fn(move || {
            // Merge the two ascending lists.
            let next = match (listed.peek(), any.peek()) {
                (Some(&a), Some(&b)) if a < b => listed.next(),
                (Some(_), None) => listed.next(),
                _ => any.next(),
            }?;
            let i = usize::try_from(next).ok()?;
            Some((i, statements.get(i)?))
        })
    }

    /// The context keys the policy's conditions and policy variables reference,
    /// in order of first appearance, once each (compared without case). Condition
    /// keys keep the spelling of the document (GetContextKeysForCustomPolicy);
    /// variable keys are lower-cased.
    pub fn context_keys(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut add = |k: &str| {
            if !out.iter().any(|o| o.eq_ignore_ascii_case(k)) {
                out.push(k.to_owned());
            }
        };
        for s in &self.inner.statements {
            for fields in s.resources.iter().flatten() {
                let fields: &[Pattern] = fields;
                fields
                    .iter()
                    .flat_map(Pattern::var_keys)
                    .for_each(|(k, _)| add(k));
            }
            for c in &s.conditions {
                add(c.key());
                c.var_keys().into_iter().for_each(|(k, _)| add(k));
            }
        }
        out
    }
}

/// The service prefix of an action pattern, when it has no wildcard.
fn literal_service(action: &str) -> Option<&str> {
    let colon = action.bytes().position(|b| b == b':')?;
    let service = action.get(..colon)?;
    (!service.bytes().any(|b| b == b'*' || b == b'?')).then_some(service)
}

fn compile_statement(
    (i, node): (usize, &Node),
    variables: bool,
    (start, end): (Position, Position),
    index: &mut ServiceIndex,
) -> Statement {
    let v = &node.value;
    let action_syntax = Syntax {
        wildcards: true,
        variables: false,
        lowercase: true,
    };
    let resource_syntax = Syntax {
        wildcards: true,
        variables,
        lowercase: false,
    };
    let (action_node, not_action) = match v.get("Action") {
        Some(n) => (Some(n), false),
        None => (v.get("NotAction"), true),
    };
    let (resource_node, not_resource) = match v.get("Resource") {
        Some(n) => (Some(n), false),
        None => (v.get("NotResource"), true),
    };
    let (principal_node, not_principal) = match v.get("Principal") {
        Some(n) => (Some(n), false),
        None => (v.get("NotPrincipal"), true),
    };
    let action_strings = || strings(action_node);
    index.add(i, not_action, action_strings());
    Statement {
        sid: v.get("Sid").and_then(|s| s.value.as_str()).map(SmolStr::new),
        effect: if v.get("Effect").and_then(|e| e.value.as_str()) == Some("Deny") {
            Effect::Deny
        } else {
            Effect::Allow
        },
        actions: action_strings()
            .map(|a| Pattern::compile(a, action_syntax))
            .collect(),
        not_action,
        resources: resource_node.map(|n| {
            strings(Some(n))
                .map(|r| pattern::compile_arn(r, resource_syntax))
                .collect()
        }),
        not_resource,
        principal: principal_node.map(PrincipalSpec::compile),
        not_principal,
        conditions: v
            .get("Condition")
            .map(|c| Condition::compile_all(c, variables))
            .unwrap_or_default(),
        start,
        end,
    }
}
