//! Virtual MFA devices: creation (seed and QR code), enabling with two consecutive TOTP
//! codes, resync, replay refusal, deactivation, deletion conflicts, listing and tags.

use aws_sdk_iam::operation::enable_mfa_device::builders::EnableMFADeviceFluentBuilder;
use aws_sdk_iam::operation::resync_mfa_device::builders::ResyncMFADeviceFluentBuilder;
use aws_sdk_iam::types::{AssignmentStatusType, Tag};
use warden_testkit::{ACCOUNT_ID, TestServer};

use crate::{code, err};

/// SHA-1 (FIPS 180-4), written out here so the test checks the server's TOTP
/// against an independent implementation.
fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0];
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for chunk in msg.chunks(64) {
        let mut w = [0u32; 80];
        for i in 0..16 {
            w[i] = u32::from_be_bytes(chunk[i * 4..i * 4 + 4].try_into().unwrap());
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, x) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

fn hmac_sha1(key: &[u8], msg: &[u8]) -> [u8; 20] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..20].copy_from_slice(&sha1(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let inner: Vec<u8> = k.iter().map(|b| b ^ 0x36).chain(msg.iter().copied()).collect();
    let outer: Vec<u8> = k.iter().map(|b| b ^ 0x5c).chain(sha1(&inner)).collect();
    sha1(&outer)
}

fn base32_decode(s: &str) -> Vec<u8> {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut buf, mut bits, mut out) = (0u64, 0, Vec::new());
    for c in s.bytes() {
        buf = (buf << 5) | alphabet.iter().position(|a| *a == c).unwrap() as u64;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}

/// The RFC 6238 code of `seed` (Base32) at 30-second step `step`.
pub fn totp(seed: &str, step: u64) -> String {
    let mac = hmac_sha1(&base32_decode(seed), &step.to_be_bytes());
    let off = (mac[19] & 0x0f) as usize;
    let v = u32::from_be_bytes(mac[off..off + 4].try_into().unwrap()) & 0x7fff_ffff;
    format!("{:06}", v % 1_000_000)
}

pub fn step_now() -> u64 {
    (time::OffsetDateTime::now_utc().unix_timestamp() / 30) as u64
}

#[test]
fn totp_helper_matches_rfc_6238() {
    // "12345678901234567890" in Base32.
    let seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    assert_eq!(totp(seed, 59 / 30), "287082");
    assert_eq!(totp(seed, 1_111_111_109 / 30), "081804");
}

/// EnableMfaDevice of `serial` for `user`, with the codes of `seed` at the two `steps`.
pub fn enable(
    iam: &aws_sdk_iam::Client,
    user: &str,
    serial: &str,
    seed: &str,
    steps: [u64; 2],
) -> EnableMFADeviceFluentBuilder {
    iam.enable_mfa_device()
        .user_name(user)
        .serial_number(serial)
        .authentication_code1(totp(seed, steps[0]))
        .authentication_code2(totp(seed, steps[1]))
}

/// ResyncMfaDevice of `serial` for `user`, with the codes of `seed` at the two `steps`.
fn resync(
    iam: &aws_sdk_iam::Client,
    user: &str,
    serial: &str,
    seed: &str,
    steps: [u64; 2],
) -> ResyncMFADeviceFluentBuilder {
    iam.resync_mfa_device()
        .user_name(user)
        .serial_number(serial)
        .authentication_code1(totp(seed, steps[0]))
        .authentication_code2(totp(seed, steps[1]))
}

/// Creates a virtual device and returns (serial, Base32 seed).
pub async fn create_device(iam: &aws_sdk_iam::Client, name: &str) -> (String, String) {
    let out = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name(name)
        .send()
        .await
        .unwrap();
    let d = out.virtual_mfa_device().unwrap();
    let seed = String::from_utf8(d.base32_string_seed().unwrap().as_ref().to_vec()).unwrap();
    (d.serial_number().to_owned(), seed)
}

#[tokio::test]
async fn virtual_mfa_device_lifecycle() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let out = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("alice-phone")
        .path("/team/")
        .tags(Tag::builder().key("owner").value("alice").build().unwrap())
        .send()
        .await
        .unwrap();
    let d = out.virtual_mfa_device().unwrap();
    let serial = d.serial_number().to_owned();
    assert_eq!(serial, format!("arn:aws:iam::{ACCOUNT_ID}:mfa/team/alice-phone"));
    let seed = String::from_utf8(d.base32_string_seed().unwrap().as_ref().to_vec()).unwrap();
    assert_eq!(seed.len(), 64, "40 random bytes in Base32");
    assert!(
        seed.bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b))
    );
    let png = d.qr_code_png().unwrap().as_ref();
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 200,
        "a PNG image"
    );
    assert_eq!(d.tags().len(), 1);

    let (c, m) = err(iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("alice-phone")
        .path("/team/")
        .send()
        .await);
    assert_eq!(
        (c.as_str(), m.as_str()),
        (
            "EntityAlreadyExists",
            "MFADevice entity at the same path and name already exists."
        )
    );

    iam.create_user().user_name("alice").send().await.unwrap();
    let step = step_now();
    // Wrong codes, and right codes out of order, are refused with 403.
    let (c, m) = err(iam
        .enable_mfa_device()
        .user_name("alice")
        .serial_number(&serial)
        .authentication_code1("000000")
        .authentication_code2("000000")
        .send()
        .await);
    assert_eq!(
        (c.as_str(), m.as_str()),
        (
            "InvalidAuthenticationCode",
            "Authentication code for device is not valid."
        )
    );
    assert_eq!(
        code(
            enable(&iam, "alice", &serial, &seed, [step, step - 1])
                .send()
                .await
        ),
        "InvalidAuthenticationCode"
    );
    enable(&iam, "alice", &serial, &seed, [step - 1, step])
        .send()
        .await
        .unwrap();

    let listed = iam.list_mfa_devices().user_name("alice").send().await.unwrap();
    assert_eq!(listed.mfa_devices().len(), 1);
    assert_eq!(listed.mfa_devices()[0].serial_number(), serial);
    assert_eq!(listed.mfa_devices()[0].user_name(), "alice");
    let got = iam
        .get_mfa_device()
        .serial_number(&serial)
        .user_name("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(got.user_name(), Some("alice"));
    assert!(got.enable_date().is_some());

    // A second device cannot take an assigned one's place; an assigned one can't be deleted.
    iam.create_user().user_name("bob").send().await.unwrap();
    assert_eq!(
        code(
            enable(&iam, "bob", &serial, &seed, [step + 1, step + 2])
                .send()
                .await
        ),
        "EntityAlreadyExists"
    );
    assert_eq!(
        code(
            iam.delete_virtual_mfa_device()
                .serial_number(&serial)
                .send()
                .await
        ),
        "DeleteConflict"
    );
    let (c, m) = err(iam.delete_user().user_name("alice").send().await);
    assert_eq!(
        (c.as_str(), m.as_str()),
        (
            "DeleteConflict",
            "Cannot delete entity, must delete MFA device first."
        )
    );

    // A code is accepted once: resyncing with the codes that enabled the device fails.
    assert_eq!(
        code(
            resync(&iam, "alice", &serial, &seed, [step - 1, step])
                .send()
                .await
        ),
        "InvalidAuthenticationCode"
    );
    resync(&iam, "alice", &serial, &seed, [step + 1, step + 2])
        .send()
        .await
        .unwrap();

    let (_, _) = create_device(&iam, "spare").await;
    let assigned = iam
        .list_virtual_mfa_devices()
        .assignment_status(AssignmentStatusType::Assigned)
        .send()
        .await
        .unwrap();
    assert_eq!(assigned.virtual_mfa_devices().len(), 1);
    assert_eq!(
        assigned.virtual_mfa_devices()[0].user().unwrap().user_name(),
        "alice"
    );
    assert!(
        assigned.virtual_mfa_devices()[0].base32_string_seed().is_none(),
        "the seed is shown once"
    );
    let unassigned = iam
        .list_virtual_mfa_devices()
        .assignment_status(AssignmentStatusType::Unassigned)
        .send()
        .await
        .unwrap();
    assert_eq!(unassigned.virtual_mfa_devices().len(), 1);
    let all = iam.list_virtual_mfa_devices().max_items(1).send().await.unwrap();
    assert_eq!(all.virtual_mfa_devices().len(), 1);
    assert!(all.is_truncated());
    let rest = iam
        .list_virtual_mfa_devices()
        .marker(all.marker().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.virtual_mfa_devices().len(), 1);
    assert!(!rest.is_truncated());

    iam.deactivate_mfa_device()
        .user_name("alice")
        .serial_number(&serial)
        .send()
        .await
        .unwrap();
    assert!(
        iam.list_mfa_devices()
            .user_name("alice")
            .send()
            .await
            .unwrap()
            .mfa_devices()
            .is_empty()
    );
    iam.delete_virtual_mfa_device()
        .serial_number(&serial)
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(
            iam.delete_virtual_mfa_device()
                .serial_number(&serial)
                .send()
                .await
        ),
        "NoSuchEntity"
    );
    iam.delete_user().user_name("alice").send().await.unwrap();
}

#[tokio::test]
async fn mfa_device_tags_and_sealed_seed_survive_restart() {
    let s = TestServer::start().await;
    let iam = s.root_iam();
    let (serial, seed) = create_device(&iam, "carol-phone").await;
    iam.tag_mfa_device()
        .serial_number(&serial)
        .tags(Tag::builder().key("team").value("blue").build().unwrap())
        .tags(Tag::builder().key("env").value("dev").build().unwrap())
        .send()
        .await
        .unwrap();
    iam.untag_mfa_device()
        .serial_number(&serial)
        .tag_keys("ENV")
        .send()
        .await
        .unwrap();
    let tags = iam
        .list_mfa_device_tags()
        .serial_number(&serial)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags().len(), 1);
    assert_eq!(tags.tags()[0].key(), "team");
    assert_eq!(
        code(
            iam.list_mfa_device_tags()
                .serial_number(format!("arn:aws:iam::{ACCOUNT_ID}:mfa/nobody"))
                .send()
                .await
        ),
        "NoSuchEntity"
    );
    iam.create_user().user_name("carol").send().await.unwrap();
    let step = step_now();
    enable(&iam, "carol", &serial, &seed, [step - 1, step])
        .send()
        .await
        .unwrap();

    // The seed is sealed at rest: it appears in no file of the data directory.
    for entry in std::fs::read_dir(s.data_dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(seed.len()).any(|w| w == seed.as_bytes()),
                "seed in clear in {path:?}"
            );
        }
    }
    let s = s.restart().await;
    let iam = s.root_iam();
    // The seed was stored sealed and opens again after a restart: codes still verify,
    // and the last accepted step was kept (a replay is still refused).
    assert_eq!(
        code(
            resync(&iam, "carol", &serial, &seed, [step - 1, step])
                .send()
                .await
        ),
        "InvalidAuthenticationCode"
    );
    resync(&iam, "carol", &serial, &seed, [step + 3, step + 4])
        .send()
        .await
        .unwrap();
    let listed = iam.list_mfa_devices().user_name("carol").send().await.unwrap();
    assert_eq!(listed.mfa_devices().len(), 1);
}
