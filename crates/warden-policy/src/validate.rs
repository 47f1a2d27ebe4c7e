//! Validation of a policy document the way IAM does it on CreatePolicy,
//! PutUserPolicy, CreateRole and friends.
//!
//! IAM checks in phases and reports the first phase that fails, with one fixed
//! message per phase; the phases and their order below reproduce the messages
//! AWS gives (as recorded in moto's test suite, `tests/data/policy-validation`):
//! syntax, version, "legacy parsing" (effects, dates, resource ARNs), Sid
//! uniqueness, actions present, resources present, resource format, action
//! vendor prefixes; then the rules that depend on the policy's kind (Principal).

use crate::PolicyKind;
use crate::date::legacy_date_ok;
use crate::error::PolicyError;
use crate::json::{self, Json, Node};

pub(crate) const SYNTAX: &str = "Syntax errors in policy.";
const INVALID_JSON: &str = "This policy contains invalid Json";
const VERSION: &str = "Policy document must be version 2012-10-17 or greater.";
const LEGACY: &str = "The policy failed legacy parsing";
const SID_UNIQUE: &str = "Statement IDs (SID) in a single policy must be unique.";
const NEED_ACTIONS: &str = "Policy statement must contain actions.";
const NEED_RESOURCES: &str = "Policy statement must contain resources.";
const NO_PRINCIPAL_ALLOWED: &str = "Policy document should not specify a principal.";
const NEED_PRINCIPAL: &str = "Missing required field Principal";

const TOP_ELEMENTS: [&str; 4] = ["Version", "Id", "Statement", "Conditions"];
const STATEMENT_ELEMENTS: [&str; 9] = [
    "Sid",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Condition",
];
pub(crate) const VERSION_2012: &str = "2012-10-17";
pub(crate) const VERSION_2008: &str = "2008-10-17";
const IAM_PATHS: [&str; 13] = [
    "user/",
    "federated-user/",
    "role/",
    "group/",
    "instance-profile/",
    "mfa/",
    "server-certificate/",
    "policy/",
    "sms-mfa/",
    "saml-provider/",
    "oidc-provider/",
    "report/",
    "access-report/",
];

/// The statements of a syntactically valid document, in order.
pub(crate) fn statements<'r, 'a>(doc: &'r Node<'a>) -> &'r [Node<'a>] {
    match doc.value.get("Statement") {
        Some(Node {
            value: Json::Array(items),
            ..
        }) => items,
        Some(
            one @ Node {
                value: Json::Object(_),
                ..
            },
        ) => std::slice::from_ref(one),
        _ => &[],
    }
}

/// The strings of an element that is a string or a list (other items skipped).
pub(crate) fn strings<'a>(node: Option<&Node<'a>>) -> impl Iterator<Item = &'a str> + Clone + use<'a> {
    let (one, list): (Option<&'a str>, &'a [Node<'a>]) = match node.map(|n| n.value) {
        Some(Json::String(s)) => (Some(s), &[]),
        Some(Json::Array(items)) => (None, items),
        _ => (None, &[]),
    };
    one.into_iter()
        .chain(list.iter().filter_map(|n| n.value.as_str()))
}

/// Parses and validates `text` (its tree in `arena`); returns the JSON tree for the compiler.
pub(crate) fn validate<'a>(
    text: &'a str,
    kind: PolicyKind,
    arena: &'a bumpalo::Bump,
) -> Result<json::Document<'a>, PolicyError> {
    let document = json::parse_document(text, arena).map_err(|e| {
        let (line, col) = json::line_col(text, e.offset);
        // AWS answers CreateRole's invalid JSON with its own wording (recorded in
        // tests/data/aws-recorded: test_create_role_with_malformed_assume_role_policy_document).
        let msg = if kind == PolicyKind::Trust {
            INVALID_JSON
        } else {
            SYNTAX
        };
        PolicyError::malformed(msg, format!("line {line}, column {col}"))
    })?;
    let doc = &document.root;
    syntax(doc).map_err(|at| PolicyError::malformed(SYNTAX, at))?;
    let version = doc.value.get("Version").and_then(|v| v.value.as_str());
    if kind.requires_2012() && version != Some(VERSION_2012) {
        return Err(PolicyError::malformed(VERSION, "Version"));
    }
    let stmts: &[Node] = statements(doc);
    let resource_error = legacy(stmts).map_err(|at| PolicyError::malformed(LEGACY, at))?;
    sid_uniqueness(stmts)?;
    for (i, s) in stmts.iter().enumerate() {
        if !has_non_empty(s, "Action", "NotAction") {
            return Err(PolicyError::malformed(NEED_ACTIONS, format!("Statement[{i}]")));
        }
    }
    if let Some((msg, at)) = resource_error {
        return Err(PolicyError::malformed(msg, at));
    }
    for key in ["Action", "NotAction"] {
        for (i, s) in stmts.iter().enumerate() {
            for action in strings_of(s, key) {
                action_prefix(action)
                    .map_err(|m| PolicyError::malformed(m, format!("Statement[{i}].{key}")))?;
            }
        }
    }
    // Checked after the action vendors: `{"Effect": "Allow", "Action": "invalid"}`
    // gets the vendor message, not this one. Trust policies have no resources.
    if kind != PolicyKind::Trust {
        for (i, s) in stmts.iter().enumerate() {
            if !has_non_empty(s, "Resource", "NotResource") {
                return Err(PolicyError::malformed(NEED_RESOURCES, format!("Statement[{i}]")));
            }
        }
    }
    principal_rules(stmts, kind)?;
    Ok(document)
}

fn strings_of<'a>(statement: &Node<'a>, key: &str) -> impl Iterator<Item = &'a str> + use<'a> {
    strings(statement.value.get(key))
}

fn has_non_empty(statement: &Node, key: &str, not_key: &str) -> bool {
    let v = &statement.value;
    if v.get(key).is_none() && v.get(not_key).is_none() {
        return false;
    }
    match (v.get(key).map(|n| &n.value), v.get(not_key).map(|n| &n.value)) {
        (Some(Json::Array(items)), _) => !items.is_empty(),
        (None, Some(Json::Array(items))) => !items.is_empty(),
        _ => true,
    }
}

fn syntax(doc: &Node) -> Result<(), String> {
    let Json::Object(members) = &doc.value else {
        return Err(String::new());
    };
    if let Some((k, _)) = members.iter().find(|(k, _)| !TOP_ELEMENTS.contains(k)) {
        return Err(k.to_string());
    }
    if let Some(v) = doc.value.get("Version")
        && !matches!(v.value.as_str(), Some(VERSION_2012 | VERSION_2008))
    {
        return Err("Version".into());
    }
    if let Some(v) = doc.value.get("Id")
        && v.value.as_str().is_none()
    {
        return Err("Id".into());
    }
    match doc.value.get("Statement").map(|n| &n.value) {
        Some(Json::Object(_)) => {}
        Some(Json::Array(items)) if !items.is_empty() => {}
        _ => return Err("Statement".into()),
    }
    for (i, s) in statements(doc).iter().enumerate() {
        statement_syntax(s).map_err(|e| format!("Statement[{i}]{e}"))?;
    }
    Ok(())
}

fn statement_syntax(s: &Node) -> Result<(), String> {
    let Json::Object(members) = &s.value else {
        return Err(String::new());
    };
    if let Some((k, _)) = members.iter().find(|(k, _)| !STATEMENT_ELEMENTS.contains(k)) {
        return Err(format!(".{k}"));
    }
    let has = |k: &str| s.value.get(k).is_some();
    if has("Resource") && has("NotResource") {
        return Err(".NotResource".into());
    }
    if has("Action") && has("NotAction") {
        return Err(".NotAction".into());
    }
    match s.value.get("Effect").and_then(|e| e.value.as_str()) {
        Some(e) if e.eq_ignore_ascii_case("allow") || e.eq_ignore_ascii_case("deny") => {}
        _ => return Err(".Effect".into()),
    }
    for key in ["Action", "NotAction", "Resource", "NotResource"] {
        match s.value.get(key).map(|n| &n.value) {
            None | Some(Json::String(_)) => {}
            // moto 5 accepts (and ignores) nulls inside the list.
            Some(Json::Array(items))
                if items
                    .iter()
                    .all(|n| matches!(n.value, Json::String(_) | Json::Null)) => {}
            Some(_) => return Err(format!(".{key}")),
        }
    }
    if let Some(cond) = s.value.get("Condition") {
        condition_syntax(cond).map_err(|e| format!(".Condition{e}"))?;
    }
    if let Some(sid) = s.value.get("Sid")
        && sid.value.as_str().is_none()
    {
        return Err(".Sid".into());
    }
    for key in ["Principal", "NotPrincipal"] {
        if let Some(p) = s.value.get(key) {
            principal_syntax(p).map_err(|e| format!(".{key}{e}"))?;
        }
    }
    Ok(())
}

fn is_scalar(v: &Json) -> bool {
    matches!(v, Json::String(_) | Json::Bool(_) | Json::Number(_))
}

fn condition_syntax(cond: &Node) -> Result<(), String> {
    let Json::Object(ops) = &cond.value else {
        return Err(String::new());
    };
    for (op, body) in ops.iter() {
        let Json::Object(entries) = &body.value else {
            return Err(format!(".{op}"));
        };
        for (key, value) in entries.iter() {
            let ok = match &value.value {
                Json::Array(items) => items.iter().all(|n| is_scalar(&n.value)),
                v => is_scalar(v),
            };
            if !ok {
                return Err(format!(".{op}.{key}"));
            }
        }
        // An unknown operator is tolerated only with an empty body, as IAM does.
        if crate::condition::Operator::parse(op).is_none() && !entries.is_empty() {
            return Err(format!(".{op}"));
        }
    }
    Ok(())
}

fn principal_syntax(p: &Node) -> Result<(), String> {
    match &p.value {
        Json::String(s) if *s == "*" => Ok(()),
        Json::Object(members) if !members.is_empty() => {
            for (k, v) in members.iter() {
                if !matches!(*k, "AWS" | "Service" | "Federated" | "CanonicalUser") {
                    return Err(format!(".{k}"));
                }
                let ok = match &v.value {
                    Json::String(_) => true,
                    Json::Array(items) => {
                        !items.is_empty() && items.iter().all(|n| n.value.as_str().is_some())
                    }
                    _ => false,
                };
                if !ok {
                    return Err(format!(".{k}"));
                }
            }
            Ok(())
        }
        _ => Err(String::new()),
    }
}

/// The "legacy parsing" phase. Returns the resource-format error to report
/// later (IAM reports it only after the Sid/actions/resources checks; when
/// several resources are malformed, the last one examined wins).
fn legacy(stmts: &[Node]) -> Result<Option<(String, String)>, String> {
    for (i, s) in stmts.iter().enumerate() {
        if !matches!(
            s.value.get("Effect").and_then(|e| e.value.as_str()),
            Some("Allow" | "Deny")
        ) {
            return Err(format!("Statement[{i}].Effect"));
        }
        if let Some(Json::Object(ops)) = s.value.get("Condition").map(|c| &c.value) {
            for (op, body) in ops.iter() {
                if !strip_qualifiers(op).starts_with("Date") {
                    continue;
                }
                let Json::Object(entries) = &body.value else {
                    continue;
                };
                for (key, value) in entries.iter() {
                    let at = || format!("Statement[{i}].Condition.{op}.{key}");
                    let items = match &value.value {
                        Json::Array(items) => items,
                        _ => std::slice::from_ref(value),
                    };
                    for item in items.iter().map(|n| &n.value) {
                        let ok = match item {
                            Json::String(t) | Json::Number(t) => legacy_date_ok(t),
                            _ => false,
                        };
                        if !ok {
                            return Err(at());
                        }
                    }
                }
            }
        }
    }
    let mut error: Option<(String, String)> = None;
    for key in ["Resource", "NotResource"] {
        for (i, s) in stmts.iter().enumerate() {
            let Some(node) = s.value.get(key) else { continue };
            let at = || format!("Statement[{i}].{key}");
            match &node.value {
                Json::String(r) => {
                    if let Some(msg) = resource_format(r) {
                        error = Some((msg, at()));
                    }
                }
                Json::Array(items) => {
                    // IAM examines the list sorted in descending order and keeps the last
                    // error: the error of the smallest malformed resource.
                    let mut smallest: Option<(&str, String)> = None;
                    for r in items.iter().filter_map(|n| n.value.as_str()) {
                        if smallest.as_ref().is_some_and(|(s, _)| *s <= r) {
                            continue;
                        }
                        if let Some(msg) = resource_format(r) {
                            smallest = Some((r, msg));
                        }
                    }
                    if let Some((_, msg)) = smallest {
                        error = Some((msg, at()));
                    }
                }
                _ => {}
            }
            if error.is_none() {
                // moto checks the third ARN field of a lone string, but only the
                // third character of list items; both are reproduced.
                let lone = matches!(node.value, Json::String(_));
                for r in strings_of(s, key) {
                    let colons = r.matches(':').count();
                    let third_empty = if lone {
                        r.split(':').nth(2).is_none_or(str::is_empty)
                    } else {
                        r.len() < 3
                    };
                    if r != "*" && ((colons < 5 && r.contains("::")) || third_empty) {
                        return Err(at());
                    }
                }
            }
        }
    }
    Ok(error)
}

pub(crate) fn strip_qualifiers(op: &str) -> &str {
    let op = op
        .strip_prefix("ForAnyValue:")
        .or_else(|| op.strip_prefix("ForAllValues:"))
        .unwrap_or(op);
    op.strip_suffix("IfExists").unwrap_or(op)
}

/// The resource-format check: `Some(message)` when `r` is not `*` or an ARN IAM accepts.
fn resource_format(r: &str) -> Option<String> {
    if r == "*" {
        return None;
    }
    let Some((_, rest)) = r.split_once(':') else {
        return Some(format!("Resource {r} must be in ARN format or \"*\"."));
    };
    let (partition, after, has_colon) = match rest.split_once(':') {
        Some((p, a)) => (p, a, true),
        None => (rest, "", false),
    };
    if partition != "aws" && partition != "*" {
        let parts: Vec<&str> = after.split(':').collect();
        let get = |i: usize| parts.get(i).copied().unwrap_or("*");
        let arn1 = if parts.len() == 1 && get(0).is_empty() {
            "*"
        } else {
            get(0)
        };
        let arn4 = if parts.len() > 3 {
            parts.get(3..).map(|p| p.join(":")).unwrap_or_default()
        } else {
            "*".into()
        };
        return Some(format!(
            "Partition \"{partition}\" is not valid for resource \"arn:{partition}:{arn1}:{}:{}:{arn4}\".",
            get(1),
            get(2)
        ));
    }
    if !has_colon {
        return Some("Resource vendor must be fully qualified and cannot contain regexes.".into());
    }
    let (service, rest) = after.split_once(':').unwrap_or((after, ""));
    // S3 access points, jobs and the like carry a region and an account; only
    // bucket and object ARNs (no account) must not name a region.
    let s3_with_account = service == "s3" && rest.split(':').nth(1).is_some_and(|a| !a.is_empty());
    if !rest.starts_with(':') && !s3_with_account {
        match service {
            "iam" => return Some(format!("IAM resource {r} cannot contain region information.")),
            "s3" => return Some(format!("Resource {r} can not contain region information.")),
            _ => {}
        }
    }
    if service == "iam" {
        let path = rest.split_once(':').map(|(_, a)| a).unwrap_or("");
        let path = path.split_once(':').map(|(_, p)| p).unwrap_or("");
        if !IAM_PATHS.iter().any(|p| path.starts_with(p)) && !is_newer_iam_resource(path) {
            return Some(format!(
                "IAM resource path must either be \"*\" or start with {}.",
                IAM_PATHS.join(", ")
            ));
        }
    }
    None
}

/// IAM resource types that AWS's own managed policies use but the recorded error
/// message does not list (it predates them): a leading wildcard (`arn:aws:iam::*:*`), the
/// account root (`arn:aws:iam::*:root`, centralized root access), role templates and
/// delegation requests (`delegation-request/`, an IAM resource type in the Service
/// Authorization Reference, used by the temporary delegation actions).
fn is_newer_iam_resource(path: &str) -> bool {
    path.starts_with('*')
        || path == "root"
        || path.starts_with("role-template/")
        || path.starts_with("delegation-request/")
}

fn sid_uniqueness(stmts: &[Node]) -> Result<(), PolicyError> {
    let mut seen: Vec<&str> = Vec::new();
    for (i, s) in stmts.iter().enumerate() {
        if let Some(sid) = s.value.get("Sid").and_then(|n| n.value.as_str()) {
            if sid.is_empty() {
                continue;
            }
            if seen.contains(&sid) {
                return Err(PolicyError::malformed(SID_UNIQUE, format!("Statement[{i}].Sid")));
            }
            seen.push(sid);
        }
    }
    Ok(())
}

fn action_prefix(action: &str) -> Result<(), String> {
    let colons = action.bytes().filter(|&b| b == b':').count();
    // INVARIANT: `:` is ASCII, so the text before the first one is a char boundary.
    let vendor = action
        .bytes()
        .position(|b| b == b':')
        .and_then(|i| action.get(..i))
        .unwrap_or(action);
    if colons == 0 && vendor != "*" {
        return Err("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.".into());
    }
    if colons > 1 {
        return Err("Actions/Condition can contain only one colon.".into());
    }
    if vendor != "*"
        && !vendor
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    {
        return Err(format!("Vendor {vendor} is not valid"));
    }
    Ok(())
}

fn principal_rules(stmts: &[Node], kind: PolicyKind) -> Result<(), PolicyError> {
    for (i, s) in stmts.iter().enumerate() {
        let p = s.value.get("Principal").or_else(|| s.value.get("NotPrincipal"));
        match (kind.takes_principal(), p) {
            (false, Some(_)) => {
                return Err(PolicyError::malformed(
                    NO_PRINCIPAL_ALLOWED,
                    format!("Statement[{i}].Principal"),
                ));
            }
            (true, None) => {
                return Err(PolicyError::malformed(NEED_PRINCIPAL, format!("Statement[{i}]")));
            }
            (true, Some(p)) => {
                if let Json::Object(members) = &p.value {
                    for (k, v) in members.iter() {
                        for value in strings(Some(v)) {
                            if !crate::principal::valid_principal_value(k, value) {
                                return Err(PolicyError::malformed(
                                    format!("Invalid principal in policy: \"{k}\":\"{value}\""),
                                    format!("Statement[{i}].Principal.{k}"),
                                ));
                            }
                        }
                    }
                }
            }
            (false, None) => {}
        }
    }
    Ok(())
}
