//! The IAM service: owns the published [`Snapshot`] and serializes writers per account.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use time::OffsetDateTime;
use warden_store::{Change, Store, StoreError};
use warden_types::AccountId;

use crate::crypto::Sealer;
use crate::error::IamError;
use crate::model::AccessAdvisorRecord;
use crate::state::{AccountState, Snapshot};
use crate::tx::Tx;

pub struct Iam {
    store: Arc<dyn Store>,
    snapshot: Arc<ArcSwap<Snapshot>>,
    writers: Mutex<HashMap<String, Arc<Lane>>>,
    sealer: Sealer,
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("stored data cannot be loaded: {0}")]
    Corrupt(String),
}

const DEFAULT_ACCOUNT_SETTING: &str = "default-account";

impl Iam {
    /// Loads every account from `store` into memory.
    pub async fn open(store: Arc<dyn Store>, sealer: Sealer) -> Result<Self, OpenError> {
        let iam = Self {
            store,
            snapshot: Arc::new(ArcSwap::from_pointee(Snapshot::empty())),
            writers: Mutex::new(HashMap::new()),
            sealer,
        };
        let mut snap = Snapshot::empty();
        for stored in iam.store.load_all().await? {
            // Other services keep their records under keys of their own (user pools:
            // `cognito-idp/ACCOUNT`).
            if stored.account.parse::<AccountId>().is_err() {
                continue;
            }
            let state = AccountState::from_records(&stored, &iam.sealer).map_err(OpenError::Corrupt)?;
            let keys: Vec<String> = state.access_keys.keys().cloned().collect();
            snap = snap.with_account(Arc::new(state), &keys, &[]);
        }
        snap.default_account = iam
            .store
            .get_setting(DEFAULT_ACCOUNT_SETTING)
            .await?
            .and_then(|v| String::from_utf8(v).ok());
        iam.snapshot.store(Arc::new(snap));
        Ok(iam)
    }

    /// The current snapshot: consistent, immutable, never blocks.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.load_full()
    }

    pub fn sealer(&self) -> &Sealer {
        &self.sealer
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Records which account is the default one (first writer wins, so two nodes starting
    /// on one empty database agree).
    pub async fn set_default_account(&self, id: &AccountId) -> Result<String, IamError> {
        let stored = self
            .store
            .put_setting(DEFAULT_ACCOUNT_SETTING, id.as_str().as_bytes(), true)
            .await?;
        let stored = String::from_utf8(stored).unwrap_or_default();
        self.snapshot.rcu(|s| {
            let mut next = (**s).clone();
            next.default_account = Some(stored.clone());
            next
        });
        Ok(stored)
    }

    fn writer_lock(&self, account: &str) -> Arc<Lane> {
        let mut map = self
            .writers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry(account.to_owned()).or_default().clone()
    }

    /// Runs `op` against a private copy of `account`'s state and commits what it changed;
    /// returns once the change is durable and published.
    ///
    /// Group commit: writers of one account run `op` one at a time, each on the state left
    /// by the writers before it (the lane's tip, which may not be durable yet), and queue
    /// their changes; a committer task commits everything queued in one store transaction
    /// (one fsync), publishes the resulting state, and only then answers those writers. The
    /// published snapshot never holds uncommitted state. A writer whose `op` changed nothing
    /// or failed still waits until the state it saw is durable. If a batch fails (another
    /// node committed first, a store error), its writers and the ones queued behind it run
    /// again one by one, as without batching: on a revision conflict the account is
    /// reloaded and `op` runs once more.
    pub async fn write<T>(
        &self,
        account: &AccountId,
        op: impl Fn(&mut Tx) -> Result<T, IamError>,
    ) -> Result<T, IamError> {
        let lane = self.writer_lock(account.as_str());
        if let Some(out) = self.write_batched(&lane, account, &op).await {
            return out;
        }
        self.write_alone(&lane, account, &op).await
    }

    /// The group-commit path; `None` when the batch failed and `op` must run again alone.
    async fn write_batched<T>(
        &self,
        lane: &Arc<Lane>,
        account: &AccountId,
        op: &impl Fn(&mut Tx) -> Result<T, IamError>,
    ) -> Option<Result<T, IamError>> {
        let mut st = lane.state.lock().await;
        let base = match &st.tip {
            Some(tip) => tip.clone(),
            None => {
                let published = self.published(account);
                st.revision = published.revision;
                published
            }
        };
        let mut tx = Tx::new(base);
        let out = op(&mut tx);
        let mut done = if out.is_err() || tx.is_empty() {
            // Nothing to commit: answer once what `op` saw is durable.
            match st.newest_batch() {
                Some(rx) => rx,
                None => return Some(out),
            }
        } else {
            let changes = tx.changes().to_vec();
            let mut keys: Vec<(String, bool)> = std::mem::take(&mut tx.keys_removed)
                .into_iter()
                .map(|k| (k, false))
                .collect();
            keys.extend(std::mem::take(&mut tx.keys_added).into_iter().map(|k| (k, true)));
            let state = tx.state;
            st.tip = Some(state.clone());
            let batch = st.open.get_or_insert_with(|| Batch {
                changes: Vec::new(),
                keys: Vec::new(),
                state: state.clone(),
                done: tokio::sync::watch::channel(Outcome::Pending).0,
            });
            batch.changes.extend(changes);
            batch.keys.extend(keys);
            batch.state = state;
            let rx = batch.done.subscribe();
            if !st.committer {
                st.committer = true;
                tokio::spawn(commit_loop(
                    lane.clone(),
                    self.store.clone(),
                    self.snapshot.clone(),
                    account.to_string(),
                ));
            }
            rx
        };
        drop(st);
        match done.wait_for(|o| *o != Outcome::Pending).await.map(|o| *o) {
            Ok(Outcome::Committed) => Some(out),
            _ => None,
        }
    }

    /// One writer alone (after a failed batch): waits until nothing is queued, then runs
    /// and commits `op` while holding the lane.
    async fn write_alone<T>(
        &self,
        lane: &Arc<Lane>,
        account: &AccountId,
        op: &impl Fn(&mut Tx) -> Result<T, IamError>,
    ) -> Result<T, IamError> {
        let _guard = loop {
            let st = lane.state.lock().await;
            match st.newest_batch() {
                None => break st,
                Some(mut rx) => {
                    drop(st);
                    let _ = rx.wait_for(|o| *o != Outcome::Pending).await;
                }
            }
        };
        for attempt in 0..3 {
            let base = self.published(account);
            let base_revision = base.revision;
            let mut tx = Tx::new(base);
            let out = op(&mut tx)?;
            if tx.is_empty() {
                return Ok(out);
            }
            match self
                .store
                .commit(account.as_str(), base_revision, tx.changes())
                .await
            {
                Ok(revision) => {
                    tx.state.revision = revision;
                    let mut keys: Vec<(String, bool)> =
                        tx.keys_removed.iter().map(|k| (k.clone(), false)).collect();
                    keys.extend(tx.keys_added.iter().map(|k| (k.clone(), true)));
                    publish(&self.snapshot, tx.state, &keys);
                    return Ok(out);
                }
                Err(StoreError::RevisionMismatch { .. }) if attempt < 2 => {
                    self.refresh(account.as_str()).await?;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::RevisionMismatch {
            account: account.to_string(),
            expected: 0,
            actual: 0,
        }
        .into())
    }

    /// `account`'s published state (empty if it has none yet).
    fn published(&self, account: &AccountId) -> AccountState {
        match self.snapshot().account(account.as_str()) {
            Some(s) => (**s).clone(),
            None => AccountState::empty(account.clone()),
        }
    }

    /// Reloads one account from the store (another node changed it).
    pub async fn refresh(&self, account: &str) -> Result<(), IamError> {
        if account.parse::<AccountId>().is_err() {
            return Ok(());
        }
        let Some(stored) = self.store.load_account(account).await? else {
            return Ok(());
        };
        let mut state =
            AccountState::from_records(&stored, &self.sealer).map_err(IamError::ServiceFailure)?;
        if let Some(old) = self.snapshot().account(account) {
            state.access = old.access.clone();
        }
        let new_keys: Vec<String> = state.access_keys.keys().cloned().collect();
        let state = Arc::new(state);
        self.snapshot.rcu(|s| {
            let old: Vec<String> = s
                .account(account)
                .map(|a| a.access_keys.keys().cloned().collect())
                .unwrap_or_default();
            s.with_account(state.clone(), &new_keys, &old)
        });
        Ok(())
    }
}

/// One account's writers (see [`Iam::write`]).
#[derive(Default)]
struct Lane {
    state: tokio::sync::Mutex<LaneState>,
}

#[derive(Default)]
struct LaneState {
    /// The account after every queued write; `None` when nothing is queued or being
    /// committed (the published state is then the tip).
    tip: Option<AccountState>,
    /// The store revision the next batch commits against (meaningful while `tip` is set).
    revision: u64,
    /// Writes queued for the next commit.
    open: Option<Batch>,
    /// The outcome of the batch being committed.
    in_flight: Option<tokio::sync::watch::Receiver<Outcome>>,
    /// Whether a committer task is running.
    committer: bool,
}

impl LaneState {
    /// The outcome of the last queued batch: once it is known, everything queued so far is.
    fn newest_batch(&self) -> Option<tokio::sync::watch::Receiver<Outcome>> {
        self.open
            .as_ref()
            .map(|b| b.done.subscribe())
            .or_else(|| self.in_flight.clone())
    }
}

/// Several writers' changes, committed in one store transaction.
struct Batch {
    changes: Vec<Change>,
    /// Access key IDs added (`true`) or removed, in order.
    keys: Vec<(String, bool)>,
    /// The account after the batch's last writer.
    state: AccountState,
    done: tokio::sync::watch::Sender<Outcome>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Pending,
    /// Durable and published.
    Committed,
    /// Nothing was written: run again.
    Retry,
}

/// Commits an account's queued batches one after the other until none is left.
async fn commit_loop(
    lane: Arc<Lane>,
    store: Arc<dyn Store>,
    snapshot: Arc<ArcSwap<Snapshot>>,
    account: String,
) {
    loop {
        let (batch, expected) = {
            let mut st = lane.state.lock().await;
            let Some(batch) = st.open.take() else {
                st.committer = false;
                return;
            };
            st.in_flight = Some(batch.done.subscribe());
            (batch, st.revision)
        };
        let result = store.commit(&account, expected, &batch.changes).await;
        let mut st = lane.state.lock().await;
        st.in_flight = None;
        match result {
            Ok(revision) => {
                st.revision = revision;
                let mut state = batch.state;
                state.revision = revision;
                publish(&snapshot, state, &batch.keys);
                if st.open.is_none() {
                    st.tip = None;
                }
                let _ = batch.done.send(Outcome::Committed);
            }
            Err(e) => {
                tracing::debug!(account, error = %e, "group commit failed; its writers run again one by one");
                st.tip = None;
                let _ = batch.done.send(Outcome::Retry);
                if let Some(next) = st.open.take() {
                    let _ = next.done.send(Outcome::Retry);
                }
            }
        }
    }
}

/// Publishes `state` with the access key index updated by `keys` (net effect, in order).
fn publish(snapshot: &ArcSwap<Snapshot>, state: AccountState, keys: &[(String, bool)]) {
    let mut net: HashMap<&str, bool> = HashMap::new();
    for (k, added) in keys {
        net.insert(k.as_str(), *added);
    }
    let (mut added, mut removed) = (Vec::new(), Vec::new());
    for (k, a) in net {
        if a { &mut added } else { &mut removed }.push(k.to_owned());
    }
    let state = Arc::new(state);
    snapshot.rcu(|s| s.with_account(state.clone(), &added, &removed));
}

/// What the access advisor knows of one principal's use of one service.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ServiceAccess {
    pub last: OffsetDateTime,
    pub region: String,
    /// Per action (`iam:CreateUser`): when and where it was last authorized.
    pub actions: BTreeMap<String, (OffsetDateTime, String)>,
}

/// A GenerateServiceLastAccessedDetails job: its results as of its creation.
#[derive(Debug, Clone)]
pub struct AccessJob {
    pub arn: String,
    pub granularity: String,
    pub created: OffsetDateTime,
    pub services: Vec<serde_json::Value>,
    /// Per service namespace, the entities of the report with their last access.
    pub entities: BTreeMap<String, Vec<serde_json::Value>>,
}

/// The last request an access key signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyUse {
    pub time: OffsetDateTime,
    pub service: String,
    pub region: String,
}

/// Jobs kept per account (the oldest are dropped first).
const JOBS_KEPT: usize = 1_000;

/// Last access per (principal ARN, service namespace) and the access advisor's jobs, in
/// memory only: IAM's own data is "eventually" up to date too (tracking period of 4
/// hours), and a restart starts afresh.
#[derive(Debug, Default)]
pub struct AccessLog {
    inner: Mutex<AccessInner>,
}

#[derive(Debug, Default)]
struct AccessInner {
    services: HashMap<String, BTreeMap<String, ServiceAccess>>,
    /// Per role ID: when and in which region the role was last assumed (RoleLastUsed).
    roles: HashMap<String, (OffsetDateTime, String)>,
    /// Per access key ID: when, for which service and in which region it last signed a
    /// request (AccessKeyLastUsed).
    keys: HashMap<String, KeyUse>,
    jobs: HashMap<String, AccessJob>,
    job_order: std::collections::VecDeque<String>,
}

impl AccessLog {
    fn lock(&self) -> std::sync::MutexGuard<'_, AccessInner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn record(&self, principal_arn: &str, action: &str, region: &str, now: OffsetDateTime) {
        let namespace = action.split(':').next().unwrap_or(action).to_ascii_lowercase();
        let mut inner = self.lock();
        let services = inner.services.entry(principal_arn.to_owned()).or_default();
        let entry = services.entry(namespace).or_insert_with(|| ServiceAccess {
            last: now,
            region: region.to_owned(),
            actions: BTreeMap::new(),
        });
        entry.last = now;
        region.clone_into(&mut entry.region);
        entry.actions.insert(action.to_owned(), (now, region.to_owned()));
    }

    /// Records that the role with ID `role_id` was assumed (GetRole's `RoleLastUsed`).
    pub fn record_role_use(&self, role_id: &str, region: &str, now: OffsetDateTime) {
        self.lock()
            .roles
            .insert(role_id.to_owned(), (now, region.to_owned()));
    }

    /// Records that the access key `key_id` signed a request for `service` in `region`.
    /// Allocates only the first time a key is seen or when its service or region change.
    pub fn record_key_use(&self, key_id: &str, service: &str, region: &str, now: OffsetDateTime) {
        let mut inner = self.lock();
        match inner.keys.get_mut(key_id) {
            Some(last) => {
                last.time = now;
                if last.service != service {
                    service.clone_into(&mut last.service);
                }
                if last.region != region {
                    region.clone_into(&mut last.region);
                }
            }
            None => {
                let used = KeyUse {
                    time: now,
                    service: service.to_owned(),
                    region: region.to_owned(),
                };
                inner.keys.insert(key_id.to_owned(), used);
            }
        }
    }

    /// The last request the access key `key_id` signed, as recorded on this node.
    pub fn key_last_used(&self, key_id: &str) -> Option<KeyUse> {
        self.lock().keys.get(key_id).cloned()
    }

    /// When and in which region the role with ID `role_id` was last assumed.
    pub fn role_last_used(&self, role_id: &str) -> Option<(OffsetDateTime, String)> {
        self.lock().roles.get(role_id).cloned()
    }

    /// Seeds a principal's data from its stored record (on load), keeping newer uses.
    pub fn restore(&self, principal_arn: &str, stored: BTreeMap<String, ServiceAccess>) {
        let mut inner = self.lock();
        let services = inner.services.entry(principal_arn.to_owned()).or_default();
        for (namespace, access) in stored {
            match services.get(&namespace) {
                Some(live) if live.last >= access.last => {}
                _ => {
                    services.insert(namespace, access);
                }
            }
        }
    }

    /// Every principal this node has access data for.
    pub fn principals(&self) -> Vec<String> {
        self.lock().services.keys().cloned().collect()
    }

    /// The services `principal_arn` used, by namespace.
    pub fn services_of(&self, principal_arn: &str) -> BTreeMap<String, ServiceAccess> {
        self.lock()
            .services
            .get(principal_arn)
            .cloned()
            .unwrap_or_default()
    }

    pub fn put_job(&self, id: String, job: AccessJob) {
        let mut inner = self.lock();
        inner.job_order.push_back(id.clone());
        inner.jobs.insert(id, job);
        while inner.job_order.len() > JOBS_KEPT {
            if let Some(old) = inner.job_order.pop_front() {
                inner.jobs.remove(&old);
            }
        }
    }

    pub fn job(&self, id: &str) -> Option<AccessJob> {
        self.lock().jobs.get(id).cloned()
    }
}

impl Iam {
    /// Records that `principal_arn` was authorized for `action` (access advisor). Sessions
    /// of a role count as the role's access, as in IAM.
    pub fn record_access(
        &self,
        account: &str,
        principal_arn: &str,
        action: &str,
        region: &str,
        now: OffsetDateTime,
    ) {
        let snapshot = self.snapshot();
        let Some(state) = snapshot.account(account) else {
            return;
        };
        let assumed = format!("arn:aws:sts::{account}:assumed-role/");
        let entity = match principal_arn.strip_prefix(&assumed) {
            Some(rest) => {
                let name = rest.split('/').next().unwrap_or_default();
                match state.roles.get(&name.to_ascii_lowercase()) {
                    Some(r) => state.arn("role", &r.path, &r.name),
                    None => return,
                }
            }
            None => principal_arn.to_owned(),
        };
        state.access.record(&entity, action, region, now);
    }

    /// Records that a long-term access key signed a request (`AccessKeyLastUsed`): in
    /// memory on the request path, written to the store by [`Iam::flush_usage`].
    pub fn record_key_use(
        &self,
        account: &str,
        key_id: &str,
        service: &str,
        region: &str,
        now: OffsetDateTime,
    ) {
        if let Some(state) = self.snapshot().account(account) {
            state.access.record_key_use(key_id, service, region, now);
        }
    }

    /// Writes the last uses recorded in memory (access keys' `AccessKeyLastUsed`, roles'
    /// `RoleLastUsed`) to the stored entities where they are newer, one write per account
    /// that has any. The server calls it periodically and when it stops, so a restart
    /// keeps them: AWS documents this data as updated within hours, not per request.
    /// Returns the number of entities updated.
    pub async fn flush_usage(&self) -> Result<usize, IamError> {
        let snapshot = self.snapshot();
        let mut updated = 0;
        for state in snapshot.accounts.values() {
            if !usage_is_newer(state) {
                continue;
            }
            updated += self.write(&state.id, |tx| Ok(apply_usage(tx))).await?;
        }
        Ok(updated)
    }

    /// Records that a role was assumed, for its `RoleLastUsed` (in memory like the access
    /// advisor's data: assuming a role costs no database write).
    pub fn record_role_use(&self, account: &str, role_id: &str, region: &str, now: OffsetDateTime) {
        if let Some(state) = self.snapshot().account(account) {
            state.access.record_role_use(role_id, region, now);
        }
    }
}

/// Whether this node recorded a use newer than what `state` stores.
fn usage_is_newer(state: &AccountState) -> bool {
    let keys = state.access_keys.values().any(|k| {
        state
            .access
            .key_last_used(&k.id)
            .is_some_and(|u| k.last_used.is_none_or(|t| u.time > t))
    });
    let roles = state.roles.values().any(|r| {
        state
            .access
            .role_last_used(&r.id)
            .is_some_and(|(t, _)| r.last_used.is_none_or(|s| t > s))
    });
    keys || roles || !advisor_changes(state).is_empty()
}

/// The access advisor records whose live data differs from what is stored.
fn advisor_changes(state: &AccountState) -> Vec<AccessAdvisorRecord> {
    state
        .access
        .principals()
        .into_iter()
        .filter_map(|principal| {
            let services = state.access.services_of(&principal);
            let stored = state.access_advisor.get(&principal).map(|r| &r.services);
            (stored != Some(&services)).then_some(AccessAdvisorRecord {
                v: 1,
                principal,
                services,
            })
        })
        .collect()
}

/// Copies newer recorded uses into the transaction's entities; returns how many changed.
fn apply_usage(tx: &mut Tx) -> usize {
    let access = tx.state.access.clone();
    let mut keys = Vec::new();
    for k in tx.state.access_keys.values() {
        if let Some(u) = access
            .key_last_used(&k.id)
            .filter(|u| k.last_used.is_none_or(|t| u.time > t))
        {
            let mut k = k.clone();
            k.last_used = Some(u.time);
            k.last_used_service = Some(u.service);
            k.last_used_region = Some(u.region);
            keys.push(k);
        }
    }
    let mut roles = Vec::new();
    for r in tx.state.roles.values() {
        if let Some((t, region)) = access
            .role_last_used(&r.id)
            .filter(|(t, _)| r.last_used.is_none_or(|s| *t > s))
        {
            let mut r = r.clone();
            r.last_used = Some(t);
            r.last_used_region = Some(region);
            roles.push(r);
        }
    }
    let advisor = advisor_changes(&tx.state);
    let n = keys.len() + roles.len() + advisor.len();
    keys.into_iter().for_each(|k| tx.put(k));
    roles.into_iter().for_each(|r| tx.put(r));
    advisor.into_iter().for_each(|a| tx.put(a));
    n
}
