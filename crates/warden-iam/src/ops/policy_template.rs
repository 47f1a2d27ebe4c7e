//! Policy templates of delegation requests: the parameters a partner passes, and the
//! template rendered with them into the permission policy the customer approves (IAM User
//! Guide, "Policy templates": `@{name}` placeholders, a rendered policy of at most 2,048
//! characters).
//!
//! AWS keeps the templates partners register during onboarding; Warden has no such
//! registry, so a template is a managed policy: a customer managed policy of the
//! requestor's account (whose document may hold placeholders wherever IAM's validator
//! accepts text) or an AWS managed policy. Conditional statements of AWS's template syntax
//! are not supported.

use serde_json::{Map, Value};

use crate::error::IamError;
use crate::input::Input;
use crate::model::DelegationParameter;
use crate::rules;
use crate::state::AccountState;

pub(crate) fn parameters(input: &Input) -> Result<Vec<DelegationParameter>, IamError> {
    let raw = input
        .object("Permissions")
        .and_then(|p| p.get("Parameters"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out: Vec<DelegationParameter> = Vec::new();
    for p in raw {
        let name = p
            .get("Name")
            .and_then(Value::as_str)
            .ok_or_else(|| IamError::InvalidInput("Every policy parameter must have a Name.".into()))?;
        let values: Vec<String> = p
            .get("Values")
            .and_then(Value::as_array)
            .map(|v| v.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default();
        let kind = p
            .get("Type")
            .and_then(Value::as_str)
            .unwrap_or("string")
            .to_owned();
        if values.is_empty() {
            return Err(IamError::InvalidInput(format!(
                "The policy parameter {name} must have at least one value."
            )));
        }
        if kind == "string" && values.len() != 1 {
            return Err(IamError::InvalidInput(format!(
                "The policy parameter {name} is of type string and must have exactly one value."
            )));
        }
        if out.iter().any(|o| o.name == name) {
            return Err(IamError::InvalidInput(format!(
                "Duplicate policy parameter {name}."
            )));
        }
        out.push(DelegationParameter {
            name: name.to_owned(),
            values,
            kind,
        });
    }
    Ok(out)
}

/// The template's document: a customer managed policy of the requestor's account, or an
/// AWS managed policy (Warden's stand-in for the templates partners register with AWS).
pub(crate) fn template(state: &AccountState, arn: &str) -> Result<String, IamError> {
    if let Some(doc) = rules::customer_policy(state, arn).and_then(|p| p.default_document()) {
        return Ok(doc.text.clone());
    }
    if let Some(p) = crate::managed::get(arn) {
        return Ok(p.document.to_owned());
    }
    Err(IamError::InvalidInput(format!(
        "The policy template {arn} does not exist."
    )))
}

/// The template `text` with every `@{name}` placeholder replaced by its parameter's
/// value. A string that holds a `stringList` parameter becomes one string per value (a
/// placeholder used twice in one string takes the same value in both places): a list
/// element is replaced by all of them, a lone string by their list. Values are inserted as
/// they are, never scanned for placeholders themselves.
pub(crate) fn render(text: &str, params: &[DelegationParameter]) -> Result<String, IamError> {
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| IamError::InvalidInput(format!("The policy template is not valid JSON: {e}")))?;
    // A rendered policy has at most POLICY_SIZE characters, so at most half as many strings:
    // stop expanding long before an explosion of stringList combinations costs anything.
    let mut budget = POLICY_SIZE / 2;
    Ok(substitute(doc, params, &mut budget)?.to_string())
}

/// The size limit of a rendered policy, in characters.
pub(crate) const POLICY_SIZE: usize = 2_048;

fn too_large() -> IamError {
    IamError::LimitExceeded(format!("Cannot exceed quota for PolicySize: {POLICY_SIZE}"))
}

fn substitute(v: Value, params: &[DelegationParameter], budget: &mut usize) -> Result<Value, IamError> {
    Ok(match v {
        Value::String(s) => {
            let (mut values, listed) = expand(&s, params, budget)?;
            if listed || values.len() != 1 {
                Value::Array(values.into_iter().map(Value::String).collect())
            } else {
                Value::String(values.pop().unwrap_or_default())
            }
        }
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(s) => {
                        out.extend(expand(&s, params, budget)?.0.into_iter().map(Value::String))
                    }
                    other => out.push(substitute(other, params, budget)?),
                }
            }
            Value::Array(out)
        }
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let (mut keys, listed) = expand(&k, params, budget)?;
                let key = match (keys.pop(), listed, keys.is_empty()) {
                    (Some(key), false, true) => key,
                    _ => {
                        return Err(IamError::InvalidInput(format!(
                            "A stringList parameter cannot be used in the policy template key {k}."
                        )));
                    }
                };
                out.insert(key, substitute(v, params, budget)?);
            }
            Value::Object(out)
        }
        other => other,
    })
}

/// `s` with its placeholders replaced: one string per combination of `stringList`
/// values, and whether a `stringList` parameter was used. Each string produced spends one
/// unit of `budget`.
fn expand(
    s: &str,
    params: &[DelegationParameter],
    budget: &mut usize,
) -> Result<(Vec<String>, bool), IamError> {
    let mut listed = false;
    let out = expand_from(s, params, &mut Vec::new(), &mut listed, budget)?;
    Ok((out, listed))
}

fn expand_from<'a>(
    s: &str,
    params: &'a [DelegationParameter],
    bound: &mut Vec<(&'a str, &'a str)>,
    listed: &mut bool,
    budget: &mut usize,
) -> Result<Vec<String>, IamError> {
    let placeholder = s
        .find("@{")
        .and_then(|at| Some((at, s.get(at + 2..)?.find('}')?)));
    let Some((at, len)) = placeholder else {
        *budget = budget.checked_sub(1).ok_or_else(too_large)?;
        return Ok(vec![s.to_owned()]);
    };
    let prefix = s.get(..at).unwrap_or_default();
    let name = s.get(at + 2..at + 2 + len).unwrap_or_default();
    let suffix = s.get(at + 3 + len..).unwrap_or_default();
    let param = params.iter().find(|p| p.name == name).ok_or_else(|| {
        IamError::InvalidInput(format!(
            "No value was given for the policy template parameter {name}."
        ))
    })?;
    *listed |= param.kind == "stringList";
    let values: Vec<&'a str> = match bound.iter().find(|(n, _)| *n == param.name) {
        Some((_, v)) => vec![*v],
        None => param.values.iter().map(String::as_str).collect(),
    };
    let mut out = Vec::new();
    for value in values {
        bound.push((param.name.as_str(), value));
        let rest = expand_from(suffix, params, bound, listed, budget);
        bound.pop();
        out.extend(rest?.into_iter().map(|r| format!("{prefix}{value}{r}")));
    }
    Ok(out)
}

/// The permissions boundaries the policy requires of roles it lets the holder create or
/// change: the values of `iam:PermissionsBoundary` conditions.
pub(crate) fn boundaries(policy: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let statements = match policy.get("Statement") {
        Some(Value::Array(a)) => a.clone(),
        Some(s) => vec![s.clone()],
        None => Vec::new(),
    };
    for s in statements {
        let Some(Value::Object(ops)) = s.get("Condition") else {
            continue;
        };
        for (_, keys) in ops {
            let Value::Object(keys) = keys else { continue };
            for (key, values) in keys {
                if !key.eq_ignore_ascii_case("iam:PermissionsBoundary") {
                    continue;
                }
                let values = match values {
                    Value::Array(a) => a.clone(),
                    v => vec![v.clone()],
                };
                for v in values.iter().filter_map(Value::as_str) {
                    if !out.iter().any(|o| o == v) {
                        out.push(v.to_owned());
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn param(name: &str, values: &[&str], kind: &str) -> DelegationParameter {
        DelegationParameter {
            name: name.into(),
            values: values.iter().map(|v| (*v).to_owned()).collect(),
            kind: kind.into(),
        }
    }

    #[test]
    fn templates_render_string_and_list_parameters() {
        let template = r#"{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","@{extra}"],
            "Resource":"arn:aws:s3:::@{bucket}/@{prefix}*"}]}"#;
        let params = [
            param("bucket", &["b\"q"], "string"),
            param("prefix", &["x/", "y/"], "stringList"),
            param("extra", &["s3:PutObject", "s3:ListBucket"], "stringList"),
        ];
        let out: Value = serde_json::from_str(&render(template, &params).unwrap()).unwrap();
        assert_eq!(
            out,
            json!({"Statement":[{"Effect":"Allow",
                "Action":["s3:GetObject","s3:PutObject","s3:ListBucket"],
                "Resource":["arn:aws:s3:::b\"q/x/*","arn:aws:s3:::b\"q/y/*"]}]})
        );
        // The same placeholder twice takes one value; values are not scanned for placeholders.
        let twice = render(
            r#"{"R":"@{p}-@{p}","S":"@{q}"}"#,
            &[
                param("p", &["1", "2"], "stringList"),
                param("q", &["@{q}"], "string"),
            ],
        )
        .unwrap();
        assert_eq!(twice, r#"{"R":["1-1","2-2"],"S":"@{q}"}"#);
        // Combinations beyond what a policy can hold are refused early.
        let many: Vec<String> = (0..100).map(|i| i.to_string()).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let product = render(
            r#"{"R":"@{a}@{b}@{c}"}"#,
            &[
                param("a", &many, "stringList"),
                param("b", &many, "stringList"),
                param("c", &many, "stringList"),
            ],
        );
        assert!(matches!(product, Err(IamError::LimitExceeded(_))));
        let missing = render(template, &params[..1]);
        assert!(matches!(missing, Err(IamError::InvalidInput(m)) if m.contains("extra")));
    }
}
