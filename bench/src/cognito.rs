//! User pool scenarios: password sign-in (InitiateAuth USER_PASSWORD_AUTH, unsigned, as
//! apps send it: an argon2id check and three RS256 signatures per call) and GetUser with
//! an access token (an RS256 verification and a session lookup per call).

use std::sync::Arc;
use std::time::SystemTime;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::http::Conn;
use crate::sign::{signed_json, unsigned_json};
use crate::sts::run;
use crate::{Env, Load, Target, verdict};

const TARGET: &str = "AWSCognitoIdentityProviderService";
const PASSWORD: &str = "Bench-Password-1";

async fn admin(env: &Env, conn: &mut Conn, op: &str, body: Value) -> anyhow::Result<Value> {
    let req = signed_json(
        &env.host,
        &env.root,
        "cognito-idp",
        &format!("{TARGET}.{op}"),
        &body.to_string(),
        SystemTime::now(),
    )?;
    let answer = conn.roundtrip(&req).await?;
    if answer.status != 200 {
        bail!("{op}: HTTP {}: {}", answer.status, answer.text());
    }
    serde_json::from_str(&answer.text()).context("JSON answer")
}

/// A pool, a client that allows password sign-in, and `users` confirmed users.
async fn setup(env: &Env, conn: &mut Conn, users: usize) -> anyhow::Result<(String, Vec<String>)> {
    let pool = admin(env, conn, "CreateUserPool", json!({"PoolName": "bench"})).await?;
    let pool_id = pool
        .pointer("/UserPool/Id")
        .and_then(Value::as_str)
        .context("pool ID")?
        .to_owned();
    let client = admin(
        env,
        conn,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool_id, "ClientName": "bench",
               "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await?;
    let client_id = client
        .pointer("/UserPoolClient/ClientId")
        .and_then(Value::as_str)
        .context("client ID")?
        .to_owned();
    let mut names = Vec::with_capacity(users);
    for i in 0..users {
        let name = format!("user{i}");
        admin(
            env,
            conn,
            "AdminCreateUser",
            json!({"UserPoolId": pool_id, "Username": name, "MessageAction": "SUPPRESS"}),
        )
        .await?;
        admin(
            env,
            conn,
            "AdminSetUserPassword",
            json!({"UserPoolId": pool_id, "Username": name, "Password": PASSWORD, "Permanent": true}),
        )
        .await?;
        names.push(name);
    }
    Ok((client_id, names))
}

fn sign_in_body(client_id: &str, user: &str) -> String {
    json!({"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
           "AuthParameters": {"USERNAME": user, "PASSWORD": PASSWORD}})
    .to_string()
}

/// `sign-in`: InitiateAuth USER_PASSWORD_AUTH over `users` users, then GetUser with an
/// access token.
pub async fn sign_in(target: &Target, load: &Load, users: usize) -> anyhow::Result<()> {
    let env = Arc::new(Env::new(target).await?);
    let mut conn = Conn::connect(env.addr).await?;
    let (client_id, names) = setup(&env, &mut conn, users.max(1)).await?;
    let sign_in = format!("{TARGET}.InitiateAuth");
    let pools: Vec<Vec<Vec<u8>>> = (0..load.connections)
        .map(|c| {
            (0..names.len())
                .map(|i| {
                    let name = names.get((c + i) % names.len()).map_or("user0", String::as_str);
                    unsigned_json(&env.host, &sign_in, &sign_in_body(&client_id, name))
                })
                .collect()
        })
        .collect();
    let report = run(
        &env,
        load,
        pools,
        "sign-in: InitiateAuth USER_PASSWORD_AUTH (argon2id)",
    )
    .await?;
    println!("zero errors: {}", verdict(report.errors() == 0));

    let first = names.first().map_or("user0", String::as_str);
    let answer = conn
        .roundtrip(&unsigned_json(
            &env.host,
            &sign_in,
            &sign_in_body(&client_id, first),
        ))
        .await?;
    let tokens: Value = serde_json::from_str(&answer.text()).context("sign-in answer")?;
    let access = tokens
        .pointer("/AuthenticationResult/AccessToken")
        .and_then(Value::as_str)
        .context("access token")?;
    let get_user = unsigned_json(
        &env.host,
        &format!("{TARGET}.GetUser"),
        &json!({"AccessToken": access}).to_string(),
    );
    let pools = (0..load.connections).map(|_| vec![get_user.clone()]).collect();
    let report = run(
        &env,
        load,
        pools,
        "token-get-user: GetUser with an access token (RS256)",
    )
    .await?;
    println!("zero errors: {}", verdict(report.errors() == 0));
    drop(conn);
    Arc::try_unwrap(env).ok().context("env still shared")?.stop()
}
