//! Fuzz the policy parser: any bytes, every policy kind; a policy that parses is
//! also evaluated and asked for its context keys. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use warden_policy::{Context, Policy, PolicyKind, PolicySet, Principal, Request, evaluate};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for kind in [PolicyKind::Identity, PolicyKind::Resource, PolicyKind::Trust, PolicyKind::ServiceControl] {
        if let Ok(policy) = Policy::parse(text, kind) {
            let _ = policy.context_keys();
            let principal = Principal::user("arn:aws:iam::111122223333:user/alice");
            let context = Context::new().with("aws:username", "alice");
            let request = Request {
                principal: &principal,
                action: "s3:GetObject",
                resource: "arn:aws:s3:::bucket/alice/key",
                context: &context,
                resource_account: None,
            };
            let set = PolicySet { identity: vec![("fuzz", &policy)], ..PolicySet::default() };
            let _ = evaluate(&request, &set);
        }
    }
});
