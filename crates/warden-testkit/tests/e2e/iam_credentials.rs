//! Credentials beside access keys: service-linked roles, SSH public keys and signing
//! certificates, with AWS's quotas, errors and DeleteUser/DeleteRole conflicts.

use aws_sdk_iam::types::{EncodingType, StatusType};
use warden_testkit::{ACCOUNT_ID, TestServer};

use crate::{code, decode, err};

/// Test keys made with `ssh-keygen -t rsa -b 2048` / `-t ecdsa -b 256` / `-t ed25519`;
/// fingerprints from `ssh-keygen -l -E md5`, PEM forms from `ssh-keygen -e -m PKCS8`.
const RSA_PUB: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDON/M5fih7Jtg/1JRcVPhUOMiTmJyfcU1CZPb4hvo6aHHSwXPbZBK+aXEYzDx88z8eowWmTZ3CATHxb62xgutSuLwTz8CxEr4wH8bzC1kwjBoggxpFHZJBT8WlZdCNY4TsLsYYaq5g2qmZrsU5FjobE2vvK1FMWaRQGKIkW6T45W2/llfXR/tkAXs4mDzExoz2kvZtW7CLxsJjt0YFicpsJR29RyF2TteROSk/LUBpuJVHIVFiZngw77hIiq7uUnPFUJpLnPqrX+SZ52DyVtyKrWLamrvdPYg4jV3eFrJlmezU1F2kLLmR9+iO7XMimMFVgypAZwzpM48zFID3iEAr test";
const RSA_MD5: &str = "e7:a2:66:13:c4:19:d7:2c:d4:70:66:14:04:ce:ca:da";
const RSA_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzjfzOX4oeybYP9SUXFT4\nVDjIk5icn3FNQmT2+Ib6Omhx0sFz22QSvmlxGMw8fPM/HqMFpk2dwgEx8W+tsYLr\nUri8E8/AsRK+MB/G8wtZMIwaIIMaRR2SQU/FpWXQjWOE7C7GGGquYNqpma7FORY6\nGxNr7ytRTFmkUBiiJFuk+OVtv5ZX10f7ZAF7OJg8xMaM9pL2bVuwi8bCY7dGBYnK\nbCUdvUchdk7XkTkpPy1AabiVRyFRYmZ4MO+4SIqu7lJzxVCaS5z6q1/kmedg8lbc\niq1i2pq73T2IOI1d3hayZZns1NRdpCy5kffoju1zIpjBVYMqQGcM6TOPMxSA94hA\nKwIDAQAB\n-----END PUBLIC KEY-----\n";
const ECDSA_PUB: &str = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBCc0RwME+ZlS5SXOwVI44O6mY9hiZPIzLdybeR5mwIjF4yNGAMHwQZlDXZWfD7PcLkr8vEtJ11RJ8yUlOuHDBGs= test";
const ECDSA_MD5: &str = "bb:bb:8b:fe:cd:3e:8e:d8:5b:a9:8a:c3:3b:6c:01:e1";
const ECDSA_PEM: &str = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEJzRHAwT5mVLlJc7BUjjg7qZj2GJk\n8jMt3Jt5HmbAiMXjI0YAwfBBmUNdlZ8Ps9wuSvy8S0nXVEnzJSU64cMEaw==\n-----END PUBLIC KEY-----\n";
const ED25519_PUB: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOkonIIOX0wOWWv9idiq/iFNMCt1QAdqtxnehdrbs/Z9 test";
const ED25519_MD5: &str = "c0:5f:11:fb:52:a0:af:58:b8:36:44:47:e9:4b:58:a5";
/// More Ed25519 keys, for the quota of five per user.
const MORE_KEYS: [&str; 3] = [
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEeSrj7FYgOvdRBYhdW+Bh6Jx8/yNzxPP0AFiLrKFjIA test",
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHqbZkj4C8HrR6HN4McMwRYA9+llivglAZiS5QyBS8Pv test",
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIANoCBRzzfuT/oOGn53Be0AsvfxEZqs0qSjN1q11IwKw test",
];

/// Self-signed EC P-256 certificates valid for 100 years, made with `openssl req -x509
/// -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 -subj /CN=signingN.example.com`.
const CERTS: [&str; 3] = [
    "-----BEGIN CERTIFICATE-----\nMIIBlTCCATugAwIBAgIUWf7yruFQB2rHq3brGZlQ5kL3tBswCgYIKoZIzj0EAwIw\nHzEdMBsGA1UEAwwUc2lnbmluZzEuZXhhbXBsZS5jb20wIBcNMjYxMTIzMjEyMDU5\nWhgPMjEyNjEwMzAyMTIwNTlaMB8xHTAbBgNVBAMMFHNpZ25pbmcxLmV4YW1wbGUu\nY29tMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEAZPcZsBAjsuv+G63EK57Ce7U\n8nZvMhEiLPNMYjfgx9Ol6NBrIeQvUK336nsAYvF980q7g8CRXi1fYu/vmvpHeKNT\nMFEwHQYDVR0OBBYEFGcXd3PPIwSsFWLeyaUhN/L5yoLLMB8GA1UdIwQYMBaAFGcX\nd3PPIwSsFWLeyaUhN/L5yoLLMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwID\nSAAwRQIgeWpwCQjDiBsIaI1BvDiyixDLWBchQW45lFdaY4ZUdsECIQCrxhBskd0X\nMSiy/NgrSBUCrvk7BasVr12OvfHKB2MY6A==\n-----END CERTIFICATE-----\n",
    "-----BEGIN CERTIFICATE-----\nMIIBlDCCATugAwIBAgIUCVDvuD9pHo0dmOhTWwhKnhCQzm4wCgYIKoZIzj0EAwIw\nHzEdMBsGA1UEAwwUc2lnbmluZzIuZXhhbXBsZS5jb20wIBcNMjYxMTIzMjEyMDU5\nWhgPMjEyNjEwMzAyMTIwNTlaMB8xHTAbBgNVBAMMFHNpZ25pbmcyLmV4YW1wbGUu\nY29tMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEDf49kkrrAuKqKEcBDf/7WVqH\nVmHE3qdCIFPyqR8DFF5ybpR6BmBxdSZigHRqflE49vLXtfWXtA+qXPUeNuec46NT\nMFEwHQYDVR0OBBYEFBmbZNeMdOO+CrVlARR9bnjCBW6iMB8GA1UdIwQYMBaAFBmb\nZNeMdOO+CrVlARR9bnjCBW6iMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwID\nRwAwRAIgYCffWpsoFQd7Jf795ASs+yNTef0FLArbKsxe9zqMs1cCIFFcNLynVQ/5\nFdiJU0upZNdXlW5rr7n3d8p90tUEnCZ5\n-----END CERTIFICATE-----\n",
    "-----BEGIN CERTIFICATE-----\nMIIBlTCCATugAwIBAgIUZ6iCUuEnsB1wbStInR8h+d2Y6tgwCgYIKoZIzj0EAwIw\nHzEdMBsGA1UEAwwUc2lnbmluZzMuZXhhbXBsZS5jb20wIBcNMjYxMTIzMjEyMDU5\nWhgPMjEyNjEwMzAyMTIwNTlaMB8xHTAbBgNVBAMMFHNpZ25pbmczLmV4YW1wbGUu\nY29tMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEOq7QSYk1EXpLilMWJECsNyTK\n1CQgbWudPEDSkn0bM4zsQv9vvpv4+3khaqFGSEb6v5iw4SVg77PKQse85xcM6qNT\nMFEwHQYDVR0OBBYEFOFOTKtfrikEiIwVrrTZmGUyukRsMB8GA1UdIwQYMBaAFOFO\nTKtfrikEiIwVrrTZmGUyukRsMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwID\nSAAwRQIgQMhCGPjKPvV3YWscTOSDMv00XpLnVh8Zytrs6BCaIWUCIQCZ5O1U0rkm\n5/bGRyZjm9dptAitYDbYG/ztH7bP3g5OZw==\n-----END CERTIFICATE-----\n",
];

/// The private keys of `CERTS[0]` and `CERTS[1]` (PKCS#8), and of `CERTS[0]` again in
/// the SEC 1 form (`openssl ec`).
const KEYS: [&str; 2] = [
    "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgc4EVM7CZmqcw+9gY\nbZw9VchdAKM0x1K02JAbi5KsV++hRANCAAQBk9xmwECOy6/4brcQrnsJ7tTydm8y\nESIs80xiN+DH06Xo0Gsh5C9QrffqewBi8X3zSruDwJFeLV9i7++a+kd4\n-----END PRIVATE KEY-----\n",
    "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg3jqhQ+ItyiSKVZaJ\ngTtJWGrpkKqx+UZpqGGhXs6rf/KhRANCAAQN/j2SSusC4qooRwEN//tZWodWYcTe\np0IgU/KpHwMUXnJulHoGYHF1JmKAdGp+UTj28te19Ze0D6pc9R4255zj\n-----END PRIVATE KEY-----\n",
];
const KEY0_SEC1: &str = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIHOBFTOwmZqnMPvYGG2cPVXIXQCjNMdStNiQG4uSrFfvoAoGCCqGSM49\nAwEHoUQDQgAEAZPcZsBAjsuv+G63EK57Ce7U8nZvMhEiLPNMYjfgx9Ol6NBrIeQv\nUK336nsAYvF980q7g8CRXi1fYu/vmvpHeA==\n-----END EC PRIVATE KEY-----\n";

#[tokio::test]
async fn service_linked_role_lifecycle() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let role = iam
        .create_service_linked_role()
        .aws_service_name("elasticbeanstalk.amazonaws.com")
        .description("for beanstalk")
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    assert_eq!(role.role_name(), "AWSServiceRoleForElasticBeanstalk");
    assert_eq!(role.path(), "/aws-service-role/elasticbeanstalk.amazonaws.com/");
    assert_eq!(
        role.arn(),
        format!(
            "arn:aws:iam::{ACCOUNT_ID}:role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk"
        )
    );
    assert_eq!(role.description(), Some("for beanstalk"));
    assert_eq!(role.max_session_duration(), Some(3600));
    let trust = decode(role.assume_role_policy_document().unwrap());
    assert_eq!(
        trust["Statement"][0],
        serde_json::json!({"Effect": "Allow", "Principal": {"Service": "elasticbeanstalk.amazonaws.com"}, "Action": "sts:AssumeRole"})
    );
    let attached = iam
        .list_attached_role_policies()
        .role_name("AWSServiceRoleForElasticBeanstalk")
        .send()
        .await
        .unwrap();
    assert_eq!(
        attached.attached_policies()[0].policy_arn(),
        Some("arn:aws:iam::aws:policy/aws-service-role/AWSElasticBeanstalkServiceRolePolicy")
    );

    // The same service again: AWS's wording, InvalidInput (400).
    let (c, m) = err(iam
        .create_service_linked_role()
        .aws_service_name("elasticbeanstalk.amazonaws.com")
        .send()
        .await);
    assert_eq!(c, "InvalidInput");
    assert_eq!(
        m,
        "Service role name AWSServiceRoleForElasticBeanstalk has been taken in this account, please try a different suffix."
    );
    // A custom suffix makes a second role.
    let suffixed = iam
        .create_service_linked_role()
        .aws_service_name("autoscaling.amazonaws.com")
        .custom_suffix("blue")
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    assert_eq!(suffixed.role_name(), "AWSServiceRoleForAutoScaling_blue");

    // DeleteRole refuses a service-linked role.
    let (c, m) = err(iam
        .delete_role()
        .role_name("AWSServiceRoleForElasticBeanstalk")
        .send()
        .await);
    assert_eq!(c, "UnmodifiableEntity");
    assert_eq!(
        m,
        "Cannot perform the operation on the protected role 'AWSServiceRoleForElasticBeanstalk' - this role is only modifiable by AWS"
    );

    let task = iam
        .delete_service_linked_role()
        .role_name("AWSServiceRoleForElasticBeanstalk")
        .send()
        .await
        .unwrap()
        .deletion_task_id;
    let prefix = "task/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticBeanstalk/";
    assert!(task.starts_with(prefix), "{task}");
    assert_eq!(task.len() - prefix.len(), 36, "a UUID: {task}");
    let status = iam
        .get_service_linked_role_deletion_status()
        .deletion_task_id(&task)
        .send()
        .await
        .unwrap();
    assert_eq!(status.status().as_str(), "SUCCEEDED");
    assert_eq!(
        code(
            iam.get_role()
                .role_name("AWSServiceRoleForElasticBeanstalk")
                .send()
                .await
        ),
        "NoSuchEntity"
    );
    assert_eq!(
        code(
            iam.get_service_linked_role_deletion_status()
                .deletion_task_id(format!("{prefix}00000000-0000-0000-0000-000000000000"))
                .send()
                .await
        ),
        "NoSuchEntity"
    );

    // An ordinary role is not deleted through DeleteServiceLinkedRole.
    iam.create_role()
        .role_name("plain")
        .assume_role_policy_document(crate::doc(serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})))
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(iam.delete_service_linked_role().role_name("plain").send().await),
        "InvalidInput"
    );
    // The role survives a restart, and so does the task.
    let s = s.restart().await;
    let iam = s.root_iam();
    iam.get_role()
        .role_name("AWSServiceRoleForAutoScaling_blue")
        .send()
        .await
        .unwrap();
    let status = iam
        .get_service_linked_role_deletion_status()
        .deletion_task_id(&task)
        .send()
        .await
        .unwrap();
    assert_eq!(status.status().as_str(), "SUCCEEDED");
}

#[tokio::test]
async fn ssh_public_keys_lifecycle() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    iam.create_user().user_name("dev").send().await.unwrap();
    let upload = |body: &'static str| {
        iam.upload_ssh_public_key()
            .user_name("dev")
            .ssh_public_key_body(body)
            .send()
    };

    let rsa = upload(RSA_PUB).await.unwrap().ssh_public_key.unwrap();
    assert!(rsa.ssh_public_key_id().starts_with("APKA"));
    assert_eq!(rsa.ssh_public_key_id().len(), 20);
    assert_eq!(rsa.fingerprint(), RSA_MD5);
    assert_eq!(rsa.user_name(), "dev");
    assert_eq!(rsa.status(), &StatusType::Active);
    assert_eq!(rsa.ssh_public_key_body(), RSA_PUB);

    // An ECDSA key uploaded as PEM gets the fingerprint of its SSH form.
    let ec = upload(ECDSA_PEM).await.unwrap().ssh_public_key.unwrap();
    assert_eq!(ec.fingerprint(), ECDSA_MD5);
    let ed = upload(ED25519_PUB).await.unwrap().ssh_public_key.unwrap();
    assert_eq!(ed.fingerprint(), ED25519_MD5);

    // GetSSHPublicKey in either encoding.
    let get = |id: String, enc: EncodingType| {
        iam.get_ssh_public_key()
            .user_name("dev")
            .ssh_public_key_id(id)
            .encoding(enc)
            .send()
    };
    let k = get(rsa.ssh_public_key_id().into(), EncodingType::Ssh)
        .await
        .unwrap()
        .ssh_public_key
        .unwrap();
    assert_eq!(k.ssh_public_key_body(), RSA_PUB.trim_end_matches(" test"));
    let k = get(rsa.ssh_public_key_id().into(), EncodingType::Pem)
        .await
        .unwrap()
        .ssh_public_key
        .unwrap();
    assert_eq!(k.ssh_public_key_body(), RSA_PEM);
    let k = get(ec.ssh_public_key_id().into(), EncodingType::Ssh)
        .await
        .unwrap()
        .ssh_public_key
        .unwrap();
    assert_eq!(k.ssh_public_key_body(), ECDSA_PUB.trim_end_matches(" test"));
    let k = get(ec.ssh_public_key_id().into(), EncodingType::Pem)
        .await
        .unwrap()
        .ssh_public_key
        .unwrap();
    assert_eq!(k.ssh_public_key_body(), ECDSA_PEM);
    assert_eq!(
        code(get("APKAAAAAAAAAAAAAAAAA".into(), EncodingType::Ssh).await),
        "NoSuchEntity"
    );

    // The same key again, in another encoding, is a duplicate.
    let (c, _) = err(upload(RSA_PEM).await);
    assert_eq!(c, "DuplicateSSHPublicKey");
    // Malformed and unrecognized bodies.
    assert_eq!(
        code(upload("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAAQDO test").await),
        "InvalidPublicKey"
    );
    assert_eq!(
        code(upload("not a key at all").await),
        "UnrecognizedPublicKeyEncoding"
    );

    // Status.
    iam.update_ssh_public_key()
        .user_name("dev")
        .ssh_public_key_id(ed.ssh_public_key_id())
        .status(StatusType::Inactive)
        .send()
        .await
        .unwrap();
    let list = iam.list_ssh_public_keys().user_name("dev").send().await.unwrap();
    let keys = list.ssh_public_keys();
    assert_eq!(keys.len(), 3);
    let edm = keys
        .iter()
        .find(|k| k.ssh_public_key_id() == ed.ssh_public_key_id())
        .unwrap();
    assert_eq!(edm.status(), &StatusType::Inactive);

    // Five per user.
    upload(MORE_KEYS[0]).await.unwrap();
    upload(MORE_KEYS[1]).await.unwrap();
    let (c, m) = err(upload(MORE_KEYS[2]).await);
    assert_eq!(
        (c.as_str(), m.as_str()),
        ("LimitExceeded", "Cannot exceed quota for SSHPublicKeysPerUser: 5")
    );

    // A user with SSH keys cannot be deleted.
    let (c, m) = err(iam.delete_user().user_name("dev").send().await);
    assert_eq!(c, "DeleteConflict");
    assert_eq!(m, "Cannot delete entity, must delete SSH public keys first.");
    for k in iam
        .list_ssh_public_keys()
        .user_name("dev")
        .send()
        .await
        .unwrap()
        .ssh_public_keys()
    {
        iam.delete_ssh_public_key()
            .user_name("dev")
            .ssh_public_key_id(k.ssh_public_key_id())
            .send()
            .await
            .unwrap();
    }
    assert_eq!(
        code(
            iam.delete_ssh_public_key()
                .user_name("dev")
                .ssh_public_key_id(rsa.ssh_public_key_id())
                .send()
                .await
        ),
        "NoSuchEntity"
    );
    iam.delete_user().user_name("dev").send().await.unwrap();
}

#[tokio::test]
async fn ssh_keys_of_another_user_are_not_found() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    iam.create_user().user_name("a").send().await.unwrap();
    iam.create_user().user_name("b").send().await.unwrap();
    let k = iam
        .upload_ssh_public_key()
        .user_name("a")
        .ssh_public_key_body(ED25519_PUB)
        .send()
        .await
        .unwrap()
        .ssh_public_key
        .unwrap();
    let (c, m) = err(iam
        .get_ssh_public_key()
        .user_name("b")
        .ssh_public_key_id(k.ssh_public_key_id())
        .encoding(EncodingType::Ssh)
        .send()
        .await);
    assert_eq!(c, "NoSuchEntity");
    assert_eq!(
        m,
        format!(
            "The Public Key with id {} cannot be found.",
            k.ssh_public_key_id()
        )
    );
    // Another user may hold the same key.
    iam.upload_ssh_public_key()
        .user_name("b")
        .ssh_public_key_body(ED25519_PUB)
        .send()
        .await
        .unwrap();
    // Keys survive a restart.
    let s = s.restart().await;
    let list = s
        .root_iam()
        .list_ssh_public_keys()
        .user_name("a")
        .send()
        .await
        .unwrap();
    assert_eq!(list.ssh_public_keys().len(), 1);
}

#[tokio::test]
async fn signing_certificates_lifecycle() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    iam.create_user().user_name("dev").send().await.unwrap();
    iam.create_user().user_name("other").send().await.unwrap();
    let upload = |user: &'static str, body: &'static str| {
        iam.upload_signing_certificate()
            .user_name(user)
            .certificate_body(body)
            .send()
    };
    let c1 = upload("dev", CERTS[0]).await.unwrap().certificate.unwrap();
    assert_eq!(c1.user_name(), "dev");
    assert_eq!(c1.certificate_id().len(), 32);
    assert!(
        c1.certificate_id()
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    );
    assert_eq!(c1.certificate_body(), CERTS[0]);
    assert_eq!(c1.status(), &StatusType::Active);

    // The same certificate cannot belong to two users of the account.
    assert_eq!(code(upload("other", CERTS[0]).await), "DuplicateCertificate");
    assert_eq!(
        code(
            upload(
                "dev",
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
            )
            .await
        ),
        "MalformedCertificate"
    );
    assert_eq!(code(upload("dev", "hello").await), "MalformedCertificate");
    assert_eq!(code(upload("ghost", CERTS[1]).await), "NoSuchEntity");

    // Two per user.
    let c2 = upload("dev", CERTS[1]).await.unwrap().certificate.unwrap();
    let (c, m) = err(upload("dev", CERTS[2]).await);
    assert_eq!(
        (c.as_str(), m.as_str()),
        (
            "LimitExceeded",
            "Cannot exceed quota for SigningCertificatesPerUser: 2"
        )
    );

    iam.update_signing_certificate()
        .user_name("dev")
        .certificate_id(c2.certificate_id())
        .status(StatusType::Inactive)
        .send()
        .await
        .unwrap();
    let list = iam
        .list_signing_certificates()
        .user_name("dev")
        .send()
        .await
        .unwrap();
    assert_eq!(list.certificates().len(), 2);
    let l2 = list
        .certificates()
        .iter()
        .find(|c| c.certificate_id() == c2.certificate_id())
        .unwrap();
    assert_eq!(l2.status(), &StatusType::Inactive);
    assert_eq!(
        code(
            iam.update_signing_certificate()
                .user_name("other")
                .certificate_id(c2.certificate_id())
                .status(StatusType::Active)
                .send()
                .await
        ),
        "NoSuchEntity"
    );

    // A user with signing certificates cannot be deleted.
    let (c, m) = err(iam.delete_user().user_name("dev").send().await);
    assert_eq!(c, "DeleteConflict");
    assert_eq!(m, "Cannot delete entity, must delete signing certificates first.");
    for id in [c1.certificate_id(), c2.certificate_id()] {
        iam.delete_signing_certificate()
            .user_name("dev")
            .certificate_id(id)
            .send()
            .await
            .unwrap();
    }
    iam.delete_user().user_name("dev").send().await.unwrap();

    // The root user's own certificates: no UserName.
    let root = iam
        .upload_signing_certificate()
        .certificate_body(CERTS[2])
        .send()
        .await
        .unwrap()
        .certificate
        .unwrap();
    let s = s.restart().await;
    let list = s.root_iam().list_signing_certificates().send().await.unwrap();
    assert_eq!(list.certificates().len(), 1);
    assert_eq!(list.certificates()[0].certificate_id(), root.certificate_id());
}

#[tokio::test]
async fn service_specific_credentials_lifecycle() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    iam.create_user().user_name("dev").send().await.unwrap();
    let create = |service: &'static str| {
        iam.create_service_specific_credential()
            .user_name("dev")
            .service_name(service)
            .send()
    };
    let c = create("codecommit.amazonaws.com")
        .await
        .unwrap()
        .service_specific_credential
        .unwrap();
    assert_eq!(c.service_user_name(), format!("dev-at-{ACCOUNT_ID}"));
    assert_eq!(c.service_password().len(), 44);
    assert_eq!(c.status(), &StatusType::Active);
    assert_eq!(c.service_name(), "codecommit.amazonaws.com");
    let id = c.service_specific_credential_id().to_owned();

    let (code_, m) = err(create("lambda.amazonaws.com").await);
    assert_eq!(code_, "NoSuchEntity");
    assert_eq!(
        m,
        "No such service lambda.amazonaws.com is supported for Service Specific Credentials"
    );
    let (code_, m) = err(iam
        .create_service_specific_credential()
        .user_name("ghost")
        .service_name("codecommit.amazonaws.com")
        .send()
        .await);
    assert_eq!(
        (code_.as_str(), m.as_str()),
        ("NoSuchEntity", "The user with name ghost cannot be found.")
    );

    // Two per user and service.
    create("codecommit.amazonaws.com").await.unwrap();
    assert_eq!(code(create("codecommit.amazonaws.com").await), "LimitExceeded");
    create("cassandra.amazonaws.com").await.unwrap();
    let list = iam
        .list_service_specific_credentials()
        .user_name("dev")
        .service_name("cassandra.amazonaws.com")
        .send()
        .await
        .unwrap();
    assert_eq!(list.service_specific_credentials().len(), 1);
    let all = iam
        .list_service_specific_credentials()
        .user_name("dev")
        .send()
        .await
        .unwrap();
    assert_eq!(all.service_specific_credentials().len(), 3);

    iam.update_service_specific_credential()
        .user_name("dev")
        .service_specific_credential_id(&id)
        .status(StatusType::Inactive)
        .send()
        .await
        .unwrap();
    let reset = iam
        .reset_service_specific_credential()
        .user_name("dev")
        .service_specific_credential_id(&id)
        .send()
        .await
        .unwrap()
        .service_specific_credential
        .unwrap();
    assert_eq!(reset.status(), &StatusType::Inactive);
    assert_ne!(reset.service_password(), c.service_password());
    let (code_, m) = err(iam
        .delete_service_specific_credential()
        .user_name("dev")
        .service_specific_credential_id("satisfiesregexbutstillinvalid")
        .send()
        .await);
    assert_eq!(
        (code_.as_str(), m.as_str()),
        (
            "NoSuchEntity",
            "No such credential satisfiesregexbutstillinvalid exists"
        )
    );

    // A user with service-specific credentials cannot be deleted (AWS's wording).
    let (code_, m) = err(iam.delete_user().user_name("dev").send().await);
    assert_eq!(code_, "DeleteConflict");
    assert_eq!(m, "Cannot delete entity, must remove referenced objects first.");
    let s = s.restart().await;
    let iam = s.root_iam();
    for c in iam
        .list_service_specific_credentials()
        .user_name("dev")
        .send()
        .await
        .unwrap()
        .service_specific_credentials()
    {
        iam.delete_service_specific_credential()
            .user_name("dev")
            .service_specific_credential_id(c.service_specific_credential_id())
            .send()
            .await
            .unwrap();
    }
    iam.delete_user().user_name("dev").send().await.unwrap();
}

#[tokio::test]
async fn server_certificates_lifecycle() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let up = iam
        .upload_server_certificate()
        .server_certificate_name("web")
        .path("/cloudfront/")
        .certificate_body(CERTS[0])
        .private_key(KEYS[0])
        .certificate_chain(CERTS[1])
        .send()
        .await
        .unwrap();
    let meta = up.server_certificate_metadata().unwrap();
    assert_eq!(meta.server_certificate_name(), "web");
    assert!(meta.server_certificate_id().starts_with("ASCA"));
    assert_eq!(
        meta.arn(),
        format!("arn:aws:iam::{ACCOUNT_ID}:server-certificate/cloudfront/web")
    );
    assert!(meta.expiration().unwrap().secs() > 4_000_000_000);

    // The same name again; a key that is not the certificate's; a malformed key.
    let upload = |name: &'static str, body: &'static str, key: &'static str| {
        iam.upload_server_certificate()
            .server_certificate_name(name)
            .certificate_body(body)
            .private_key(key)
            .send()
    };
    assert_eq!(
        code(upload("web", CERTS[0], KEYS[0]).await),
        "EntityAlreadyExists"
    );
    assert_eq!(code(upload("other", CERTS[0], KEYS[1]).await), "KeyPairMismatch");
    assert_eq!(
        code(upload("other", CERTS[0], "not a key").await),
        "MalformedCertificate"
    );
    assert_eq!(
        code(upload("other", "not a cert", KEYS[0]).await),
        "MalformedCertificate"
    );
    // The SEC 1 form of the same key is accepted.
    upload("web-sec1", CERTS[0], KEY0_SEC1).await.unwrap();

    let got = iam
        .get_server_certificate()
        .server_certificate_name("WEB")
        .send()
        .await
        .unwrap()
        .server_certificate
        .unwrap();
    assert_eq!(got.certificate_body(), CERTS[0]);
    assert_eq!(got.certificate_chain(), Some(CERTS[1]));
    let list = iam
        .list_server_certificates()
        .path_prefix("/cloudfront/")
        .send()
        .await
        .unwrap();
    assert_eq!(list.server_certificate_metadata_list().len(), 1);

    iam.update_server_certificate()
        .server_certificate_name("web")
        .new_server_certificate_name("site")
        .new_path("/")
        .send()
        .await
        .unwrap();
    let (c, m) = err(iam
        .get_server_certificate()
        .server_certificate_name("web")
        .send()
        .await);
    assert_eq!(c, "NoSuchEntity");
    assert_eq!(m, "The Server Certificate with name web cannot be found.");
    let s = s.restart().await;
    let iam = s.root_iam();
    let got = iam
        .get_server_certificate()
        .server_certificate_name("site")
        .send()
        .await
        .unwrap()
        .server_certificate
        .unwrap();
    assert_eq!(
        got.server_certificate_metadata().unwrap().arn(),
        format!("arn:aws:iam::{ACCOUNT_ID}:server-certificate/site")
    );
    iam.delete_server_certificate()
        .server_certificate_name("site")
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(
            iam.delete_server_certificate()
                .server_certificate_name("site")
                .send()
                .await
        ),
        "NoSuchEntity"
    );
}

#[tokio::test]
async fn renaming_a_user_keeps_its_credentials() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    iam.create_user().user_name("before").send().await.unwrap();
    iam.upload_ssh_public_key()
        .user_name("before")
        .ssh_public_key_body(RSA_PUB)
        .send()
        .await
        .unwrap();
    iam.update_user()
        .user_name("before")
        .new_user_name("after")
        .send()
        .await
        .unwrap();
    let keys = iam
        .list_ssh_public_keys()
        .user_name("after")
        .send()
        .await
        .unwrap();
    let listed = keys.ssh_public_keys();
    assert_eq!(listed.len(), 1, "the key moved with its user");
    assert_eq!(listed[0].user_name(), "after");
    assert_eq!(
        code(iam.delete_user().user_name("after").send().await),
        "DeleteConflict"
    );
}
