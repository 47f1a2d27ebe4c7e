//! `warden-bench`: the load benchmark of Warden (see BENCHMARKS.md at the repository root).
//!
//! Every scenario starts its own `warden serve` on a fresh data directory and a free
//! 127.0.0.1 port (or targets `--endpoint`, loopback only), prepares its data through the
//! API, pre-signs the requests of the timed run with the AWS SDK's SigV4 signer, and
//! replays them over N keep-alive HTTP/1.1 connections. Every non-200 answer is an error.

mod cognito;
mod http;
mod load;
mod server;
mod sign;
mod sts;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::http::Conn;
use crate::load::Plan;
use crate::sign::{Keys, form_escape, iam_post};

#[derive(Parser)]
#[command(name = "warden-bench", about = "Load benchmark for Warden (loopback only)")]
struct Cli {
    #[command(subcommand)]
    command: Scenario,
}

#[derive(clap::Args, Clone)]
pub(crate) struct Target {
    /// A running server (http://127.0.0.1:PORT) instead of spawning one.
    #[arg(long)]
    endpoint: Option<String>,
    /// Root access key of `--endpoint` (spawned servers get the built-in one).
    #[arg(long, default_value = server::ROOT_KEY_ID)]
    root_key_id: String,
    #[arg(long, default_value = server::ROOT_SECRET)]
    root_secret: String,
    /// The `warden` binary to spawn (default: $CARGO_TARGET_DIR/release/warden).
    #[arg(long)]
    binary: Option<PathBuf>,
}

#[derive(clap::Args, Clone)]
pub(crate) struct Load {
    /// Keep-alive connections.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Seconds measured.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Seconds of warm-up before measuring.
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    /// Worker threads of the generator's runtime.
    #[arg(long, default_value_t = 1)]
    threads: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CallerKind {
    /// An IAM user whose attached managed policy allows iam:GetUser (the policy engine runs).
    User,
    /// The account's root user.
    Root,
}

#[derive(Subcommand)]
enum Scenario {
    /// Signed GetUser, authorized by the policy engine.
    GetUser {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        load: Load,
        #[arg(long, value_enum, default_value = "user")]
        caller: CallerKind,
        /// Users to pick GetUser's target from.
        #[arg(long, default_value_t = 100)]
        users: usize,
        /// Customer managed policies stored besides the caller's.
        #[arg(long, default_value_t = 0)]
        policies: usize,
    },
    /// GetUser with 100,000 users and 10,000 policies stored.
    GetUserLarge {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        load: Load,
        #[arg(long, value_enum, default_value = "user")]
        caller: CallerKind,
        #[arg(long, default_value_t = 100_000)]
        users: usize,
        #[arg(long, default_value_t = 10_000)]
        policies: usize,
    },
    /// CreateUser, each one durable (committed with fsync) before its 200.
    CreateUser {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        load: Load,
        /// Pre-signed CreateUser requests per connection (each user name is used once).
        #[arg(long, default_value_t = 2_000)]
        pool: usize,
    },
    /// AssumeRole as an IAM user, then GetUser signed with the temporary credentials.
    AssumeRole {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        load: Load,
    },
    /// Cognito password sign-in (unsigned InitiateAuth), then GetUser with an access token.
    SignIn {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        load: Load,
        /// Users signing in, in turn.
        #[arg(long, default_value_t = 64)]
        users: usize,
    },
    /// Time from spawn to the "warden ready" line and to /healthz 200.
    Startup {
        #[arg(long)]
        binary: Option<PathBuf>,
        #[arg(long, default_value_t = 10)]
        runs: usize,
    },
    /// RSS of a started, idle server, and again after a burst of requests.
    IdleMemory {
        #[arg(long)]
        binary: Option<PathBuf>,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let threads = match &cli.command {
        Scenario::GetUser { load, .. }
        | Scenario::GetUserLarge { load, .. }
        | Scenario::CreateUser { load, .. }
        | Scenario::AssumeRole { load, .. }
        | Scenario::SignIn { load, .. } => load.threads,
        Scenario::Startup { .. } | Scenario::IdleMemory { .. } => 1,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .enable_all()
        .build()?;
    print_machine();
    runtime.block_on(async move {
        match cli.command {
            Scenario::GetUser {
                target,
                load,
                caller,
                users,
                policies,
            } => get_user("get-user", &target, &load, caller, users, policies).await,
            Scenario::GetUserLarge {
                target,
                load,
                caller,
                users,
                policies,
            } => get_user("get-user-large", &target, &load, caller, users, policies).await,
            Scenario::CreateUser { target, load, pool } => create_user(&target, &load, pool).await,
            Scenario::AssumeRole { target, load } => sts::assume_role(&target, &load).await,
            Scenario::SignIn { target, load, users } => cognito::sign_in(&target, &load, users).await,
            Scenario::Startup { binary, runs } => startup(binary, runs).await,
            Scenario::IdleMemory { binary } => idle_memory(binary).await,
        }
    })?;
    print_load("after");
    Ok(())
}

fn print_machine() {
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_default();
    println!("machine: {cpus} CPUs ({model})");
    print_load("before");
}

fn print_load(when: &str) {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average {when}: {}", load.trim());
}

/// The server a scenario talks to; a spawned one is stopped on drop of the scenario.
pub(crate) struct Env {
    addr: SocketAddr,
    host: String,
    root: Keys,
    spawned: Option<server::Spawned>,
    _dir: Option<tempfile::TempDir>,
}

impl Env {
    async fn new(target: &Target) -> anyhow::Result<Self> {
        if let Some(endpoint) = &target.endpoint {
            let hostport = endpoint.trim_start_matches("http://").trim_end_matches('/');
            let addr: SocketAddr = hostport
                .parse()
                .with_context(|| format!("--endpoint must be http://IP:PORT, not {endpoint}"))?;
            if !addr.ip().is_loopback() {
                bail!("this benchmark only talks to loopback addresses");
            }
            return Ok(Self {
                addr,
                host: hostport.to_owned(),
                root: Keys {
                    access_key_id: target.root_key_id.clone(),
                    secret_access_key: target.root_secret.clone(),
                    session_token: None,
                },
                spawned: None,
                _dir: None,
            });
        }
        let binary = target.binary.clone().unwrap_or_else(server::default_binary);
        let dir = tempfile::tempdir()?;
        let spawned = server::spawn(&binary, dir.path(), &[])?;
        println!(
            "server: {} pid {} on {} (ready in {:.1} ms)",
            binary.display(),
            spawned.pid(),
            spawned.addr,
            spawned.ready_after.as_secs_f64() * 1000.0
        );
        Ok(Self {
            addr: spawned.addr,
            host: spawned.addr.to_string(),
            root: server::root_keys(),
            spawned: Some(spawned),
            _dir: Some(dir),
        })
    }

    fn stop(mut self) -> anyhow::Result<()> {
        if let Some(s) = self.spawned.take() {
            s.stop()?;
        }
        Ok(())
    }

    fn rss(&self) -> Option<String> {
        let pid = self.spawned.as_ref()?.pid();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .map(|l| l.trim_start_matches(name).trim().to_owned())
                .unwrap_or_default()
        };
        Some(format!("VmRSS {}  VmHWM {}", field("VmRSS:"), field("VmHWM:")))
    }

    /// The server's CPU time so far (user + system, all threads).
    fn server_cpu(&self) -> Option<Duration> {
        cpu_time(self.spawned.as_ref()?.pid())
    }

    /// One signed call as `keys`; fails unless the answer is 200.
    async fn call(&self, conn: &mut Conn, keys: &Keys, form: &str) -> anyhow::Result<String> {
        let req = iam_post(&self.host, keys, form, SystemTime::now())?;
        let answer = conn.roundtrip(&req).await?;
        if answer.status != 200 {
            bail!("{form}: HTTP {}: {}", answer.status, answer.text());
        }
        Ok(answer.text())
    }
}

/// CPU time (user + system) of process `pid` from /proc (clock ticks of 1/100 s).
pub(crate) fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of stat(5); `after_name` starts at field 3.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

/// Prints how much CPU the server and the generator spent per answered request.
pub(crate) fn print_cpu(
    env: &Env,
    server_before: Option<Duration>,
    me_before: Option<Duration>,
    wall: Duration,
    answered: u64,
) {
    let per = |before: Option<Duration>, after: Option<Duration>| -> String {
        match (before, after) {
            (Some(b), Some(a)) if answered > 0 => {
                let used = a.saturating_sub(b);
                format!(
                    "{:.1} µs/request ({:.2} cores busy)",
                    used.as_secs_f64() * 1e6 / answered as f64,
                    used.as_secs_f64() / wall.as_secs_f64().max(1e-9)
                )
            }
            _ => "n/a".into(),
        }
    };
    println!(
        "cpu: server {}; generator {}",
        per(server_before, env.server_cpu()),
        per(me_before, cpu_time(std::process::id()))
    );
}

pub(crate) fn xml_field(xml: &str, tag: &str) -> anyhow::Result<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = xml.find(&open).with_context(|| format!("no <{tag}> in {xml}"))? + open.len();
    let len = xml
        .get(start..)
        .and_then(|rest| rest.find(&close))
        .with_context(|| format!("no </{tag}>"))?;
    Ok(xml.get(start..start + len).unwrap_or_default().to_owned())
}

const GET_USER_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"ReadUsers","Effect":"Allow","Action":["iam:GetUser","iam:ListUsers"],"Resource":"*"}]}"#;

/// A filler policy with the shape of a real one (several statements, wildcards, a condition).
fn filler_policy(i: usize) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bucket-{i}/*"}},{{"Effect":"Deny","Action":"iam:*","Resource":"arn:aws:iam::*:user/team-{i}/*","Condition":{{"Bool":{{"aws:MultiFactorAuthPresent":"false"}}}}}}]}}"#
    )
}

/// Runs `total` calls over `connections` concurrent connections; `form(i)` is call i's form.
async fn bulk(
    env: &Arc<Env>,
    keys: &Keys,
    connections: usize,
    total: usize,
    what: &str,
    form: impl Fn(usize) -> String + Send + Sync + 'static,
) -> anyhow::Result<()> {
    if total == 0 {
        return Ok(());
    }
    let started = Instant::now();
    let form = Arc::new(form);
    let mut tasks = Vec::new();
    for c in 0..connections.max(1) {
        let (env, keys, form) = (env.clone(), keys.clone(), form.clone());
        let n = connections.max(1);
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::connect(env.addr).await?;
            let mut i = c;
            while i < total {
                env.call(&mut conn, &keys, &form(i)).await?;
                i += n;
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let took = started.elapsed();
    println!(
        "loaded {total} {what} in {:.1}s ({:.0}/s over {connections} connections)",
        took.as_secs_f64(),
        total as f64 / took.as_secs_f64()
    );
    Ok(())
}

async fn get_user(
    name: &str,
    target: &Target,
    load: &Load,
    caller: CallerKind,
    users: usize,
    policies: usize,
) -> anyhow::Result<()> {
    let env = Arc::new(Env::new(target).await?);
    let root = env.root.clone();
    let mut conn = Conn::connect(env.addr).await?;
    let run = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let prefix = format!("b{run}");
    // The caller: an IAM user with one attached managed policy allowing iam:GetUser.
    let caller_keys = match caller {
        CallerKind::Root => root.clone(),
        CallerKind::User => {
            let user = format!("{prefix}-caller");
            env.call(
                &mut conn,
                &root,
                &format!("Action=CreateUser&Version=2010-05-08&UserName={user}"),
            )
            .await?;
            let key = env
                .call(
                    &mut conn,
                    &root,
                    &format!("Action=CreateAccessKey&Version=2010-05-08&UserName={user}"),
                )
                .await?;
            let created = env
                .call(
                    &mut conn,
                    &root,
                    &format!(
                        "Action=CreatePolicy&Version=2010-05-08&PolicyName={prefix}-get-user&PolicyDocument={}",
                        form_escape(GET_USER_POLICY)
                    ),
                )
                .await?;
            let arn = xml_field(&created, "Arn")?;
            env.call(
                &mut conn,
                &root,
                &format!(
                    "Action=AttachUserPolicy&Version=2010-05-08&UserName={user}&PolicyArn={}",
                    form_escape(&arn)
                ),
            )
            .await?;
            Keys {
                access_key_id: xml_field(&key, "AccessKeyId")?,
                secret_access_key: xml_field(&key, "SecretAccessKey")?,
                session_token: None,
            }
        }
    };
    let bulk_conns = 32;
    let p = prefix.clone();
    bulk(&env, &root, bulk_conns, users, "users", move |i| {
        format!("Action=CreateUser&Version=2010-05-08&UserName={p}-u{i:06}&Path=%2Fbench%2F")
    })
    .await?;
    let p = prefix.clone();
    bulk(&env, &root, bulk_conns, policies, "policies", move |i| {
        format!(
            "Action=CreatePolicy&Version=2010-05-08&PolicyName={p}-p{i:05}&PolicyDocument={}",
            form_escape(&filler_policy(i))
        )
    })
    .await?;
    if let Some(rss) = env.rss() {
        println!("server memory after loading: {rss}");
    }
    // Pre-sign: a pool per connection, targets spread over the stored users.
    let signed_at = SystemTime::now();
    let started = Instant::now();
    let pool_size = 256;
    let mut pools = Vec::with_capacity(load.connections);
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..load.connections {
        let mut pool = Vec::with_capacity(pool_size);
        for _ in 0..pool_size {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let target_user = if users == 0 {
                format!("{prefix}-caller")
            } else {
                format!("{prefix}-u{:06}", seed % users as u64)
            };
            let form = format!("Action=GetUser&Version=2010-05-08&UserName={target_user}");
            pool.push(iam_post(&env.host, &caller_keys, &form, signed_at)?);
        }
        pools.push(pool);
    }
    println!(
        "pre-signed {} requests in {:.0} ms",
        load.connections * pool_size,
        started.elapsed().as_secs_f64() * 1000.0
    );
    let (server_before, me_before, wall) = (env.server_cpu(), cpu_time(std::process::id()), Instant::now());
    let report = load::run(
        env.addr,
        Plan {
            pools,
            cycle: true,
            warmup: Duration::from_secs(load.warmup),
            duration: Duration::from_secs(load.duration),
        },
    )
    .await?;
    let caller_name = match caller {
        CallerKind::User => "IAM user with an attached policy",
        CallerKind::Root => "root",
    };
    report.print(&format!(
        "{name}: GetUser as {caller_name}, {} connections, {users} users + {policies} policies stored, generator threads {}",
        load.connections, load.threads
    ));
    print_cpu(&env, server_before, me_before, wall.elapsed(), report.answered);
    println!(
        "targets: >= 30000 requests/s: {}; p99 < 5 ms: {}; zero errors: {}",
        verdict(report.rate() >= 30_000.0),
        verdict(report.p99() < Duration::from_millis(5)),
        verdict(report.errors() == 0)
    );
    if let Some(rss) = env.rss() {
        println!("server memory after the run: {rss}");
    }
    drop(conn);
    Arc::try_unwrap(env).ok().context("env still shared")?.stop()
}

pub(crate) fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}

async fn create_user(target: &Target, load: &Load, pool: usize) -> anyhow::Result<()> {
    let env = Env::new(target).await?;
    let run = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let signed_at = SystemTime::now();
    let started = Instant::now();
    let mut pools = Vec::with_capacity(load.connections);
    for c in 0..load.connections {
        let mut p = Vec::with_capacity(pool);
        for i in 0..pool {
            let form = format!("Action=CreateUser&Version=2010-05-08&UserName=c{run}-{c}-{i}");
            p.push(iam_post(&env.host, &env.root, &form, signed_at)?);
        }
        pools.push(p);
    }
    println!(
        "pre-signed {} CreateUser requests in {:.0} ms",
        load.connections * pool,
        started.elapsed().as_secs_f64() * 1000.0
    );
    let (server_before, me_before, wall) = (env.server_cpu(), cpu_time(std::process::id()), Instant::now());
    let report = load::run(
        env.addr,
        Plan {
            pools,
            cycle: false,
            warmup: Duration::from_secs(load.warmup),
            duration: Duration::from_secs(load.duration),
        },
    )
    .await?;
    report.print(&format!(
        "create-user: CreateUser as root, durable commits, {} connections, generator threads {}",
        load.connections, load.threads
    ));
    print_cpu(&env, server_before, me_before, wall.elapsed(), report.answered);
    println!(
        "targets: >= 2000 requests/s: {}; zero errors: {}",
        verdict(report.rate() >= 2_000.0),
        verdict(report.errors() == 0)
    );
    env.stop()
}

/// Polls `/healthz` until it answers 200; returns when it did, measured from `since`.
fn poll_healthz(addr: SocketAddr, since: Instant) -> Option<Duration> {
    use std::io::{Read, Write};
    let deadline = since + Duration::from_secs(10);
    let request = http::get(&addr.to_string(), "/healthz");
    while Instant::now() < deadline {
        if let Ok(mut s) = std::net::TcpStream::connect(addr) {
            let mut buf = [0u8; 256];
            if s.write_all(&request).is_ok()
                && let Ok(n) = s.read(&mut buf)
                && buf.get(..n).is_some_and(|b| b.starts_with(b"HTTP/1.1 200"))
            {
                return Some(since.elapsed());
            }
        }
        std::thread::sleep(Duration::from_micros(500));
    }
    None
}

async fn startup(binary: Option<PathBuf>, runs: usize) -> anyhow::Result<()> {
    let binary = binary.unwrap_or_else(server::default_binary);
    let mut first = Vec::new();
    let mut restart = Vec::new();
    for run in 0..runs {
        let dir = tempfile::tempdir()?;
        for (label, out) in [("first start", &mut first), ("restart", &mut restart)] {
            let (ready, healthz) = timed_start(&binary, dir.path())?;
            println!(
                "run {run} {label}: ready line {:.1} ms, /healthz 200 {}",
                ms(ready),
                healthz.map_or("never".to_owned(), |h| format!("{:.1} ms", ms(h)))
            );
            out.push((ready, healthz.unwrap_or(Duration::MAX)));
        }
    }
    for (label, samples) in [
        ("first start (empty data dir)", &first),
        ("restart (existing data dir)", &restart),
    ] {
        let mut ready: Vec<Duration> = samples.iter().map(|s| s.0).collect();
        let mut healthz: Vec<Duration> = samples.iter().map(|s| s.1).collect();
        ready.sort();
        healthz.sort();
        println!(
            "== startup, {label}, {} runs: ready line median {:.1} ms max {:.1} ms; /healthz 200 median {:.1} ms max {:.1} ms; target < 100 ms: {}",
            samples.len(),
            ms(median(&ready)),
            ms(ready.last().copied().unwrap_or_default()),
            ms(median(&healthz)),
            ms(healthz.last().copied().unwrap_or_default()),
            verdict(
                ready
                    .iter()
                    .chain(&healthz)
                    .all(|d| *d < Duration::from_millis(100))
            )
        );
    }
    Ok(())
}

fn median(v: &[Duration]) -> Duration {
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One start: spawn, time the ready line and (from a second thread) /healthz 200, stop.
fn timed_start(
    binary: &std::path::Path,
    dir: &std::path::Path,
) -> anyhow::Result<(Duration, Option<Duration>)> {
    // The port is chosen by `spawn`; poll it from a thread that learns it first.
    let (tx, rx) = std::sync::mpsc::channel::<(SocketAddr, Instant)>();
    let poller = std::thread::spawn(move || {
        let (addr, since) = rx.recv().ok()?;
        poll_healthz(addr, since)
    });
    let spawned = server::spawn_with(binary, dir, &[], |addr, since| {
        let _ = tx.send((addr, since));
    })?;
    let healthz = poller.join().ok().flatten();
    let ready = spawned.ready_after;
    spawned.stop()?;
    Ok((ready, healthz))
}

async fn idle_memory(binary: Option<PathBuf>) -> anyhow::Result<()> {
    let target = Target {
        endpoint: None,
        root_key_id: server::ROOT_KEY_ID.into(),
        root_secret: server::ROOT_SECRET.into(),
        binary,
    };
    let env = Env::new(&target).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = env.rss().unwrap_or_default();
    println!("== idle-memory: started, idle 2 s: {idle}");
    // Some traffic: 20,000 GetUser as root over 8 connections, then idle again.
    let signed_at = SystemTime::now();
    let mut pools = Vec::new();
    for _ in 0..8 {
        let mut pool = Vec::new();
        for _ in 0..16 {
            pool.push(iam_post(
                &env.host,
                &env.root,
                "Action=GetAccountSummary&Version=2010-05-08",
                signed_at,
            )?);
        }
        pools.push(pool);
    }
    let report = load::run(
        env.addr,
        Plan {
            pools,
            cycle: true,
            warmup: Duration::ZERO,
            duration: Duration::from_secs(3),
        },
    )
    .await?;
    println!(
        "sent {} GetAccountSummary requests over 8 connections ({} errors)",
        report.requests,
        report.errors()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = env.rss().unwrap_or_default();
    println!("== idle-memory: after the requests, idle 2 s: {after}");
    let kib = |s: &str| -> u64 {
        s.split_whitespace()
            .nth(1)
            .and_then(|v| v.parse().ok())
            .unwrap_or(u64::MAX)
    };
    println!(
        "target: idle RSS < 30 MiB: {} (idle), {} (after requests)",
        verdict(kib(&idle) < 30 * 1024),
        verdict(kib(&after) < 30 * 1024)
    );
    env.stop()
}
