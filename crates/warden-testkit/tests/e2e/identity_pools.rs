//! Cognito identity pools through aws-sdk-cognitoidentity: guests and signed-in user
//! pool users traded for role credentials whose trust policies and permissions IAM
//! enforces.

use aws_sdk_cognitoidentity as ci;
use ci::types::CognitoIdentityProvider;
use serde_json::json;
use warden_testkit::{ACCOUNT_ID, Keys, TestServer};

use crate::user_pools::{PASSWORD, confirmed_user, password_sign_in, pool_and_client};
use crate::{assert_error, create_role, doc, err};

/// A role that identities of `pool_id` with `amr` may assume, allowed `action`.
async fn identity_role(s: &TestServer, name: &str, pool_id: &str, amr: &str, action: &str) -> String {
    let trust = doc(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Principal": {"Federated": "cognito-identity.amazonaws.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
        "StringEquals": {"cognito-identity.amazonaws.com:aud": pool_id},
        "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": amr},
    }}]}));
    let arn = create_role(&s.root_iam(), name, trust).await;
    s.put_role_policy(name, "allow", crate::allow(action, "*")).await;
    arn
}

/// An identity pool that trusts ID tokens of `provider` (a user pool) for `client_id`.
async fn trusting_pool(
    admin: &ci::Client,
    name: &str,
    allow_guests: bool,
    provider: &str,
    client_id: &str,
) -> ci::operation::create_identity_pool::CreateIdentityPoolOutput {
    admin
        .create_identity_pool()
        .identity_pool_name(name)
        .allow_unauthenticated_identities(allow_guests)
        .cognito_identity_providers(
            CognitoIdentityProvider::builder()
                .provider_name(provider)
                .client_id(client_id)
                .build(),
        )
        .send()
        .await
        .unwrap()
}

fn keys_of(c: &ci::types::Credentials) -> Keys {
    let mut keys = Keys::new(c.access_key_id().unwrap(), c.secret_key().unwrap());
    keys.session_token = c.session_token().map(str::to_owned);
    keys
}

#[tokio::test]
async fn guests_and_signed_in_users_get_their_roles_credentials() {
    let s = TestServer::start().await;
    let (user_pool, client_id) = pool_and_client(&s).await;
    confirmed_user(&s, &user_pool, "kim").await;
    let admin = s.cognito_identity(Some(&Keys::root()));
    let provider = format!("cognito-idp.us-east-1.amazonaws.com/{user_pool}");
    let created = trusting_pool(&admin, "app", true, &provider, &client_id).await;
    let pool_id = created.identity_pool_id().to_owned();
    assert!(
        pool_id.starts_with("us-east-1:") && pool_id.len() == "us-east-1:".len() + 36,
        "{pool_id}"
    );
    let described = admin
        .describe_identity_pool()
        .identity_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(described.identity_pool_name(), "app");
    assert_eq!(described.cognito_identity_providers().len(), 1);
    let listed = admin.list_identity_pools().max_results(10).send().await.unwrap();
    assert_eq!(listed.identity_pools().len(), 1);

    let guest = identity_role(&s, "guest", &pool_id, "unauthenticated", "iam:GetAccountSummary").await;
    let member = identity_role(&s, "member", &pool_id, "authenticated", "iam:ListRoles").await;
    admin
        .set_identity_pool_roles()
        .identity_pool_id(&pool_id)
        .roles("unauthenticated", &guest)
        .roles("authenticated", &member)
        .send()
        .await
        .unwrap();
    let roles = admin
        .get_identity_pool_roles()
        .identity_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(roles.roles().unwrap().get("authenticated"), Some(&member));

    // A guest.
    let app = s.cognito_identity(None);
    let guest_id = app.get_id().identity_pool_id(&pool_id).send().await.unwrap();
    let guest_id = guest_id.identity_id().unwrap().to_owned();
    let creds = app
        .get_credentials_for_identity()
        .identity_id(&guest_id)
        .send()
        .await
        .unwrap();
    assert_eq!(creds.identity_id(), Some(guest_id.as_str()));
    let guest_keys = keys_of(creds.credentials().unwrap());
    let who = s.sts(&guest_keys).get_caller_identity().send().await.unwrap();
    assert_eq!(
        who.arn(),
        Some(format!("arn:aws:sts::{ACCOUNT_ID}:assumed-role/guest/CognitoIdentityCredentials").as_str())
    );
    s.iam(&guest_keys).get_account_summary().send().await.unwrap();
    let (c, _) = err(s.iam(&guest_keys).list_roles().send().await);
    assert_eq!(c, "AccessDenied");

    // A signed-in user keeps one identity across sign-ins and gets the authenticated role.
    let signed_in = password_sign_in(&s, &client_id, "kim", PASSWORD).await.unwrap();
    let id_token = signed_in
        .authentication_result()
        .unwrap()
        .id_token()
        .unwrap()
        .to_owned();
    let kim = app
        .get_id()
        .identity_pool_id(&pool_id)
        .logins(&provider, &id_token)
        .send()
        .await
        .unwrap();
    let kim = kim.identity_id().unwrap().to_owned();
    assert_ne!(kim, guest_id);
    let again = password_sign_in(&s, &client_id, "kim", PASSWORD).await.unwrap();
    let second_token = again
        .authentication_result()
        .unwrap()
        .id_token()
        .unwrap()
        .to_owned();
    let same = app
        .get_id()
        .identity_pool_id(&pool_id)
        .logins(&provider, &second_token)
        .send()
        .await
        .unwrap();
    assert_eq!(same.identity_id(), Some(kim.as_str()));
    let creds = app
        .get_credentials_for_identity()
        .identity_id(&kim)
        .logins(&provider, &second_token)
        .send()
        .await
        .unwrap();
    let member_keys = keys_of(creds.credentials().unwrap());
    s.iam(&member_keys).list_roles().send().await.unwrap();

    // Refusals: no login for an authenticated identity, an access token, an unknown provider.
    let (c, _) = err(app.get_credentials_for_identity().identity_id(&kim).send().await);
    assert_eq!(c, "NotAuthorizedException");
    let access_token = again.authentication_result().unwrap().access_token().unwrap();
    let (c, _) = err(app
        .get_id()
        .identity_pool_id(&pool_id)
        .logins(&provider, access_token)
        .send()
        .await);
    assert_eq!(c, "NotAuthorizedException");
    let (c, _) = err(app
        .get_id()
        .identity_pool_id(&pool_id)
        .logins("accounts.google.com", &id_token)
        .send()
        .await);
    assert_eq!(c, "NotAuthorizedException");
    let (c, m) = err(app
        .get_credentials_for_identity()
        .identity_id("us-east-1:00000000-0000-4000-8000-000000000000")
        .send()
        .await);
    assert_eq!(c, "ResourceNotFoundException", "{m}");

    let identities = admin
        .list_identities()
        .identity_pool_id(&pool_id)
        .max_results(10)
        .send()
        .await
        .unwrap();
    assert_eq!(identities.identities().len(), 2);
}

#[tokio::test]
async fn pool_settings_and_trust_policies_are_enforced() {
    let s = TestServer::start().await;
    let admin = s.cognito_identity(Some(&Keys::root()));
    let closed = admin
        .create_identity_pool()
        .identity_pool_name("closed")
        .allow_unauthenticated_identities(false)
        .send()
        .await
        .unwrap();
    let app = s.cognito_identity(None);
    assert_error(
        app.get_id()
            .identity_pool_id(closed.identity_pool_id())
            .send()
            .await,
        "NotAuthorizedException",
        "Unauthenticated access is not supported for this identity pool.",
    );
    let open = admin
        .create_identity_pool()
        .identity_pool_name("open")
        .allow_unauthenticated_identities(true)
        .send()
        .await
        .unwrap();
    let open_id = open.identity_pool_id();
    let id = app.get_id().identity_pool_id(open_id).send().await.unwrap();
    let id = id.identity_id().unwrap().to_owned();
    // No role yet.
    let (c, _) = err(app.get_credentials_for_identity().identity_id(&id).send().await);
    assert_eq!(c, "InvalidIdentityPoolConfigurationException");
    // A role that trusts another identity pool is not this pool's to hand out.
    let other = identity_role(
        &s,
        "other",
        closed.identity_pool_id(),
        "unauthenticated",
        "iam:ListRoles",
    )
    .await;
    admin
        .set_identity_pool_roles()
        .identity_pool_id(open_id)
        .roles("unauthenticated", &other)
        .send()
        .await
        .unwrap();
    let (c, m) = err(app.get_credentials_for_identity().identity_id(&id).send().await);
    assert_eq!(c, "InvalidIdentityPoolConfigurationException", "{m}");
    // IAM decides who administers identity pools.
    let keys = s.user_with_key("nobody").await;
    let (c, m) = err(s
        .cognito_identity(Some(&keys))
        .describe_identity_pool()
        .identity_pool_id(open_id)
        .send()
        .await);
    assert_eq!(c, "AccessDeniedException");
    assert!(
        m.contains(&format!("cognito-identity:DescribeIdentityPool on resource: arn:aws:cognito-identity:us-east-1:{ACCOUNT_ID}:identitypool/{open_id}")),
        "{m}"
    );
    admin
        .delete_identity_pool()
        .identity_pool_id(open_id)
        .send()
        .await
        .unwrap();
    let (c, _) = err(app.get_credentials_for_identity().identity_id(&id).send().await);
    assert_eq!(c, "ResourceNotFoundException");
}

#[tokio::test]
async fn token_role_mappings_follow_user_pool_groups() {
    let s = TestServer::start().await;
    let (user_pool, client_id) = pool_and_client(&s).await;
    confirmed_user(&s, &user_pool, "lee").await;
    let admin = s.cognito_identity(Some(&Keys::root()));
    let provider = format!("cognito-idp.us-east-1.amazonaws.com/{user_pool}");
    let pool = trusting_pool(&admin, "mapped", false, &provider, &client_id).await;
    let pool_id = pool.identity_pool_id().to_owned();
    let editors = identity_role(&s, "editors", &pool_id, "authenticated", "iam:ListRoles").await;
    let members = identity_role(&s, "members", &pool_id, "authenticated", "iam:GetAccountSummary").await;
    let idp = s.cognito(&Keys::root());
    idp.create_group()
        .user_pool_id(&user_pool)
        .group_name("editors")
        .role_arn(&editors)
        .precedence(1)
        .send()
        .await
        .unwrap();
    idp.admin_add_user_to_group()
        .user_pool_id(&user_pool)
        .username("lee")
        .group_name("editors")
        .send()
        .await
        .unwrap();
    let mapping = ci::types::RoleMapping::builder()
        .r#type(ci::types::RoleMappingType::Token)
        .ambiguous_role_resolution(ci::types::AmbiguousRoleResolutionType::Deny)
        .build()
        .unwrap();
    admin
        .set_identity_pool_roles()
        .identity_pool_id(&pool_id)
        .roles("authenticated", &members)
        .role_mappings(&provider, mapping)
        .send()
        .await
        .unwrap();
    let signed_in = password_sign_in(&s, &client_id, "lee", PASSWORD).await.unwrap();
    let token = signed_in
        .authentication_result()
        .unwrap()
        .id_token()
        .unwrap()
        .to_owned();
    let app = s.cognito_identity(None);
    let id = app
        .get_id()
        .identity_pool_id(&pool_id)
        .logins(&provider, &token)
        .send()
        .await
        .unwrap();
    let id = id.identity_id().unwrap().to_owned();
    let creds = app
        .get_credentials_for_identity()
        .identity_id(&id)
        .logins(&provider, &token)
        .send()
        .await
        .unwrap();
    let keys = keys_of(creds.credentials().unwrap());
    let who = s.sts(&keys).get_caller_identity().send().await.unwrap();
    assert!(
        who.arn().unwrap().contains(":assumed-role/editors/"),
        "{:?}",
        who.arn()
    );
    // A custom role the token does not carry is refused.
    let (c, _) = err(app
        .get_credentials_for_identity()
        .identity_id(&id)
        .logins(&provider, &token)
        .custom_role_arn(&members)
        .send()
        .await);
    assert_eq!(c, "NotAuthorizedException");
}

#[tokio::test]
async fn the_basic_flow_trades_an_open_id_token_at_sts() {
    let s = TestServer::start().await;
    let admin = s.cognito_identity(Some(&Keys::root()));
    let classic = admin
        .create_identity_pool()
        .identity_pool_name("classic")
        .allow_unauthenticated_identities(true)
        .allow_classic_flow(true)
        .send()
        .await
        .unwrap();
    let pool_id = classic.identity_pool_id().to_owned();
    let role = identity_role(
        &s,
        "classic-guest",
        &pool_id,
        "unauthenticated",
        "iam:GetAccountSummary",
    )
    .await;
    let app = s.cognito_identity(None);
    let id = app.get_id().identity_pool_id(&pool_id).send().await.unwrap();
    let id = id.identity_id().unwrap().to_owned();
    let token = app.get_open_id_token().identity_id(&id).send().await.unwrap();
    let token = token.token().unwrap().to_owned();
    // No IAM OIDC provider is registered: cognito-identity.amazonaws.com is built in.
    let out = s
        .sts(&Keys::root())
        .assume_role_with_web_identity()
        .role_arn(&role)
        .role_session_name("classic")
        .web_identity_token(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(out.subject_from_web_identity_token(), Some(id.as_str()));
    assert_eq!(out.audience(), Some(pool_id.as_str()));
    let keys = Keys::of_session(out.credentials().unwrap());
    s.iam(&keys).get_account_summary().send().await.unwrap();
    // A role that trusts another pool refuses this pool's token.
    let other = identity_role(
        &s,
        "other-pool",
        "us-east-1:00000000-0000-4000-8000-000000000000",
        "unauthenticated",
        "iam:ListRoles",
    )
    .await;
    let (c, _) = err(s
        .sts(&Keys::root())
        .assume_role_with_web_identity()
        .role_arn(&other)
        .role_session_name("classic")
        .web_identity_token(&token)
        .send()
        .await);
    assert_eq!(c, "AccessDenied");
    // Pools without the basic flow give no OpenID tokens.
    let enhanced = admin
        .create_identity_pool()
        .identity_pool_name("enhanced")
        .allow_unauthenticated_identities(true)
        .send()
        .await
        .unwrap();
    let guest = app
        .get_id()
        .identity_pool_id(enhanced.identity_pool_id())
        .send()
        .await
        .unwrap();
    assert_error(
        app.get_open_id_token()
            .identity_id(guest.identity_id().unwrap())
            .send()
            .await,
        "InvalidParameterException",
        "Basic (classic) flow is not enabled, please use enhanced flow.",
    );
}
