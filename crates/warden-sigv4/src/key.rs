//! Secret access keys, signing keys and the key derivation of SigV4.
//!
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html>
//! (step 4): `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
//! "aws4_request")`.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use time::Date;
use zeroize::Zeroize;

use crate::parse::CredentialScope;
use crate::time_fmt::format_date_stamp;

type HmacSha256 = Hmac<Sha256>;

/// A secret access key (40 characters at AWS). `Debug` never shows it; it is zeroed on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretAccessKey(String);

impl SecretAccessKey {
    /// Wraps a secret access key.
    #[must_use]
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, for the one place that needs it (sealing it at rest, deriving keys).
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretAccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretAccessKey(**redacted**)")
    }
}

impl Drop for SecretAccessKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// A derived SigV4 signing key (`kSigning`), valid for one (secret, date, region, service).
///
/// The server may cache it per (access key, date, region, service): deriving costs four
/// HMACs, verifying with it one. `Debug` never shows it; it is zeroed on drop.
#[derive(Clone)]
pub struct SigningKey([u8; 32]);

impl SigningKey {
    /// Rebuilds a signing key from its 32 bytes (e.g. from a cache).
    #[must_use]
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The key's bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// `HMAC-SHA256(self, message)`.
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 32] {
        hmac(&self.0, message)
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(**redacted**)")
    }
}

impl Drop for SigningKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    // INVARIANT: HMAC accepts keys of any length, so `new_from_slice` cannot fail; the
    // fallback is unreachable and would only yield a key that verifies nothing.
    let Ok(mut mac) = HmacSha256::new_from_slice(key) else {
        return [0; 32];
    };
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Derives the SigV4 signing key for a secret and a credential scope's date, region and service.
#[must_use]
pub fn derive_signing_key(secret: &SecretAccessKey, date: Date, region: &str, service: &str) -> SigningKey {
    let mut seed = Vec::with_capacity(4 + secret.0.len());
    seed.extend_from_slice(b"AWS4");
    seed.extend_from_slice(secret.0.as_bytes());
    let mut k_date = hmac(&seed, format_date_stamp(date).as_bytes());
    seed.zeroize();
    let mut k_region = hmac(&k_date, region.as_bytes());
    k_date.zeroize();
    let mut k_service = hmac(&k_region, service.as_bytes());
    k_region.zeroize();
    let k_signing = hmac(&k_service, b"aws4_request");
    k_service.zeroize();
    SigningKey(k_signing)
}

/// The key a request is verified with: the secret itself (derived on the fly) or a signing key
/// derived beforehand (e.g. cached). `&SecretAccessKey` and `&SigningKey` both convert into it.
#[derive(Debug, Clone, Copy)]
pub enum VerifyingKey<'a> {
    /// Derive the signing key from this secret and the request's credential scope.
    Secret(&'a SecretAccessKey),
    /// Use this signing key, which the caller derived for the request's credential scope.
    Derived(&'a SigningKey),
}

impl<'a> From<&'a SecretAccessKey> for VerifyingKey<'a> {
    fn from(secret: &'a SecretAccessKey) -> Self {
        Self::Secret(secret)
    }
}

impl<'a> From<&'a SigningKey> for VerifyingKey<'a> {
    fn from(key: &'a SigningKey) -> Self {
        Self::Derived(key)
    }
}

impl VerifyingKey<'_> {
    pub(crate) fn signature(&self, scope: &CredentialScope, string_to_sign: &[u8]) -> [u8; 32] {
        match self {
            Self::Secret(secret) => {
                derive_signing_key(secret, scope.date(), scope.region(), scope.service()).sign(string_to_sign)
            }
            Self::Derived(key) => key.sign(string_to_sign),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::date;

    #[test]
    fn derives_aws_documented_key() {
        // AWS's documented example (IAM user guide, "Examples of how to derive a signing key"):
        // secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20120215, us-east-1, iam.
        let secret = SecretAccessKey::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        let key = derive_signing_key(&secret, date!(2012 - 02 - 15), "us-east-1", "iam");
        assert_eq!(
            hex::encode(key.as_bytes()),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }

    #[test]
    fn debug_is_redacted() {
        let secret = SecretAccessKey::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        assert_eq!(format!("{secret:?}"), "SecretAccessKey(**redacted**)");
        let key = SigningKey::from_bytes([7; 32]);
        assert_eq!(format!("{key:?}"), "SigningKey(**redacted**)");
    }
}
