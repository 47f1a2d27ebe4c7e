//! Secrets at rest: long-term secret access keys must be recoverable to verify HMAC
//! signatures, so they are sealed with AES-256-GCM under the master key, with the access
//! key ID as associated data (a sealed secret moved to another key's record won't open).

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;
use warden_types::Secret;
use zeroize::Zeroizing;

const PREFIX: &str = "v1:";

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("sealed secret is malformed")]
    Malformed,
    #[error("sealed secret does not open with this master key (wrong WARDEN_MASTER_KEY or key file?)")]
    WrongKey,
}

/// Seals and opens secrets under the 32-byte master key.
#[derive(Clone)]
pub struct Sealer {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(<redacted>)")
    }
}

impl Sealer {
    pub fn new(master_key: &Zeroizing<[u8; 32]>) -> Self {
        Self {
            cipher: Aes256Gcm::new(master_key.as_ref().into()),
        }
    }

    pub fn seal(&self, secret: &str, context: &str) -> String {
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: secret.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{PREFIX}{}", STANDARD.encode(out))
    }

    pub fn open(&self, sealed: &str, context: &str) -> Result<Secret, SealError> {
        let raw = sealed.strip_prefix(PREFIX).ok_or(SealError::Malformed)?;
        let raw = STANDARD.decode(raw).map_err(|_| SealError::Malformed)?;
        if raw.len() < 12 + 16 {
            return Err(SealError::Malformed);
        }
        let (nonce, ct) = raw.split_at(12);
        let plain = Zeroizing::new(
            self.cipher
                .decrypt(
                    Nonce::from_slice(nonce),
                    Payload {
                        msg: ct,
                        aad: context.as_bytes(),
                    },
                )
                .map_err(|_| SealError::WrongKey)?,
        );
        let s = std::str::from_utf8(&plain).map_err(|_| SealError::Malformed)?;
        Ok(Secret::new(s))
    }
}

/// An argon2id PHC string of `password` under a fresh salt (console and user pool
/// passwords), or `None` if hashing failed.
pub fn hash_password(password: &str) -> Option<String> {
    use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .ok()
}

/// Constant-time (inside argon2) check of a password against a stored PHC hash.
pub fn verify_password(password: &str, phc: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(phc).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_binding() {
        let s = Sealer::new(&Zeroizing::new([7u8; 32]));
        let sealed = s.seal("wJalrXUtnFEMI/K7MDENG", "AKIA1");
        assert!(!sealed.contains("wJalr"));
        assert_eq!(
            s.open(&sealed, "AKIA1").unwrap().expose(),
            "wJalrXUtnFEMI/K7MDENG"
        );
        assert!(matches!(s.open(&sealed, "AKIA2"), Err(SealError::WrongKey)));
        let other = Sealer::new(&Zeroizing::new([8u8; 32]));
        assert!(matches!(other.open(&sealed, "AKIA1"), Err(SealError::WrongKey)));
        assert!(matches!(s.open("v1:AAAA", "AKIA1"), Err(SealError::Malformed)));
    }
}
