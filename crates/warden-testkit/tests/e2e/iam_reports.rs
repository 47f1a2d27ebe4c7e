//! Account reports: GetAccountAuthorizationDetails, the credential report, and the access
//! advisor's service last accessed details.

use aws_sdk_iam::types::{AccessAdvisorUsageGranularityType, EntityType, JobStatusType};
use warden_testkit::{ACCOUNT_ID, TestServer};

use crate::{allow, create_policy, decode, err};

fn trust() -> String {
    crate::doc(
        serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
    )
}

#[tokio::test]
async fn authorization_details_cover_every_entity_with_filters_and_pages() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    iam.create_user().user_name("alice").send().await.unwrap();
    iam.create_group().group_name("devs").send().await.unwrap();
    iam.add_user_to_group()
        .group_name("devs")
        .user_name("alice")
        .send()
        .await
        .unwrap();
    iam.put_user_policy()
        .user_name("alice")
        .policy_name("inline")
        .policy_document(allow("iam:ListUsers", "*"))
        .send()
        .await
        .unwrap();
    iam.attach_group_policy()
        .group_name("devs")
        .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
        .send()
        .await
        .unwrap();
    iam.create_role()
        .role_name("app")
        .assume_role_policy_document(trust())
        .send()
        .await
        .unwrap();
    iam.create_instance_profile()
        .instance_profile_name("app-ip")
        .send()
        .await
        .unwrap();
    iam.add_role_to_instance_profile()
        .instance_profile_name("app-ip")
        .role_name("app")
        .send()
        .await
        .unwrap();
    let arn = create_policy(&iam, "local", allow("s3:GetObject", "*")).await;
    iam.create_policy_version()
        .policy_arn(&arn)
        .policy_document(allow("s3:*", "*"))
        .set_as_default(true)
        .send()
        .await
        .unwrap();
    iam.attach_role_policy()
        .role_name("app")
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();

    let all = iam.get_account_authorization_details().send().await.unwrap();
    assert!(!all.is_truncated());
    let u = &all.user_detail_list()[0];
    assert_eq!(u.user_name(), Some("alice"));
    assert_eq!(u.group_list(), ["devs"]);
    assert_eq!(u.user_policy_list()[0].policy_name(), Some("inline"));
    assert_eq!(
        decode(u.user_policy_list()[0].policy_document().unwrap())["Statement"][0]["Action"],
        "iam:ListUsers"
    );
    let g = &all.group_detail_list()[0];
    assert_eq!(
        g.attached_managed_policies()[0].policy_arn(),
        Some("arn:aws:iam::aws:policy/ReadOnlyAccess")
    );
    let r = &all.role_detail_list()[0];
    assert_eq!(r.instance_profile_list()[0].instance_profile_name(), "app-ip");
    assert_eq!(r.attached_managed_policies()[0].policy_name(), Some("local"));
    let policies: Vec<&str> = all.policies().iter().filter_map(|p| p.policy_name()).collect();
    assert_eq!(
        policies,
        ["local", "ReadOnlyAccess"],
        "local policies, then AWS managed ones in use"
    );
    let local = &all.policies()[0];
    assert_eq!(local.policy_version_list().len(), 2);
    assert_eq!(local.default_version_id(), Some("v2"));
    assert_eq!(local.attachment_count(), Some(1));

    let roles_only = iam
        .get_account_authorization_details()
        .filter(EntityType::Role)
        .send()
        .await
        .unwrap();
    assert_eq!(roles_only.role_detail_list().len(), 1);
    assert!(roles_only.user_detail_list().is_empty() && roles_only.policies().is_empty());

    // One item per page, five pages: every entity exactly once.
    let mut seen = 0;
    let mut marker: Option<String> = None;
    loop {
        let page = iam
            .get_account_authorization_details()
            .max_items(1)
            .set_marker(marker.clone())
            .send()
            .await
            .unwrap();
        seen += page.user_detail_list().len()
            + page.group_detail_list().len()
            + page.role_detail_list().len()
            + page.policies().len();
        if !page.is_truncated() {
            break;
        }
        marker = page.marker().map(str::to_owned);
    }
    assert_eq!(seen, 5);
}

#[tokio::test]
async fn credential_report_lists_root_and_users() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let (c, m) = err(iam.get_credential_report().send().await);
    assert_eq!(c, "ReportNotPresent");
    assert!(m.contains("GenerateCredentialReport"), "{m}");
    s.user_with_key("alice").await;
    iam.create_login_profile()
        .user_name("alice")
        .password("Correct-Horse-9-Battery")
        .send()
        .await
        .unwrap();
    iam.create_user().user_name("bob").send().await.unwrap();

    let started = iam.generate_credential_report().send().await.unwrap();
    assert_eq!(started.state().unwrap().as_str(), "STARTED");
    let again = iam.generate_credential_report().send().await.unwrap();
    assert_eq!(again.state().unwrap().as_str(), "COMPLETE");

    let report = iam.get_credential_report().send().await.unwrap();
    assert_eq!(report.report_format().unwrap().as_str(), "text/csv");
    assert!(report.generated_time().is_some());
    let csv = String::from_utf8(report.content().unwrap().as_ref().to_vec()).unwrap();
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 4, "header, root, alice, bob:\n{csv}");
    assert_eq!(rows[0][0], "user");
    assert_eq!(rows[0].len(), 22);
    assert_eq!(rows[1][0], "<root_account>");
    assert_eq!(rows[1][1], format!("arn:aws:iam::{ACCOUNT_ID}:root"));
    assert_eq!(rows[1][8], "true", "the root user has an active access key");
    let alice = &rows[2];
    assert_eq!(alice[0], "alice");
    assert_eq!(alice[3], "true", "password_enabled");
    assert_eq!(alice[4], "no_information", "password never used");
    assert_eq!(alice[7], "false", "mfa_active");
    assert_eq!(alice[8], "true", "access_key_1_active");
    assert!(alice[9].ends_with("+00:00"), "{}", alice[9]);
    assert_eq!(alice[13], "false", "no second key");
    let bob = &rows[3];
    assert_eq!((bob[3], bob[4], bob[8]), ("false", "N/A", "false"));
}

#[tokio::test]
async fn service_last_accessed_details_track_authorized_requests() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let keys = s.user_with_key("alice").await;
    iam.put_user_policy()
        .user_name("alice")
        .policy_name("list")
        .policy_document(allow("iam:List*", "*"))
        .send()
        .await
        .unwrap();
    iam.create_group().group_name("devs").send().await.unwrap();
    iam.add_user_to_group()
        .group_name("devs")
        .user_name("alice")
        .send()
        .await
        .unwrap();
    s.iam(&keys).list_users().send().await.unwrap();
    let alice_arn = format!("arn:aws:iam::{ACCOUNT_ID}:user/alice");

    let job = iam
        .generate_service_last_accessed_details()
        .arn(&alice_arn)
        .granularity(AccessAdvisorUsageGranularityType::ActionLevel)
        .send()
        .await
        .unwrap()
        .job_id()
        .unwrap()
        .to_owned();
    assert_eq!(job.len(), 36, "a UUID");
    let details = iam
        .get_service_last_accessed_details()
        .job_id(&job)
        .send()
        .await
        .unwrap();
    assert_eq!(details.job_status(), &JobStatusType::Completed);
    let services = details.services_last_accessed();
    assert_eq!(services.len(), 1, "only IAM is granted: {services:?}");
    let svc = &services[0];
    assert_eq!(svc.service_namespace(), "iam");
    assert_eq!(svc.service_name(), "AWS Identity and Access Management");
    assert_eq!(svc.last_authenticated_entity(), Some(alice_arn.as_str()));
    assert_eq!(svc.total_authenticated_entities(), Some(1));
    assert!(svc.last_authenticated().is_some());
    let actions: Vec<&str> = svc
        .tracked_actions_last_accessed()
        .iter()
        .filter_map(|a| a.action_name())
        .collect();
    assert_eq!(actions, ["ListUsers"]);

    // A group's report counts its members' access.
    let group_job = iam
        .generate_service_last_accessed_details()
        .arn(format!("arn:aws:iam::{ACCOUNT_ID}:group/devs"))
        .send()
        .await
        .unwrap()
        .job_id()
        .unwrap()
        .to_owned();
    let with_entities = iam
        .get_service_last_accessed_details_with_entities()
        .job_id(&group_job)
        .service_namespace("iam")
        .send()
        .await
        .unwrap();
    assert_eq!(with_entities.entity_details_list().len(), 1);
    let e = &with_entities.entity_details_list()[0];
    assert_eq!(e.entity_info().unwrap().name(), "alice");
    assert!(e.last_authenticated().is_some());

    let (c, _) = err(iam
        .generate_service_last_accessed_details()
        .arn(format!("arn:aws:iam::{ACCOUNT_ID}:user/nobody"))
        .send()
        .await);
    assert_eq!(c, "NoSuchEntity");
}
