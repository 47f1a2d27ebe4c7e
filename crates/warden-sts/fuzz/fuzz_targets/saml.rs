//! Fuzzes AssumeRoleWithSAML's verifier with attacker-controlled responses. The input is
//! used as the XML itself (base64-encoded here, as a client would send it) when its first
//! byte is even, and as the raw `SAMLAssertion` parameter otherwise, so that the fuzzer
//! reaches both the XML/signature code and the decoding in front of it. Any panic is a bug.
#![no_main]

use base64::Engine;
use libfuzzer_sys::fuzz_target;
use time::macros::datetime;

fuzz_target!(|data: &[u8]| {
    let Some((mode, rest)) = data.split_first() else { return };
    let encoded = if mode % 2 == 0 {
        base64::engine::general_purpose::STANDARD.encode(rest)
    } else {
        String::from_utf8_lossy(rest).into_owned()
    };
    let now = datetime!(2026-01-01 00:00:00 UTC);
    let _ = warden_sts::saml::verify(&encoded, "https://idp.example.com/metadata", &[], now);
});
