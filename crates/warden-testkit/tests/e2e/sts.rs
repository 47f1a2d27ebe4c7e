//! STS: temporary credentials from AssumeRole, GetSessionToken and GetFederationToken,
//! and every refusal the issue names.

use aws_sdk_sts::operation::assume_role::builders::AssumeRoleFluentBuilder;
use aws_sdk_sts::types::{PolicyDescriptorType, Tag};
use serde_json::json;
use warden_testkit::{ACCOUNT_ID, Keys, TestServer};

use crate::{allow, code, create_role, doc, err};

fn trust(principal: serde_json::Value) -> String {
    doc(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal,
        "Action": ["sts:AssumeRole", "sts:TagSession"]}]}),
    )
}

/// The principal that stands for every identity of this account.
fn this_account() -> serde_json::Value {
    json!({"AWS": format!("arn:aws:iam::{ACCOUNT_ID}:root")})
}

/// A role `name` trusting `principal`, allowed `iam:List*`.
async fn role(s: &TestServer, name: &str, principal: serde_json::Value) -> String {
    let arn = create_role(&s.root_iam(), name, trust(principal)).await;
    s.put_role_policy(name, "list", allow("iam:List*", "*")).await;
    arn
}

/// AssumeRole of `arn` as session `name`, to be sent.
fn assume(sts: &aws_sdk_sts::Client, arn: &str, name: &str) -> AssumeRoleFluentBuilder {
    sts.assume_role().role_arn(arn).role_session_name(name)
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
    let arn = role(&s, "app", this_account()).await;
    let keys = assumer(&s, "alice").await;
    let out = assume(&s.sts(&keys), &arn, "s1").send().await.unwrap();
    let c = out.credentials().unwrap();
    assert!(c.access_key_id().starts_with("ASIA"));
    assert_eq!(c.secret_access_key().len(), 40);
    let user = out.assumed_role_user().unwrap();
    assert_eq!(
        user.arn(),
        format!("arn:aws:sts::{ACCOUNT_ID}:assumed-role/app/s1")
    );
    assert!(user.assumed_role_id().starts_with("AROA") && user.assumed_role_id().ends_with(":s1"));
    let session = Keys::of_session(c);
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
    let open = role(&s, "open", this_account()).await;
    let keys = assumer(&s, "bob").await;
    let sts = s.sts(&keys);
    assert_eq!(
        code(assume(&sts, &other, "xx").send().await),
        "AccessDenied",
        "untrusted caller"
    );

    let plain = s.user_with_key("carol").await;
    let (c, m) = err(assume(&s.sts(&plain), &open, "xx").send().await);
    assert_eq!(
        c, "AccessDenied",
        "the caller's own policies must allow sts:AssumeRole"
    );
    assert!(m.contains("sts:AssumeRole"), "{m}");

    let (c, m) = err(assume(&s.sts(&Keys::root()), &open, "xx").send().await);
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("AccessDenied", "Roles may not be assumed by root accounts.")
    );

    let (c, m) = err(assume(&sts, &open, "xx").duration_seconds(7200).send().await);
    assert_eq!(c, "ValidationError");
    assert!(m.contains("MaxSessionDuration"), "{m}");
    assert_eq!(
        code(assume(&sts, &open, "xx").duration_seconds(899).send().await),
        "ValidationError"
    );
    assert_eq!(
        code(assume(&sts, &open, "bad name").send().await),
        "ValidationError"
    );
    let missing = format!("arn:aws:iam::{ACCOUNT_ID}:role/nope");
    assert_eq!(code(assume(&sts, &missing, "xx").send().await), "AccessDenied");
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
    assume(&s.sts(&keys), &arn, "dd").send().await.unwrap();
}

#[tokio::test]
async fn session_policies_only_narrow() {
    let s = TestServer::start().await;
    let arn = role(&s, "app", json!({"AWS": ACCOUNT_ID})).await;
    let sts = s.sts(&assumer(&s, "erin").await);
    let narrow = assume(&sts, &arn, "narrow")
        .policy(allow("iam:ListRoles", "*"))
        .send()
        .await
        .unwrap();
    let packed = packed_policy_size!(narrow);
    assert!(packed.is_some_and(|p| p > 0 && p <= 100));
    let iam = s.iam(&Keys::of_session(narrow.credentials().unwrap()));
    iam.list_roles().send().await.unwrap();
    let (c, m) = err(iam.list_users().send().await);
    assert_eq!(c, "AccessDenied");
    assert!(m.contains("session policy"), "{m}");

    let wide = assume(&sts, &arn, "wide")
        .policy(allow("*", "*"))
        .send()
        .await
        .unwrap();
    let iam = s.iam(&Keys::of_session(wide.credentials().unwrap()));
    iam.list_users().send().await.unwrap();
    assert_eq!(
        code(iam.create_user().user_name("x").send().await),
        "AccessDenied",
        "a session policy cannot widen"
    );

    let managed = assume(&sts, &arn, "managed")
        .policy_arns(
            PolicyDescriptorType::builder()
                .arn("arn:aws:iam::aws:policy/IAMReadOnlyAccess")
                .build(),
        )
        .send()
        .await
        .unwrap();
    s.iam(&Keys::of_session(managed.credentials().unwrap()))
        .list_users()
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(assume(&sts, &arn, "mm").policy("{bad").send().await),
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
    let arn = create_role(&iam, "ext", trust).await;
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
    assert_eq!(code(assume(&sts, &arn, "aa").send().await), "AccessDenied");
    assert_eq!(
        code(assume(&sts, &arn, "aa").external_id("wrong").send().await),
        "AccessDenied"
    );
    let tag = |v: &str| Tag::builder().key("team").value(v).build().unwrap();
    let blue = assume(&sts, &arn, "aa")
        .external_id("secret-handshake")
        .tags(tag("blue"))
        .send()
        .await
        .unwrap();
    s.iam(&Keys::of_session(blue.credentials().unwrap()))
        .list_users()
        .send()
        .await
        .unwrap();
    let red = assume(&sts, &arn, "aa")
        .external_id("secret-handshake")
        .tags(tag("red"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(
            s.iam(&Keys::of_session(red.credentials().unwrap()))
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
    let out = assume(&sts, &arn, "tt")
        .duration_seconds(900)
        .send()
        .await
        .unwrap();
    let good = Keys::of_session(out.credentials().unwrap());

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
    let out = assume(&s.sts(&assumer(&s, "hank").await), &first, "one")
        .send()
        .await
        .unwrap();
    let chained = s.sts(&Keys::of_session(out.credentials().unwrap()));
    let (c, m) = err(assume(&chained, &second, "two")
        .duration_seconds(7200)
        .send()
        .await);
    assert_eq!(c, "ValidationError");
    assert!(m.contains("role chaining"), "{m}");
    let two = assume(&chained, &second, "two").send().await.unwrap();
    assert_eq!(
        two.assumed_role_user().unwrap().arn(),
        format!("arn:aws:sts::{ACCOUNT_ID}:assumed-role/second/two")
    );
}

#[tokio::test]
async fn cross_account_needs_both_sides() {
    let s = TestServer::start().await;
    let (b_id, b_keys) = s.create_account("b").await;
    let b_iam = s.iam(&b_keys);
    let arn = create_role(&b_iam, "shared", trust(json!({"AWS": ACCOUNT_ID}))).await;
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
        code(assume(&s.sts(&plain), &arn, "xx").send().await),
        "AccessDenied"
    );
    let keys = assumer(&s, "ivy").await;
    let out = assume(&s.sts(&keys), &arn, "xx").send().await.unwrap();
    let session = Keys::of_session(out.credentials().unwrap());
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
    let session = Keys::of_session(out.credentials().unwrap());
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
    let session = Keys::of_session(out.credentials().unwrap());
    s.iam(&session).list_roles().send().await.unwrap();
    assert_eq!(code(s.iam(&session).list_users().send().await), "AccessDenied");
    let bare = sts.get_federation_token().name("bare").send().await.unwrap();
    assert_eq!(
        code(
            s.iam(&Keys::of_session(bare.credentials().unwrap()))
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
    let old = Keys::of_session(
        assume(&sts, &arn, "old")
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
    let new = Keys::of_session(
        assume(&sts, &arn, "new")
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
    let session = Keys::of_session(
        assume(&s.sts(&assumer(&s, "ned").await), &arn, "rr")
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
    // Temporary keys and keys this server never issued name their account through the
    // ID itself, as AWS's do (the IAM User Guide's example key belongs to 581039954779).
    let creds = s
        .sts(&keys)
        .get_session_token()
        .send()
        .await
        .unwrap()
        .credentials
        .unwrap();
    for (key, account) in [
        (creds.access_key_id.as_str(), ACCOUNT_ID),
        ("AKIAIOSFODNN7EXAMPLE", "581039954779"),
    ] {
        let info = s
            .sts(&Keys::root())
            .get_access_key_info()
            .access_key_id(key)
            .send()
            .await
            .unwrap();
        assert_eq!(info.account(), Some(account), "{key}");
    }
    let err = s
        .sts(&Keys::root())
        .get_access_key_info()
        .access_key_id("AKIA0000000000000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.into_service_error().meta().code(),
        Some("InvalidParameterValue")
    );
}

#[tokio::test]
async fn mfa_sessions_satisfy_mfa_conditions_and_codes_are_single_use() {
    use crate::iam_mfa::{create_device, enable, step_now, totp};
    let s = TestServer::start().await;
    let keys = s.user_with_key("mfa-user").await;
    let iam = s.root_iam();
    let (serial, seed) = create_device(&iam, "dev1").await;
    let step = step_now();
    enable(&iam, "mfa-user", &serial, &seed, [step - 1, step])
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
            s.iam(&Keys::of_session(plain.credentials().unwrap()))
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
    s.iam(&Keys::of_session(with_mfa.credentials().unwrap()))
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

#[tokio::test]
async fn assume_role_records_the_roles_last_use() {
    let s = TestServer::start().await;
    let arn = role(&s, "used", this_account()).await;
    let iam = s.root_iam();
    let before = iam.get_role().role_name("used").send().await.unwrap();
    let last = before.role().unwrap().role_last_used().unwrap();
    assert!(last.last_used_date().is_none() && last.region().is_none());
    let keys = assumer(&s, "carol").await;
    let started = std::time::SystemTime::now();
    assume(&s.sts(&keys), &arn, "s1").send().await.unwrap();
    let after = iam.get_role().role_name("used").send().await.unwrap();
    let last = after.role().unwrap().role_last_used().unwrap();
    assert_eq!(last.region(), Some("us-east-1"));
    let when = std::time::SystemTime::try_from(*last.last_used_date().unwrap()).unwrap();
    // LastUsedDate has second precision.
    assert!(
        when + std::time::Duration::from_secs(1) >= started,
        "{when:?} < {started:?}"
    );
    // A refused AssumeRole is no use of the role.
    let other = role(&s, "unused", json!({"AWS": "arn:aws:iam::999999999999:root"})).await;
    assert_eq!(
        code(assume(&s.sts(&keys), &other, "s1").send().await),
        "AccessDenied"
    );
    let unused = iam.get_role().role_name("unused").send().await.unwrap();
    assert!(
        unused
            .role()
            .unwrap()
            .role_last_used()
            .unwrap()
            .last_used_date()
            .is_none()
    );
    // GetAccountAuthorizationDetails shows the same.
    let details = iam.get_account_authorization_details().send().await.unwrap();
    let detail = details
        .role_detail_list()
        .iter()
        .find(|r| r.role_name() == Some("used"))
        .unwrap();
    assert_eq!(detail.role_last_used().unwrap().region(), Some("us-east-1"));
}
