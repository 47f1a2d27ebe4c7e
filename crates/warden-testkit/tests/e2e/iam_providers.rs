//! OpenID Connect and SAML identity providers: URLs (https, or http on loopback),
//! client IDs, thumbprints, metadata validation, tags, and AWS's errors.

use aws_sdk_iam::types::Tag;
use warden_testkit::{ACCOUNT_ID, TestServer};

use crate::{code, err};

/// A self-signed certificate (CN=idp.example.com, valid until 2126) for IdP metadata,
/// signing and server certificates, made with
/// `openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -subj /CN=idp.example.com`.
pub const CERT_PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIDFzCCAf+gAwIBAgIUWr7zl7mKBUANUiz4h4gWuaC/yIkwDQYJKoZIhvcNAQEL\nBQAwGjEYMBYGA1UEAwwPaWRwLmV4YW1wbGUuY29tMCAXDTI2MTEyMzIwMjcxNloY\nDzIxMjYxMDMwMjAyNzE2WjAaMRgwFgYDVQQDDA9pZHAuZXhhbXBsZS5jb20wggEi\nMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQCN72Nlw/p6x6E5bupEyDCGW8+v\naTuIgFH/wFK5zaYzf/7fAZ+ib95UyEWZX3DfAp6xXcSnYV/newzq7jscC0yvGR61\nwwWZ4yGkmFChOl+bebQ9obfNM5hyR9DsH24f5jEFDWMaVpewjgSxVRuN5f1NhoRT\nel0eseU8TgcY5ccHn3XZVYe1a9cM00Dz7PKX4qlRZCzNACAzw/bjADDJgJgnOni5\nTlgl6q1aIuO1SvZi5TXyo+jr590+xblCX9YNz4TXeIgesM05m046Fy0fimCNyggg\nvrlCuCpYZBMxrGYqiWUGTwB9wXxNCnvnwi+GLPtmMrL+2mZ9SF63x5L3iQ3zAgMB\nAAGjUzBRMB0GA1UdDgQWBBQNr4iWhFMubEWyzhSPaS9U+6zHNjAfBgNVHSMEGDAW\ngBQNr4iWhFMubEWyzhSPaS9U+6zHNjAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3\nDQEBCwUAA4IBAQA98EBNQ9Ry42UIVq1F5dcHWzls+DQdx+fXuPyFbJLwrN/w3uQv\neZDFbKZ73BMmh7TipEFyJTgayOe/Qz9iyeSqSNjuTZpwhcW+oRqRzyotwFdw9K22\n3oUQC7MOk8KyQ6oCcL/arPG7hSyWnaFiY+6/88UJFVN4HDya5sVt97hspS1RgDIZ\nYDcSM+6KaynKb9RAJMn+6tBpPxgb1rea+DZzu9WRXceD3xPRyAmAEyZSUyL+NKPL\nhqgzeYhxhufKFuZM7d7lGYvmN4/93OF7pR54N7ZcMcwJjrybrbSYw2hbKLfH2vsO\nXyqPwCZdai7Qi1D9uzXrZ57IXBT+hNnX+kLh\n-----END CERTIFICATE-----\n";

/// The certificate's base64 DER (the PEM body on one line).
pub fn cert_b64() -> String {
    CERT_PEM.lines().filter(|l| !l.starts_with("-----")).collect()
}

/// SAML 2.0 IdP metadata with one signing certificate.
pub fn saml_metadata(entity_id: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{entity_id}" validUntil="2100-01-01T00:00:00Z">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#,
        cert = cert_b64()
    )
}

#[tokio::test]
async fn oidc_provider_lifecycle() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let thumb = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280";
    let arn = iam
        .create_open_id_connect_provider()
        .url("https://Token.Example.com/tenant")
        .client_id_list("sts.amazonaws.com")
        .client_id_list("sts.amazonaws.com")
        .thumbprint_list(thumb)
        .tags(Tag::builder().key("team").value("ci").build().unwrap())
        .send()
        .await
        .unwrap()
        .open_id_connect_provider_arn()
        .unwrap()
        .to_owned();
    assert_eq!(
        arn,
        format!("arn:aws:iam::{ACCOUNT_ID}:oidc-provider/token.example.com/tenant")
    );
    let (c, m) = err(iam
        .create_open_id_connect_provider()
        .url("https://token.example.com/tenant")
        .send()
        .await);
    assert_eq!(c, "EntityAlreadyExists");
    assert_eq!(
        m,
        "Provider with url https://token.example.com/tenant already exists."
    );

    let got = iam
        .get_open_id_connect_provider()
        .open_id_connect_provider_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(got.url(), Some("token.example.com/tenant"));
    assert_eq!(got.client_id_list(), ["sts.amazonaws.com"], "each client ID once");
    assert_eq!(got.thumbprint_list(), [thumb]);
    assert_eq!(got.tags().len(), 1);
    assert!(got.create_date().is_some());

    iam.add_client_id_to_open_id_connect_provider()
        .open_id_connect_provider_arn(&arn)
        .client_id("my-app")
        .send()
        .await
        .unwrap();
    iam.remove_client_id_from_open_id_connect_provider()
        .open_id_connect_provider_arn(&arn)
        .client_id("sts.amazonaws.com")
        .send()
        .await
        .unwrap();
    let other = "a031c46782e6e6c662c2c87c76da9aa62ccabd8e";
    iam.update_open_id_connect_provider_thumbprint()
        .open_id_connect_provider_arn(&arn)
        .thumbprint_list(other)
        .send()
        .await
        .unwrap();
    let got = iam
        .get_open_id_connect_provider()
        .open_id_connect_provider_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(got.client_id_list(), ["my-app"]);
    assert_eq!(got.thumbprint_list(), [other]);
    let mut six = iam
        .update_open_id_connect_provider_thumbprint()
        .open_id_connect_provider_arn(&arn);
    for _ in 0..6 {
        six = six.thumbprint_list(other);
    }
    assert_eq!(code(six.send().await), "LimitExceeded");

    iam.tag_open_id_connect_provider()
        .open_id_connect_provider_arn(&arn)
        .tags(Tag::builder().key("env").value("prod").build().unwrap())
        .send()
        .await
        .unwrap();
    iam.untag_open_id_connect_provider()
        .open_id_connect_provider_arn(&arn)
        .tag_keys("team")
        .send()
        .await
        .unwrap();
    let tags = iam
        .list_open_id_connect_provider_tags()
        .open_id_connect_provider_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().len(), 1);
    assert_eq!(tags.tags()[0].key(), "env");

    let list = iam.list_open_id_connect_providers().send().await.unwrap();
    assert_eq!(list.open_id_connect_provider_list().len(), 1);
    assert_eq!(list.open_id_connect_provider_list()[0].arn(), Some(arn.as_str()));

    iam.delete_open_id_connect_provider()
        .open_id_connect_provider_arn(&arn)
        .send()
        .await
        .unwrap();
    let (c, m) = err(iam
        .get_open_id_connect_provider()
        .open_id_connect_provider_arn(&arn)
        .send()
        .await);
    assert_eq!(
        (c.as_str(), m),
        (
            "NoSuchEntity",
            format!("OpenIDConnect Provider not found for arn {arn}")
        )
    );
}

#[tokio::test]
async fn oidc_provider_urls_must_be_https_except_on_loopback() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    for bad in [
        "http://token.example.com",
        "token.example.com",
        "https://a.example.com?x=1",
    ] {
        let (c, m) = err(iam.create_open_id_connect_provider().url(bad).send().await);
        assert_eq!(
            (c.as_str(), m.as_str()),
            ("InvalidInput", "Invalid Open ID Connect Provider URL"),
            "{bad}"
        );
    }
    for ok in [
        "http://localhost:9000/idp",
        "http://127.0.0.1:8080",
        "http://[::1]:7000",
    ] {
        iam.create_open_id_connect_provider()
            .url(ok)
            .send()
            .await
            .unwrap();
    }
    assert_eq!(
        iam.list_open_id_connect_providers()
            .send()
            .await
            .unwrap()
            .open_id_connect_provider_list()
            .len(),
        3
    );
    assert_eq!(
        code(
            iam.create_open_id_connect_provider()
                .url("https://x.example.com")
                .thumbprint_list("not-hex-not-hex-not-hex-not-hex-not-hex!")
                .send()
                .await
        ),
        "InvalidInput"
    );
}

#[tokio::test]
async fn saml_provider_lifecycle() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let arn = iam
        .create_saml_provider()
        .name("Okta")
        .saml_metadata_document(saml_metadata("https://idp.example.com/metadata"))
        .tags(Tag::builder().key("team").value("sso").build().unwrap())
        .send()
        .await
        .unwrap()
        .saml_provider_arn()
        .unwrap()
        .to_owned();
    assert_eq!(arn, format!("arn:aws:iam::{ACCOUNT_ID}:saml-provider/Okta"));
    assert_eq!(
        code(
            iam.create_saml_provider()
                .name("okta")
                .saml_metadata_document(saml_metadata("https://idp.example.com/metadata"))
                .send()
                .await
        ),
        "EntityAlreadyExists"
    );
    let got = iam
        .get_saml_provider()
        .saml_provider_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.saml_metadata_document(),
        Some(saml_metadata("https://idp.example.com/metadata").as_str())
    );
    assert!(got.saml_provider_uuid().unwrap().len() >= 22);
    assert_eq!(
        got.valid_until().unwrap().secs(),
        4_102_444_800,
        "validUntil of the metadata"
    );
    assert_eq!(got.tags().len(), 1);

    // Metadata without a signing certificate, or not metadata at all, is refused.
    let unsigned =
        saml_metadata("https://idp.example.com/metadata").replace("use=\"signing\"", "use=\"encryption\"");
    let not_metadata = format!("<html>{}</html>", "x".repeat(1200));
    for bad in [unsigned, not_metadata] {
        let (c, m) = err(iam
            .create_saml_provider()
            .name("Bad")
            .saml_metadata_document(bad)
            .send()
            .await);
        assert_eq!(
            (c.as_str(), m.as_str()),
            ("InvalidInput", "Could not parse metadata")
        );
    }

    let updated = saml_metadata("https://idp2.example.com/metadata");
    iam.update_saml_provider()
        .saml_provider_arn(&arn)
        .saml_metadata_document(&updated)
        .send()
        .await
        .unwrap();
    let got = iam
        .get_saml_provider()
        .saml_provider_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(got.saml_metadata_document(), Some(updated.as_str()));

    iam.tag_saml_provider()
        .saml_provider_arn(&arn)
        .tags(Tag::builder().key("env").value("prod").build().unwrap())
        .send()
        .await
        .unwrap();
    iam.untag_saml_provider()
        .saml_provider_arn(&arn)
        .tag_keys("TEAM")
        .send()
        .await
        .unwrap();
    let tags = iam
        .list_saml_provider_tags()
        .saml_provider_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().len(), 1);
    assert_eq!(tags.tags()[0].key(), "env");

    let list = iam.list_saml_providers().send().await.unwrap();
    assert_eq!(list.saml_provider_list().len(), 1);
    assert_eq!(list.saml_provider_list()[0].arn(), Some(arn.as_str()));

    iam.delete_saml_provider()
        .saml_provider_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(iam.get_saml_provider().saml_provider_arn(&arn).send().await),
        "NoSuchEntity"
    );
    assert_eq!(
        code(iam.delete_saml_provider().saml_provider_arn(&arn).send().await),
        "NoSuchEntity"
    );
}
