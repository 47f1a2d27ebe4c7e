//! Fuzzes awsJson decoding and validation: the first line is the operation, the rest the body.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|b| *b == b'\n').unwrap_or(data.len());
    let (op, body) = data.split_at(split);
    let op = String::from_utf8_lossy(op);
    for (model, prefix) in [
        (warden_wire::cognito_idp(), "AWSCognitoIdentityProviderService"),
        (warden_wire::cognito_identity(), "AWSCognitoIdentityService"),
    ] {
        let target = format!("{prefix}.{op}");
        if let Ok((op, input)) = warden_wire::decode_json(model, &target, body) {
            let _ = warden_wire::validate(model, &op, &input);
        }
    }
});
