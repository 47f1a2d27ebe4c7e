//! SigV4 signing with the AWS SDK's own signer (`aws-sigv4`), producing complete
//! HTTP/1.1 request bytes ready to be replayed on a keep-alive connection.

use std::time::SystemTime;

use anyhow::Context;
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;

#[derive(Clone, Debug)]
pub struct Keys {
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Temporary credentials' session token (sent as `X-Amz-Security-Token`).
    pub session_token: Option<String>,
}

pub const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// A signed `POST /` of `body` (an IAM query form) to `host`, as raw bytes.
pub fn iam_post(host: &str, keys: &Keys, body: &str, time: SystemTime) -> anyhow::Result<Vec<u8>> {
    signed_post(host, keys, "iam", body, time)
}

/// A signed `POST /` of a query form for `service` (`iam`, `sts`), as raw bytes.
pub fn signed_post(
    host: &str,
    keys: &Keys,
    service: &str,
    body: &str,
    time: SystemTime,
) -> anyhow::Result<Vec<u8>> {
    signed_request(host, keys, service, &[("content-type", FORM)], body, time)
}

/// A signed awsJson1.1 `POST /` of `body` for the operation `target`
/// (`AWSCognitoIdentityProviderService.CreateUserPool`), as raw bytes.
pub fn signed_json(
    host: &str,
    keys: &Keys,
    service: &str,
    target: &str,
    body: &str,
    time: SystemTime,
) -> anyhow::Result<Vec<u8>> {
    let headers = [("content-type", JSON), ("x-amz-target", target)];
    signed_request(host, keys, service, &headers, body, time)
}

/// The same request, unsigned (what apps send for sign-in).
pub fn unsigned_json(host: &str, target: &str, body: &str) -> Vec<u8> {
    format!(
        "POST / HTTP/1.1\r\nhost: {host}\r\ncontent-type: {JSON}\r\nx-amz-target: {target}\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

pub const JSON: &str = "application/x-amz-json-1.1";

fn signed_request(
    host: &str,
    keys: &Keys,
    service: &str,
    headers: &[(&str, &str)],
    body: &str,
    time: SystemTime,
) -> anyhow::Result<Vec<u8>> {
    let identity = Credentials::new(
        &keys.access_key_id,
        &keys.secret_access_key,
        keys.session_token.clone(),
        None,
        "warden-bench",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .context("signing parameters")?
        .into();
    let url = format!("http://{host}/");
    let mut all = vec![("host", host)];
    all.extend_from_slice(headers);
    let signable = SignableRequest::new(
        "POST",
        url.as_str(),
        all.iter().copied(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .context("request to sign")?;
    let (instructions, _) = sign(signable, &params).context("signing")?.into_parts();
    let mut out = String::with_capacity(512 + body.len());
    out.push_str("POST / HTTP/1.1\r\n");
    for (name, value) in &all {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!("content-length: {}\r\n", body.len()));
    for (name, value) in instructions.headers() {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(body);
    Ok(out.into_bytes())
}

/// `application/x-www-form-urlencoded` escaping of one value.
pub fn form_escape(v: &str) -> String {
    let mut out = String::with_capacity(v.len() * 3);
    for b in v.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(b)),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
