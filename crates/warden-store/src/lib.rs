//! The storage port of Warden.
//!
//! Warden serves authentication and authorization from memory (DESIGN.md, "The hot
//! path"), so the store's job is narrow: keep every account's entities as versioned
//! records, apply one operation's changes atomically, refuse a second insert of one key
//! (integrity lives in the database, not in a scan), and serialize writers of one account
//! with a per-account revision, so that two nodes sharing one database cannot both
//! commit against the same state.
//!
//! ```
//! use warden_store::{Change, Record};
//! let c = Change::Insert(Record::new("user", "alice", br#"{"v":1}"#.to_vec()));
//! assert_eq!(c.kind(), "user");
//! ```
//!
//! Adapters (`warden-store-sqlite`, `warden-store-postgres`) implement [`Store`] and run
//! [`conformance`] in their tests.

pub mod conformance;

use async_trait::async_trait;

/// One stored entity: `kind` names the aggregate (`user`, `role`, ...), `key` is its
/// unique key inside the account (a lower-cased name or an ID), `body` its serialized
/// form (versioned JSON owned by the service layer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub kind: String,
    pub key: String,
    pub body: Vec<u8>,
}

impl Record {
    pub fn new(kind: impl Into<String>, key: impl Into<String>, body: Vec<u8>) -> Self {
        Self {
            kind: kind.into(),
            key: key.into(),
            body,
        }
    }
}

/// One change of a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Create a record; the commit fails with [`StoreError::AlreadyExists`] if the key is taken.
    Insert(Record),
    /// Create or replace a record.
    Put(Record),
    /// Remove a record if present.
    Delete { kind: String, key: String },
}

impl Change {
    pub fn kind(&self) -> &str {
        match self {
            Change::Insert(r) | Change::Put(r) => &r.kind,
            Change::Delete { kind, .. } => kind,
        }
    }
}

/// An account's records at one revision.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountRecords {
    pub account: String,
    pub revision: u64,
    pub records: Vec<Record>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An insert hit an existing key: the caller maps this to `EntityAlreadyExists`.
    #[error("record {kind}/{key} already exists")]
    AlreadyExists { kind: String, key: String },
    /// The account moved on since the caller read it (another node committed): reload and retry.
    #[error("account {account} is at revision {actual}, not {expected}")]
    RevisionMismatch {
        account: String,
        expected: u64,
        actual: u64,
    },
    /// The database failed; nothing of the commit was applied.
    #[error("storage backend error: {0}")]
    Backend(String),
}

/// The storage port. Every method is atomic: a failed commit changes nothing.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Every account with its records, to build the in-memory state at start.
    async fn load_all(&self) -> Result<Vec<AccountRecords>, StoreError>;

    /// One account's records, to refresh after another node's commit.
    async fn load_account(&self, account: &str) -> Result<Option<AccountRecords>, StoreError>;

    /// Apply `changes` to `account` if its revision is `expected` (0 for an account that
    /// does not exist yet, which the commit creates) and return the new revision.
    /// Durable when it returns `Ok`.
    async fn commit(&self, account: &str, expected: u64, changes: &[Change]) -> Result<u64, StoreError>;

    /// A server-wide setting (schema notes, sealing keys' metadata...), outside any account.
    async fn get_setting(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// Set a server-wide setting; `only_if_absent` makes it a create-once (first writer wins)
    /// and returns the value that is stored afterwards.
    async fn put_setting(
        &self,
        name: &str,
        value: &[u8],
        only_if_absent: bool,
    ) -> Result<Vec<u8>, StoreError>;

    /// Waits until another process may have committed (PostgreSQL notifications); stores
    /// that serve a single process return `None` and are never waited on.
    fn subscribe(&self) -> Option<tokio::sync::broadcast::Receiver<String>> {
        None
    }
}
