//! Model constraints (`required`, `min`, `max`, `pattern`, `enum`) checked the way AWS's Coral validator
//! reports them:
//!
//! ```text
//! 2 validation errors detected: Value null at 'userName' failed to satisfy constraint: Member must not be
//! null; Value 'x y' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: ...
//! ```
//!
//! - Paths use the member names with a lower-case first letter (`UserName` -> `userName`); a member of the
//!   N-th (1-based) element of a list of structures is `tags.1.member.key`.
//! - Lists of scalars report once at the list, `Member must satisfy constraint: [..]`, and maps report
//!   `Map key must satisfy constraint: [..]` / `Map value must satisfy constraint: [..]`, as Coral does for
//!   collections (seen in IAM's ThumbprintList and Cognito's ClientMetadata errors).
//! - Values are quoted as Java prints them (`'bob'`, `'[a, b]'`, `'{k=v}'`); a `sensitive` shape's value is
//!   not echoed (`Value at 'password' failed ...`), as AWS does.
//! - String length is counted in UTF-16 code units (Java's `String.length()`); blob length in bytes.
//! - Per member the order is: not null, length/range (min then max), pattern, enum.

use base64::Engine as _;
use serde_json::Value;

use crate::WireError;
use crate::model::{Member, ServiceModel, Shape, ShapeKind};
use crate::pattern;

/// Checks `input` (the intermediate value of operation `op`'s input) against the model's constraints.
///
/// # Errors
/// [`WireError::Validation`] with the service's code ([`ServiceModel::validation_error_code`]) listing every
/// broken constraint; [`WireError::InvalidAction`] if `op` is not an operation of `model`.
pub fn validate(model: &ServiceModel, op: &str, input: &Value) -> Result<(), WireError> {
    let operation = model.operation(op).ok_or_else(|| WireError::InvalidAction {
        action: op.to_owned(),
        version: model.metadata.api_version.clone(),
    })?;
    let Some(shape) = operation.input.as_deref() else {
        return Ok(());
    };
    validate_shape(model, shape, input)
}

/// Checks `value` against the shape named `shape` (see [`validate`]); for a shape other than a structure the
/// path in messages is empty.
///
/// # Errors
/// [`WireError::Validation`] as [`validate`].
pub fn validate_shape(model: &ServiceModel, shape: &str, value: &Value) -> Result<(), WireError> {
    let mut errors = Vec::new();
    if let Some(s) = model.shape(shape) {
        Checker {
            model,
            errors: &mut errors,
        }
        .value(s, value, "");
    }
    if errors.is_empty() {
        return Ok(());
    }
    let n = errors.len();
    let plural = if n == 1 { "" } else { "s" };
    Err(WireError::Validation {
        code: model.validation_error_code().to_owned(),
        message: format!("{n} validation error{plural} detected: {}", errors.join("; ")),
    })
}

fn lower_camel(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        lower_camel(name)
    } else {
        format!("{path}.{}", lower_camel(name))
    }
}

fn fmt_num(n: f64) -> String {
    #[expect(
        clippy::cast_possible_truncation,
        reason = "whole numbers within i64 range print as integers"
    )]
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        (n as i64).to_string()
    } else {
        n.to_string()
    }
}

/// Java's `toString` of a value, for messages.
fn java_string(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("[{}]", a.iter().map(java_string).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => {
            format!(
                "{{{}}}",
                o.iter()
                    .map(|(k, v)| format!("{k}={}", java_string(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        other => other.to_string(),
    }
}

struct Checker<'a> {
    model: &'a ServiceModel,
    errors: &'a mut Vec<String>,
}

impl Checker<'_> {
    fn report(&mut self, sensitive: bool, value: Option<&Value>, path: &str, constraint: &str) {
        let shown = match value {
            _ if sensitive => String::new(),
            None | Some(Value::Null) => " null".to_owned(),
            Some(v) => format!(" '{}'", java_string(v)),
        };
        self.errors.push(format!(
            "Value{shown} at '{path}' failed to satisfy constraint: {constraint}"
        ));
    }

    fn structure_members(&mut self, shape: &Shape, value: &Value, path: &str) {
        let ShapeKind::Structure {
            members, required, ..
        } = &shape.kind
        else {
            return;
        };
        let obj = value.as_object();
        for m in members {
            let v = obj.and_then(|o| o.get(&m.name)).filter(|v| !v.is_null());
            let Some(target) = self.model.shape(&m.shape) else {
                continue;
            };
            let p = join(path, &m.name);
            match v {
                None if required.contains(&m.name) => {
                    self.report(target.sensitive, None, &p, "Member must not be null")
                }
                None => {}
                Some(v) => self.value(target, v, &p),
            }
        }
    }

    fn value(&mut self, shape: &Shape, v: &Value, path: &str) {
        match &shape.kind {
            ShapeKind::Structure { .. } => self.structure_members(shape, v, path),
            ShapeKind::List { member } => {
                let items = v.as_array().map(Vec::as_slice).unwrap_or_default();
                self.length(shape, v, items.len(), path);
                self.list_members(member, items, v, path);
            }
            ShapeKind::Map { key, value } => {
                let Some(obj) = v.as_object() else { return };
                self.length(shape, v, obj.len(), path);
                let (mut key_errors, mut value_errors) = (Vec::new(), Vec::new());
                for (k, item) in obj {
                    if let Some(ks) = self.model.shape(&key.shape) {
                        scalar_constraints(ks, &Value::String(k.clone()), &mut key_errors);
                    }
                    if let Some(vs) = self.model.shape(&value.shape) {
                        if is_scalar(vs) {
                            scalar_constraints(vs, item, &mut value_errors);
                        } else {
                            self.value(vs, item, &format!("{path}.{k}"));
                        }
                    }
                }
                dedup(&mut key_errors);
                dedup(&mut value_errors);
                if !key_errors.is_empty() {
                    let c = format!("Map key must satisfy constraint: [{}]", key_errors.join(", "));
                    self.report(shape.sensitive, Some(v), path, &c);
                }
                if !value_errors.is_empty() {
                    let c = format!("Map value must satisfy constraint: [{}]", value_errors.join(", "));
                    self.report(shape.sensitive, Some(v), path, &c);
                }
            }
            _ => {
                let mut cs = Vec::new();
                scalar_constraints(shape, v, &mut cs);
                for c in cs {
                    self.report(shape.sensitive, Some(v), path, &c);
                }
            }
        }
    }

    fn list_members(&mut self, member: &Member, items: &[Value], whole: &Value, path: &str) {
        let Some(ms) = self.model.shape(&member.shape) else {
            return;
        };
        if is_scalar(ms) {
            let mut cs = Vec::new();
            for item in items {
                scalar_constraints(ms, item, &mut cs);
            }
            dedup(&mut cs);
            if !cs.is_empty() {
                let c = format!("Member must satisfy constraint: [{}]", cs.join(", "));
                self.report(ms.sensitive, Some(whole), path, &c);
            }
        } else {
            for (i, item) in items.iter().enumerate() {
                self.value(ms, item, &format!("{path}.{}.member", i + 1));
            }
        }
    }

    fn length(&mut self, shape: &Shape, v: &Value, len: usize, path: &str) {
        let mut cs = Vec::new();
        length_constraints(shape, len, &mut cs);
        for c in cs {
            self.report(shape.sensitive, Some(v), path, &c);
        }
    }
}

fn dedup(v: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    v.retain(|s| seen.insert(s.clone()));
}

fn is_scalar(s: &Shape) -> bool {
    !matches!(
        s.kind,
        ShapeKind::Structure { .. } | ShapeKind::List { .. } | ShapeKind::Map { .. }
    )
}

#[expect(clippy::cast_precision_loss, reason = "lengths are far below 2^52")]
fn length_constraints(shape: &Shape, len: usize, out: &mut Vec<String>) {
    let len = len as f64;
    if let Some(min) = shape.min.filter(|m| len < *m) {
        out.push(format!(
            "Member must have length greater than or equal to {}",
            fmt_num(min)
        ));
    }
    if let Some(max) = shape.max.filter(|m| len > *m) {
        out.push(format!(
            "Member must have length less than or equal to {}",
            fmt_num(max)
        ));
    }
}

/// The constraint messages a scalar value breaks.
fn scalar_constraints(shape: &Shape, v: &Value, out: &mut Vec<String>) {
    match (&shape.kind, v) {
        (ShapeKind::String, Value::String(s)) => {
            length_constraints(shape, s.encode_utf16().count(), out);
            if let Some(p) = &shape.pattern
                && pattern::compile(p).is_some_and(|c| !c.is_match(s))
            {
                out.push(format!("Member must satisfy regular expression pattern: {p}"));
            }
            if !shape.enum_values.is_empty() && !shape.enum_values.iter().any(|e| e == s) {
                out.push(format!(
                    "Member must satisfy enum value set: [{}]",
                    shape.enum_values.join(", ")
                ));
            }
        }
        (ShapeKind::Blob, Value::String(s)) => {
            let len = base64::engine::general_purpose::STANDARD
                .decode(s)
                .map(|b| b.len())
                .unwrap_or(0);
            length_constraints(shape, len, out);
        }
        (
            ShapeKind::Integer
            | ShapeKind::Long
            | ShapeKind::Short
            | ShapeKind::Byte
            | ShapeKind::Double
            | ShapeKind::Float,
            Value::Number(n),
        ) => {
            let Some(x) = n.as_f64() else { return };
            if let Some(min) = shape.min.filter(|m| x < *m) {
                out.push(format!(
                    "Member must have value greater than or equal to {}",
                    fmt_num(min)
                ));
            }
            if let Some(max) = shape.max.filter(|m| x > *m) {
                out.push(format!(
                    "Member must have value less than or equal to {}",
                    fmt_num(max)
                ));
            }
        }
        _ => {}
    }
}
