//! Writing responses and errors in each protocol's envelope.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use warden_wire::ServiceModel;

use crate::error::ApiError;

/// Which envelope a request's answer uses.
#[derive(Debug, Clone, Copy)]
pub enum Protocol {
    /// awsQuery: XML bodies (IAM, STS).
    Query(&'static ServiceModel),
    /// awsJson1.1: JSON bodies with `__type` errors (Cognito).
    Json(&'static ServiceModel),
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn with_request_id(mut resp: Response, request_id: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(request_id) {
        resp.headers_mut().insert("x-amzn-requestid", v);
    }
    resp
}

pub fn xml(body: String, request_id: &str) -> Response {
    with_request_id(
        ([(header::CONTENT_TYPE, "text/xml")], body).into_response(),
        request_id,
    )
}

pub fn error(protocol: Protocol, err: &ApiError, request_id: &str) -> Response {
    let mut resp = match protocol {
        Protocol::Query(model) => {
            let ns = model.metadata.xml_namespace.as_deref().unwrap_or_default();
            let body =
                warden_wire::encode_query_error(&err.code, &err.message, err.sender_fault, request_id, ns);
            (status(err.status), [(header::CONTENT_TYPE, "text/xml")], body).into_response()
        }
        Protocol::Json(model) => {
            let body = warden_wire::encode_json_error(&err.code, &err.message);
            let mut resp = (status(err.status), body).into_response();
            if let Ok(v) = HeaderValue::from_str(&warden_wire::json_content_type(model)) {
                resp.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            if let Ok(v) = HeaderValue::from_str(&warden_wire::json_error_type_header(&err.code)) {
                resp.headers_mut().insert("x-amzn-errortype", v);
            }
            resp
        }
    };
    if let Some(v) = err
        .encoded_message
        .as_deref()
        .and_then(|m| HeaderValue::from_str(m).ok())
    {
        resp.headers_mut()
            .insert("x-amz-encoded-authorization-message", v);
    }
    with_request_id(resp, request_id)
}
