//! Fuzzes what unsigned Cognito requests hand the server before anything is verified:
//! pool, client, identity pool and identity IDs (which name an account), JWTs read for
//! their issuer, refresh tokens, ListUsers filters and SRP numbers. Any panic is a bug;
//! an ID that parses must name a 12-digit account.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warden_cognito::{ids, ops, srp, tokens};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Some((_, account)) = ids::parse_pool_id(text) {
        assert_eq!(account.len(), 12);
    }
    if let Some(account) = ids::account_of_client_id(text) {
        assert_eq!(account.len(), 12);
    }
    if let Some((_, account)) = ids::parse_region_uuid(text) {
        assert_eq!(account.len(), 12);
    }
    let _ = tokens::unverified_claims(text);
    let _ = tokens::split_refresh_token(text);
    let _ = ops::check_list_users_filter(text);
    for member in ["AccessToken", "ClientId", "IdentityPoolId", "IdentityId"] {
        let _ = ops::public_account(&serde_json::json!({ member: text }));
    }
    if text.len() <= 1024 {
        let claim = srp::ServerClaim {
            pool_id: "us-east-1_AbCdEfGhI",
            user: "fuzz",
            verifier_hex: "0a",
            b_hex: "0b",
            a_hex: text,
            secret_block: data,
            timestamp: text,
        };
        let _ = claim.expected_signature();
    }
});
