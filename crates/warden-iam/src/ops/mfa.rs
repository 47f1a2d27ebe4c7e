//! Virtual MFA devices (TOTP): create, enable with two consecutive codes, resync, deactivate, delete, list, tags.
//!
//! Codes are RFC 6238 TOTP: HMAC-SHA-1, 30-second steps, 6 digits, over the device's
//! seed (40 random bytes, shown once as Base32 and as a QR code of the `otpauth://` URI,
//! stored sealed). A code is accepted once: each device remembers the latest step it
//! accepted and refuses that step and older ones (RFC 6238 section 5.2).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use warden_types::Secret;

use super::{OpCtx, ops, page, page_list};
use crate::error::IamError;
use crate::input::Input;
use crate::model::*;
use crate::rules;
use crate::state::AccountState;
use crate::tx::Tx;
use crate::util::ts;
use crate::views;

use super::Target::*;

ops! { OPS {
    // INVARIANT: the resource of CreateVirtualMFADevice is `mfa/{path}{name}` in AWS; the
    // operations table has no target for it yet, so it is authorized on `*`.
    "CreateVirtualMFADevice" => Built(new_device_arn), Write(create);
    "EnableMFADevice" => User("UserName"), Write(enable);
    "ResyncMFADevice" => User("UserName"), Write(resync);
    "DeactivateMFADevice" => User("UserName"), Write(deactivate);
    "DeleteVirtualMFADevice" => ArnMember("SerialNumber"), Write(delete);
    "ListMFADevices" => User("UserName"), Read(list);
    "ListVirtualMFADevices" => Any, Read(list_virtual);
    "GetMFADevice" => User("UserName"), Read(get);
    "TagMFADevice" => ArnMember("SerialNumber"), Write(tag);
    "UntagMFADevice" => ArnMember("SerialNumber"), Write(untag);
    "ListMFADeviceTags" => ArnMember("SerialNumber"), Read(list_tags);
}}

/// MFA devices a user may have enabled at once (IAM quotas: "Assigned MFA devices per user").
const DEVICES_PER_USER: usize = 8;
/// Seconds per TOTP step and digits per code (RFC 6238 defaults, which AWS uses).
const STEP_SECONDS: i64 = 30;
/// Steps either side of now a code may come from when signing in (clock drift).
const SIGN_IN_WINDOW: u64 = 1;
/// Steps back a pair of codes may come from when enabling (the user types them slowly).
const ENABLE_WINDOW: u64 = 10;
/// Steps either side of now ResyncMFADevice searches (a device whose clock drifted).
const RESYNC_WINDOW: u64 = 40;
const SEED_BYTES: usize = 40;

fn no_device(serial: &str) -> IamError {
    IamError::NoSuchEntity(format!("MFA Device with serial number {serial} does not exist."))
}

fn invalid_code() -> IamError {
    IamError::InvalidAuthenticationCode("Authentication code for device is not valid.".into())
}

fn device<'a>(state: &'a AccountState, serial: &str) -> Result<&'a MfaDevice, IamError> {
    state
        .mfa_devices
        .get(&serial.to_ascii_lowercase())
        .ok_or_else(|| no_device(serial))
}

/// The user key a device is enabled for, if it is enabled (for STS's MFA checks).
pub fn device_owner<'a>(state: &'a AccountState, serial: &str) -> Option<&'a str> {
    state
        .mfa_devices
        .get(&serial.to_ascii_lowercase())
        .and_then(|d| d.user.as_deref())
}

pub fn create(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let name = input.str("VirtualMFADeviceName")?;
    let path = rules::path(input, "Path");
    let tags = input.tags("Tags");
    rules::check_tags(&tags)?;
    let serial = tx.state.arn("mfa", path, name);
    if tx.state.mfa_devices.contains_key(&serial.to_ascii_lowercase()) {
        return Err(IamError::EntityAlreadyExists(
            "MFADevice entity at the same path and name already exists.".into(),
        ));
    }
    let mut raw = [0u8; SEED_BYTES];
    rand::thread_rng().fill_bytes(&mut raw);
    let seed = Secret::new(base32(&raw));
    raw.fill(0);
    // The label is `name@account`, the account being its alias when it has one
    // (IAM User Guide, "Assign a virtual MFA device").
    let account = tx
        .state
        .info
        .as_ref()
        .and_then(|i| i.aliases.first().cloned())
        .unwrap_or_else(|| tx.state.id.to_string());
    let uri = format!(
        "otpauth://totp/{}@{}?secret={}",
        crate::util::url_encode(name),
        crate::util::url_encode(&account),
        seed.expose()
    );
    let png = qr_png(&uri).ok_or_else(|| IamError::ServiceFailure("QR code encoding failed".into()))?;
    let mut out = json!({
        "SerialNumber": serial,
        "Base32StringSeed": STANDARD.encode(seed.expose()),
        "QRCodePNG": STANDARD.encode(png),
    });
    if !tags.is_empty()
        && let Some(o) = out.as_object_mut()
    {
        o.insert("Tags".into(), views::tags(&tags));
    }
    tx.insert(MfaDevice {
        v: 1,
        seed_sealed: ctx.sealer.seal(seed.expose(), &serial),
        serial,
        name: name.to_owned(),
        path: path.to_owned(),
        seed: Some(seed),
        created: ctx.now,
        user: None,
        enabled: None,
        last_step: None,
        tags,
    });
    Ok(json!({ "VirtualMFADevice": out }))
}

pub fn enable(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let mut user = rules::user(&tx.state, input.str("UserName")?)?.clone();
    let serial = input.str("SerialNumber")?;
    let mut dev = device(&tx.state, serial)?.clone();
    if dev.user.is_some() {
        return Err(IamError::EntityAlreadyExists(
            "MFA Device is already in use.".into(),
        ));
    }
    if user.mfa_devices.len() >= DEVICES_PER_USER {
        return Err(IamError::LimitExceeded(format!(
            "Cannot exceed quota for MFADevicesPerUser: {DEVICES_PER_USER}"
        )));
    }
    let step = consecutive(&dev, input, ctx.now, ENABLE_WINDOW, 1)?;
    dev.user = Some(user.name.to_ascii_lowercase());
    dev.enabled = Some(ctx.now);
    dev.last_step = Some(step);
    user.mfa_devices.push(dev.serial.clone());
    tx.put(dev);
    tx.put(user);
    Ok(json!({}))
}

pub fn resync(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let user = rules::user(&tx.state, input.str("UserName")?)?;
    let key = user.name.to_ascii_lowercase();
    let serial = input.str("SerialNumber")?;
    let mut dev = device(&tx.state, serial)?.clone();
    if dev.user.as_deref() != Some(&key) {
        return Err(no_device(serial));
    }
    let step = consecutive(&dev, input, ctx.now, RESYNC_WINDOW, RESYNC_WINDOW)?;
    dev.last_step = Some(step);
    tx.put(dev);
    Ok(json!({}))
}

pub fn deactivate(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let serial = input.str("SerialNumber")?;
    let Some(user) = rules::user_or_caller(&tx.state, input, ctx.caller)? else {
        // The root user's MFA is not managed through IAM users: nothing to deactivate.
        return Err(no_device(serial));
    };
    let mut user = user.clone();
    let key = user.name.to_ascii_lowercase();
    let mut dev = device(&tx.state, serial)?.clone();
    if dev.user.as_deref() != Some(&key) {
        return Err(no_device(serial));
    }
    user.mfa_devices.retain(|s| !s.eq_ignore_ascii_case(&dev.serial));
    dev.user = None;
    dev.enabled = None;
    tx.put(dev);
    tx.put(user);
    Ok(json!({}))
}

pub fn delete(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let serial = input.str("SerialNumber")?;
    let dev = device(&tx.state, serial)?;
    if dev.user.is_some() {
        return Err(IamError::DeleteConflict(
            "MFA Device is in use and cannot be deleted; deactivate it first.".into(),
        ));
    }
    let key = dev.serial.to_ascii_lowercase();
    tx.delete::<MfaDevice>(&key);
    Ok(json!({}))
}

fn enabled_entry(state: &AccountState, d: &MfaDevice) -> Option<Value> {
    let user = state.users.get(d.user.as_deref()?)?;
    Some(json!({
        "UserName": user.name,
        "SerialNumber": d.serial,
        "EnableDate": ts(d.enabled?),
    }))
}

pub fn list(state: &AccountState, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let user = rules::user_or_caller(state, input, ctx.caller)?;
    let key = user.map(|u| u.name.to_ascii_lowercase());
    let mut out = Map::new();
    let devices = page(
        state
            .mfa_devices
            .iter()
            .filter(|(_, d)| key.is_some() && d.user == key),
        input,
        &mut out,
    )?;
    out.insert(
        "MFADevices".into(),
        devices
            .into_iter()
            .filter_map(|d| enabled_entry(state, d))
            .collect(),
    );
    Ok(Value::Object(out))
}

pub fn list_virtual(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    // AWS: "If you do not specify an AssignmentStatus, the operation defaults to Any".
    let status = input.opt_str("AssignmentStatus").unwrap_or("Any");
    let mut out = Map::new();
    let devices = page(
        state.mfa_devices.iter().filter(|(_, d)| match status {
            "Assigned" => d.user.is_some(),
            "Unassigned" => d.user.is_none(),
            _ => true,
        }),
        input,
        &mut out,
    )?;
    let devices: Vec<Value> = devices
        .into_iter()
        .map(|d| {
            let mut v = json!({ "SerialNumber": d.serial });
            if let Some(o) = v.as_object_mut() {
                if let Some(u) = d.user.as_ref().and_then(|u| state.users.get(u)) {
                    o.insert("User".into(), views::user(state, u, false));
                }
                if let Some(t) = d.enabled {
                    o.insert("EnableDate".into(), json!(ts(t)));
                }
                if !d.tags.is_empty() {
                    o.insert("Tags".into(), views::tags(&d.tags));
                }
            }
            v
        })
        .collect();
    out.insert("VirtualMFADevices".into(), Value::Array(devices));
    Ok(Value::Object(out))
}

pub fn get(state: &AccountState, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let serial = input.str("SerialNumber")?;
    let user = rules::user_or_caller(state, input, ctx.caller)?;
    let key = user.map(|u| u.name.to_ascii_lowercase());
    let dev = device(state, serial)?;
    if key.is_none() || dev.user != key {
        return Err(no_device(serial));
    }
    enabled_entry(state, dev).ok_or_else(|| no_device(serial))
}

pub fn tag(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let mut dev = device(&tx.state, input.str("SerialNumber")?)?.clone();
    dev.tags = rules::add_tags(&dev.tags, input.tags("Tags"))?;
    tx.put(dev);
    Ok(json!({}))
}

pub fn untag(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let mut dev = device(&tx.state, input.str("SerialNumber")?)?.clone();
    dev.tags = rules::remove_tags(&dev.tags, &input.strings("TagKeys"));
    tx.put(dev);
    Ok(json!({}))
}

pub fn list_tags(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let dev = device(state, input.str("SerialNumber")?)?;
    let mut out = Map::new();
    let tags = page_list(dev.tags.clone(), input, &mut out)?;
    out.insert("Tags".into(), json!(tags));
    Ok(Value::Object(out))
}

/// Checks a code of an ENABLED device for STS (GetSessionToken, AssumeRole with
/// `SerialNumber`/`TokenCode`) and records it as used, so that it cannot be replayed.
/// A code from the current step or one either side is accepted, if it is newer than the
/// last code the device accepted. Errors are STS's `AccessDenied`.
pub fn consume_mfa_code(tx: &mut Tx, serial: &str, code: &str, now: OffsetDateTime) -> Result<(), IamError> {
    let failed = || {
        IamError::AccessDenied("MultiFactorAuthentication failed with invalid MFA one time pass code.".into())
    };
    let Some(dev) = tx.state.mfa_devices.get(&serial.to_ascii_lowercase()) else {
        return Err(IamError::AccessDenied(
            "MultiFactorAuthentication failed, unable to validate MFA code.".into(),
        ));
    };
    if dev.user.is_none() {
        return Err(IamError::AccessDenied(
            "MultiFactorAuthentication failed, unable to validate MFA code.".into(),
        ));
    }
    let seed = seed_bytes(dev).ok_or_else(failed)?;
    let current = step_at(now);
    let first = current.saturating_sub(SIGN_IN_WINDOW);
    let found = (first..=current + SIGN_IN_WINDOW)
        .filter(|s| dev.last_step.is_none_or(|last| *s > last))
        .find(|s| codes_equal(&totp(&seed, *s), code));
    let step = found.ok_or_else(failed)?;
    let mut dev = dev.clone();
    dev.last_step = Some(step);
    tx.put(dev);
    Ok(())
}

/// Finds the step `t` with `AuthenticationCode1` = code(t) and `AuthenticationCode2` =
/// code(t + 1), `t + 1` within `back` steps before and `ahead` steps after now and newer
/// than the device's last accepted step; returns `t + 1`.
fn consecutive(
    dev: &MfaDevice,
    input: &Input,
    now: OffsetDateTime,
    back: u64,
    ahead: u64,
) -> Result<u64, IamError> {
    let code1 = input.str("AuthenticationCode1")?;
    let code2 = input.str("AuthenticationCode2")?;
    let seed = seed_bytes(dev).ok_or_else(invalid_code)?;
    let current = step_at(now);
    let lowest = current.saturating_sub(back).max(1);
    (lowest..=current + ahead)
        .filter(|s| dev.last_step.is_none_or(|last| s.saturating_sub(1) > last))
        .find(|s| codes_equal(&totp(&seed, *s), code2) && codes_equal(&totp(&seed, s - 1), code1))
        .ok_or_else(invalid_code)
}

fn step_at(now: OffsetDateTime) -> u64 {
    u64::try_from(now.unix_timestamp() / STEP_SECONDS).unwrap_or(0)
}

fn seed_bytes(dev: &MfaDevice) -> Option<zeroize::Zeroizing<Vec<u8>>> {
    dev.seed
        .as_ref()
        .and_then(|s| base32_decode(s.expose()))
        .map(zeroize::Zeroizing::new)
}

/// Constant-time comparison of two codes (their lengths are public).
fn codes_equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The 6-digit TOTP code of `seed` at time step `step` (RFC 4226 dynamic truncation).
pub fn totp(seed: &[u8], step: u64) -> String {
    let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(seed) else {
        return String::new();
    };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest.last().copied().unwrap_or(0) & 0x0f);
    let mut word = [0u8; 4];
    for (i, b) in word.iter_mut().enumerate() {
        *b = digest.get(offset + i).copied().unwrap_or(0);
    }
    let value = u32::from_be_bytes(word) & 0x7fff_ffff;
    format!("{:06}", value % 1_000_000)
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 Base32 without padding.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(
                BASE32
                    .get(((buffer >> bits) & 31) as usize)
                    .copied()
                    .unwrap_or(b'A'),
            ));
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(
            BASE32
                .get(((buffer << (5 - bits)) & 31) as usize)
                .copied()
                .unwrap_or(b'A'),
        ));
    }
    out
}

pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = BASE32.iter().position(|x| *x == c.to_ascii_uppercase())?;
        buffer = (buffer << 5) | u32::try_from(v).ok()?;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).ok()?);
        }
        buffer &= (1 << bits) - 1;
    }
    Some(out)
}

/// A PNG of the QR code of `text`: black modules on white, 4 pixels per module, with the
/// 4-module quiet zone the QR standard asks for; 1-bit grayscale, stored (uncompressed)
/// deflate blocks, which every PNG decoder reads.
pub fn qr_png(text: &str) -> Option<Vec<u8>> {
    const SCALE: usize = 4;
    const QUIET: usize = 4;
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M).ok()?;
    let width = code.width();
    let dark: Vec<bool> = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    let px = (width + 2 * QUIET) * SCALE;
    let row_bytes = px.div_ceil(8);
    let mut raw = Vec::with_capacity((row_bytes + 1) * px);
    for y in 0..px {
        raw.push(0); // filter type None
        let my = (y / SCALE).checked_sub(QUIET).filter(|m| *m < width);
        let mut row = vec![0xffu8; row_bytes];
        for x in 0..px {
            let mx = (x / SCALE).checked_sub(QUIET).filter(|m| *m < width);
            let is_dark = match (mx, my) {
                (Some(mx), Some(my)) => dark.get(my * width + mx).copied().unwrap_or(false),
                _ => false,
            };
            if is_dark && let Some(b) = row.get_mut(x / 8) {
                *b &= !(0x80u8 >> (x % 8));
            }
        }
        raw.extend_from_slice(&row);
    }
    let side = u32::try_from(px).ok()?;
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&[1, 0, 0, 0, 0]); // bit depth 1, grayscale, deflate, no filter, no interlace
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png_chunk(&mut png, b"IHDR", &ihdr);
    png_chunk(&mut png, b"IDAT", &zlib_stored(&raw));
    png_chunk(&mut png, b"IEND", &[]);
    Some(png)
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(0).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(out.get(start..).unwrap_or_default());
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A zlib stream (RFC 1950) of stored deflate blocks (RFC 1951 section 3.2.4).
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let mut blocks = data.chunks(0xffff).peekable();
    if blocks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(block) = blocks.next() {
        out.push(u8::from(blocks.peek().is_none()));
        let len = u16::try_from(block.len()).unwrap_or(0);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// The ARN CreateVirtualMFADevice's device will have: `mfa/{path}{name}` (AWS's
/// self-service MFA policy grants it on `mfa/${aws:username}`).
fn new_device_arn(state: &AccountState, input: &Input) -> String {
    let path = input.opt_str("Path").unwrap_or("/");
    state.arn(
        "mfa",
        path,
        input.opt_str("VirtualMFADeviceName").unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totp_matches_rfc_6238_vectors() {
        // RFC 6238 appendix B, SHA-1 seed "12345678901234567890", last 6 of the 8 digits.
        let seed = b"12345678901234567890";
        for (time, code) in [
            (59u64, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(totp(seed, time / 30), code, "time {time}");
        }
    }

    #[test]
    fn base32_round_trips_rfc_4648_vectors() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"fooba"), "MZXW6YTB");
        assert_eq!(base32_decode("MZXW6YTBOI").unwrap(), b"foobar");
        assert_eq!(base32_decode("MZXW6YTB").unwrap(), b"fooba");
        assert!(base32_decode("1!").is_none());
    }

    #[test]
    fn qr_png_is_a_well_formed_png() {
        let png = qr_png("otpauth://totp/alice@123456789012?secret=ABC").unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert_eq!(png.get(12..16).unwrap(), b"IHDR");
        // CRC of "IEND" with no data is the well-known AE426082.
        assert_eq!(png.get(png.len() - 4..).unwrap(), [0xae, 0x42, 0x60, 0x82]);
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }
}
