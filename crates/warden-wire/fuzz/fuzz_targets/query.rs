//! Fuzzes awsQuery decoding and validation with arbitrary form bodies.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let body = String::from_utf8_lossy(data);
    let pairs: Vec<(String, String)> = body
        .split('&')
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_owned(), v.to_owned())
        })
        .collect();
    for model in [warden_wire::iam(), warden_wire::sts()] {
        if let Ok(req) = warden_wire::decode_query(model, &pairs) {
            let _ = warden_wire::validate(model, &req.action, &req.input);
        }
    }
});
