//! ListPoliciesGrantingServiceAccess: which of an identity's policies allow some action
//! of a service, for access advisor's "why can this principal use the service".

use serde_json::{Map, Value, json};

use super::{OpCtx, ops, page_list};
use crate::error::IamError;
use crate::input::Input;
use crate::managed;
use crate::model::Permissions;
use crate::rules;
use crate::state::AccountState;

use super::Target::*;

ops! { OPS {
    "ListPoliciesGrantingServiceAccess" => ArnMember("Arn"), Read(list);
}}

/// Whether an Allow statement of `document` can grant some action of `namespace`: an
/// `Action` whose service part matches the namespace (`s3:*`, `s3:Get*`, `*`), or a
/// `NotAction` that does not exclude the whole service.
pub fn grants_service(document: &str, namespace: &str) -> bool {
    let Ok(doc) = serde_json::from_str::<Value>(document) else {
        return false;
    };
    let statements = match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect::<Vec<_>>(),
        Some(v @ Value::Object(_)) => vec![v],
        _ => return false,
    };
    let list = |v: Option<&Value>| -> Vec<String> {
        match v {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
            _ => Vec::new(),
        }
    };
    let service_matches = |action: &str| {
        let service = action.split_once(':').map_or(action, |(s, _)| s);
        warden_policy::wildcard_match(service, namespace, true)
    };
    statements
        .into_iter()
        .filter(|s| s.get("Effect").and_then(Value::as_str) == Some("Allow"))
        .any(|s| {
            let actions = list(s.get("Action"));
            let not_actions = list(s.get("NotAction"));
            actions.iter().any(|a| service_matches(a))
                || (!not_actions.is_empty()
                    && !not_actions
                        .iter()
                        .any(|a| a == "*" || a.eq_ignore_ascii_case(&format!("{namespace}:*"))))
        })
}

/// One identity's permissions with its type and name, as the output names them.
struct Owner<'a> {
    entity_type: &'static str,
    name: &'a str,
    permissions: &'a Permissions,
}

fn owners<'a>(state: &'a AccountState, arn: &str) -> Result<Vec<Owner<'a>>, IamError> {
    let prefix = format!("arn:aws:iam::{}:", state.id);
    let resource = arn.strip_prefix(&prefix).ok_or_else(|| {
        IamError::InvalidInput(format!("ARN {arn} is not a user, group or role of this account."))
    })?;
    let name = resource.rsplit('/').next().unwrap_or_default();
    if resource.starts_with("user/") {
        let user = rules::user(state, name)?;
        let mut out = vec![Owner {
            entity_type: "USER",
            name: &user.name,
            permissions: &user.permissions,
        }];
        for g in user.groups.iter().filter_map(|k| state.groups.get(k)) {
            out.push(Owner {
                entity_type: "GROUP",
                name: &g.name,
                permissions: &g.permissions,
            });
        }
        Ok(out)
    } else if resource.starts_with("group/") {
        let g = rules::group(state, name)?;
        Ok(vec![Owner {
            entity_type: "GROUP",
            name: &g.name,
            permissions: &g.permissions,
        }])
    } else if resource.starts_with("role/") {
        let r = rules::role(state, name)?;
        Ok(vec![Owner {
            entity_type: "ROLE",
            name: &r.name,
            permissions: &r.permissions,
        }])
    } else {
        Err(IamError::InvalidInput(format!(
            "ARN {arn} is not a user, group or role."
        )))
    }
}

fn policies_for(state: &AccountState, owners: &[Owner], namespace: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for owner in owners {
        for p in owner.permissions.inline.values() {
            if grants_service(&p.document.text, namespace) {
                out.push(json!({"PolicyName": p.name, "PolicyType": "INLINE",
                    "EntityType": owner.entity_type, "EntityName": owner.name}));
            }
        }
        for arn in &owner.permissions.attached {
            let (name, text) = match rules::customer_policy(state, arn) {
                Some(p) => (
                    p.name.clone(),
                    p.default_document().map(|d| d.text.clone()).unwrap_or_default(),
                ),
                None => match managed::get(arn) {
                    Some(p) => (p.name.to_owned(), p.document.to_owned()),
                    None => continue,
                },
            };
            let seen = out
                .iter()
                .any(|v| v.get("PolicyArn").and_then(Value::as_str) == Some(arn.as_str()));
            if !seen && grants_service(&text, namespace) {
                out.push(json!({"PolicyName": name, "PolicyType": "MANAGED", "PolicyArn": arn}));
            }
        }
    }
    out
}

pub fn list(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let owners = owners(state, input.str("Arn")?)?;
    let entries: Vec<Value> = input
        .strings("ServiceNamespaces")
        .into_iter()
        .map(|ns| json!({"ServiceNamespace": ns, "Policies": policies_for(state, &owners, ns)}))
        .collect();
    let mut out = Map::new();
    let entries = page_list(entries, input, &mut out)?;
    out.insert("PoliciesGrantingServiceAccess".into(), Value::Array(entries));
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::grants_service;

    #[test]
    fn service_grants_follow_action_patterns() {
        let doc = |stmt: &str| format!(r#"{{"Version":"2012-10-17","Statement":[{stmt}]}}"#);
        assert!(grants_service(
            &doc(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#),
            "s3"
        ));
        assert!(grants_service(
            &doc(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#),
            "iam"
        ));
        assert!(grants_service(
            &doc(r#"{"Effect":"Allow","Action":["ec2:*","S3:List*"],"Resource":"*"}"#),
            "s3"
        ));
        assert!(!grants_service(
            &doc(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#),
            "iam"
        ));
        assert!(!grants_service(
            &doc(r#"{"Effect":"Deny","Action":"s3:*","Resource":"*"}"#),
            "s3"
        ));
        assert!(grants_service(
            &doc(r#"{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#),
            "s3"
        ));
        assert!(!grants_service(
            &doc(r#"{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#),
            "iam"
        ));
    }
}
