//! The awsQuery pipeline (IAM, STS): authenticate -> decode -> validate -> authorize ->
//! execute -> render.

use std::net::IpAddr;
use std::time::Instant;

use axum::http::Method;
use axum::response::Response;
use serde_json::Value;
use warden_iam::AccountState;
use warden_iam::authz::{self, RequestFacts};
use warden_iam::ops::{self, OpSpec};
use warden_policy::Decision;
use warden_sigv4::{HttpRequest, SignedRequest};
use warden_wire::ServiceModel;

use crate::audit::AuditRecord;
use crate::auth::{self, Authenticated};
use crate::error::ApiError;
use crate::render::{self, Protocol};
use crate::{App, Incoming};

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
    let headers = incoming.header_pairs();
    let http = incoming.sigv4(&headers);
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
            if action.is_some_and(warden_sts::is_unsigned) {
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
    let peer = incoming.peer.map(|p| p.ip());
    let parsed = Parsed {
        http: &http,
        signed: signed.as_ref(),
        pairs: &pairs,
        model,
        peer,
    };
    let result = serve(app, parsed, request_id, trace).await;
    (protocol, result)
}

/// A query request as parsed so far.
struct Parsed<'a> {
    http: &'a HttpRequest<'a>,
    signed: Option<&'a SignedRequest>,
    pairs: &'a [(String, String)],
    model: &'static ServiceModel,
    peer: Option<IpAddr>,
}

async fn serve(
    app: &App,
    parsed: Parsed<'_>,
    request_id: &str,
    trace: &mut Trace,
) -> Result<Response, ApiError> {
    let Parsed {
        http,
        signed,
        pairs,
        model,
        peer,
    } = parsed;
    let now = app.clock.now();
    let snapshot = app.iam.snapshot();
    let authed = match signed {
        Some(signed) => Some(
            auth::authenticate(
                &snapshot,
                &app.sts,
                &app.signing_keys,
                http,
                signed,
                now,
                app.config.max_clock_skew,
            )
            .await?,
        ),
        None => None,
    };
    let request = warden_wire::decode_query(model, pairs)?;
    trace.action = format!("{}:{}", model.metadata.endpoint_prefix, request.action);
    let Some(authed) = authed else {
        // Only the unsigned STS operations get here without credentials.
        if model.metadata.endpoint_prefix == "sts" && warden_sts::is_unsigned(&request.action) {
            warden_wire::validate(model, &request.action, &request.input)?;
            let facts = RequestFacts {
                now,
                source_ip: peer,
                secure_transport: false,
                region: "us-east-1",
            };
            let output =
                warden_sts::execute_unsigned(&app.sts, &request.action, &request.input, &facts).await?;
            trace.decision = "allow";
            let xml = warden_wire::encode_query_response(model, &request.action, &output, request_id)?;
            return Ok(render::xml(xml, request_id));
        }
        return Err(auth::missing_authentication());
    };
    if authed.session.is_none() {
        // AccessKeyLastUsed: any authenticated request counts, whatever its outcome.
        app.iam.record_key_use(
            authed.account.id.as_str(),
            &authed.access_key_id,
            model.metadata.endpoint_prefix.as_str(),
            signed_region(signed),
            now,
        );
    }
    let subject = authed.subject();
    trace.principal = authz::subject_principal(&authed.account, &subject)
        .arn()
        .to_owned();
    warden_wire::validate(model, &request.action, &request.input)?;
    let facts = RequestFacts {
        now,
        source_ip: peer,
        secure_transport: false,
        region: signed_region(signed),
    };
    if model.metadata.endpoint_prefix == "sts" {
        let output = warden_sts::execute(
            &app.sts,
            &request.action,
            &authed.account,
            &subject,
            &request.input,
            &facts,
        )
        .await?;
        trace.decision = "allow";
        let xml = warden_wire::encode_query_response(model, &request.action, &output, request_id)?;
        return Ok(render::xml(xml, request_id));
    }
    let op = ops::find(&request.action).ok_or_else(|| not_implemented(&request.action))?;
    authorize(app, &authed, op, &request.input, &facts, trace)?;
    let output = app.iam.execute(op, &authed.caller, &request.input, now).await?;
    let xml = warden_wire::encode_query_response(model, op.name, &output, request_id)?;
    Ok(render::xml(xml, request_id))
}

/// The region a request was signed for (any name is accepted; IAM is global).
fn signed_region(signed: Option<&SignedRequest>) -> &str {
    signed.map_or("us-east-1", |s| s.scope().region())
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
    facts: &RequestFacts<'_>,
    trace: &mut Trace,
) -> Result<(), ApiError> {
    let state: &AccountState = &authed.account;
    let subject = authed.subject();
    let resource = warden_iam::resource_arn(state, op, input, &authed.caller);
    let action = op.action();
    let mut context = authz::subject_context(state, &subject, facts);
    add_request_tags(&mut context, input);
    let verdict = authz::authorize_subject(state, &subject, &action, &resource, &context, None, None);
    trace.resource.clone_from(&resource);
    trace.decision = match verdict.decision {
        Decision::Allowed => "allow",
        Decision::ExplicitDeny => "explicitDeny",
        Decision::ImplicitDeny => "implicitDeny",
    };
    if verdict.decision == Decision::Allowed {
        app.iam.record_access(
            state.id.as_str(),
            &trace.principal,
            &action,
            facts.region,
            facts.now,
        );
        return Ok(());
    }
    let mut err = ApiError::access_denied(authz::access_denied_message(
        &trace.principal,
        &action,
        &resource,
        &verdict,
    ));
    let details = failure_details(&trace.principal, &action, &resource, &verdict, &context);
    err.encoded_message = app.sts.encode_authorization_message(state.id.as_str(), &details);
    Err(err)
}

/// What DecodeAuthorizationMessage reveals about a denial, in AWS's documented shape.
fn failure_details(
    principal_arn: &str,
    action: &str,
    resource: &str,
    verdict: &warden_policy::Verdict,
    context: &warden_policy::Context,
) -> Value {
    let conditions: Vec<Value> = context
        .iter()
        .map(|(key, value)| {
            let values: Vec<Value> = match value {
                warden_policy::ContextValue::Strings(v) => {
                    v.iter().map(|s| serde_json::json!({"value": s})).collect()
                }
                other => vec![serde_json::json!({"value": context_text(other)})],
            };
            serde_json::json!({"key": key, "values": {"items": values}})
        })
        .collect();
    let principal_id = context.get("aws:userid").map(context_text).unwrap_or_default();
    serde_json::json!({
        "allowed": false,
        "explicitDeny": verdict.decision == Decision::ExplicitDeny,
        "matchedStatements": {"items": []},
        "failures": {"items": []},
        "context": {
            "principal": {"id": principal_id, "arn": principal_arn},
            "action": action,
            "resource": resource,
            "conditions": {"items": conditions},
        },
    })
}

fn context_text(v: &warden_policy::ContextValue) -> String {
    use warden_policy::ContextValue as V;
    match v {
        V::String(s) => s.clone(),
        V::Strings(v) => v.join(","),
        V::Number(n) => n.to_string(),
        V::Bool(b) => b.to_string(),
        V::Date(d) => warden_iam::util::ts(*d),
        V::Ip(ip) => ip.to_string(),
        V::Binary(b) => format!("{} bytes", b.len()),
    }
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
