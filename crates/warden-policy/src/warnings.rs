//! Warnings about a valid policy, from the action catalogue: what IAM accepts but
//! what cannot do what its author meant. They mirror the checks of IAM Access
//! Analyzer's policy validation (IAM User Guide, "IAM policy validation check
//! reference": invalid service, invalid action, invalid service condition key) and the
//! IAM console's "condition key not supported by the actions" notice. IAM itself
//! stores such policies without a word, so these never refuse anything: callers show
//! them beside the result.

use std::fmt;

use crate::catalogue::{self, Action};
use crate::json::{self, Json, Node};
use crate::policy::Policy;
use crate::validate::{statements, strings};

/// What a warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WarningKind {
    /// An action's service prefix is no AWS service (Access Analyzer: invalid service).
    UnknownService,
    /// A known service has no such action, or no action the wildcard matches
    /// (Access Analyzer: invalid action).
    UnknownAction,
    /// A known service defines no such condition key (Access Analyzer: invalid
    /// service condition key).
    UnknownConditionKey,
    /// A service's condition key that none of the statement's actions supports, so
    /// the condition can never be met by a request for them.
    ConditionKeyNotSupported,
}

/// One warning: its kind, where it is (`Statement[0].Action`, as validation errors
/// say where they are) and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyWarning {
    pub kind: WarningKind,
    pub location: String,
    pub message: String,
}

impl fmt::Display for PolicyWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.location)
    }
}

/// The catalogue actions an action pattern names; `None` when it cannot be told
/// (`*`, a wildcard in the service prefix) or is already reported.
fn resolve(pattern: &str, location: &str, out: &mut Vec<PolicyWarning>) -> Option<Vec<Action<'static>>> {
    let (prefix, name) = pattern.split_once(':')?;
    if prefix.contains(['*', '?']) {
        return None;
    }
    let Some(service) = catalogue::catalogue().service(prefix) else {
        out.push(PolicyWarning {
            kind: WarningKind::UnknownService,
            location: location.to_owned(),
            message: format!("The service {prefix} does not exist."),
        });
        return None;
    };
    let found: Vec<Action<'static>> = service.actions_matching(name).collect();
    if found.is_empty() {
        let message = if name.contains(['*', '?']) {
            format!("The action {pattern} does not match any action of the service {prefix}.")
        } else {
            format!("The action {pattern} does not exist.")
        };
        out.push(PolicyWarning {
            kind: WarningKind::UnknownAction,
            location: location.to_owned(),
            message,
        });
        return None;
    }
    Some(found)
}

fn statement_warnings(i: usize, s: &Node, out: &mut Vec<PolicyWarning>) {
    let v = &s.value;
    // The actions the statement grants or denies, when all of them can be told.
    let mut actions: Option<Vec<Action<'static>>> = Some(Vec::new());
    for key in ["Action", "NotAction"] {
        let location = format!("Statement[{i}].{key}");
        for pattern in strings(v.get(key)) {
            let resolved = resolve(pattern, &location, out);
            match (key, resolved, actions.as_mut()) {
                ("Action", Some(found), Some(all)) => all.extend(found),
                _ => actions = None,
            }
        }
    }
    let Some(Json::Object(ops)) = v.get("Condition").map(|c| c.value) else {
        return;
    };
    for (op, body) in ops.iter() {
        let Json::Object(entries) = body.value else {
            continue;
        };
        for (key, _) in entries.iter() {
            let Some((prefix, _)) = key.split_once(':') else {
                continue;
            };
            // Global keys apply to every action; unknown prefixes are identity providers'
            // keys (`saml:sub`, `accounts.google.com:aud`, an OIDC host's `:sub`).
            if prefix.eq_ignore_ascii_case("aws") {
                continue;
            }
            let Some(service) = catalogue::catalogue().service(prefix) else {
                continue;
            };
            let location = format!("Statement[{i}].Condition.{op}.{key}");
            if !service.defines_condition_key(key) {
                out.push(PolicyWarning {
                    kind: WarningKind::UnknownConditionKey,
                    location,
                    message: format!(
                        "The condition key {key} does not exist in the service {}.",
                        service.prefix()
                    ),
                });
            } else if let Some(all) = &actions
                && !all.is_empty()
                && !all.iter().any(|a| a.supports_condition_key(key))
            {
                out.push(PolicyWarning {
                    kind: WarningKind::ConditionKeyNotSupported,
                    location,
                    message: format!("No action in the statement supports the condition key {key}."),
                });
            }
        }
    }
}

impl Policy {
    /// Warnings from the action catalogue, in document order (see [`PolicyWarning`]):
    /// unknown services and actions in `Action`/`NotAction`, service condition keys
    /// that do not exist, and service condition keys that no action of the statement
    /// supports. Loads the catalogue on first use.
    ///
    /// ```
    /// use warden_policy::{Policy, PolicyKind, WarningKind};
    ///
    /// let p = Policy::parse(
    ///     r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
    ///         "Action": ["s3:GetObjekt", "s4:GetObject"], "Resource": "*"}}"#,
    ///     PolicyKind::Identity,
    /// )?;
    /// let kinds: Vec<WarningKind> = p.warnings().iter().map(|w| w.kind).collect();
    /// assert_eq!(kinds, [WarningKind::UnknownAction, WarningKind::UnknownService]);
    /// # Ok::<(), warden_policy::PolicyError>(())
    /// ```
    pub fn warnings(&self) -> Vec<PolicyWarning> {
        let text = self.text();
        let arena = json::arena_for(text.len());
        let Ok(document) = json::parse_document(text, &arena) else {
            // INVARIANT: a Policy's text parsed when it was compiled.
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, s) in statements(&document.root).iter().enumerate() {
            statement_warnings(i, s, &mut out);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PolicyKind;

    fn warnings(statement: &str) -> Vec<(WarningKind, String, String)> {
        let text = format!(r#"{{"Version": "2012-10-17", "Statement": [{statement}]}}"#);
        Policy::parse(&text, PolicyKind::Identity)
            .unwrap()
            .warnings()
            .into_iter()
            .map(|w| (w.kind, w.location, w.message))
            .collect()
    }

    #[test]
    fn a_clean_policy_has_none() {
        let w = warnings(
            r#"{"Effect": "Allow", "Action": ["s3:GetObject", "s3:List*", "iam:*", "*", "ec2:Describe*"],
                "Resource": "*",
                "Condition": {"StringLike": {"s3:prefix": "home/*"}, "Bool": {"aws:SecureTransport": "true"},
                              "StringEquals": {"saml:sub": "x", "s3:ExistingObjectTag/team": "a"}}}"#,
        );
        assert_eq!(w, []);
    }

    #[test]
    fn unknown_services_and_actions() {
        let w = warnings(
            r#"{"Effect": "Allow", "Action": ["s3:GetObjekt", "nosuch:Get", "s3:Nothing*", "*"],
                "Resource": "*"},
               {"Effect": "Deny", "NotAction": "iam:CreateUserX", "Resource": "*"}"#,
        );
        assert_eq!(
            w,
            [
                (
                    WarningKind::UnknownAction,
                    "Statement[0].Action".into(),
                    "The action s3:GetObjekt does not exist.".into()
                ),
                (
                    WarningKind::UnknownService,
                    "Statement[0].Action".into(),
                    "The service nosuch does not exist.".into()
                ),
                (
                    WarningKind::UnknownAction,
                    "Statement[0].Action".into(),
                    "The action s3:Nothing* does not match any action of the service s3.".into()
                ),
                (
                    WarningKind::UnknownAction,
                    "Statement[1].NotAction".into(),
                    "The action iam:CreateUserX does not exist.".into()
                ),
            ]
        );
    }

    #[test]
    fn condition_keys() {
        let w = warnings(
            r#"{"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": "*",
                "Condition": {"StringEquals": {"s3:prefix": "a", "s3:NoSuchKey": "b", "s3:x-amz-acl": "private"}}}"#,
        );
        assert_eq!(
            w,
            [
                (
                    WarningKind::ConditionKeyNotSupported,
                    "Statement[0].Condition.StringEquals.s3:prefix".into(),
                    "No action in the statement supports the condition key s3:prefix.".into()
                ),
                (
                    WarningKind::UnknownConditionKey,
                    "Statement[0].Condition.StringEquals.s3:NoSuchKey".into(),
                    "The condition key s3:NoSuchKey does not exist in the service s3.".into()
                ),
            ]
        );
        // One supporting action is enough; with NotAction or `*`, nothing can be told.
        assert_eq!(
            warnings(
                r#"{"Effect": "Allow", "Action": ["s3:PutObject", "s3:ListBucket"], "Resource": "*",
                    "Condition": {"StringEquals": {"s3:prefix": "a"}}}"#
            ),
            []
        );
        assert_eq!(
            warnings(
                r#"{"Effect": "Allow", "NotAction": "s3:PutObject", "Resource": "*",
                    "Condition": {"StringEquals": {"s3:prefix": "a"}}}"#
            ),
            []
        );
        assert_eq!(
            warnings(
                r#"{"Effect": "Allow", "Action": "*", "Resource": "*",
                    "Condition": {"StringEquals": {"S3:PREFIX": "a"}}}"#
            ),
            []
        );
    }
}
