//! `ContextEntries`: the simulated request's condition keys, typed by `ContextKeyType`
//! (IAM API Reference, "ContextEntry"). A value that does not read as its type is
//! `InvalidInput`, naming the key.

use std::net::IpAddr;

use base64::Engine;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime};
use warden_policy::ContextValue;

use crate::error::IamError;

/// The scalar type of a `ContextKeyType`, and whether it is a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scalar {
    String,
    Numeric,
    Boolean,
    Ip,
    Binary,
    Date,
}

fn key_type(name: &str) -> Option<(Scalar, bool)> {
    let (base, list) = match name.strip_suffix("List") {
        Some(base) => (base, true),
        None => (name, false),
    };
    let scalar = match base {
        "string" => Scalar::String,
        "numeric" => Scalar::Numeric,
        "boolean" => Scalar::Boolean,
        "ip" => Scalar::Ip,
        "binary" => Scalar::Binary,
        "date" => Scalar::Date,
        _ => return None,
    };
    Some((scalar, list))
}

/// The context entries of a simulation, in input order, each key once.
pub fn parse_entries(entries: &[Value]) -> Result<Vec<(String, ContextValue)>, IamError> {
    let mut out: Vec<(String, ContextValue)> = Vec::new();
    for entry in entries {
        let name = entry
            .get("ContextKeyName")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .ok_or_else(|| IamError::InvalidInput("ContextKeyName cannot be null or empty.".into()))?;
        if out.iter().any(|(k, _)| k.eq_ignore_ascii_case(name)) {
            return Err(IamError::InvalidInput(format!("Duplicate context key: {name}.")));
        }
        let type_name = entry.get("ContextKeyType").and_then(Value::as_str);
        let (scalar, list) = type_name.and_then(key_type).ok_or_else(|| {
            IamError::InvalidInput(format!(
                "Context key {name} has invalid type {}.",
                type_name.unwrap_or("null")
            ))
        })?;
        let values: Vec<&str> = entry
            .get("ContextKeyValues")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if values.is_empty() {
            return Err(IamError::InvalidInput(format!(
                "Context values for context key {name} cannot be null or empty."
            )));
        }
        let value = if list {
            let texts = values
                .iter()
                .map(|v| normalize(name, scalar, v))
                .collect::<Result<Vec<_>, _>>()?;
            ContextValue::Strings(texts)
        } else {
            let [single] = values.as_slice() else {
                return Err(IamError::InvalidInput(format!(
                    "Context key {name} expects a single value of type {}, but received {}.",
                    type_name.unwrap_or_default(),
                    values.len()
                )));
            };
            typed(name, scalar, single)?
        };
        out.push((name.to_owned(), value));
    }
    Ok(out)
}

fn bad_value(name: &str, scalar: Scalar) -> IamError {
    let expected = match scalar {
        Scalar::String => "string",
        Scalar::Numeric => "numeric format",
        Scalar::Boolean => "true or false",
        Scalar::Ip => "IP address",
        Scalar::Binary => "base-64 encoded binary format",
        Scalar::Date => "DateTime format",
    };
    IamError::InvalidInput(format!(
        "Invalid context value for key {name}: expected {expected}."
    ))
}

/// One value as its typed context value.
fn typed(name: &str, scalar: Scalar, v: &str) -> Result<ContextValue, IamError> {
    let bad = || bad_value(name, scalar);
    Ok(match scalar {
        Scalar::String => ContextValue::String(v.to_owned()),
        Scalar::Numeric => ContextValue::Number(parse_number(v).ok_or_else(bad)?),
        Scalar::Boolean => ContextValue::Bool(parse_bool(v).ok_or_else(bad)?),
        Scalar::Ip => ContextValue::Ip(v.trim().parse::<IpAddr>().map_err(|_| bad())?),
        Scalar::Binary => ContextValue::Binary(
            base64::engine::general_purpose::STANDARD
                .decode(v.trim())
                .map_err(|_| bad())?,
        ),
        Scalar::Date => ContextValue::Date(parse_date(v).ok_or_else(bad)?),
    })
}

/// One member of a list value, checked against its type and kept as text: the
/// condition operators read numbers, dates, booleans and addresses from the text of
/// a multivalued key's members.
fn normalize(name: &str, scalar: Scalar, v: &str) -> Result<String, IamError> {
    Ok(match (scalar, typed(name, scalar, v)?) {
        (Scalar::String, _) => v.to_owned(),
        (_, ContextValue::Bool(b)) => b.to_string(),
        _ => v.trim().to_owned(),
    })
}

fn parse_number(v: &str) -> Option<f64> {
    v.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.trim() {
        t if t.eq_ignore_ascii_case("true") => Some(true),
        t if t.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// ISO 8601 date-times (`2024-01-31T12:00:00Z`, with an offset, without a zone as UTC),
/// dates (`2024-01-31`) and epoch seconds, as IAM's date condition operators read them.
fn parse_date(v: &str) -> Option<OffsetDateTime> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<i64>() {
        return OffsetDateTime::from_unix_timestamp(secs).ok();
    }
    if let Ok(d) = OffsetDateTime::parse(v, &Rfc3339) {
        return Some(d);
    }
    if let Ok(d) = PrimitiveDateTime::parse(
        v,
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
    ) {
        return Some(d.assume_utc());
    }
    Date::parse(v, format_description!("[year]-[month]-[day]"))
        .ok()
        .map(|d| d.midnight().assume_utc())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn one(t: &str, values: &[&str]) -> Result<ContextValue, IamError> {
        let entry = json!({"ContextKeyName": "test:key", "ContextKeyType": t, "ContextKeyValues": values});
        parse_entries(&[entry]).map(|mut v| v.remove(0).1)
    }

    #[test]
    fn typed_values() {
        assert_eq!(one("string", &["a"]).unwrap(), ContextValue::String("a".into()));
        assert_eq!(one("numeric", &["42"]).unwrap(), ContextValue::Number(42.0));
        assert_eq!(one("boolean", &["TRUE"]).unwrap(), ContextValue::Bool(true));
        assert_eq!(
            one("ip", &["10.1.2.3"]).unwrap(),
            ContextValue::Ip("10.1.2.3".parse().unwrap())
        );
        assert_eq!(
            one("binary", &["AQID"]).unwrap(),
            ContextValue::Binary(vec![1, 2, 3])
        );
        assert_eq!(
            one("date", &["2024-01-31T12:00:00Z"]).unwrap(),
            ContextValue::Date(time::macros::datetime!(2024-01-31 12:00 UTC))
        );
        assert_eq!(
            one("date", &["2024-01-31"]).unwrap(),
            ContextValue::Date(time::macros::datetime!(2024-01-31 00:00 UTC))
        );
        assert_eq!(
            one("date", &["1706702400"]).unwrap(),
            ContextValue::Date(time::macros::datetime!(2024-01-31 12:00 UTC))
        );
        assert_eq!(
            one("numericList", &["1", " 2.5"]).unwrap(),
            ContextValue::Strings(vec!["1".into(), "2.5".into()])
        );
        assert_eq!(
            one("booleanList", &["True"]).unwrap(),
            ContextValue::Strings(vec!["true".into()])
        );
        assert_eq!(
            one("stringList", &["a", " b "]).unwrap(),
            ContextValue::Strings(vec!["a".into(), " b ".into()])
        );
    }

    #[test]
    fn bad_values_are_invalid_input_naming_the_key() {
        for (t, v, expected) in [
            ("numeric", "ten", "numeric format"),
            ("ip", "10.0.0.300", "IP address"),
            ("date", "yesterday", "DateTime format"),
            ("binary", "!!", "base-64 encoded binary format"),
            ("boolean", "yes", "true or false"),
            ("dateList", "nope", "DateTime format"),
        ] {
            let e = one(t, &[v]).unwrap_err();
            assert_eq!(e.code(), "InvalidInput");
            assert_eq!(
                e.message(),
                format!("Invalid context value for key test:key: expected {expected}.")
            );
        }
        assert_eq!(
            one("string", &[]).unwrap_err().message(),
            "Context values for context key test:key cannot be null or empty."
        );
        assert_eq!(one("string", &["a", "b"]).unwrap_err().code(), "InvalidInput");
        let dup =
            json!({"ContextKeyName": "TEST:key", "ContextKeyType": "string", "ContextKeyValues": ["b"]});
        let first =
            json!({"ContextKeyName": "test:key", "ContextKeyType": "string", "ContextKeyValues": ["a"]});
        assert_eq!(
            parse_entries(&[first, dup]).unwrap_err().message(),
            "Duplicate context key: TEST:key."
        );
        let untyped = json!({"ContextKeyName": "test:key", "ContextKeyValues": ["a"]});
        assert_eq!(
            parse_entries(&[untyped]).unwrap_err().message(),
            "Context key test:key has invalid type null."
        );
    }
}
