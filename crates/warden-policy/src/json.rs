//! A small JSON reader that remembers where every value starts and ends.
//!
//! Why not serde_json: the policy simulator reports each matched statement's
//! `StartPosition`/`EndPosition` in the document as written, and validation
//! errors should say where they are; serde_json keeps neither. The grammar is
//! RFC 8259; objects keep their keys in order (duplicates are kept, lookups take
//! the last one, as Python's `json.loads`, which moto's validator uses, does).
//!
//! The tree lives in a bump arena that the caller owns: arrays and objects are
//! slices of it, strings with escapes are copied into it, all other strings and
//! numbers borrow from the source. Building the tree costs a few arena chunks
//! instead of one allocation per array, object and escaped string, and dropping
//! it is freeing those chunks (no node has a destructor).

use bumpalo::Bump;

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
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Node<'a> {
    pub value: Json<'a>,
    pub start: usize,
    pub end: usize,
}

/// A JSON value. Numbers keep their text: IAM compares condition values as text
/// unless the operator says otherwise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Json<'a> {
    Null,
    Bool(bool),
    Number(&'a str),
    String(&'a str),
    Array(&'a [Node<'a>]),
    Object(&'a [(&'a str, Node<'a>)]),
}

impl<'a> Json<'a> {
    /// The value of `key` in an object (the last one when repeated).
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        match self {
            Json::Object(members) => members.iter().rev().find(|(k, _)| *k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&'a str> {
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

/// Parses one JSON document (surrounding whitespace allowed), in a leaked arena.
#[cfg(test)]
pub(crate) fn parse(text: &str) -> Result<Node<'_>, SyntaxError> {
    let arena: &Bump = Box::leak(Box::default());
    parse_document(text, arena).map(|d| d.root)
}

/// An arena sized for the tree of a document of `len` bytes, so that the common
/// case takes one chunk.
pub(crate) fn arena_for(len: usize) -> Bump {
    Bump::with_capacity(len.saturating_mul(3).max(1024))
}

/// Parses one JSON document (surrounding whitespace allowed) into `arena`, noting its newlines.
pub(crate) fn parse_document<'a>(text: &'a str, arena: &'a Bump) -> Result<Document<'a>, SyntaxError> {
    let mut p = Parser {
        src: text.as_bytes(),
        text,
        arena,
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
    arena: &'a Bump,
    pos: usize,
    /// Scratch stacks for the arrays and objects being read: each one's values are
    /// moved out into an arena slice of exactly their number when it closes.
    items: Vec<Node<'a>>,
    members: Vec<(&'a str, Node<'a>)>,
    newlines: Vec<usize>,
}

impl<'a> Parser<'a> {
    fn err(&self) -> SyntaxError {
        SyntaxError { offset: self.pos }
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    #[inline]
    fn skip_ws(&mut self) {
        // Most tokens follow one another or one space: decided here, inline.
        match self.src.get(self.pos) {
            Some(b' ') if !matches!(self.src.get(self.pos + 1), Some(b' ' | b'\t' | b'\n' | b'\r')) => {
                self.pos += 1;
            }
            Some(b' ' | b'\t' | b'\n' | b'\r') => self.skip_ws_run(),
            _ => {}
        }
    }

    #[inline(never)]
    fn skip_ws_run(&mut self) {
        let src = self.src;
        let mut pos = self.pos;
        loop {
            match src.get(pos) {
                Some(b' ' | b'\t' | b'\r') => pos += 1,
                Some(b'\n') => {
                    self.newlines.push(pos);
                    pos += 1;
                    // Indentation: eight spaces at a time.
                    while src.get(pos..pos + 8) == Some(b"        ") {
                        pos += 8;
                    }
                }
                _ => break,
            }
        }
        self.pos = pos;
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
            return Ok(Json::Object(&[]));
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
                    let members = self.arena.alloc_slice_fill_iter(self.members.drain(base..));
                    return Ok(Json::Object(members));
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
            return Ok(Json::Array(&[]));
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
                    let items = self.arena.alloc_slice_fill_iter(self.items.drain(base..));
                    return Ok(Json::Array(items));
                }
                _ => return Err(self.err()),
            }
        }
    }

    fn number(&mut self) -> Result<&'a str, SyntaxError> {
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
        self.text.get(start..self.pos).ok_or_else(|| self.err())
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

    fn string(&mut self) -> Result<&'a str, SyntaxError> {
        self.expect(b'"')?;
        // Most strings have no escape: they borrow from the source.
        let run_start = self.pos;
        let run = self.src.get(run_start..).and_then(plain_run);
        if let Some(len) = run
            && self.src.get(run_start + len) == Some(&b'"')
        {
            self.pos = run_start + len + 1;
            // INVARIANT: the run stops at an ASCII byte, so both ends are char boundaries.
            return self
                .text
                .get(run_start..run_start + len)
                .ok_or_else(|| self.err());
        }
        let mut out = String::new();
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
                    return Ok(self.arena.alloc_str(&out));
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

/// The length of the run of plain string characters at the start of `rest`
/// (up to a `"`, `\\` or control character), `None` when the input ends first.
/// Eight bytes at a time while no byte of the word can stop the run.
fn plain_run(rest: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    // Some byte of `w` is zero / less than `n` (n <= 0x80): exact as a yes/no answer.
    let has_less = |w: u64, n: u8| w.wrapping_sub(ONES * u64::from(n)) & !w & HIGH != 0;
    let mut i = 0;
    while let Some(chunk) = rest.get(i..i + 8) {
        let Ok(bytes) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let w = u64::from_ne_bytes(bytes);
        if has_less(w ^ (ONES * u64::from(b'"')), 1)
            || has_less(w ^ (ONES * u64::from(b'\\')), 1)
            || has_less(w, 0x20)
        {
            break;
        }
        i += 8;
    }
    rest.get(i..)?
        .iter()
        .position(|&b| STRING_STOP.get(usize::from(b)) != Some(&false))
        .map(|len| i + len)
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
            // INVARIANT: offsets are token starts and line starts follow a newline: char
            // boundaries, so `get` succeeds and `chars().count()` is the column.
            let column = match text.get(line_start..offset) {
                Some(line) => line.chars().count(),
                None => chars_in(bytes.get(line_start..offset).unwrap_or_default()),
            } + 1;
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
                assert_eq!(items[1].value, Json::String("xé"));
                assert_eq!(items[0].value, Json::Number("1"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn duplicate_keys_take_the_last() {
        let node = parse(r#"{"a": 1, "a": 2}"#).unwrap();
        assert_eq!(node.value.get("a").unwrap().value, Json::Number("2"));
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
        assert_eq!(node.value, Json::String("😀 \u{FFFD}"));
    }

    #[test]
    fn line_cols_agree_with_line_col() {
        let text = "\n{\n  \"é\": [1,\r\n 2],\n\n \"ü😀\": \"x\\n\"}\n";
        let arena = Bump::new();
        let doc = parse_document(text, &arena).unwrap();
        assert_eq!(doc.newlines.len(), text.matches('\n').count());
        let offsets: Vec<usize> = (0..=text.len() + 2)
            .filter(|&i| i > text.len() || text.is_char_boundary(i))
            .collect();
        let expected: Vec<(usize, usize)> = offsets.iter().map(|&o| line_col(text, o)).collect();
        assert_eq!(line_cols(text, &doc.newlines, &offsets), expected);
    }

    proptest::proptest! {
        /// The word-at-a-time scan stops where the byte-at-a-time scan stops.
        #[test]
        fn plain_run_agrees_with_a_byte_scan(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)) {
            let expected = bytes.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
            proptest::prop_assert_eq!(plain_run(&bytes), expected);
        }
    }

    #[test]
    fn line_and_column() {
        let text = "{\n  \"a\": 1\n}";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 4), (2, 3));
    }
}
