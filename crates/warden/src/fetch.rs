//! The outbound HTTP that STS needs (OIDC discovery documents and JWKS), with a timeout
//! and a size cap. Only https, or http to a loopback host (DESIGN.md: local providers).

use std::time::Duration;

use warden_sts::Fetcher;

/// Bodies larger than this are refused (a JWKS is a few KiB).
const MAX_BODY: u64 = 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(5);

pub struct HttpFetcher {
    agent: ureq::Agent,
}

impl Default for HttpFetcher {
    fn default() -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .http_status_as_error(true)
            .max_redirects(3)
            .build()
            .into();
        Self { agent }
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
        let agent = self.agent.clone();
        let url = url.to_owned();
        tokio::task::spawn_blocking(move || {
            let mut response = agent.get(&url).call().map_err(|e| e.to_string())?;
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

#[cfg(test)]
mod tests {
    use super::allowed;

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
