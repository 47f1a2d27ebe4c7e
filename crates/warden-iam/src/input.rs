//! Typed access to an operation's decoded input. The wire layer has already checked the
//! model's types, required members, lengths and patterns, so these accessors only fetch;
//! a type mismatch that slips through reads as absent, and required ones then fail with
//! `ValidationError`.

use serde_json::{Map, Value};

use crate::IamError;
use crate::model::Tag;

pub struct Input<'a> {
    map: Option<&'a Map<String, Value>>,
}

impl<'a> Input<'a> {
    pub fn new(value: &'a Value) -> Self {
        Self {
            map: value.as_object(),
        }
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.and_then(|m| m.get(name))
    }

    pub fn opt_str(&self, name: &str) -> Option<&'a str> {
        self.get(name).and_then(Value::as_str)
    }

    pub fn str(&self, name: &str) -> Result<&'a str, IamError> {
        self.opt_str(name).ok_or_else(|| {
            IamError::ValidationError(format!(
                "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                lower_camel(name)
            ))
        })
    }

    pub fn opt_i64(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(Value::as_i64)
    }

    pub fn opt_bool(&self, name: &str) -> Option<bool> {
        self.get(name).and_then(Value::as_bool)
    }

    pub fn strings(&self, name: &str) -> Vec<&'a str> {
        self.get(name)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// A structure member, as its map of members.
    pub fn object(&self, name: &str) -> Option<&'a Map<String, Value>> {
        self.get(name).and_then(Value::as_object)
    }

    pub fn is_present(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn list(&self, name: &str) -> &'a [Value] {
        self.get(name)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// `Tags` as a list of `{Key, Value}`.
    pub fn tags(&self, name: &str) -> Vec<Tag> {
        self.list(name)
            .iter()
            .filter_map(|t| {
                Some(Tag {
                    key: t.get("Key")?.as_str()?.to_owned(),
                    value: t
                        .get("Value")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                })
            })
            .collect()
    }

    /// `Marker` and `MaxItems` (default 100, as IAM's).
    pub fn page(&self) -> (Option<&'a str>, usize) {
        let max = self.opt_i64("MaxItems").unwrap_or(100).clamp(1, 1000);
        (self.opt_str("Marker"), usize::try_from(max).unwrap_or(100))
    }
}

/// AWS's validation messages name members in lower camel case (`userName`).
pub fn lower_camel(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
