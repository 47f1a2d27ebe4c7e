//! awsJson1.1 (Cognito user pools and identity pools): `X-Amz-Target: {targetPrefix}.{Operation}`, a JSON
//! body in, a JSON body out, errors as `{"__type": code, "message": ...}`.
//!
//! The body walk is shared with restJson1 ([`decode_members`], [`encode_members`]).

use base64::Engine as _;
use serde_json::{Map, Value};

use crate::WireError;
use crate::model::{Member, Protocol, ServiceModel, Shape, ShapeKind};
use crate::timestamp::{self, Format};

/// `Content-Type` of awsJson responses for `model` (`application/x-amz-json-1.1`).
#[must_use]
pub fn json_content_type(model: &ServiceModel) -> String {
    match model.metadata.protocol {
        Protocol::RestJson => "application/json".to_owned(),
        _ => format!(
            "application/x-amz-json-{}",
            model.metadata.json_version.as_deref().unwrap_or("1.1")
        ),
    }
}

/// Decodes an awsJson request: finds the operation named by the `X-Amz-Target` header value and reads the
/// body into the intermediate value (timestamps normalised to ISO 8601, nulls and unknown members
/// dropped, as AWS's JSON services ignore them). An empty body is read as `{}`. Does not [`crate::validate`].
///
/// # Errors
/// `UnknownOperationException` (400) for a target that is not `{targetPrefix}.{Operation}` of this model;
/// `SerializationException` (400) for a body that is not JSON or a value of the wrong JSON type.
pub fn decode_json(model: &ServiceModel, target: &str, body: &[u8]) -> Result<(String, Value), WireError> {
    let unknown = || WireError::UnknownOperation {
        message: format!("The operation {target} is not supported by this service"),
        status: 400,
    };
    let (prefix, name) = target.rsplit_once('.').ok_or_else(unknown)?;
    if model
        .metadata
        .target_prefix
        .as_deref()
        .is_some_and(|p| p != prefix)
    {
        return Err(unknown());
    }
    let op = model.operation(name).ok_or_else(unknown)?;
    let v = parse_body(body)?;
    let input = match op.input.as_deref().and_then(|s| model.shape(s)) {
        Some(shape) => decode_value(model, shape, &v, "")?,
        None => Value::Object(Map::new()),
    };
    Ok((op.name.clone(), input))
}

pub(crate) fn parse_body(body: &[u8]) -> Result<Value, WireError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| WireError::serialization(format!("The request body is not valid JSON: {e}")))?;
    if !v.is_object() {
        return Err(WireError::serialization("The request body must be a JSON object"));
    }
    Ok(v)
}

fn path_of(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn wrong(path: &str, shape: &Shape) -> WireError {
    let what = crate::scalar::expected(&shape.kind);
    WireError::serialization(format!("Unexpected value type for '{path}': expected {what}"))
}

/// Reads the members of `shape` that `take` selects from a JSON object.
pub(crate) fn decode_members(
    model: &ServiceModel,
    shape: &Shape,
    v: &Value,
    path: &str,
    take: impl Fn(&Member) -> bool,
) -> Result<Map<String, Value>, WireError> {
    let ShapeKind::Structure { members, .. } = &shape.kind else {
        return Err(wrong(path, shape));
    };
    let obj = v.as_object().ok_or_else(|| wrong(path, shape))?;
    let mut out = Map::new();
    for m in members.iter().filter(|m| take(m)) {
        let Some(mv) = obj.get(m.wire_name()).filter(|v| !v.is_null()) else {
            continue;
        };
        let target = model
            .shape(&m.shape)
            .ok_or_else(|| WireError::internal("missing shape"))?;
        out.insert(
            m.name.clone(),
            decode_value(model, target, mv, &path_of(path, &m.name))?,
        );
    }
    Ok(out)
}

pub(crate) fn decode_value(
    model: &ServiceModel,
    shape: &Shape,
    v: &Value,
    path: &str,
) -> Result<Value, WireError> {
    let bad = || wrong(path, shape);
    match &shape.kind {
        ShapeKind::Structure { .. } => decode_members(model, shape, v, path, |_| true).map(Value::Object),
        ShapeKind::List { member } => {
            let target = model
                .shape(&member.shape)
                .ok_or_else(|| WireError::internal("missing shape"))?;
            let items = v.as_array().ok_or_else(bad)?;
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate().filter(|(_, item)| !item.is_null()) {
                out.push(decode_value(model, target, item, &format!("{path}[{i}]"))?);
            }
            Ok(Value::Array(out))
        }
        ShapeKind::Map { value, .. } => {
            let target = model
                .shape(&value.shape)
                .ok_or_else(|| WireError::internal("missing shape"))?;
            let obj = v.as_object().ok_or_else(bad)?;
            let mut out = Map::new();
            for (k, item) in obj.iter().filter(|(_, item)| !item.is_null()) {
                out.insert(k.clone(), decode_value(model, target, item, &path_of(path, k))?);
            }
            Ok(Value::Object(out))
        }
        ShapeKind::String => v.as_str().map(|_| v.clone()).ok_or_else(bad),
        ShapeKind::Integer | ShapeKind::Long | ShapeKind::Short | ShapeKind::Byte => {
            let n = v.as_i64().ok_or_else(bad)?;
            crate::scalar::from_text(shape, &n.to_string()).map_err(|_| bad())
        }
        ShapeKind::Double | ShapeKind::Float => match v {
            Value::Number(_) => Ok(v.clone()),
            Value::String(s) => crate::scalar::from_text(shape, s).map_err(|_| bad()),
            _ => Err(bad()),
        },
        ShapeKind::Boolean => v.as_bool().map(Value::Bool).ok_or_else(bad),
        ShapeKind::Timestamp => timestamp::from_value(v)
            .map(|dt| Value::String(timestamp::to_canonical(dt)))
            .ok_or_else(bad),
        ShapeKind::Blob => {
            let s = v.as_str().ok_or_else(bad)?;
            base64::engine::general_purpose::STANDARD
                .decode(s)
                .map_err(|_| bad())?;
            Ok(v.clone())
        }
        ShapeKind::Document => Ok(v.clone()),
    }
}

/// Encodes the output of `op` as an awsJson body: members in model order, absent and null members omitted,
/// timestamps as epoch seconds with millisecond precision (`1716210896.857`) unless the model says
/// otherwise, blobs as base64. An operation without output gives `{}`.
///
/// # Errors
/// [`WireError::InternalFailure`] if `op` is not an operation of `model` or a value does not fit its shape.
pub fn encode_json(model: &ServiceModel, op: &str, output: &Value) -> Result<Vec<u8>, WireError> {
    let operation = model
        .operation(op)
        .ok_or_else(|| WireError::internal(format!("unknown operation {op}")))?;
    let body = match operation.output.as_deref().and_then(|s| model.shape(s)) {
        Some(shape) => encode_members(model, shape, output, "", |_| true)?,
        None => Map::new(),
    };
    serde_json::to_vec(&Value::Object(body)).map_err(|e| WireError::internal(e.to_string()))
}

/// Writes the members of `shape` that `take` selects as a JSON object.
pub(crate) fn encode_members(
    model: &ServiceModel,
    shape: &Shape,
    v: &Value,
    path: &str,
    take: impl Fn(&Member) -> bool,
) -> Result<Map<String, Value>, WireError> {
    let ShapeKind::Structure { members, .. } = &shape.kind else {
        return Err(WireError::internal(format!("{} is not a structure", shape.name)));
    };
    let obj = v
        .as_object()
        .ok_or_else(|| WireError::internal(format!("{path}: expected a structure")))?;
    let mut out = Map::new();
    for m in members.iter().filter(|m| take(m)) {
        let Some(mv) = obj.get(&m.name).filter(|v| !v.is_null()) else {
            continue;
        };
        let target = model
            .shape(&m.shape)
            .ok_or_else(|| WireError::internal("missing shape"))?;
        out.insert(
            m.wire_name().to_owned(),
            encode_value(model, target, m, mv, &path_of(path, &m.name))?,
        );
    }
    Ok(out)
}

fn encode_value(
    model: &ServiceModel,
    shape: &Shape,
    m: &Member,
    v: &Value,
    path: &str,
) -> Result<Value, WireError> {
    let bad = || {
        let what = crate::scalar::expected(&shape.kind);
        WireError::internal(format!("{path}: expected {what}, got {v}"))
    };
    match &shape.kind {
        ShapeKind::Structure { .. } => encode_members(model, shape, v, path, |_| true).map(Value::Object),
        ShapeKind::List { member } => {
            let target = model
                .shape(&member.shape)
                .ok_or_else(|| WireError::internal("missing shape"))?;
            let items = v.as_array().ok_or_else(bad)?;
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                out.push(encode_value(
                    model,
                    target,
                    member,
                    item,
                    &format!("{path}[{i}]"),
                )?);
            }
            Ok(Value::Array(out))
        }
        ShapeKind::Map { value, .. } => {
            let target = model
                .shape(&value.shape)
                .ok_or_else(|| WireError::internal("missing shape"))?;
            let obj = v.as_object().ok_or_else(bad)?;
            let mut out = Map::new();
            for (k, item) in obj.iter().filter(|(_, item)| !item.is_null()) {
                out.insert(
                    k.clone(),
                    encode_value(model, target, value, item, &path_of(path, k))?,
                );
            }
            Ok(Value::Object(out))
        }
        ShapeKind::Timestamp => {
            let dt = timestamp::from_value(v).ok_or_else(bad)?;
            let format = Format::from_trait(
                m.timestamp_format
                    .as_deref()
                    .or(shape.timestamp_format.as_deref()),
                Format::EpochSeconds,
            );
            Ok(match format {
                Format::EpochSeconds => timestamp::to_epoch_number(dt),
                other => Value::String(timestamp::to_text(dt, other)),
            })
        }
        ShapeKind::Document => Ok(v.clone()),
        ShapeKind::String | ShapeKind::Blob => v.as_str().map(|_| v.clone()).ok_or_else(bad),
        ShapeKind::Boolean => v.as_bool().map(|_| v.clone()).ok_or_else(bad),
        ShapeKind::Integer | ShapeKind::Long | ShapeKind::Short | ShapeKind::Byte => {
            if v.is_i64() || v.is_u64() {
                Ok(v.clone())
            } else {
                Err(bad())
            }
        }
        ShapeKind::Double | ShapeKind::Float => match v {
            Value::Number(_) => Ok(v.clone()),
            Value::String(s) if ["NaN", "Infinity", "-Infinity"].contains(&s.as_str()) => Ok(v.clone()),
            _ => Err(bad()),
        },
    }
}

/// Encodes an awsJson/restJson error body: `{"__type":"UserNotFoundException","message":"User does not
/// exist."}` (Cognito writes `message` in lower case). Send it with the status from
/// [`ServiceModel::error_status`] and the header `x-amzn-ErrorType: {code}` ([`json_error_type_header`]).
#[must_use]
pub fn encode_json_error(code: &str, message: &str) -> Vec<u8> {
    let mut body = Map::new();
    body.insert("__type".to_owned(), Value::String(code.to_owned()));
    body.insert("message".to_owned(), Value::String(message.to_owned()));
    Value::Object(body).to_string().into_bytes()
}

/// The value of the `x-amzn-ErrorType` header for an error `code`.
#[must_use]
pub fn json_error_type_header(code: &str) -> String {
    code.to_owned()
}
