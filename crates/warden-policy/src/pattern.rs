//! Compiled text patterns: literals, the `*` and `?` wildcards and policy
//! variables (`${aws:username}`, `${key, 'default'}`, escapes `${*}` `${?}` `${$}`).
//!
//! A pattern is compiled once into tokens, and matched without allocating:
//! a variable's value is read from the request context while matching, so a
//! `*` inside a tag value stays a literal star (IAM User Guide, "IAM policy
//! elements: Variables and tags": special characters).

use std::borrow::Cow;

use smol_str::{SmolStr, SmolStrBuilder, StrExt};

/// Something that gives the value of a policy variable by its lower-cased key.
pub(crate) trait Vars {
    fn var(&self, key: &str) -> Option<&str>;
}

/// No variables at all (policy version 2008-10-17 or a value without `${`).
pub(crate) struct NoVars;

impl Vars for NoVars {
    fn var(&self, _: &str) -> Option<&str> {
        None
    }
}

/// A byte range of a pattern's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    /// Literal text: a span of the pattern's text.
    Lit(Span),
    /// `*`: any run of characters, including none.
    Star,
    /// `?`: exactly one character.
    Quest,
    /// `${key}` with the key lower-cased (keys are case-insensitive) and an optional default.
    Var { key: Span, default: Option<Span> },
}

/// How to read a pattern's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Syntax {
    /// `*` and `?` are wildcards (Action, Resource, StringLike, ArnLike), not literals (StringEquals).
    pub wildcards: bool,
    /// `${...}` is a policy variable (only in version 2012-10-17 documents).
    pub variables: bool,
    /// Lower-case the literal text (case-insensitive matching: actions, `...IgnoreCase`).
    pub lowercase: bool,
}

/// The shape of a pattern, decided once at compile time so that the common
/// cases skip the general matcher and need no token list at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// No tokens: matches only the empty text.
    Empty,
    /// `*`.
    Any,
    /// `literal`: the whole text.
    Exact,
    /// `literal*`: the whole text.
    Prefix,
    /// `*literal`: the whole text.
    Suffix,
    /// `literal*literal`: the text, cut at this byte offset.
    PrefixSuffix(usize),
    /// Anything else (`?`, several stars, variables): the token list and the general matcher.
    General,
}

/// A compiled pattern: its literal text (lower-cased when matching ignores
/// case; variable keys and defaults too), and for the general shape the
/// tokens that cut it up. The text is inline up to 23 bytes, so the common
/// shapes of the common lengths cost no allocation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pattern {
    text: SmolStr,
    /// Empty unless the shape is `General`.
    tokens: Vec<Token>,
    shape: Shape,
    has_vars: bool,
    /// Every literal is ASCII (so case-insensitive comparisons can work on bytes).
    ascii: bool,
}

/// `text` against an ASCII literal, ignoring ASCII case; `None` when the text
/// isn't ASCII there (then the general matcher decides, with Unicode case folding).
fn ascii_eq_ignore_case(lit: &[u8], text: &[u8]) -> Option<bool> {
    if lit.eq_ignore_ascii_case(text) {
        // Equal under ASCII folding to an ASCII literal: the text is ASCII too.
        Some(true)
    } else if text.is_ascii() {
        Some(false)
    } else {
        None
    }
}

/// Collects tokens and their text; `finish` decides the shape.
#[derive(Default)]
struct Builder {
    text: SmolStrBuilder,
    tokens: Vec<Token>,
}

impl Builder {
    fn span(&mut self, s: &str) -> Span {
        let start = self.text.len();
        self.text.push_str(s);
        Span {
            start,
            end: self.text.len(),
        }
    }

    /// Literal text, merged with a literal just before it.
    fn lit(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        let span = self.span(s);
        match self.tokens.last_mut() {
            Some(Token::Lit(last)) if last.end == span.start => last.end = span.end,
            _ => self.tokens.push(Token::Lit(span)),
        }
    }

    fn var(&mut self, key: &str, default: Option<&str>) {
        let key = self.span(key);
        let default = default.map(|d| self.span(d));
        self.tokens.push(Token::Var { key, default });
    }

    fn finish(self) -> Pattern {
        let has_vars = self.tokens.iter().any(|t| matches!(t, Token::Var { .. }));
        let shape = match self.tokens.as_slice() {
            _ if has_vars => Shape::General,
            [] => Shape::Empty,
            [Token::Star] => Shape::Any,
            [Token::Lit(_)] => Shape::Exact,
            [Token::Lit(_), Token::Star] => Shape::Prefix,
            [Token::Star, Token::Lit(_)] => Shape::Suffix,
            [Token::Lit(a), Token::Star, Token::Lit(_)] => Shape::PrefixSuffix(a.end),
            _ => Shape::General,
        };
        let ascii = self.tokens.iter().all(|t| match t {
            Token::Lit(span) => span_text(self.text.as_str(), *span).is_ascii(),
            _ => true,
        });
        // INVARIANT: without variables the text is the literals, in order, so the
        // simple shapes need only the text (and the cut for PrefixSuffix).
        let tokens = if shape == Shape::General {
            self.tokens
        } else {
            Vec::new()
        };
        Pattern {
            text: self.text.finish(),
            tokens,
            shape,
            has_vars,
            ascii,
        }
    }
}

fn span_text(text: &str, span: Span) -> &str {
    text.get(span.start..span.end).unwrap_or("")
}

impl Pattern {
    pub fn compile(text: &str, syntax: Syntax) -> Pattern {
        if let Some(simple) = Pattern::compile_simple(text, syntax) {
            return simple;
        }
        if !syntax.lowercase {
            return Pattern::compile_bytes(text, syntax);
        }
        Pattern::compile_chars(text, syntax)
    }

    /// The general compiler without lower-casing: literal runs are copied as
    /// they are, so where a run is cut does not matter (adjacent literals merge)
    /// and the text can be scanned byte by byte (`*`, `?`, `$`, `{`, `}` are ASCII,
    /// so every cut is a char boundary). What [`Pattern::compile_chars`] gives.
    fn compile_bytes(text: &str, syntax: Syntax) -> Pattern {
        let mut b = Builder::default();
        let bytes = text.as_bytes();
        let mut run = 0;
        let mut i = 0;
        while let Some(&c) = bytes.get(i) {
            if syntax.variables
                && c == b'$'
                && bytes.get(i + 1) == Some(&b'{')
                && let Some(close) = bytes.get(i + 2..).and_then(|r| r.iter().position(|&x| x == b'}'))
            {
                b.lit(text.get(run..i).unwrap_or(""));
                push_var(&mut b, text.get(i + 2..i + 2 + close).unwrap_or(""), false);
                i += 2 + close + 1;
                run = i;
                continue;
            }
            if syntax.wildcards && (c == b'*' || c == b'?') {
                b.lit(text.get(run..i).unwrap_or(""));
                b.tokens.push(if c == b'*' { Token::Star } else { Token::Quest });
                i += 1;
                run = i;
                continue;
            }
            i += 1;
        }
        b.lit(text.get(run..).unwrap_or(""));
        b.finish()
    }

    /// The general compiler, run by run: lower-casing is per run (as IAM's reference
    /// implementation cuts them), so the cuts are kept exactly.
    fn compile_chars(text: &str, syntax: Syntax) -> Pattern {
        let mut b = Builder::default();
        let mut rest = text;
        while !rest.is_empty() {
            if syntax.variables
                && let Some(body_and_rest) = rest.strip_prefix("${")
                && let Some(end) = body_and_rest.find('}')
            {
                let body = body_and_rest.get(..end).unwrap_or("");
                push_var(&mut b, body, syntax.lowercase);
                rest = body_and_rest.get(end + 1..).unwrap_or("");
                continue;
            }
            // A run of ordinary characters goes in at once.
            let special =
                |c: char| (syntax.wildcards && (c == '*' || c == '?')) || (syntax.variables && c == '$');
            let first_len = rest.chars().next().map_or(1, char::len_utf8);
            let run_end = if rest.starts_with(['*', '?']) {
                first_len
            } else {
                rest.char_indices()
                    .skip(1)
                    .find(|&(_, c)| special(c))
                    .map_or(rest.len(), |(i, _)| i)
            };
            let (head, tail) = rest.split_at_checked(run_end).unwrap_or((rest, ""));
            match head {
                "*" if syntax.wildcards => b.tokens.push(Token::Star),
                "?" if syntax.wildcards => b.tokens.push(Token::Quest),
                h if syntax.lowercase => b.lit(&h.to_lowercase()),
                h => b.lit(h),
            }
            rest = tail;
        }
        b.finish()
    }

    /// The common shapes without the general compiler: no variable, no `?`, at
    /// most one `*`, and (when lower-casing) ASCII text, so that lower-casing the
    /// pieces is lower-casing each run as `compile` does.
    fn compile_simple(text: &str, syntax: Syntax) -> Option<Pattern> {
        // One pass over the bytes: where the star is, and whether anything needs `compile`.
        let mut star = None;
        let mut prev = 0u8;
        for (i, &b) in text.as_bytes().iter().enumerate() {
            match b {
                b'*' if syntax.wildcards => {
                    if star.is_some() {
                        return None;
                    }
                    star = Some(i);
                }
                b'?' if syntax.wildcards => return None,
                b'{' if syntax.variables && prev == b'$' => return None,
                b if syntax.lowercase && !b.is_ascii() => return None,
                _ => {}
            }
            prev = b;
        }
        let (head, tail) = match star {
            // INVARIANT: `*` is ASCII, so both sides are char boundaries.
            Some(i) => (text.get(..i)?, Some(text.get(i + 1..)?)),
            None => (text, None),
        };
        // INVARIANT: when lower-casing, the text is ASCII (checked above).
        let joined = match tail {
            None => SmolStr::new(text),
            Some(t) => [head, t].into_iter().collect(),
        };
        let out = if syntax.lowercase && joined.bytes().any(|b| b.is_ascii_uppercase()) {
            joined.to_ascii_lowercase_smolstr()
        } else {
            joined
        };
        let cut = head.len();
        let shape = match (tail, cut == 0, out.len() == cut) {
            (None, true, _) => Shape::Empty,
            (None, false, _) => Shape::Exact,
            (Some(_), true, true) => Shape::Any,
            (Some(_), false, true) => Shape::Prefix,
            (Some(_), true, false) => Shape::Suffix,
            (Some(_), false, false) => Shape::PrefixSuffix(cut),
        };
        let ascii = out.is_ascii();
        Some(Pattern {
            text: out,
            tokens: Vec::new(),
            shape,
            has_vars: false,
            ascii,
        })
    }

    /// The tokens of any shape, for the general matcher and `split_arn`; the
    /// simple shapes' tokens are made up on the stack.
    fn with_tokens<R>(&self, f: impl FnOnce(&[Token]) -> R) -> R {
        let all = Span {
            start: 0,
            end: self.text.len(),
        };
        match self.shape {
            Shape::General => f(&self.tokens),
            Shape::Empty => f(&[]),
            Shape::Any => f(&[Token::Star]),
            Shape::Exact => f(&[Token::Lit(all)]),
            Shape::Prefix => f(&[Token::Lit(all), Token::Star]),
            Shape::Suffix => f(&[Token::Star, Token::Lit(all)]),
            Shape::PrefixSuffix(cut) => f(&[
                Token::Lit(Span { start: 0, end: cut }),
                Token::Star,
                Token::Lit(Span { start: cut, ..all }),
            ]),
        }
    }

    /// The common shapes (`*`, `literal`, `prefix*`, `*suffix`, `prefix*suffix`)
    /// without the general matcher; `None` when the pattern or text needs it.
    ///
    /// Case-sensitive: comparing the bytes of valid UTF-8 is comparing its
    /// characters, so no ASCII check is needed. Case-insensitive: the literals are
    /// lower-cased at compile time; only ASCII literals and ASCII text take the fast path.
    #[inline]
    fn fast(&self, text: &str, ignore_case: bool) -> Option<bool> {
        let t = text.as_bytes();
        let lit = self.text.as_bytes();
        let (head, tail) = match self.shape {
            Shape::Empty => return Some(t.is_empty()),
            Shape::Any => return Some(true),
            Shape::General => return None,
            Shape::PrefixSuffix(cut) => lit.split_at_checked(cut)?,
            _ => (lit, lit),
        };
        if !ignore_case {
            return Some(match self.shape {
                Shape::Exact => lit == t,
                Shape::Prefix => t.starts_with(lit),
                Shape::Suffix => t.ends_with(lit),
                _ => t.len() >= lit.len() && t.starts_with(head) && t.ends_with(tail),
            });
        }
        if !self.ascii {
            return None;
        }
        match self.shape {
            Shape::Exact => {
                if t.len() == lit.len() {
                    ascii_eq_ignore_case(lit, t)
                } else if t.is_ascii() {
                    Some(false)
                } else {
                    None
                }
            }
            Shape::Prefix => match t.get(..lit.len()) {
                Some(start) => ascii_eq_ignore_case(lit, start),
                None if t.is_ascii() => Some(false),
                None => None,
            },
            Shape::Suffix => match t.len().checked_sub(lit.len()).and_then(|i| t.get(i..)) {
                Some(end) => ascii_eq_ignore_case(lit, end),
                None if t.is_ascii() => Some(false),
                None => None,
            },
            _ => {
                if !t.is_ascii() {
                    return None;
                }
                Some(
                    t.len() >= lit.len()
                        && t.get(..head.len()).is_some_and(|h| h.eq_ignore_ascii_case(head))
                        && t.get(t.len() - tail.len()..)
                            .is_some_and(|x| x.eq_ignore_ascii_case(tail)),
                )
            }
        }
    }

    /// `None` when a variable the pattern needs (one without a default) is missing.
    pub fn vars_present(&self, vars: &dyn Vars) -> Option<()> {
        if self.has_vars {
            for (key, has_default) in self.var_keys() {
                if !has_default && vars.var(key).is_none() {
                    return None;
                }
            }
        }
        Some(())
    }

    /// True when the pattern is exactly `*`.
    pub fn is_star(&self) -> bool {
        self.shape == Shape::Any
    }

    /// The lower-cased keys of the variables the pattern uses.
    pub fn var_keys(&self) -> impl Iterator<Item = (&str, bool)> {
        self.tokens.iter().filter_map(|t| match t {
            Token::Var { key, default } => Some((span_text(&self.text, *key), default.is_some())),
            _ => None,
        })
    }

    /// Splits an ARN pattern into its first five colon-separated fields and the
    /// rest (the resource part keeps its colons). Colons inside a variable's
    /// value do not split. The reference for [`compile_arn`].
    #[cfg(test)]
    pub fn split_arn(&self) -> Vec<Pattern> {
        let mut parts = vec![Builder::default()];
        self.with_tokens(|tokens| {
            for token in tokens {
                match *token {
                    Token::Lit(span) => {
                        let s = span_text(&self.text, span);
                        let mut pieces = s.split(':').peekable();
                        while let Some(piece) = pieces.next() {
                            if let Some(last) = parts.last_mut() {
                                last.lit(piece);
                            }
                            if pieces.peek().is_some() {
                                if parts.len() < 6 {
                                    parts.push(Builder::default());
                                } else if let Some(last) = parts.last_mut() {
                                    last.lit(":");
                                }
                            }
                        }
                    }
                    Token::Var { key, default } => {
                        if let Some(last) = parts.last_mut() {
                            last.var(
                                span_text(&self.text, key),
                                default.map(|d| span_text(&self.text, d)),
                            );
                        }
                    }
                    t @ (Token::Star | Token::Quest) => {
                        if let Some(last) = parts.last_mut() {
                            last.tokens.push(t);
                        }
                    }
                }
            }
        });
        parts.into_iter().map(Builder::finish).collect()
    }

    /// Does `text` match? `None` when a variable the pattern needs is missing
    /// from the context (IAM then treats the statement as not matching).
    #[inline]
    pub fn matches(&self, text: &str, vars: &dyn Vars, ignore_case: bool) -> Option<bool> {
        if self.has_vars {
            self.vars_present(vars)?;
        } else if let Some(hit) = self.fast(text, ignore_case) {
            return Some(hit);
        }
        Some(self.with_tokens(|tokens| glob(&self.text, tokens, text, vars, ignore_case)))
    }

    /// The general matcher alone, for tests that the fast paths agree with it.
    #[cfg(test)]
    pub fn matches_slowly(&self, text: &str, vars: &dyn Vars, ignore_case: bool) -> Option<bool> {
        self.vars_present(vars)?;
        Some(self.with_tokens(|tokens| glob(&self.text, tokens, text, vars, ignore_case)))
    }
}

/// An ARN pattern cut into its fields (at most six: the first five
/// colon-separated ones and the rest), held inline. Reads as a slice of patterns.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ArnPattern {
    fields: [Pattern; 6],
    /// How many of `fields` are used (1 to 6).
    len: usize,
}

impl std::ops::Deref for ArnPattern {
    type Target = [Pattern];
    fn deref(&self) -> &[Pattern] {
        self.fields.get(..self.len).unwrap_or(&[])
    }
}

impl Pattern {
    /// The empty pattern (no allocation).
    fn empty() -> Pattern {
        Pattern {
            text: SmolStr::default(),
            tokens: Vec::new(),
            shape: Shape::Empty,
            has_vars: false,
            ascii: true,
        }
    }
}

/// Compiles an ARN pattern into its fields: what [`Pattern::compile`] then
/// [`Pattern::split_arn`] give, but by cutting the text at its first five colons
/// outside policy variables (a colon in `${aws:username}` or in a default does
/// not cut) and compiling each field, without the whole pattern in between.
pub(crate) fn compile_arn(text: &str, syntax: Syntax) -> ArnPattern {
    // Where each field starts; the fields after the last cut are empty.
    let mut starts = [0usize; 6];
    let mut cuts = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    while cuts < 5
        && let Some(&b) = bytes.get(i)
    {
        match b {
            b':' => {
                cuts += 1;
                if let Some(slot) = starts.get_mut(cuts) {
                    *slot = i + 1;
                }
                i += 1;
            }
            // The same rule as `compile`: `${` opens a variable when a `}` follows.
            b'$' if syntax.variables && bytes.get(i + 1) == Some(&b'{') => {
                match bytes
                    .get(i + 2..)
                    .and_then(|rest| rest.iter().position(|&c| c == b'}'))
                {
                    Some(close) => i += 2 + close + 1,
                    None => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    let field = |k: usize| -> Pattern {
        if k > cuts {
            return Pattern::empty();
        }
        let start = starts.get(k).copied().unwrap_or(0);
        // INVARIANT: a field ends just before the colon that starts the next one.
        let end = if k == cuts {
            text.len()
        } else {
            starts.get(k + 1).map_or(text.len(), |s| s - 1)
        };
        Pattern::compile(text.get(start..end).unwrap_or(""), syntax)
    };
    ArnPattern {
        fields: std::array::from_fn(field),
        len: cuts + 1,
    }
}

fn push_var(b: &mut Builder, body: &str, lowercase: bool) {
    match body {
        "*" | "?" | "$" => b.lit(body),
        _ => {
            let (key, default) = match body.bytes().position(|c| c == b',') {
                Some(comma) => {
                    // INVARIANT: `,` is ASCII: both sides are char boundaries.
                    let (k, d) = (
                        body.get(..comma).unwrap_or(""),
                        body.get(comma + 1..).unwrap_or(""),
                    );
                    let d = trim(d);
                    let d = d
                        .strip_prefix('\'')
                        .and_then(|d| d.strip_suffix('\''))
                        .unwrap_or(d);
                    (k, Some(d))
                }
                None => (body, None),
            };
            let key = trim(key);
            let key = if key.bytes().any(|c| c.is_ascii_uppercase() || !c.is_ascii()) {
                Cow::Owned(key.to_lowercase())
            } else {
                Cow::Borrowed(key)
            };
            match default {
                Some(d) if lowercase => b.var(&key, Some(&d.to_lowercase())),
                d => b.var(&key, d),
            }
        }
    }
}

/// `str::trim`, without its Unicode scan when both ends are visible ASCII.
fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    if b.first().is_some_and(u8::is_ascii_graphic) && b.last().is_some_and(u8::is_ascii_graphic) {
        s
    } else {
        s.trim()
    }
}

/// A position in the token stream: token index and byte offset inside it.
#[derive(Clone, Copy)]
struct At {
    tok: usize,
    off: usize,
}

enum Atom {
    Char(char),
    Star,
    Quest,
}

fn var_text<'a>(pattern: &'a str, token: &Token, vars: &'a dyn Vars) -> &'a str {
    match *token {
        Token::Lit(span) => span_text(pattern, span),
        Token::Var { key, default } => vars
            .var(span_text(pattern, key))
            .or(default.map(|d| span_text(pattern, d)))
            .unwrap_or(""),
        Token::Star | Token::Quest => "",
    }
}

fn next_atom(pattern: &str, tokens: &[Token], mut at: At, vars: &dyn Vars) -> Option<(Atom, At)> {
    loop {
        let token = tokens.get(at.tok)?;
        match token {
            Token::Star => {
                return Some((
                    Atom::Star,
                    At {
                        tok: at.tok + 1,
                        off: 0,
                    },
                ));
            }
            Token::Quest => {
                return Some((
                    Atom::Quest,
                    At {
                        tok: at.tok + 1,
                        off: 0,
                    },
                ));
            }
            _ => {
                let text = var_text(pattern, token, vars);
                if let Some(c) = text.get(at.off..).and_then(|s| s.chars().next()) {
                    return Some((
                        Atom::Char(c),
                        At {
                            tok: at.tok,
                            off: at.off + c.len_utf8(),
                        },
                    ));
                }
                at = At {
                    tok: at.tok + 1,
                    off: 0,
                };
            }
        }
    }
}

fn same(pattern: char, text: char, ignore_case: bool) -> bool {
    pattern == text
        || (ignore_case
            && if pattern.is_ascii() && text.is_ascii() {
                pattern.eq_ignore_ascii_case(&text)
            } else {
                text.to_lowercase().eq(pattern.to_lowercase())
            })
}

/// Wildcard matching with single-star backtracking: linear in practice, no allocation.
fn glob(pattern: &str, tokens: &[Token], text: &str, vars: &dyn Vars, ignore_case: bool) -> bool {
    let mut p = At { tok: 0, off: 0 };
    let mut t = 0usize;
    let mut star: Option<(At, usize)> = None;
    loop {
        let here = text.get(t..).and_then(|s| s.chars().next());
        match (next_atom(pattern, tokens, p, vars), here) {
            (Some((Atom::Star, np)), _) => {
                star = Some((np, t));
                p = np;
                continue;
            }
            (Some((Atom::Quest, np)), Some(c)) => {
                p = np;
                t += c.len_utf8();
                continue;
            }
            (Some((Atom::Char(pc), np)), Some(c)) if same(pc, c, ignore_case) => {
                p = np;
                t += c.len_utf8();
                continue;
            }
            (None, None) => return true,
            _ => {}
        }
        match star {
            Some((sp, st)) => match text.get(st..).and_then(|s| s.chars().next()) {
                Some(c) => {
                    let st = st + c.len_utf8();
                    star = Some((sp, st));
                    p = sp;
                    t = st;
                }
                None => return false,
            },
            None => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Map(HashMap<String, String>);
    impl Vars for Map {
        fn var(&self, key: &str) -> Option<&str> {
            self.0.get(key).map(String::as_str)
        }
    }

    const LIKE: Syntax = Syntax {
        wildcards: true,
        variables: true,
        lowercase: false,
    };

    fn m(p: &str, t: &str) -> bool {
        Pattern::compile(p, LIKE).matches(t, &NoVars, false).unwrap()
    }

    #[test]
    fn wildcards() {
        assert!(m("*", ""));
        assert!(m("a*c", "abbbc"));
        assert!(m("a*c", "ac"));
        assert!(!m("a*c", "acb"));
        assert!(m("a?c", "abc"));
        assert!(!m("a?c", "ac"));
        assert!(m("*/*", "a/b/c"));
        assert!(m("é?", "éü"));
        assert!(!m("abc", "ABC"));
    }

    #[test]
    fn variables_and_escapes() {
        let vars = Map(HashMap::from([("aws:username".to_string(), "a*b".to_string())]));
        let p = Pattern::compile("home/${aws:username}/*", LIKE);
        assert_eq!(p.matches("home/a*b/x", &vars, false), Some(true));
        // The star inside the variable's value is literal.
        assert_eq!(p.matches("home/aXb/x", &vars, false), Some(false));
        assert_eq!(p.matches("home/x", &NoVars, false), None);
        let d = Pattern::compile("${aws:nope, 'anon'}-${*}${?}${$}", LIKE);
        assert_eq!(d.matches("anon-*?$", &NoVars, false), Some(true));
        assert_eq!(d.matches("anon-x?$", &NoVars, false), Some(false));
        let literal = Pattern::compile(
            "${aws:username}",
            Syntax {
                variables: false,
                ..LIKE
            },
        );
        assert_eq!(literal.matches("${aws:username}", &vars, false), Some(true));
    }

    #[test]
    fn case_insensitive() {
        let p = Pattern::compile(
            "S3:Get*",
            Syntax {
                lowercase: true,
                ..LIKE
            },
        );
        assert_eq!(p.matches("s3:GETOBJECT", &NoVars, true), Some(true));
    }

    proptest::proptest! {
        /// The shape fast paths (exact, prefix, suffix, prefix and suffix, with
        /// and without case) agree with the general matcher, Unicode included
        /// (`K` is the Kelvin sign, which lower-cases to an ASCII `k`).
        #[test]
        fn fast_paths_agree_with_the_general_matcher(
            pattern in "[abkK:/é]{0,4}\\*?[abK:/é]{0,4}|\\*[abk]{0,3}|[abkK]{0,3}\\*?",
            text in "[abkAKB:/é\u{212A}]{0,10}",
            ignore_case in proptest::bool::ANY,
        ) {
            let p = Pattern::compile(&pattern, Syntax { wildcards: true, variables: false, lowercase: ignore_case });
            proptest::prop_assert_eq!(
                p.matches(&text, &NoVars, ignore_case),
                p.matches_slowly(&text, &NoVars, ignore_case),
                "{:?} against {:?}", pattern, text
            );
        }
    }

    proptest::proptest! {
        /// The byte-wise general compiler gives what the run-by-run one gives.
        #[test]
        fn byte_compiler_agrees_with_the_char_compiler(
            text in "[a-cA:/é*?${},' ]{0,16}",
            wildcards in proptest::bool::ANY,
            variables in proptest::bool::ANY,
        ) {
            let syntax = Syntax { wildcards, variables, lowercase: false };
            proptest::prop_assert_eq!(
                Pattern::compile_bytes(&text, syntax),
                Pattern::compile_chars(&text, syntax),
                "{:?}", text
            );
        }
    }

    #[test]
    fn shapes() {
        let shape = |p: &str| Pattern::compile(p, LIKE).shape;
        assert_eq!(shape(""), Shape::Empty);
        assert_eq!(shape("*"), Shape::Any);
        assert_eq!(shape("ab"), Shape::Exact);
        assert_eq!(shape("ab*"), Shape::Prefix);
        assert_eq!(shape("*ab"), Shape::Suffix);
        assert_eq!(shape("a*b"), Shape::PrefixSuffix(1));
        assert_eq!(shape("a*b*"), Shape::General);
        assert_eq!(shape("a?"), Shape::General);
        assert_eq!(shape("${aws:username}*"), Shape::General);
    }

    #[test]
    fn compile_arn_is_compile_then_split() {
        for text in [
            "arn:aws:s3:::b/*",
            "arn:aws:s3:::b/${aws:username}:x:y",
            "arn:aws:*",
            "",
            ":",
            "a:b:c:d:e:f:g:h",
            "arn:aws:iam::*:role/a?b*c:d",
            "arn:$:${*}:${aws:x}",
            "a$b:c",
            "${a:b}:${c, 'd:e'}:${f:g",
            "x${:}y:${}}:z${",
            "${${a}:b}:c",
            "é:${aws:Ü}:ü*:?",
        ] {
            for variables in [true, false] {
                let syntax = Syntax { variables, ..LIKE };
                assert_eq!(
                    &*compile_arn(text, syntax),
                    Pattern::compile(text, syntax).split_arn().as_slice(),
                    "{text:?} variables: {variables}"
                );
            }
        }
    }

    #[test]
    fn arn_split() {
        let p = Pattern::compile("arn:aws:s3:::b/${aws:username}:x:y", LIKE);
        let parts = p.split_arn();
        assert_eq!(parts.len(), 6);
        assert_eq!(parts[5].tokens.len(), 3);
        assert_eq!(parts[5].text, "b/aws:username:x:y");
        let short = Pattern::compile("arn:aws:*", LIKE).split_arn();
        assert_eq!(short.len(), 3);
    }
}
