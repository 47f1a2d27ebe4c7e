//! AssumeRoleWithSAML with the official SDK against a SAML IdP that runs inside the test
//! (`warden_testkit::saml`: key and self-signed certificate generated here), including
//! every forged, wrapped, expired or misaddressed response the issue names.

use std::sync::OnceLock;

use aws_sdk_sts::error::SdkError;
use aws_sdk_sts::operation::assume_role_with_saml::builders::AssumeRoleWithSAMLFluentBuilder;
use aws_sdk_sts::operation::assume_role_with_saml::{AssumeRoleWithSAMLError, AssumeRoleWithSamlOutput};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;
use warden_server::Clock;
use warden_testkit::saml::{Idp, Response};
use warden_testkit::{ACCOUNT_ID, Keys, TestServer};

use crate::{allow, create_role, doc, err};

const ENTITY: &str = "https://idp.example.com/saml";

/// RSA key generation is slow in debug builds: one IdP (and one stranger) per binary.
fn idp() -> &'static Idp {
    static IDP: OnceLock<Idp> = OnceLock::new();
    IDP.get_or_init(|| Idp::new(ENTITY))
}

fn stranger() -> &'static Idp {
    static IDP: OnceLock<Idp> = OnceLock::new();
    IDP.get_or_init(|| Idp::new(ENTITY))
}

struct Setup {
    s: TestServer,
    provider: String,
    role: String,
}

/// A server with the IdP registered as `corp` and a role `sso` trusting it with `condition`.
async fn setup(condition: serde_json::Value) -> Setup {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let provider = iam
        .create_saml_provider()
        .name("corp")
        .saml_metadata_document(idp().metadata())
        .send()
        .await
        .unwrap()
        .saml_provider_arn()
        .unwrap()
        .to_owned();
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": provider}, "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
        "Condition": condition}]});
    let role = create_role(&iam, "sso", doc(trust)).await;
    s.put_role_policy("sso", "list", allow("iam:List*", "*")).await;
    Setup { s, provider, role }
}

fn aud_condition() -> serde_json::Value {
    json!({"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}})
}

impl Setup {
    fn response(&self, name_id: &str) -> Response {
        let mut r = Response::new(idp(), name_id);
        r.role(&self.role, &self.provider);
        r
    }

    fn now(&self) -> time::OffsetDateTime {
        self.s.clock.now()
    }

    /// AssumeRoleWithSAML of the role with `provider` (the call is not signed: any keys do).
    fn request(&self, provider: &str, assertion: impl Into<String>) -> AssumeRoleWithSAMLFluentBuilder {
        self.s
            .sts(&Keys::new("AKIDUNUSED", "unused"))
            .assume_role_with_saml()
            .role_arn(&self.role)
            .principal_arn(provider)
            .saml_assertion(assertion)
    }

    async fn assume(
        &self,
        assertion: &str,
    ) -> Result<AssumeRoleWithSamlOutput, SdkError<AssumeRoleWithSAMLError>> {
        self.request(&self.provider, assertion).send().await
    }

    async fn refused(&self, assertion: &str) -> (String, String) {
        err(self.assume(assertion).await)
    }
}

#[tokio::test]
async fn a_signed_response_gives_working_role_credentials() {
    let t = setup(aud_condition()).await;
    let mut r = t.response("alice@example.com");
    r.attribute("RoleSessionName", "alice@example.com");
    let out = t.assume(&idp().sign_base64(&r.xml(t.now()))).await.unwrap();
    let user = out.assumed_role_user().unwrap();
    assert_eq!(
        user.arn(),
        format!("arn:aws:sts::{ACCOUNT_ID}:assumed-role/sso/alice@example.com")
    );
    assert!(user.assumed_role_id().starts_with("AROA"));
    assert_eq!(out.subject(), Some("alice@example.com"));
    assert_eq!(out.subject_type(), Some("persistent"));
    assert_eq!(out.issuer(), Some(ENTITY));
    assert_eq!(out.audience(), Some("https://signin.aws.amazon.com/saml"));
    let packed = packed_policy_size!(out);
    assert_eq!(packed, None);
    // NameQualifier: BASE64(SHA1(issuer + account + "/" + provider name)).
    let q = STANDARD.decode(out.name_qualifier().unwrap()).unwrap();
    assert_eq!(q.len(), 20);
    let c = out.credentials().unwrap();
    assert!(c.access_key_id().starts_with("ASIA"));
    let session = Keys::of_session(c);
    let who = t.s.sts(&session).get_caller_identity().send().await.unwrap();
    assert_eq!(who.arn(), Some(user.arn()));
    t.s.iam(&session).list_users().send().await.unwrap();
    assert_eq!(
        err(t.s.iam(&session).create_user().user_name("x").send().await).0,
        "AccessDenied"
    );
    // A response signed as a whole (the assertion inside it unsigned) is as good, and as
    // tamper-proof.
    let mut whole = t.response("bob");
    whole.sign_response = true;
    let signed = idp().sign(&whole.xml(t.now()));
    assert_eq!(signed.matches("<ds:Signature ").count(), 1);
    let out = t.assume(&STANDARD.encode(&signed)).await.unwrap();
    assert!(out.assumed_role_user().unwrap().arn().ends_with("/bob"));
    let tampered = signed.replace(">bob</saml:AttributeValue>", ">root</saml:AttributeValue>");
    assert_eq!(
        t.refused(&STANDARD.encode(tampered)).await,
        ("InvalidIdentityToken".into(), "Response signature invalid".into())
    );
    // The role's last use is recorded.
    let role = t.s.root_iam().get_role().role_name("sso").send().await.unwrap();
    assert!(
        role.role()
            .unwrap()
            .role_last_used()
            .unwrap()
            .last_used_date()
            .is_some()
    );
}

#[tokio::test]
async fn trust_conditions_see_the_saml_keys() {
    let t = setup(
        json!({"StringEquals": {"saml:sub": "alice", "saml:sub_type": "persistent",
        "saml:iss": ENTITY, "saml:doc": format!("{ACCOUNT_ID}/corp"),
        "saml:edupersonaffiliation": "staff"}}),
    )
    .await;
    let mut alice = t.response("alice");
    alice.raw_attribute("urn:oid:1.3.6.1.4.1.5923.1.1.1.1", "staff");
    t.assume(&idp().sign_base64(&alice.xml(t.now()))).await.unwrap();
    let mut bob = t.response("bob");
    bob.raw_attribute("urn:oid:1.3.6.1.4.1.5923.1.1.1.1", "staff");
    let (code, message) = t.refused(&idp().sign_base64(&bob.xml(t.now()))).await;
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML")
    );
    let student = t.response("alice");
    assert_eq!(
        t.refused(&idp().sign_base64(&student.xml(t.now()))).await.0,
        "AccessDenied"
    );
    // A condition on the audience that the response does not meet.
    let t =
        setup(json!({"StringEquals": {"SAML:aud": "https://eu-west-1.signin.aws.amazon.com/saml"}})).await;
    let r = t.response("alice");
    assert_eq!(
        t.refused(&idp().sign_base64(&r.xml(t.now()))).await.0,
        "AccessDenied"
    );
    let mut r = t.response("alice");
    r.recipient = "https://eu-west-1.signin.aws.amazon.com/saml".into();
    let out = t.assume(&idp().sign_base64(&r.xml(t.now()))).await.unwrap();
    assert_eq!(
        out.audience(),
        Some("https://eu-west-1.signin.aws.amazon.com/saml")
    );
}

#[tokio::test]
async fn forged_and_tampered_responses_are_refused() {
    let t = setup(aud_condition()).await;
    let now = t.now();
    // An attribute changed after signing.
    let mut r = t.response("alice");
    r.attribute("RoleSessionName", "alice");
    let signed = idp().sign(&r.xml(now));
    let tampered = signed.replace(">alice</saml:AttributeValue>", ">admin</saml:AttributeValue>");
    assert_ne!(signed, tampered);
    let (code, message) = t.refused(&STANDARD.encode(&tampered)).await;
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("InvalidIdentityToken", "Response signature invalid")
    );
    // Signed by a certificate that is not in the provider's metadata (same entity ID).
    let forged = stranger().sign_base64(&r.xml(now));
    assert_eq!(
        t.refused(&forged).await,
        ("InvalidIdentityToken".into(), "Response signature invalid".into())
    );
    // Not signed at all.
    let mut unsigned = t.response("alice");
    unsigned.signed = false;
    let (code, message) = t.refused(&STANDARD.encode(unsigned.xml(now))).await;
    assert_eq!(code, "InvalidIdentityToken");
    assert!(message.contains("not signed"), "{message}");
    // Garbage.
    assert_eq!(t.refused("bm90IFhNTA==").await.0, "InvalidIdentityToken");
}

#[tokio::test]
async fn signature_wrapping_is_refused() {
    let t = setup(aud_condition()).await;
    let now = t.now();
    let mut honest = t.response("guest");
    honest.attribute("RoleSessionName", "guest");
    let signed = idp().sign(&honest.xml(now));
    let start = signed.find("<saml:Assertion").unwrap();
    let end = signed.find("</saml:Assertion>").unwrap() + "</saml:Assertion>".len();
    let signed_assertion = &signed[start..end];
    let mut evil = t.response("admin");
    evil.signed = false;
    evil.attribute("RoleSessionName", "admin");
    let evil_assertion = evil.assertion_xml(now);
    // 1. The evil assertion beside the signed one.
    let beside = honest.wrap(&format!("{evil_assertion}{signed_assertion}"), now);
    // 2. The signed assertion hidden in Extensions, the evil one in its place.
    let hidden = honest.wrap(
        &format!("<samlp:Extensions>{signed_assertion}</samlp:Extensions>{evil_assertion}"),
        now,
    );
    // 3. The evil assertion carrying the honest one's ID and signature.
    let same_id = evil
        .assertion_xml(now)
        .replace(&evil.assertion_id, &honest.assertion_id);
    let sig_start = signed_assertion.find("<ds:Signature").unwrap();
    let sig_end = signed_assertion.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    let stolen = same_id.replacen(
        "<saml:Subject>",
        &format!("{}<saml:Subject>", &signed_assertion[sig_start..sig_end]),
        1,
    );
    let moved = honest.wrap(&stolen, now);
    for (name, xml, why) in [
        ("beside", beside, "exactly one Assertion"),
        ("hidden", hidden, "exactly one Assertion"),
        ("stolen signature", moved, "Response signature invalid"),
    ] {
        let (code, message) = t.refused(&STANDARD.encode(&xml)).await;
        assert_eq!(code, "InvalidIdentityToken", "{name}");
        assert!(message.contains(why), "{name}: {message}");
    }
    // The honest response itself works, as the guest.
    let out = t.assume(&STANDARD.encode(&signed)).await.unwrap();
    assert!(out.assumed_role_user().unwrap().arn().ends_with("/guest"));
}

/// Spoils one field of a response.
type Spoil = fn(&mut Response);

#[tokio::test]
async fn expired_misaddressed_and_mismatched_responses_are_refused() {
    let t = setup(aud_condition()).await;
    let now = t.now();
    let mut expired = t.response("alice");
    expired.issued = time::Duration::minutes(-20);
    expired.not_on_or_after = time::Duration::minutes(-10);
    let (code, _) = t.refused(&idp().sign_base64(&expired.xml(now))).await;
    assert_eq!(code, "ExpiredTokenException");
    let mut stale = t.response("alice");
    stale.issued = time::Duration::minutes(-10);
    stale.not_on_or_after = time::Duration::minutes(10);
    let (code, message) = t.refused(&idp().sign_base64(&stale.xml(now))).await;
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "ExpiredTokenException",
            "Token must be redeemed within 5 minutes of issuance"
        )
    );
    // (What is wrong, how, the error.)
    let spoilers: [(&str, Spoil, &str); 4] = [
        (
            "audience",
            |r| r.audience = "https://evil.example.com/sp".into(),
            "InvalidIdentityToken",
        ),
        (
            "recipient",
            |r| r.recipient = "https://evil.example.com/acs".into(),
            "InvalidIdentityToken",
        ),
        (
            "issuer",
            |r| r.issuer = "https://other-idp.example.com".into(),
            "InvalidIdentityToken",
        ),
        (
            "status",
            |r| r.status = "urn:oasis:names:tc:SAML:2.0:status:Requester".into(),
            "IDPRejectedClaim",
        ),
    ];
    for (what, spoil, expected) in spoilers {
        let mut r = t.response("alice");
        spoil(&mut r);
        assert_eq!(
            t.refused(&idp().sign_base64(&r.xml(now))).await.0,
            expected,
            "{what}"
        );
    }
    let mut bad_name = t.response("alice");
    bad_name.attribute("RoleSessionName", "a b");
    let (code, message) = t.refused(&idp().sign_base64(&bad_name.xml(now))).await;
    assert_eq!(code, "InvalidIdentityToken");
    assert!(message.contains("RoleSessionName"), "{message}");
    // The urn:amazon:webservices audience is AWS's too.
    let mut urn = t.response("alice");
    urn.audience = "urn:amazon:webservices".into();
    t.assume(&idp().sign_base64(&urn.xml(now))).await.unwrap();
}

#[tokio::test]
async fn role_and_provider_must_match_the_request() {
    let t = setup(aud_condition()).await;
    let now = t.now();
    // The Role attribute names another role only.
    let mut other = Response::new(idp(), "alice");
    other.role(&format!("arn:aws:iam::{ACCOUNT_ID}:role/other"), &t.provider);
    let (code, _) = t.refused(&idp().sign_base64(&other.xml(now))).await;
    assert_eq!(code, "AccessDenied");
    // Provider first, role second is accepted as well.
    let mut reversed = Response::new(idp(), "alice");
    reversed.attribute("Role", &format!("{},{}", t.provider, t.role));
    t.assume(&idp().sign_base64(&reversed.xml(now))).await.unwrap();
    // A provider that does not exist.
    let r = t.response("alice");
    let nope = format!("arn:aws:iam::{ACCOUNT_ID}:saml-provider/nope");
    let (code, message) = err(t.request(&nope, idp().sign_base64(&r.xml(now))).send().await);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("InvalidIdentityToken", "Specified provider doesn't exist")
    );
}

#[tokio::test]
async fn session_policies_tags_and_durations() {
    let t = setup(aud_condition()).await;
    let now = t.now();
    let mut r = t.response("alice");
    r.attribute("PrincipalTag:team", "blue");
    r.attribute("TransitiveTagKeys", "team");
    r.session_not_on_or_after = Some(time::Duration::minutes(30));
    let only_list_roles = doc(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}]}));
    let signed = idp().sign_base64(&r.xml(now));
    let out = t
        .request(&t.provider, &signed)
        .policy(&only_list_roles)
        .duration_seconds(7200)
        .send()
        .await;
    // 7200 s exceeds the role's MaxSessionDuration (one hour).
    assert_eq!(err(out).0, "ValidationError");
    let out = t
        .request(&t.provider, signed)
        .policy(only_list_roles)
        .send()
        .await
        .unwrap();
    let packed = packed_policy_size!(out);
    assert!(packed.is_some_and(|p| p > 0 && p <= 100));
    let c = out.credentials().unwrap();
    // The session ends with the IdP's session (30 minutes), not after the default hour.
    let expires = std::time::SystemTime::try_from(*c.expiration()).unwrap();
    let limit = std::time::SystemTime::now() + std::time::Duration::from_secs(31 * 60);
    assert!(expires < limit);
    let session = Keys::of_session(c);
    t.s.iam(&session).list_roles().send().await.unwrap();
    assert_eq!(err(t.s.iam(&session).list_users().send().await).0, "AccessDenied");
    // A malformed session policy.
    let plain = idp().sign_base64(&t.response("alice").xml(now));
    let (code, _) = err(t.request(&t.provider, plain).policy("{not json").send().await);
    assert_eq!(code, "MalformedPolicyDocument");
}

#[tokio::test]
async fn a_provider_requiring_encrypted_assertions_accepts_no_plain_ones() {
    let t = setup(aud_condition()).await;
    let iam = t.s.root_iam();
    let strict = iam
        .create_saml_provider()
        .name("strict")
        .saml_metadata_document(idp().metadata())
        .assertion_encryption_mode(aws_sdk_iam::types::AssertionEncryptionModeType::Required)
        .send()
        .await
        .unwrap()
        .saml_provider_arn()
        .unwrap()
        .to_owned();
    let mut r = Response::new(idp(), "alice");
    r.role(&t.role, &strict);
    let (code, message) = err(t
        .request(&strict, idp().sign_base64(&r.xml(t.now())))
        .send()
        .await);
    assert_eq!(code, "InvalidIdentityToken");
    assert!(message.contains("encrypted"), "{message}");
}
