//! The server under test: either one already running (`--endpoint`) or a `warden serve`
//! spawned on a fresh data directory and a free 127.0.0.1 port.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::sign::Keys;

pub const ROOT_KEY_ID: &str = "AKIAWARDENBENCH00001";
pub const ROOT_SECRET: &str = "wardenBenchRootSecretKey0000000000000000";

pub struct Spawned {
    pub child: Child,
    pub addr: SocketAddr,
    /// From spawn to the "warden ready" line on stdout.
    pub ready_after: Duration,
}

impl Spawned {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM and wait (graceful shutdown).
    pub fn stop(mut self) -> anyhow::Result<()> {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

pub fn root_keys() -> Keys {
    Keys {
        access_key_id: ROOT_KEY_ID.into(),
        secret_access_key: ROOT_SECRET.into(),
        session_token: None,
    }
}

pub fn free_port() -> anyhow::Result<SocketAddr> {
    let l = TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?)
}

/// The `warden` binary: `--binary`, else `$CARGO_TARGET_DIR/release/warden`, else
/// `target/release/warden`.
pub fn default_binary() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"))
        .join("release")
        .join("warden")
}

/// Starts `binary serve` on `data_dir` and returns once it printed its ready line.
pub fn spawn(binary: &Path, data_dir: &Path, extra_env: &[(&str, &str)]) -> anyhow::Result<Spawned> {
    spawn_with(binary, data_dir, extra_env, |_, _| {})
}

/// [`spawn`], telling `on_spawn` the address and the spawn time as soon as the process runs.
pub fn spawn_with(
    binary: &Path,
    data_dir: &Path,
    extra_env: &[(&str, &str)],
    on_spawn: impl FnOnce(SocketAddr, Instant),
) -> anyhow::Result<Spawned> {
    if !binary.exists() {
        bail!(
            "{} does not exist: build it with `cargo build --release -p warden` or pass --binary",
            binary.display()
        );
    }
    let addr = free_port()?;
    let started = Instant::now();
    let mut cmd = Command::new(binary);
    cmd.arg("serve")
        .arg("--listen")
        .arg(addr.to_string())
        .arg("--data-dir")
        .arg(data_dir)
        .env("WARDEN_ROOT_ACCESS_KEY_ID", ROOT_KEY_ID)
        .env("WARDEN_ROOT_SECRET_ACCESS_KEY", ROOT_SECRET)
        .env("WARDEN_LOG", "warn")
        .env_remove("WARDEN_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    on_spawn(addr, started);
    let stdout = child.stdout.take().context("server stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let ready_after = loop {
        match lines.next() {
            Some(Ok(line)) if line.starts_with("warden ready") => break started.elapsed(),
            Some(Ok(_)) => continue,
            Some(Err(e)) => return Err(e).context("reading the server's stdout"),
            None => {
                let status = child.wait()?;
                bail!("the server exited before it was ready ({status})");
            }
        }
    };
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines.by_ref() {});
    Ok(Spawned {
        child,
        addr,
        ready_after,
    })
}
