//! AWS's wire protocols for Warden, driven by AWS's own service models.
//!
//! The models are botocore's `service-2.json` files for IAM, STS, Cognito user pools, Cognito identity pools
//! and Cognito Sync, embedded in the binary ([`iam`], [`sts`], [`cognito_idp`], [`cognito_identity`],
//! [`cognito_sync`]) and parsed once on first use. Every operation is decoded and encoded by walking its
//! input and output shapes; nothing is written by hand per operation.
//!
//! Pure: no I/O, no clock, no async. The HTTP edge hands in what it read and sends what it gets back.
//!
//! # The intermediate value
//! Requests decode to, and responses encode from, a [`serde_json::Value`] keyed by the model's member
//! names (`{"UserName":"bob","Tags":[{"Key":"a","Value":"b"}]}`), whatever the protocol; handlers
//! deserialize it into their own types and serialize their outputs back.
//! - integers and longs: JSON integers; doubles and floats: JSON numbers, or the strings `NaN`, `Infinity`,
//!   `-Infinity`; booleans: booleans;
//! - timestamps: ISO 8601 UTC strings (`2015-05-21T17:40:35Z`, with a fraction only when there is one); the
//!   decoders normalise whatever the client sent, the encoders also accept any RFC 3339 string or a number
//!   of seconds since the epoch and write each protocol's format (awsQuery: `2015-05-21T17:40:35Z`; awsJson:
//!   epoch seconds as a number with milliseconds, `1432930835.123`);
//! - blobs: base64 strings (checked on decode, written as given);
//! - lists: arrays; maps: objects; structures: objects. Absent or `null` members are left out when
//!   encoding; keys that are not members are ignored.
//!
//! # Serving a request
//! - awsQuery: [`decode_query`] -> [`validate`] -> handler -> [`encode_query_response`], errors with
//!   [`encode_query_error`] (`Content-Type: text/xml`).
//! - awsJson1.1: [`decode_json`] -> [`validate`] -> handler -> [`encode_json`], errors with
//!   [`encode_json_error`] and the `x-amzn-ErrorType` header ([`json_error_type_header`]).
//! - restJson1: [`decode_rest_json`] -> [`validate`] -> handler -> [`encode_rest_json`].
//!
//! A [`WireError`] gives the code, message, HTTP status and fault for the envelope; a handler's own errors
//! take their status from [`ServiceModel::error_status`] (IAM's `NoSuchEntity` is a 404).
//!
//! # Example
//! ```
//! use serde_json::json;
//! use warden_wire::{decode_query, encode_query_error, encode_query_response, iam, validate};
//!
//! let pairs: Vec<(String, String)> = [
//!     ("Action", "CreateUser"),
//!     ("Version", "2010-05-08"),
//!     ("UserName", "bob"),
//!     ("Tags.member.1.Key", "team"),
//!     ("Tags.member.1.Value", "blue"),
//! ]
//! .into_iter()
//! .map(|(k, v)| (k.to_owned(), v.to_owned()))
//! .collect();
//! let req = decode_query(iam(), &pairs)?;
//! assert_eq!(req.action, "CreateUser");
//! assert_eq!(req.input, json!({"UserName": "bob", "Tags": [{"Key": "team", "Value": "blue"}]}));
//! validate(iam(), &req.action, &req.input)?;
//!
//! let output = json!({"User": {
//!     "Path": "/", "UserName": "bob", "UserId": "AIDAEXAMPLE", "Arn": "arn:aws:iam::123456789012:user/bob",
//!     "CreateDate": "2015-05-21T17:40:35Z"
//! }});
//! let xml = encode_query_response(iam(), "CreateUser", &output, "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE")?;
//! assert!(xml.contains("<CreateUserResult>\n    <User>\n      <Path>/</Path>"));
//!
//! // Broken constraints come back in AWS's words.
//! let bad = json!({"UserName": "bob smith"});
//! let err = validate(iam(), "CreateUser", &bad).unwrap_err();
//! assert_eq!(err.code(), "ValidationError");
//! assert_eq!(
//!     err.message(),
//!     "1 validation error detected: Value 'bob smith' at 'userName' failed to satisfy constraint: \
//!      Member must satisfy regular expression pattern: [\\w+=,.@-]+"
//! );
//! let envelope = encode_query_error(err.code(), &err.message(), err.sender_fault(), "req-1",
//!     iam().metadata.xml_namespace.as_deref().unwrap_or_default());
//! assert!(envelope.starts_with("<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"));
//! # Ok::<(), warden_wire::WireError>(())
//! ```

mod error;
mod json;
mod model;
mod models;
mod pattern;
mod query;
mod rest_json;
mod scalar;
mod timestamp;
mod validate;

pub use error::WireError;
pub use json::{decode_json, encode_json, encode_json_error, json_content_type, json_error_type_header};
pub use model::{
    ErrorInfo, Location, Member, Metadata, ModelError, Operation, Protocol, ServiceModel, Shape, ShapeKind,
    XmlNamespace,
};
pub use models::{cognito_identity, cognito_idp, cognito_sync, iam, sts};
pub use query::decode::{
    MAX_DEPTH, MAX_MEMBERS, QueryRequest, UnknownParameters, decode_query, decode_query_with,
};
pub use query::encode::{encode_query_error, encode_query_response, xml_escape};
pub use rest_json::{RestRequest, RestResponse, decode_rest_json, encode_rest_json, match_route};
pub use validate::{validate, validate_shape};

/// `Content-Type` of awsQuery responses and errors.
pub const QUERY_CONTENT_TYPE: &str = "text/xml";

/// Whether the Java `pattern` of a model compiles to a `regex` (patterns that do not are not enforced).
#[must_use]
pub fn pattern_is_supported(pattern: &str) -> bool {
    pattern::compile(pattern).is_some()
}
