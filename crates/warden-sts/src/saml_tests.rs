#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use proptest::prelude::*;
use time::OffsetDateTime;

use super::{is_aws_saml_endpoint, name_qualifier, verify};

/// Some certificate (not the signer of anything below).
const CERT: &str = "MIIBszCCAVmgAwIBAgIUDpQ5";

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap()
}

fn code(encoded: &str) -> &'static str {
    verify(encoded, "https://idp.example.com", &[CERT.to_owned()], now())
        .unwrap_err()
        .code
}

fn unsigned_response() -> String {
    r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r" Version="2.0" IssueInstant="2027-01-15T08:00:00Z"><saml:Issuer>https://idp.example.com</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion ID="_a" Version="2.0" IssueInstant="2027-01-15T08:00:00Z"><saml:Issuer>https://idp.example.com</saml:Issuer><saml:Subject><saml:NameID>alice</saml:NameID></saml:Subject></saml:Assertion></samlp:Response>"#.to_owned()
}

#[test]
fn aws_endpoints_and_audiences() {
    for ok in [
        "https://signin.aws.amazon.com/saml",
        "https://signin.aws.amazon.com/static/saml",
        "https://us-east-2.signin.aws.amazon.com/saml",
        "https://eu-west-1.signin.aws.amazon.com/saml/acs/SAMLSP4SHN3UIS2D558H46",
    ] {
        assert!(is_aws_saml_endpoint(ok), "{ok}");
    }
    for bad in [
        "http://signin.aws.amazon.com/saml",
        "https://signin.aws.amazon.com.evil.com/saml",
        "https://evil.com/signin.aws.amazon.com/saml",
        "https://signin.aws.amazon.com/saml/",
        "https://.signin.aws.amazon.com/saml",
        "https://signin.aws.amazon.com/other",
        "urn:amazon:webservices",
    ] {
        assert!(!is_aws_saml_endpoint(bad), "{bad}");
    }
    assert!(super::is_aws_audience("urn:amazon:webservices"));
    assert!(!super::is_aws_audience("urn:amazon:webservices:other"));
}

#[test]
fn name_qualifier_is_base64_sha1_of_issuer_account_and_provider() {
    let q = name_qualifier("https://example.com/saml", "123456789012", "MySAMLIdP");
    assert_eq!(STANDARD.decode(&q).unwrap().len(), 20);
    assert_ne!(
        q,
        name_qualifier("https://example.com/saml", "123456789012", "Other")
    );
    assert_eq!(
        q,
        name_qualifier("https://example.com/saml", "123456789012", "MySAMLIdP")
    );
}

#[test]
fn garbage_unsigned_and_dtd_responses_are_invalid_identity_tokens() {
    assert_eq!(code("not base64!"), "InvalidIdentityToken");
    assert_eq!(code(&STANDARD.encode([0xff, 0xfe, 0x00])), "InvalidIdentityToken");
    assert_eq!(code(&STANDARD.encode("<a><b></a>")), "InvalidIdentityToken");
    assert_eq!(code(&STANDARD.encode("<Response/>")), "InvalidIdentityToken");
    let unsigned = verify(
        &STANDARD.encode(unsigned_response()),
        "https://idp.example.com",
        &[CERT.to_owned()],
        now(),
    )
    .unwrap_err();
    assert_eq!(unsigned.code, "InvalidIdentityToken");
    let dtd = format!(
        "<!DOCTYPE r [<!ENTITY x \"alice\">]>{}",
        unsigned_response().replace(">alice<", ">&x;<")
    );
    let e = verify(
        &STANDARD.encode(dtd),
        "https://idp.example.com",
        &[CERT.to_owned()],
        now(),
    )
    .unwrap_err();
    assert!(e.message.contains("document type"), "{}", e.message);
    // Two assertions are refused before any signature is looked at.
    let two = unsigned_response().replace(
        "</samlp:Response>",
        "<saml:Assertion ID=\"_b\"/></samlp:Response>",
    );
    let e = verify(
        &STANDARD.encode(two),
        "https://idp.example.com",
        &[CERT.to_owned()],
        now(),
    )
    .unwrap_err();
    assert!(e.message.contains("exactly one Assertion"), "{}", e.message);
    // Base64 with line breaks (as IdPs post it) is read.
    let wrapped: String = STANDARD
        .encode(unsigned_response())
        .as_bytes()
        .chunks(76)
        .map(|c| format!("{}\r\n", std::str::from_utf8(c).unwrap()))
        .collect();
    let e = verify(&wrapped, "https://idp.example.com", &[CERT.to_owned()], now()).unwrap_err();
    assert!(e.message.contains("not signed"), "{}", e.message);
}

const XMLISH: &str = "[<>/=\"a-zA-Z:_ !-]{0,200}";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any bytes, base64-encoded or not, give an error, never a panic or a success.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), raw in ".{0,300}") {
        let e = verify(&STANDARD.encode(&bytes), "https://idp.example.com", &[CERT.to_owned()], now());
        prop_assert!(e.is_err());
        let e = verify(&raw, "https://idp.example.com", &[CERT.to_owned()], now());
        prop_assert!(e.is_err());
    }

    /// XML-like text spliced into a response gives an AWS error, never a panic.
    #[test]
    fn mangled_responses_never_panic(junk in XMLISH, at in 0usize..600) {
        let mut xml = unsigned_response();
        let mut at = at.min(xml.len());
        while !xml.is_char_boundary(at) {
            at -= 1;
        }
        xml.insert_str(at, &junk);
        let e = verify(&STANDARD.encode(&xml), "https://idp.example.com", &[CERT.to_owned()], now());
        let e = e.unwrap_err();
        prop_assert!(matches!(e.code, "InvalidIdentityToken" | "ExpiredTokenException" | "IDPRejectedClaim"), "{}", e.code);
    }
}

/// Deeply nested elements (75 KB of XML fits in the 100,000-character limit) give an
/// error, not a stack overflow that would abort the server: the parser caps depth at 128,
/// and a signature over a document just under the cap canonicalizes it within the stack.
#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    // A signature over the whole document at the bottom, so that canonicalization walks
    // all of it too.
    let signature = r##"<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>"##;
    for (depth, why) in [(10_000, "not well-formed"), (120, "signature invalid")] {
        let xml = format!(
            "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\"><saml:Assertion ID=\"_a\"/>{}{signature}{}</samlp:Response>",
            "<a>".repeat(depth),
            "</a>".repeat(depth)
        );
        let encoded = STANDARD.encode(&xml);
        assert!(encoded.len() <= 100_000, "{}", encoded.len());
        // A thread with a tokio worker's default stack (2 MiB).
        let e = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || {
                verify(&encoded, "https://idp.example.com", &[CERT.to_owned()], now()).unwrap_err()
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(e.code, "InvalidIdentityToken");
        assert!(e.message.contains(why), "{depth}: {}", e.message);
    }
}
