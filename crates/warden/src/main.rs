//! The `warden` command: `warden serve` runs the server; `warden account create` asks a
//! running server for a new account. This is the only place that reads the environment.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use warden_types::{AccountId, Secret};

#[derive(Parser)]
#[command(
    name = "warden",
    version,
    about = "Self-hosted AWS identity: IAM, STS and Cognito on one port"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:4600")]
        listen: SocketAddr,
        /// Directory of the embedded store, the master key file and the audit log.
        #[arg(long, default_value = "./warden-data")]
        data_dir: PathBuf,
        /// `postgres://...` to keep state in PostgreSQL instead of the embedded store.
        #[arg(long)]
        database_url: Option<String>,
        /// Base URL clients reach this server at (token issuers, links); default http://{listen}.
        #[arg(long)]
        public_url: Option<String>,
    },
    /// Manage accounts on a running server.
    Account {
        #[command(subcommand)]
        command: AccountCommand,
    },
}

#[derive(Subcommand)]
enum AccountCommand {
    /// Create an account; prints {"AccountId", "AccountName", "AccessKeyId", "SecretAccessKey"}.
    Create {
        #[arg(long)]
        name: String,
        /// The server to ask.
        #[arg(long, default_value = "http://127.0.0.1:4600")]
        endpoint: String,
    },
}

/// mimalloc: the request path allocates small, short-lived values on every request, and
/// glibc's allocator spent a fifth of the server's CPU under load.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve {
            listen,
            data_dir,
            database_url,
            public_url,
        } => {
            init_tracing();
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            if let Some(n) = env("WARDEN_WORKER_THREADS") {
                builder.worker_threads(n.parse().context("WARDEN_WORKER_THREADS")?);
            }
            let runtime = builder.enable_all().build()?;
            runtime.block_on(serve(listen, data_dir, database_url, public_url))
        }
        Command::Account {
            command: AccountCommand::Create { name, endpoint },
        } => {
            let key = env("AWS_ACCESS_KEY_ID").context("AWS_ACCESS_KEY_ID is not set")?;
            let secret = env("AWS_SECRET_ACCESS_KEY").context("AWS_SECRET_ACCESS_KEY is not set")?;
            let token = env("AWS_SESSION_TOKEN");
            let answer = warden::cli_client::create_account(
                &endpoint,
                &name,
                &warden::cli_client::SigningKeys {
                    access_key_id: &key,
                    secret_access_key: &secret,
                    session_token: token.as_deref(),
                },
            )?;
            println!("{answer}");
            Ok(())
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("WARDEN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

async fn serve(
    listen: SocketAddr,
    data_dir: PathBuf,
    database_url: Option<String>,
    public_url: Option<String>,
) -> anyhow::Result<()> {
    let mut config = warden::Config::embedded(data_dir);
    config.listen = listen;
    config.database_url = database_url.or_else(|| env("WARDEN_DATABASE_URL"));
    config.public_url = public_url;
    if let Some(k) = env("WARDEN_MASTER_KEY") {
        config.master_key = Some(warden::parse_master_key(&k).context("WARDEN_MASTER_KEY")?);
    }
    if let Some(id) = env("WARDEN_ACCOUNT_ID") {
        config.account_id = Some(id.parse::<AccountId>().context("WARDEN_ACCOUNT_ID")?);
    }
    match (
        env("WARDEN_ROOT_ACCESS_KEY_ID"),
        env("WARDEN_ROOT_SECRET_ACCESS_KEY"),
    ) {
        (Some(id), Some(secret)) => config.root_key = Some((id, Secret::new(secret))),
        (None, None) => {}
        _ => {
            anyhow::bail!("set both WARDEN_ROOT_ACCESS_KEY_ID and WARDEN_ROOT_SECRET_ACCESS_KEY, or neither")
        }
    }
    let server = warden::start(config).await?;
    if let Some((key_id, secret)) = &server.generated_root_keys {
        // Shown once, on the terminal only (never through tracing, never again).
        println!(
            "Root access keys of account {} (shown only now; keep them safe):",
            server.default_account
        );
        println!("  AWS_ACCESS_KEY_ID={key_id}");
        println!("  AWS_SECRET_ACCESS_KEY={}", secret.expose());
        println!(
            "  aws configure set aws_access_key_id {key_id} && aws configure set aws_secret_access_key {} && aws configure set region us-east-1",
            secret.expose()
        );
    }
    println!(
        "warden ready on http://{} (account {}); try: aws --endpoint-url http://{} iam list-users",
        server.addr, server.default_account, server.addr
    );
    let stop = server.shutdown_handle();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutting down: draining in-flight requests");
        let _ = stop.send(true);
    });
    let _keep: Arc<warden_server::App> = server.app.clone();
    server.wait().await
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let (Ok(mut term), Ok(mut int)) =
            (signal(SignalKind::terminate()), signal(SignalKind::interrupt()))
        {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
