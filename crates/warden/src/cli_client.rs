//! The client side of `warden account create`: a SigV4-signed call to a running server.

use std::time::SystemTime;

use anyhow::{Context, bail};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;

/// Asks the server at `endpoint` to create an account, signing with the given keys, and
/// returns the server's JSON answer.
pub fn create_account(
    endpoint: &str,
    name: &str,
    access_key_id: &str,
    secret_access_key: &str,
    session_token: Option<&str>,
) -> anyhow::Result<serde_json::Value> {
    let url = format!("{}/warden/accounts", endpoint.trim_end_matches('/'));
    let body = serde_json::to_vec(&serde_json::json!({ "AccountName": name }))?;
    let identity = Credentials::new(
        access_key_id,
        secret_access_key,
        session_token.map(str::to_owned),
        None,
        "cli",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("warden")
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
    let headers = [("host", host.as_str()), ("content-type", "application/json")];
    let signable = SignableRequest::new(
        "POST",
        url.as_str(),
        headers.iter().copied(),
        SignableBody::Bytes(&body),
    )
    .context("building the request to sign")?;
    let (instructions, _) = sign(signable, &params).context("signing")?.into_parts();
    let mut request = http::Request::builder()
        .method("POST")
        .uri(&url)
        .header("content-type", "application/json");
    for (name, value) in instructions.headers() {
        request = request.header(name, value);
    }
    let request = request.body(body).context("building the request")?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent.run(request).with_context(|| format!("calling {url}"))?;
    let status = response.status();
    let text = response
        .body_mut()
        .read_to_string()
        .context("reading the answer")?;
    if !status.is_success() {
        bail!("the server refused ({status}): {text}");
    }
    serde_json::from_str(&text).context("the server's answer is not JSON")
}
