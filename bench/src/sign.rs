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
    let headers = [("host", host), ("content-type", FORM)];
    let signable = SignableRequest::new(
        "POST",
        url.as_str(),
        headers.iter().copied(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .context("request to sign")?;
    let (instructions, _) = sign(signable, &params).context("signing")?.into_parts();
    let mut out = String::with_capacity(512 + body.len());
    out.push_str("POST / HTTP/1.1\r\n");
    out.push_str(&format!(
        "host: {host}\r\ncontent-type: {FORM}\r\ncontent-length: {}\r\n",
        body.len()
    ));
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
