//! Fuzzes the parsers of identifiers that arrive from clients: ARNs, account IDs and
//! access key IDs (GetAccessKeyInfo decodes any of them). Any panic is a bug; a parsed
//! ARN must print back to the text it came from.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warden_types::{AccountId, Arn, account_of_access_key_id};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(arn) = text.parse::<Arn>() {
        assert_eq!(arn.to_string(), text);
        let _ = (arn.partition(), arn.service(), arn.region(), arn.account(), arn.resource());
    }
    let _ = text.parse::<AccountId>();
    if let Some(account) = account_of_access_key_id(text) {
        assert_eq!(account.as_str().len(), 12);
    }
});
