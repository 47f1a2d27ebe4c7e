//! The models' `pattern` traits are Java regular expressions, matched against the whole value (Java's
//! `Matcher.matches()`, which is how AWS's Coral validator applies them: IAM rejects `bob smith` against
//! `[\w+=,.@-]+`). This module translates them to the `regex` crate's syntax and caches each compiled
//! pattern.
//!
//! Translation:
//! - `\uXXXX` -> `\x{XXXX}`; the models' `\u10000-\u10FFFF` (5-6 digits, meant as the supplementary planes
//!   although Java would read `\u1000` then `0`) is read as the code points AWS intends.
//! - `\w`, `\d`, `\s` and their negations are ASCII in Java (`[a-zA-Z_0-9]`, `[0-9]`, `[ \t\n\x0B\f\r]`) but
//!   Unicode in `regex`: they are spelled out.
//! - Look-around, which `regex` lacks, appears in two of the vendored patterns; each is rewritten by hand
//!   into "matches A and does not contain B" (see [`LOOKAROUND_REWRITES`]).
//!
//! A pattern that still does not compile is not enforced; a test asserts every pattern of the five vendored
//! models compiles.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use regex::Regex;

/// A compiled pattern: the value must match every `must` and no `must_not`.
#[derive(Debug)]
pub(crate) struct Compiled {
    must: Vec<Regex>,
    must_not: Vec<Regex>,
}

impl Compiled {
    pub(crate) fn is_match(&self, s: &str) -> bool {
        self.must.iter().all(|r| r.is_match(s)) && !self.must_not.iter().any(|r| r.is_match(s))
    }
}

/// Java patterns with look-around, rewritten as (full-match patterns, forbidden substrings).
const LOOKAROUND_REWRITES: &[(&str, &[&str], &[&str])] = &[
    // "does not end with a dot"
    (
        r"^[0-9A-Za-z\.\-_]*(?<!\.)$",
        &[r"^[0-9A-Za-z\.\-_]*$"],
        &[r"\.$"],
    ),
    // "a hyphen is never followed by another hyphen"
    (
        r"^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$",
        &[r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$"],
        &["--"],
    ),
];

const JAVA_SPACE: &str = r" \t\n\x0B\x0C\r";

/// Translates a Java regular expression to `regex` syntax, or `None` if it uses what cannot be translated.
pub(crate) fn translate(java: &str) -> Option<String> {
    let chars: Vec<char> = java.chars().collect();
    let mut out = String::with_capacity(java.len() + 16);
    let mut in_class = 0usize;
    let mut i = 0usize;
    while let Some(&c) = chars.get(i) {
        i += 1;
        match c {
            '[' => {
                in_class += 1;
                out.push('[');
                // `[]...]` and `[^]...]` are not used by the models; `regex` would read them the same.
            }
            ']' if in_class > 0 => {
                in_class -= 1;
                out.push(']');
            }
            '(' if chars.get(i) == Some(&'?') => {
                let next = chars.get(i + 1).copied();
                let after = chars.get(i + 2).copied();
                let lookaround = matches!(next, Some('=' | '!'))
                    || (next == Some('<') && matches!(after, Some('=' | '!')));
                if lookaround {
                    return None;
                }
                out.push('(');
            }
            '\\' => {
                let e = *chars.get(i)?;
                i += 1;
                let class = in_class > 0;
                match e {
                    'u' => {
                        let hex: String = chars
                            .iter()
                            .skip(i)
                            .take(6)
                            .take_while(|c| c.is_ascii_hexdigit())
                            .collect();
                        let four = hex.get(..4)?;
                        let (digits, used) = match u32::from_str_radix(&hex, 16) {
                            Ok(v) if hex.len() > 4 && (0x10000..=0x10FFFF).contains(&v) => {
                                (hex.clone(), hex.len())
                            }
                            _ => (four.to_owned(), 4),
                        };
                        let cp = u32::from_str_radix(&digits, 16).ok()?;
                        char::from_u32(cp)?;
                        i += used;
                        out.push_str(&format!("\\x{{{digits}}}"));
                    }
                    'w' if class => out.push_str("0-9A-Za-z_"),
                    'w' => out.push_str("[0-9A-Za-z_]"),
                    'W' => out.push_str("[^0-9A-Za-z_]"),
                    'd' if class => out.push_str("0-9"),
                    'd' => out.push_str("[0-9]"),
                    'D' => out.push_str("[^0-9]"),
                    's' if class => out.push_str(JAVA_SPACE),
                    's' => out.push_str(&format!("[{JAVA_SPACE}]")),
                    'S' => out.push_str(&format!("[^{JAVA_SPACE}]")),
                    'p' | 'P' | 'x' | 't' | 'n' | 'r' | 'f' | 'b' | 'B' | 'A' | 'z' => {
                        out.push('\\');
                        out.push(e);
                    }
                    'Z' => out.push_str(r"\z"),
                    e if e.is_ascii_punctuation() || e == ' ' => {
                        out.push('\\');
                        out.push(e);
                    }
                    _ => return None,
                }
            }
            c => out.push(c),
        }
    }
    Some(out)
}

fn full(re: &str) -> Option<Regex> {
    Regex::new(&format!("^(?:{re})$")).ok()
}

fn compile_uncached(java: &str) -> Option<Compiled> {
    if let Some((_, must, must_not)) = LOOKAROUND_REWRITES.iter().find(|(p, _, _)| *p == java) {
        let must = must.iter().map(|p| full(p)).collect::<Option<Vec<_>>>()?;
        let must_not = must_not
            .iter()
            .map(|p| Regex::new(p).ok())
            .collect::<Option<Vec<_>>>()?;
        return Some(Compiled { must, must_not });
    }
    let re = full(&translate(java)?)?;
    Some(Compiled {
        must: vec![re],
        must_not: Vec::new(),
    })
}

type Cache = RwLock<HashMap<String, Option<Arc<Compiled>>>>;
static CACHE: LazyLock<Cache> = LazyLock::new(|| RwLock::new(HashMap::new()));

/// The compiled form of a model pattern, compiled once per process. `None` if it cannot be translated.
pub(crate) fn compile(java: &str) -> Option<Arc<Compiled>> {
    if let Some(hit) = CACHE.read().ok().and_then(|c| c.get(java).cloned()) {
        return hit;
    }
    let compiled = compile_uncached(java).map(Arc::new);
    if let Ok(mut c) = CACHE.write() {
        c.insert(java.to_owned(), compiled.clone());
    }
    compiled
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        compile(p).unwrap().is_match(s)
    }

    #[test]
    fn java_semantics() {
        assert!(m(r"[\w+=,.@-]+", "bob.smith@example.com"));
        assert!(!m(r"[\w+=,.@-]+", "bob smith"), "whole-string match");
        assert!(!m(r"[\w+=,.@-]+", "bøb"), r"\w is ASCII in Java");
        assert!(m(r"[\w+=,.@-]+", "a_1"));
        assert!(m(r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)", "/"));
        assert!(m(r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)", "/a/b/"));
        assert!(!m(r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)", "/a b/"));
        let policy = r"[\u0009\u000A\u000D\u0020-\u00FF]+";
        assert!(m(policy, "{\n\t\"Version\": \"2012-10-17\"}"));
        assert!(!m(policy, "\u{1F600}"));
        let wide = r"[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+";
        assert!(m(wide, "emoji \u{1F600} ok"));
        assert!(!m(wide, "\u{1}"));
        assert!(m(r"[\S]+", "abc"));
        assert!(!m(r"[\S]+", "a c"));
        assert!(m(r"[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*", "Hello, wörld *"));
    }

    #[test]
    fn lookaround_rewrites() {
        let p = r"^[0-9A-Za-z\.\-_]*(?<!\.)$";
        assert!(m(p, "abc.def"));
        assert!(m(p, ""));
        assert!(!m(p, "abc."));
        let d = r"^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$";
        assert!(m(d, "my-domain"));
        assert!(!m(d, "my--domain"));
        assert!(!m(d, "-abc"));
    }
}
