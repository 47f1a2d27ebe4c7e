//! The timed part: N keep-alive connections replaying pre-signed requests for a fixed
//! duration after a warm-up, recording every request's latency.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::http::Conn;

/// What one connection replays: `cycle` repeats the pool until time is up; otherwise
/// every request is sent once (writes that must be unique) and the connection stops
/// when its pool is used up.
pub struct Plan {
    pub pools: Vec<Vec<Vec<u8>>>,
    pub cycle: bool,
    pub warmup: Duration,
    pub duration: Duration,
}

#[derive(Default)]
struct ConnResult {
    latencies_us: Vec<u32>,
    statuses: BTreeMap<u16, u64>,
    io_errors: u64,
    first_error: Option<String>,
    finished_at: Option<Instant>,
    /// Answers received, warm-up included.
    answered: u64,
}

pub struct Report {
    pub requests: u64,
    pub elapsed: Duration,
    pub latencies_us: Vec<u32>,
    pub statuses: BTreeMap<u16, u64>,
    pub io_errors: u64,
    pub first_error: Option<String>,
    pub exhausted: bool,
    /// Answers received, warm-up included (for CPU time per request).
    pub answered: u64,
}

impl Report {
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn errors(&self) -> u64 {
        self.io_errors
            + self
                .statuses
                .iter()
                .filter(|(s, _)| **s != 200)
                .map(|(_, n)| n)
                .sum::<u64>()
    }

    fn percentile(&self, p: f64) -> Duration {
        if self.latencies_us.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * (self.latencies_us.len() as f64 - 1.0)).round() as usize;
        let us = self
            .latencies_us
            .get(rank.min(self.latencies_us.len() - 1))
            .copied()
            .unwrap_or_default();
        Duration::from_micros(u64::from(us))
    }

    pub fn print(&self, name: &str) {
        println!("== {name}");
        println!(
            "requests {}  in {:.2}s  => {:.0} requests/s{}",
            self.requests,
            self.elapsed.as_secs_f64(),
            self.rate(),
            if self.exhausted {
                "  (pre-signed pool used up before the end)"
            } else {
                ""
            }
        );
        println!(
            "latency  p50 {:.3} ms  p90 {:.3} ms  p99 {:.3} ms  p99.9 {:.3} ms  max {:.3} ms",
            ms(self.percentile(50.0)),
            ms(self.percentile(90.0)),
            ms(self.percentile(99.0)),
            ms(self.percentile(99.9)),
            ms(self
                .latencies_us
                .last()
                .map_or(Duration::ZERO, |u| Duration::from_micros(u64::from(*u)))),
        );
        let statuses: Vec<String> = self.statuses.iter().map(|(s, n)| format!("{s}: {n}")).collect();
        println!(
            "statuses {{{}}}  io errors {}  => errors {}",
            statuses.join(", "),
            self.io_errors,
            self.errors()
        );
        if let Some(e) = &self.first_error {
            println!("first error: {e}");
        }
    }

    pub fn p99(&self) -> Duration {
        self.percentile(99.0)
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub async fn run(addr: SocketAddr, plan: Plan) -> anyhow::Result<Report> {
    let start = Instant::now() + Duration::from_millis(50);
    let measure_from = start + plan.warmup;
    let end = measure_from + plan.duration;
    let cycle = plan.cycle;
    let mut tasks = Vec::new();
    for pool in plan.pools {
        let pool = Arc::new(pool);
        tasks.push(tokio::spawn(async move {
            connection(addr, pool, cycle, start, measure_from, end).await
        }));
    }
    let mut report = Report {
        requests: 0,
        elapsed: plan.duration,
        latencies_us: Vec::new(),
        statuses: BTreeMap::new(),
        io_errors: 0,
        first_error: None,
        exhausted: false,
        answered: 0,
    };
    let mut last_finish = measure_from;
    for t in tasks {
        let r = t.await?;
        report.latencies_us.extend_from_slice(&r.latencies_us);
        for (s, n) in r.statuses {
            *report.statuses.entry(s).or_default() += n;
        }
        report.io_errors += r.io_errors;
        report.answered += r.answered;
        if report.first_error.is_none() {
            report.first_error = r.first_error;
        }
        if let Some(f) = r.finished_at {
            report.exhausted = true;
            last_finish = last_finish.max(f);
        }
    }
    if report.exhausted && !cycle {
        report.elapsed = last_finish
            .saturating_duration_since(measure_from)
            .min(plan.duration);
    }
    report.requests = report.latencies_us.len() as u64;
    report.latencies_us.sort_unstable();
    Ok(report)
}

async fn connection(
    addr: SocketAddr,
    pool: Arc<Vec<Vec<u8>>>,
    cycle: bool,
    start: Instant,
    measure_from: Instant,
    end: Instant,
) -> ConnResult {
    let mut out = ConnResult {
        latencies_us: Vec::with_capacity(1 << 16),
        ..ConnResult::default()
    };
    let mut conn = match Conn::connect(addr).await {
        Ok(c) => c,
        Err(e) => {
            out.io_errors += 1;
            out.first_error = Some(format!("{e:#}"));
            return out;
        }
    };
    tokio::time::sleep_until(start.into()).await;
    let mut i = 0usize;
    loop {
        let Some(request) = pool.get(i) else {
            if cycle && !pool.is_empty() {
                i = 0;
                continue;
            }
            out.finished_at = Some(Instant::now());
            break;
        };
        i += 1;
        let sent = Instant::now();
        if sent >= end {
            break;
        }
        let measured = sent >= measure_from;
        match conn.roundtrip(request).await {
            Ok(answer) => {
                let took = sent.elapsed();
                out.answered += 1;
                if measured {
                    out.latencies_us
                        .push(u32::try_from(took.as_micros()).unwrap_or(u32::MAX));
                    *out.statuses.entry(answer.status).or_default() += 1;
                }
                if answer.status != 200 && out.first_error.is_none() {
                    out.first_error = Some(format!("HTTP {}: {}", answer.status, answer.text()));
                }
            }
            Err(e) => {
                out.io_errors += 1;
                if out.first_error.is_none() {
                    out.first_error = Some(format!("{e:#}"));
                }
                match Conn::connect(addr).await {
                    Ok(c) => conn = c,
                    Err(_) => break,
                }
            }
        }
    }
    out
}
