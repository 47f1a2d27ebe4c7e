//! The sealing keys of session tokens, shared by every node through the store (each key
//! sealed under the master key) and rotated daily. A key stays in the ring for longer
//! than the longest session (36 hours), so rotation never cuts a live session short.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use warden_iam::Iam;
use warden_token::{Keyring, SealingKey};

use crate::StsError;

const SETTING: &str = "sts-sealing-keys";
/// A new key seals from this age of the newest one on.
pub const ROTATE_AFTER: Duration = Duration::hours(24);
/// Keys older than this are dropped: older than the longest session (36 h) plus a rotation.
pub const RETIRE_AFTER: Duration = Duration::hours(36 + 24);

#[derive(Serialize, Deserialize, Default)]
struct Stored {
    keys: Vec<StoredKey>,
}

#[derive(Serialize, Deserialize, Clone)]
struct StoredKey {
    id: u32,
    #[serde(with = "time::serde::timestamp")]
    created: OffsetDateTime,
    /// The key, base64, sealed under the master key.
    sealed: String,
}

fn context(id: u32) -> String {
    format!("sts-sealing-key-{id}")
}

fn new_key(iam: &Iam, id: u32, now: OffsetDateTime) -> StoredKey {
    let key: [u8; 32] = rand::random();
    let encoded = zeroize::Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(key));
    StoredKey {
        id,
        created: now,
        sealed: iam.sealer().seal(&encoded, &context(id)),
    }
}

fn unseal(iam: &Iam, stored: &Stored) -> Result<Keyring, StsError> {
    let mut keys = Vec::with_capacity(stored.keys.len());
    for k in &stored.keys {
        let secret = iam
            .sealer()
            .open(&k.sealed, &context(k.id))
            .map_err(|e| StsError::internal(e.to_string()))?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(secret.expose())
            .map_err(|e| StsError::internal(e.to_string()))?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| StsError::internal("sealing key is not 32 bytes"))?;
        keys.push(SealingKey::new(k.id, key));
    }
    Keyring::new(keys).map_err(|e| StsError::internal(e.to_string()))
}

async fn read(iam: &Iam) -> Result<Option<Stored>, StsError> {
    let raw = iam
        .store()
        .get_setting(SETTING)
        .await
        .map_err(|e| StsError::internal(e.to_string()))?;
    raw.map(|r| serde_json::from_slice(&r).map_err(|e| StsError::internal(e.to_string())))
        .transpose()
}

/// Loads the keyring, creating the first key on a new store, and rotating when due.
pub async fn load(iam: &Iam, now: OffsetDateTime) -> Result<Keyring, StsError> {
    let stored = match read(iam).await? {
        Some(s) if !s.keys.is_empty() => s,
        _ => {
            let first = serde_json::to_vec(&Stored {
                keys: vec![new_key(iam, 1, now)],
            })
            .map_err(|e| StsError::internal(e.to_string()))?;
            // First writer wins: nodes starting together agree on one key.
            let raw = iam
                .store()
                .put_setting(SETTING, &first, true)
                .await
                .map_err(|e| StsError::internal(e.to_string()))?;
            serde_json::from_slice(&raw).map_err(|e| StsError::internal(e.to_string()))?
        }
    };
    let stored = rotate(iam, stored, now).await?;
    unseal(iam, &stored)
}

/// Adds a new key when the newest is older than [`ROTATE_AFTER`] and drops retired ones.
async fn rotate(iam: &Iam, mut stored: Stored, now: OffsetDateTime) -> Result<Stored, StsError> {
    let newest = stored.keys.iter().max_by_key(|k| k.id).cloned();
    let Some(newest) = newest else { return Ok(stored) };
    if now - newest.created < ROTATE_AFTER {
        return Ok(stored);
    }
    stored.keys.retain(|k| now - k.created < RETIRE_AFTER);
    stored.keys.push(new_key(iam, newest.id + 1, now));
    let raw = serde_json::to_vec(&stored).map_err(|e| StsError::internal(e.to_string()))?;
    iam.store()
        .put_setting(SETTING, &raw, false)
        .await
        .map_err(|e| StsError::internal(e.to_string()))?;
    tracing::info!(key = newest.id + 1, "rotated the session token sealing key");
    Ok(stored)
}
