//! STS: temporary credentials from AssumeRole, GetSessionToken and GetFederationToken,
//! and every refusal the issue names.

use aws_sdk_sts::types::{PolicyDescriptorType, Tag};
use serde_json::json;
use warden_testkit::{ACCOUNT_ID, Keys, ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY, TestServer};

use crate::{allow, code, doc, err};

fn trust(principal: serde_json::Value) -> String {
    doc(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal,
        "Action": ["sts:AssumeRole", "sts:TagSession"]}]}),
    )
}

fn keys_of(c: &aws_sdk_sts::types::Credentials) -> Keys {
    Keys {
        access_key_id: c.access_key_id().to_owned(),
        secret_access_key: c.secret_access_key().to_owned(),
        session_token: Some(c.session_token().to_owned()),
    }
}

/// A role `name` trusting `principal`, allowed `iam:List*`.
async fn role(s: &TestServer, name: &str, principal: serde_json::Value) -> String {
    let iam = s.root_iam();
    let r = iam
        .create_role()
        .role_name(name)
        .assume_role_policy_document(trust(principal))
        .send()
        .await
        .unwrap();
    iam.put_role_policy()
        .role_name(name)
        .policy_name("list")
        .policy_document(allow("iam:List*", "*"))
        .send()
        .await
        .unwrap();
    r.role().unwrap().arn().to_owned()
}

/// A user allowed to assume any role.
async fn assumer(s: &TestServer, name: &str) -> Keys {
    let keys = s.user_with_key(name).await;
    s.put_user_policy(name, "assume", allow("sts:*", "*")).await;
    keys
}

#[tokio::test]
async fn get_caller_identity_for_root_and_users() {
    let s = TestServer::start().await;
    let root = s.sts(&Keys::root()).get_caller_identity().send().await.unwrap();
    assert_eq!(root.account(), Some(ACCOUNT_ID));
    assert_eq!(
        root.arn(),
        Some(format!("arn:aws:iam::{ACCOUNT_ID}:root").as_str())
    );
    assert_eq!(root.user_id(), Some(ACCOUNT_ID));
    let keys = s.user_with_key("gina").await;
    let me = s.sts(&keys).get_caller_identity().send().await.unwrap();
    assert_eq!(
        me.arn(),
        Some(format!("arn:aws:iam::{ACCOUNT_ID}:user/gina").as_str())
    );
    assert!(me.user_id().unwrap().starts_with("AIDA"));
}

#[tokio::test]
async fn assume_role_gives_the_roles_permissions() {
    let s = TestServer::start().await;
    let arn = role(
        &s,
        "app",
        json!({"AWS": format!("arn:aws:iam::{ACCOUNT_ID}:root")}),
    )
    .await;
    let keys = assumer(&s, "alice").await;
    let out = s
        .sts(&keys)
        .assume_role()
        .role_arn(&arn)
        .role_session_name("s1")
        .send()
        .await
        .unwrap();
    let c = out.credentials().unwrap();
    assert!(c.access_key_id().starts_with("ASIA"));
    assert_eq!(c.secret_access_key().len(), 40);
    let user = out.assumed_role_user().unwrap();
    assert_eq!(
        user.arn(),
        format!("arn:aws:sts::{ACCOUNT_ID}:assumed-role/app/s1")
    );
    assert!(user.assumed_role_id().starts_with("AROA") && user.assumed_role_id().ends_with(":s1"));
    let session = keys_of(c);
    let who = s.sts(&session).get_caller_identity().send().await.unwrap();
    assert_eq!(who.arn(), Some(user.arn()));
    assert_eq!(who.user_id(), Some(user.assumed_role_id()));
    s.iam(&session).list_users().send().await.unwrap();
    let (c, m) = err(s.iam(&session).create_user().user_name("x").send().await);
    assert_eq!(c, "AccessDenied");
    assert!(
        m.starts_with(&format!(
            "User: arn:aws:sts::{ACCOUNT_ID}:assumed-role/app/s1 is not authorized"
        )),
        "{m}"
    );
}

#[tokio::test]
async fn refusals_untrusted_unpermitted_root_and_durations() {
    let s = TestServer::start().await;
    let other = role(
        &s,
        "other",
        json!({"AWS": format!("arn:aws:iam::{ACCOUNT_ID}:user/someone-else")}),
    )
    .await;
    let open = role(
        &s,
        "open",
        json!({"AWS": format!("arn:aws:iam::{ACCOUNT_ID}:root")}),
    )
    .await;
    let keys = assumer(&s, "bob").await;
    let sts = s.sts(&keys);
    assert_eq!(
        code(
            sts.assume_role()
                .role_arn(&other)
                .role_session_name("xx")
                .send()
                .await
        ),
        "AccessDenied",
        "untrusted caller"
    );

    let plain = s.user_with_key("carol").await;
    let (c, m) = err(s
        .sts(&plain)
        .assume_role()
        .role_arn(&open)
        .role_session_name("xx")
        .send()
        .await);
    assert_eq!(
        c, "AccessDenied",
        "the caller's own policies must allow sts:AssumeRole"
    );
    assert!(m.contains("sts:AssumeRole"), "{m}");

    let (c, m) = err(s
        .sts(&Keys::root())
        .assume_role()
        .role_arn(&open)
        .role_session_name("xx")
        .send()
        .await);
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("AccessDenied", "Roles may not be assumed by root accounts.")
    );

    let (c, m) = err(sts
        .assume_role()
        .role_arn(&open)
        .role_session_name("xx")
        .duration_seconds(7200)
        .send()
        .await);
    assert_eq!(c, "ValidationError");
    assert!(m.contains("MaxSessionDuration"), "{m}");
    assert_eq!(
        code(
            sts.assume_role()
                .role_arn(&open)
                .role_session_name("xx")
                .duration_seconds(899)
                .send()
                .await
        ),
        "ValidationError"
    );
    assert_eq!(
        code(
            sts.assume_role()
                .role_arn(&open)
                .role_session_name("bad name")
                .send()
                .await
        ),
        "ValidationError"
    );
    let missing = format!("arn:aws:iam::{ACCOUNT_ID}:role/nope");
    assert_eq!(
        code(
            sts.assume_role()
                .role_arn(missing)
                .role_session_name("xx")
                .send()
                .await
        ),
        "AccessDenied"
    );
}

#[tokio::test]
async fn trust_naming_the_user_needs_no_identity_policy() {
    let s = TestServer::start().await;
    let keys = s.user_with_key("dana").await;
    let arn = role(
        &s,
        "direct",
        json!({"AWS": format!("arn:aws:iam::{ACCOUNT_ID}:user/dana")}),
    )
    .await;
    s.sts(&keys)
        .assume_role()
        .role_arn(&arn)
        .role_session_name("dd")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn session_policies_only_narrow() {
    let s = TestServer::start().await;
    let arn = role(&s, "app", json!({"AWS": ACCOUNT_ID})).await;
    let sts = s.sts(&assumer(&s, "erin").await);
    let narrow = sts
        .assume_role()
        .role_arn(&arn)
        .role_session_name("narrow")
        .policy(allow("iam:ListRoles", "*"))
        .send()
        .await
        .unwrap();
    #[allow(
        deprecated,
        reason = "AWS still returns PackedPolicySize; the SDK marks it deprecated"
    )]
    let packed = narrow.packed_policy_size();
    assert!(packed.is_some_and(|p| p > 0 && p <= 100));
    let iam = s.iam(&keys_of(narrow.credentials().unwrap()));
    iam.list_roles().send().await.unwrap();
    let (c, m) = err(iam.list_users().send().await);
    assert_eq!(c, "AccessDenied");
    assert!(m.contains("session policy"), "{m}");

    let wide = sts
        .assume_role()
        .role_arn(&arn)
        .role_session_name("wide")
        .policy(allow("*", "*"))
        .send()
        .await
        .unwrap();
    let iam = s.iam(&keys_of(wide.credentials().unwrap()));
    iam.list_users().send().await.unwrap();
    assert_eq!(
        code(iam.create_user().user_name("x").send().await),
        "AccessDenied",
        "a session policy cannot widen"
    );

    let managed = sts
        .assume_role()
        .role_arn(&arn)
        .role_session_name("managed")
        .policy_arns(
            PolicyDescriptorType::builder()
                .arn("arn:aws:iam::aws:policy/IAMReadOnlyAccess")
                .build(),
        )
        .send()
        .await
        .unwrap();
    s.iam(&keys_of(managed.credentials().unwrap()))
        .list_users()
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(
            sts.assume_role()
                .role_arn(&arn)
                .role_session_name("mm")
                .policy("{bad")
                .send()
                .await
        ),
        "MalformedPolicyDocument"
    );
}

#[tokio::test]
async fn external_id_and_session_tags_reach_conditions() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let trust = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ACCOUNT_ID}, "Action": "sts:AssumeRole",
         "Condition": {"StringEquals": {"sts:ExternalId": "secret-handshake"}}},
        {"Effect": "Allow", "Principal": {"AWS": ACCOUNT_ID}, "Action": "sts:TagSession"}]}));
    let arn = iam
        .create_role()
        .role_name("ext")
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap()
        .role()
        .unwrap()
        .arn()
        .to_owned();
    let tagged = doc(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers",
        "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}}]}),
    );
    iam.put_role_policy()
        .role_name("ext")
        .policy_name("tagged")
        .policy_document(tagged)
        .send()
        .await
        .unwrap();
    let sts = s.sts(&assumer(&s, "fred").await);
    assert_eq!(
        code(
            sts.assume_role()
                .role_arn(&arn)
                .role_session_name("aa")
                .send()
                .await
        ),
        "AccessDenied"
    );
    assert_eq!(
        code(
            sts.assume_role()
                .role_arn(&arn)
                .role_session_name("aa")
                .external_id("wrong")
                .send()
                .await
        ),
        "AccessDenied"
    );
    let tag = |v: &str| Tag::builder().key("team").value(v).build().unwrap();
    let blue = sts
        .assume_role()
        .role_arn(&arn)
        .role_session_name("aa")
        .external_id("secret-handshake")
        .tags(tag("blue"))
        .send()
        .await
        .unwrap();
    s.iam(&keys_of(blue.credentials().unwrap()))
        .list_users()
        .send()
        .await
        .unwrap();
    let red = sts
        .assume_role()
        .role_arn(&arn)
        .role_session_name("aa")
        .external_id("secret-handshake")
        .tags(tag("red"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(
            s.iam(&keys_of(red.credentials().unwrap()))
                .list_users()
                .send()
                .await
        ),
        "AccessDenied"
    );
}

#[tokio::test]
async fn forged_tampered_and_expired_tokens_are_refused() {
    let s = TestServer::start().await;
    let arn = role(&s, "app", json!({"AWS": ACCOUNT_ID})).await;
    let sts = s.sts(&assumer(&s, "gus").await);
    let out = sts
        .assume_role()
        .role_arn(&arn)
        .role_session_name("tt")
        .duration_seconds(900)
        .send()
        .await
        .unwrap();
    let good = keys_of(out.credentials().unwrap());

    let mut tampered = good.clone();
    let token = tampered.session_token.take().unwrap();
    let flipped: String = token
        .char_indices()
        .map(|(i, c)| {
            if i == token.len() / 2 {
                if c == 'A' { 'B' } else { 'A' }
            } else {
                c
            }
        })
        .collect();
    tampered.session_token = Some(flipped);
    assert_eq!(
        code(s.sts(&tampered).get_caller_identity().send().await),
        "InvalidClientTokenId"
    );
    let mut truncated = good.clone();
    truncated.session_token = Some(token[..token.len() - 10].to_owned());
    assert_eq!(
        code(s.sts(&truncated).get_caller_identity().send().await),
        "InvalidClientTokenId"
    );
    let mut wrong_key = good.clone();
    wrong_key.access_key_id = "ASIAAAAAAAAAAAAAAAAA".into();
    assert_eq!(
        code(s.sts(&wrong_key).get_caller_identity().send().await),
        "InvalidClientTokenId"
    );

    s.sts(&good).get_caller_identity().send().await.unwrap();
    s.clock.advance(time::Duration::minutes(16));
    // The SDK signs with the real clock; the server's clock is 16 minutes ahead, so
    // the signature is out of the skew window too: check the token error on its own by
    // moving within the window. 900 s session, 16 min later: expired.
    let (c, m) = err(s.sts(&good).get_caller_identity().send().await);
    assert!(
        c == "ExpiredToken" || m.to_lowercase().contains("expired"),
        "{c}: {m}"
    );
}

#[tokio::test]
async fn role_chaining_is_capped_at_one_hour() {
    let s = TestServer::start().await;
    let first = role(&s, "first", json!({"AWS": ACCOUNT_ID})).await;
    let second = role(
        &s,
        "second",
        json!({"AWS": format!("arn:aws:iam::{ACCOUNT_ID}:role/first")}),
    )
    .await;
    s.put_role_policy("first", "assume", allow("sts:AssumeRole", "*"))
        .await;
    let out = s
        .sts(&assumer(&s, "hank").await)
        .assume_role()
        .role_arn(&first)
        .role_session_name("one")
        .send()
        .await
        .unwrap();
    let chained = s.sts(&keys_of(out.credentials().unwrap()));
    let (c, m) = err(chained
        .assume_role()
        .role_arn(&second)
        .role_session_name("two")
        .duration_seconds(7200)
        .send()
        .await);
    assert_eq!(c, "ValidationError");
    assert!(m.contains("role chaining"), "{m}");
    let two = chained
        .assume_role()
        .role_arn(&second)
        .role_session_name("two")
        .send()
        .await
        .unwrap();
    assert_eq!(
        two.assumed_role_user().unwrap().arn(),
        format!("arn:aws:sts::{ACCOUNT_ID}:assumed-role/second/two")
    );
}

#[tokio::test]
async fn cross_account_needs_both_sides() {
    let s = TestServer::start().await;
    let endpoint = s.endpoint.clone();
    let root = warden::cli_client::SigningKeys {
        access_key_id: ROOT_ACCESS_KEY_ID,
        secret_access_key: ROOT_SECRET_ACCESS_KEY,
        session_token: None,
    };
    let b = tokio::task::spawn_blocking(move || {
        warden::cli_client::create_account(&endpoint, "b", &root).unwrap()
    })
    .await
    .unwrap();
    let b_id = b["AccountId"].as_str().unwrap().to_owned();
    let b_iam = s.iam(&Keys::new(
        b["AccessKeyId"].as_str().unwrap(),
        b["SecretAccessKey"].as_str().unwrap(),
    ));
    let arn = b_iam
        .create_role()
        .role_name("shared")
        .assume_role_policy_document(trust(json!({"AWS": ACCOUNT_ID})))
        .send()
        .await
        .unwrap()
        .role()
        .unwrap()
        .arn()
        .to_owned();
    b_iam
        .put_role_policy()
        .role_name("shared")
        .policy_name("list")
        .policy_document(allow("iam:ListUsers", "*"))
        .send()
        .await
        .unwrap();
    let plain = s.user_with_key("no-policy").await;
    assert_eq!(
        code(
            s.sts(&plain)
                .assume_role()
                .role_arn(&arn)
                .role_session_name("xx")
                .send()
                .await
        ),
        "AccessDenied"
    );
    let keys = assumer(&s, "ivy").await;
    let out = s
        .sts(&keys)
        .assume_role()
        .role_arn(&arn)
        .role_session_name("xx")
        .send()
        .await
        .unwrap();
    let session = keys_of(out.credentials().unwrap());
    let who = s.sts(&session).get_caller_identity().send().await.unwrap();
    assert_eq!(who.account(), Some(b_id.as_str()));
    b_iam.create_user().user_name("in-b").send().await.unwrap();
    let users = s.iam(&session).list_users().send().await.unwrap();
    assert_eq!(
        users.users()[0].user_name(),
        "in-b",
        "the session acts in the role's account"
    );
}

#[tokio::test]
async fn session_tokens_for_users_and_not_for_sessions() {
    let s = TestServer::start().await;
    let keys = s.user_with_key("jo").await;
    s.put_user_policy("jo", "p", allow("iam:ListUsers", "*")).await;
    let out = s.sts(&keys).get_session_token().send().await.unwrap();
    let session = keys_of(out.credentials().unwrap());
    let who = s.sts(&session).get_caller_identity().send().await.unwrap();
    assert_eq!(
        who.arn(),
        Some(format!("arn:aws:iam::{ACCOUNT_ID}:user/jo").as_str())
    );
    s.iam(&session).list_users().send().await.unwrap();
    assert_eq!(code(s.iam(&session).list_roles().send().await), "AccessDenied");
    assert_eq!(
        code(s.sts(&session).get_session_token().send().await),
        "AccessDenied"
    );
    assert_eq!(
        code(
            s.sts(&keys)
                .get_session_token()
                .duration_seconds(200_000)
                .send()
                .await
        ),
        "ValidationError"
    );
}

#[tokio::test]
async fn federation_tokens_narrow_the_user() {
    let s = TestServer::start().await;
    let keys = s.user_with_key("kim").await;
    s.put_user_policy(
        "kim",
        "p",
        doc(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["iam:List*", "sts:GetFederationToken"], "Resource": "*"}]})),
    )
    .await;
    let sts = s.sts(&keys);
    let out = sts
        .get_federation_token()
        .name("visitor")
        .policy(allow("iam:ListRoles", "*"))
        .send()
        .await
        .unwrap();
    let fed = out.federated_user().unwrap();
    assert_eq!(
        fed.arn(),
        format!("arn:aws:sts::{ACCOUNT_ID}:federated-user/visitor")
    );
    assert_eq!(fed.federated_user_id(), format!("{ACCOUNT_ID}:visitor"));
    let session = keys_of(out.credentials().unwrap());
    s.iam(&session).list_roles().send().await.unwrap();
    assert_eq!(code(s.iam(&session).list_users().send().await), "AccessDenied");
    let bare = sts.get_federation_token().name("bare").send().await.unwrap();
    assert_eq!(
        code(
            s.iam(&keys_of(bare.credentials().unwrap()))
                .list_roles()
                .send()
                .await
        ),
        "AccessDenied",
        "without a policy the federated session has no permissions"
    );
    let nobody = s.user_with_key("lou").await;
    assert_eq!(
        code(s.sts(&nobody).get_federation_token().name("x1").send().await),
        "AccessDenied"
    );
}

#[tokio::test]
async fn revoking_sessions_with_token_issue_time() {
    let s = TestServer::start().await;
    let arn = role(&s, "app", json!({"AWS": ACCOUNT_ID})).await;
    let sts = s.sts(&assumer(&s, "max").await);
    let old = keys_of(
        sts.assume_role()
            .role_arn(&arn)
            .role_session_name("old")
            .send()
            .await
            .unwrap()
            .credentials()
            .unwrap(),
    );
    s.iam(&old).list_users().send().await.unwrap();
    // What the console writes to "revoke active sessions": deny tokens issued before now.
    let cutoff = time::OffsetDateTime::now_utc() + time::Duration::seconds(1);
    let cutoff = cutoff
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let revoke = doc(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
        "Condition": {"DateLessThan": {"aws:TokenIssueTime": cutoff}}}]}),
    );
    s.put_role_policy("app", "AWSRevokeOlderSessions", revoke).await;
    let (c, m) = err(s.iam(&old).list_users().send().await);
    assert_eq!(c, "AccessDenied");
    assert!(m.contains("explicit deny"), "{m}");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let new = keys_of(
        sts.assume_role()
            .role_arn(&arn)
            .role_session_name("new")
            .send()
            .await
            .unwrap()
            .credentials()
            .unwrap(),
    );
    s.iam(&new).list_users().send().await.unwrap();
}

#[tokio::test]
async fn sessions_survive_a_restart() {
    let s = TestServer::start().await;
    let arn = role(&s, "app", json!({"AWS": ACCOUNT_ID})).await;
    let session = keys_of(
        s.sts(&assumer(&s, "ned").await)
            .assume_role()
            .role_arn(&arn)
            .role_session_name("rr")
            .send()
            .await
            .unwrap()
            .credentials()
            .unwrap(),
    );
    let s = s.restart().await;
    s.iam(&session).list_users().send().await.unwrap();
}

#[tokio::test]
async fn access_key_info_names_the_account() {
    let s = TestServer::start().await;
    let keys = s.user_with_key("olga").await;
    let info = s
        .sts(&Keys::root())
        .get_access_key_info()
        .access_key_id(&keys.access_key_id)
        .send()
        .await
        .unwrap();
    assert_eq!(info.account(), Some(ACCOUNT_ID));
}

#[tokio::test]
async fn mfa_sessions_satisfy_mfa_conditions_and_codes_are_single_use() {
    use crate::iam_mfa::{create_device, step_now, totp};
    let s = TestServer::start().await;
    let keys = s.user_with_key("mfa-user").await;
    let iam = s.root_iam();
    let (serial, seed) = create_device(&iam, "dev1").await;
    let step = step_now();
    iam.enable_mfa_device()
        .user_name("mfa-user")
        .serial_number(&serial)
        .authentication_code1(totp(&seed, step - 1))
        .authentication_code2(totp(&seed, step))
        .send()
        .await
        .unwrap();
    let needs_mfa = doc(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers",
        "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}),
    );
    iam.put_user_policy()
        .user_name("mfa-user")
        .policy_name("mfa")
        .policy_document(needs_mfa)
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(s.iam(&keys).list_users().send().await),
        "AccessDenied",
        "long-term keys carry no MFA"
    );
    let sts = s.sts(&keys);
    let plain = sts.get_session_token().send().await.unwrap();
    assert_eq!(
        code(
            s.iam(&keys_of(plain.credentials().unwrap()))
                .list_users()
                .send()
                .await
        ),
        "AccessDenied"
    );
    let next = totp(&seed, step + 1);
    let with_mfa = sts
        .get_session_token()
        .serial_number(&serial)
        .token_code(&next)
        .send()
        .await
        .unwrap();
    s.iam(&keys_of(with_mfa.credentials().unwrap()))
        .list_users()
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(
            sts.get_session_token()
                .serial_number(&serial)
                .token_code(&next)
                .send()
                .await
        ),
        "AccessDenied",
        "a code is accepted once"
    );
    assert_eq!(
        code(
            sts.get_session_token()
                .serial_number(&serial)
                .token_code("000000")
                .send()
                .await
        ),
        "AccessDenied"
    );
}

#[tokio::test]
async fn access_denied_carries_a_message_that_decodes() {
    let s = TestServer::start().await;
    let keys = s.user_with_key("quinn").await;
    let denied = s
        .iam(&keys)
        .list_roles()
        .send()
        .await
        .expect_err("a new user is denied");
    let encoded = denied
        .raw_response()
        .and_then(|r| r.headers().get("x-amz-encoded-authorization-message"))
        .expect("AccessDenied carries an encoded message")
        .to_owned();
    let sts = s.sts(&Keys::root());
    let decoded = sts
        .decode_authorization_message()
        .encoded_message(&encoded)
        .send()
        .await
        .unwrap();
    let message: serde_json::Value = serde_json::from_str(decoded.decoded_message().unwrap()).unwrap();
    assert_eq!(message["allowed"], false);
    assert_eq!(message["explicitDeny"], false);
    assert_eq!(message["context"]["action"], "iam:ListRoles");
    assert_eq!(message["context"]["resource"], "*");
    assert_eq!(
        message["context"]["principal"]["arn"],
        format!("arn:aws:iam::{ACCOUNT_ID}:user/quinn")
    );
    // Decoding needs sts:DecodeAuthorizationMessage; garbage is refused.
    assert_eq!(
        code(
            s.sts(&keys)
                .decode_authorization_message()
                .encoded_message(&encoded)
                .send()
                .await
        ),
        "AccessDenied"
    );
    assert_eq!(
        code(
            sts.decode_authorization_message()
                .encoded_message("WST1garbage")
                .send()
                .await
        ),
        "InvalidAuthorizationMessageException"
    );
}
