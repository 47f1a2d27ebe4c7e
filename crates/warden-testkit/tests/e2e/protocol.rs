//! The wire: SigV4 refusals, unknown actions, bad input, oversized bodies, /healthz,
//! /metrics, and `warden account create`'s API.

use warden::cli_client::{SigningKeys, signed_post};
use warden_testkit::{Keys, ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY, TestServer};

use crate::{code, err};

const ROOT: SigningKeys<'static> = SigningKeys {
    access_key_id: ROOT_ACCESS_KEY_ID,
    secret_access_key: ROOT_SECRET_ACCESS_KEY,
    session_token: None,
};
const FORM: &str = "application/x-www-form-urlencoded";

async fn post(
    s: &TestServer,
    service: &'static str,
    body: String,
    keys: SigningKeys<'static>,
) -> (u16, String) {
    let endpoint = s.endpoint.clone();
    tokio::task::spawn_blocking(move || {
        signed_post(&endpoint, "/", service, FORM, body.as_bytes(), &keys).unwrap()
    })
    .await
    .unwrap()
}

fn error_code(xml: &str) -> &str {
    xml.split("<Code>")
        .nth(1)
        .and_then(|r| r.split("</Code>").next())
        .unwrap_or_default()
}

#[tokio::test]
async fn wrong_secret_unknown_key_and_skew_are_refused() {
    let s = TestServer::start().await;
    let (c, m) = err(s
        .iam(&Keys::new(ROOT_ACCESS_KEY_ID, "wrong".repeat(8)))
        .list_users()
        .send()
        .await);
    assert_eq!(c, "SignatureDoesNotMatch");
    assert!(
        m.contains("The Canonical String for this request should have been"),
        "{m}"
    );
    assert_eq!(
        code(
            s.iam(&Keys::new("AKIAUNKNOWNUNKNOWN00", "x".repeat(40)))
                .list_users()
                .send()
                .await
        ),
        "InvalidClientTokenId"
    );
    s.clock.advance(time::Duration::minutes(20));
    let (c, m) = err(s.root_iam().list_users().send().await);
    assert!(m.to_lowercase().contains("expired"), "{c}: {m}");
}

#[tokio::test]
async fn unsigned_requests_need_authentication() {
    let s = TestServer::start().await;
    let endpoint = format!("{}/", s.endpoint);
    let (status, body) = tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut r = agent
            .post(&endpoint)
            .content_type(FORM)
            .send("Action=ListUsers&Version=2010-05-08")
            .unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
    })
    .await
    .unwrap();
    assert_eq!((status, error_code(&body)), (403, "MissingAuthenticationToken"));
}

#[tokio::test]
async fn unknown_actions_parameters_and_types_answer_400() {
    let s = TestServer::start().await;
    let (status, body) = post(&s, "iam", "Action=FlyToTheMoon&Version=2010-05-08".into(), ROOT).await;
    assert_eq!((status, error_code(&body)), (400, "InvalidAction"), "{body}");
    let (status, body) = post(
        &s,
        "iam",
        "Action=ListUsers&Version=2010-05-08&Bogus=1".into(),
        ROOT,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("Bogus"), "the error names the parameter: {body}");
    let (status, body) = post(
        &s,
        "iam",
        "Action=ListUsers&Version=2010-05-08&MaxItems=abc".into(),
        ROOT,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = post(
        &s,
        "iam",
        "Action=ListUsers&Version=2010-05-08&MaxItems=0".into(),
        ROOT,
    )
    .await;
    assert_eq!((status, error_code(&body)), (400, "ValidationError"), "{body}");
    let (status, body) = post(&s, "iam", "Action=CreateUser&Version=2010-05-08".into(), ROOT).await;
    assert_eq!((status, error_code(&body)), (400, "ValidationError"), "{body}");
    assert!(body.contains("Member must not be null"), "{body}");
}

#[tokio::test]
async fn oversized_bodies_are_refused_and_nothing_is_written() {
    let s = TestServer::start().await;
    let big = format!(
        "Action=CreateUser&Version=2010-05-08&UserName=big&Path=/{}/",
        "a".repeat(1024 * 1024)
    );
    let (status, _) = post(&s, "iam", big, ROOT).await;
    assert_eq!(status, 413);
    assert_eq!(
        code(s.root_iam().get_user().user_name("big").send().await),
        "NoSuchEntity"
    );
}

#[tokio::test]
async fn health_and_metrics() {
    let s = TestServer::start().await;
    s.root_iam().list_users().send().await.unwrap();
    let base = s.endpoint.clone();
    let (health, metrics) = tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let h = agent
            .get(format!("{base}/healthz"))
            .call()
            .unwrap()
            .status()
            .as_u16();
        let m = agent
            .get(format!("{base}/metrics"))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        (h, m)
    })
    .await
    .unwrap();
    assert_eq!(health, 200);
    assert!(
        metrics.contains("warden_requests_total{service=\"iam\",action=\"iam:ListUsers\",status=\"200\"}"),
        "{metrics}"
    );
}

#[tokio::test]
async fn accounts_are_created_by_the_default_account_and_isolated() {
    let s = TestServer::start().await;
    let endpoint = s.endpoint.clone();
    let created =
        tokio::task::spawn_blocking(move || warden::cli_client::create_account(&endpoint, "team-b", &ROOT))
            .await
            .unwrap()
            .unwrap();
    let id = created["AccountId"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 12);
    assert_ne!(id, s.account_id);
    let b_keys = Keys::new(
        created["AccessKeyId"].as_str().unwrap(),
        created["SecretAccessKey"].as_str().unwrap(),
    );
    let who = s.sts(&b_keys).get_caller_identity().send().await.unwrap();
    assert_eq!(who.account(), Some(id.as_str()));
    assert_eq!(who.arn(), Some(format!("arn:aws:iam::{id}:root").as_str()));
    // The same user name in two accounts: nothing of one is visible to the other.
    s.root_iam().create_user().user_name("same").send().await.unwrap();
    let b = s.iam(&b_keys);
    assert_eq!(code(b.get_user().user_name("same").send().await), "NoSuchEntity");
    b.create_user().user_name("same").send().await.unwrap();
    assert_eq!(b.list_users().send().await.unwrap().users().len(), 1);
    // Another account may not create accounts.
    let endpoint = s.endpoint.clone();
    let (ak, sk) = (b_keys.access_key_id.clone(), b_keys.secret_access_key.clone());
    let refused = tokio::task::spawn_blocking(move || {
        let keys = SigningKeys {
            access_key_id: &ak,
            secret_access_key: &sk,
            session_token: None,
        };
        warden::cli_client::create_account(&endpoint, "nope", &keys)
    })
    .await
    .unwrap();
    assert!(refused.unwrap_err().to_string().contains("AccessDenied"));
}
