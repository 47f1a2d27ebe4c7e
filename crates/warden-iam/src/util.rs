//! Small helpers shared by the operations: URL encoding of documents, timestamps,
//! pagination markers.

use base64::Engine;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// RFC 3986 unreserved characters stay as they are; IAM percent-encodes everything else
/// in the policy documents it returns.
const DOC_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

pub fn url_encode(s: &str) -> String {
    utf8_percent_encode(s, DOC_ENCODE).to_string()
}

/// A timestamp as the wire layer expects it (RFC 3339, UTC, whole seconds).
pub fn ts(t: OffsetDateTime) -> String {
    t.replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// Pagination markers are opaque to clients: the base64 of the key to resume from.
pub fn encode_marker(key: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.as_bytes())
}

pub fn decode_marker(marker: &str) -> Option<String> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(marker)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_documents_like_iam() {
        assert_eq!(
            url_encode("{\"a\": \"b/c*\"}"),
            "%7B%22a%22%3A%20%22b%2Fc%2A%22%7D"
        );
    }

    #[test]
    fn markers_round_trip() {
        assert_eq!(decode_marker(&encode_marker("alice")).as_deref(), Some("alice"));
        assert_eq!(decode_marker("!!"), None);
    }
}
