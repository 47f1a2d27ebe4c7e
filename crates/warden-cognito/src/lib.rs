//! Cognito user pools (`cognito-idp`): pools, app clients, users, sign-up, password
//! sign-in with refresh, RS256 ID and access tokens that anyone verifies from the pool's
//! JWKS, sign-out and token revocation.
//!
//! The edge decodes a request with the service model and hands [`UserPools::execute`]
//! the operation's name, the caller's account and region (for signed administrative
//! operations, which the edge has already authorized with IAM) and the input.
//! Unsigned operations (`SignUp`, `InitiateAuth`, ...) name no account: pool and client
//! IDs carry it ([`ids`]).
//!
//! ```
//! let (region, account) = warden_cognito::ids::parse_pool_id("us-east-1_000000001").unwrap_or_default();
//! assert_eq!(region, "us-east-1");
//! assert_eq!(account.len(), 12);
//! ```

pub mod error;
pub mod ids;
pub mod model;
pub mod ops;
pub mod srp;
pub mod tokens;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use time::OffsetDateTime;
use warden_iam::crypto::Sealer;
use warden_store::{Change, Record, Store, StoreError};

pub use error::CognitoError;
use model::{Mutation, Namespace, kind};

/// Who asks, and where: the account and region of a signed request, or those that the
/// pool or client named by an unsigned one belongs to.
#[derive(Debug, Clone)]
pub struct Ctx<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub now: OffsetDateTime,
}

/// What an operation answers and what it changes.
pub struct Effect {
    pub output: Value,
    pub mutations: Vec<Mutation>,
}

impl Effect {
    pub fn read(output: Value) -> Self {
        Self {
            output,
            mutations: Vec::new(),
        }
    }

    /// Changes with an empty answer (`{}`), as most writes have.
    pub fn changes(mutations: Vec<Mutation>) -> Self {
        Self {
            output: serde_json::json!({}),
            mutations,
        }
    }
}

/// Things operations need besides the namespace.
pub struct Env<'a> {
    pub sealer: &'a Sealer,
    /// The key GetOpenIdToken signs with (loaded for that operation only).
    pub identity_key: Option<&'a model::SigningKey>,
    /// STS, which issues identity pools' role credentials (attached after start-up).
    pub sts: Option<&'a warden_sts::Sts>,
    /// `{public-url}`: pool issuers are `{public-url}/{poolId}`.
    pub public_url: &'a str,
}

impl Env<'_> {
    pub fn issuer(&self, pool_id: &str) -> String {
        format!("{}/{pool_id}", self.public_url.trim_end_matches('/'))
    }
}

/// How long an SRP challenge's secret block may be answered.
pub const SRP_BLOCK_VALIDITY: time::Duration = time::Duration::minutes(3);

type Slot = Arc<tokio::sync::RwLock<Option<Namespace>>>;
type ReadGuard = tokio::sync::OwnedRwLockReadGuard<Option<Namespace>>;
type WriteGuard = tokio::sync::OwnedRwLockWriteGuard<Option<Namespace>>;

/// The user pool service: one namespace per AWS account, loaded from the store on first
/// use and written through it. Operations run concurrently against the namespace; their
/// changes commit one at a time (optimistically: an operation that read a namespace
/// another one changed since runs again before it commits).
pub struct UserPools {
    store: Arc<dyn Store>,
    sealer: Sealer,
    public_url: String,
    slots: Mutex<HashMap<String, Slot>>,
    sts: std::sync::OnceLock<Arc<warden_sts::Sts>>,
    identity_key: tokio::sync::OnceCell<Arc<model::SigningKey>>,
}

/// The issuer of GetOpenIdToken's tokens: AWS's, so that trust policies read as AWS's
/// (`Federated: cognito-identity.amazonaws.com`). STS trusts it without an IAM OIDC
/// provider, as AWS does, and reads its keys from memory.
pub const IDENTITY_ISSUER: &str = "https://cognito-identity.amazonaws.com";
const IDENTITY_KEY_SETTING: &str = "cognito-identity-signing-key";

impl UserPools {
    pub fn new(store: Arc<dyn Store>, sealer: Sealer, public_url: impl Into<String>) -> Self {
        Self {
            store,
            sealer,
            public_url: public_url.into(),
            slots: Mutex::new(HashMap::new()),
            sts: std::sync::OnceLock::new(),
            identity_key: tokio::sync::OnceCell::new(),
        }
    }

    /// The server-wide key of GetOpenIdToken's tokens: created once (first writer wins,
    /// so nodes sharing a database agree), its private half sealed under the master key.
    pub async fn identity_key(&self) -> Result<Arc<model::SigningKey>, CognitoError> {
        let key = self
            .identity_key
            .get_or_try_init(|| async {
                let stored = match self.store.get_setting(IDENTITY_KEY_SETTING).await? {
                    Some(v) => v,
                    None => {
                        let key = tokens::generate_key(&self.sealer, IDENTITY_KEY_SETTING)?;
                        let body = serde_json::to_vec(&key)
                            .map_err(|_| CognitoError::internal("An internal error occurred."))?;
                        self.store.put_setting(IDENTITY_KEY_SETTING, &body, true).await?
                    }
                };
                let mut key: model::SigningKey = serde_json::from_slice(&stored)
                    .map_err(|_| CognitoError::internal("The identity pools' signing key is unreadable."))?;
                let pem = self
                    .sealer
                    .open(&key.private_sealed, IDENTITY_KEY_SETTING)
                    .map_err(|_| CognitoError::internal("The identity pools' signing key does not open."))?;
                key.private_pem = Some(pem.expose().to_owned());
                Ok::<_, CognitoError>(Arc::new(key))
            })
            .await?;
        Ok(key.clone())
    }

    /// The discovery document or JWKS of [`IDENTITY_ISSUER`], for `url`, if it is one.
    pub async fn identity_document(&self, url: &str) -> Option<Result<Value, CognitoError>> {
        let path = url.strip_prefix(IDENTITY_ISSUER)?;
        Some(match path {
            "/.well-known/openid-configuration" => Ok(serde_json::json!({
                "issuer": IDENTITY_ISSUER,
                "jwks_uri": format!("{IDENTITY_ISSUER}/.well-known/jwks_uri"),
                "id_token_signing_alg_values_supported": ["RS256"],
                "subject_types_supported": ["public"],
                "response_types_supported": ["id_token"],
            })),
            "/.well-known/jwks_uri" => self.identity_key().await.map(|k| tokens::jwks_of(&k)),
            _ => return None,
        })
    }

    /// Gives identity pools STS, which is built after the user pools (it trusts their
    /// tokens through them).
    pub fn attach_sts(&self, sts: Arc<warden_sts::Sts>) {
        let _ = self.sts.set(sts);
    }

    fn env(&self) -> Env<'_> {
        Env {
            sealer: &self.sealer,
            identity_key: None,
            sts: self.sts.get().map(|s| &**s),
            public_url: &self.public_url,
        }
    }

    pub fn issuer(&self, pool_id: &str) -> String {
        self.env().issuer(pool_id)
    }

    fn slot(&self, account: &str) -> Slot {
        let mut slots = self
            .slots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        slots.entry(account.to_owned()).or_default().clone()
    }

    async fn load(&self, account: &str) -> Result<Namespace, CognitoError> {
        let mut ns = Namespace {
            epoch: rand::random(),
            ..Namespace::default()
        };
        let Some(stored) = self.store.load_account(&model::namespace_key(account)).await? else {
            return Ok(ns);
        };
        ns.revision = stored.revision;
        for r in &stored.records {
            load_record(&mut ns, r, &self.sealer).map_err(|e| {
                tracing::error!(account, kind = %r.kind, key = %r.key, error = %e, "unreadable user pool record");
                CognitoError::internal("An internal error occurred.")
            })?;
        }
        Ok(ns)
    }

    /// Forgets an account's namespace, so that the next request reads it again (another
    /// node committed to it).
    pub fn invalidate(&self, namespace_key: &str) {
        if let Some(account) = model::account_of_namespace(namespace_key) {
            let mut slots = self
                .slots
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            slots.remove(account);
        }
    }

    /// The account's slot, its namespace loaded.
    async fn loaded(&self, account: &str) -> Result<Slot, CognitoError> {
        let slot = self.slot(account);
        if slot.read().await.is_none() {
            let mut guard = slot.write().await;
            if guard.is_none() {
                *guard = Some(self.load(account).await?);
            }
        }
        Ok(slot)
    }

    /// Runs `op` for `ctx.account`. The operation runs under a shared lock (so sign-ins
    /// and reads of one account run side by side); its changes commit under the
    /// exclusive lock at the namespace's revision and then apply in memory. If the
    /// namespace changed in between (here, or another node committed first), the
    /// operation runs again on what is current before it commits.
    pub async fn execute(
        &self,
        op: &'static ops::OpSpec,
        ctx: &Ctx<'_>,
        input: &Value,
    ) -> Result<Value, CognitoError> {
        let input = Arc::new(input.clone());
        let slot = self.loaded(ctx.account).await?;
        let read = slot.clone().read_owned().await;
        let seen = read.as_ref().map(|ns| ns.epoch);
        let (_, effect) = self.run_blocking(op, Guard::Read(read), ctx, &input).await?;
        let effect = effect?;
        if effect.mutations.is_empty() {
            return Ok(effect.output);
        }
        let mut guard = slot.write_owned().await;
        let mut effect = Some(effect);
        for attempt in 0..3 {
            if guard.is_none() || attempt > 0 {
                *guard = Some(self.load(ctx.account).await?);
            }
            let current = guard.as_ref().map(|ns| ns.epoch);
            let effect = match effect.take() {
                Some(e) if current == seen => e,
                _ => {
                    let (returned, e) = self.run_blocking(op, Guard::Write(guard), ctx, &input).await?;
                    guard = returned.into_write()?;
                    e?
                }
            };
            let Some(ns) = guard.as_mut() else { continue };
            if effect.mutations.is_empty() {
                return Ok(effect.output);
            }
            let changes = changes_of(ns, &effect.mutations)?;
            if changes.is_empty() {
                for m in effect.mutations {
                    apply(ns, m);
                }
                return Ok(effect.output);
            }
            match self
                .store
                .commit(&model::namespace_key(ctx.account), ns.revision, &changes)
                .await
            {
                Ok(revision) => {
                    ns.revision = revision;
                    for m in effect.mutations {
                        apply(ns, m);
                    }
                    return Ok(effect.output);
                }
                Err(StoreError::RevisionMismatch { .. }) => continue,
                Err(e) => {
                    *guard = None;
                    return Err(e.into());
                }
            }
        }
        Err(CognitoError::new(
            "TooManyRequestsException",
            400,
            "Too many concurrent changes to this account's user pools; try again.",
        ))
    }

    /// Runs the operation on a blocking thread: password hashing (argon2id), SRP and RSA
    /// work must not hold up the runtime's workers, which serve every other request.
    async fn run_blocking(
        &self,
        op: &'static ops::OpSpec,
        guard: Guard,
        ctx: &Ctx<'_>,
        input: &Arc<Value>,
    ) -> Result<(Guard, Result<Effect, CognitoError>), CognitoError> {
        let sealer = self.sealer.clone();
        let public_url = self.public_url.clone();
        let sts = self.sts.get().cloned();
        let identity_key = if op.name == "GetOpenIdToken" {
            Some(self.identity_key().await?)
        } else {
            None
        };
        let (account, region, now) = (ctx.account.to_owned(), ctx.region.to_owned(), ctx.now);
        let input = input.clone();
        tokio::task::spawn_blocking(move || {
            let env = Env {
                sealer: &sealer,
                identity_key: identity_key.as_deref(),
                sts: sts.as_deref(),
                public_url: &public_url,
            };
            let ctx = Ctx {
                account: &account,
                region: &region,
                now,
            };
            let effect = match guard.namespace() {
                Some(ns) => (op.run)(&env, ns, &ctx, &input),
                None => Err(CognitoError::internal("An internal error occurred.")),
            };
            (guard, effect)
        })
        .await
        .map_err(|_| CognitoError::internal("An internal error occurred."))
    }

    /// A read-only look at an account's namespace (hosted endpoints).
    pub async fn read<T>(&self, account: &str, f: impl FnOnce(&Namespace) -> T) -> Result<T, CognitoError> {
        let slot = self.loaded(account).await?;
        let guard = slot.read().await;
        let ns = guard
            .as_ref()
            .ok_or_else(|| CognitoError::internal("An internal error occurred."))?;
        Ok(f(ns))
    }

    /// The JWKS of a pool, or `None` if there is no such pool.
    pub async fn jwks(&self, pool_id: &str) -> Result<Option<Value>, CognitoError> {
        let Some((_, account)) = ids::parse_pool_id(pool_id) else {
            return Ok(None);
        };
        self.read(&account, |ns| ns.pool(pool_id).map(tokens::jwks)).await
    }

    /// The OpenID discovery document of a pool, or `None` if there is no such pool.
    pub async fn openid_configuration(&self, pool_id: &str) -> Result<Option<Value>, CognitoError> {
        let Some((_, account)) = ids::parse_pool_id(pool_id) else {
            return Ok(None);
        };
        let issuer = self.issuer(pool_id);
        self.read(&account, |ns| {
            ns.pool(pool_id).map(|_| tokens::openid_configuration(&issuer))
        })
        .await
    }
}

/// The lock an operation runs under, handed to the blocking thread and back.
enum Guard {
    Read(ReadGuard),
    Write(WriteGuard),
}

impl Guard {
    fn namespace(&self) -> Option<&Namespace> {
        match self {
            Guard::Read(g) => g.as_ref(),
            Guard::Write(g) => g.as_ref(),
        }
    }

    fn into_write(self) -> Result<WriteGuard, CognitoError> {
        match self {
            Guard::Write(g) => Ok(g),
            Guard::Read(_) => Err(CognitoError::internal("An internal error occurred.")),
        }
    }
}

fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| e.to_string())
}

fn load_record(ns: &mut Namespace, r: &Record, sealer: &Sealer) -> Result<(), String> {
    match r.kind.as_str() {
        kind::POOL => {
            let mut pool: model::Pool = decode(&r.body)?;
            let pem = sealer
                .open(&pool.key.private_sealed, &pool.id)
                .map_err(|e| e.to_string())?;
            pool.key.private_pem = Some(pem.expose().to_owned());
            ns.pools.insert(r.key.clone(), pool);
        }
        kind::CLIENT => {
            let mut client: model::Client = decode(&r.body)?;
            if let Some(sealed) = &client.secret_sealed {
                let secret = sealer.open(sealed, &client.id).map_err(|e| e.to_string())?;
                client.secret = Some(secret.expose().to_owned());
            }
            ns.clients.insert(r.key.clone(), client);
        }
        kind::USER => {
            let mut user: model::User = decode(&r.body)?;
            let context = user.srp_context();
            let totp_context = user.totp_context();
            if let Some(totp) = user.totp.as_mut() {
                let secret = sealer
                    .open(&totp.secret_sealed, &totp_context)
                    .map_err(|e| e.to_string())?;
                totp.secret = Some(secret.expose().to_owned());
            }
            if let Some(srp) = user.srp.as_mut() {
                let verifier = sealer
                    .open(&srp.verifier_sealed, &context)
                    .map_err(|e| e.to_string())?;
                srp.verifier = Some(verifier.expose().to_owned());
            }
            ns.users.insert(r.key.clone(), user);
        }
        kind::REFRESH => {
            ns.refresh.insert(r.key.clone(), decode(&r.body)?);
        }
        kind::GROUP => {
            ns.groups.insert(r.key.clone(), decode(&r.body)?);
        }
        kind::IDENTITY_POOL => {
            ns.identity_pools.insert(r.key.clone(), decode(&r.body)?);
        }
        kind::IDENTITY => {
            ns.identities.insert(r.key.clone(), decode(&r.body)?);
        }
        kind::SRP_USED => {
            let expires: i64 = decode(&r.body)?;
            let expires = time::OffsetDateTime::from_unix_timestamp(expires).map_err(|e| e.to_string())?;
            ns.used_srp_blocks.insert(r.key.clone(), expires);
        }
        // Kinds a newer version wrote are kept in the store and ignored here.
        _ => {}
    }
    Ok(())
}

fn put<T: serde::Serialize>(kind: &str, key: &str, value: &T) -> Result<Change, CognitoError> {
    let body =
        serde_json::to_vec(value).map_err(|_| CognitoError::internal("An internal error occurred."))?;
    Ok(Change::Put(Record::new(kind, key, body)))
}

fn delete(kind: &str, key: &str) -> Change {
    Change::Delete {
        kind: kind.to_owned(),
        key: key.to_owned(),
    }
}

/// The store changes of `mutations`; deleting a pool deletes everything in it.
fn changes_of(ns: &Namespace, mutations: &[Mutation]) -> Result<Vec<Change>, CognitoError> {
    let mut changes = Vec::new();
    for m in mutations {
        match m {
            Mutation::PutPool(p) => changes.push(put(kind::POOL, &p.id, p)?),
            Mutation::DeletePool(id) => {
                changes.push(delete(kind::POOL, id));
                for c in ns.clients.values().filter(|c| &c.pool_id == id) {
                    changes.push(delete(kind::CLIENT, &c.id));
                }
                for u in ns.users_of(id) {
                    changes.push(delete(kind::USER, &u.key()));
                }
                for (k, _) in ns.refresh.iter().filter(|(_, t)| &t.pool_id == id) {
                    changes.push(delete(kind::REFRESH, k));
                }
                for g in ns.groups_of(id) {
                    changes.push(delete(kind::GROUP, &g.key()));
                }
            }
            Mutation::PutClient(c) => changes.push(put(kind::CLIENT, &c.id, c)?),
            Mutation::DeleteClient(id) => {
                changes.push(delete(kind::CLIENT, id));
                for (k, _) in ns.refresh.iter().filter(|(_, t)| &t.client_id == id) {
                    changes.push(delete(kind::REFRESH, k));
                }
            }
            Mutation::PutUser(u) => changes.push(put(kind::USER, &u.key(), u)?),
            Mutation::DeleteUser(key) => {
                changes.push(delete(kind::USER, key));
                for (k, _) in ns
                    .refresh
                    .iter()
                    .filter(|(_, t)| model::User::key_of(&t.pool_id, &t.username) == *key)
                {
                    changes.push(delete(kind::REFRESH, k));
                }
            }
            Mutation::PutRefresh(t) => changes.push(put(kind::REFRESH, &t.origin_jti, t)?),
            Mutation::PutGroup(g) => changes.push(put(kind::GROUP, &g.key(), g)?),
            Mutation::DeleteGroup(key) => changes.push(delete(kind::GROUP, key)),
            Mutation::PutIdentityPool(p) => changes.push(put(kind::IDENTITY_POOL, &p.id, p)?),
            Mutation::DeleteIdentityPool(id) => {
                changes.push(delete(kind::IDENTITY_POOL, id));
                for i in ns.identities.values().filter(|i| &i.pool_id == id) {
                    changes.push(delete(kind::IDENTITY, &i.id));
                }
            }
            Mutation::PutIdentity(i) => changes.push(put(kind::IDENTITY, &i.id, i)?),
            Mutation::UseSrpBlock(nonce, expires) => {
                let issued = *expires - SRP_BLOCK_VALIDITY;
                for (old, _) in ns.used_srp_blocks.iter().filter(|(_, e)| **e <= issued) {
                    changes.push(delete(kind::SRP_USED, old));
                }
                changes.push(put(kind::SRP_USED, nonce, &expires.unix_timestamp())?);
            }
        }
    }
    Ok(changes)
}

fn apply(ns: &mut Namespace, m: Mutation) {
    if !matches!(&m, Mutation::PutRefresh(t) if !t.revoked) {
        ns.epoch = ns.epoch.wrapping_add(1);
    }
    match m {
        Mutation::PutPool(p) => {
            ns.pools.insert(p.id.clone(), *p);
        }
        Mutation::DeletePool(id) => {
            ns.pools.remove(&id);
            ns.clients.retain(|_, c| c.pool_id != id);
            ns.users.retain(|_, u| u.pool_id != id);
            ns.refresh.retain(|_, t| t.pool_id != id);
            ns.groups.retain(|_, g| g.pool_id != id);
        }
        Mutation::PutClient(c) => {
            ns.clients.insert(c.id.clone(), *c);
        }
        Mutation::DeleteClient(id) => {
            ns.clients.remove(&id);
            ns.refresh.retain(|_, t| t.client_id != id);
        }
        Mutation::PutUser(u) => {
            ns.users.insert(u.key(), *u);
        }
        Mutation::DeleteUser(key) => {
            ns.users.remove(&key);
            ns.refresh
                .retain(|_, t| model::User::key_of(&t.pool_id, &t.username) != key);
        }
        Mutation::PutRefresh(t) => {
            ns.refresh.insert(t.origin_jti.clone(), *t);
        }
        Mutation::PutGroup(g) => {
            ns.groups.insert(g.key(), *g);
        }
        Mutation::DeleteGroup(key) => {
            ns.groups.remove(&key);
        }
        Mutation::PutIdentityPool(p) => {
            ns.identity_pools.insert(p.id.clone(), *p);
        }
        Mutation::DeleteIdentityPool(id) => {
            ns.identity_pools.remove(&id);
            ns.identities.retain(|_, i| i.pool_id != id);
        }
        Mutation::PutIdentity(i) => {
            ns.identities.insert(i.id.clone(), *i);
        }
        Mutation::UseSrpBlock(nonce, expires) => {
            ns.used_srp_blocks
                .retain(|_, e| *e > expires - SRP_BLOCK_VALIDITY);
            ns.used_srp_blocks.insert(nonce, expires);
        }
    }
}
