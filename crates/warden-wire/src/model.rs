//! The typed service model: operations and shapes read from botocore's `service-2.json`.
//!
//! Only what the codecs and the validator need is kept; documentation is dropped. The reader is lenient about
//! traits it does not know (they are ignored) and strict about structure (a member naming a missing shape is
//! an error), so that a model that loads can be walked without further checks.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

/// A model that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid service model: {0}")]
pub struct ModelError(pub String);

/// The wire protocol a service speaks (`metadata.protocol`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Protocol {
    /// awsQuery: form-encoded request, XML response (IAM, STS).
    Query,
    /// awsJson1.0/1.1: JSON body, operation in `X-Amz-Target` (Cognito user and identity pools).
    Json,
    /// restJson1: operation from method and path, members bound to the URI, query string, headers and body
    /// (Cognito Sync).
    RestJson,
    /// Anything else (`ec2`, `rest-xml`, ...): the model loads but no codec here speaks it.
    Other(String),
}

/// The service-wide facts of a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// `apiVersion`, e.g. `2010-05-08`; awsQuery's `Version` parameter.
    pub api_version: String,
    /// The protocol.
    pub protocol: Protocol,
    /// `endpointPrefix`, e.g. `iam`, `cognito-idp`.
    pub endpoint_prefix: String,
    /// `xmlNamespace` (awsQuery): the `xmlns` of every response and error envelope.
    pub xml_namespace: Option<String>,
    /// `targetPrefix` (awsJson): `X-Amz-Target` is `{targetPrefix}.{Operation}`.
    pub target_prefix: Option<String>,
    /// `jsonVersion` (awsJson): `1.1` gives the content type `application/x-amz-json-1.1`.
    pub json_version: Option<String>,
}

/// One operation of the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// AWS's name, e.g. `CreateUser`.
    pub name: String,
    /// HTTP method of the binding (`POST` for the RPC protocols).
    pub http_method: String,
    /// HTTP `requestUri` (a template with `{Label}` for restJson1).
    pub request_uri: String,
    /// The status of a successful response (restJson1), else 200.
    pub response_code: u16,
    /// Input shape name, if the operation takes input.
    pub input: Option<String>,
    /// Output shape name, if the operation returns output.
    pub output: Option<String>,
    /// awsQuery: the element that wraps the output (`CreateUserResult`).
    pub result_wrapper: Option<String>,
    /// Error shape names the operation may return.
    pub errors: Vec<String>,
}

/// Where a restJson1 member is bound (`location`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// In the body (the default).
    Body,
    /// A `{Label}` of the request URI.
    Uri,
    /// A query-string parameter.
    QueryString,
    /// An HTTP header.
    Header,
    /// A map of headers sharing a prefix.
    Headers,
    /// The response status code.
    StatusCode,
}

/// An XML namespace trait: `xmlns="uri"` or `xmlns:prefix="uri"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlNamespace {
    /// The prefix, if any.
    pub prefix: Option<String>,
    /// The namespace URI.
    pub uri: String,
}

/// A reference from a structure, list or map to a shape, with the traits set on the reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The member's name in the model (the key of the intermediate JSON value).
    pub name: String,
    /// The target shape.
    pub shape: String,
    /// restJson1 binding.
    pub location: Location,
    /// Serialized name (query key, XML element, header or query-string name).
    pub location_name: Option<String>,
    /// XML namespace of the element.
    pub xml_namespace: Option<XmlNamespace>,
    /// Flattened list or map (no wrapping element).
    pub flattened: bool,
    /// `timestampFormat` on the reference.
    pub timestamp_format: Option<String>,
    /// The string holds a JSON document (`jsonvalue`).
    pub json_value: bool,
    /// The member is an idempotency token.
    pub idempotency_token: bool,
}

impl Member {
    /// The name used on the wire: `locationName` if set, else the member name.
    #[must_use]
    pub fn wire_name(&self) -> &str {
        self.location_name.as_deref().unwrap_or(&self.name)
    }
}

/// The kind of a shape, with its children.
#[derive(Debug, Clone, PartialEq)]
pub enum ShapeKind {
    /// A structure with members in model order.
    Structure {
        /// Members in model order.
        members: Vec<Member>,
        /// Names of required members.
        required: Vec<String>,
        /// restJson1 `payload`: the member that is the whole body.
        payload: Option<String>,
        /// Exactly one member may be set.
        union: bool,
    },
    /// A list.
    List {
        /// The element reference.
        member: Box<Member>,
    },
    /// A map.
    Map {
        /// The key reference.
        key: Box<Member>,
        /// The value reference.
        value: Box<Member>,
    },
    /// A string (possibly an enum).
    String,
    /// 32-bit integer.
    Integer,
    /// 64-bit integer.
    Long,
    /// 16-bit integer.
    Short,
    /// 8-bit integer.
    Byte,
    /// A boolean.
    Boolean,
    /// A point in time.
    Timestamp,
    /// Bytes (base64 on the wire and in the intermediate value).
    Blob,
    /// 64-bit float.
    Double,
    /// 32-bit float.
    Float,
    /// An untyped JSON document (`document: true`).
    Document,
}

/// The `error` trait of an exception shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorInfo {
    /// The code on the wire (awsQuery's `<Code>`, awsJson's `__type`): `error.code`, else the shape name.
    pub code: String,
    /// The shape's name, e.g. `NoSuchEntityException`.
    pub shape: String,
    /// `error.httpStatusCode`, else 400 for sender faults and 500 for server faults.
    pub http_status: u16,
    /// Whether the caller is at fault (`<Type>Sender</Type>`).
    pub sender_fault: bool,
}

/// One shape with its constraint traits.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// The shape's name.
    pub name: String,
    /// What it is.
    pub kind: ShapeKind,
    /// `min`: length of strings, lists, maps and blobs, or the least value of numbers.
    pub min: Option<f64>,
    /// `max`: as `min`.
    pub max: Option<f64>,
    /// `pattern`: a Java regular expression the whole string must match.
    pub pattern: Option<String>,
    /// `enum`: the allowed values (empty when not an enum).
    pub enum_values: Vec<String>,
    /// `timestampFormat` of a timestamp shape.
    pub timestamp_format: Option<String>,
    /// `sensitive`: validation messages do not echo the value.
    pub sensitive: bool,
    /// `locationName` on the shape (older models).
    pub location_name: Option<String>,
    /// `xmlNamespace` on the shape.
    pub xml_namespace: Option<XmlNamespace>,
    /// `flattened` on the shape (older models).
    pub flattened: bool,
    /// Exception shapes carry their error information.
    pub error: Option<ErrorInfo>,
}

/// A service model: metadata, operations and shapes.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceModel {
    /// Service-wide facts.
    pub metadata: Metadata,
    operations: BTreeMap<String, Operation>,
    shapes: HashMap<String, Shape>,
    errors_by_code: HashMap<String, String>,
}

fn err(msg: impl Into<String>) -> ModelError {
    ModelError(msg.into())
}

fn get_str(obj: &Map<String, Value>, key: &str) -> Option<String> {
    obj.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn get_bool(obj: &Map<String, Value>, key: &str) -> bool {
    obj.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn xml_namespace(v: Option<&Value>) -> Option<XmlNamespace> {
    match v? {
        Value::String(uri) => Some(XmlNamespace {
            prefix: None,
            uri: uri.clone(),
        }),
        Value::Object(o) => Some(XmlNamespace {
            prefix: get_str(o, "prefix"),
            uri: get_str(o, "uri")?,
        }),
        _ => None,
    }
}

fn member(name: &str, v: &Value) -> Result<Member, ModelError> {
    let o = v
        .as_object()
        .ok_or_else(|| err(format!("member {name} is not an object")))?;
    let location = match o.get("location").and_then(Value::as_str) {
        None => Location::Body,
        Some("uri") => Location::Uri,
        Some("querystring") => Location::QueryString,
        Some("header") => Location::Header,
        Some("headers") => Location::Headers,
        Some("statusCode") => Location::StatusCode,
        Some(other) => return Err(err(format!("member {name}: unknown location {other}"))),
    };
    Ok(Member {
        name: name.to_owned(),
        shape: get_str(o, "shape").ok_or_else(|| err(format!("member {name} has no shape")))?,
        location,
        location_name: get_str(o, "locationName"),
        xml_namespace: xml_namespace(o.get("xmlNamespace")),
        flattened: get_bool(o, "flattened"),
        timestamp_format: get_str(o, "timestampFormat"),
        json_value: get_bool(o, "jsonvalue"),
        idempotency_token: get_bool(o, "idempotencyToken"),
    })
}

fn shape(name: &str, v: &Value) -> Result<Shape, ModelError> {
    let o = v
        .as_object()
        .ok_or_else(|| err(format!("shape {name} is not an object")))?;
    let ty = get_str(o, "type").ok_or_else(|| err(format!("shape {name} has no type")))?;
    let kind = match ty.as_str() {
        "structure" if get_bool(o, "document") => ShapeKind::Document,
        "structure" => {
            let mut members = Vec::new();
            if let Some(ms) = o.get("members").and_then(Value::as_object) {
                for (mname, mv) in ms {
                    members.push(member(mname, mv)?);
                }
            }
            let required = o
                .get("required")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default();
            ShapeKind::Structure {
                members,
                required,
                payload: get_str(o, "payload"),
                union: get_bool(o, "union"),
            }
        }
        "list" => ShapeKind::List {
            member: Box::new(member(
                "member",
                o.get("member").ok_or_else(|| err(format!("{name}: no member")))?,
            )?),
        },
        "map" => ShapeKind::Map {
            key: Box::new(member(
                "key",
                o.get("key").ok_or_else(|| err(format!("{name}: no key")))?,
            )?),
            value: Box::new(member(
                "value",
                o.get("value").ok_or_else(|| err(format!("{name}: no value")))?,
            )?),
        },
        "string" => ShapeKind::String,
        "integer" => ShapeKind::Integer,
        "long" | "bigInteger" => ShapeKind::Long,
        "short" => ShapeKind::Short,
        "byte" => ShapeKind::Byte,
        "boolean" => ShapeKind::Boolean,
        "timestamp" => ShapeKind::Timestamp,
        "blob" => ShapeKind::Blob,
        "double" | "bigDecimal" => ShapeKind::Double,
        "float" => ShapeKind::Float,
        "document" => ShapeKind::Document,
        other => return Err(err(format!("shape {name}: unknown type {other}"))),
    };
    let exception = get_bool(o, "exception");
    let error = if exception || o.contains_key("error") {
        let e = o.get("error").and_then(Value::as_object);
        let fault = get_bool(o, "fault");
        let status = e.and_then(|e| e.get("httpStatusCode")).and_then(Value::as_u64);
        // Without `error.senderFault`: a server fault if marked `fault` or given a 5xx status (IAM's
        // ServiceFailure), else the caller's (Cognito's exceptions carry no `error` trait and are 400s,
        // except InternalErrorException, marked `fault`).
        let sender_fault = e
            .and_then(|e| e.get("senderFault"))
            .and_then(Value::as_bool)
            .unwrap_or(!fault && status.is_none_or(|s| s < 500));
        Some(ErrorInfo {
            code: e
                .and_then(|e| get_str(e, "code"))
                .unwrap_or_else(|| name.to_owned()),
            shape: name.to_owned(),
            http_status: status
                .and_then(|s| u16::try_from(s).ok())
                .unwrap_or(if sender_fault { 400 } else { 500 }),
            sender_fault,
        })
    } else {
        None
    };
    let enum_values = o
        .get("enum")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    Ok(Shape {
        name: name.to_owned(),
        kind,
        min: o.get("min").and_then(Value::as_f64),
        max: o.get("max").and_then(Value::as_f64),
        pattern: get_str(o, "pattern"),
        enum_values,
        timestamp_format: get_str(o, "timestampFormat"),
        sensitive: get_bool(o, "sensitive"),
        location_name: get_str(o, "locationName"),
        xml_namespace: xml_namespace(o.get("xmlNamespace")),
        flattened: get_bool(o, "flattened"),
        error,
    })
}

fn operation(name: &str, v: &Value) -> Result<Operation, ModelError> {
    let o = v
        .as_object()
        .ok_or_else(|| err(format!("operation {name} is not an object")))?;
    let http = o.get("http").and_then(Value::as_object);
    let shape_of = |key: &str| {
        o.get(key)
            .and_then(Value::as_object)
            .and_then(|i| get_str(i, "shape"))
    };
    Ok(Operation {
        name: get_str(o, "name").unwrap_or_else(|| name.to_owned()),
        http_method: http
            .and_then(|h| get_str(h, "method"))
            .unwrap_or_else(|| "POST".to_owned()),
        request_uri: http
            .and_then(|h| get_str(h, "requestUri"))
            .unwrap_or_else(|| "/".to_owned()),
        response_code: http
            .and_then(|h| h.get("responseCode"))
            .and_then(Value::as_u64)
            .and_then(|c| u16::try_from(c).ok())
            .unwrap_or(200),
        input: shape_of("input"),
        output: shape_of("output"),
        result_wrapper: o
            .get("output")
            .and_then(Value::as_object)
            .and_then(|i| get_str(i, "resultWrapper")),
        errors: o
            .get("errors")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|e| e.get("shape").and_then(Value::as_str))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
    })
}

impl ServiceModel {
    /// Reads a botocore `service-2.json`.
    ///
    /// # Errors
    /// When the text is not JSON or not a model (see [`ServiceModel::from_parts`]).
    pub fn from_json(text: &str) -> Result<Self, ModelError> {
        let v: Value = serde_json::from_str(text).map_err(|e| err(e.to_string()))?;
        let empty = Map::new();
        let ops = v.get("operations").and_then(Value::as_object).unwrap_or(&empty);
        Self::from_parts(
            v.get("metadata").ok_or_else(|| err("no metadata"))?,
            v.get("shapes").ok_or_else(|| err("no shapes"))?,
            ops.iter().map(|(k, o)| (k.as_str(), o)),
        )
    }

    /// Builds a model from its three parts, e.g. from a protocol test case (`metadata`, `shapes`, and the
    /// case's `given` operation).
    ///
    /// # Errors
    /// When a part is malformed, or a member, input, output or error names a shape that does not exist.
    pub fn from_parts<'a>(
        metadata: &Value,
        shapes: &Value,
        operations: impl IntoIterator<Item = (&'a str, &'a Value)>,
    ) -> Result<Self, ModelError> {
        let md = metadata
            .as_object()
            .ok_or_else(|| err("metadata is not an object"))?;
        let protocol = match get_str(md, "protocol").as_deref() {
            Some("query") => Protocol::Query,
            Some("json") => Protocol::Json,
            Some("rest-json") => Protocol::RestJson,
            Some(other) => Protocol::Other(other.to_owned()),
            None => return Err(err("metadata.protocol is missing")),
        };
        let metadata = Metadata {
            api_version: get_str(md, "apiVersion").unwrap_or_default(),
            protocol,
            endpoint_prefix: get_str(md, "endpointPrefix").unwrap_or_default(),
            xml_namespace: get_str(md, "xmlNamespace"),
            target_prefix: get_str(md, "targetPrefix"),
            json_version: get_str(md, "jsonVersion"),
        };
        let mut shape_map = HashMap::new();
        for (name, sv) in shapes.as_object().ok_or_else(|| err("shapes is not an object"))? {
            shape_map.insert(name.clone(), shape(name, sv)?);
        }
        let mut ops = BTreeMap::new();
        for (name, ov) in operations {
            let op = operation(name, ov)?;
            ops.insert(op.name.clone(), op);
        }
        let model = ServiceModel {
            metadata,
            operations: ops,
            shapes: shape_map,
            errors_by_code: HashMap::new(),
        };
        model.check_references()?;
        let mut errors_by_code = HashMap::new();
        for s in model.shapes.values() {
            if let Some(e) = &s.error {
                errors_by_code.insert(e.code.clone(), s.name.clone());
            }
        }
        Ok(ServiceModel {
            errors_by_code,
            ..model
        })
    }

    fn check_references(&self) -> Result<(), ModelError> {
        let known = |name: &str, from: &str| {
            if self.shapes.contains_key(name) {
                Ok(())
            } else {
                Err(err(format!("{from} refers to missing shape {name}")))
            }
        };
        for s in self.shapes.values() {
            match &s.kind {
                ShapeKind::Structure { members, .. } => {
                    for m in members {
                        known(&m.shape, &s.name)?;
                    }
                }
                ShapeKind::List { member } => known(&member.shape, &s.name)?,
                ShapeKind::Map { key, value } => {
                    known(&key.shape, &s.name)?;
                    known(&value.shape, &s.name)?;
                }
                _ => {}
            }
        }
        for op in self.operations.values() {
            for s in op.input.iter().chain(op.output.iter()).chain(op.errors.iter()) {
                known(s, &op.name)?;
            }
        }
        Ok(())
    }

    /// The operation named `name` (exact, case-sensitive, as AWS matches `Action`).
    #[must_use]
    pub fn operation(&self, name: &str) -> Option<&Operation> {
        self.operations.get(name)
    }

    /// All operations, by name.
    pub fn operations(&self) -> impl Iterator<Item = &Operation> {
        self.operations.values()
    }

    /// The shape named `name`.
    #[must_use]
    pub fn shape(&self, name: &str) -> Option<&Shape> {
        self.shapes.get(name)
    }

    /// All shapes, in no particular order.
    pub fn shapes(&self) -> impl Iterator<Item = &Shape> {
        self.shapes.values()
    }

    /// The error whose wire code (e.g. IAM's `NoSuchEntity`) or shape name (`NoSuchEntityException`) is
    /// `code`.
    #[must_use]
    pub fn error_info(&self, code: &str) -> Option<&ErrorInfo> {
        let by_code = self.errors_by_code.get(code).and_then(|s| self.shapes.get(s));
        by_code
            .or_else(|| self.shapes.get(code))
            .and_then(|s| s.error.as_ref())
    }

    /// The HTTP status of the error `code`: the model's `httpStatusCode` when the model knows the code,
    /// else 400 for a sender fault and 500 otherwise.
    #[must_use]
    pub fn error_status(&self, code: &str, sender_fault: bool) -> u16 {
        match self.error_info(code) {
            Some(e) => e.http_status,
            None if sender_fault => 400,
            None => 500,
        }
    }

    /// The code this service uses for a request that breaks the model's constraints (`required`, `min`,
    /// `max`, `pattern`, `enum`): `ValidationError` for awsQuery services (IAM, STS),
    /// `InvalidParameterException` for the Cognito services, which define it in their models.
    #[must_use]
    pub fn validation_error_code(&self) -> &'static str {
        match self.metadata.protocol {
            Protocol::Query => "ValidationError",
            _ => "InvalidParameterException",
        }
    }
}
