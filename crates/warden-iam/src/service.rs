//! The IAM service: owns the published [`Snapshot`] and serializes writers per account.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use warden_store::{Store, StoreError};
use warden_types::AccountId;

use crate::crypto::Sealer;
use crate::error::IamError;
use crate::state::{AccountState, Snapshot};
use crate::tx::Tx;

pub struct Iam {
    store: Arc<dyn Store>,
    snapshot: ArcSwap<Snapshot>,
    writers: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
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
            snapshot: ArcSwap::from_pointee(Snapshot::empty()),
            writers: Mutex::new(HashMap::new()),
            sealer,
        };
        let mut snap = Snapshot::empty();
        for stored in iam.store.load_all().await? {
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

    fn writer_lock(&self, account: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self
            .writers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry(account.to_owned()).or_default().clone()
    }

    /// Runs `op` against a private copy of `account`'s state and commits what it changed.
    /// Writers of one account run one at a time; on a revision conflict (another node
    /// committed first) the account is reloaded and `op` runs once more.
    pub async fn write<T>(
        &self,
        account: &AccountId,
        op: impl Fn(&mut Tx) -> Result<T, IamError>,
    ) -> Result<T, IamError> {
        let lock = self.writer_lock(account.as_str());
        let _guard = lock.lock().await;
        for attempt in 0..3 {
            let base = match self.snapshot().account(account.as_str()) {
                Some(s) => (**s).clone(),
                None => AccountState::empty(account.clone()),
            };
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
                    self.publish(tx);
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

    fn publish(&self, tx: Tx) {
        let state = Arc::new(tx.state);
        self.snapshot
            .rcu(|s| s.with_account(state.clone(), &tx.keys_added, &tx.keys_removed));
    }

    /// Reloads one account from the store (another node changed it).
    pub async fn refresh(&self, account: &str) -> Result<(), IamError> {
        let Some(stored) = self.store.load_account(account).await? else {
            return Ok(());
        };
        let state = AccountState::from_records(&stored, &self.sealer).map_err(IamError::ServiceFailure)?;
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
