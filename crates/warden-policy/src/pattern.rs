//! Compiled text patterns: literals, the `*` and `?` wildcards and policy
//! variables (`${aws:username}`, `${key, 'default'}`, escapes `${*}` `${?}` `${$}`).
//!
//! A pattern is compiled once into tokens, and matched without allocating:
//! a variable's value is read from the request context while matching, so a
//! `*` inside a tag value stays a literal star (IAM User Guide, "IAM policy
//! elements: Variables and tags": special characters).

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

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token {
    Lit(String),
    /// `*`: any run of characters, including none.
    Star,
    /// `?`: exactly one character.
    Quest,
    /// `${key}` with the key lower-cased (keys are case-insensitive) and an optional default.
    Var {
        key: String,
        default: Option<String>,
    },
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

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pattern {
    tokens: Vec<Token>,
    has_vars: bool,
    shape: Shape,
    /// Every literal is ASCII (so case-insensitive comparisons can work on bytes).
    ascii: bool,
}

/// The shape of a pattern without variables, decided once at compile time so
/// that the common cases skip the general matcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// No tokens: matches only the empty text.
    Empty,
    /// `*`.
    Any,
    /// `literal`.
    Exact,
    /// `literal*`.
    Prefix,
    /// `*literal`.
    Suffix,
    /// `literal*literal`.
    PrefixSuffix,
    /// Anything else (`?`, several stars, variables): the general matcher.
    General,
}

impl Shape {
    fn of(tokens: &[Token]) -> Shape {
        match tokens {
            [] => Shape::Empty,
            [Token::Star] => Shape::Any,
            [Token::Lit(_)] => Shape::Exact,
            [Token::Lit(_), Token::Star] => Shape::Prefix,
            [Token::Star, Token::Lit(_)] => Shape::Suffix,
            [Token::Lit(_), Token::Star, Token::Lit(_)] => Shape::PrefixSuffix,
            _ => Shape::General,
        }
    }
}

/// `text` against an ASCII literal, ignoring ASCII case; `None` when the text
/// isn't ASCII there (then the general matcher decides, with Unicode case folding).
fn ascii_eq_ignore_case(lit: &str, text: &[u8]) -> Option<bool> {
    if lit.as_bytes().eq_ignore_ascii_case(text) {
        // Equal under ASCII folding to an ASCII literal: the text is ASCII too.
        Some(true)
    } else if text.is_ascii() {
        Some(false)
    } else {
        None
    }
}

/// The literal of token `i`, when it is one.
fn lit_at(tokens: &[Token], i: usize) -> &str {
    match tokens.get(i) {
        Some(Token::Lit(l)) => l,
        _ => "",
    }
}

impl Pattern {
    pub fn compile(text: &str, syntax: Syntax) -> Pattern {
        let mut tokens = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            if syntax.variables
                && let Some(body_and_rest) = rest.strip_prefix("${")
                && let Some(end) = body_and_rest.find('}')
            {
                let body = body_and_rest.get(..end).unwrap_or("");
                push_var(&mut tokens, body, syntax.lowercase);
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
                "*" if syntax.wildcards => tokens.push(Token::Star),
                "?" if syntax.wildcards => tokens.push(Token::Quest),
                h if syntax.lowercase && h.is_ascii() => push_lower_ascii(&mut tokens, h),
                h if syntax.lowercase => push_str(&mut tokens, &h.to_lowercase()),
                h => push_str(&mut tokens, h),
            }
            rest = tail;
        }
        Pattern::from_tokens(tokens)
    }

    fn from_tokens(tokens: Vec<Token>) -> Pattern {
        let has_vars = tokens.iter().any(|t| matches!(t, Token::Var { .. }));
        let shape = if has_vars {
            Shape::General
        } else {
            Shape::of(&tokens)
        };
        let ascii = tokens.iter().all(|t| match t {
            Token::Lit(l) => l.is_ascii(),
            _ => true,
        });
        Pattern {
            tokens,
            has_vars,
            shape,
            ascii,
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
        let tokens = self.tokens.as_slice();
        match self.shape {
            Shape::Empty => Some(t.is_empty()),
            Shape::Any => Some(true),
            Shape::General => None,
            _ if !ignore_case => Some(match self.shape {
                Shape::Exact => lit_at(tokens, 0).as_bytes() == t,
                Shape::Prefix => t.starts_with(lit_at(tokens, 0).as_bytes()),
                Shape::Suffix => t.ends_with(lit_at(tokens, 1).as_bytes()),
                _ => {
                    let (head, tail) = (lit_at(tokens, 0).as_bytes(), lit_at(tokens, 2).as_bytes());
                    t.len() >= head.len() + tail.len() && t.starts_with(head) && t.ends_with(tail)
                }
            }),
            _ if !self.ascii => None,
            Shape::Exact => {
                let l = lit_at(tokens, 0);
                if t.len() == l.len() {
                    ascii_eq_ignore_case(l, t)
                } else if t.is_ascii() {
                    Some(false)
                } else {
                    None
                }
            }
            Shape::Prefix => {
                let l = lit_at(tokens, 0);
                match t.get(..l.len()) {
                    Some(head) => ascii_eq_ignore_case(l, head),
                    None if t.is_ascii() => Some(false),
                    None => None,
                }
            }
            Shape::Suffix => {
                let l = lit_at(tokens, 1);
                match t.len().checked_sub(l.len()).and_then(|i| t.get(i..)) {
                    Some(tail) => ascii_eq_ignore_case(l, tail),
                    None if t.is_ascii() => Some(false),
                    None => None,
                }
            }
            Shape::PrefixSuffix => {
                if !t.is_ascii() {
                    return None;
                }
                let (head, tail) = (lit_at(tokens, 0).as_bytes(), lit_at(tokens, 2).as_bytes());
                Some(
                    t.len() >= head.len() + tail.len()
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
        matches!(self.tokens.as_slice(), [Token::Star])
    }

    /// The lower-cased keys of the variables the pattern uses.
    pub fn var_keys(&self) -> impl Iterator<Item = (&str, bool)> {
        self.tokens.iter().filter_map(|t| match t {
            Token::Var { key, default } => Some((key.as_str(), default.is_some())),
            _ => None,
        })
    }

    /// Splits an ARN pattern into its first five colon-separated fields and the
    /// rest (the resource part keeps its colons). Colons inside a variable's
    /// value do not split.
    pub fn split_arn(&self) -> Vec<Pattern> {
        let mut parts = vec![Vec::new()];
        for token in &self.tokens {
            match token {
                Token::Lit(s) if parts.len() < 6 && s.contains(':') => {
                    let mut pieces = s.split(':').peekable();
                    while let Some(piece) = pieces.next() {
                        if let (false, Some(last)) = (piece.is_empty(), parts.last_mut()) {
                            push_str(last, piece);
                        }
                        if pieces.peek().is_some() {
                            if parts.len() < 6 {
                                parts.push(Vec::new());
                            } else if let Some(last) = parts.last_mut() {
                                push_str(last, ":");
                            }
                        }
                    }
                }
                t => {
                    if let Some(last) = parts.last_mut() {
                        last.push(t.clone());
                    }
                }
            }
        }
        parts.into_iter().map(Pattern::from_tokens).collect()
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
        Some(glob(&self.tokens, text, vars, ignore_case))
    }

    /// The general matcher alone, for tests that the fast paths agree with it.
    #[cfg(test)]
    pub fn matches_slowly(&self, text: &str, vars: &dyn Vars, ignore_case: bool) -> Option<bool> {
        self.vars_present(vars)?;
        Some(glob(&self.tokens, text, vars, ignore_case))
    }
}

fn push_str(tokens: &mut Vec<Token>, s: &str) {
    if let Some(Token::Lit(l)) = tokens.last_mut() {
        l.push_str(s);
    } else if !s.is_empty() {
        tokens.push(Token::Lit(s.to_owned()));
    }
}

/// `push_str` of the ASCII lower case of `s`, without an intermediate string.
fn push_lower_ascii(tokens: &mut Vec<Token>, s: &str) {
    if let Some(Token::Lit(l)) = tokens.last_mut() {
        l.extend(s.chars().map(|c| c.to_ascii_lowercase()));
    } else if !s.is_empty() {
        tokens.push(Token::Lit(s.to_ascii_lowercase()));
    }
}

/// Compiles an ARN pattern into its fields: [`Pattern::compile`] then
/// [`Pattern::split_arn`], without building the whole pattern first when no
/// policy variable can hide a colon (then splitting the text is the same).
pub(crate) fn compile_arn(text: &str, syntax: Syntax) -> Vec<Pattern> {
    if syntax.variables && text.contains("${") {
        return Pattern::compile(text, syntax).split_arn();
    }
    text.splitn(6, ':')
        .map(|field| Pattern::compile(field, syntax))
        .collect()
}

fn push_var(tokens: &mut Vec<Token>, body: &str, lowercase: bool) {
    match body {
        "*" | "?" | "$" => push_str(tokens, body),
        _ => {
            let (key, default) = match body.split_once(',') {
                Some((k, d)) => {
                    let d = d.trim();
                    let d = d
                        .strip_prefix('\'')
                        .and_then(|d| d.strip_suffix('\''))
                        .unwrap_or(d);
                    let d = if lowercase { d.to_lowercase() } else { d.to_owned() };
                    (k, Some(d))
                }
                None => (body, None),
            };
            tokens.push(Token::Var {
                key: key.trim().to_lowercase(),
                default,
            });
        }
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

fn var_text<'a>(token: &'a Token, vars: &'a dyn Vars) -> &'a str {
    match token {
        Token::Lit(s) => s,
        Token::Var { key, default } => vars.var(key).or(default.as_deref()).unwrap_or(""),
        Token::Star | Token::Quest => "",
    }
}

fn next_atom(tokens: &[Token], mut at: At, vars: &dyn Vars) -> Option<(Atom, At)> {
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
                let text = var_text(token, vars);
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
fn glob(tokens: &[Token], text: &str, vars: &dyn Vars, ignore_case: bool) -> bool {
    let mut p = At { tok: 0, off: 0 };
    let mut t = 0usize;
    let mut star: Option<(At, usize)> = None;
    loop {
        let here = text.get(t..).and_then(|s| s.chars().next());
        match (next_atom(tokens, p, vars), here) {
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

    #[test]
    fn shapes() {
        let shape = |p: &str| Pattern::compile(p, LIKE).shape;
        assert_eq!(shape(""), Shape::Empty);
        assert_eq!(shape("*"), Shape::Any);
        assert_eq!(shape("ab"), Shape::Exact);
        assert_eq!(shape("ab*"), Shape::Prefix);
        assert_eq!(shape("*ab"), Shape::Suffix);
        assert_eq!(shape("a*b"), Shape::PrefixSuffix);
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
        ] {
            for variables in [true, false] {
                let syntax = Syntax { variables, ..LIKE };
                assert_eq!(
                    compile_arn(text, syntax),
                    Pattern::compile(text, syntax).split_arn(),
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
        let short = Pattern::compile("arn:aws:*", LIKE).split_arn();
        assert_eq!(short.len(), 3);
    }
}
