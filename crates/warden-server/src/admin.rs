//! Warden's own API beside AWS's: `POST /warden/accounts` creates an account (what
//! `warden account create` calls). It is SigV4-signed (any service name) and authorized
//! as `organizations:CreateAccount` for principals of the default account only.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use warden_iam::authz::{self, RequestFacts};
use warden_policy::Decision;
use warden_types::AccountId;

use crate::error::ApiError;
use crate::{App, Incoming, auth};

const MAX_ACCOUNT_NAME: usize = 50;

fn json_error(err: &ApiError) -> Response {
    let body = warden_wire::encode_json_error(&err.code, &err.message);
    let status = StatusCode::from_u16(err.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

pub async fn create_account(app: &App, incoming: Incoming) -> Response {
    match create(app, &incoming).await {
        Ok(v) => ([(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response(),
        Err(e) => json_error(&e),
    }
}

async fn create(app: &App, incoming: &Incoming) -> Result<Value, ApiError> {
    let now = app.clock.now();
    let (authed, _) = auth::authenticate_signed(app, incoming, now).await?;
    let snapshot = app.iam.snapshot();
    let subject = authed.subject();
    let principal = authz::subject_principal(&authed.account, &subject);
    let action = "organizations:CreateAccount";
    let facts = RequestFacts {
        now,
        source_ip: incoming.peer.map(|p| p.ip()),
        secure_transport: false,
        region: "us-east-1",
    };
    let context = authz::subject_context(&authed.account, &subject, &facts);
    let verdict = authz::authorize_subject(&authed.account, &subject, action, "*", &context, None, None);
    let in_default = snapshot.default_account.as_deref() == Some(authed.account.id.as_str());
    if !in_default || verdict.decision != Decision::Allowed {
        return Err(ApiError::access_denied(authz::access_denied_message(
            principal.arn(),
            action,
            "*",
            &verdict,
        )));
    }
    let body: Value = serde_json::from_slice(&incoming.body).map_err(|_| {
        ApiError::new(
            "SerializationException",
            400,
            "The request body is not valid JSON.",
        )
    })?;
    let name = body
        .get("AccountName")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if name.is_empty() || name.chars().count() > MAX_ACCOUNT_NAME || name.chars().any(char::is_control) {
        return Err(ApiError::new(
            "InvalidInputException",
            400,
            format!("AccountName must be 1 to {MAX_ACCOUNT_NAME} printable characters."),
        ));
    }
    // A fresh random ID; retry on the (unlikely) collision with an existing account.
    for _ in 0..5 {
        let id = AccountId::random();
        if snapshot.account(id.as_str()).is_some() {
            continue;
        }
        let (key_id, secret) = app.iam.create_account(&id, name, None, now).await?;
        tracing::info!(account = %id, by = principal.arn(), "account created");
        return Ok(json!({
            "AccountId": id.as_str(),
            "AccountName": name,
            "AccessKeyId": key_id,
            "SecretAccessKey": secret.expose(),
        }));
    }
    Err(ApiError::internal())
}
