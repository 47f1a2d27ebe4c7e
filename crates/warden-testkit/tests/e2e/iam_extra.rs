//! The last IAM operations: server certificate tags, the AWS Organizations features (a
//! Warden account is a standalone account), outbound web identity federation, delegation
//! requests and their human-readable summary.

use aws_sdk_iam::operation::create_delegation_request::builders::CreateDelegationRequestFluentBuilder;
use aws_sdk_iam::operation::get_outbound_web_identity_federation_info::GetOutboundWebIdentityFederationInfoOutput;
use aws_sdk_iam::operation::upload_server_certificate::builders::UploadServerCertificateFluentBuilder;
use aws_sdk_iam::types::{
    DelegationPermission, PermissionCheckResultType, PolicyParameter, PolicyParameterTypeEnum,
    SummaryStateType, Tag,
};
use serde_json::json;
use warden_testkit::{ACCOUNT_ID, TestServer};

use crate::{allow, code, create_policy, doc, err};

/// A self-signed EC P-256 certificate valid for 100 years and its PKCS#8 key (the same
/// pair as `iam_credentials`'s first one).
const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIBlTCCATugAwIBAgIUWf7yruFQB2rHq3brGZlQ5kL3tBswCgYIKoZIzj0EAwIw\nHzEdMBsGA1UEAwwUc2lnbmluZzEuZXhhbXBsZS5jb20wIBcNMjYxMTIzMjEyMDU5\nWhgPMjEyNjEwMzAyMTIwNTlaMB8xHTAbBgNVBAMMFHNpZ25pbmcxLmV4YW1wbGUu\nY29tMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEAZPcZsBAjsuv+G63EK57Ce7U\n8nZvMhEiLPNMYjfgx9Ol6NBrIeQvUK336nsAYvF980q7g8CRXi1fYu/vmvpHeKNT\nMFEwHQYDVR0OBBYEFGcXd3PPIwSsFWLeyaUhN/L5yoLLMB8GA1UdIwQYMBaAFGcX\nd3PPIwSsFWLeyaUhN/L5yoLLMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwID\nSAAwRQIgeWpwCQjDiBsIaI1BvDiyixDLWBchQW45lFdaY4ZUdsECIQCrxhBskd0X\nMSiy/NgrSBUCrvk7BasVr12OvfHKB2MY6A==\n-----END CERTIFICATE-----\n";
const KEY: &str = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgc4EVM7CZmqcw+9gY\nbZw9VchdAKM0x1K02JAbi5KsV++hRANCAAQBk9xmwECOy6/4brcQrnsJ7tTydm8y\nESIs80xiN+DH06Xo0Gsh5C9QrffqewBi8X3zSruDwJFeLV9i7++a+kd4\n-----END PRIVATE KEY-----\n";

fn tag(k: &str, v: &str) -> Tag {
    Tag::builder().key(k).value(v).build().unwrap()
}

fn keys(pairs: &[Tag]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect()
}

/// The tags of the server certificate `web`, as (key, value) pairs.
async fn tags_of_web(iam: &aws_sdk_iam::Client) -> Vec<(String, String)> {
    let listed = iam
        .list_server_certificate_tags()
        .server_certificate_name("web")
        .send()
        .await
        .unwrap();
    keys(listed.tags())
}

/// Uploads `CERT` as the server certificate `web`.
fn upload_web(iam: &aws_sdk_iam::Client) -> UploadServerCertificateFluentBuilder {
    iam.upload_server_certificate()
        .server_certificate_name("web")
        .certificate_body(CERT)
        .private_key(KEY)
}

#[tokio::test]
async fn server_certificate_tags() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    upload_web(&iam).tags(tag("team", "a")).send().await.unwrap();
    let summary = iam.get_account_summary().send().await.unwrap();
    let summary = summary.summary_map().unwrap();
    assert_eq!(
        summary.get(&aws_sdk_iam::types::SummaryKeyType::ServerCertificates),
        Some(&1),
        "GetAccountSummary counts server certificates"
    );

    iam.tag_server_certificate()
        .server_certificate_name("WEB")
        .tags(tag("Zone", "eu"))
        .tags(tag("TEAM", "b"))
        .send()
        .await
        .unwrap();
    let listed = iam
        .list_server_certificate_tags()
        .server_certificate_name("web")
        .send()
        .await
        .unwrap();
    // Sorted by key; a key that differs only in case replaces the old tag.
    assert_eq!(
        keys(listed.tags()),
        vec![("TEAM".into(), "b".into()), ("Zone".into(), "eu".into())]
    );
    assert!(!listed.is_truncated());
    let got = iam
        .get_server_certificate()
        .server_certificate_name("web")
        .send()
        .await
        .unwrap();
    assert_eq!(got.server_certificate().unwrap().tags().len(), 2);

    // Pages.
    let page = iam
        .list_server_certificate_tags()
        .server_certificate_name("web")
        .max_items(1)
        .send()
        .await
        .unwrap();
    assert!(page.is_truncated());
    let next = iam
        .list_server_certificate_tags()
        .server_certificate_name("web")
        .marker(page.marker().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(keys(next.tags()), vec![("Zone".into(), "eu".into())]);

    // Validation: reserved prefix, the quota of 50.
    let (c, m) = err(iam
        .tag_server_certificate()
        .server_certificate_name("web")
        .tags(tag("aws:x", "1"))
        .send()
        .await);
    assert_eq!(c, "InvalidInput", "{m}");
    let mut many = iam.tag_server_certificate().server_certificate_name("web");
    for i in 0..49 {
        many = many.tags(tag(&format!("k{i}"), "v"));
    }
    assert_eq!(code(many.send().await), "LimitExceeded");

    // Untag is case-insensitive and ignores absent keys.
    iam.untag_server_certificate()
        .server_certificate_name("web")
        .tag_keys("team")
        .tag_keys("absent")
        .send()
        .await
        .unwrap();
    assert_eq!(tags_of_web(&iam).await, vec![("Zone".into(), "eu".into())]);

    // Unknown certificates.
    let (c, m) = err(iam
        .tag_server_certificate()
        .server_certificate_name("nope")
        .tags(tag("a", "b"))
        .send()
        .await);
    assert_eq!(
        (c.as_str(), m.as_str()),
        (
            "NoSuchEntity",
            "The Server Certificate with name nope cannot be found."
        )
    );
    assert_eq!(
        code(
            iam.untag_server_certificate()
                .server_certificate_name("nope")
                .tag_keys("a")
                .send()
                .await
        ),
        "NoSuchEntity"
    );
    assert_eq!(
        code(
            iam.list_server_certificate_tags()
                .server_certificate_name("nope")
                .send()
                .await
        ),
        "NoSuchEntity"
    );

    // Tags are kept with the certificate.
    let s = s.restart().await;
    assert_eq!(
        tags_of_web(&s.root_iam()).await,
        vec![("Zone".into(), "eu".into())]
    );
}

#[tokio::test]
async fn server_certificate_tags_need_permission_on_the_certificate() {
    let s = TestServer::start().await;
    upload_web(&s.root_iam()).send().await.unwrap();
    let alice = s.user_with_key("alice").await;
    let iam = s.iam(&alice);
    let (c, m) = err(iam
        .list_server_certificate_tags()
        .server_certificate_name("web")
        .send()
        .await);
    assert_eq!(c, "AccessDenied");
    assert!(
        m.contains(&format!(
            "iam:ListServerCertificateTags on resource: arn:aws:iam::{ACCOUNT_ID}:server-certificate/web"
        )),
        "{m}"
    );
    s.put_user_policy(
        "alice",
        "p",
        allow(
            "iam:*ServerCertificateTags",
            &format!("arn:aws:iam::{ACCOUNT_ID}:server-certificate/*"),
        ),
    )
    .await;
    tags_of_web(&iam).await;
}

#[tokio::test]
async fn organizations_features_answer_as_for_a_standalone_account() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let not_found = "OrganizationNotFoundException";
    let (c, m) = err(iam.list_organizations_features().send().await);
    assert_eq!(c, not_found);
    assert!(m.contains("no organization"), "{m}");
    let e = iam.list_organizations_features().send().await.unwrap_err();
    assert!(e.into_service_error().is_organization_not_found_exception());
    assert_eq!(
        code(
            iam.enable_organizations_root_credentials_management()
                .send()
                .await
        ),
        not_found
    );
    assert_eq!(
        code(
            iam.disable_organizations_root_credentials_management()
                .send()
                .await
        ),
        not_found
    );
    assert_eq!(
        code(iam.enable_organizations_root_sessions().send().await),
        not_found
    );
    assert_eq!(
        code(iam.disable_organizations_root_sessions().send().await),
        not_found
    );

    // Authorization comes first.
    let alice = s.user_with_key("alice").await;
    assert_eq!(
        code(s.iam(&alice).list_organizations_features().send().await),
        "AccessDenied"
    );
}

#[tokio::test]
async fn organizations_access_report_fails_outside_an_organization() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    // The entity path is checked against the model's pattern.
    assert_eq!(
        code(
            iam.generate_organizations_access_report()
                .entity_path("not-a-path-at-all!!")
                .send()
                .await
        ),
        "ValidationError"
    );
    let job = iam
        .generate_organizations_access_report()
        .entity_path(format!("o-a1b2c3d4e5/r-f6g7h8i9j0example/{ACCOUNT_ID}"))
        .send()
        .await
        .unwrap()
        .job_id()
        .unwrap()
        .to_owned();
    assert_eq!(job.len(), 36);
    let report = iam
        .get_organizations_access_report()
        .job_id(&job)
        .send()
        .await
        .unwrap();
    assert_eq!(report.job_status().as_str(), "FAILED");
    let details = report.error_details().unwrap();
    assert_eq!(details.code(), "AWSOrganizationsNotInUseException");
    assert!(report.job_completion_date().is_some());
    assert!(report.access_details().is_empty());

    let unknown = "00000000-0000-4000-8000-000000000000";
    assert_eq!(
        code(iam.get_organizations_access_report().job_id(unknown).send().await),
        "NoSuchEntity"
    );

    // The job is kept.
    let s = s.restart().await;
    let report = s
        .root_iam()
        .get_organizations_access_report()
        .job_id(&job)
        .send()
        .await
        .unwrap();
    assert_eq!(report.job_status().as_str(), "FAILED");
}

/// Enables outbound web identity federation, returning the account's issuer.
async fn enable_federation(iam: &aws_sdk_iam::Client) -> String {
    let out = iam
        .enable_outbound_web_identity_federation()
        .send()
        .await
        .unwrap();
    out.issuer_identifier().unwrap().to_owned()
}

async fn federation_info(iam: &aws_sdk_iam::Client) -> GetOutboundWebIdentityFederationInfoOutput {
    let info = iam.get_outbound_web_identity_federation_info().send().await;
    info.unwrap()
}

#[tokio::test]
async fn outbound_web_identity_federation() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    // Never enabled: nothing to report or disable.
    let (c, _) = err(iam.get_outbound_web_identity_federation_info().send().await);
    assert_eq!(c, "FeatureDisabled");
    assert_eq!(
        code(iam.disable_outbound_web_identity_federation().send().await),
        "FeatureDisabled"
    );

    let issuer = enable_federation(&iam).await;
    assert!(
        issuer.starts_with("https://") && issuer.ends_with(".tokens.sts.global.api.aws"),
        "{issuer}"
    );
    let info = federation_info(&iam).await;
    assert_eq!(info.issuer_identifier(), Some(issuer.as_str()));
    assert!(info.jwt_vending_enabled());
    let e = iam
        .enable_outbound_web_identity_federation()
        .send()
        .await
        .unwrap_err();
    assert!(e.into_service_error().is_feature_enabled_exception());

    iam.disable_outbound_web_identity_federation()
        .send()
        .await
        .unwrap();
    let info = federation_info(&iam).await;
    assert!(!info.jwt_vending_enabled());
    assert_eq!(info.issuer_identifier(), Some(issuer.as_str()));
    assert_eq!(
        code(iam.disable_outbound_web_identity_federation().send().await),
        "FeatureDisabled"
    );

    // Enabling again keeps the account's issuer; the setting survives a restart.
    let again = enable_federation(&iam).await;
    assert_eq!(again, issuer);
    let s = s.restart().await;
    let info = federation_info(&s.root_iam()).await;
    assert_eq!(info.issuer_identifier(), Some(issuer.as_str()));
    assert!(info.jwt_vending_enabled());

    let alice = s.user_with_key("alice").await;
    assert_eq!(
        code(
            s.iam(&alice)
                .enable_outbound_web_identity_federation()
                .send()
                .await
        ),
        "AccessDenied"
    );
}

// ---- delegation requests ------------------------------------------------------------

/// The partner's policy template: a managed policy of its account with `@{...}` parameters.
fn template() -> String {
    doc(json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::@{bucket}/*"},
            {"Effect": "Allow", "Action": "iam:CreateRole", "Resource": "*",
             "Condition": {"StringEquals": {"iam:PermissionsBoundary": "@{boundary}"}}},
            {"Effect": "Allow", "Action": "logs:*", "Resource": "arn:aws:logs:*:*:log-group:@{groups}"}
        ]
    }))
}

fn permissions(template_arn: &str) -> DelegationPermission {
    let p = |name: &str, values: &[&str], kind: PolicyParameterTypeEnum| {
        let mut b = PolicyParameter::builder().name(name).r#type(kind);
        for v in values {
            b = b.values(*v);
        }
        b.build()
    };
    DelegationPermission::builder()
        .policy_template_arn(template_arn)
        .parameters(p("bucket", &["customer-data"], PolicyParameterTypeEnum::String))
        .parameters(p(
            "boundary",
            &["arn:aws:iam::aws:policy/PowerUserAccess"],
            PolicyParameterTypeEnum::String,
        ))
        .parameters(p("groups", &["a", "b"], PolicyParameterTypeEnum::StringList))
        .build()
}

const TOPIC: &str = "arn:aws:sns:us-east-1:111122223333:partner-updates";

/// The ID of the delegation request `create` makes.
async fn created(create: CreateDelegationRequestFluentBuilder) -> String {
    let out = create.send().await.unwrap();
    out.delegation_request_id().unwrap().to_owned()
}

/// `$client.$operation()` on the delegation request `$id`, sent.
macro_rules! on_request {
    ($client:ident . $operation:ident, $id:expr) => {
        $client.$operation().delegation_request_id($id).send().await
    };
}

#[tokio::test]
async fn delegation_request_lifecycle() {
    let s = TestServer::start().await;
    let (partner_id, partner_keys) = s.create_account("partner").await;
    let partner = s.iam(&partner_keys);
    let customer = s.root_iam();
    let template_arn = create_policy(&partner, "onboarding-template", template()).await;

    let create = || {
        partner
            .create_delegation_request()
            .owner_account_id(ACCOUNT_ID)
            .description("Set up log shipping.")
            .permissions(permissions(&template_arn))
            .request_message("Second try")
            .requestor_workflow_id("workflow-0001")
            .redirect_url("https://partner.example.com/done")
            .notification_channel(TOPIC)
            .session_duration(3600)
    };
    let id = created(create()).await;
    assert!(id.len() >= 16);
    // The workflow ID is unique.
    assert_eq!(code(create().send().await), "EntityAlreadyExists");

    // The customer's account sees it, unassigned, with the rendered policy.
    let got = on_request!(customer.get_delegation_request, &id).unwrap();
    let r = got.delegation_request().unwrap();
    assert_eq!(r.state().unwrap().as_str(), "UNASSIGNED");
    assert_eq!(r.owner_account_id(), Some(ACCOUNT_ID));
    assert_eq!(r.requestor_id(), Some(partner_id.as_str()));
    assert_eq!(r.session_duration(), Some(3600));
    assert_eq!(r.redirect_url(), Some("https://partner.example.com/done"));
    let policy: serde_json::Value = serde_json::from_str(r.permission_policy().unwrap()).unwrap();
    assert_eq!(policy["Statement"][0]["Resource"], "arn:aws:s3:::customer-data/*");
    assert_eq!(
        policy["Statement"][2]["Resource"],
        json!(["arn:aws:logs:*:*:log-group:a", "arn:aws:logs:*:*:log-group:b"])
    );
    assert_eq!(
        r.role_permission_restriction_arns(),
        ["arn:aws:iam::aws:policy/PowerUserAccess"]
    );
    let expires = r.expiration_time().unwrap().secs() - r.create_date().unwrap().secs();
    assert_eq!(expires, 86_400);
    assert_eq!(r.permissions().unwrap().parameters().len(), 3);
    // The partner no longer sees a request meant for another account.
    assert_eq!(
        code(on_request!(partner.get_delegation_request, &id)),
        "NoSuchEntity"
    );
    // Unowned requests are not listed.
    let listed = customer.list_delegation_requests().send().await.unwrap();
    assert!(listed.delegation_requests().is_empty());

    // Only an unassigned request can be associated; only after that can it be accepted.
    assert_eq!(
        code(on_request!(customer.accept_delegation_request, &id)),
        "InvalidInput"
    );
    assert_eq!(
        code(on_request!(partner.associate_delegation_request, &id)),
        "NoSuchEntity"
    );
    on_request!(customer.associate_delegation_request, &id).unwrap();
    assert_eq!(
        code(on_request!(customer.associate_delegation_request, &id)),
        "InvalidInput"
    );
    let root_arn = format!("arn:aws:iam::{ACCOUNT_ID}:root");
    let listed = customer.list_delegation_requests().send().await.unwrap();
    assert_eq!(listed.delegation_requests().len(), 1);
    assert_eq!(
        listed.delegation_requests()[0].owner_id(),
        Some(root_arn.as_str())
    );
    assert_eq!(
        listed.delegation_requests()[0].state().unwrap().as_str(),
        "ASSIGNED"
    );
    assert!(!listed.is_truncated());
    let other_owner = customer
        .list_delegation_requests()
        .owner_id("arn:aws:iam::123456789012:user/nobody")
        .send()
        .await
        .unwrap();
    assert!(other_owner.delegation_requests().is_empty());

    // Forwarded for approval with notes, then accepted by the root user.
    customer
        .update_delegation_request()
        .delegation_request_id(&id)
        .notes("Please approve, admin.")
        .send()
        .await
        .unwrap();
    let r = on_request!(customer.get_delegation_request, &id).unwrap();
    let r = r.delegation_request().unwrap();
    assert_eq!(r.state().unwrap().as_str(), "PENDING_APPROVAL");
    assert_eq!(r.notes(), Some("Please approve, admin."));
    on_request!(customer.accept_delegation_request, &id).unwrap();
    assert_eq!(
        code(on_request!(customer.update_delegation_request, &id)),
        "InvalidInput"
    );
    on_request!(customer.send_delegation_token, &id).unwrap();
    // Finalized: no way back.
    assert_eq!(
        code(on_request!(customer.reject_delegation_request, &id)),
        "InvalidInput"
    );
    assert_eq!(
        code(on_request!(customer.send_delegation_token, &id)),
        "InvalidInput"
    );

    // Everything is kept across a restart.
    let s = s.restart().await;
    let root = s.root_iam();
    let got = on_request!(root.get_delegation_request, &id).unwrap();
    let r = got.delegation_request().unwrap();
    assert_eq!(r.state().unwrap().as_str(), "FINALIZED");
    assert_eq!(r.approver_id(), Some(root_arn.as_str()));
    assert_eq!(r.owner_id(), Some(root_arn.as_str()));
    let age = r.expiration_time().unwrap().secs() - r.updated_time().unwrap().secs();
    assert_eq!(age, 7 * 86_400);
}

#[tokio::test]
async fn delegation_request_rejection_expiry_and_validation() {
    let s = TestServer::start().await;
    let (_, partner_keys) = s.create_account("partner").await;
    let partner = s.iam(&partner_keys);
    let customer = s.root_iam();
    let template_arn = create_policy(&partner, "t", template()).await;
    let base = |workflow: &str| {
        partner
            .create_delegation_request()
            .description("d")
            .permissions(permissions(&template_arn))
            .requestor_workflow_id(workflow)
            .notification_channel(TOPIC)
            .session_duration(7200)
    };

    // Validation: not an SNS topic, an unknown template, a missing parameter, a session
    // out of range, a malformed owner account.
    let (c, m) = err(base("wf-sns-1")
        .notification_channel("https-endpoint")
        .send()
        .await);
    assert_eq!(c, "InvalidInput", "{m}");
    let unknown = DelegationPermission::builder()
        .policy_template_arn("arn:aws:iam::aws:policy/NoSuchTemplate")
        .build();
    assert_eq!(
        code(base("wf-tpl-1").permissions(unknown).send().await),
        "InvalidInput"
    );
    let partial = DelegationPermission::builder()
        .policy_template_arn(&template_arn)
        .parameters(
            PolicyParameter::builder()
                .name("bucket")
                .values("b")
                .r#type(PolicyParameterTypeEnum::String)
                .build(),
        )
        .build();
    let (c, m) = err(base("wf-par-1").permissions(partial).send().await);
    assert_eq!(c, "InvalidInput");
    assert!(m.contains("boundary"), "{m}");
    assert_eq!(
        code(base("wf-dur-1").session_duration(60).send().await),
        "ValidationError"
    );
    assert_eq!(
        code(base("wf-own-1").owner_account_id("12").send().await),
        "ValidationError"
    );

    // No owner account: any account may associate it; the associating account owns it.
    let id = created(base("wf-open-1")).await;
    let alice = s.user_with_key("alice").await;
    let alice_iam = s.iam(&alice);
    assert_eq!(
        code(on_request!(alice_iam.associate_delegation_request, &id)),
        "AccessDenied"
    );
    s.put_user_policy(
        "alice",
        "delegation",
        // (The policy validator does not know delegation-request ARNs yet: "*".)
        allow("iam:*Delegation*", "*"),
    )
    .await;
    on_request!(alice_iam.associate_delegation_request, &id).unwrap();
    let alice_arn = format!("arn:aws:iam::{ACCOUNT_ID}:user/alice");
    let got = on_request!(customer.get_delegation_request, &id).unwrap();
    let r = got.delegation_request().unwrap();
    assert_eq!(r.owner_account_id(), Some(ACCOUNT_ID));
    assert_eq!(r.owner_id(), Some(alice_arn.as_str()));
    // Listing by owner.
    let mine = customer
        .list_delegation_requests()
        .owner_id(&alice_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(mine.delegation_requests().len(), 1);

    // The permission check: alice may do none of it, root all of it.
    for (who, expected) in [
        (&alice_iam, PermissionCheckResultType::Denied),
        (&customer, PermissionCheckResultType::Allowed),
    ] {
        let checked = who
            .get_delegation_request()
            .delegation_request_id(&id)
            .delegation_permission_check(true)
            .send()
            .await
            .unwrap();
        assert_eq!(checked.permission_check_result(), Some(&expected), "{expected:?}");
    }

    // Rejected with a reason; a rejected request cannot be accepted.
    customer
        .reject_delegation_request()
        .delegation_request_id(&id)
        .notes("Not now.")
        .send()
        .await
        .unwrap();
    let got = on_request!(customer.get_delegation_request, &id).unwrap();
    let r = got.delegation_request().unwrap();
    assert_eq!(r.state().unwrap().as_str(), "REJECTED");
    assert_eq!(r.rejection_reason(), Some("Not now."));
    assert_eq!(
        code(on_request!(customer.accept_delegation_request, &id)),
        "InvalidInput"
    );

    // OnlySendByOwner: the root user may accept but not send alice's request.
    let id2 = created(base("wf-owner-2").only_send_by_owner(true)).await;
    on_request!(alice_iam.associate_delegation_request, &id2).unwrap();
    on_request!(customer.accept_delegation_request, &id2).unwrap();
    assert_eq!(
        code(on_request!(customer.send_delegation_token, &id2)),
        "AccessDenied"
    );
    on_request!(alice_iam.send_delegation_token, &id2).unwrap();

    // The root user may approve sessions of four hours at most.
    let long = created(base("wf-long-3").session_duration(5 * 3600)).await;
    on_request!(customer.associate_delegation_request, &long).unwrap();
    assert_eq!(
        code(on_request!(customer.accept_delegation_request, &long)),
        "InvalidInput"
    );

    // Pagination over the account's requests, oldest first.
    let page = customer
        .list_delegation_requests()
        .max_items(2)
        .send()
        .await
        .unwrap();
    assert_eq!(page.delegation_requests().len(), 2);
    assert!(page.is_truncated());
    let rest = customer
        .list_delegation_requests()
        .marker(page.marker().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.delegation_requests().len(), 1);
    assert_eq!(
        rest.delegation_requests()[0].delegation_request_id(),
        Some(long.as_str())
    );

    let missing = "dr-00000000000000000000000000000000";
    for c in [
        code(on_request!(customer.get_delegation_request, missing)),
        code(on_request!(customer.accept_delegation_request, missing)),
        code(on_request!(customer.reject_delegation_request, missing)),
        code(on_request!(customer.send_delegation_token, missing)),
    ] {
        assert_eq!(c, "NoSuchEntity");
    }
}

#[tokio::test]
async fn human_readable_summary_of_a_delegation_request() {
    let s = TestServer::start().await;
    let (partner_id, partner_keys) = s.create_account("partner").await;
    let partner = s.iam(&partner_keys);
    let template_arn = create_policy(&partner, "t", template()).await;
    let id = created(
        partner
            .create_delegation_request()
            .description("Set up log shipping")
            .permissions(permissions(&template_arn))
            .requestor_workflow_id("wf-summary")
            .notification_channel(TOPIC)
            .session_duration(5400),
    )
    .await;
    let iam = s.root_iam();
    let arn = format!("arn:aws:iam::{ACCOUNT_ID}:delegation-request/{id}");
    let out = iam
        .get_human_readable_summary()
        .entity_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(out.summary_state(), Some(&SummaryStateType::Available));
    assert_eq!(out.locale(), Some("en"));
    let text = out.summary_content().unwrap();
    assert!(text.contains(&format!("(AWS account {partner_id})")), "{text}");
    assert!(text.contains("1 hour 30 minutes"), "{text}");
    assert!(
        text.contains("perform s3:GetObject, s3:PutObject on arn:aws:s3:::customer-data/*"),
        "{text}"
    );
    assert!(
        text.contains("iam:PermissionsBoundary StringEquals arn:aws:iam::aws:policy/PowerUserAccess"),
        "{text}"
    );
    // Deterministic.
    let again = iam
        .get_human_readable_summary()
        .entity_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(again.summary_content(), out.summary_content());

    let other = iam
        .get_human_readable_summary()
        .entity_arn(&arn)
        .locale("ja")
        .send()
        .await
        .unwrap();
    assert_eq!(other.summary_state(), Some(&SummaryStateType::NotSupported));
    assert_eq!(other.locale(), Some("ja"));

    assert_eq!(
        code(
            iam.get_human_readable_summary()
                .entity_arn(format!("arn:aws:iam::{ACCOUNT_ID}:user/alice"))
                .send()
                .await
        ),
        "InvalidInput"
    );
    assert_eq!(
        code(
            iam.get_human_readable_summary()
                .entity_arn(format!(
                    "arn:aws:iam::{ACCOUNT_ID}:delegation-request/dr-missing-0000000"
                ))
                .send()
                .await
        ),
        "NoSuchEntity"
    );
}
