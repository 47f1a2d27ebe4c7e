//! restJson1 (Cognito Sync): the operation comes from the method and the path, matched against the
//! operations' `requestUri` templates; members are bound to URI labels, query-string parameters, headers or
//! the JSON body by their `location`.

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

use crate::json::{decode_members, encode_members, parse_body};
use crate::model::{Location, Operation, ServiceModel, ShapeKind};
use crate::timestamp::Format;
use crate::{WireError, scalar};

/// A restJson1 request as the HTTP edge sees it.
#[derive(Debug, Clone, Copy)]
pub struct RestRequest<'a> {
    /// `GET`, `POST`, ...
    pub method: &'a str,
    /// The path as sent, still percent-encoded, without the query string.
    pub path: &'a str,
    /// Query-string pairs, percent-decoded.
    pub query: &'a [(String, String)],
    /// Headers (names in any case).
    pub headers: &'a [(String, String)],
    /// The body.
    pub body: &'a [u8],
}

/// A restJson1 response to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestResponse {
    /// The operation's `responseCode` (200 unless the model says otherwise).
    pub status: u16,
    /// Headers from members bound to headers.
    pub headers: Vec<(String, String)>,
    /// The JSON body.
    pub body: Vec<u8>,
}

/// The operation whose `requestUri` template matches `method` and the raw `path`, and the percent-decoded
/// values of its labels. Literal segments match exactly; `{Label}` matches one non-empty segment and
/// `{Label+}` the rest of the path. When several templates match, the one with more literal segments wins.
#[must_use]
pub fn match_route<'m>(
    model: &'m ServiceModel,
    method: &str,
    path: &str,
) -> Option<(&'m Operation, Vec<(String, String)>)> {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    type Candidate<'o> = (usize, &'o Operation, Vec<(String, String)>);
    let mut best: Option<Candidate<'m>> = None;
    for op in model
        .operations()
        .filter(|op| op.http_method.eq_ignore_ascii_case(method))
    {
        let template = op.request_uri.split('?').next().unwrap_or_default();
        let tsegs: Vec<&str> = template.trim_start_matches('/').split('/').collect();
        let Some((literals, labels)) = match_segments(&tsegs, &segs) else {
            continue;
        };
        if best.as_ref().is_none_or(|(l, _, _)| literals > *l) {
            best = Some((literals, op, labels));
        }
    }
    best.map(|(_, op, labels)| (op, labels))
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

fn match_segments(template: &[&str], segs: &[&str]) -> Option<(usize, Vec<(String, String)>)> {
    let mut labels = Vec::new();
    let mut literals = 0;
    for (i, t) in template.iter().enumerate() {
        if let Some(label) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
            if let Some(greedy) = label.strip_suffix('+') {
                let rest = segs.get(i..)?.join("/");
                if rest.is_empty() {
                    return None;
                }
                labels.push((greedy.to_owned(), decode(&rest)));
                return Some((literals, labels));
            }
            let s = segs.get(i).filter(|s| !s.is_empty())?;
            labels.push((label.to_owned(), decode(s)));
        } else {
            if segs.get(i) != Some(t) {
                return None;
            }
            literals += 1;
        }
    }
    (segs.len() == template.len()).then_some((literals, labels))
}

fn bad_text(name: &str, text: &str, want: &str) -> WireError {
    WireError::serialization(format!("Invalid value '{text}' for '{name}': expected {want}"))
}

/// Decodes a restJson1 request: the route, then URI labels, query string, headers and the JSON body by
/// each member's `location`. Does not [`crate::validate`].
///
/// # Errors
/// `UnknownOperationException` (404) when no route matches; `SerializationException` (400) for a body that
/// is not JSON or a value of the wrong type.
pub fn decode_rest_json(model: &ServiceModel, req: &RestRequest<'_>) -> Result<(String, Value), WireError> {
    let (op, labels) =
        match_route(model, req.method, req.path).ok_or_else(|| WireError::UnknownOperation {
            message: format!("No operation matches {} {}", req.method, req.path),
            status: 404,
        })?;
    let Some(shape) = op.input.as_deref().and_then(|s| model.shape(s)) else {
        return Ok((op.name.clone(), Value::Object(Map::new())));
    };
    let ShapeKind::Structure { members, .. } = &shape.kind else {
        return Err(WireError::internal(format!("{} is not a structure", shape.name)));
    };
    let has_body = members.iter().any(|m| m.location == Location::Body);
    let body = if has_body {
        parse_body(req.body)?
    } else {
        Value::Object(Map::new())
    };
    let mut input = decode_members(model, shape, &body, "", |m| m.location == Location::Body)?;
    for m in members {
        let target = model
            .shape(&m.shape)
            .ok_or_else(|| WireError::internal("missing shape"))?;
        let name = m.wire_name();
        let text_value =
            |text: &str| scalar::from_text(target, text).map_err(|want| bad_text(name, text, want));
        let value = match m.location {
            Location::Body | Location::StatusCode => continue,
            Location::Uri => match labels.iter().find(|(l, _)| l == name) {
                Some((_, text)) => text_value(text)?,
                None => continue,
            },
            Location::QueryString => match &target.kind {
                ShapeKind::List { member } => {
                    let ms = model
                        .shape(&member.shape)
                        .ok_or_else(|| WireError::internal("missing shape"))?;
                    let mut items = Vec::new();
                    for (_, text) in req.query.iter().filter(|(k, _)| k == name) {
                        items.push(scalar::from_text(ms, text).map_err(|want| bad_text(name, text, want))?);
                    }
                    if items.is_empty() {
                        continue;
                    }
                    Value::Array(items)
                }
                ShapeKind::Map { .. } => {
                    let mut map = Map::new();
                    for (k, text) in req.query {
                        map.entry(k.clone())
                            .or_insert_with(|| Value::String(text.clone()));
                    }
                    Value::Object(map)
                }
                _ => match req.query.iter().find(|(k, _)| k == name) {
                    Some((_, text)) => text_value(text)?,
                    None => continue,
                },
            },
            Location::Header => match req.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)) {
                Some((_, text)) => text_value(text.trim())?,
                None => continue,
            },
            Location::Headers => {
                let lower = name.to_ascii_lowercase();
                let map: Map<String, Value> = req
                    .headers
                    .iter()
                    .filter_map(|(k, v)| {
                        let rest = k.to_ascii_lowercase().strip_prefix(&lower).map(str::to_owned)?;
                        Some((rest, Value::String(v.clone())))
                    })
                    .collect();
                if map.is_empty() {
                    continue;
                }
                Value::Object(map)
            }
        };
        input.insert(m.name.clone(), value);
    }
    Ok((op.name.clone(), Value::Object(input)))
}

/// Encodes the output of a restJson1 operation: header-bound members as headers (timestamps as HTTP
/// dates), the rest as the JSON body, the status from the model's `responseCode`.
///
/// # Errors
/// [`WireError::InternalFailure`] if `op` is unknown or a value does not fit its shape.
pub fn encode_rest_json(model: &ServiceModel, op: &str, output: &Value) -> Result<RestResponse, WireError> {
    let operation = model
        .operation(op)
        .ok_or_else(|| WireError::internal(format!("unknown operation {op}")))?;
    let mut status = operation.response_code;
    let mut headers = Vec::new();
    let body = match operation.output.as_deref().and_then(|s| model.shape(s)) {
        Some(shape) => {
            if let ShapeKind::Structure { members, .. } = &shape.kind {
                for m in members {
                    let Some(v) = output.get(&m.name).filter(|v| !v.is_null()) else {
                        continue;
                    };
                    let target = model
                        .shape(&m.shape)
                        .ok_or_else(|| WireError::internal("missing shape"))?;
                    match m.location {
                        Location::Header => {
                            let ts = Format::from_trait(
                                m.timestamp_format
                                    .as_deref()
                                    .or(target.timestamp_format.as_deref()),
                                Format::HttpDate,
                            );
                            let text = scalar::to_text(target, v, ts).map_err(|want| {
                                WireError::internal(format!("{}: expected {want}", m.name))
                            })?;
                            headers.push((m.wire_name().to_owned(), text));
                        }
                        Location::Headers => {
                            for (k, hv) in v.as_object().into_iter().flatten() {
                                if let Some(s) = hv.as_str() {
                                    headers.push((format!("{}{k}", m.wire_name()), s.to_owned()));
                                }
                            }
                        }
                        Location::StatusCode => {
                            status = v.as_u64().and_then(|s| u16::try_from(s).ok()).unwrap_or(status);
                        }
                        _ => {}
                    }
                }
            }
            encode_members(model, shape, output, "", |m| m.location == Location::Body)?
        }
        None => Map::new(),
    };
    let body = serde_json::to_vec(&Value::Object(body)).map_err(|e| WireError::internal(e.to_string()))?;
    Ok(RestResponse {
        status,
        headers,
        body,
    })
}
