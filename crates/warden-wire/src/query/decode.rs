//! awsQuery request decoding: form pairs -> (action, version, intermediate value).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::model::{Member, ServiceModel, Shape, ShapeKind};
use crate::{WireError, scalar};

/// Most members a list or map may have. IAM's largest lists (e.g. `ContextEntries`, `PolicyInputList`) are
/// far below; the cap bounds the work an absurd index can cause.
pub const MAX_MEMBERS: usize = 1000;

/// Most dot-separated segments a parameter name may have (bounds recursion through recursive shapes).
pub const MAX_DEPTH: usize = 64;

/// A decoded awsQuery request.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryRequest {
    /// The `Action` (an operation of the model).
    pub action: String,
    /// The `Version`, if sent (it equals the model's `apiVersion` when present).
    pub version: Option<String>,
    /// The input, keyed by the model's member names.
    pub input: Value,
}

/// What to do with a parameter that is not a member of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnknownParameters {
    /// Reject with `UnknownParameter` (400), as EC2 does; the default.
    #[default]
    Reject,
    /// Skip it: lets an SDK built from a newer model send members this model does not have yet.
    Ignore,
}

/// Parameters that authenticate a presigned or legacy-signed request; they are not operation input.
fn is_auth_parameter(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    lower.starts_with("x-amz-")
        || matches!(
            key,
            "AWSAccessKeyId"
                | "Signature"
                | "SignatureMethod"
                | "SignatureVersion"
                | "SecurityToken"
                | "Timestamp"
                | "Expires"
        )
}

#[derive(Default)]
struct Node {
    value: Option<String>,
    children: BTreeMap<String, Node>,
}

fn build_tree(pairs: &[(String, String)], input: Option<&Shape>) -> Result<Node, WireError> {
    let top_member = |k: &str| match input.map(|s| &s.kind) {
        Some(ShapeKind::Structure { members, .. }) => members.iter().any(|m| m.wire_name() == k),
        _ => false,
    };
    let mut root = Node::default();
    for (key, value) in pairs {
        if key == "Action" || key == "Version" || (is_auth_parameter(key) && !top_member(key)) {
            continue;
        }
        let segments: Vec<&str> = key.split('.').collect();
        if segments.len() > MAX_DEPTH {
            return Err(WireError::invalid(format!(
                "The parameter {key} is nested too deeply"
            )));
        }
        let mut node = &mut root;
        for seg in segments {
            node = node.children.entry(seg.to_owned()).or_default();
        }
        if node.value.is_some() {
            return Err(WireError::invalid(format!(
                "The parameter {key} is given more than once"
            )));
        }
        node.value = Some(value.clone());
    }
    Ok(root)
}

/// Decodes an awsQuery request from its form pairs (body or query string, already percent-decoded), rejecting
/// unknown parameters. Authentication parameters of presigned requests (`X-Amz-*`, and the legacy
/// `AWSAccessKeyId`, `Signature`, ...) are skipped.
///
/// # Errors
/// `MissingAction`, `InvalidAction` (unknown action, or a `Version` other than the model's),
/// `UnknownParameter`, `InvalidParameterValue` (wrong type, bad list index, over [`MAX_MEMBERS`] members,
/// repeated parameter, over [`MAX_DEPTH`] levels).
pub fn decode_query(model: &ServiceModel, pairs: &[(String, String)]) -> Result<QueryRequest, WireError> {
    decode_query_with(model, pairs, UnknownParameters::Reject)
}

/// [`decode_query`] with a choice of what to do with unknown parameters.
///
/// # Errors
/// As [`decode_query`].
pub fn decode_query_with(
    model: &ServiceModel,
    pairs: &[(String, String)],
    unknown: UnknownParameters,
) -> Result<QueryRequest, WireError> {
    let mut action = None;
    let mut version = None;
    for (k, v) in pairs {
        let slot = match k.as_str() {
            "Action" => &mut action,
            "Version" => &mut version,
            _ => continue,
        };
        if slot.is_some() {
            return Err(WireError::invalid(format!(
                "The parameter {k} is given more than once"
            )));
        }
        *slot = Some(v.clone());
    }
    let action = action.filter(|a| !a.is_empty()).ok_or(WireError::MissingAction)?;
    let api_version = &model.metadata.api_version;
    let invalid_action = || WireError::InvalidAction {
        action: action.clone(),
        version: version.clone().unwrap_or(api_version.clone()),
    };
    if version.as_ref().is_some_and(|v| v != api_version) {
        return Err(invalid_action());
    }
    let op = model.operation(&action).ok_or_else(invalid_action)?;
    let input_shape = op.input.as_deref().and_then(|s| model.shape(s));
    let tree = build_tree(pairs, input_shape)?;
    let input = match input_shape {
        Some(shape) => Decoder { model, unknown }.structure(shape, &tree, "")?,
        None => {
            if let Some((k, _)) = tree
                .children
                .iter()
                .next()
                .filter(|_| unknown == UnknownParameters::Reject)
            {
                return Err(WireError::UnknownParameter { name: k.clone() });
            }
            Value::Object(Map::new())
        }
    };
    Ok(QueryRequest {
        action: op.name.clone(),
        version,
        input,
    })
}

fn key(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// The name a structure member has in a query request (botocore's `QuerySerializer`): a flattened list
/// whose member has a `locationName` is named by it; else the member's `locationName`, else its name.
pub(crate) fn query_member_name<'m>(model: &'m ServiceModel, m: &'m Member) -> &'m str {
    if m.flattened
        && let Some(ShapeKind::List { member }) = model.shape(&m.shape).map(|s| &s.kind)
        && let Some(n) = &member.location_name
    {
        return n;
    }
    m.wire_name()
}

struct Decoder<'a> {
    model: &'a ServiceModel,
    unknown: UnknownParameters,
}

impl Decoder<'_> {
    fn structure(&self, shape: &Shape, node: &Node, prefix: &str) -> Result<Value, WireError> {
        let ShapeKind::Structure { members, .. } = &shape.kind else {
            return Err(WireError::internal(format!("{} is not a structure", shape.name)));
        };
        if node.children.is_empty()
            && let Some(v) = node.value.as_deref().filter(|v| !v.is_empty())
        {
            return Err(WireError::invalid(format!(
                "Invalid value '{v}' for parameter {prefix}: expected a structure"
            )));
        }
        let mut out = Map::new();
        for (name, child) in &node.children {
            let full = key(prefix, name);
            // A flattened list is `{locationName}.N` (Smithy) or, as botocore sends it when the list's member
            // has a `locationName`, `{member locationName}.N`: accept both.
            let found = members.iter().find(|m| m.wire_name() == name);
            let Some(m) = found.or_else(|| members.iter().find(|m| query_member_name(self.model, m) == name))
            else {
                if self.unknown == UnknownParameters::Reject {
                    return Err(WireError::UnknownParameter { name: full });
                }
                continue;
            };
            let Some(target) = self.model.shape(&m.shape) else {
                continue;
            };
            out.insert(m.name.clone(), self.value(target, m, child, &full)?);
        }
        Ok(Value::Object(out))
    }

    fn value(&self, shape: &Shape, m: &Member, node: &Node, full: &str) -> Result<Value, WireError> {
        match &shape.kind {
            ShapeKind::Structure { .. } => self.structure(shape, node, full),
            ShapeKind::List { member } => {
                let flattened = m.flattened || shape.flattened;
                let entries = if flattened {
                    Some(node)
                } else {
                    node.children
                        .get(member.location_name.as_deref().unwrap_or("member"))
                };
                self.no_other_children(
                    node,
                    flattened,
                    member.location_name.as_deref().unwrap_or("member"),
                    full,
                )?;
                let Some(entries) = entries else {
                    return Ok(Value::Array(Vec::new()));
                };
                let prefix = if flattened {
                    full.to_owned()
                } else {
                    key(full, member.location_name.as_deref().unwrap_or("member"))
                };
                let target = self
                    .model
                    .shape(&member.shape)
                    .ok_or_else(|| WireError::internal("missing shape"))?;
                let mut items = Vec::new();
                for (i, item) in indexed(entries, &prefix)? {
                    items.push(self.value(target, member, item, &key(&prefix, &i.to_string()))?);
                }
                Ok(Value::Array(items))
            }
            ShapeKind::Map { key: k, value: v } => {
                let flattened = m.flattened || shape.flattened;
                let entries = if flattened {
                    Some(node)
                } else {
                    node.children.get("entry")
                };
                self.no_other_children(node, flattened, "entry", full)?;
                let Some(entries) = entries else {
                    return Ok(Value::Object(Map::new()));
                };
                let prefix = if flattened {
                    full.to_owned()
                } else {
                    key(full, "entry")
                };
                let (kname, vname) = (
                    k.location_name.as_deref().unwrap_or("key"),
                    v.location_name.as_deref().unwrap_or("value"),
                );
                let vshape = self
                    .model
                    .shape(&v.shape)
                    .ok_or_else(|| WireError::internal("missing shape"))?;
                let mut out = Map::new();
                for (i, entry) in indexed(entries, &prefix)? {
                    let eprefix = key(&prefix, &i.to_string());
                    if let Some((other, _)) = entry.children.iter().find(|(n, _)| *n != kname && *n != vname)
                    {
                        return Err(WireError::UnknownParameter {
                            name: key(&eprefix, other),
                        });
                    }
                    let kv = entry
                        .children
                        .get(kname)
                        .and_then(|n| n.value.clone())
                        .ok_or_else(|| {
                            WireError::invalid(format!("The parameter {} is missing", key(&eprefix, kname)))
                        })?;
                    let value = match entry.children.get(vname) {
                        Some(vn) => self.value(vshape, v, vn, &key(&eprefix, vname))?,
                        None => continue,
                    };
                    if out.insert(kv.clone(), value).is_some() {
                        return Err(WireError::invalid(format!(
                            "The map {full} has the key '{kv}' more than once"
                        )));
                    }
                }
                Ok(Value::Object(out))
            }
            _ => {
                if let Some((child, _)) = node.children.iter().next() {
                    return Err(WireError::UnknownParameter {
                        name: key(full, child),
                    });
                }
                let text = node.value.as_deref().unwrap_or_default();
                scalar::from_text(shape, text).map_err(|want| {
                    WireError::invalid(format!(
                        "Invalid value '{text}' for parameter {full}: expected {want}"
                    ))
                })
            }
        }
    }

    /// A wrapped list or map node may hold only its wrapper (`member`, `entry`) and an empty value.
    fn no_other_children(
        &self,
        node: &Node,
        flattened: bool,
        wrapper: &str,
        full: &str,
    ) -> Result<(), WireError> {
        if let Some(v) = node.value.as_deref().filter(|v| !v.is_empty()) {
            return Err(WireError::invalid(format!(
                "Invalid value '{v}' for parameter {full}: expected a list or map"
            )));
        }
        if flattened {
            return Ok(());
        }
        match node.children.keys().find(|k| *k != wrapper) {
            Some(other) if self.unknown == UnknownParameters::Reject => Err(WireError::UnknownParameter {
                name: key(full, other),
            }),
            _ => Ok(()),
        }
    }
}

/// The children of a list or map node, which must all be 1-based indices up to [`MAX_MEMBERS`], in index
/// order.
fn indexed<'n>(node: &'n Node, prefix: &str) -> Result<Vec<(usize, &'n Node)>, WireError> {
    if node.children.len() > MAX_MEMBERS {
        return Err(WireError::invalid(format!(
            "The parameter {prefix} has more than {MAX_MEMBERS} members"
        )));
    }
    let mut out = Vec::with_capacity(node.children.len());
    for (k, child) in &node.children {
        let i = k
            .parse::<usize>()
            .ok()
            .filter(|i| (1..=MAX_MEMBERS).contains(i) && !k.starts_with('0') && !k.starts_with('+'))
            .ok_or_else(|| {
                WireError::invalid(format!(
                    "Invalid index '{k}' in parameter {prefix}.{k}: expected a member number from 1 to {MAX_MEMBERS}"
                ))
            })?;
        out.push((i, child));
    }
    out.sort_by_key(|(i, _)| *i);
    Ok(out)
}
