//! STS: temporary credentials that authenticate like long-term keys and carry their
//! session (role, federated user, MFA, session policies and tags) inside a sealed,
//! stateless token ([`warden_token`]).
//!
//! ```no_run
//! # async fn f(iam: std::sync::Arc<warden_iam::Iam>) -> Result<(), warden_sts::StsError> {
//! /// This deployment fetches no OIDC keys.
//! struct Offline;
//! #[async_trait::async_trait]
//! impl warden_sts::Fetcher for Offline {
//!     async fn get(&self, url: &str) -> Result<Vec<u8>, String> {
//!         Err(format!("offline: {url}"))
//!     }
//! }
//! let now = time::OffsetDateTime::now_utc();
//! let sts = warden_sts::Sts::open(iam, std::sync::Arc::new(Offline), now).await?;
//! # Ok(()) }
//! ```

pub mod cognito_identity;
mod error;
mod keys;
mod ops;
pub mod saml;
mod saml_op;
pub mod web_identity;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use time::OffsetDateTime;
use warden_iam::Iam;
use warden_token::{Keyring, SessionClaims, TokenError};

pub use error::StsError;
pub use ops::{OpFacts, execute, execute_unsigned, is_unsigned};
pub use web_identity::Fetcher;

/// Opened sessions are cached by token so that a request signed with temporary
/// credentials costs what one signed with long-term keys does. Bounded.
const SESSION_CACHE: usize = 20_000;

fn message_purpose(account: &str) -> Vec<u8> {
    format!("warden-authorization-message-v1:{account}").into_bytes()
}

pub struct Sts {
    iam: Arc<Iam>,
    oidc: web_identity::OidcKeys,
    keyring: ArcSwap<Keyring>,
    sessions: Mutex<HashMap<String, Arc<SessionClaims>>>,
    /// When an unknown sealing key last made this node reload its keyring.
    reloaded: Mutex<Option<OffsetDateTime>>,
}

/// Reloads of the keyring for a token sealed with a key this node does not hold are at
/// most this frequent: the token is read before any signature is checked, and a made-up
/// key ID must not turn every such request into a store read.
const RELOAD_EVERY: time::Duration = time::Duration::seconds(1);

/// Whether a token sealed with key `id` may reload the keyring now: only a key newer than
/// the newest held can be another node's rotation (older ones were retired), and at most
/// once per [`RELOAD_EVERY`].
fn may_reload(id: u32, newest: u32, last: Option<OffsetDateTime>, now: OffsetDateTime) -> bool {
    id > newest && last.is_none_or(|at| now - at >= RELOAD_EVERY || now < at)
}

impl Sts {
    /// Loads (or creates) the sealing keys from the store.
    pub async fn open(
        iam: Arc<Iam>,
        fetcher: Arc<dyn Fetcher>,
        now: OffsetDateTime,
    ) -> Result<Self, StsError> {
        let keyring = keys::load(&iam, now).await?;
        Ok(Self {
            iam,
            oidc: web_identity::OidcKeys::new(fetcher),
            keyring: ArcSwap::from_pointee(keyring),
            sessions: Mutex::new(HashMap::new()),
            reloaded: Mutex::new(None),
        })
    }

    pub fn iam(&self) -> &Arc<Iam> {
        &self.iam
    }

    /// Rotates the sealing key when due (the binary calls this periodically).
    pub async fn rotate_if_due(&self, now: OffsetDateTime) -> Result<(), StsError> {
        let ring = keys::load(&self.iam, now).await?;
        self.keyring.store(Arc::new(ring));
        Ok(())
    }

    /// The session a request's `X-Amz-Security-Token` carries, checked to belong to the
    /// access key that signed the request and to be unexpired.
    pub async fn open_session(
        &self,
        token: &str,
        access_key_id: &str,
        now: OffsetDateTime,
    ) -> Result<Arc<SessionClaims>, StsError> {
        let cached = self.sessions.lock().ok().and_then(|m| m.get(token).cloned());
        let claims = match cached {
            Some(c) => c,
            None => {
                let claims = match self.keyring.load().open(token) {
                    Ok(c) => c,
                    // Another node rotated: reload the keys once.
                    Err(TokenError::UnknownKey(id)) => {
                        let newest = self.keyring.load().current().map_or(0, |k| k.id());
                        let allowed = self.reloaded.lock().is_ok_and(|mut last| {
                            let ok = may_reload(id, newest, *last, now);
                            if ok {
                                *last = Some(now);
                            }
                            ok
                        });
                        if !allowed {
                            return Err(StsError::invalid_token());
                        }
                        self.rotate_if_due(now).await?;
                        self.keyring
                            .load()
                            .open(token)
                            .map_err(|_| StsError::invalid_token())?
                    }
                    Err(_) => return Err(StsError::invalid_token()),
                };
                let claims = Arc::new(claims);
                if let Ok(mut m) = self.sessions.lock() {
                    if m.len() >= SESSION_CACHE {
                        m.retain(|_, c| !c.is_expired(now));
                        if m.len() >= SESSION_CACHE {
                            m.clear();
                        }
                    }
                    m.insert(token.to_owned(), claims.clone());
                }
                claims
            }
        };
        // INVARIANT: a token is only good with the access key it was issued with (a
        // presigned URL may add the token outside the signature).
        if claims.access_key_id != access_key_id {
            return Err(StsError::invalid_token());
        }
        if claims.is_expired(now) {
            return Err(StsError::expired_token());
        }
        Ok(claims)
    }

    /// Seals an authorization failure's details for the caller's account; only
    /// DecodeAuthorizationMessage in that account opens it.
    pub fn encode_authorization_message(&self, account: &str, message: &serde_json::Value) -> Option<String> {
        let plain = serde_json::to_vec(message).ok()?;
        self.keyring
            .load()
            .seal_bytes(&message_purpose(account), &plain, rand::random())
            .ok()
    }

    /// Opens an encoded authorization message of `account`.
    pub fn decode_authorization_message(
        &self,
        account: &str,
        encoded: &str,
    ) -> Result<serde_json::Value, StsError> {
        let invalid = || {
            StsError::new(
                "InvalidAuthorizationMessageException",
                400,
                "The encoded authorization message is invalid.",
            )
        };
        let plain = self
            .keyring
            .load()
            .open_bytes(&message_purpose(account), encoded.trim())
            .map_err(|_| invalid())?;
        serde_json::from_slice(&plain).map_err(|_| invalid())
    }

    fn seal(&self, claims: &SessionClaims) -> Result<String, StsError> {
        self.keyring
            .load()
            .seal(claims, rand::random())
            .map_err(|e| StsError::internal(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::may_reload;

    #[test]
    fn unknown_sealing_keys_reload_only_when_newer_and_at_most_every_second() {
        let t = datetime!(2027-01-01 00:00 UTC);
        assert!(may_reload(8, 7, None, t), "another node's rotation");
        assert!(!may_reload(7, 7, None, t), "a key we hold would have opened");
        assert!(!may_reload(3, 7, None, t), "retired keys never come back");
        let just = Some(t);
        assert!(!may_reload(
            u32::MAX,
            7,
            just,
            t + time::Duration::milliseconds(500)
        ));
        assert!(may_reload(u32::MAX, 7, just, t + time::Duration::seconds(1)));
    }
}
