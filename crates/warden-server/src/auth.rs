//! Authentication: SigV4 on every signed request, checked against the access keys of
//! the in-memory snapshot (no database read), with derived signing keys cached per
//! key, day, region and service.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use time::{Date, OffsetDateTime};
use warden_iam::Caller;
use warden_iam::model::KeyStatus;
use warden_iam::state::{AccountState, Snapshot};
use warden_sigv4::{HttpRequest, SecretAccessKey, SigV4Error, SignedRequest, SigningKey};

use crate::error::ApiError;

/// Who signed a request, with the account state that was current when it was checked.
pub struct Authenticated {
    pub caller: Caller,
    pub account: Arc<AccountState>,
    pub access_key_id: String,
}

type CacheKey = (String, Date, String, String);

/// Derived signing keys. Bounded: cleared when it grows past [`SigningKeyCache::MAX`].
#[derive(Default)]
pub struct SigningKeyCache {
    keys: RwLock<HashMap<CacheKey, SigningKey>>,
}

impl SigningKeyCache {
    const MAX: usize = 50_000;

    fn get_or_derive(&self, access_key: &str, secret: &str, signed: &SignedRequest) -> SigningKey {
        let scope = signed.scope();
        let key = (
            access_key.to_owned(),
            scope.date(),
            scope.region().to_owned(),
            scope.service().to_owned(),
        );
        if let Some(k) = self.keys.read().ok().and_then(|m| m.get(&key).cloned()) {
            return k;
        }
        let derived = warden_sigv4::derive_signing_key(
            &SecretAccessKey::new(secret),
            scope.date(),
            scope.region(),
            scope.service(),
        );
        if let Ok(mut m) = self.keys.write() {
            if m.len() >= Self::MAX {
                m.clear();
            }
            m.insert(key, derived.clone());
        }
        derived
    }
}

fn invalid_token() -> ApiError {
    ApiError::new(
        "InvalidClientTokenId",
        403,
        "The security token included in the request is invalid.",
    )
}

/// Verifies a signed request and resolves its long-term access key to a caller.
pub fn authenticate(
    snapshot: &Snapshot,
    cache: &SigningKeyCache,
    req: &HttpRequest<'_>,
    signed: &SignedRequest,
    now: OffsetDateTime,
    skew: time::Duration,
) -> Result<Authenticated, ApiError> {
    let akid = signed.access_key_id();
    let (account, key) = snapshot.access_key(akid).ok_or_else(invalid_token)?;
    if key.status != KeyStatus::Active {
        return Err(invalid_token());
    }
    let secret = key.secret.as_ref().ok_or_else(ApiError::internal)?;
    let signing_key = cache.get_or_derive(akid, secret.expose(), signed);
    warden_sigv4::verify(req, signed, &signing_key, now, skew).map_err(ApiError::from)?;
    let caller = match &key.user {
        None => Caller::Root {
            account: account.id.clone(),
        },
        Some(user) => Caller::User {
            account: account.id.clone(),
            user: user.clone(),
        },
    };
    Ok(Authenticated {
        caller,
        account: account.clone(),
        access_key_id: akid.to_owned(),
    })
}

/// The error for a request that carries no signature where one is required.
pub fn missing_authentication() -> ApiError {
    ApiError::from(SigV4Error::MissingAuthenticationToken)
}
