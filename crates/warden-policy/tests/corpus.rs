//! The policy evaluation corpus: every `tests/corpus/*.json` file holds cases
//! `{name, source, policies, request, expected}`; this runner checks them all
//! and names every failing case. See tests/corpus/README.md for the format.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;
use warden_policy::{Context, ContextValue, Policy, PolicyKind, PolicySet, Principal, Request, evaluate};

fn principal(v: &Value) -> Principal {
    let arn = v["arn"].as_str().unwrap_or("");
    match v["kind"].as_str().unwrap() {
        "root" => Principal::root(v["account"].as_str().unwrap()),
        "user" => Principal::user(arn),
        "role" => Principal::role(arn),
        "assumed-role" => Principal::assumed_role(arn, v["role_arn"].as_str().unwrap()),
        "federated-user" => Principal::federated_user(arn),
        "service" => Principal::service(arn),
        "web-identity" => Principal::web_identity(arn),
        "anonymous" => Principal::anonymous(),
        other => panic!("unknown principal kind {other}"),
    }
}

fn context(v: &Value) -> Context {
    let mut ctx = Context::new();
    for (k, v) in v.as_object().into_iter().flatten() {
        let value: ContextValue = match v {
            Value::String(s) => s.as_str().into(),
            Value::Bool(b) => (*b).into(),
            Value::Number(n) => n.as_f64().unwrap().into(),
            Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
                .into(),
            Value::Object(o) if o.contains_key("date") => {
                let t = o["date"].as_str().unwrap();
                time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                    .unwrap()
                    .into()
            }
            Value::Object(o) if o.contains_key("ip") => o["ip"]
                .as_str()
                .unwrap()
                .parse::<std::net::IpAddr>()
                .unwrap()
                .into(),
            other => panic!("unsupported context value {other}"),
        };
        ctx.insert(k, value);
    }
    ctx
}

struct Loaded {
    kind: &'static str,
    id: String,
    policy: Policy,
}

fn load(policies: &Value) -> Vec<Loaded> {
    let mut out = Vec::new();
    let kinds = [
        ("identity", PolicyKind::Identity),
        ("resource", PolicyKind::Resource),
        ("trust", PolicyKind::Trust),
        ("permissions_boundary", PolicyKind::PermissionsBoundary),
        ("session", PolicyKind::Session),
        ("scps", PolicyKind::ServiceControl),
    ];
    for (name, kind) in kinds {
        let entries: Vec<&Value> = match &policies[name] {
            Value::Null => continue,
            Value::Array(a) => a.iter().collect(),
            v => vec![v],
        };
        for (i, e) in entries.iter().enumerate() {
            let doc = &e["document"];
            let text = match doc {
                Value::String(s) => s.clone(),
                d => serde_json::to_string_pretty(d).unwrap(),
            };
            let policy = Policy::parse(&text, kind)
                .unwrap_or_else(|err| panic!("{name}[{i}]: {err} at {:?}", err.location()));
            let id = e["id"]
                .as_str()
                .map_or_else(|| format!("{name}.{i}"), str::to_owned);
            out.push(Loaded {
                kind: name,
                id,
                policy,
            });
        }
    }
    out
}

fn run_case(case: &Value) -> Result<(), String> {
    let loaded = load(&case["policies"]);
    let by = |k: &'static str| {
        loaded
            .iter()
            .filter(move |l| l.kind == k)
            .map(|l| (l.id.as_str(), &l.policy))
    };
    let set = PolicySet {
        identity: by("identity").collect(),
        resource: by("resource").chain(by("trust")).next(),
        permissions_boundary: by("permissions_boundary").next(),
        session: by("session").collect(),
        scps: case["policies"].get("scps").map(|_| by("scps").collect()),
    };
    let r = &case["request"];
    let p = principal(&r["principal"]);
    let ctx = context(&r["context"]);
    let req = Request {
        principal: &p,
        action: r["action"].as_str().unwrap(),
        resource: r["resource"].as_str().unwrap_or("*"),
        context: &ctx,
        resource_account: r["resource_account"].as_str(),
    };
    let e = evaluate(&req, &set);
    let x = &case["expected"];
    let decision = e.decision.as_simulator_str();
    if decision != x["decision"].as_str().unwrap() {
        return Err(format!(
            "decision {decision} (reason {:?}), expected {}",
            e.reason, x["decision"]
        ));
    }
    if let Some(reason) = x["reason"].as_str() {
        let got = e.reason.map(|r| r.describe(req.action)).unwrap_or_default();
        if !got.contains(reason) {
            return Err(format!("reason {got:?}, expected it to contain {reason:?}"));
        }
    }
    if let Some(matched) = x["matched"].as_array() {
        let got: Vec<String> = e
            .matched
            .iter()
            .map(|m| {
                format!(
                    "{}#{}{}",
                    m.policy_id,
                    m.statement_index,
                    m.sid.as_ref().map(|s| format!(":{s}")).unwrap_or_default()
                )
            })
            .collect();
        let want: Vec<String> = matched.iter().map(|m| m.as_str().unwrap().to_owned()).collect();
        if got != want {
            return Err(format!("matched {got:?}, expected {want:?}"));
        }
    }
    if let Some(missing) = x["missing_context_keys"].as_array() {
        let want: Vec<&str> = missing.iter().map(|m| m.as_str().unwrap()).collect();
        if e.missing_context_keys != want {
            return Err(format!(
                "missing keys {:?}, expected {want:?}",
                e.missing_context_keys
            ));
        }
    }
    Ok(())
}

#[test]
fn corpus() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut count = 0;
    for path in files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        let cases: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for case in cases.as_array().unwrap() {
            count += 1;
            let name = format!(
                "{}: {}",
                path.file_name().unwrap().to_string_lossy(),
                case["name"].as_str().unwrap()
            );
            match std::panic::catch_unwind(|| run_case(case)) {
                Ok(Ok(())) => {}
                Ok(Err(e)) => failures.push(format!("{name}: {e}")),
                Err(_) => failures.push(format!("{name}: panicked")),
            }
        }
    }
    assert!(count > 0);
    assert!(
        failures.is_empty(),
        "{} of {count} corpus cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    println!("{count} corpus cases passed");
}

/// Foorack/iam-rs's request-to-decision cases (tests/data/policy-parse/requests).
#[test]
fn iam_rs_requests() {
    for i in 1..=5 {
        let path = format!(
            "{}/tests/data/policy-parse/requests/{i}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let policy = Policy::parse(&case["policy"].to_string(), PolicyKind::Identity).unwrap();
        let r = &case["request"];
        let p = Principal::user(r["Principal"]["AWS"].as_str().unwrap());
        let ctx = context(&r["Context"]);
        let req = Request {
            principal: &p,
            action: r["Action"].as_str().unwrap(),
            resource: r["Resource"].as_str().unwrap(),
            context: &ctx,
            resource_account: None,
        };
        let set = PolicySet {
            identity: vec![("p", &policy)],
            ..PolicySet::default()
        };
        let expected = match case["result"].as_str().unwrap() {
            "Allow" => "allowed",
            "Deny" => "explicitDeny",
            _ => "implicitDeny",
        };
        assert_eq!(
            evaluate(&req, &set).decision.as_simulator_str(),
            expected,
            "{path}"
        );
    }
}
