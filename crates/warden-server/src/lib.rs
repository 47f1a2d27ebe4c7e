//! The HTTP edge of Warden: one port for every service.
//!
//! A request is routed by service (SigV4 credential scope, `X-Amz-Target`, or path),
//! authenticated against the in-memory snapshot, decoded by the model-driven wire layer,
//! authorized by the policy engine, handed to the service, and rendered in AWS's wire
//! format. `/healthz` and `/metrics` sit beside it.
//!
//! ```no_run
//! # async fn f(app: std::sync::Arc<warden_server::App>) {
//! let router = warden_server::router(app);
//! # }
//! ```

pub mod admin;
pub mod audit;
pub mod auth;
pub mod error;
pub mod json;
pub mod metrics;
pub mod query;
pub mod render;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use time::OffsetDateTime;
use warden_iam::Iam;

pub use error::ApiError;

/// Requests larger than this are refused before they are read in full.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The source of the current time: the binary passes the system clock, tests a fake one.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;
}

/// Settings of the edge.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// How far a request's signing time may be from ours (AWS: 15 minutes).
    pub max_clock_skew: time::Duration,
    /// `{public-url}`: the base of user pool issuers and of links the server hands out.
    pub public_url: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            max_clock_skew: time::Duration::minutes(15),
            public_url: "http://127.0.0.1:4600".into(),
        }
    }
}

/// The services the edge routes to.
pub struct Services {
    pub iam: Arc<Iam>,
    pub sts: Arc<warden_sts::Sts>,
    pub pools: Arc<warden_cognito::UserPools>,
}

/// Everything the handlers share. Services are handed out narrowly from here.
pub struct App {
    pub iam: Arc<Iam>,
    pub sts: Arc<warden_sts::Sts>,
    pub pools: Arc<warden_cognito::UserPools>,
    pub clock: Arc<dyn Clock>,
    pub config: ServerConfig,
    pub signing_keys: auth::SigningKeyCache,
    pub metrics: metrics::Metrics,
    pub audit: audit::AuditLog,
    ready: AtomicBool,
}

impl App {
    pub fn new(
        services: Services,
        clock: Arc<dyn Clock>,
        config: ServerConfig,
        audit: audit::AuditLog,
    ) -> Self {
        let Services { iam, sts, pools } = services;
        Self {
            iam,
            sts,
            pools,
            clock,
            config,
            signing_keys: auth::SigningKeyCache::default(),
            metrics: metrics::Metrics::default(),
            audit,
            ready: AtomicBool::new(false),
        }
    }

    /// Marks the server ready: `/healthz` answers 200 from now on.
    pub fn set_ready(&self) {
        self.ready.store(true, Ordering::Release);
    }
}

/// The router: `/healthz`, `/metrics`, and every AWS request.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_handler))
        .fallback(aws)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(app)
}

async fn healthz(State(app): State<Arc<App>>) -> Response {
    if app.ready.load(Ordering::Acquire) {
        (StatusCode::OK, "ok\n").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "starting\n").into_response()
    }
}

async fn metrics_handler(State(app): State<Arc<App>>) -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        app.metrics.render(),
    )
        .into_response()
}

/// The parts of an HTTP request the AWS handlers read.
pub struct Incoming {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub peer: Option<SocketAddr>,
}

/// A request ID in AWS's UUID form: a random per-process base with a counter folded
/// into its low bits, so IDs are unique without a `getrandom` call per request.
fn request_id() -> String {
    static BASE: std::sync::LazyLock<u128> = std::sync::LazyLock::new(|| uuid::Uuid::new_v4().as_u128());
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let bytes = (*BASE ^ u128::from(n)).to_be_bytes();
    uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
}

impl Incoming {
    /// The header fields SigV4 sees (values that are not valid UTF-8 are left out, so a
    /// signature over them fails).
    pub fn header_pairs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?)))
            .collect()
    }

    /// The request as SigV4 verifies it.
    pub fn sigv4<'a>(&'a self, headers: &'a [(&'a str, &'a str)]) -> warden_sigv4::HttpRequest<'a> {
        warden_sigv4::HttpRequest {
            method: self.method.as_str(),
            path: self.uri.path(),
            query: self.uri.query().unwrap_or_default(),
            headers,
            payload: warden_sigv4::Payload::Bytes(&self.body),
        }
    }
}

async fn aws(State(app): State<Arc<App>>, request: axum::extract::Request) -> Response {
    let request_id = request_id();
    let (parts, body) = request.into_parts();
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let body = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            let err = ApiError::new(
                "RequestEntityTooLarge",
                413,
                format!("Request body is larger than the maximum of {MAX_BODY_BYTES} bytes."),
            );
            return render::error(render::Protocol::Query(warden_wire::iam()), &err, &request_id);
        }
    };
    let incoming = Incoming {
        method: parts.method,
        uri: parts.uri,
        headers: parts.headers,
        body,
        peer,
    };
    if incoming.uri.path() == "/warden/accounts" && incoming.method == Method::POST {
        return admin::create_account(&app, incoming).await;
    }
    if incoming.method == Method::GET
        && let Some(resp) = json::well_known(&app, incoming.uri.path()).await
    {
        return resp;
    }
    if json::is_json_request(&incoming) {
        return json::handle(&app, incoming, &request_id).await;
    }
    query::handle(&app, incoming, &request_id).await
}
