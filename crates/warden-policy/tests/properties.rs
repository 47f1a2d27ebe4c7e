//! Property tests: monotonicity of the decision, the wildcard matcher against a
//! reference regex translation, and a parser that never panics.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use warden_policy::{
    Context, Decision, Policy, PolicyKind, PolicySet, Principal, Request, evaluate, wildcard_match,
};

const ACTIONS: [&str; 6] = [
    "s3:GetObject",
    "s3:Get*",
    "s3:*",
    "*",
    "ec2:RunInstances",
    "s3:PutObject",
];
const RESOURCES: [&str; 5] = [
    "*",
    "arn:aws:s3:::b/*",
    "arn:aws:s3:::b/k",
    "arn:aws:s3:::other/*",
    "arn:aws:ec2:*:*:instance/*",
];
const CONDITIONS: [&str; 6] = [
    "",
    r#", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}"#,
    r#", "Condition": {"Bool": {"aws:SecureTransport": "true"}}"#,
    r#", "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "red"}}"#,
    r#", "Condition": {"ForAllValues:StringLike": {"aws:TagKeys": "t*"}}"#,
    r#", "Condition": {"StringLike": {"aws:username": "a*"}}"#,
];
const PRINCIPALS: [&str; 3] = [
    r#""*""#,
    r#"{"AWS": "111122223333"}"#,
    r#"{"AWS": "arn:aws:iam::111122223333:user/alice"}"#,
];

#[derive(Debug, Clone)]
struct Stmt {
    allow: bool,
    action: usize,
    not_action: bool,
    resource: usize,
    condition: usize,
    principal: usize,
}

fn stmt() -> impl Strategy<Value = Stmt> {
    (
        any::<bool>(),
        0..ACTIONS.len(),
        any::<bool>(),
        0..RESOURCES.len(),
        0..CONDITIONS.len(),
        0..PRINCIPALS.len(),
    )
        .prop_map(
            |(allow, action, not_action, resource, condition, principal)| Stmt {
                allow,
                action,
                not_action: not_action && action != 3,
                resource,
                condition,
                principal,
            },
        )
}

fn render(stmts: &[Stmt], with_principal: bool) -> String {
    let body: Vec<String> = stmts
        .iter()
        .map(|s| {
            format!(
                r#"{{"Effect": "{}", "{}": "{}", "Resource": "{}"{}{}}}"#,
                if s.allow { "Allow" } else { "Deny" },
                if s.not_action { "NotAction" } else { "Action" },
                ACTIONS[s.action],
                RESOURCES[s.resource],
                CONDITIONS[s.condition],
                if with_principal {
                    format!(r#", "Principal": {}"#, PRINCIPALS[s.principal])
                } else {
                    String::new()
                },
            )
        })
        .collect();
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
        body.join(",")
    )
}

#[derive(Debug, Clone)]
struct Scenario {
    identity: Vec<Vec<Stmt>>,
    resource: Option<Vec<Stmt>>,
    boundary: Option<Vec<Stmt>>,
    session: Option<Vec<Stmt>>,
    action: &'static str,
    resource_arn: &'static str,
    team: Option<&'static str>,
    secure: Option<bool>,
    tag_keys: Option<Vec<String>>,
    principal: usize,
    cross_account: bool,
}

fn stmts() -> impl Strategy<Value = Vec<Stmt>> {
    prop::collection::vec(stmt(), 1..4)
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        prop::collection::vec(stmts(), 0..3),
        prop::option::of(stmts()),
        prop::option::of(stmts()),
        prop::option::of(stmts()),
        prop::sample::select(vec![
            "s3:GetObject",
            "s3:PutObject",
            "ec2:RunInstances",
            "iam:CreateUser",
        ]),
        prop::sample::select(vec![
            "arn:aws:s3:::b/k",
            "arn:aws:s3:::other/x",
            "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
        ]),
        prop::option::of(prop::sample::select(vec!["blue", "red"])),
        prop::option::of(any::<bool>()),
        prop::option::of(prop::collection::vec(
            prop::sample::select(vec!["team".to_owned(), "cost".to_owned()]),
            0..3,
        )),
        (0..4_usize, any::<bool>()),
    )
        .prop_map(
            |(
                identity,
                resource,
                boundary,
                session,
                action,
                resource_arn,
                team,
                secure,
                tag_keys,
                (principal, cross_account),
            )| Scenario {
                identity,
                resource,
                boundary,
                session,
                action,
                resource_arn,
                team,
                secure,
                tag_keys,
                principal,
                cross_account,
            },
        )
}

fn decide(s: &Scenario) -> Decision {
    let identity: Vec<Policy> = s
        .identity
        .iter()
        .map(|st| Policy::parse(&render(st, false), PolicyKind::Identity).unwrap())
        .collect();
    let resource = s
        .resource
        .as_ref()
        .map(|st| Policy::parse(&render(st, true), PolicyKind::Resource).unwrap());
    let boundary = s
        .boundary
        .as_ref()
        .map(|st| Policy::parse(&render(st, false), PolicyKind::PermissionsBoundary).unwrap());
    let session = s
        .session
        .as_ref()
        .map(|st| Policy::parse(&render(st, false), PolicyKind::Session).unwrap());
    let set = PolicySet {
        identity: identity.iter().map(|p| ("id", p)).collect(),
        resource: resource.as_ref().map(|p| ("res", p)),
        permissions_boundary: boundary.as_ref().map(|p| ("pb", p)),
        session: session.iter().map(|p| ("sess", p)).collect(),
        scps: None,
    };
    let principal = match s.principal {
        0 => Principal::user("arn:aws:iam::111122223333:user/alice"),
        1 => Principal::assumed_role(
            "arn:aws:sts::111122223333:assumed-role/R/s",
            "arn:aws:iam::111122223333:role/R",
        ),
        2 => Principal::root("111122223333"),
        _ => Principal::anonymous(),
    };
    let mut ctx = Context::new().with("aws:username", "alice");
    if let Some(t) = s.team {
        ctx.insert("aws:PrincipalTag/team", t);
    }
    if let Some(b) = s.secure {
        ctx.insert("aws:SecureTransport", b);
    }
    if let Some(k) = &s.tag_keys {
        ctx.insert("aws:TagKeys", k.clone());
    }
    let req = Request {
        principal: &principal,
        action: s.action,
        resource: s.resource_arn,
        context: &ctx,
        resource_account: s.cross_account.then_some("444455556666"),
    };
    evaluate(&req, &set).decision
}

fn with_deny(mut s: Scenario, deny: Stmt, layer: usize) -> Scenario {
    let deny = Stmt { allow: false, ..deny };
    match layer {
        0 => s.identity.push(vec![deny]),
        1 => s.resource.get_or_insert_with(Vec::new).push(deny),
        2 => s.boundary.get_or_insert_with(Vec::new).push(deny),
        _ => s.session.get_or_insert_with(Vec::new).push(deny),
    }
    s
}

fn with_allow(mut s: Scenario, allow: Stmt, to_resource: bool) -> Scenario {
    let allow = Stmt { allow: true, ..allow };
    match (&mut s.resource, to_resource) {
        (Some(r), true) => r.push(allow),
        _ => s.identity.push(vec![allow]),
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Adding a Deny statement anywhere never turns a decision into Allowed.
    #[test]
    fn a_deny_never_grants(s in scenario(), deny in stmt(), layer in 0..4_usize) {
        let before = decide(&s);
        let after = decide(&with_deny(s, deny, layer));
        prop_assert!(after != Decision::Allowed || before == Decision::Allowed, "{before:?} -> {after:?}");
    }

    /// Adding an Allow statement to an identity or resource policy never takes away an allow.
    #[test]
    fn an_allow_never_denies(s in scenario(), allow in stmt(), to_resource in any::<bool>()) {
        let before = decide(&s);
        let after = decide(&with_allow(s, allow, to_resource));
        prop_assert!(before != Decision::Allowed || after == Decision::Allowed, "{before:?} -> {after:?}");
    }

    /// The wildcard matcher agrees with the regex translation of the pattern.
    #[test]
    fn wildcard_agrees_with_regex(pattern in "[ab*?:/é]{0,8}", text in "[abAB:/é]{0,10}", ignore_case in any::<bool>()) {
        let mut re = String::from(if ignore_case { "(?si)^" } else { "(?s)^" });
        for c in pattern.chars() {
            match c {
                '*' => re.push_str(".*"),
                '?' => re.push('.'),
                c => re.push_str(&regex::escape(&c.to_string())),
            }
        }
        re.push('$');
        let expected = regex::Regex::new(&re).unwrap().is_match(&text);
        prop_assert_eq!(wildcard_match(&pattern, &text, ignore_case), expected, "{} vs {}", pattern, text);
    }

    /// Arbitrary text never makes the parser panic.
    #[test]
    fn parse_never_panics_on_text(text in "\\PC{0,200}") {
        for kind in [PolicyKind::Identity, PolicyKind::Resource, PolicyKind::Trust, PolicyKind::ServiceControl] {
            let _ = Policy::parse(&text, kind);
        }
    }

    /// Nor do JSON-shaped documents built from policy fragments.
    #[test]
    fn parse_never_panics_on_policy_shapes(parts in prop::collection::vec(prop::sample::select(vec![
        "{", "}", "[", "]", ",", ":", "\"Version\"", "\"2012-10-17\"", "\"2008-10-17\"", "\"Statement\"", "\"Effect\"",
        "\"Allow\"", "\"Deny\"", "\"Action\"", "\"NotAction\"", "\"s3:*\"", "\"Resource\"", "\"NotResource\"", "\"*\"",
        "\"arn:aws:s3:::b/${aws:username}\"", "\"Condition\"", "\"StringLike\"", "\"DateLessThan\"", "\"ForAllValues:StringEquals\"",
        "\"aws:TagKeys\"", "\"2020-01-01T00:00:00Z\"", "\"Principal\"", "\"AWS\"", "\"Sid\"", "\"a\"", "true", "null", "1", "-0.5e3",
        "\"${\"", "\"${aws:x, '\"", "\"IpAddress\"", "\"10.0.0.0/33\"", "\"BinaryEquals\"", "\"%%%\"", "\"arn:aws:iam::1:root\"",
    ]), 0..60)) {
        let text = parts.concat();
        for kind in [PolicyKind::Identity, PolicyKind::Resource, PolicyKind::Trust] {
            if let Ok(p) = Policy::parse(&text, kind) {
                let _ = p.context_keys();
                let principal = Principal::user("arn:aws:iam::1:user/u");
                let ctx = Context::new().with("aws:username", "u");
                let req = Request { principal: &principal, action: "s3:GetObject", resource: "arn:aws:s3:::b/u", context: &ctx, resource_account: None };
                let set = PolicySet { identity: vec![("p", &p)], ..PolicySet::default() };
                let _ = evaluate(&req, &set);
            }
        }
    }
}
