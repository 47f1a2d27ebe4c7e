//! The awsQuery pipeline (IAM, STS): authenticate -> decode -> validate -> authorize ->
//! execute -> render.

use std::time::Instant;

use axum::http::Method;
use axum::response::Response;
use serde_json::Value;
use warden_iam::authz::{self, RequestFacts};
use warden_iam::ops::{self, OpSpec};
use warden_iam::{AccountState, Caller};
use warden_policy::Decision;
use warden_sigv4::{HttpRequest, Payload, SignedRequest};
use warden_wire::ServiceModel;

use crate::audit::AuditRecord;
use crate::auth::{self, Authenticated};
use crate::error::ApiError;
use crate::render::{self, Protocol};
use crate::{App, Incoming};

/// STS operations AWS accepts without a signature.
const UNSIGNED_STS: &[&str] = &["AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"];

/// The form parameters of a query request: the query string's and, for a form POST,
/// the body's; SigV4's own `X-Amz-*` query parameters are not the operation's.
fn form_pairs(incoming: &Incoming) -> Vec<(String, String)> {
    let query = incoming.uri.query().unwrap_or_default();
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| !k.starts_with("X-Amz-"))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if incoming.method == Method::POST {
        pairs.extend(form_urlencoded::parse(&incoming.body).map(|(k, v)| (k.into_owned(), v.into_owned())));
    }
    pairs
}

fn model_for(service: &str) -> Option<&'static ServiceModel> {
    match service {
        "iam" => Some(warden_wire::iam()),
        "sts" => Some(warden_wire::sts()),
        _ => None,
    }
}

/// What the audit log and metrics learn about a request as it goes.
#[derive(Default)]
struct Trace {
    service: &'static str,
    action: String,
    principal: String,
    resource: String,
    decision: &'static str,
}

pub async fn handle(app: &App, incoming: Incoming, request_id: &str) -> Response {
    let started = Instant::now();
    let mut trace = Trace {
        service: "iam",
        decision: "none",
        ..Trace::default()
    };
    let (protocol, result) = run(app, &incoming, request_id, &mut trace).await;
    let (response, error_code) = match result {
        Ok(resp) => (resp, None),
        Err(err) => {
            if err.status >= 500 {
                tracing::error!(request_id, code = %err.code, message = %err.message, "request failed");
            }
            (render::error(protocol, &err, request_id), Some(err.code))
        }
    };
    let status = response.status().as_u16();
    app.metrics
        .observe(trace.service, &trace.action, status, started.elapsed());
    app.audit.record(AuditRecord {
        time: app.clock.now(),
        request_id: request_id.to_owned(),
        service: trace.service,
        principal: trace.principal,
        action: trace.action,
        resource: trace.resource,
        decision: trace.decision,
        source_ip: incoming.peer.map(|p| p.ip().to_string()),
        status,
        error_code,
    });
    response
}

async fn run(
    app: &App,
    incoming: &Incoming,
    request_id: &str,
    trace: &mut Trace,
) -> (Protocol, Result<Response, ApiError>) {
    let headers: Vec<(&str, &str)> = incoming
        .headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?)))
        .collect();
    let http = HttpRequest {
        method: incoming.method.as_str(),
        path: incoming.uri.path(),
        query: incoming.uri.query().unwrap_or_default(),
        headers: &headers,
        payload: Payload::Bytes(&incoming.body),
    };
    let iam_protocol = Protocol::Query(warden_wire::iam());
    let signed = match warden_sigv4::parse(&http) {
        Ok(s) => s,
        Err(e) => return (iam_protocol, Err(e.into())),
    };
    let pairs = form_pairs(incoming);
    let service = match &signed {
        Some(s) => s.scope().service().to_owned(),
        None => {
            let action = pairs.iter().find(|(k, _)| k == "Action").map(|(_, v)| v.as_str());
            if action.is_some_and(|a| UNSIGNED_STS.contains(&a)) {
                "sts".to_owned()
            } else {
                "iam".to_owned()
            }
        }
    };
    let Some(model) = model_for(&service) else {
        let err = ApiError::new(
            "InvalidClientTokenId",
            403,
            format!("Credential should be scoped to a valid service: '{service}' is not served here."),
        );
        return (iam_protocol, Err(err));
    };
    trace.service = if service == "sts" { "sts" } else { "iam" };
    let protocol = Protocol::Query(model);
    let result = serve(app, &http, signed.as_ref(), &pairs, model, request_id, trace).await;
    (protocol, result)
}

async fn serve(
    app: &App,
    http: &HttpRequest<'_>,
    signed: Option<&SignedRequest>,
    pairs: &[(String, String)],
    model: &'static ServiceModel,
    request_id: &str,
    trace: &mut Trace,
) -> Result<Response, ApiError> {
    let now = app.clock.now();
    let snapshot = app.iam.snapshot();
    let authed = match signed {
        Some(signed) => Some(auth::authenticate(
            &snapshot,
            &app.signing_keys,
            http,
            signed,
            now,
            app.config.max_clock_skew,
        )?),
        None => None,
    };
    let request = warden_wire::decode_query(model, pairs)?;
    trace.action = format!("{}:{}", model.metadata.endpoint_prefix, request.action);
    let Some(authed) = authed else {
        // Only the unsigned STS operations get here without credentials.
        if model.metadata.endpoint_prefix == "sts" && UNSIGNED_STS.contains(&request.action.as_str()) {
            return Err(not_implemented(&request.action));
        }
        return Err(auth::missing_authentication());
    };
    trace.principal = authz::principal(&authed.account, &authed.caller).arn().to_owned();
    warden_wire::validate(model, &request.action, &request.input)?;
    if model.metadata.endpoint_prefix == "sts" {
        return sts(app, &authed, &request.action, request_id, trace);
    }
    let op = ops::find(&request.action).ok_or_else(|| not_implemented(&request.action))?;
    authorize(app, &authed, op, &request.input, http, trace)?;
    let output = app.iam.execute(op, &authed.caller, &request.input, now).await?;
    let xml = warden_wire::encode_query_response(model, op.name, &output, request_id)?;
    Ok(render::xml(xml, request_id))
}

fn not_implemented(action: &str) -> ApiError {
    ApiError::new(
        "NotImplemented",
        501,
        format!("Warden does not implement {action} yet."),
    )
}

fn authorize(
    app: &App,
    authed: &Authenticated,
    op: &OpSpec,
    input: &Value,
    http: &HttpRequest<'_>,
    trace: &mut Trace,
) -> Result<(), ApiError> {
    let state: &AccountState = &authed.account;
    let resource = warden_iam::resource_arn(state, op, input, &authed.caller);
    let action = op.action();
    let facts = RequestFacts {
        now: app.clock.now(),
        source_ip: None,
        secure_transport: false,
        region: "us-east-1",
    };
    let _ = http;
    let mut context = authz::base_context(state, &authed.caller, &facts);
    add_request_tags(&mut context, input);
    let verdict = authz::authorize(state, &authed.caller, &action, &resource, &context);
    trace.resource.clone_from(&resource);
    trace.decision = match verdict.decision {
        Decision::Allowed => "allow",
        Decision::ExplicitDeny => "explicitDeny",
        Decision::ImplicitDeny => "implicitDeny",
    };
    if verdict.decision == Decision::Allowed {
        return Ok(());
    }
    Err(ApiError::access_denied(authz::access_denied_message(
        &trace.principal,
        &action,
        &resource,
        &verdict,
    )))
}

/// `aws:RequestTag/k` and `aws:TagKeys` from an operation's `Tags` (or `TagKeys`).
fn add_request_tags(context: &mut warden_policy::Context, input: &Value) {
    let tags = input.get("Tags").and_then(Value::as_array);
    let mut keys: Vec<String> = Vec::new();
    for t in tags.into_iter().flatten() {
        if let (Some(k), Some(v)) = (
            t.get("Key").and_then(Value::as_str),
            t.get("Value").and_then(Value::as_str),
        ) {
            context.insert(&format!("aws:RequestTag/{k}"), v);
            keys.push(k.to_owned());
        }
    }
    if let Some(tag_keys) = input.get("TagKeys").and_then(Value::as_array) {
        keys.extend(tag_keys.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    if !keys.is_empty() {
        context.insert("aws:TagKeys", keys);
    }
}

/// STS operations served from the caller's identity alone.
fn sts(
    _app: &App,
    authed: &Authenticated,
    action: &str,
    request_id: &str,
    trace: &mut Trace,
) -> Result<Response, ApiError> {
    match action {
        "GetCallerIdentity" => {
            // GetCallerIdentity needs no permission: AWS answers it even under an explicit deny.
            trace.decision = "allow";
            let state = &authed.account;
            let user_id = match &authed.caller {
                Caller::Root { .. } => state.id.to_string(),
                Caller::User { user, .. } => state.users.get(user).map(|u| u.id.clone()).unwrap_or_default(),
                Caller::AssumedRole { role, session, .. } => {
                    format!(
                        "{}:{session}",
                        state.roles.get(role).map(|r| r.id.as_str()).unwrap_or_default()
                    )
                }
                Caller::FederatedUser { name, .. } => format!("{}:{name}", state.id),
            };
            let output = serde_json::json!({
                "UserId": user_id,
                "Account": state.id.as_str(),
                "Arn": trace.principal,
            });
            let xml = warden_wire::encode_query_response(warden_wire::sts(), action, &output, request_id)?;
            Ok(render::xml(xml, request_id))
        }
        other => Err(not_implemented(other)),
    }
}
