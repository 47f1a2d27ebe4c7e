//! A small JSON reader that remembers where every value starts and ends.
//!
//! Why not serde_json: the policy simulator reports each matched statement's
//! `StartPosition`/`EndPosition` in the document as written, and validation
//! errors should say where they are; serde_json keeps neither. The grammar is
//! RFC 8259; objects keep their keys in order (duplicates are kept, lookups take
//! the last one, as Python's `json.loads`, which moto's validator uses, does).

use std::borrow::Cow;

/// Nesting deeper than this is rejected, so that hostile input cannot exhaust
/// the stack (IAM documents nest four levels at most).
const MAX_DEPTH: usize = 64;

/// The bytes that end a run of plain string characters: `"`, `\` and control characters.
#[expect(
    clippy::indexing_slicing,
    reason = "constant evaluation: an out-of-range index fails the build"
)]
static STRING_STOP: [bool; 256] = {
    let mut stop = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        stop[b] = true;
        b += 1;
    }
    stop[b'"' as usize] = true;
    stop[b'\\' as usize] = true;
    stop
};

/// One JSON value and its byte span in the source (`end` is exclusive).
/// Strings without escapes borrow from the source.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node<'a> {
    pub value: Json<'a>,
    pub start: usize,
    pub end: usize,
}

/// A JSON value. Numbers keep their text: IAM compares condition values as text
/// unless the operator says otherwise.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json<'a> {
    Null,
    Bool(bool),
    Number(Cow<'a, str>),
    String(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    Object(Vec<(Cow<'a, str>, Node<'a>)>),
}

impl<'a> Json<'a> {
    /// The value of `key` in an object (the last one when repeated).
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        match self {
            Json::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }
}

/// Where parsing stopped, as a byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub offset: usize,
}

/// A parsed document: its root and where its lines start.
#[derive(Debug)]
pub(crate) struct Document<'a> {
    pub root: Node<'a>,
    /// Byte offsets of the newlines, ascending. INVARIANT: in valid JSON a raw
    /// newline can only be whitespace between tokens (strings refuse control
    /// characters), and the parser sees all of those in `skip_ws`.
    pub newlines: Vec<usize>,
}

/// Parses one JSON document (surrounding whitespace allowed).
#[cfg(test)]
pub(crate) fn parse(text: &str) -> Result<Node<'_>, SyntaxError> {
    parse_document(text).map(|d| d.root)
}

/// Parses one JSON document (surrounding whitespace allowed), noting its newlines.
pub(crate) fn parse_document(text: &str) -> Result<Document<'_>, SyntaxError> {
    let mut p = Parser {
        src: text.as_bytes(),
        text,
        pos: 0,
        items: Vec::new(),
        members: Vec::new(),
        newlines: Vec::new(),
    };
    p.skip_ws();
    let root = p.value(0)?;
    p.skip_ws();
    if p.pos != p.src.len() {
        return Err(p.err());
    }
    Ok(Document {
        root,
        newlines: p.newlines,
    })
}

struct Parser<'a> {
    src: &'a [u8],
    text: &'a str,
    pos: usize,
    /// Scratch stacks for the arrays and objects being read: each one's values are
    /// moved out into a vector of exactly their number when it closes.
    items: Vec<Node<'a>>,
    members: Vec<(Cow<'a, str>, Node<'a>)>,
    newlines: Vec<usize>,
}

impl<'a> Parser<'a> {
    fn err(&self) -> SyntaxError {
        SyntaxError { offset: self.pos }
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b @ (b' ' | b'\t' | b'\n' | b'\r')) = self.peek() {
            if b == b'\n' {
                self.newlines.push(self.pos);
            }
            self.pos += 1;
        }
    }

    fn expect(&mut self, b: u8) -> Result<(), SyntaxError> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.err())
        }
    }

    fn literal(&mut self, word: &str) -> Result<(), SyntaxError> {
        if self.src.get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.err())
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node<'a>, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(self.err());
        }
        let start = self.pos;
        let value = match self.peek().ok_or_else(|| self.err())? {
            b'{' => self.object(depth)?,
            b'[' => self.array(depth)?,
            b'"' => Json::String(self.string()?),
            b't' => {
                self.literal("true")?;
                Json::Bool(true)
            }
            b'f' => {
                self.literal("false")?;
                Json::Bool(false)
            }
            b'n' => {
                self.literal("null")?;
                Json::Null
            }
            b'-' | b'0'..=b'9' => Json::Number(self.number()?),
            _ => return Err(self.err()),
        };
        Ok(Node {
            value,
            start,
            end: self.pos,
        })
    }

    fn object(&mut self, depth: usize) -> Result<Json<'a>, SyntaxError> {
        self.expect(b'{')?;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(Vec::new()));
        }
        let base = self.members.len();
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.err());
            }
            let key = self.string()?;
            self.skip_ws();
            self.expect(b':')?;
            self.skip_ws();
            let value = self.value(depth + 1)?;
            self.members.push((key, value));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Object(self.members.split_off(base)));
                }
                _ => return Err(self.err()),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json<'a>, SyntaxError> {
        self.expect(b'[')?;
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(Vec::new()));
        }
        let base = self.items.len();
        loop {
            self.skip_ws();
            let item = self.value(depth + 1)?;
            self.items.push(item);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(self.items.split_off(base)));
                }
                _ => return Err(self.err()),
            }
        }
    }

    fn number(&mut self) -> Result<Cow<'a, str>, SyntaxError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.err()),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.err());
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.err());
            }
            self.digits();
        }
        self.text
            .get(start..self.pos)
            .map(Cow::Borrowed)
            .ok_or_else(|| self.err())
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let digits = self.text.get(self.pos..self.pos + 4).ok_or_else(|| self.err())?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(self.err());
        }
        let v = u32::from_str_radix(digits, 16).map_err(|_| self.err())?;
        self.pos += 4;
        Ok(v)
    }

    fn string(&mut self) -> Result<Cow<'a, str>, SyntaxError> {
        self.expect(b'"')?;
        let mut out = String::new();
        // Most strings have no escape: one exact allocation.
        let run_start = self.pos;
        let run = self.src.get(run_start..).and_then(|rest| {
            rest.iter()
                .position(|&b| STRING_STOP.get(usize::from(b)) != Some(&false))
        });
        if let Some(len) = run
            && self.src.get(run_start + len) == Some(&b'"')
        {
            self.pos = run_start + len + 1;
            // INVARIANT: the run stops at an ASCII byte, so both ends are char boundaries.
            return self
                .text
                .get(run_start..run_start + len)
                .map(Cow::Borrowed)
                .ok_or_else(|| self.err());
        }
        loop {
            // Copy the run of plain characters in one go.
            let run_start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // INVARIANT: the run stops only at ASCII bytes, so both ends are
            // char boundaries of the (valid UTF-8) source.
            out.push_str(self.text.get(run_start..self.pos).ok_or_else(|| self.err())?);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let esc = self.peek().ok_or_else(|| self.err())?;
                    self.pos += 1;
                    match esc {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => return Err(self.err()),
                    }
                }
                // Raw control characters and end of input are errors.
                _ => return Err(self.err()),
            }
        }
    }

    fn unicode_escape(&mut self) -> Result<char, SyntaxError> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) {
            if self.src.get(self.pos..self.pos + 2) == Some(b"\\u") {
                let save = self.pos;
                self.pos += 2;
                let lo = self.hex4()?;
                if (0xDC00..0xE000).contains(&lo) {
                    let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    return char::from_u32(c).ok_or_else(|| self.err());
                }
                self.pos = save;
            }
            // A lone surrogate: Python keeps it; Rust strings cannot, so it becomes U+FFFD.
            return Ok('\u{FFFD}');
        }
        if (0xDC00..0xE000).contains(&hi) {
            return Ok('\u{FFFD}');
        }
        char::from_u32(hi).ok_or_else(|| self.err())
    }
}

/// A 1-based line and column (in characters) of a byte offset in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let column = before.get(line_start..).map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Line and column of each offset of a parsed document, from its newlines
/// ([`Document::newlines`]): a binary search for the line, then the characters
/// of that line before the offset.
pub(crate) fn line_cols(text: &str, newlines: &[usize], offsets: &[usize]) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    offsets
        .iter()
        .map(|&offset| {
            let offset = offset.min(bytes.len());
            let line = newlines.partition_point(|&n| n < offset);
            let line_start = line
                .checked_sub(1)
                .and_then(|i| newlines.get(i))
                .map_or(0, |&n| n + 1);
            let column = chars_in(bytes.get(line_start..offset).unwrap_or_default()) + 1;
            (line + 1, column)
        })
        .collect()
}

fn chars_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_values_with_spans() {
        let text = r#" {"a": [1, "x\u00e9", true, null], "b": {"c": -1.5e3}} "#;
        let node = parse(text).unwrap();
        assert_eq!(node.start, 1);
        assert_eq!(node.end, text.len() - 1);
        let a = node.value.get("a").unwrap();
        assert_eq!(&text[a.start..a.end], r#"[1, "x\u00e9", true, null]"#);
        match &a.value {
            Json::Array(items) => {
                assert_eq!(items[1].value, Json::String("xé".into()));
                assert_eq!(items[0].value, Json::Number("1".into()));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn duplicate_keys_take_the_last() {
        let node = parse(r#"{"a": 1, "a": 2}"#).unwrap();
        assert_eq!(node.value.get("a").unwrap().value, Json::Number("2".into()));
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "{",
            "{\"a\"}",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            "\"\u{1}\"",
            "tru",
            "{} x",
            "\"\\x\"",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(10_000);
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn surrogate_pairs() {
        let node = parse(r#""\ud83d\ude00 \ud800""#).unwrap();
        assert_eq!(node.value, Json::String("😀 \u{FFFD}".into()));
    }

    #[test]
    fn line_cols_agree_with_line_col() {
        let text = "\n{\n  \"é\": [1,\r\n 2],\n\n \"ü😀\": \"x\\n\"}\n";
        let doc = parse_document(text).unwrap();
        assert_eq!(doc.newlines.len(), text.matches('\n').count());
        let offsets: Vec<usize> = (0..=text.len() + 2)
            .filter(|&i| i > text.len() || text.is_char_boundary(i))
            .collect();
        let expected: Vec<(usize, usize)> = offsets.iter().map(|&o| line_col(text, o)).collect();
        assert_eq!(line_cols(text, &doc.newlines, &offsets), expected);
    }

    #[test]
    fn line_and_column() {
        let text = "{\n  \"a\": 1\n}";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 4), (2, 3));
    }
}
