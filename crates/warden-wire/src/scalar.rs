//! Scalars between their text form (query parameters, XML text, URI labels, headers) and the intermediate
//! value.
//!
//! Intermediate conventions: integers and longs are JSON integers; doubles and floats are JSON numbers, or
//! the strings `NaN`, `Infinity`, `-Infinity` (JSON has no such numbers); booleans are booleans; timestamps
//! are ISO 8601 UTC strings; blobs are base64 strings.

use base64::Engine as _;
use serde_json::{Number, Value};

use crate::model::{Shape, ShapeKind};
use crate::timestamp::{self, Format};

const NON_FINITE: [&str; 3] = ["NaN", "Infinity", "-Infinity"];

fn int_range(kind: &ShapeKind) -> Option<(i64, i64, &'static str)> {
    match kind {
        ShapeKind::Integer => Some((i64::from(i32::MIN), i64::from(i32::MAX), "an integer")),
        ShapeKind::Long => Some((i64::MIN, i64::MAX, "a long")),
        ShapeKind::Short => Some((i64::from(i16::MIN), i64::from(i16::MAX), "a short")),
        ShapeKind::Byte => Some((i64::from(i8::MIN), i64::from(i8::MAX), "a byte")),
        _ => None,
    }
}

/// What a shape's values look like, for messages.
pub(crate) fn expected(kind: &ShapeKind) -> &'static str {
    match kind {
        ShapeKind::Structure { .. } => "a structure",
        ShapeKind::List { .. } => "a list",
        ShapeKind::Map { .. } => "a map",
        ShapeKind::String => "a string",
        ShapeKind::Boolean => "a boolean (true or false)",
        ShapeKind::Timestamp => "a timestamp (ISO 8601 or seconds since the epoch)",
        ShapeKind::Blob => "base64-encoded bytes",
        ShapeKind::Double | ShapeKind::Float => "a number",
        ShapeKind::Document => "a JSON document",
        k => int_range(k).map_or("a value", |(_, _, what)| what),
    }
}

/// Decodes the text form of a scalar. `Err` carries what was expected.
pub(crate) fn from_text(shape: &Shape, text: &str) -> Result<Value, &'static str> {
    let want = expected(&shape.kind);
    match &shape.kind {
        ShapeKind::String | ShapeKind::Document => Ok(Value::String(text.to_owned())),
        k @ (ShapeKind::Integer | ShapeKind::Long | ShapeKind::Short | ShapeKind::Byte) => {
            let (lo, hi, _) = int_range(k).ok_or(want)?;
            let canonical = text.strip_prefix('-').unwrap_or(text);
            if canonical.is_empty() || !canonical.bytes().all(|b| b.is_ascii_digit()) {
                return Err(want);
            }
            let n: i64 = text.parse().map_err(|_| want)?;
            if n < lo || n > hi {
                return Err(want);
            }
            Ok(Value::Number(n.into()))
        }
        ShapeKind::Boolean => match text.to_ascii_lowercase().as_str() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(want),
        },
        ShapeKind::Double | ShapeKind::Float => {
            if NON_FINITE.contains(&text) {
                return Ok(Value::String(text.to_owned()));
            }
            let plain = text
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
            let f: f64 = text
                .parse()
                .ok()
                .filter(|_| plain && !text.is_empty())
                .ok_or(want)?;
            Number::from_f64(f).map(Value::Number).ok_or(want)
        }
        ShapeKind::Timestamp => timestamp::parse(text)
            .map(|dt| Value::String(timestamp::to_canonical(dt)))
            .ok_or(want),
        ShapeKind::Blob => {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|_| want)?;
            Ok(Value::String(text.to_owned()))
        }
        ShapeKind::Structure { .. } | ShapeKind::List { .. } | ShapeKind::Map { .. } => Err(want),
    }
}

/// Writes a scalar from the intermediate value as text; timestamps in `ts` format. `Err` carries what was
/// expected.
pub(crate) fn to_text(shape: &Shape, v: &Value, ts: Format) -> Result<String, &'static str> {
    let want = expected(&shape.kind);
    match (&shape.kind, v) {
        (ShapeKind::String | ShapeKind::Blob, Value::String(s)) => Ok(s.clone()),
        (ShapeKind::Document, v) => Ok(v.to_string()),
        (ShapeKind::Integer | ShapeKind::Long | ShapeKind::Short | ShapeKind::Byte, Value::Number(n))
            if n.is_i64() || n.is_u64() =>
        {
            Ok(n.to_string())
        }
        (ShapeKind::Double | ShapeKind::Float, Value::Number(n)) => Ok(n.to_string()),
        (ShapeKind::Double | ShapeKind::Float, Value::String(s)) if NON_FINITE.contains(&s.as_str()) => {
            Ok(s.clone())
        }
        (ShapeKind::Boolean, Value::Bool(b)) => Ok(b.to_string()),
        (ShapeKind::Timestamp, v) => timestamp::from_value(v)
            .map(|dt| timestamp::to_text(dt, ts))
            .ok_or(want),
        _ => Err(want),
    }
}
