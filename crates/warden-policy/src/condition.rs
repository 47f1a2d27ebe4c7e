//! The Condition element: operators, their compiled values, and evaluation.
//!
//! Rules (IAM User Guide, "IAM JSON policy elements: Condition operators" and
//! "Conditions with multiple context keys or values"):
//! - several operators, and several keys under one operator, are AND; several
//!   values for one key are OR (NOR for negated operators);
//! - a key missing from the request makes the condition false, except for the
//!   negated operators (true), `...IfExists` (true) and `Null`;
//! - `ForAllValues:` is true when the key is missing or empty; `ForAnyValue:` is false.

use std::borrow::Cow;
use std::net::IpAddr;

use base64::Engine;
use ipnet::IpNet;
use smol_str::SmolStr;

use crate::context::{Context, Entry, Item, ItemValue};
use crate::date::parse_instant;
use crate::json::{Json, Node};
use crate::pattern::{ArnPattern, Pattern, Syntax, Vars};

/// The operator family without qualifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Base {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

const BASES: [(&str, Base); 27] = [
    ("StringEquals", Base::StringEquals),
    ("StringNotEquals", Base::StringNotEquals),
    ("StringEqualsIgnoreCase", Base::StringEqualsIgnoreCase),
    ("StringNotEqualsIgnoreCase", Base::StringNotEqualsIgnoreCase),
    ("StringLike", Base::StringLike),
    ("StringNotLike", Base::StringNotLike),
    ("NumericEquals", Base::NumericEquals),
    ("NumericNotEquals", Base::NumericNotEquals),
    ("NumericLessThan", Base::NumericLessThan),
    ("NumericLessThanEquals", Base::NumericLessThanEquals),
    ("NumericGreaterThan", Base::NumericGreaterThan),
    ("NumericGreaterThanEquals", Base::NumericGreaterThanEquals),
    ("DateEquals", Base::DateEquals),
    ("DateNotEquals", Base::DateNotEquals),
    ("DateLessThan", Base::DateLessThan),
    ("DateLessThanEquals", Base::DateLessThanEquals),
    ("DateGreaterThan", Base::DateGreaterThan),
    ("DateGreaterThanEquals", Base::DateGreaterThanEquals),
    ("Bool", Base::Bool),
    ("BinaryEquals", Base::BinaryEquals),
    ("IpAddress", Base::IpAddress),
    ("NotIpAddress", Base::NotIpAddress),
    ("ArnEquals", Base::ArnEquals),
    ("ArnLike", Base::ArnLike),
    ("ArnNotEquals", Base::ArnNotEquals),
    ("ArnNotLike", Base::ArnNotLike),
    ("Null", Base::Null),
];

impl Base {
    /// Negated operators match when none of the policy's values match.
    fn negated(self) -> bool {
        matches!(
            self,
            Base::StringNotEquals
                | Base::StringNotEqualsIgnoreCase
                | Base::StringNotLike
                | Base::NumericNotEquals
                | Base::DateNotEquals
                | Base::NotIpAddress
                | Base::ArnNotEquals
                | Base::ArnNotLike
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Qualifier {
    None,
    ForAllValues,
    ForAnyValue,
}

/// A condition operator as written: `[ForAllValues:|ForAnyValue:]Base[IfExists]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Operator {
    base: Base,
    qualifier: Qualifier,
    if_exists: bool,
}

impl Operator {
    /// Operator names are case-sensitive, as IAM's validator treats them.
    pub fn parse(name: &str) -> Option<Operator> {
        let (qualifier, rest) = if let Some(r) = name.strip_prefix("ForAllValues:") {
            (Qualifier::ForAllValues, r)
        } else if let Some(r) = name.strip_prefix("ForAnyValue:") {
            (Qualifier::ForAnyValue, r)
        } else {
            (Qualifier::None, name)
        };
        let (if_exists, rest) = match rest.strip_suffix("IfExists") {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let base = BASES.iter().find(|(n, _)| *n == rest)?.1;
        Some(Operator {
            base,
            qualifier,
            if_exists,
        })
    }
}

/// Policy values pre-parsed for their operator. A value that doesn't parse
/// (a non-number under NumericEquals) never matches.
#[derive(Debug, Clone, PartialEq)]
enum Values {
    Str(Vec<Pattern>),
    Arn(Vec<ArnPattern>),
    Num(Vec<Option<f64>>),
    Date(Vec<Option<i128>>),
    Bool(Vec<Option<bool>>),
    Ip(Vec<Option<IpNet>>),
    Bin(Vec<(String, Option<Vec<u8>>)>),
}

/// One `operator: { key: values }` pair.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Condition {
    op: Operator,
    /// The key as written, for GetContextKeysForPolicy (inline up to 23 bytes).
    key: SmolStr,
    /// The key lower-cased, for lookups.
    key_lower: SmolStr,
    values: Values,
}

fn scalar_text<'r>(v: &'r Json<'_>) -> Option<Cow<'r, str>> {
    match v {
        Json::String(s) | Json::Number(s) => Some(Cow::Borrowed(*s)),
        Json::Bool(true) => Some(Cow::Borrowed("true")),
        Json::Bool(false) => Some(Cow::Borrowed("false")),
        _ => None,
    }
}

fn parse_cidr(s: &str) -> Option<IpNet> {
    let s = s.trim();
    s.parse::<IpNet>()
        .ok()
        .or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))
}

impl Condition {
    /// Compiles the conditions of one statement; unknown operators (accepted by
    /// validation only with an empty body) contribute nothing.
    pub fn compile_all(node: &Node, variables: bool) -> Vec<Condition> {
        let Json::Object(ops) = &node.value else {
            return Vec::new();
        };
        let count = ops
            .iter()
            .map(|(_, body)| match body.value {
                Json::Object(entries) => entries.len(),
                _ => 0,
            })
            .sum();
        let mut out = Vec::with_capacity(count);
        for (name, body) in ops.iter() {
            let (Some(op), Json::Object(entries)) = (Operator::parse(name), &body.value) else {
                continue;
            };
            for (key, value) in entries.iter() {
                let items = match &value.value {
                    Json::Array(items) => items,
                    _ => std::slice::from_ref(value),
                };
                let key_lower = if key.is_ascii() {
                    smol_str::StrExt::to_ascii_lowercase_smolstr(*key)
                } else {
                    SmolStr::new(key.to_lowercase())
                };
                out.push(Condition {
                    op,
                    key: SmolStr::new(key),
                    key_lower,
                    values: compile_values(op.base, items, variables),
                });
            }
        }
        out
    }

    /// The key as written, for GetContextKeysForPolicy.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The key lower-cased, for lookups.
    pub fn key_lower(&self) -> &str {
        &self.key_lower
    }

    /// The lower-cased keys of the policy variables in this condition's values.
    pub fn var_keys(&self) -> Vec<(&str, bool)> {
        match &self.values {
            Values::Str(ps) => ps.iter().flat_map(Pattern::var_keys).collect(),
            Values::Arn(ps) => ps
                .iter()
                .flat_map(|p| p.iter())
                .flat_map(Pattern::var_keys)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Evaluates against the request; `None` when a policy variable the values
    /// need is missing (the statement then does not apply).
    #[cfg(test)]
    pub fn eval(&self, ctx: &Context) -> Option<bool> {
        self.eval_entry(ctx.entry(self.key_lower()), ctx)
    }

    /// [`Condition::eval`] with the key's entry already looked up (`ctx.entry(self.key_lower())`).
    pub fn eval_entry(&self, entry: Option<&Entry>, ctx: &Context) -> Option<bool> {
        let base = self.op.base;
        let present = Entry::present(entry);
        if base == Base::Null {
            let Values::Bool(wanted) = &self.values else {
                return Some(false);
            };
            // "Null": true means "the key is absent".
            return Some(wanted.iter().flatten().any(|&is_null| is_null != present));
        }
        if !present {
            if self.op.if_exists {
                return Some(true);
            }
            return Some(match self.op.qualifier {
                Qualifier::ForAllValues => true,
                Qualifier::ForAnyValue => false,
                Qualifier::None => base.negated(),
            });
        }
        let negated = base.negated();
        let mut any = false;
        let mut all = true;
        for item in Entry::items(entry) {
            let hit = self.any_value_matches(&item, ctx)?;
            let per_value = hit != negated;
            any |= per_value;
            all &= per_value;
        }
        Some(match self.op.qualifier {
            Qualifier::ForAllValues => all,
            Qualifier::ForAnyValue => any,
            // Without a qualifier, a multivalued key behaves as "any value matches"
            // (for negated operators: "no value matches").
            Qualifier::None if negated => all,
            Qualifier::None => any,
        })
    }

    /// Does one request value match any of the policy's values (under the
    /// operator's positive form)?
    fn any_value_matches(&self, item: &Item<'_>, ctx: &Context) -> Option<bool> {
        let base = self.op.base;
        let vars: &dyn Vars = ctx;
        Some(match &self.values {
            Values::Str(patterns) => {
                let Some(text) = item.text else { return Some(false) };
                let ignore_case = matches!(
                    base,
                    Base::StringEqualsIgnoreCase | Base::StringNotEqualsIgnoreCase
                );
                let mut hit = false;
                for p in patterns {
                    hit |= p.matches(text, vars, ignore_case)?;
                }
                hit
            }
            Values::Arn(patterns) => {
                let Some(text) = item.text else { return Some(false) };
                let mut hit = false;
                for p in patterns {
                    hit |= arn_matches(p, &Arn::new(text), vars)?;
                }
                hit
            }
            Values::Num(ns) => item
                .number()
                .is_some_and(|v| ns.iter().flatten().any(|&n| compare(base, v, n))),
            Values::Date(ds) => item
                .instant()
                .is_some_and(|v| ds.iter().flatten().any(|&d| compare(base, v, d))),
            Values::Bool(bs) => item
                .boolean()
                .is_some_and(|v| bs.iter().flatten().any(|&b| b == v)),
            Values::Ip(nets) => item
                .ip()
                .is_some_and(|ip| nets.iter().flatten().any(|n| n.contains(&ip))),
            Values::Bin(bins) => bins.iter().any(|(text, bytes)| match item.value {
                ItemValue::Bin(b) => bytes.as_deref() == Some(b),
                _ => item.text == Some(text.as_str()),
            }),
        })
    }
}

fn compare<T: PartialOrd>(base: Base, request: T, policy: T) -> bool {
    match base {
        Base::NumericLessThan | Base::DateLessThan => request < policy,
        Base::NumericLessThanEquals | Base::DateLessThanEquals => request <= policy,
        Base::NumericGreaterThan | Base::DateGreaterThan => request > policy,
        Base::NumericGreaterThanEquals | Base::DateGreaterThanEquals => request >= policy,
        _ => request == policy,
    }
}

fn compile_values(base: Base, items: &[Node<'_>], variables: bool) -> Values {
    let syntax = |wildcards: bool, lowercase: bool| Syntax {
        wildcards,
        variables,
        lowercase,
    };
    let texts = || items.iter().filter_map(|n| scalar_text(&n.value));
    match base {
        Base::StringEquals | Base::StringNotEquals => Values::Str(
            texts()
                .map(|t| Pattern::compile(&t, syntax(false, false)))
                .collect(),
        ),
        Base::StringEqualsIgnoreCase | Base::StringNotEqualsIgnoreCase => Values::Str(
            texts()
                .map(|t| Pattern::compile(&t, syntax(false, true)))
                .collect(),
        ),
        Base::StringLike | Base::StringNotLike => Values::Str(
            texts()
                .map(|t| Pattern::compile(&t, syntax(true, false)))
                .collect(),
        ),
        Base::ArnEquals | Base::ArnLike | Base::ArnNotEquals | Base::ArnNotLike => Values::Arn(
            texts()
                .map(|t| crate::pattern::compile_arn(&t, syntax(true, false)))
                .collect(),
        ),
        Base::NumericEquals
        | Base::NumericNotEquals
        | Base::NumericLessThan
        | Base::NumericLessThanEquals
        | Base::NumericGreaterThan
        | Base::NumericGreaterThanEquals => Values::Num(texts().map(|t| t.trim().parse().ok()).collect()),
        Base::DateEquals
        | Base::DateNotEquals
        | Base::DateLessThan
        | Base::DateLessThanEquals
        | Base::DateGreaterThan
        | Base::DateGreaterThanEquals => Values::Date(texts().map(|t| parse_instant(&t)).collect()),
        Base::Bool | Base::Null => Values::Bool(
            texts()
                .map(|t| {
                    if t.eq_ignore_ascii_case("true") {
                        Some(true)
                    } else if t.eq_ignore_ascii_case("false") {
                        Some(false)
                    } else {
                        None
                    }
                })
                .collect(),
        ),
        Base::IpAddress | Base::NotIpAddress => Values::Ip(texts().map(|t| parse_cidr(&t)).collect()),
        Base::BinaryEquals => Values::Bin(
            texts()
                .map(|t| {
                    let bytes = base64::engine::general_purpose::STANDARD.decode(t.trim()).ok();
                    (t.into_owned(), bytes)
                })
                .collect(),
        ),
    }
}

/// An ARN split once at its first five colons, so that each ARN pattern of
/// each statement reads its fields without splitting again.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Arn<'a> {
    text: &'a str,
    /// Byte offsets of the first `colons` colons.
    colon_at: [usize; 5],
    colons: usize,
}

impl<'a> Arn<'a> {
    pub fn new(text: &'a str) -> Arn<'a> {
        let mut colon_at = [0; 5];
        let mut colons = 0;
        for (slot, (i, _)) in colon_at
            .iter_mut()
            .zip(text.bytes().enumerate().filter(|&(_, b)| b == b':'))
        {
            *slot = i;
            colons += 1;
        }
        Arn {
            text,
            colon_at,
            colons,
        }
    }

    /// Field `i` when the ARN is cut into at most `n` fields, the last one
    /// keeping its colons: what `text.splitn(n, ':').nth(i)` gives.
    fn field(&self, i: usize, n: usize) -> Option<&'a str> {
        if i >= n || i > self.colons {
            return None;
        }
        let start = match i.checked_sub(1) {
            None => 0,
            Some(k) => self.colon_at.get(k)? + 1,
        };
        let end = if i + 1 == n || i == self.colons {
            self.text.len()
        } else {
            *self.colon_at.get(i)?
        };
        self.text.get(start..end)
    }
}

/// Matches an ARN field by field: the first five colon-separated fields one
/// by one, and the last pattern field against the rest of the ARN, so that a
/// wildcard can cross `/` and `:` inside the resource part but never spans
/// the partition, service, region or account fields. `None` when a policy
/// variable a field needs is missing (the statement then does not apply,
/// whatever the other fields say).
pub(crate) fn arn_matches(fields: &[Pattern], arn: &Arn<'_>, vars: &dyn Vars) -> Option<bool> {
    if let [only] = fields
        && only.is_star()
    {
        return Some(true);
    }
    for field in fields {
        field.vars_present(vars)?;
    }
    // INVARIANT: with every variable present, `Pattern::matches` never answers
    // `None`, so the fields may be checked in any order: the resource part (the
    // last field, the most selective) first.
    let n = fields.len();
    let Some((last, rest)) = fields.split_last() else {
        return Some(true);
    };
    let field_matches = |i: usize, field: &Pattern| match arn.field(i, n) {
        Some(part) => field.matches(part, vars, false),
        None => Some(false),
    };
    if field_matches(n - 1, last) != Some(true) {
        return Some(false);
    }
    for (i, field) in rest.iter().enumerate() {
        if field_matches(i, field) != Some(true) {
            return Some(false);
        }
    }
    Some(true)
}

#[cfg(test)]
#[path = "condition_tests.rs"]
mod tests;
