//! The outbound HTTP that STS needs (OIDC discovery documents and JWKS), with a timeout
//! and a size cap. Only https, or http to a loopback host (DESIGN.md: local providers).

use std::sync::Arc;
use std::time::Duration;

use warden_sts::Fetcher;

/// Bodies larger than this are refused (a JWKS is a few KiB).
const MAX_BODY: u64 = 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(5);

pub struct HttpFetcher {
    /// For https URLs; a redirect to anything but https is refused (`https_only`), so a
    /// provider cannot bounce Warden to `http://` hosts of its network.
    https: ureq::Agent,
    /// For http to a loopback host; no redirects at all (one could lead off the host).
    loopback: ureq::Agent,
}

impl Default for HttpFetcher {
    fn default() -> Self {
        let https: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .http_status_as_error(true)
            .https_only(true)
            .max_redirects(3)
            .build()
            .into();
        let loopback: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .http_status_as_error(true)
            .max_redirects(0)
            .build()
            .into();
        Self { https, loopback }
    }
}

/// Whether `url` may be fetched: https anywhere, http only to a loopback host.
pub fn allowed(url: &str) -> bool {
    if url.starts_with("https://") {
        return true;
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[async_trait::async_trait]
impl Fetcher for HttpFetcher {
    async fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        if !allowed(url) {
            return Err(format!("{url} is neither https nor a loopback http URL"));
        }
        let agent = if url.starts_with("https://") {
            self.https.clone()
        } else {
            self.loopback.clone()
        };
        let url = url.to_owned();
        tokio::task::spawn_blocking(move || {
            let mut response = agent.get(&url).call().map_err(|e| e.to_string())?;
            if response.status().is_redirection() {
                return Err(format!("{url} redirects, and redirects are not followed here"));
            }
            response
                .body_mut()
                .with_config()
                .limit(MAX_BODY)
                .read_to_vec()
                .map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| e.to_string())?
    }
}

/// Answers the discovery documents and JWKS of this server's own user pools (and of
/// its identity pools' issuer, `https://cognito-identity.amazonaws.com`) from memory, so that AssumeRoleWithWebIdentity trusts their tokens without a round trip
/// through the network (DESIGN.md: the issuer is `{public-url}/{poolId}`); every other
/// URL goes to [`HttpFetcher`].
pub struct LocalPoolsFirst {
    pools: Arc<warden_cognito::UserPools>,
    /// `{public-url}/`.
    prefix: String,
    remote: HttpFetcher,
}

impl LocalPoolsFirst {
    pub fn new(pools: Arc<warden_cognito::UserPools>, public_url: &str) -> Self {
        Self {
            pools,
            prefix: format!("{}/", public_url.trim_end_matches('/')),
            remote: HttpFetcher::default(),
        }
    }
}

#[async_trait::async_trait]
impl Fetcher for LocalPoolsFirst {
    async fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        if let Some(document) = self.pools.identity_document(url).await {
            return document
                .map(|d| d.to_string().into_bytes())
                .map_err(|e| e.message);
        }
        let Some((pool_id, document)) = url
            .strip_prefix(&self.prefix)
            .and_then(|rest| rest.split_once("/.well-known/"))
        else {
            return self.remote.get(url).await;
        };
        let found = match document {
            "openid-configuration" => self.pools.openid_configuration(pool_id).await,
            "jwks.json" => self.pools.jwks(pool_id).await,
            _ => return self.remote.get(url).await,
        };
        match found {
            Ok(Some(doc)) => Ok(doc.to_string().into_bytes()),
            Ok(None) => Err(format!("{url}: no such user pool here")),
            Err(e) => Err(e.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::allowed;
    use warden_sts::Fetcher;

    /// A loopback provider cannot redirect Warden off the loopback host.
    #[tokio::test]
    async fn loopback_http_follows_no_redirect() {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            if let Ok((mut conn, _)) = listener.accept() {
                let mut buf = [0u8; 1024];
                let _ = conn.read(&mut buf);
                let _ = conn.write_all(
                    b"HTTP/1.1 302 Found\r\nLocation: http://internal.invalid/keys\r\nContent-Length: 0\r\n\r\n",
                );
            }
        });
        let e = super::HttpFetcher::default()
            .get(&format!("http://127.0.0.1:{port}/keys"))
            .await
            .unwrap_err();
        assert!(e.to_lowercase().contains("redirect"), "{e}");
    }

    #[test]
    fn only_https_or_loopback_http() {
        assert!(allowed(
            "https://token.actions.githubusercontent.com/.well-known/jwks"
        ));
        assert!(allowed("http://127.0.0.1:8080/keys"));
        assert!(allowed("http://localhost/keys"));
        assert!(allowed("http://[::1]:9/keys"));
        assert!(!allowed("http://10.0.0.1/keys"));
        assert!(!allowed("http://example.com/keys"));
        assert!(!allowed("file:///etc/passwd"));
    }
}
