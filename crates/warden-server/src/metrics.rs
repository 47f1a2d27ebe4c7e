//! Prometheus metrics on `/metrics`: requests by service, action and status, and their
//! latency.

use std::sync::Mutex;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    service: String,
    action: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ServiceLabels {
    service: String,
}

pub struct Metrics {
    registry: Mutex<Registry>,
    requests: Family<RequestLabels, Counter>,
    latency: Family<ServiceLabels, Histogram>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("warden");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<ServiceLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.000_05, 2.0, 16))
        });
        registry.register("requests", "AWS API requests served", requests.clone());
        registry.register(
            "request_duration_seconds",
            "Time to serve an AWS API request",
            latency.clone(),
        );
        Self {
            registry: Mutex::new(registry),
            requests,
            latency,
        }
    }
}

impl Metrics {
    pub fn observe(&self, service: &str, action: &str, status: u16, elapsed: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                service: service.to_owned(),
                action: action.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&ServiceLabels {
                service: service.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Ok(registry) = self.registry.lock() {
            let _ = prometheus_client::encoding::text::encode(&mut out, &registry);
        }
        out
    }
}
