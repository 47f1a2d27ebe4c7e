//! Security review regressions: what the store and the audit log hold, and sessions that
//! must not outlive the principal they were issued to.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bergshamra_dsig::DsigContext;
use bergshamra_keys::KeysManager;
use warden_server::Clock;
use warden_testkit::saml::{Idp, Response};
use warden_testkit::{Keys, ROOT_SECRET_ACCESS_KEY, TestServer};

use crate::{allow, code};

/// The body of `iam_extra`'s EC key: a line of it must never be found at rest.
const KEY: &str = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgc4EVM7CZmqcw+9gY\nbZw9VchdAKM0x1K02JAbi5KsV++hRANCAAQBk9xmwECOy6/4brcQrnsJ7tTydm8y\nESIs80xiN+DH06Xo0Gsh5C9QrffqewBi8X3zSruDwJFeLV9i7++a+kd4\n-----END PRIVATE KEY-----\n";
const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIBlTCCATugAwIBAgIUWf7yruFQB2rHq3brGZlQ5kL3tBswCgYIKoZIzj0EAwIw\nHzEdMBsGA1UEAwwUc2lnbmluZzEuZXhhbXBsZS5jb20wIBcNMjYxMTIzMjEyMDU5\nWhgPMjEyNjEwMzAyMTIwNTlaMB8xHTAbBgNVBAMMFHNpZ25pbmcxLmV4YW1wbGUu\nY29tMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEAZPcZsBAjsuv+G63EK57Ce7U\n8nZvMhEiLPNMYjfgx9Ol6NBrIeQvUK336nsAYvF980q7g8CRXi1fYu/vmvpHeKNT\nMFEwHQYDVR0OBBYEFGcXd3PPIwSsFWLeyaUhN/L5yoLLMB8GA1UdIwQYMBaAFGcX\nd3PPIwSsFWLeyaUhN/L5yoLLMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwID\nSAAwRQIgeWpwCQjDiBsIaI1BvDiyixDLWBchQW45lFdaY4ZUdsECIQCrxhBskd0X\nMSiy/NgrSBUCrvk7BasVr12OvfHKB2MY6A==\n-----END CERTIFICATE-----\n";
const PASSWORD: &str = "Corr3ct-Horse-Battery-Staple!";

/// Every file under `dir` (the SQLite database, its WAL, the audit log), as bytes.
fn files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Access key secrets, MFA seeds, passwords, service-specific passwords, the private
/// keys of server certificates and SAML providers, and session tokens are nowhere in the data directory in
/// the clear (the store seals or hashes them; the audit log names no secret).
#[tokio::test]
async fn no_secret_is_stored_or_logged_in_the_clear() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let keys = s.user_with_key("alice").await;
    iam.create_login_profile()
        .user_name("alice")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let device = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("alice-phone")
        .send()
        .await
        .unwrap();
    let seed = device
        .virtual_mfa_device()
        .unwrap()
        .base32_string_seed()
        .unwrap()
        .clone();
    let seed = String::from_utf8(seed.into_inner()).unwrap();
    let service = iam
        .create_service_specific_credential()
        .user_name("alice")
        .service_name("codecommit.amazonaws.com")
        .send()
        .await
        .unwrap()
        .service_specific_credential
        .unwrap();
    iam.upload_server_certificate()
        .server_certificate_name("web")
        .certificate_body(CERT)
        .private_key(KEY)
        .send()
        .await
        .unwrap();
    // A SAML provider's private key (for encrypted assertions).
    iam.create_saml_provider()
        .name("corp")
        .saml_metadata_document(Idp::new("https://idp.example.com/saml").metadata())
        .add_private_key(KEY)
        .send()
        .await
        .unwrap();
    let session = s.sts(&keys).get_session_token().send().await.unwrap();
    let session = session.credentials().unwrap();
    // A signed request with the session, so that its token passes through the server.
    let temp = Keys {
        session_token: Some(session.session_token().to_owned()),
        ..Keys::new(session.access_key_id(), session.secret_access_key())
    };
    s.sts(&temp).get_caller_identity().send().await.unwrap();
    // A request that fails, so the audit log records an error too.
    let _ = iam
        .create_login_profile()
        .user_name("alice")
        .password(PASSWORD)
        .send()
        .await;
    let dir = s.stop().await;
    let files = files(dir.path());
    assert!(files.iter().any(|(p, _)| p.ends_with("audit.log")), "{files:?}");
    let secrets = [
        ("an access key secret", keys.secret_access_key.as_str()),
        ("the root key's secret", ROOT_SECRET_ACCESS_KEY),
        ("a password", PASSWORD),
        ("an MFA seed", seed.as_str()),
        ("a service-specific password", service.service_password()),
        ("a private key", "c4EVM7CZmqcw+9gY"),
        ("a session token", session.session_token()),
        ("a session secret", session.secret_access_key()),
    ];
    for (path, bytes) in &files {
        for (what, secret) in secrets {
            assert!(!contains(bytes, secret), "{what} is in {path} in the clear");
        }
    }
}

/// A role deleted and created again under the same name is a new principal (a new
/// unique ID): the sessions of the old one get nothing of the new one's permissions.
#[tokio::test]
async fn sessions_of_a_recreated_role_are_not_the_new_roles() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let trust = crate::doc(
        serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{}:root", s.account_id)}, "Action": "sts:AssumeRole"}]}),
    );
    let create = || {
        iam.create_role()
            .role_name("ops")
            .assume_role_policy_document(trust.clone())
            .send()
    };
    let arn = create().await.unwrap().role().unwrap().arn().to_owned();
    let bob = s.user_with_key("bob").await;
    s.put_user_policy("bob", "assume", allow("sts:AssumeRole", "*"))
        .await;
    let assumed = s
        .sts(&bob)
        .assume_role()
        .role_arn(&arn)
        .role_session_name("old")
        .send()
        .await
        .unwrap();
    let c = assumed.credentials().unwrap();
    let old = Keys {
        session_token: Some(c.session_token().to_owned()),
        ..Keys::new(c.access_key_id(), c.secret_access_key())
    };
    iam.delete_role().role_name("ops").send().await.unwrap();
    create().await.unwrap();
    s.put_role_policy("ops", "all", allow("iam:*", "*")).await;
    assert_eq!(
        code(s.iam(&old).list_users().send().await),
        "InvalidClientTokenId"
    );
}

/// The same for a user's GetSessionToken session: a new `alice` is not the old one.
#[tokio::test]
async fn sessions_of_a_recreated_user_are_not_the_new_users() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let keys = s.user_with_key("alice").await;
    let session = s.sts(&keys).get_session_token().send().await.unwrap();
    let c = session.credentials().unwrap();
    let old = Keys {
        session_token: Some(c.session_token().to_owned()),
        ..Keys::new(c.access_key_id(), c.secret_access_key())
    };
    iam.delete_access_key()
        .user_name("alice")
        .access_key_id(&keys.access_key_id)
        .send()
        .await
        .unwrap();
    iam.delete_user().user_name("alice").send().await.unwrap();
    iam.create_user().user_name("alice").send().await.unwrap();
    s.put_user_policy("alice", "all", allow("iam:*", "*")).await;
    assert_eq!(
        code(s.iam(&old).list_users().send().await),
        "InvalidClientTokenId"
    );
}

/// A provider `corp` for a fresh test IdP and a role `sso` trusting it; (IdP, provider
/// ARN, role ARN).
async fn saml_setup(s: &TestServer) -> (Idp, String, String) {
    let idp = Idp::new("https://idp.example.com/saml");
    let iam = s.root_iam();
    let provider = iam
        .create_saml_provider()
        .name("corp")
        .saml_metadata_document(idp.metadata())
        .send()
        .await
        .unwrap()
        .saml_provider_arn()
        .unwrap()
        .to_owned();
    let trust = crate::doc(
        serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": provider}, "Action": "sts:AssumeRoleWithSAML",
        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]}),
    );
    let role = iam
        .create_role()
        .role_name("sso")
        .assume_role_policy_document(trust)
        .send()
        .await
        .unwrap()
        .role()
        .unwrap()
        .arn()
        .to_owned();
    (idp, provider, role)
}

async fn assume_saml(
    s: &TestServer,
    role: &str,
    provider: &str,
    xml: &str,
) -> Result<
    aws_sdk_sts::operation::assume_role_with_saml::AssumeRoleWithSamlOutput,
    aws_sdk_sts::error::SdkError<aws_sdk_sts::operation::assume_role_with_saml::AssumeRoleWithSAMLError>,
> {
    s.sts(&Keys::new("AKIDUNUSED", "unused"))
        .assume_role_with_saml()
        .role_arn(role)
        .principal_arn(provider)
        .saml_assertion(STANDARD.encode(xml))
        .send()
        .await
}

/// CVE-2017-11427 and kin: a comment inside a signed `NameID` (canonicalization drops
/// it, so the signature still holds) must not truncate the subject that is read.
#[tokio::test]
async fn a_comment_in_a_signed_name_id_does_not_truncate_it() {
    let s = TestServer::start().await;
    let (idp, provider, role) = saml_setup(&s).await;
    let mut r = Response::new(&idp, "alice.evil.example");
    r.role(&role, &provider);
    r.attribute("RoleSessionName", "alice");
    let signed = idp.sign(&r.xml(s.clock.now()));
    let commented = signed.replace(
        ">alice.evil.example</saml:NameID>",
        ">alice<!---->.evil.example</saml:NameID>",
    );
    assert_ne!(signed, commented);
    let out = assume_saml(&s, &role, &provider, &commented).await.unwrap();
    assert_eq!(out.subject(), Some("alice.evil.example"));
}

/// Key confusion: an HMAC signature keyed with the metadata certificate (public bytes
/// an attacker has) must not verify: only the certificate's public key verifies, and
/// only asymmetric signatures.
#[tokio::test]
async fn an_hmac_signature_keyed_with_the_public_certificate_is_refused() {
    let s = TestServer::start().await;
    let (idp, provider, role) = saml_setup(&s).await;
    let mut r = Response::new(&idp, "mallory");
    r.role(&role, &provider);
    let template = r.xml(s.clock.now()).replace(
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256",
    );
    let der = STANDARD.decode(&idp.cert_b64).unwrap();
    for secret in [der.as_slice(), idp.cert_b64.as_bytes()] {
        let mut keys = KeysManager::new();
        keys.add_key(bergshamra_keys::loader::load_hmac_key(secret).unwrap());
        let forged = bergshamra_dsig::sign::sign(&DsigContext::new_permissive(keys), &template).unwrap();
        let (code, message) = crate::err(assume_saml(&s, &role, &provider, &forged).await);
        assert_eq!(
            (code.as_str(), message.as_str()),
            ("InvalidIdentityToken", "Response signature invalid")
        );
    }
}

/// A request signed with `x-amz-content-sha256: UNSIGNED-PAYLOAD` leaves its form (the
/// operation and parameters) unsigned: IAM and STS refuse it (AWS supports it for S3
/// only), so a captured signature cannot carry another operation.
#[tokio::test]
async fn unsigned_payloads_are_refused() {
    use aws_sigv4::http_request::{
        PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings, sign,
    };
    let s = TestServer::start().await;
    let endpoint = s.endpoint.clone();
    let (status, body) = tokio::task::spawn_blocking(move || {
        let identity = aws_credential_types::Credentials::new(
            warden_testkit::ROOT_ACCESS_KEY_ID,
            ROOT_SECRET_ACCESS_KEY,
            None,
            None,
            "test",
        )
        .into();
        let mut settings = SigningSettings::default();
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name("iam")
            .time(std::time::SystemTime::now())
            .settings(settings)
            .build()
            .unwrap()
            .into();
        let url = format!("{endpoint}/");
        let host = endpoint.trim_start_matches("http://").to_owned();
        let form = "application/x-www-form-urlencoded";
        let headers = [("host", host.as_str()), ("content-type", form)];
        let signable = SignableRequest::new(
            "POST",
            url.as_str(),
            headers.iter().copied(),
            SignableBody::UnsignedPayload,
        )
        .unwrap();
        let (instructions, _) = sign(signable, &params).unwrap().into_parts();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut request = agent.post(&url).header("content-type", form);
        for (name, value) in instructions.headers() {
            request = request.header(name, value);
        }
        // Whatever body: it is not what was signed.
        let mut response = request
            .send("Action=CreateUser&UserName=intruder&Version=2010-05-08")
            .unwrap();
        (
            response.status().as_u16(),
            response.body_mut().read_to_string().unwrap(),
        )
    })
    .await
    .unwrap();
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("<Code>SignatureDoesNotMatch</Code>"), "{body}");
    assert_eq!(
        code(s.root_iam().get_user().user_name("intruder").send().await),
        "NoSuchEntity"
    );
}

/// An assertion without `IssueInstant` (required by SAML core) is refused: the
/// five-minute redemption window hangs on it.
#[tokio::test]
async fn a_saml_assertion_without_issue_instant_is_refused() {
    let s = TestServer::start().await;
    let (idp, provider, role) = saml_setup(&s).await;
    let mut r = Response::new(&idp, "alice");
    r.role(&role, &provider);
    let xml = r.xml(s.clock.now());
    let at = xml.find("<saml:Assertion").unwrap();
    let start = at + xml[at..].find(" IssueInstant=\"").unwrap();
    let end =
        start + " IssueInstant=\"".len() + xml[start + " IssueInstant=\"".len()..].find('"').unwrap() + 1;
    let without = format!("{}{}", &xml[..start], &xml[end..]);
    let (code, message) = crate::err(assume_saml(&s, &role, &provider, &idp.sign(&without)).await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("InvalidIdentityToken", "The SAML assertion has no IssueInstant.")
    );
    // The same response with it is accepted.
    assume_saml(&s, &role, &provider, &idp.sign(&xml)).await.unwrap();
}
