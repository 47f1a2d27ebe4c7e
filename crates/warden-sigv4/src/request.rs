//! The view of an HTTP request that the server fills in, and the query-string reader.

use std::borrow::Cow;

/// The body of a request, or its SHA-256 when the server hashed it while reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload<'a> {
    /// The whole body.
    Bytes(&'a [u8]),
    /// The body's SHA-256 digest.
    Sha256([u8; 32]),
}

/// An HTTP request as received, before any decoding: what SigV4 signs.
///
/// - `path` is the raw, percent-encoded path as it came on the request line (no query).
/// - `query` is the raw query string without the `?` (empty when none).
/// - `headers` are every header field in order; repeated names appear once per field. Over
///   HTTP/2 the server passes `:authority` as a `host` header.
#[derive(Debug, Clone, Copy)]
pub struct HttpRequest<'a> {
    /// `GET`, `POST`...
    pub method: &'a str,
    /// Raw path, e.g. `/` or `/my%20path/`.
    pub path: &'a str,
    /// Raw query, e.g. `Action=ListUsers&Version=2010-05-08`.
    pub query: &'a str,
    /// Header fields (name, value), names in any case, values as received.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body, or its hash.
    pub payload: Payload<'a>,
}

impl<'a> HttpRequest<'a> {
    /// A request with its whole body.
    #[must_use]
    pub fn new(
        method: &'a str,
        path: &'a str,
        query: &'a str,
        headers: &'a [(&'a str, &'a str)],
        body: &'a [u8],
    ) -> Self {
        Self {
            method,
            path,
            query,
            headers,
            payload: Payload::Bytes(body),
        }
    }

    /// The first value of a header (name compared case-insensitively).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.header_values(name).next()
    }

    /// Every value of a header, in order.
    pub fn header_values<'n>(&self, name: &'n str) -> impl Iterator<Item = &'a str> + use<'a, 'n> {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }
}

/// The `key=value` pairs of a raw query, percent-decoded (`+` read as a space, as
/// `application/x-www-form-urlencoded` and the SDK's signer read it). Empty pairs are skipped;
/// a key without `=` has an empty value.
pub(crate) fn query_pairs(query: &str) -> impl Iterator<Item = (Cow<'_, [u8]>, Cow<'_, [u8]>)> {
    query.split('&').filter(|pair| !pair.is_empty()).map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(key), decode(value))
    })
}

/// Percent-decodes, reading `+` as a space; an invalid escape stays as it is.
fn decode(input: &str) -> Cow<'_, [u8]> {
    let bytes = input.as_bytes();
    if !bytes.iter().any(|b| *b == b'%' || *b == b'+') {
        return Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut iter = bytes.iter().copied().enumerate();
    while let Some((i, b)) = iter.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = bytes.get(i + 1).copied().and_then(hex_value);
                let lo = bytes.get(i + 2).copied().and_then(hex_value);
                if let (Some(hi), Some(lo)) = (hi, lo) {
                    out.push(hi << 4 | lo);
                    iter.next();
                    iter.next();
                } else {
                    out.push(b'%');
                }
            }
            other => out.push(other),
        }
    }
    Cow::Owned(out)
}

pub(crate) fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &str) -> Vec<(String, String)> {
        query_pairs(q)
            .map(|(k, v)| {
                (
                    String::from_utf8_lossy(&k).into_owned(),
                    String::from_utf8_lossy(&v).into_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn decodes_pairs() {
        assert_eq!(
            pairs("a=1&&b&c=%41%zz+x&%E1%88%B4=%"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), String::new()),
                ("c".into(), "A%zz x".into()),
                ("\u{1234}".into(), "%".into()),
            ]
        );
    }
}
