//! The request context: the condition keys of one request and their values.

use std::collections::BTreeMap;
use std::net::IpAddr;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::date::parse_instant;
use crate::pattern::Vars;

/// One context key's value, typed the way the key is documented.
#[derive(Debug, Clone, PartialEq)]
pub enum ContextValue {
    /// A single string (most keys: `aws:username`, `aws:PrincipalTag/k`, `s3:prefix`...).
    String(String),
    /// A multivalued key (`aws:TagKeys`, `aws:PrincipalServiceNamesList`...), for `ForAnyValue:`/`ForAllValues:`.
    Strings(Vec<String>),
    /// A number (`s3:max-keys`, `aws:MultiFactorAuthAge`, `aws:EpochTime`).
    Number(f64),
    /// A boolean (`aws:SecureTransport`, `aws:MultiFactorAuthPresent`).
    Bool(bool),
    /// An instant (`aws:CurrentTime`, `aws:TokenIssueTime`).
    Date(OffsetDateTime),
    /// An IP address (`aws:SourceIp`).
    Ip(IpAddr),
    /// Raw bytes, compared with BinaryEquals against the policy's base64 values.
    Binary(Vec<u8>),
}

impl From<&str> for ContextValue {
    fn from(s: &str) -> Self {
        ContextValue::String(s.to_owned())
    }
}
impl From<String> for ContextValue {
    fn from(s: String) -> Self {
        ContextValue::String(s)
    }
}
impl From<Vec<String>> for ContextValue {
    fn from(v: Vec<String>) -> Self {
        ContextValue::Strings(v)
    }
}
impl From<&[&str]> for ContextValue {
    fn from(v: &[&str]) -> Self {
        ContextValue::Strings(v.iter().map(|s| (*s).to_owned()).collect())
    }
}
impl From<bool> for ContextValue {
    fn from(b: bool) -> Self {
        ContextValue::Bool(b)
    }
}
impl From<f64> for ContextValue {
    fn from(n: f64) -> Self {
        ContextValue::Number(n)
    }
}
impl From<i64> for ContextValue {
    #[expect(
        clippy::cast_precision_loss,
        reason = "context numbers above 2^53 are not meaningful in IAM"
    )]
    fn from(n: i64) -> Self {
        ContextValue::Number(n as f64)
    }
}
impl From<OffsetDateTime> for ContextValue {
    fn from(d: OffsetDateTime) -> Self {
        ContextValue::Date(d)
    }
}
impl From<IpAddr> for ContextValue {
    fn from(ip: IpAddr) -> Self {
        ContextValue::Ip(ip)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    value: ContextValue,
    /// The text of a single non-string value, rendered once on insert so that
    /// string operators and policy variables can read it without allocating.
    text: Option<String>,
}

/// The context keys of a request. Keys are case-insensitive (IAM User Guide,
/// "IAM JSON policy elements: Condition": condition key names are not case-sensitive);
/// values keep their case.
///
/// Time is an input like any other: set `aws:CurrentTime` and `aws:EpochTime`
/// with [`Context::set_now`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    entries: BTreeMap<String, Entry>,
}

/// One value of a context key, as the condition operators read it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Item<'a> {
    pub value: ItemValue<'a>,
    pub text: Option<&'a str>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum ItemValue<'a> {
    Str(&'a str),
    Num(f64),
    Date(i128),
    Bool(bool),
    Ip(IpAddr),
    Bin(&'a [u8]),
}

impl Item<'_> {
    pub fn number(&self) -> Option<f64> {
        match self.value {
            ItemValue::Num(n) => Some(n),
            ItemValue::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// Nanoseconds since the epoch; numbers are epoch seconds.
    pub fn instant(&self) -> Option<i128> {
        match self.value {
            ItemValue::Date(d) => Some(d),
            #[expect(
                clippy::cast_possible_truncation,
                reason = "epoch seconds fit in i128 nanoseconds"
            )]
            ItemValue::Num(n) => Some((n * 1e9) as i128),
            ItemValue::Str(s) => parse_instant(s),
            _ => None,
        }
    }

    pub fn boolean(&self) -> Option<bool> {
        match self.value {
            ItemValue::Bool(b) => Some(b),
            ItemValue::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
            ItemValue::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    pub fn ip(&self) -> Option<IpAddr> {
        match self.value {
            ItemValue::Ip(ip) => Some(ip),
            ItemValue::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` (any case) to `value`, replacing an earlier value.
    pub fn insert(&mut self, key: &str, value: impl Into<ContextValue>) -> &mut Self {
        let value = value.into();
        let text = match &value {
            ContextValue::String(_) | ContextValue::Strings(_) => None,
            ContextValue::Number(n) => Some(render_number(*n)),
            ContextValue::Bool(b) => Some(b.to_string()),
            ContextValue::Date(d) => d.format(&Rfc3339).ok(),
            ContextValue::Ip(ip) => Some(ip.to_string()),
            ContextValue::Binary(b) => {
                use base64::Engine;
                Some(base64::engine::general_purpose::STANDARD.encode(b))
            }
        };
        self.entries.insert(key.to_lowercase(), Entry { value, text });
        self
    }

    /// Builder form of [`Context::insert`].
    #[must_use]
    pub fn with(mut self, key: &str, value: impl Into<ContextValue>) -> Self {
        self.insert(key, value);
        self
    }

    /// Sets `aws:CurrentTime` and `aws:EpochTime` to `now` (the crate never reads a clock).
    pub fn set_now(&mut self, now: OffsetDateTime) -> &mut Self {
        self.insert("aws:CurrentTime", now);
        self.insert("aws:EpochTime", now.unix_timestamp());
        self
    }

    /// The value of `key` (any case).
    pub fn get(&self, key: &str) -> Option<&ContextValue> {
        self.entries.get(&key.to_lowercase()).map(|e| &e.value)
    }

    /// The keys (lower-cased) and values.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ContextValue)> {
        self.entries.iter().map(|(k, e)| (k.as_str(), &e.value))
    }

    /// The entry of an (already lower-cased) key: look it up once, then ask
    /// [`Entry::present`] and [`Entry::items`].
    pub(crate) fn entry(&self, key_lower: &str) -> Option<&Entry> {
        self.entries.get(key_lower)
    }

    /// Is the (already lower-cased) key present with at least one value?
    pub(crate) fn present(&self, key_lower: &str) -> bool {
        Entry::present(self.entry(key_lower))
    }
}

impl Entry {
    /// Is the key present with at least one value?
    pub(crate) fn present(entry: Option<&Entry>) -> bool {
        match entry.map(|e| &e.value) {
            None => false,
            Some(ContextValue::Strings(v)) => !v.is_empty(),
            Some(_) => true,
        }
    }

    /// The values of the key: one for single-valued keys, none when absent.
    pub(crate) fn items(entry: Option<&Entry>) -> impl Iterator<Item = Item<'_>> {
        let (single, many): (Option<Item<'_>>, &[String]) = match entry {
            None => (None, &[]),
            Some(Entry {
                value: ContextValue::Strings(v),
                ..
            }) => (None, v.as_slice()),
            Some(e) => (Some(single_item(e)), &[]),
        };
        single.into_iter().chain(many.iter().map(|s| Item {
            value: ItemValue::Str(s),
            text: Some(s),
        }))
    }
}

fn single_item(e: &Entry) -> Item<'_> {
    let value = match &e.value {
        ContextValue::String(s) => {
            return Item {
                value: ItemValue::Str(s),
                text: Some(s),
            };
        }
        ContextValue::Number(n) => ItemValue::Num(*n),
        ContextValue::Bool(b) => ItemValue::Bool(*b),
        ContextValue::Date(d) => ItemValue::Date(d.unix_timestamp_nanos()),
        ContextValue::Ip(ip) => ItemValue::Ip(*ip),
        ContextValue::Binary(b) => ItemValue::Bin(b),
        ContextValue::Strings(_) => ItemValue::Str(""),
    };
    Item {
        value,
        text: e.text.as_deref(),
    }
}

fn render_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{n:.0}")
    } else {
        n.to_string()
    }
}

impl Vars for Context {
    /// Policy variables read single-valued keys only (IAM User Guide, "Single-valued vs.
    /// multivalued context keys": multivalued keys cannot be policy variables).
    fn var(&self, key: &str) -> Option<&str> {
        let e = self.entries.get(key)?;
        match &e.value {
            ContextValue::String(s) => Some(s),
            ContextValue::Strings(_) => None,
            _ => e.text.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_case_insensitive_values_are_not() {
        let ctx = Context::new().with("AWS:UserName", "Bob");
        assert_eq!(ctx.get("aws:username"), Some(&ContextValue::String("Bob".into())));
        assert_eq!(ctx.var("aws:username"), Some("Bob"));
    }

    #[test]
    fn now_sets_both_time_keys() {
        let mut ctx = Context::new();
        ctx.set_now(time::macros::datetime!(2020-01-01 00:00 UTC));
        assert_eq!(ctx.var("aws:epochtime"), Some("1577836800"));
        assert_eq!(ctx.var("aws:currenttime"), Some("2020-01-01T00:00:00Z"));
    }
}
