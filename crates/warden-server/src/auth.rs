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
use warden_sts::Sts;
use warden_token::{SessionClaims, SessionPrincipal};

use crate::error::ApiError;

/// Who signed a request, with the account state that was current when it was checked.
pub struct Authenticated {
    pub caller: Caller,
    pub account: Arc<AccountState>,
    pub access_key_id: String,
    /// The STS session, when the request was signed with temporary credentials.
    pub session: Option<Arc<SessionClaims>>,
}

impl Authenticated {
    pub fn subject(&self) -> warden_iam::authz::Subject<'_> {
        warden_iam::authz::Subject {
            caller: &self.caller,
            session: self.session.as_deref(),
        }
    }
}

type CacheKey = (String, Date, String, String);

/// Derived signing keys. Bounded: cleared when it grows past `SigningKeyCache::MAX` entries.
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

/// Verifies a signed request and resolves its access key (long-term, or temporary with
/// its session token) to a caller.
pub async fn authenticate(
    snapshot: &Snapshot,
    sts: &Sts,
    cache: &SigningKeyCache,
    req: &HttpRequest<'_>,
    signed: &SignedRequest,
    now: OffsetDateTime,
    skew: time::Duration,
) -> Result<Authenticated, ApiError> {
    // IAM and STS sign their payload: the form carries the operation and its parameters.
    // AWS honours `x-amz-content-sha256: UNSIGNED-PAYLOAD` for Amazon S3 only; accepting
    // it here would leave everything but the URL outside the signature, so that anyone
    // who sees one signed request could send any other in its name for 15 minutes.
    if req
        .header_values("x-amz-content-sha256")
        .any(|v| v.trim() == warden_sigv4::UNSIGNED_PAYLOAD)
    {
        return Err(ApiError::new(
            "SignatureDoesNotMatch",
            403,
            "The request signature we calculated does not match the signature you provided. \
             IAM and STS requests sign their payload: x-amz-content-sha256 UNSIGNED-PAYLOAD is \
             for Amazon S3 only.",
        ));
    }
    let akid = signed.access_key_id();
    if let Some(token) = signed.session_token() {
        return authenticate_session(snapshot, sts, cache, req, signed, token, now, skew).await;
    }
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
        session: None,
    })
}

/// Temporary credentials: the token is opened (no database read), bound to the signing
/// access key, unexpired; its secret verifies the signature.
#[expect(
    clippy::too_many_arguments,
    reason = "the request's parts and the server's verifiers"
)]
async fn authenticate_session(
    snapshot: &Snapshot,
    sts: &Sts,
    cache: &SigningKeyCache,
    req: &HttpRequest<'_>,
    signed: &SignedRequest,
    token: &str,
    now: OffsetDateTime,
    skew: time::Duration,
) -> Result<Authenticated, ApiError> {
    let akid = signed.access_key_id();
    if !akid.starts_with("ASIA") {
        return Err(invalid_token());
    }
    let claims = sts.open_session(token, akid, now).await.map_err(ApiError::from)?;
    let account = snapshot.account(&claims.account).ok_or_else(invalid_token)?;
    if !same_principal(account, &claims) {
        return Err(invalid_token());
    }
    let signing_key = cache.get_or_derive(akid, &claims.secret_access_key, signed);
    warden_sigv4::verify(req, signed, &signing_key, now, skew).map_err(ApiError::from)?;
    let id = account.id.clone();
    let caller = match &claims.principal {
        SessionPrincipal::AssumedRole {
            role, session_name, ..
        } => Caller::AssumedRole {
            account: id,
            role: role.clone(),
            session: session_name.clone(),
        },
        SessionPrincipal::FederatedUser { name, .. } => Caller::FederatedUser {
            account: id,
            name: name.clone(),
        },
        SessionPrincipal::SessionToken { user: Some(user) } => Caller::User {
            account: id,
            user: user.clone(),
        },
        SessionPrincipal::SessionToken { user: None } => Caller::Root { account: id },
    };
    Ok(Authenticated {
        caller,
        account: account.clone(),
        access_key_id: akid.to_owned(),
        session: Some(claims),
    })
}

/// Whether the role or user a session was issued to is still the one of that name: a
/// principal deleted and created again has a new unique ID, and AWS's sessions belong to
/// the old ID (IAM User Guide, "Unique identifiers"), so they must not act as the new
/// one. A principal that is gone without a successor is left to authorization (no
/// policies: everything is denied, as AWS does).
fn same_principal(account: &AccountState, claims: &SessionClaims) -> bool {
    let role = match &claims.principal {
        SessionPrincipal::AssumedRole { role, role_id, .. } => Some((role, role_id)),
        SessionPrincipal::FederatedUser { .. } | SessionPrincipal::SessionToken { .. } => None,
    };
    let user = match &claims.principal {
        SessionPrincipal::FederatedUser { user: Some(u), .. }
        | SessionPrincipal::SessionToken { user: Some(u) } => claims.user_id.as_ref().map(|id| (u, id)),
        _ => None,
    };
    let role_ok = role.is_none_or(|(name, id)| account.roles.get(name).is_none_or(|r| r.id == *id));
    let user_ok = user.is_none_or(|(name, id)| account.users.get(name).is_none_or(|u| u.id == *id));
    role_ok && user_ok
}

/// The error for a request that carries no signature where one is required.
/// Authenticates a request that must be signed (the JSON services' administrative
/// operations, the admin endpoint): its signature and the caller it names.
pub async fn authenticate_signed(
    app: &crate::App,
    incoming: &crate::Incoming,
    now: OffsetDateTime,
) -> Result<(Authenticated, SignedRequest), ApiError> {
    let headers = incoming.header_pairs();
    let http = incoming.sigv4(&headers);
    let signed = warden_sigv4::parse(&http)?.ok_or_else(missing_authentication)?;
    let snapshot = app.iam.snapshot();
    let authed = authenticate(
        &snapshot,
        &app.sts,
        &app.signing_keys,
        &http,
        &signed,
        now,
        app.config.max_clock_skew,
    )
    .await?;
    Ok((authed, signed))
}

pub fn missing_authentication() -> ApiError {
    ApiError::from(SigV4Error::MissingAuthenticationToken)
}
