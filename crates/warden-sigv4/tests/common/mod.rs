//! Helpers shared by the integration tests: a raw HTTP/1.1 reader for the suite's files.

#![allow(dead_code)]

use warden_sigv4::HttpRequest;

/// A request read from a `.txt` file of the suite, owning its parts.
#[derive(Debug, Clone)]
pub struct RawRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawRequest {
    /// Reads `METHOD target HTTP/1.1`, header lines (a line starting with a space or tab
    /// continues the previous one: an obsolete fold, replaced by a space as RFC 7230 3.2.4
    /// allows), an empty line, then the body. The target may hold raw spaces and UTF-8.
    pub fn parse(text: &str) -> Self {
        let (head, body) = match text.split_once("\n\n") {
            Some((head, body)) => (head, body),
            None => (text.trim_end_matches('\n'), ""),
        };
        let mut lines = head.split('\n');
        let request_line = lines.next().unwrap();
        let (method, rest) = request_line.split_once(' ').unwrap();
        let target = rest.strip_suffix(" HTTP/1.1").unwrap();
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in lines {
            if line.starts_with(' ') || line.starts_with('\t') {
                let last = headers.last_mut().unwrap();
                last.1.push(' ');
                last.1.push_str(line.trim_matches([' ', '\t']));
                continue;
            }
            let (name, value) = line.split_once(':').unwrap();
            headers.push((name.to_owned(), value.trim_matches([' ', '\t']).to_owned()));
        }
        Self {
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.to_owned(),
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    /// Runs `f` on the borrowed view of this request.
    pub fn with<R>(&self, f: impl FnOnce(&HttpRequest<'_>) -> R) -> R {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let req = HttpRequest::new(&self.method, &self.path, &self.query, &headers, &self.body);
        f(&req)
    }
}

/// Every variant of `s` with one character replaced (by `X`, or `Y` where it was an `X`).
pub fn one_char_mutations(s: &str) -> Vec<String> {
    s.char_indices()
        .map(|(i, c)| {
            let replacement = if c == 'X' { "Y" } else { "X" };
            let mut out = String::with_capacity(s.len());
            out.push_str(&s[..i]);
            out.push_str(replacement);
            out.push_str(&s[i + c.len_utf8()..]);
            out
        })
        .collect()
}
