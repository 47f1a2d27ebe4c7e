//! Durability of acknowledged writes: the real binary is killed with SIGKILL right after
//! (or while) it acknowledges CreateUser calls, restarted on the same data directory, and
//! every user it answered 200 for must still exist. And a SIGTERM drains in-flight
//! requests and exits with status 0.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use warden::cli_client::{SigningKeys, signed_post};

const KEY_ID: &str = "AKIAKILLNINETEST0001";
const SECRET: &str = "killNineTestRootSecret000000000000000000";
const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";

struct Server {
    child: Child,
    endpoint: String,
}

fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()
}

/// Starts the binary on `dir` and waits for its ready line.
fn start(dir: &Path) -> Server {
    let addr = free_addr();
    let mut child = Command::new(env!("CARGO_BIN_EXE_warden"))
        .arg("serve")
        .arg("--listen")
        .arg(addr.to_string())
        .arg("--data-dir")
        .arg(dir)
        .env("WARDEN_ROOT_ACCESS_KEY_ID", KEY_ID)
        .env("WARDEN_ROOT_SECRET_ACCESS_KEY", SECRET)
        .env("WARDEN_LOG", "warn")
        .env_remove("WARDEN_DATABASE_URL")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    loop {
        let line = lines
            .next()
            .expect("the server exited before it was ready")
            .unwrap();
        if line.starts_with("warden ready") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    Server {
        child,
        endpoint: format!("http://{addr}"),
    }
}

fn keys() -> SigningKeys<'static> {
    SigningKeys {
        access_key_id: KEY_ID,
        secret_access_key: SECRET,
        session_token: None,
    }
}

fn call(endpoint: &str, form: &str) -> anyhow::Result<(u16, String)> {
    signed_post(endpoint, "/", "iam", FORM, form.as_bytes(), &keys())
}

fn create_user(endpoint: &str, name: &str) -> anyhow::Result<(u16, String)> {
    call(
        endpoint,
        &format!("Action=CreateUser&Version=2010-05-08&UserName={name}"),
    )
}

/// Every name in `acked` exists on the server at `endpoint`.
fn assert_all_exist(endpoint: &str, acked: &[String]) {
    for name in acked {
        let (status, body) = call(
            endpoint,
            &format!("Action=GetUser&Version=2010-05-08&UserName={name}"),
        )
        .unwrap();
        assert_eq!(status, 200, "acknowledged user {name} was lost: {body}");
        assert!(body.contains(&format!("<UserName>{name}</UserName>")), "{body}");
    }
}

fn kill9(mut server: Server) {
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

#[test]
fn kill9_right_after_an_acknowledged_create_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut acked = Vec::new();
    for round in 0..4 {
        let server = start(dir.path());
        assert_all_exist(&server.endpoint, &acked);
        // A few writes, then SIGKILL the moment the last one is acknowledged.
        for i in 0..=round * 3 {
            let name = format!("seq-{round}-{i}");
            let (status, body) = create_user(&server.endpoint, &name).unwrap();
            assert_eq!(status, 200, "{body}");
            acked.push(name);
        }
        kill9(server);
    }
    let server = start(dir.path());
    assert_all_exist(&server.endpoint, &acked);
    kill9(server);
}

#[test]
fn kill9_during_a_burst_of_concurrent_creates_loses_no_acknowledged_user() {
    let dir = tempfile::tempdir().unwrap();
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    for round in 0..3 {
        let server = start(dir.path());
        let endpoint = server.endpoint.clone();
        let stop = Arc::new(AtomicBool::new(false));
        let acks_this_round = Arc::new(AtomicUsize::new(0));
        let workers: Vec<_> = (0..16)
            .map(|w| {
                let (endpoint, stop, acked, count) = (
                    endpoint.clone(),
                    stop.clone(),
                    acked.clone(),
                    acks_this_round.clone(),
                );
                std::thread::spawn(move || {
                    let mut i = 0;
                    while !stop.load(Ordering::Relaxed) {
                        let name = format!("burst-{round}-{w}-{i}");
                        i += 1;
                        match create_user(&endpoint, &name) {
                            Ok((200, _)) => {
                                acked.lock().unwrap().push(name);
                                count.fetch_add(1, Ordering::Relaxed);
                            }
                            Ok((status, body)) => panic!("unexpected answer {status}: {body}"),
                            // The server was killed under us: this one was never acknowledged.
                            Err(_) => break,
                        }
                    }
                })
            })
            .collect();
        // Kill while the writers are in full flow.
        let deadline = Instant::now() + Duration::from_secs(20);
        while acks_this_round.load(Ordering::Relaxed) < 40 + round * 25 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        kill9(server);
        stop.store(true, Ordering::Relaxed);
        for w in workers {
            w.join().unwrap();
        }
        assert!(
            acks_this_round.load(Ordering::Relaxed) >= 40,
            "the burst made no progress"
        );
    }
    let server = start(dir.path());
    let acked = acked.lock().unwrap().clone();
    assert_all_exist(&server.endpoint, &acked);
    kill9(server);
}

#[test]
fn sigterm_finishes_in_flight_requests_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = start(dir.path());
    let endpoint = server.endpoint.clone();
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let started = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..16)
        .map(|w| {
            let (endpoint, acked, started) = (endpoint.clone(), acked.clone(), started.clone());
            std::thread::spawn(move || {
                for i in 0.. {
                    let name = format!("term-{w}-{i}");
                    started.fetch_add(1, Ordering::Relaxed);
                    match create_user(&endpoint, &name) {
                        Ok((200, _)) => acked.lock().unwrap().push(name),
                        // A request that reached the server is answered, never cut short.
                        Ok((status, body)) => panic!("in-flight request failed with {status}: {body}"),
                        // Refused or closed before the request was taken: the server stopped.
                        Err(_) => break,
                    }
                }
            })
        })
        .collect();
    while started.load(Ordering::Relaxed) < 64 {
        std::thread::sleep(Duration::from_millis(1));
    }
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(server.child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(exit) = server.child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "the server did not stop after SIGTERM");
        std::thread::sleep(Duration::from_millis(5));
    };
    for w in workers {
        w.join().unwrap();
    }
    assert_eq!(exit.code(), Some(0), "SIGTERM must end in a clean exit: {exit:?}");
    let acked = acked.lock().unwrap().clone();
    assert!(!acked.is_empty());
    let server = start(dir.path());
    assert_all_exist(&server.endpoint, &acked);
    kill9(server);
}
