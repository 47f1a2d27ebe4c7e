//! Sealed STS session tokens.
//!
//! Temporary credentials are stateless (DESIGN.md, "Secrets and sessions"): the session
//! token is an AES-256-GCM-sealed blob holding the secret key, the principal, session
//! policies and tags, issue time, expiry and MFA state. Any node that holds the sealing
//! keys verifies it without a database read. Keys rotate: a [`Keyring`] seals with its
//! newest key and opens with any key it still holds, so rotation never invalidates a
//! live session.
//!
//! Pure: the caller passes the keys, the nonce and the time.
//!
//! ```
//! use warden_token::{Keyring, SealingKey, SessionClaims, SessionPrincipal};
//! use time::macros::datetime;
//!
//! let ring = Keyring::new(vec![SealingKey::new(1, [7u8; 32])]).unwrap();
//! let issued = datetime!(2026-01-01 00:00 UTC);
//! let claims = SessionClaims {
//!     access_key_id: "ASIAEXAMPLE000000001".into(),
//!     secret_access_key: "secret".into(),
//!     account: "123456789012".into(),
//!     principal: SessionPrincipal::SessionToken { user: None },
//!     issued_at: issued,
//!     expires_at: issued + time::Duration::hours(1),
//!     ..SessionClaims::default()
//! };
//! let token = ring.seal(&claims, [0u8; 12]).unwrap();
//! let opened = ring.open(&token).unwrap();
//! assert_eq!(opened.account, "123456789012");
//! assert!(opened.is_expired(issued + time::Duration::hours(2)));
//! ```

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use zeroize::Zeroizing;

/// Binds every token to this format: a token of another format or purpose won't open.
const AAD: &[u8] = b"warden-sts-session-v1";
/// Tokens start with this, so that a token is recognisable in logs without revealing anything.
const PREFIX: &str = "WST1";
/// Longer inputs are refused before any decoding (AWS tokens are well under this).
pub const MAX_TOKEN_LEN: usize = 16 * 1024;

/// Whose session a token carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum SessionPrincipal {
    /// AssumeRole*, by the role's lower-cased name, ID and ARN (with path).
    AssumedRole {
        role: String,
        role_id: String,
        role_arn: String,
        session_name: String,
    },
    /// GetFederationToken by an IAM user (lower-cased name) or the root user (`None`).
    FederatedUser { name: String, user: Option<String> },
    /// GetSessionToken by an IAM user (lower-cased name) or the root user (`None`).
    SessionToken { user: Option<String> },
}

impl Default for SessionPrincipal {
    fn default() -> Self {
        SessionPrincipal::SessionToken { user: None }
    }
}

/// What a session token carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionClaims {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub account: String,
    pub principal: SessionPrincipal,
    /// Kept to the nanosecond: revocation compares it with `aws:TokenIssueTime` cut-offs.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    #[serde(with = "time::serde::timestamp")]
    pub expires_at: OffsetDateTime,
    /// When MFA was proven for this session (None: not MFA-authenticated).
    #[serde(default, with = "time::serde::timestamp::option")]
    pub mfa_authenticated_at: Option<OffsetDateTime>,
    /// Inline session policy text.
    #[serde(default)]
    pub session_policy: Option<String>,
    /// Managed session policy ARNs.
    #[serde(default)]
    pub session_policy_arns: Vec<String>,
    /// Session tags (become `aws:PrincipalTag/*`), with their keys' original case.
    #[serde(default)]
    pub tags: Vec<(String, String)>,
    /// Tag keys that pass on to a chained role session.
    #[serde(default)]
    pub transitive_tag_keys: Vec<String>,
    #[serde(default)]
    pub source_identity: Option<String>,
    /// Whether this session came from a role session assuming a role (role chaining).
    #[serde(default)]
    pub chained: bool,
    /// The unique ID of the IAM user a GetSessionToken or GetFederationToken session
    /// belongs to: a user deleted and created again under the same name is another
    /// principal, which the old sessions must not act as (roles: `role_id`).
    #[serde(default)]
    pub user_id: Option<String>,
}

impl Default for SessionClaims {
    fn default() -> Self {
        Self {
            access_key_id: String::new(),
            secret_access_key: String::new(),
            account: String::new(),
            principal: SessionPrincipal::default(),
            issued_at: OffsetDateTime::UNIX_EPOCH,
            expires_at: OffsetDateTime::UNIX_EPOCH,
            mfa_authenticated_at: None,
            session_policy: None,
            session_policy_arns: Vec::new(),
            tags: Vec::new(),
            transitive_tag_keys: Vec::new(),
            source_identity: None,
            chained: false,
            user_id: None,
        }
    }
}

impl SessionClaims {
    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        now >= self.expires_at
    }
}

/// One sealing key with its ID (IDs let a keyring pick the right key to open with).
#[derive(Clone)]
pub struct SealingKey {
    id: u32,
    key: Zeroizing<[u8; 32]>,
}

impl SealingKey {
    pub fn new(id: u32, key: [u8; 32]) -> Self {
        Self {
            id,
            key: Zeroizing::new(key),
        }
    }

    pub fn id(&self) -> u32 {
        self.id
    }

    pub fn bytes(&self) -> &[u8; 32] {
        &self.key
    }
}

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SealingKey({}, <redacted>)", self.id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a token of ours, truncated, tampered with, or sealed with a key we no longer hold.
    #[error("the security token is invalid")]
    Invalid,
    /// Sealed with a key this keyring does not hold (yet): the caller may reload its keys.
    #[error("the security token was sealed with unknown key {0}")]
    UnknownKey(u32),
    #[error("a keyring needs at least one key")]
    EmptyKeyring,
    #[error("claims could not be serialized")]
    Encoding,
}

/// The sealing keys: the newest (highest ID) seals; all of them open.
#[derive(Debug, Clone)]
pub struct Keyring {
    keys: Vec<SealingKey>,
}

impl Keyring {
    pub fn new(mut keys: Vec<SealingKey>) -> Result<Self, TokenError> {
        if keys.is_empty() {
            return Err(TokenError::EmptyKeyring);
        }
        keys.sort_by_key(|k| std::cmp::Reverse(k.id));
        Ok(Self { keys })
    }

    pub fn current(&self) -> Option<&SealingKey> {
        self.keys.first()
    }

    pub fn keys(&self) -> &[SealingKey] {
        &self.keys
    }

    /// Seals `claims` with the current key and the caller's fresh random `nonce`.
    pub fn seal(&self, claims: &SessionClaims, nonce: [u8; 12]) -> Result<String, TokenError> {
        let plain = Zeroizing::new(serde_json::to_vec(claims).map_err(|_| TokenError::Encoding)?);
        self.seal_bytes(AAD, &plain, nonce)
    }

    /// Opens a token: authentic and intact, or an error. Expiry is the caller's check
    /// ([`SessionClaims::is_expired`]), so that it can answer `ExpiredToken`.
    pub fn open(&self, token: &str) -> Result<SessionClaims, TokenError> {
        let plain = Zeroizing::new(self.open_bytes(AAD, token)?);
        serde_json::from_slice(&plain).map_err(|_| TokenError::Invalid)
    }

    /// Seals any bytes for `purpose` (the associated data: a blob sealed for one purpose
    /// never opens for another), e.g. encoded authorization failure messages.
    pub fn seal_bytes(&self, purpose: &[u8], plain: &[u8], nonce: [u8; 12]) -> Result<String, TokenError> {
        let key = self.current().ok_or(TokenError::EmptyKeyring)?;
        let cipher = Aes256Gcm::new(key.key.as_ref().into());
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: purpose,
                },
            )
            .map_err(|_| TokenError::Encoding)?;
        let mut raw = Vec::with_capacity(4 + 12 + sealed.len());
        raw.extend_from_slice(&key.id.to_be_bytes());
        raw.extend_from_slice(&nonce);
        raw.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(raw)))
    }

    /// Opens what [`Keyring::seal_bytes`] sealed for the same `purpose`.
    pub fn open_bytes(&self, purpose: &[u8], token: &str) -> Result<Vec<u8>, TokenError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Invalid);
        }
        let body = token.strip_prefix(PREFIX).ok_or(TokenError::Invalid)?;
        let raw = URL_SAFE_NO_PAD.decode(body).map_err(|_| TokenError::Invalid)?;
        let (id, rest) = raw.split_first_chunk::<4>().ok_or(TokenError::Invalid)?;
        let (nonce, sealed) = rest.split_first_chunk::<12>().ok_or(TokenError::Invalid)?;
        let id = u32::from_be_bytes(*id);
        let key = self
            .keys
            .iter()
            .find(|k| k.id == id)
            .ok_or(TokenError::UnknownKey(id))?;
        let cipher = Aes256Gcm::new(key.key.as_ref().into());
        cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: purpose,
                },
            )
            .map_err(|_| TokenError::Invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    fn claims() -> SessionClaims {
        SessionClaims {
            access_key_id: "ASIAEXAMPLE000000001".into(),
            secret_access_key: "s".repeat(40),
            account: "123456789012".into(),
            principal: SessionPrincipal::AssumedRole {
                role: "app".into(),
                role_id: "AROAEXAMPLE".into(),
                role_arn: "arn:aws:iam::123456789012:role/app".into(),
                session_name: "s1".into(),
            },
            issued_at: datetime!(2026-01-01 00:00 UTC),
            expires_at: datetime!(2026-01-01 01:00 UTC),
            session_policy: Some("{}".into()),
            tags: vec![("team".into(), "blue".into())],
            ..SessionClaims::default()
        }
    }

    #[test]
    fn round_trip_and_rotation() {
        let old = Keyring::new(vec![SealingKey::new(1, [1; 32])]).unwrap();
        let token = old.seal(&claims(), [9; 12]).unwrap();
        let rotated = Keyring::new(vec![SealingKey::new(1, [1; 32]), SealingKey::new(2, [2; 32])]).unwrap();
        assert_eq!(rotated.current().unwrap().id(), 2);
        assert_eq!(
            rotated.open(&token).unwrap(),
            claims(),
            "rotation keeps live sessions"
        );
        let new_token = rotated.seal(&claims(), [9; 12]).unwrap();
        assert_eq!(old.open(&new_token), Err(TokenError::UnknownKey(2)));
        let dropped = Keyring::new(vec![SealingKey::new(2, [2; 32])]).unwrap();
        assert_eq!(dropped.open(&token), Err(TokenError::UnknownKey(1)));
    }

    #[test]
    fn tampered_truncated_and_foreign_tokens_are_invalid() {
        let ring = Keyring::new(vec![SealingKey::new(1, [1; 32])]).unwrap();
        let token = ring.seal(&claims(), [3; 12]).unwrap();
        for i in PREFIX.len()..token.len() {
            let mut bytes = token.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let t = String::from_utf8(bytes).unwrap();
            assert!(
                ring.open(&t).is_err(),
                "flipping byte {i} must invalidate the token"
            );
        }
        assert_eq!(ring.open(&token[..token.len() - 3]), Err(TokenError::Invalid));
        let other = Keyring::new(vec![SealingKey::new(1, [5; 32])]).unwrap();
        assert_eq!(other.open(&token), Err(TokenError::Invalid));
        assert_eq!(ring.open("FwoGZXIvYXdzEJr"), Err(TokenError::Invalid));
    }

    #[test]
    fn expiry_is_reported() {
        let c = claims();
        assert!(!c.is_expired(datetime!(2026-01-01 00:59 UTC)));
        assert!(c.is_expired(datetime!(2026-01-01 01:00 UTC)));
    }

    #[test]
    fn sealed_bytes_are_bound_to_their_purpose() {
        let ring = Keyring::new(vec![SealingKey::new(1, [1; 32])]).unwrap();
        let sealed = ring
            .seal_bytes(b"message:123456789012", b"hello", [4; 12])
            .unwrap();
        assert_eq!(
            ring.open_bytes(b"message:123456789012", &sealed).unwrap(),
            b"hello"
        );
        assert_eq!(
            ring.open_bytes(b"message:210987654321", &sealed),
            Err(TokenError::Invalid)
        );
        assert_eq!(
            ring.open(&sealed),
            Err(TokenError::Invalid),
            "not a session token"
        );
    }

    proptest! {
        #[test]
        fn open_never_panics(s in ".{0,400}") {
            let ring = Keyring::new(vec![SealingKey::new(1, [1; 32])]).unwrap();
            let _ = ring.open(&s);
            let _ = ring.open(&format!("{PREFIX}{s}"));
        }
    }
}
