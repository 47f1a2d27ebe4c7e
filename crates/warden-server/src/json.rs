//! The awsJson1.1 pipeline (Cognito user pools and identity pools): route by
//! `X-Amz-Target`, authenticate signed administrative operations and authorize them with
//! IAM on the pool's ARN, take unsigned ones (sign-up, sign-in, token operations, GetId,
//! GetCredentialsForIdentity) where AWS takes them, run the operation, render JSON.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use warden_cognito::ops::{self, Access, OpSpec};
use warden_cognito::{CognitoError, Ctx};
use warden_iam::authz::{self, RequestFacts};
use warden_policy::Decision;
use warden_wire::ServiceModel;

use crate::audit::AuditRecord;
use crate::auth;
use crate::error::ApiError;
use crate::render::{self, Protocol};
use crate::{App, Incoming};

/// A JSON service: its `X-Amz-Target` prefix, IAM service prefix, model, operations and
/// the IAM resource of its pool-scoped operations.
struct JsonService {
    target: &'static str,
    name: &'static str,
    model: fn() -> &'static ServiceModel,
    find: fn(&str) -> Option<&'static OpSpec>,
    pool_member: &'static str,
    pool_resource: &'static str,
}

fn find_identity_op(name: &str) -> Option<&'static OpSpec> {
    ops::identity::TABLE.iter().find(|op| op.name == name)
}

const SERVICES: &[JsonService] = &[
    JsonService {
        target: "AWSCognitoIdentityProviderService.",
        name: "cognito-idp",
        model: warden_wire::cognito_idp,
        find: ops::find,
        pool_member: "UserPoolId",
        pool_resource: "userpool",
    },
    JsonService {
        target: "AWSCognitoIdentityService.",
        name: "cognito-identity",
        model: warden_wire::cognito_identity,
        find: find_identity_op,
        pool_member: "IdentityPoolId",
        pool_resource: "identitypool",
    },
];

fn service_of(incoming: &Incoming) -> Option<&'static JsonService> {
    let target = incoming.headers.get("x-amz-target")?.to_str().ok()?;
    SERVICES.iter().find(|s| target.starts_with(s.target))
}

impl From<CognitoError> for ApiError {
    fn from(e: CognitoError) -> Self {
        ApiError::new(e.code, e.status, e.message)
    }
}

/// Whether a request is for a JSON service this edge serves.
pub fn is_json_request(incoming: &Incoming) -> bool {
    service_of(incoming).is_some()
}

/// What the audit log and metrics learn about a request as it goes.
#[derive(Default)]
struct Trace {
    action: String,
    principal: String,
    resource: String,
    decision: &'static str,
}

pub async fn handle(app: &App, incoming: Incoming, request_id: &str) -> Response {
    let started = std::time::Instant::now();
    let Some(service) = service_of(&incoming) else {
        let err = ApiError::new(
            "UnknownOperationException",
            400,
            "The X-Amz-Target names no service here.",
        );
        return render::error(Protocol::Json(warden_wire::cognito_idp()), &err, request_id);
    };
    let model = (service.model)();
    let mut trace = Trace {
        decision: "none",
        ..Trace::default()
    };
    let result = serve(app, &incoming, service, &mut trace).await;
    let (response, error_code) = match result {
        Ok(body) => (json_response(model, body, request_id), None),
        Err(err) => {
            if err.status >= 500 {
                tracing::error!(request_id, code = %err.code, message = %err.message, "request failed");
            }
            (
                render::error(Protocol::Json(model), &err, request_id),
                Some(err.code),
            )
        }
    };
    let status = response.status().as_u16();
    app.metrics
        .observe(service.name, &trace.action, status, started.elapsed());
    app.audit.record(AuditRecord {
        time: app.clock.now(),
        request_id: request_id.to_owned(),
        service: service.name,
        principal: trace.principal,
        action: format!("{}:{}", service.name, trace.action),
        resource: trace.resource,
        decision: trace.decision,
        source_ip: incoming.peer.map(|p| p.ip().to_string()),
        status,
        error_code,
    });
    response
}

fn json_response(model: &ServiceModel, body: Vec<u8>, request_id: &str) -> Response {
    let mut resp = body.into_response();
    if let Ok(v) = HeaderValue::from_str(&warden_wire::json_content_type(model)) {
        resp.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(request_id) {
        resp.headers_mut().insert("x-amzn-requestid", v);
    }
    resp
}

async fn serve(
    app: &App,
    incoming: &Incoming,
    service: &JsonService,
    trace: &mut Trace,
) -> Result<Vec<u8>, ApiError> {
    let model = (service.model)();
    let target = incoming
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let (name, input) = warden_wire::decode_json(model, target, &incoming.body)?;
    trace.action.clone_from(&name);
    let op = (service.find)(&name).ok_or_else(|| {
        ApiError::new(
            "NotImplementedException",
            501,
            format!("Warden does not implement {name} yet."),
        )
    })?;
    warden_wire::validate(model, &name, &input)?;
    let now = app.clock.now();
    let output = match op.access {
        Access::Public => {
            // Unsigned callers choose the account by the IDs they send: only accounts
            // that exist are looked at, so made-up IDs cannot make the server load (and
            // keep) a namespace per guess.
            let (account, region) = ops::public_account(&input)
                .filter(|(account, _)| app.iam.snapshot().account(account).is_some())
                .ok_or_else(|| not_found(op, &input))?;
            let region = if region.is_empty() {
                "us-east-1".to_owned()
            } else {
                region
            };
            let ctx = Ctx {
                account: &account,
                region: &region,
                now,
            };
            app.pools.execute(op, &ctx, &input).await?
        }
        Access::Pool | Access::Account => signed(app, incoming, service, op, &input, trace).await?,
    };
    Ok(warden_wire::encode_json(model, &name, &output)?)
}

/// What an unsigned request naming no pool of ours is told.
fn not_found(op: &OpSpec, input: &Value) -> ApiError {
    for (member, what) in [("IdentityPoolId", "IdentityPool"), ("IdentityId", "Identity")] {
        if let Some(id) = input.get(member).and_then(Value::as_str) {
            return CognitoError::not_found(format!("{what} '{id}' not found.")).into();
        }
    }
    if let Some(client) = input.get("ClientId").and_then(Value::as_str) {
        return CognitoError::client_not_found(client).into();
    }
    let _ = op;
    CognitoError::not_authorized("Invalid Access Token").into()
}

/// A signed administrative operation: authenticate, authorize with IAM, run.
async fn signed(
    app: &App,
    incoming: &Incoming,
    service: &JsonService,
    op: &'static OpSpec,
    input: &Value,
    trace: &mut Trace,
) -> Result<Value, ApiError> {
    let now = app.clock.now();
    let (authed, signed) = auth::authenticate_signed(app, incoming, now).await?;
    let region = signed.scope().region().to_owned();
    let account = authed.account.id.as_str().to_owned();
    let facts = RequestFacts {
        now,
        source_ip: incoming.peer.map(|p| p.ip()),
        secure_transport: false,
        region: &region,
    };
    let (name, kind) = (service.name, service.pool_resource);
    let resource = match (op.access, input.get(service.pool_member).and_then(Value::as_str)) {
        (Access::Pool, Some(pool)) => format!("arn:aws:{name}:{region}:{account}:{kind}/{pool}"),
        (Access::Pool, None) => match input.get("ResourceArn").and_then(Value::as_str) {
            Some(arn) => arn.to_owned(),
            None => "*".to_owned(),
        },
        _ => "*".to_owned(),
    };
    let action = format!("{name}:{}", op.name);
    let subject = authed.subject();
    let context = authz::subject_context(&authed.account, &subject, &facts);
    let verdict = authz::authorize_subject(
        &authed.account,
        &subject,
        &action,
        &resource,
        &context,
        None,
        None,
    );
    trace.principal = authz::subject_principal(&authed.account, &subject)
        .arn()
        .to_owned();
    trace.resource.clone_from(&resource);
    trace.decision = match verdict.decision {
        Decision::Allowed => "allow",
        Decision::ExplicitDeny => "explicitDeny",
        Decision::ImplicitDeny => "implicitDeny",
    };
    if authed.session.is_none() {
        // AccessKeyLastUsed: any authenticated request counts, whatever its outcome.
        app.iam
            .record_key_use(&account, &authed.access_key_id, name, &region, now);
    }
    if verdict.decision != Decision::Allowed {
        return Err(ApiError::new(
            "AccessDeniedException",
            400,
            authz::access_denied_message(&trace.principal, &action, &resource, &verdict),
        ));
    }
    app.iam
        .record_access(&account, &trace.principal, &action, &region, now);
    let ctx = Ctx {
        account: &account,
        region: &region,
        now,
    };
    Ok(app.pools.execute(op, &ctx, input).await?)
}

/// `GET /{poolId}/.well-known/jwks.json` and `.../openid-configuration`.
pub async fn well_known(app: &App, path: &str) -> Option<Response> {
    let rest = path.strip_prefix('/')?;
    let (pool_id, document) = rest.split_once("/.well-known/")?;
    let exists = warden_cognito::ids::parse_pool_id(pool_id)
        .is_some_and(|(_, account)| app.iam.snapshot().account(&account).is_some());
    let found = match document {
        "jwks.json" | "openid-configuration" if !exists => Ok(None),
        "jwks.json" => app.pools.jwks(pool_id).await,
        "openid-configuration" => app.pools.openid_configuration(pool_id).await,
        _ => return None,
    };
    Some(match found {
        Ok(Some(doc)) => ([(header::CONTENT_TYPE, "application/json")], doc.to_string()).into_response(),
        Ok(None) => (
            axum::http::StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({"message": format!("User pool {pool_id} not found.")}).to_string(),
        )
            .into_response(),
        Err(e) => (
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            serde_json::json!({"message": e.message}).to_string(),
        )
            .into_response(),
    })
}
