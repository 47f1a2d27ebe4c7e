//! Fuzzes the first look AssumeRoleWithWebIdentity takes at an untrusted token: splitting
//! the JWT and reading its unverified issuer (to find the provider) must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let token = String::from_utf8_lossy(data);
    let _ = warden_sts::web_identity::unverified_issuer(&token);
    let _ = warden_sts::web_identity::unverified_audience(&token);
});
