//! GetHumanReadableSummary of a delegation request (the only entity type AWS supports),
//! and the permission check of GetDelegationRequest.
//!
//! AWS writes the summary with a large language model. Warden writes it deterministically
//! from the request and its rendered permission policy: who asks, for how long, and per
//! statement the effect, actions, resources and conditions, in English. Other locales are
//! answered with `SummaryState` `NOT_SUPPORTED` and no content.

use std::fmt::Write as _;

use serde_json::{Value, json};
use warden_policy::Decision;

use super::OpCtx;
use super::delegation::{find, request_id_of, state_name};
use crate::authz::{RequestFacts, Subject, authorize_subject, base_context};
use crate::caller::Caller;
use crate::error::IamError;
use crate::input::Input;
use crate::model::DelegationRequest;
use crate::state::Snapshot;

/// The longest summary AWS returns (`summaryContentType`).
const MAX_SUMMARY: usize = 10_000;

pub fn get(snapshot: &Snapshot, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let arn = input.str("EntityArn")?;
    let id = request_id_of(arn)?;
    let r = find(snapshot, id, ctx.caller)?;
    let locale = input.opt_str("Locale").unwrap_or("en");
    let english = locale
        .split(['-', '_'])
        .next()
        .is_some_and(|l| l.eq_ignore_ascii_case("en"));
    if !english {
        return Ok(json!({ "SummaryContent": "", "Locale": locale, "SummaryState": "NOT_SUPPORTED" }));
    }
    let mut text = summarize(r, ctx.now);
    if text.len() > MAX_SUMMARY {
        let mut cut = MAX_SUMMARY;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    Ok(json!({ "SummaryContent": text, "Locale": locale, "SummaryState": "AVAILABLE" }))
}

/// A duration in seconds as people say it ("2 hours 30 minutes").
fn duration(seconds: i64) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    let mut parts = Vec::new();
    for (n, unit) in [(h, "hour"), (m, "minute"), (s, "second")] {
        if n > 0 {
            parts.push(format!("{n} {unit}{}", if n == 1 { "" } else { "s" }));
        }
    }
    if parts.is_empty() {
        "0 seconds".into()
    } else {
        parts.join(" ")
    }
}

/// A string-or-list policy element as a list of strings.
fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_owned))
            .collect(),
        Some(other) => vec![other.to_string()],
        None => Vec::new(),
    }
}

fn statements(policy: &Value) -> Vec<Value> {
    match policy.get("Statement") {
        Some(Value::Array(a)) => a.clone(),
        Some(s) => vec![s.clone()],
        None => Vec::new(),
    }
}

fn conditions(statement: &Value) -> Vec<String> {
    let Some(Value::Object(ops)) = statement.get("Condition") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (op, keys) in ops {
        let Value::Object(keys) = keys else { continue };
        for (key, values) in keys {
            out.push(format!("{key} {op} {}", strings(Some(values)).join(" or ")));
        }
    }
    out
}

/// The summary text of a request.
fn summarize(r: &DelegationRequest, now: time::OffsetDateTime) -> String {
    let mut t = String::new();
    let _ = write!(
        t,
        "{} (AWS account {}) requests temporary access to your AWS account for {}.",
        r.requestor_name,
        r.requestor_account,
        duration(r.session_duration)
    );
    let _ = write!(t, " Purpose: {}", r.description.trim());
    if !r.description.trim_end().ends_with('.') {
        t.push('.');
    }
    if let Some(m) = r.request_message.as_deref().filter(|m| !m.trim().is_empty()) {
        let _ = write!(t, " Message from the requestor: {}", m.trim());
    }
    let _ = write!(t, "\n\nThe request is {}.", state_name(r, now));
    let policy: Value = serde_json::from_str(&r.permission_policy).unwrap_or(Value::Null);
    let statements = statements(&policy);
    let _ = write!(
        t,
        "\n\nIf you approve it, the requestor may, for {}:",
        duration(r.session_duration)
    );
    for (i, s) in statements.iter().enumerate() {
        let allow = s.get("Effect").and_then(Value::as_str) == Some("Allow");
        let (verb, actions) = match (s.get("Action"), s.get("NotAction")) {
            (Some(a), _) => (if allow { "perform" } else { "not perform" }, strings(Some(a))),
            (None, na) => (
                if allow {
                    "perform every action except"
                } else {
                    "perform only"
                },
                strings(na),
            ),
        };
        let resources = match (s.get("Resource"), s.get("NotResource")) {
            (Some(res), _) => format!("on {}", strings(Some(res)).join(", ")),
            (None, Some(nr)) => format!("on every resource except {}", strings(Some(nr)).join(", ")),
            (None, None) => "on any resource".into(),
        };
        let _ = write!(t, "\n{}. {verb} {} {resources}", i + 1, actions.join(", "));
        let conds = conditions(s);
        if !conds.is_empty() {
            let _ = write!(t, ", when {}", conds.join(" and "));
        }
        t.push('.');
    }
    if !r.boundary_arns.is_empty() {
        let _ = write!(
            t,
            "\n\nRoles it creates must have the permissions boundary {}.",
            r.boundary_arns.join(" or ")
        );
    }
    t
}

/// Whether the caller's own permissions cover what the request asks for (approximate, as
/// AWS's is): `ALLOWED` if every action on every resource of the request's Allow
/// statements is allowed to the caller, `DENIED` if one is not, `UNSURE` when the request
/// is phrased with NotAction or NotResource, which name no particular action or resource.
pub(crate) fn permission_check(
    snapshot: &Snapshot,
    r: &DelegationRequest,
    caller: &Caller,
    now: time::OffsetDateTime,
) -> &'static str {
    let Some(own) = snapshot.account(caller.account().as_str()) else {
        return "UNSURE";
    };
    let policy: Value = serde_json::from_str(&r.permission_policy).unwrap_or(Value::Null);
    let subject = Subject {
        caller,
        session: None,
    };
    let facts = RequestFacts {
        now,
        source_ip: None,
        secure_transport: true,
        region: "us-east-1",
    };
    let context = base_context(own, caller, &facts);
    let mut unsure = false;
    for s in statements(&policy) {
        if s.get("Effect").and_then(Value::as_str) != Some("Allow") {
            continue;
        }
        if s.get("Action").is_none() || s.get("Resource").is_none() {
            unsure = true;
            continue;
        }
        for action in strings(s.get("Action")) {
            for resource in strings(s.get("Resource")) {
                let v = authorize_subject(own, &subject, &action, &resource, &context, None, None);
                if v.decision != Decision::Allowed {
                    return "DENIED";
                }
            }
        }
    }
    if unsure { "UNSURE" } else { "ALLOWED" }
}
