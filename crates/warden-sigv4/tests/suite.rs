//! AWS's SigV4 test suite (aws-c-auth, see `tests/data/README.md`): one test per case and form.
//!
//! For each case and each form (header, presigned query) the signed request must:
//! - give exactly the expected canonical request, string to sign and signature;
//! - verify at the case's timestamp, with the secret and with a derived signing key;
//! - be refused once expired;
//! - be refused after any one character of a signed part changes (method, path, query, signed
//!   header values, the Authorization header, body).
//!
//! Requests that are not valid HTTP/1.1 on the wire (raw spaces or UTF-8 in the path, folded
//! headers) go through the same checks: the reader in `common` takes them as they are (a fold
//! becomes a space), so they are checked at the canonicalisation level and beyond.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::fs;
use std::path::PathBuf;

use common::{RawRequest, one_char_mutations};
use serde_json::Value;
use time::{Duration, OffsetDateTime, format_description::well_known::Rfc3339};
use warden_sigv4::{
    HttpRequest, PathNormalization, SecretAccessKey, Settings, SigV4Error, SignatureForm, canonical_request,
    canonical_uri, derive_signing_key, parse, string_to_sign, verify_with,
};

struct Case {
    name: &'static str,
    dir: PathBuf,
    secret: SecretAccessKey,
    access_key_id: String,
    token: Option<String>,
    omit_session_token: bool,
    now: OffsetDateTime,
    expires: Duration,
    settings: Settings,
}

impl Case {
    fn load(name: &'static str) -> Self {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/v4")
            .join(name);
        let context: Value =
            serde_json::from_str(&fs::read_to_string(dir.join("context.json")).unwrap()).unwrap();
        let creds = &context["credentials"];
        let normalize = context["normalize"].as_bool().unwrap();
        Self {
            name,
            secret: SecretAccessKey::new(creds["secret_access_key"].as_str().unwrap()),
            access_key_id: creds["access_key_id"].as_str().unwrap().to_owned(),
            token: creds["token"].as_str().map(str::to_owned),
            omit_session_token: context["omit_session_token"].as_bool().unwrap_or(false),
            now: OffsetDateTime::parse(context["timestamp"].as_str().unwrap(), &Rfc3339).unwrap(),
            expires: Duration::seconds(context["expiration_in_seconds"].as_i64().unwrap()),
            settings: Settings {
                path_normalization: if normalize {
                    PathNormalization::Normalize
                } else {
                    PathNormalization::AsIs
                },
                ..Settings::default()
            },
            dir,
        }
    }

    fn file(&self, name: &str) -> String {
        fs::read_to_string(self.dir.join(name)).unwrap()
    }

    /// The server's side: parse, look the key up (only this case's key exists), verify.
    fn check(&self, req: &HttpRequest<'_>, now: OffsetDateTime) -> Result<(), SigV4Error> {
        let signed = parse(req)?.ok_or(SigV4Error::MissingAuthenticationToken)?;
        if signed.access_key_id() != self.access_key_id {
            return Err(SigV4Error::InvalidClientTokenId);
        }
        verify_with(req, &signed, &self.secret, now, &self.settings)
    }

    fn run(&self, form: SignatureForm) {
        let prefix = match form {
            SignatureForm::Header => "header",
            SignatureForm::Presigned => "query",
        };
        let raw = RawRequest::parse(&self.file(&format!("{prefix}-signed-request.txt")));
        let expected_canonical = self.file(&format!("{prefix}-canonical-request.txt"));
        let expected_to_sign = self.file(&format!("{prefix}-string-to-sign.txt"));
        let expected_signature = self.file(&format!("{prefix}-signature.txt"));
        let ctx = format!("{} ({prefix})", self.name);

        raw.with(|req| {
            let signed = parse(req).unwrap().expect("signed");
            assert_eq!(signed.form(), form, "{ctx}");
            assert_eq!(signed.access_key_id(), self.access_key_id, "{ctx}");
            assert_eq!(signed.signature(), expected_signature.trim(), "{ctx}");
            assert_eq!(signed.scope().region(), "us-east-1", "{ctx}");
            assert_eq!(signed.scope().service(), "service", "{ctx}");
            let token_sent =
                form == SignatureForm::Presigned && !self.omit_session_token || form == SignatureForm::Header;
            if token_sent {
                assert_eq!(signed.session_token(), self.token.as_deref(), "{ctx}");
            }

            // A token appended after signing is not in what was signed.
            let appended_token = form == SignatureForm::Presigned && self.omit_session_token;
            let signed_query: String = if appended_token {
                req.query
                    .split('&')
                    .filter(|p| !p.starts_with("X-Amz-Security-Token="))
                    .collect::<Vec<_>>()
                    .join("&")
            } else {
                req.query.to_owned()
            };
            let signed_part = HttpRequest {
                query: &signed_query,
                ..*req
            };
            let canonical = canonical_request(&signed_part, &signed, &self.settings).unwrap();
            assert_eq!(canonical, expected_canonical, "{ctx}: canonical request");
            let to_sign = string_to_sign(&signed, &canonical);
            assert_eq!(to_sign, expected_to_sign, "{ctx}: string to sign");

            // Accepted at its time, with the secret or a derived key, up to the end of its life.
            self.check(req, self.now).unwrap_or_else(|e| panic!("{ctx}: {e}"));
            let scope = signed.scope();
            let key = derive_signing_key(&self.secret, scope.date(), scope.region(), scope.service());
            verify_with(req, &signed, &key, self.now, &self.settings).unwrap();
            let (last_ok, expired) = match form {
                SignatureForm::Header => (self.settings.max_skew, "SignatureExpired"),
                SignatureForm::Presigned => (self.expires, "RequestExpired"),
            };
            self.check(req, self.now + last_ok).unwrap();
            let err = self
                .check(req, self.now + last_ok + Duration::SECOND)
                .unwrap_err();
            assert!(format!("{err:?}").starts_with(expired), "{ctx}: {err:?}");
            let err = self
                .check(req, self.now - self.settings.max_skew - Duration::SECOND)
                .unwrap_err();
            assert!(matches!(err, SigV4Error::SignatureNotYetCurrent { .. }), "{ctx}");

            // A wrong key is refused with AWS's message, showing what should have been signed.
            let wrong = SecretAccessKey::new("wrong");
            let err = verify_with(&signed_part, &signed, &wrong, self.now, &self.settings).unwrap_err();
            assert_eq!(err.aws_code(), "SignatureDoesNotMatch");
            assert!(
                err.message().contains(&format!("'{expected_canonical}'")),
                "{ctx}"
            );
            assert!(err.message().contains(&format!("'{expected_to_sign}'")), "{ctx}");
            signed
        });

        let signed_names: Vec<String> = raw.with(|req| {
            let mut names = parse(req).unwrap().unwrap().signed_headers().to_vec();
            if form == SignatureForm::Header {
                names.push("authorization".to_owned());
            }
            names
        });
        self.check_mutations(&raw, &signed_names, &ctx);
    }

    fn check_mutations(&self, raw: &RawRequest, signed_names: &[String], ctx: &str) {
        let mut variants: Vec<(String, RawRequest)> = Vec::new();
        for m in one_char_mutations(&raw.method) {
            variants.push((
                format!("method {m:?}"),
                RawRequest {
                    method: m,
                    ..raw.clone()
                },
            ));
        }
        let original_uri = canonical_uri(&raw.path, &self.settings);
        for m in one_char_mutations(&raw.path) {
            // A character in a segment that normalization removes (`/a/..`) is not signed.
            if canonical_uri(&m, &self.settings) != original_uri {
                variants.push((
                    format!("path {m:?}"),
                    RawRequest {
                        path: m,
                        ..raw.clone()
                    },
                ));
            }
        }
        // A session token appended after signing (omit_session_token) is not signed.
        let token_value = self
            .omit_session_token
            .then(|| raw.query.find("X-Amz-Security-Token="))
            .flatten()
            .map(|start| {
                let start = start + "X-Amz-Security-Token=".len();
                let end = raw.query[start..]
                    .find('&')
                    .map_or(raw.query.len(), |e| start + e);
                start..end
            });
        for (i, m) in one_char_mutations(&raw.query).into_iter().enumerate() {
            if token_value.as_ref().is_some_and(|range| range.contains(&i)) {
                continue;
            }
            variants.push((
                format!("query {m:?}"),
                RawRequest {
                    query: m,
                    ..raw.clone()
                },
            ));
        }
        for (i, (name, value)) in raw.headers.iter().enumerate() {
            if !signed_names.iter().any(|s| s.eq_ignore_ascii_case(name)) {
                continue;
            }
            for m in one_char_mutations(value) {
                let mut headers = raw.headers.clone();
                headers[i].1 = m.clone();
                variants.push((
                    format!("header {name}: {m:?}"),
                    RawRequest {
                        headers,
                        ..raw.clone()
                    },
                ));
            }
        }
        for i in 0..raw.body.len() {
            let mut body = raw.body.clone();
            body[i] = if body[i] == b'X' { b'Y' } else { b'X' };
            variants.push((format!("body byte {i}"), RawRequest { body, ..raw.clone() }));
        }
        assert!(!variants.is_empty());
        let accepted: Vec<&String> = variants
            .iter()
            .filter(|(_, v)| v.with(|req| self.check(req, self.now).is_ok()))
            .map(|(what, _)| what)
            .collect();
        assert!(
            accepted.is_empty(),
            "{ctx}: accepted after mutation: {accepted:#?}"
        );
    }
}

macro_rules! suite {
    ($($test:ident => $name:literal,)*) => {
        mod header {
            $( #[test] fn $test() { super::Case::load($name).run(super::SignatureForm::Header); } )*
        }
        mod presigned {
            $( #[test] fn $test() { super::Case::load($name).run(super::SignatureForm::Presigned); } )*
        }
        /// Every case directory has a test above.
        #[test]
        fn every_case_is_listed() {
            let listed = [$($name),*];
            let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/v4");
            let mut found: Vec<String> = fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            found.sort();
            let mut listed: Vec<String> = listed.iter().map(|s| s.to_string()).collect();
            listed.sort();
            assert_eq!(found, listed);
        }
    };
}

suite! {
    get_header_key_duplicate => "get-header-key-duplicate",
    get_header_value_multiline => "get-header-value-multiline",
    get_header_value_order => "get-header-value-order",
    get_header_value_trim => "get-header-value-trim",
    get_relative_normalized => "get-relative-normalized",
    get_relative_relative_normalized => "get-relative-relative-normalized",
    get_relative_relative_unnormalized => "get-relative-relative-unnormalized",
    get_relative_unnormalized => "get-relative-unnormalized",
    get_slash_dot_slash_normalized => "get-slash-dot-slash-normalized",
    get_slash_dot_slash_unnormalized => "get-slash-dot-slash-unnormalized",
    get_slash_normalized => "get-slash-normalized",
    get_slash_pointless_dot_normalized => "get-slash-pointless-dot-normalized",
    get_slash_pointless_dot_unnormalized => "get-slash-pointless-dot-unnormalized",
    get_slash_unnormalized => "get-slash-unnormalized",
    get_slashes_normalized => "get-slashes-normalized",
    get_slashes_unnormalized => "get-slashes-unnormalized",
    get_space_normalized => "get-space-normalized",
    get_space_unnormalized => "get-space-unnormalized",
    get_unreserved => "get-unreserved",
    get_utf8 => "get-utf8",
    get_vanilla => "get-vanilla",
    get_vanilla_empty_query_key => "get-vanilla-empty-query-key",
    get_vanilla_query => "get-vanilla-query",
    get_vanilla_query_order_encoded => "get-vanilla-query-order-encoded",
    get_vanilla_query_order_key_case => "get-vanilla-query-order-key-case",
    get_vanilla_query_unreserved => "get-vanilla-query-unreserved",
    get_vanilla_utf8_query => "get-vanilla-utf8-query",
    get_vanilla_with_session_token => "get-vanilla-with-session-token",
    post_header_key_case => "post-header-key-case",
    post_header_key_sort => "post-header-key-sort",
    post_header_value_case => "post-header-value-case",
    post_sts_header_after => "post-sts-header-after",
    post_sts_header_before => "post-sts-header-before",
    post_vanilla => "post-vanilla",
    post_vanilla_empty_query_value => "post-vanilla-empty-query-value",
    post_vanilla_query => "post-vanilla-query",
    post_x_www_form_urlencoded => "post-x-www-form-urlencoded",
    post_x_www_form_urlencoded_parameters => "post-x-www-form-urlencoded-parameters",
}
