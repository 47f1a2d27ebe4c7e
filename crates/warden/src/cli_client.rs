//! The client side of `warden account create`: SigV4-signed calls to a running server.

use std::time::SystemTime;

use anyhow::{Context, bail};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;

/// The credentials a call is signed with.
pub struct SigningKeys<'a> {
    pub access_key_id: &'a str,
    pub secret_access_key: &'a str,
    pub session_token: Option<&'a str>,
}

/// Sends a SigV4-signed POST of `body` to `{endpoint}{path}` for `service`, and returns
/// the status and body of the answer (blocking).
pub fn signed_post(
    endpoint: &str,
    path: &str,
    service: &str,
    content_type: &str,
    body: &[u8],
    keys: &SigningKeys<'_>,
) -> anyhow::Result<(u16, String)> {
    let url = format!("{}{path}", endpoint.trim_end_matches('/'));
    let identity = Credentials::new(
        keys.access_key_id,
        keys.secret_access_key,
        keys.session_token.map(str::to_owned),
        None,
        "warden-cli",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(service)
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .context("building signing parameters")?
        .into();
    let host = url
        .split("://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_default()
        .to_owned();
    let headers = [("host", host.as_str()), ("content-type", content_type)];
    let signable = SignableRequest::new(
        "POST",
        url.as_str(),
        headers.iter().copied(),
        SignableBody::Bytes(body),
    )
    .context("building the request to sign")?;
    let (instructions, _) = sign(signable, &params).context("signing")?.into_parts();
    let mut request = http::Request::builder()
        .method("POST")
        .uri(&url)
        .header("content-type", content_type);
    for (name, value) in instructions.headers() {
        request = request.header(name, value);
    }
    let request = request.body(body.to_vec()).context("building the request")?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent.run(request).with_context(|| format!("calling {url}"))?;
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .read_to_string()
        .context("reading the answer")?;
    Ok((status, text))
}

/// Asks the server at `endpoint` to create an account and returns its JSON answer:
/// `{"AccountId", "AccountName", "AccessKeyId", "SecretAccessKey"}`.
pub fn create_account(
    endpoint: &str,
    name: &str,
    keys: &SigningKeys<'_>,
) -> anyhow::Result<serde_json::Value> {
    let body = serde_json::to_vec(&serde_json::json!({ "AccountName": name }))?;
    let (status, text) = signed_post(
        endpoint,
        "/warden/accounts",
        "warden",
        "application/json",
        &body,
        keys,
    )?;
    if !(200..300).contains(&status) {
        bail!("the server refused ({status}): {text}");
    }
    serde_json::from_str(&text).context("the server's answer is not JSON")
}
