//! Cognito user pools through the official SDK: pools and app clients, users created by
//! an administrator or signing up, password sign-in with its challenge, tokens verified
//! against the published JWKS, refresh, sign-out and revocation, IAM on the
//! administrative calls, restarts, and STS trusting the pool's own tokens.

use aws_sdk_cognitoidentityprovider as cip;
use cip::types::{AttributeType, AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};
use warden_testkit::{ACCOUNT_ID, Keys, TestServer};

use crate::{assert_error, create_role, doc, err};

pub const PASSWORD: &str = "Correct-Horse-9";

/// A pool and a client that allows password sign-in (and refresh); its ID and client ID.
pub async fn pool_and_client(s: &TestServer) -> (String, String) {
    let idp = s.cognito(&Keys::root());
    let pool = idp
        .create_user_pool()
        .pool_name("app-users")
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let client = idp
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("web")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap();
    let client_id = client.user_pool_client().unwrap().client_id().unwrap().to_owned();
    (pool_id, client_id)
}

/// A confirmed user with `PASSWORD`.
pub async fn confirmed_user(s: &TestServer, pool_id: &str, name: &str) {
    let idp = s.cognito(&Keys::root());
    idp.admin_create_user()
        .user_pool_id(pool_id)
        .username(name)
        .user_attributes(attr("email", &format!("{name}@example.com")))
        .message_action(cip::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    idp.admin_set_user_password()
        .user_pool_id(pool_id)
        .username(name)
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
}

/// `token` with one character of its signature changed.
fn tampered(token: &str) -> String {
    let mut bytes = token.as_bytes().to_vec();
    let at = bytes.len() - 10;
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

fn attr(name: &str, value: &str) -> AttributeType {
    AttributeType::builder().name(name).value(value).build().unwrap()
}

pub async fn password_sign_in(
    s: &TestServer,
    client_id: &str,
    user: &str,
    password: &str,
) -> Result<
    cip::operation::initiate_auth::InitiateAuthOutput,
    cip::error::SdkError<cip::operation::initiate_auth::InitiateAuthError>,
> {
    s.cognito_unsigned()
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", user)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
}

/// `GET url` as JSON.
async fn get_json(url: String) -> (u16, Value) {
    tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut r = agent.get(&url).call().unwrap();
        let body = r.body_mut().read_to_string().unwrap();
        (
            r.status().as_u16(),
            serde_json::from_str(&body).unwrap_or(Value::Null),
        )
    })
    .await
    .unwrap()
}

/// The claims of `token`, verified with the pool's published JWKS as any relying party
/// would (the documents are read from the server's address, whatever its public URL).
async fn verify_with_jwks(s: &TestServer, pool_id: &str, token: &str) -> Value {
    let issuer = format!("{}/{pool_id}", s.public_base());
    let local = format!("{}/{pool_id}", s.endpoint);
    let (status, discovery) = get_json(format!("{local}/.well-known/openid-configuration")).await;
    assert_eq!(status, 200);
    assert_eq!(discovery["issuer"], json!(issuer));
    assert_eq!(
        discovery["jwks_uri"],
        json!(format!("{issuer}/.well-known/jwks.json"))
    );
    let (_, jwks) = get_json(format!("{local}/.well-known/jwks.json")).await;
    let jwks: jsonwebtoken::jwk::JwkSet = serde_json::from_value(jwks).unwrap();
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);
    let jwk = jwks
        .find(header.kid.as_deref().unwrap())
        .expect("the token's kid is published");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[&issuer]);
    validation.validate_aud = false;
    jsonwebtoken::decode::<Value>(token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
        .unwrap()
        .claims
}

#[tokio::test]
async fn pools_and_clients_have_aws_defaults_ids_and_errors() {
    let s = TestServer::start().await;
    let idp = s.cognito(&Keys::root());
    let created = idp.create_user_pool().pool_name("users").send().await.unwrap();
    let pool = created.user_pool().unwrap();
    let pool_id = pool.id().unwrap();
    let (prefix, suffix) = pool_id.split_once('_').unwrap();
    assert_eq!(prefix, "us-east-1");
    assert_eq!(suffix.len(), 9, "{pool_id}");
    assert_eq!(
        pool.arn(),
        Some(format!("arn:aws:cognito-idp:us-east-1:{ACCOUNT_ID}:userpool/{pool_id}").as_str())
    );
    let policy = pool.policies().unwrap().password_policy().unwrap();
    assert_eq!(policy.minimum_length(), Some(8));
    assert!(policy.require_symbols());
    assert_eq!(policy.temporary_password_validity_days(), 7);
    assert_eq!(pool.mfa_configuration(), Some(&cip::types::UserPoolMfaType::Off));
    assert!(pool.schema_attributes().iter().any(|a| a.name() == Some("email")));

    let described = idp
        .describe_user_pool()
        .user_pool_id(pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(described.user_pool().unwrap().name(), Some("users"));
    let listed = idp.list_user_pools().max_results(10).send().await.unwrap();
    assert_eq!(listed.user_pools().len(), 1);
    // A pool lives in its region.
    let elsewhere = s.cognito_in("eu-west-1", Some(&Keys::root()));
    let listed = elsewhere.list_user_pools().max_results(10).send().await.unwrap();
    assert!(listed.user_pools().is_empty());
    assert_error(
        elsewhere.describe_user_pool().user_pool_id(pool_id).send().await,
        "ResourceNotFoundException",
        &format!("User pool {pool_id} does not exist."),
    );

    // A client created with nothing but a name: AWS's defaults, absent members absent.
    let client = idp
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name("minimal")
        .generate_secret(true)
        .send()
        .await
        .unwrap();
    let client = client.user_pool_client().unwrap();
    let client_id = client.client_id().unwrap();
    assert_eq!(client_id.len(), 26);
    assert!(
        client_id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'v').contains(&b)),
        "{client_id}"
    );
    assert_eq!(client.client_secret().map(str::len), Some(51));
    assert_eq!(client.refresh_token_validity(), 30);
    assert!(client.explicit_auth_flows().is_empty());
    assert!(client.prevent_user_existence_errors().is_none());
    assert_eq!(client.enable_token_revocation(), Some(true));
    let described = idp
        .describe_user_pool_client()
        .user_pool_id(pool_id)
        .client_id(client_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.user_pool_client().unwrap().client_secret(),
        client.client_secret()
    );
    let clients = idp
        .list_user_pool_clients()
        .user_pool_id(pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(clients.user_pool_clients().len(), 1);
    // The default flows do not include password sign-in.
    let (c, m) = err(password_sign_in(&s, client_id, "nobody", PASSWORD).await);
    assert_eq!(c, "InvalidParameterException");
    assert_eq!(m, "USER_PASSWORD_AUTH flow not enabled for this client");
    let (c, _) = err(idp
        .create_user_pool_client()
        .user_pool_id(pool_id)
        .client_name("bad")
        .access_token_validity(2)
        .token_validity_units(
            cip::types::TokenValidityUnitsType::builder()
                .access_token(cip::types::TimeUnitsType::Days)
                .build(),
        )
        .send()
        .await);
    assert_eq!(c, "InvalidParameterException");

    idp.delete_user_pool_client()
        .user_pool_id(pool_id)
        .client_id(client_id)
        .send()
        .await
        .unwrap();
    let (c, m) = err(idp
        .describe_user_pool_client()
        .user_pool_id(pool_id)
        .client_id(client_id)
        .send()
        .await);
    assert_eq!(c, "ResourceNotFoundException");
    assert_eq!(m, format!("User pool client {client_id} does not exist."));
    idp.delete_user_pool().user_pool_id(pool_id).send().await.unwrap();
    let (c, _) = err(idp.describe_user_pool().user_pool_id(pool_id).send().await);
    assert_eq!(c, "ResourceNotFoundException");
}

#[tokio::test]
async fn an_admin_created_user_sets_a_new_password_and_gets_verifiable_tokens() {
    let s = TestServer::start().await;
    let (pool_id, client_id) = pool_and_client(&s).await;
    let idp = s.cognito(&Keys::root());
    let (c, m) = err(idp
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("alice")
        .temporary_password("short")
        .send()
        .await);
    assert_eq!(c, "InvalidPasswordException");
    assert_eq!(
        m,
        "Password did not conform with password policy: Password not long enough"
    );
    let created = idp
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("alice")
        .temporary_password("Temporary-Pass-1")
        .user_attributes(attr("email", "alice@example.com"))
        .user_attributes(attr("email_verified", "true"))
        .send()
        .await
        .unwrap();
    let user = created.user().unwrap();
    assert_eq!(
        user.user_status(),
        Some(&cip::types::UserStatusType::ForceChangePassword)
    );
    assert_eq!(user.attributes().first().map(|a| a.name()), Some("sub"));
    assert_error(
        idp.admin_create_user()
            .user_pool_id(&pool_id)
            .username("ALICE")
            .send()
            .await,
        "UsernameExistsException",
        "User account already exists",
    );

    let challenge = password_sign_in(&s, &client_id, "alice", "Temporary-Pass-1")
        .await
        .unwrap();
    assert_eq!(
        challenge.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    assert!(challenge.authentication_result().is_none());
    let params = challenge.challenge_parameters().unwrap();
    assert_eq!(params.get("USER_ID_FOR_SRP").map(String::as_str), Some("alice"));
    let session = challenge.session().unwrap();
    let respond = |password: &'static str, session: &str| {
        s.cognito_unsigned()
            .respond_to_auth_challenge()
            .client_id(&client_id)
            .challenge_name(ChallengeNameType::NewPasswordRequired)
            .session(session)
            .challenge_responses("USERNAME", "alice")
            .challenge_responses("NEW_PASSWORD", password)
            .send()
    };
    let (c, m) = err(respond("nouppercase-1!", session).await);
    assert_eq!(c, "InvalidPasswordException");
    assert_eq!(
        m,
        "Password does not conform to policy: Password must have uppercase characters"
    );
    assert_error(
        respond(PASSWORD, "v1:forged-session-forged-session").await,
        "NotAuthorizedException",
        "Invalid session for the user.",
    );
    let done = respond(PASSWORD, session).await.unwrap();
    let result = done.authentication_result().unwrap();
    assert_eq!(result.token_type(), Some("Bearer"));
    assert_eq!(result.expires_in(), 3600);
    // The session was for one password change.
    let (c, _) = err(respond("Another-Pass-2", session).await);
    assert_eq!(c, "NotAuthorizedException");

    let id = verify_with_jwks(&s, &pool_id, result.id_token().unwrap()).await;
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["aud"], json!(client_id));
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["email"], "alice@example.com");
    assert_eq!(id["email_verified"], json!(true));
    assert_eq!(id["exp"].as_i64().unwrap() - id["iat"].as_i64().unwrap(), 3600);
    let access = verify_with_jwks(&s, &pool_id, result.access_token().unwrap()).await;
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["client_id"], json!(client_id));
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin");
    assert_eq!(access["sub"], id["sub"]);
    assert_eq!(access["origin_jti"], id["origin_jti"]);
    assert!(access.get("aud").is_none());

    let me = s
        .cognito_unsigned()
        .get_user()
        .access_token(result.access_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(me.username(), "alice");
    assert!(me.user_attributes().iter().any(|a| a.name() == "email"));
    // An ID token is not an access token; a tampered token is no token.
    assert_error(
        s.cognito_unsigned()
            .get_user()
            .access_token(result.id_token().unwrap())
            .send()
            .await,
        "NotAuthorizedException",
        "Invalid Access Token",
    );
    let forged = tampered(result.access_token().unwrap());
    let (c, _) = err(s.cognito_unsigned().get_user().access_token(forged).send().await);
    assert_eq!(c, "NotAuthorizedException");
    // Expired after an hour.
    s.clock.advance(time::Duration::minutes(61));
    assert_error(
        s.cognito_unsigned()
            .get_user()
            .access_token(result.access_token().unwrap())
            .send()
            .await,
        "NotAuthorizedException",
        "Access Token has expired",
    );

    let (status, _) = get_json(format!(
        "{}/us-east-1_000000000/.well-known/jwks.json",
        s.endpoint
    ))
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn sign_up_confirmation_and_sign_in_errors_are_aws_s() {
    let s = TestServer::start().await;
    let (pool_id, client_id) = pool_and_client(&s).await;
    let app = s.cognito_unsigned();
    let (c, m) = err(app
        .sign_up()
        .client_id(&client_id)
        .username("bob")
        .password("password")
        .send()
        .await);
    assert_eq!(c, "InvalidPasswordException");
    assert_eq!(
        m,
        "Password did not conform with policy: Password must have uppercase characters"
    );
    let signed_up = app
        .sign_up()
        .client_id(&client_id)
        .username("bob")
        .password(PASSWORD)
        .user_attributes(attr("email", "bob@example.com"))
        .send()
        .await
        .unwrap();
    assert!(!signed_up.user_confirmed());
    assert_eq!(signed_up.user_sub().len(), 36);
    assert_error(
        app.sign_up()
            .client_id(&client_id)
            .username("bob")
            .password(PASSWORD)
            .send()
            .await,
        "UsernameExistsException",
        "User already exists",
    );
    let (c, _) = err(app
        .sign_up()
        .client_id(&client_id)
        .username("carol")
        .password(PASSWORD)
        .user_attributes(attr("favourite_colour", "blue"))
        .send()
        .await);
    assert_eq!(c, "InvalidParameterException");
    let (c, m) = err(app
        .sign_up()
        .client_id("0123456789abcdefghijklmnop")
        .username("x")
        .password(PASSWORD)
        .send()
        .await);
    assert_eq!(c, "ResourceNotFoundException", "{m}");

    // Unconfirmed users are told so, whatever the password (AWS's order).
    assert_error(
        password_sign_in(&s, &client_id, "bob", "Wrong-Pass-1").await,
        "UserNotConfirmedException",
        "User is not confirmed.",
    );
    let idp = s.cognito(&Keys::root());
    idp.admin_confirm_sign_up()
        .user_pool_id(&pool_id)
        .username("bob")
        .send()
        .await
        .unwrap();
    assert_error(
        idp.admin_confirm_sign_up()
            .user_pool_id(&pool_id)
            .username("bob")
            .send()
            .await,
        "NotAuthorizedException",
        "User cannot be confirmed. Current status is CONFIRMED",
    );
    password_sign_in(&s, &client_id, "bob", PASSWORD).await.unwrap();
    assert_error(
        password_sign_in(&s, &client_id, "bob", "Wrong-Pass-1").await,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );
    // LEGACY (the API's default) tells unknown users apart...
    assert_error(
        password_sign_in(&s, &client_id, "nobody", PASSWORD).await,
        "UserNotFoundException",
        "User does not exist.",
    );
    // ...a client with PreventUserExistenceErrors does not.
    let quiet = idp
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("quiet")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .prevent_user_existence_errors(cip::types::PreventUserExistenceErrorTypes::Enabled)
        .send()
        .await
        .unwrap();
    let quiet = quiet.user_pool_client().unwrap().client_id().unwrap().to_owned();
    assert_error(
        password_sign_in(&s, &quiet, "nobody", PASSWORD).await,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );

    idp.admin_disable_user()
        .user_pool_id(&pool_id)
        .username("bob")
        .send()
        .await
        .unwrap();
    assert_error(
        password_sign_in(&s, &client_id, "bob", PASSWORD).await,
        "NotAuthorizedException",
        "User is disabled.",
    );
    idp.admin_enable_user()
        .user_pool_id(&pool_id)
        .username("bob")
        .send()
        .await
        .unwrap();

    let found = idp
        .list_users()
        .user_pool_id(&pool_id)
        .filter("email ^= \"bob@\"")
        .send()
        .await
        .unwrap();
    assert_eq!(found.users().len(), 1);
    assert_eq!(found.users()[0].username(), Some("bob"));
    let (c, _) = err(idp
        .list_users()
        .user_pool_id(&pool_id)
        .filter("email ~ bob")
        .send()
        .await);
    assert_eq!(c, "InvalidParameterException");
    let got = idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("bob")
        .send()
        .await
        .unwrap();
    assert_eq!(got.user_status(), Some(&cip::types::UserStatusType::Confirmed));
    idp.admin_delete_user()
        .user_pool_id(&pool_id)
        .username("bob")
        .send()
        .await
        .unwrap();
    assert_error(
        idp.admin_get_user()
            .user_pool_id(&pool_id)
            .username("bob")
            .send()
            .await,
        "UserNotFoundException",
        "User does not exist.",
    );
}

#[tokio::test]
async fn email_usernames_and_secret_hashes() {
    let s = TestServer::start().await;
    let idp = s.cognito(&Keys::root());
    let pool = idp
        .create_user_pool()
        .pool_name("by-email")
        .username_attributes(cip::types::UsernameAttributeType::Email)
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let client = idp
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("server")
        .generate_secret(true)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowAdminUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap();
    let client = client.user_pool_client().unwrap();
    let (client_id, secret) = (client.client_id().unwrap(), client.client_secret().unwrap());
    let (c, _) = err(idp
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("dave")
        .send()
        .await);
    assert_eq!(c, "InvalidParameterException");
    let created = idp
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username("dave@example.com")
        .message_action(cip::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    // The username is the user's sub; the email is an attribute.
    let user = created.user().unwrap();
    let sub = user
        .attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .unwrap()
        .value()
        .unwrap();
    assert_eq!(user.username(), Some(sub));
    idp.admin_set_user_password()
        .user_pool_id(&pool_id)
        .username("dave@example.com")
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
    let sign_in = |hash: Option<String>| {
        let mut call = idp
            .admin_initiate_auth()
            .user_pool_id(&pool_id)
            .client_id(client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", "dave@example.com")
            .auth_parameters("PASSWORD", PASSWORD);
        if let Some(h) = hash {
            call = call.auth_parameters("SECRET_HASH", h);
        }
        call.send()
    };
    let (c, m) = err(sign_in(None).await);
    assert_eq!(c, "NotAuthorizedException");
    assert_eq!(
        m,
        format!("Client {client_id} is configured with secret but SECRET_HASH was not received")
    );
    assert_error(
        sign_in(Some("bm90IHRoZSBoYXNo".into())).await,
        "NotAuthorizedException",
        &format!("Unable to verify secret hash for client {client_id}"),
    );
    let hash = secret_hash(secret, "dave@example.com", client_id);
    let out = sign_in(Some(hash)).await.unwrap();
    assert!(out.authentication_result().unwrap().refresh_token().is_some());
    // This client may not use the public password flow.
    assert_error(
        s.cognito_unsigned()
            .initiate_auth()
            .client_id(client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", "dave@example.com")
            .send()
            .await,
        "InvalidParameterException",
        "Initiate Auth method not supported.",
    );
}

fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    use base64::Engine;
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[tokio::test]
async fn refresh_sign_out_and_revocation() {
    let s = TestServer::start().await;
    let (pool_id, client_id) = pool_and_client(&s).await;
    confirmed_user(&s, &pool_id, "erin").await;
    let first = password_sign_in(&s, &client_id, "erin", PASSWORD).await.unwrap();
    let first = first.authentication_result().unwrap();
    let refresh = |token: &str| {
        s.cognito_unsigned()
            .initiate_auth()
            .client_id(&client_id)
            .auth_flow(AuthFlowType::RefreshTokenAuth)
            .auth_parameters("REFRESH_TOKEN", token)
            .send()
    };
    let refreshed = refresh(first.refresh_token().unwrap()).await.unwrap();
    let refreshed = refreshed.authentication_result().unwrap();
    assert!(refreshed.refresh_token().is_none());
    let before = verify_with_jwks(&s, &pool_id, first.access_token().unwrap()).await;
    let after = verify_with_jwks(&s, &pool_id, refreshed.access_token().unwrap()).await;
    assert_eq!(before["origin_jti"], after["origin_jti"]);
    assert_eq!(before["auth_time"], after["auth_time"]);
    assert_ne!(before["jti"], after["jti"]);
    assert_error(
        refresh("made-up.token").await,
        "NotAuthorizedException",
        "Invalid Refresh Token.",
    );

    // RevokeToken ends one session: its refresh token and the access tokens it issued.
    let second = password_sign_in(&s, &client_id, "erin", PASSWORD).await.unwrap();
    let second = second.authentication_result().unwrap();
    s.cognito_unsigned()
        .revoke_token()
        .client_id(&client_id)
        .token(second.refresh_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_error(
        refresh(second.refresh_token().unwrap()).await,
        "NotAuthorizedException",
        "Refresh Token has been revoked",
    );
    assert_error(
        s.cognito_unsigned()
            .get_user()
            .access_token(second.access_token().unwrap())
            .send()
            .await,
        "NotAuthorizedException",
        "Access Token has been revoked",
    );
    // The first session is untouched...
    s.cognito_unsigned()
        .get_user()
        .access_token(refreshed.access_token().unwrap())
        .send()
        .await
        .unwrap();
    // ...until GlobalSignOut ends them all.
    s.cognito_unsigned()
        .global_sign_out()
        .access_token(refreshed.access_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_error(
        s.cognito_unsigned()
            .get_user()
            .access_token(refreshed.access_token().unwrap())
            .send()
            .await,
        "NotAuthorizedException",
        "Access Token has been revoked",
    );
    let (c, _) = err(refresh(first.refresh_token().unwrap()).await);
    assert_eq!(c, "NotAuthorizedException");
    // Signing in again works.
    password_sign_in(&s, &client_id, "erin", PASSWORD).await.unwrap();
}

#[tokio::test]
async fn iam_policies_govern_administrative_calls() {
    let s = TestServer::start().await;
    let (pool_id, client_id) = pool_and_client(&s).await;
    let keys = s.user_with_key("operator").await;
    let idp = s.cognito(&keys);
    let (c, m) = err(idp.create_user_pool().pool_name("mine").send().await);
    assert_eq!(c, "AccessDeniedException");
    assert!(m.contains("cognito-idp:CreateUserPool on resource: *"), "{m}");
    let pool_arn = format!("arn:aws:cognito-idp:us-east-1:{ACCOUNT_ID}:userpool/{pool_id}");
    s.put_user_policy(
        "operator",
        "read",
        crate::allow("cognito-idp:Describe*", &pool_arn),
    )
    .await;
    idp.describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    idp.describe_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .send()
        .await
        .unwrap();
    let (c, m) = err(idp.delete_user_pool().user_pool_id(&pool_id).send().await);
    assert_eq!(c, "AccessDeniedException");
    assert!(
        m.contains(&format!("cognito-idp:DeleteUserPool on resource: {pool_arn}")),
        "{m}"
    );
    // Unsigned administrative calls are refused (public ones need no signature).
    let url = format!("{}/", s.endpoint);
    let body = json!({"UserPoolId": pool_id}).to_string();
    let (status, answer) = tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut r = agent
            .post(&url)
            .header(
                "x-amz-target",
                "AWSCognitoIdentityProviderService.DescribeUserPool",
            )
            .content_type("application/x-amz-json-1.1")
            .send(body)
            .unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
    })
    .await
    .unwrap();
    assert!(
        status >= 400 && answer.contains("MissingAuthenticationToken"),
        "{status} {answer}"
    );
    // Another account sees none of this account's pools.
    let (_, other) = s.create_account("other").await;
    let (c, _) = err(s
        .cognito(&other)
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await);
    assert_eq!(c, "ResourceNotFoundException");
}

#[tokio::test]
async fn pools_users_and_sessions_survive_a_restart() {
    // A stable public URL: the restarted server listens on another port, and its tokens'
    // issuer must not change with it.
    let s = TestServer::start_with_public_url("http://warden.example:4600").await;
    let (pool_id, client_id) = pool_and_client(&s).await;
    confirmed_user(&s, &pool_id, "frank").await;
    let signed_in = password_sign_in(&s, &client_id, "frank", PASSWORD).await.unwrap();
    let tokens = signed_in.authentication_result().unwrap().clone();
    let s = s.restart().await;
    // The signing key, the user and the session are all still there.
    verify_with_jwks(&s, &pool_id, tokens.id_token().unwrap()).await;
    s.cognito_unsigned()
        .get_user()
        .access_token(tokens.access_token().unwrap())
        .send()
        .await
        .unwrap();
    s.cognito_unsigned()
        .initiate_auth()
        .client_id(&client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", tokens.refresh_token().unwrap())
        .send()
        .await
        .unwrap();
    password_sign_in(&s, &client_id, "frank", PASSWORD).await.unwrap();
}

#[tokio::test]
async fn web_identity_trusts_the_servers_own_pool_tokens_without_a_network_round_trip() {
    // Nothing listens at this public URL: a fetch of the issuer's keys over the network
    // would fail, so success shows the keys came from memory.
    let public_url = "http://127.0.0.1:9";
    let s = TestServer::start_with_public_url(public_url).await;
    let (pool_id, client_id) = pool_and_client(&s).await;
    confirmed_user(&s, &pool_id, "grace").await;
    let signed_in = password_sign_in(&s, &client_id, "grace", PASSWORD).await.unwrap();
    let id_token = signed_in
        .authentication_result()
        .unwrap()
        .id_token()
        .unwrap()
        .to_owned();
    let issuer = format!("{public_url}/{pool_id}");
    let iam = s.root_iam();
    let provider = iam
        .create_open_id_connect_provider()
        .url(&issuer)
        .client_id_list(&client_id)
        .send()
        .await
        .unwrap();
    let provider_arn = provider.open_id_connect_provider_arn().unwrap();
    let host = issuer.trim_start_matches("http://");
    let trust = doc(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": provider_arn}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {format!("{host}:aud"): client_id}}}]}));
    let role = create_role(&iam, "app-user", trust).await;
    let out = s
        .sts(&Keys::root())
        .assume_role_with_web_identity()
        .role_arn(&role)
        .role_session_name("grace")
        .web_identity_token(&id_token)
        .send()
        .await
        .unwrap();
    assert_eq!(out.audience(), Some(client_id.as_str()));
    assert!(out.credentials().is_some());
    // A tampered token is not trusted.
    let forged = tampered(&id_token);
    let (c, _) = err(s
        .sts(&Keys::root())
        .assume_role_with_web_identity()
        .role_arn(&role)
        .role_session_name("mallory")
        .web_identity_token(forged)
        .send()
        .await);
    assert_eq!(c, "InvalidIdentityToken");
}

/// The answer amazon-cognito-identity-js gives to a PASSWORD_VERIFIER challenge, computed
/// with the same arithmetic (checked against its known-answer vector in warden-cognito).
fn srp_answer(
    pool_id: &str,
    password: &str,
    a_hex: &str,
    challenge: &std::collections::HashMap<String, String>,
) -> (String, String, String) {
    let param = |k: &str| challenge.get(k).cloned().unwrap_or_default();
    let block = param("SECRET_BLOCK");
    let block_bytes = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.decode(&block).unwrap()
    };
    let now = time::OffsetDateTime::now_utc();
    let timestamp = now
        .format(&time::macros::format_description!(
            "[weekday repr:short] [month repr:short] [day padding:none] [hour]:[minute]:[second] UTC [year]"
        ))
        .unwrap();
    let claim = warden_cognito::srp::client::Claim {
        pool_id,
        user: &param("USER_ID_FOR_SRP"),
        password,
        a_hex,
        b_hex: &param("SRP_B"),
        salt_hex: &param("SALT"),
        secret_block: &block_bytes,
        timestamp: &timestamp,
    };
    (block, claim.signature(), timestamp)
}

#[tokio::test]
async fn srp_sign_in_proves_the_password_without_sending_it() {
    let s = TestServer::start().await;
    let (pool_id, password_only) = pool_and_client(&s).await;
    let idp = s.cognito(&Keys::root());
    // A client created with no ExplicitAuthFlows allows SRP (AWS's default).
    let client = idp
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("amplify")
        .send()
        .await
        .unwrap();
    let client_id = client.user_pool_client().unwrap().client_id().unwrap().to_owned();
    confirmed_user(&s, &pool_id, "heidi").await;
    let a_hex = "7f3c9a2b5d1e4f6081a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7a8";
    let srp_a = warden_cognito::srp::client::public_a(a_hex);
    let start = |client: &str, user: &str| {
        s.cognito_unsigned()
            .initiate_auth()
            .client_id(client)
            .auth_flow(AuthFlowType::UserSrpAuth)
            .auth_parameters("USERNAME", user)
            .auth_parameters("SRP_A", &srp_a)
            .send()
    };
    let answer = |block: String, signature: String, timestamp: String| {
        s.cognito_unsigned()
            .respond_to_auth_challenge()
            .client_id(&client_id)
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .challenge_responses("USERNAME", "heidi")
            .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", block)
            .challenge_responses("PASSWORD_CLAIM_SIGNATURE", signature)
            .challenge_responses("TIMESTAMP", timestamp)
            .send()
    };

    let challenge = start(&client_id, "heidi").await.unwrap();
    assert_eq!(
        challenge.challenge_name(),
        Some(&ChallengeNameType::PasswordVerifier)
    );
    let params = challenge.challenge_parameters().unwrap().clone();
    assert_eq!(params.get("USER_ID_FOR_SRP").map(String::as_str), Some("heidi"));
    let (block, signature, timestamp) = srp_answer(&pool_id, PASSWORD, a_hex, &params);
    let done = answer(block.clone(), signature.clone(), timestamp.clone())
        .await
        .unwrap();
    let tokens = done.authentication_result().unwrap();
    let id = verify_with_jwks(&s, &pool_id, tokens.id_token().unwrap()).await;
    assert_eq!(id["cognito:username"], "heidi");
    // The same answer again is refused: each challenge is answered once.
    assert_error(
        answer(block, signature, timestamp).await,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );

    let challenge = start(&client_id, "heidi").await.unwrap();
    let params = challenge.challenge_parameters().unwrap().clone();
    let (block, signature, timestamp) = srp_answer(&pool_id, "Wrong-Horse-9", a_hex, &params);
    assert_error(
        answer(block, signature, timestamp).await,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );

    assert_error(
        start(&client_id, "nobody").await,
        "UserNotFoundException",
        "User does not exist.",
    );
    assert_error(
        start(&password_only, "heidi").await,
        "InvalidParameterException",
        "USER_SRP_AUTH is not enabled for the client.",
    );

    // A user with a temporary password is asked for a new one after SRP, too.
    idp.admin_create_user()
        .user_pool_id(&pool_id)
        .username("ivan")
        .temporary_password("Temporary-Pass-1")
        .send()
        .await
        .unwrap();
    let challenge = start(&client_id, "ivan").await.unwrap();
    let params = challenge.challenge_parameters().unwrap().clone();
    let (block, signature, timestamp) = srp_answer(&pool_id, "Temporary-Pass-1", a_hex, &params);
    let next = s
        .cognito_unsigned()
        .respond_to_auth_challenge()
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .challenge_responses("USERNAME", "ivan")
        .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", block)
        .challenge_responses("PASSWORD_CLAIM_SIGNATURE", signature)
        .challenge_responses("TIMESTAMP", timestamp)
        .send()
        .await
        .unwrap();
    assert_eq!(
        next.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    assert!(next.session().is_some());
}

#[tokio::test]
async fn groups_reach_tokens_and_users_manage_themselves() {
    let s = TestServer::start().await;
    let (pool_id, client_id) = pool_and_client(&s).await;
    confirmed_user(&s, &pool_id, "judy").await;
    let idp = s.cognito(&Keys::root());
    let admin_role = format!("arn:aws:iam::{ACCOUNT_ID}:role/pool-admins");
    idp.create_group()
        .user_pool_id(&pool_id)
        .group_name("admins")
        .role_arn(&admin_role)
        .precedence(1)
        .send()
        .await
        .unwrap();
    idp.create_group()
        .user_pool_id(&pool_id)
        .group_name("readers")
        .description("read only")
        .precedence(5)
        .send()
        .await
        .unwrap();
    assert_error(
        idp.create_group()
            .user_pool_id(&pool_id)
            .group_name("admins")
            .send()
            .await,
        "GroupExistsException",
        "A group with the name admins already exists.",
    );
    for group in ["readers", "admins"] {
        idp.admin_add_user_to_group()
            .user_pool_id(&pool_id)
            .username("judy")
            .group_name(group)
            .send()
            .await
            .unwrap();
    }
    let mine = idp
        .admin_list_groups_for_user()
        .user_pool_id(&pool_id)
        .username("judy")
        .send()
        .await
        .unwrap();
    assert_eq!(mine.groups().len(), 2);
    let members = idp
        .list_users_in_group()
        .user_pool_id(&pool_id)
        .group_name("readers")
        .send()
        .await
        .unwrap();
    assert_eq!(members.users().len(), 1);
    let got = idp
        .get_group()
        .user_pool_id(&pool_id)
        .group_name("readers")
        .send()
        .await
        .unwrap();
    assert_eq!(got.group().unwrap().description(), Some("read only"));
    assert_error(
        idp.get_group()
            .user_pool_id(&pool_id)
            .group_name("writers")
            .send()
            .await,
        "ResourceNotFoundException",
        "Group not found.",
    );

    let signed_in = password_sign_in(&s, &client_id, "judy", PASSWORD).await.unwrap();
    let tokens = signed_in.authentication_result().unwrap().clone();
    let id = verify_with_jwks(&s, &pool_id, tokens.id_token().unwrap()).await;
    assert_eq!(id["cognito:groups"], json!(["admins", "readers"]));
    assert_eq!(id["cognito:preferred_role"], json!(admin_role));
    assert_eq!(id["cognito:roles"], json!([admin_role]));
    let access = verify_with_jwks(&s, &pool_id, tokens.access_token().unwrap()).await;
    assert_eq!(access["cognito:groups"], json!(["admins", "readers"]));
    idp.delete_group()
        .user_pool_id(&pool_id)
        .group_name("admins")
        .send()
        .await
        .unwrap();
    idp.admin_remove_user_from_group()
        .user_pool_id(&pool_id)
        .username("judy")
        .group_name("readers")
        .send()
        .await
        .unwrap();
    let again = password_sign_in(&s, &client_id, "judy", PASSWORD).await.unwrap();
    let id = verify_with_jwks(
        &s,
        &pool_id,
        again.authentication_result().unwrap().id_token().unwrap(),
    )
    .await;
    assert!(id.get("cognito:groups").is_none(), "{id}");

    // The user changes their own password and attributes with their access token.
    let app = s.cognito_unsigned();
    let access_token = tokens.access_token().unwrap();
    assert_error(
        app.change_password()
            .access_token(access_token)
            .previous_password("Not-The-Password-1")
            .proposed_password("New-Horse-Pass-2")
            .send()
            .await,
        "NotAuthorizedException",
        "Incorrect username or password.",
    );
    app.change_password()
        .access_token(access_token)
        .previous_password(PASSWORD)
        .proposed_password("New-Horse-Pass-2")
        .send()
        .await
        .unwrap();
    let (c, _) = err(password_sign_in(&s, &client_id, "judy", PASSWORD).await);
    assert_eq!(c, "NotAuthorizedException");
    password_sign_in(&s, &client_id, "judy", "New-Horse-Pass-2")
        .await
        .unwrap();
    app.update_user_attributes()
        .access_token(access_token)
        .user_attributes(attr("email", "judy@new.example.com"))
        .send()
        .await
        .unwrap();
    let me = app.get_user().access_token(access_token).send().await.unwrap();
    let value = |name: &str| {
        me.user_attributes()
            .iter()
            .find(|a| a.name() == name)
            .and_then(|a| a.value())
            .map(str::to_owned)
    };
    assert_eq!(value("email").as_deref(), Some("judy@new.example.com"));
    assert_eq!(value("email_verified").as_deref(), Some("false"));
    idp.admin_update_user_attributes()
        .user_pool_id(&pool_id)
        .username("judy")
        .user_attributes(attr("given_name", "Judy"))
        .send()
        .await
        .unwrap();
    idp.admin_delete_user_attributes()
        .user_pool_id(&pool_id)
        .username("judy")
        .user_attribute_names("given_name")
        .send()
        .await
        .unwrap();
    let got = idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("judy")
        .send()
        .await
        .unwrap();
    assert!(got.user_attributes().iter().all(|a| a.name() != "given_name"));

    idp.admin_reset_user_password()
        .user_pool_id(&pool_id)
        .username("judy")
        .send()
        .await
        .unwrap();
    let (c, _) = err(password_sign_in(&s, &client_id, "judy", "New-Horse-Pass-2").await);
    assert_eq!(c, "PasswordResetRequiredException");
    idp.admin_set_user_password()
        .user_pool_id(&pool_id)
        .username("judy")
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
    let last = password_sign_in(&s, &client_id, "judy", PASSWORD).await.unwrap();
    app.delete_user()
        .access_token(last.authentication_result().unwrap().access_token().unwrap())
        .send()
        .await
        .unwrap();
    let (c, _) = err(idp
        .admin_get_user()
        .user_pool_id(&pool_id)
        .username("judy")
        .send()
        .await);
    assert_eq!(c, "UserNotFoundException");
}

#[tokio::test]
async fn updates_reset_what_they_leave_out_as_aws_documents() {
    let s = TestServer::start().await;
    let idp = s.cognito(&Keys::root());
    let pool = idp
        .create_user_pool()
        .pool_name("guarded")
        .deletion_protection(cip::types::DeletionProtectionType::Active)
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let (c, _) = err(idp.delete_user_pool().user_pool_id(&pool_id).send().await);
    assert_eq!(c, "InvalidParameterException");
    let policy = cip::types::PasswordPolicyType::builder()
        .minimum_length(12)
        .build();
    idp.update_user_pool()
        .user_pool_id(&pool_id)
        .policies(
            cip::types::UserPoolPolicyType::builder()
                .password_policy(policy)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let described = idp
        .describe_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    let described = described.user_pool().unwrap();
    assert_eq!(described.name(), Some("guarded"));
    let policy = described.policies().unwrap().password_policy().unwrap();
    assert_eq!(policy.minimum_length(), Some(12));
    assert!(!policy.require_symbols());
    // DeletionProtection was left out: back to INACTIVE.
    assert_eq!(
        described.deletion_protection(),
        Some(&cip::types::DeletionProtectionType::Inactive)
    );

    let client = idp
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("web")
        .refresh_token_validity(7)
        .send()
        .await
        .unwrap();
    let client_id = client.user_pool_client().unwrap().client_id().unwrap().to_owned();
    let updated = idp
        .update_user_pool_client()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .send()
        .await
        .unwrap();
    let updated = updated.user_pool_client().unwrap();
    assert_eq!(updated.client_name(), Some("web"));
    assert_eq!(updated.refresh_token_validity(), 30);
    assert_eq!(
        updated.explicit_auth_flows(),
        &[ExplicitAuthFlowsType::AllowUserPasswordAuth]
    );
    idp.admin_create_user()
        .user_pool_id(&pool_id)
        .username("mia")
        .message_action(cip::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    idp.admin_set_user_password()
        .user_pool_id(&pool_id)
        .username("mia")
        .password("long-enough-now")
        .permanent(true)
        .send()
        .await
        .unwrap();
    password_sign_in(&s, &client_id, "mia", "long-enough-now")
        .await
        .unwrap();
    idp.delete_user_pool()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn pools_are_tagged_by_arn() {
    let s = TestServer::start().await;
    let idp = s.cognito(&Keys::root());
    let pool = idp
        .create_user_pool()
        .pool_name("tagged")
        .user_pool_tags("team", "identity")
        .send()
        .await
        .unwrap();
    let arn = pool.user_pool().unwrap().arn().unwrap().to_owned();
    idp.tag_resource()
        .resource_arn(&arn)
        .tags("env", "dev")
        .send()
        .await
        .unwrap();
    idp.untag_resource()
        .resource_arn(&arn)
        .tag_keys("team")
        .send()
        .await
        .unwrap();
    let tags = idp
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    let tags = tags.tags().unwrap();
    assert_eq!(tags.len(), 1);
    assert_eq!(tags.get("env").map(String::as_str), Some("dev"));
    let elsewhere = arn.replace("us-east-1", "eu-west-1");
    let (c, _) = err(idp.list_tags_for_resource().resource_arn(elsewhere).send().await);
    assert_eq!(c, "InvalidParameterException");
}

#[tokio::test]
async fn concurrent_sign_ins_all_succeed_and_a_challenge_is_answered_once() {
    let s = TestServer::start().await;
    let (pool_id, client_id) = pool_and_client(&s).await;
    let names: Vec<String> = (0..6).map(|i| format!("user{i}")).collect();
    for name in &names {
        confirmed_user(&s, &pool_id, name).await;
    }
    let sign_ins = names
        .iter()
        .map(|n| password_sign_in(&s, &client_id, n, PASSWORD));
    let results = futures_join_all(sign_ins).await;
    let mut origins = std::collections::HashSet::new();
    for r in results {
        let tokens = r.unwrap();
        let access = tokens
            .authentication_result()
            .unwrap()
            .access_token()
            .unwrap()
            .to_owned();
        let claims = verify_with_jwks(&s, &pool_id, &access).await;
        origins.insert(claims["origin_jti"].as_str().unwrap().to_owned());
        s.cognito_unsigned()
            .get_user()
            .access_token(access)
            .send()
            .await
            .unwrap();
    }
    assert_eq!(origins.len(), names.len());

    // Two simultaneous answers to one SRP challenge: one signs in, the other is refused.
    let idp = s.cognito(&Keys::root());
    let srp_client = idp
        .create_user_pool_client()
        .user_pool_id(&pool_id)
        .client_name("srp")
        .send()
        .await
        .unwrap();
    let srp_client = srp_client
        .user_pool_client()
        .unwrap()
        .client_id()
        .unwrap()
        .to_owned();
    let a_hex = "1f3c9a2b5d1e4f6081a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7a9";
    let challenge = s
        .cognito_unsigned()
        .initiate_auth()
        .client_id(&srp_client)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", "user0")
        .auth_parameters("SRP_A", warden_cognito::srp::client::public_a(a_hex))
        .send()
        .await
        .unwrap();
    let params = challenge.challenge_parameters().unwrap().clone();
    let (block, signature, timestamp) = srp_answer(&pool_id, PASSWORD, a_hex, &params);
    let answer = || {
        s.cognito_unsigned()
            .respond_to_auth_challenge()
            .client_id(&srp_client)
            .challenge_name(ChallengeNameType::PasswordVerifier)
            .challenge_responses("USERNAME", "user0")
            .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", block.clone())
            .challenge_responses("PASSWORD_CLAIM_SIGNATURE", signature.clone())
            .challenge_responses("TIMESTAMP", timestamp.clone())
            .send()
    };
    let (first, second) = tokio::join!(answer(), answer());
    assert_eq!(
        u8::from(first.is_ok()) + u8::from(second.is_ok()),
        1,
        "{first:?} {second:?}"
    );
}

/// Runs futures concurrently on this task and collects their outputs in order.
async fn futures_join_all<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    let mut outputs: Vec<Option<F::Output>> = set.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in set.iter_mut().enumerate() {
            if outputs[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => outputs[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().map(Option::unwrap).collect()
}

#[tokio::test]
async fn administrators_answer_challenges_for_their_pools() {
    let s = TestServer::start().await;
    let (pool_id, client_id) = pool_and_client(&s).await;
    let idp = s.cognito(&Keys::root());
    idp.admin_create_user()
        .user_pool_id(&pool_id)
        .username("noor")
        .temporary_password("Temporary-Pass-1")
        .send()
        .await
        .unwrap();
    let started = idp
        .admin_initiate_auth()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .auth_flow(AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "noor")
        .auth_parameters("PASSWORD", "Temporary-Pass-1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        started.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    let done = idp
        .admin_respond_to_auth_challenge()
        .user_pool_id(&pool_id)
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(started.session().unwrap())
        .challenge_responses("USERNAME", "noor")
        .challenge_responses("NEW_PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();
    assert!(done.authentication_result().unwrap().id_token().is_some());
    let other = idp.create_user_pool().pool_name("other").send().await.unwrap();
    let (c, _) = err(idp
        .admin_respond_to_auth_challenge()
        .user_pool_id(other.user_pool().unwrap().id().unwrap())
        .client_id(&client_id)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(started.session().unwrap())
        .challenge_responses("USERNAME", "noor")
        .challenge_responses("NEW_PASSWORD", PASSWORD)
        .send()
        .await);
    assert_eq!(c, "ResourceNotFoundException");
}

#[tokio::test]
async fn software_token_mfa_is_asked_for_after_the_password() {
    let s = TestServer::start().await;
    let (pool_id, client_id) = pool_and_client(&s).await;
    confirmed_user(&s, &pool_id, "omar").await;
    let idp = s.cognito(&Keys::root());
    let (c, _) = err(idp
        .set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .mfa_configuration(cip::types::UserPoolMfaType::Optional)
        .send()
        .await);
    assert_eq!(c, "InvalidParameterException");
    idp.set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .software_token_mfa_configuration(
            cip::types::SoftwareTokenMfaConfigType::builder()
                .enabled(true)
                .build(),
        )
        .mfa_configuration(cip::types::UserPoolMfaType::Optional)
        .send()
        .await
        .unwrap();
    let config = idp
        .get_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        config.mfa_configuration(),
        Some(&cip::types::UserPoolMfaType::Optional)
    );

    let app = s.cognito_unsigned();
    let first = password_sign_in(&s, &client_id, "omar", PASSWORD).await.unwrap();
    let access = first
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap()
        .to_owned();
    let associated = app
        .associate_software_token()
        .access_token(&access)
        .send()
        .await
        .unwrap();
    let secret = associated.secret_code().unwrap().to_owned();
    let step = || u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp() / 30).unwrap();
    let (c, _) = err(app
        .verify_software_token()
        .access_token(&access)
        .user_code(if crate::iam_mfa::totp(&secret, step()) == "000000" {
            "111111"
        } else {
            "000000"
        })
        .send()
        .await);
    assert_eq!(c, "EnableSoftwareTokenMFAException");
    let verified = app
        .verify_software_token()
        .access_token(&access)
        .user_code(crate::iam_mfa::totp(&secret, step()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        verified.status(),
        Some(&cip::types::VerifySoftwareTokenResponseType::Success)
    );
    app.set_user_mfa_preference()
        .access_token(&access)
        .software_token_mfa_settings(
            cip::types::SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let me = app.get_user().access_token(&access).send().await.unwrap();
    assert_eq!(me.preferred_mfa_setting(), Some("SOFTWARE_TOKEN_MFA"));

    // Now the password alone is not enough.
    let challenge = password_sign_in(&s, &client_id, "omar", PASSWORD).await.unwrap();
    assert_eq!(
        challenge.challenge_name(),
        Some(&ChallengeNameType::SoftwareTokenMfa)
    );
    assert!(challenge.authentication_result().is_none());
    let session = challenge.session().unwrap().to_owned();
    let answer = |code: String| {
        s.cognito_unsigned()
            .respond_to_auth_challenge()
            .client_id(&client_id)
            .challenge_name(ChallengeNameType::SoftwareTokenMfa)
            .session(&session)
            .challenge_responses("USERNAME", "omar")
            .challenge_responses("SOFTWARE_TOKEN_MFA_CODE", code)
            .send()
    };
    let wrong = if crate::iam_mfa::totp(&secret, step()) == "123456" {
        "654321"
    } else {
        "123456"
    };
    assert_error(
        answer(wrong.to_owned()).await,
        "CodeMismatchException",
        "Invalid code received for user",
    );
    let done = answer(crate::iam_mfa::totp(&secret, step())).await.unwrap();
    assert!(done.authentication_result().unwrap().access_token().is_some());
}

#[tokio::test]
async fn required_mfa_sets_up_an_authenticator_during_sign_in() {
    let s = TestServer::start().await;
    let (pool_id, client_id) = pool_and_client(&s).await;
    confirmed_user(&s, &pool_id, "pat").await;
    let idp = s.cognito(&Keys::root());
    idp.set_user_pool_mfa_config()
        .user_pool_id(&pool_id)
        .software_token_mfa_configuration(
            cip::types::SoftwareTokenMfaConfigType::builder()
                .enabled(true)
                .build(),
        )
        .mfa_configuration(cip::types::UserPoolMfaType::On)
        .send()
        .await
        .unwrap();
    let started = password_sign_in(&s, &client_id, "pat", PASSWORD).await.unwrap();
    assert_eq!(started.challenge_name(), Some(&ChallengeNameType::MfaSetup));
    let app = s.cognito_unsigned();
    let associated = app
        .associate_software_token()
        .session(started.session().unwrap())
        .send()
        .await
        .unwrap();
    let secret = associated.secret_code().unwrap().to_owned();
    let step = u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp() / 30).unwrap();
    let verified = app
        .verify_software_token()
        .session(associated.session().unwrap())
        .user_code(crate::iam_mfa::totp(&secret, step))
        .send()
        .await
        .unwrap();
    // Finishing needs a session of this challenge: a forged one is refused.
    let finish = |session: String| {
        s.cognito_unsigned()
            .respond_to_auth_challenge()
            .client_id(&client_id)
            .challenge_name(ChallengeNameType::MfaSetup)
            .session(session)
            .challenge_responses("USERNAME", "pat")
            .send()
    };
    let (c, _) = err(finish(format!("{client_id}.v1:forged")).await);
    assert_eq!(c, "NotAuthorizedException");
    let done = finish(verified.session().unwrap().to_owned()).await.unwrap();
    assert!(done.authentication_result().unwrap().access_token().is_some());
    // From now on the authenticator is asked for.
    let next = password_sign_in(&s, &client_id, "pat", PASSWORD).await.unwrap();
    assert_eq!(next.challenge_name(), Some(&ChallengeNameType::SoftwareTokenMfa));
}
