//! STS scenarios: AssumeRole throughput, and GetUser signed with the temporary
//! credentials it returns (the session token costs no database read, so the rate should
//! match long-term keys).

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, bail};

use crate::http::Conn;
use crate::load::{self, Plan};
use crate::sign::{Keys, form_escape, signed_post};
use crate::{Env, Load, Target, cpu_time, print_cpu, verdict, xml_field};

const ASSUME: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}"#;
const READ: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}"#;

async fn call(env: &Env, conn: &mut Conn, keys: &Keys, service: &str, form: &str) -> anyhow::Result<String> {
    let req = signed_post(&env.host, keys, service, form, SystemTime::now())?;
    let answer = conn.roundtrip(&req).await?;
    if answer.status != 200 {
        bail!("{form}: HTTP {}: {}", answer.status, answer.text());
    }
    Ok(answer.text())
}

/// A user allowed to assume a role that may GetUser; returns (user keys, role ARN).
async fn setup(env: &Env, conn: &mut Conn, prefix: &str) -> anyhow::Result<(Keys, String)> {
    let root = env.root.clone();
    let user = format!("{prefix}-assumer");
    let created = call(
        env,
        conn,
        &root,
        "iam",
        &format!("Action=CreateUser&Version=2010-05-08&UserName={user}"),
    )
    .await?;
    let account = xml_field(&created, "Arn")?
        .split(':')
        .nth(4)
        .unwrap_or_default()
        .to_owned();
    let key = call(
        env,
        conn,
        &root,
        "iam",
        &format!("Action=CreateAccessKey&Version=2010-05-08&UserName={user}"),
    )
    .await?;
    call(
        env,
        conn,
        &root,
        "iam",
        &format!(
            "Action=PutUserPolicy&Version=2010-05-08&UserName={user}&PolicyName=assume&PolicyDocument={}",
            form_escape(ASSUME)
        ),
    )
    .await?;
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:root"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    let role = format!("{prefix}-role");
    let created = call(
        env,
        conn,
        &root,
        "iam",
        &format!(
            "Action=CreateRole&Version=2010-05-08&RoleName={role}&AssumeRolePolicyDocument={}",
            form_escape(&trust)
        ),
    )
    .await?;
    call(
        env,
        conn,
        &root,
        "iam",
        &format!(
            "Action=PutRolePolicy&Version=2010-05-08&RoleName={role}&PolicyName=read&PolicyDocument={}",
            form_escape(READ)
        ),
    )
    .await?;
    let keys = Keys {
        access_key_id: xml_field(&key, "AccessKeyId")?,
        secret_access_key: xml_field(&key, "SecretAccessKey")?,
        session_token: None,
    };
    Ok((keys, xml_field(&created, "Arn")?))
}

/// Replays `pools` for the load's duration and prints the report and CPU use (the
/// scenarios that reuse one prepared server: STS, Cognito).
pub(crate) async fn run(
    env: &Env,
    load: &Load,
    pools: Vec<Vec<Vec<u8>>>,
    what: &str,
) -> anyhow::Result<load::Report> {
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
    report.print(&format!(
        "{what}, {} connections, generator threads {}",
        load.connections, load.threads
    ));
    print_cpu(env, server_before, me_before, wall.elapsed(), report.answered);
    Ok(report)
}

/// `assume-role`: AssumeRole as an IAM user (trust + identity policy evaluated, a token
/// sealed per call), then GetUser signed with the temporary credentials.
pub async fn assume_role(target: &Target, load: &Load) -> anyhow::Result<()> {
    let env = Arc::new(Env::new(target).await?);
    let mut conn = Conn::connect(env.addr).await?;
    let prefix = format!(
        "s{}",
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    );
    let (user, role_arn) = setup(&env, &mut conn, &prefix).await?;
    let signed_at = SystemTime::now();
    let pool_size = 256;
    let mut pools = Vec::with_capacity(load.connections);
    for c in 0..load.connections {
        let mut pool = Vec::with_capacity(pool_size);
        for i in 0..pool_size {
            let form = format!(
                "Action=AssumeRole&Version=2011-06-15&RoleArn={}&RoleSessionName=bench-{c}-{i}",
                form_escape(&role_arn)
            );
            pool.push(signed_post(&env.host, &user, "sts", &form, signed_at)?);
        }
        pools.push(pool);
    }
    let report = run(&env, load, pools, "assume-role: AssumeRole as an IAM user").await?;
    println!(
        "targets: >= 5000 requests/s: {}; zero errors: {}",
        verdict(report.rate() >= 5_000.0),
        verdict(report.errors() == 0)
    );
    // One session, then GetUser signed with it.
    let answer = call(
        &env,
        &mut conn,
        &user,
        "sts",
        &format!(
            "Action=AssumeRole&Version=2011-06-15&RoleArn={}&RoleSessionName=reader",
            form_escape(&role_arn)
        ),
    )
    .await?;
    let session = Keys {
        access_key_id: xml_field(&answer, "AccessKeyId")?,
        secret_access_key: xml_field(&answer, "SecretAccessKey")?,
        session_token: Some(xml_field(&answer, "SessionToken")?),
    };
    let user_name = format!("{prefix}-assumer");
    let form = format!("Action=GetUser&Version=2010-05-08&UserName={user_name}");
    let signed_at = SystemTime::now();
    let pools = (0..load.connections)
        .map(|_| {
            (0..pool_size)
                .map(|_| signed_post(&env.host, &session, "iam", &form, signed_at))
                .collect()
        })
        .collect::<anyhow::Result<Vec<Vec<Vec<u8>>>>>()?;
    let report = run(
        &env,
        load,
        pools,
        "temp-get-user: GetUser signed with temporary credentials",
    )
    .await?;
    println!("zero errors: {}", verdict(report.errors() == 0));
    drop(conn);
    Arc::try_unwrap(env).ok().context("env still shared")?.stop()
}
