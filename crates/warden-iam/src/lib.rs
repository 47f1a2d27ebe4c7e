//! IAM's rules, limits and defaults.
//!
//! State lives in memory as an immutable per-account [`state::Snapshot`]; operations
//! are one table ([`ops::TABLES`]) from AWS's operation name to the resource it acts
//! on and its handler. Read handlers see a snapshot; write handlers mutate a private
//! copy inside a [`tx::Tx`] whose changes commit atomically through the store port
//! before the copy is published.
//!
//! ```
//! let op = warden_iam::ops::find("CreateUser").unwrap();
//! assert_eq!(op.action(), "iam:CreateUser");
//! ```

pub mod authz;
pub mod caller;
pub mod crypto;
pub mod error;
pub mod input;
pub mod managed;
pub mod model;
pub mod ops;
pub mod rules;
pub mod service;
pub mod state;
pub mod tx;
pub mod util;
pub mod views;

pub use caller::Caller;
pub use error::IamError;
pub use service::Iam;
pub use state::{AccountState, Snapshot};

use serde_json::Value;
use time::OffsetDateTime;
use warden_types::{AccountId, Secret};

use crate::input::Input;
use crate::model::{AccessKey, AccountInfo, KeyStatus};
use crate::ops::{Handler, OpCtx, OpSpec, Target};

impl Iam {
    /// Runs an authorized operation for `caller` in the caller's account.
    pub async fn execute(
        &self,
        op: &OpSpec,
        caller: &Caller,
        input: &Value,
        now: OffsetDateTime,
    ) -> Result<Value, IamError> {
        let ctx = OpCtx {
            now,
            caller,
            sealer: self.sealer(),
        };
        let input = Input::new(input);
        match op.handler {
            Handler::Read(f) => {
                let snapshot = self.snapshot();
                let state = snapshot
                    .account(caller.account().as_str())
                    .ok_or_else(|| IamError::ServiceFailure("caller's account is not loaded".into()))?;
                f(state, &input, &ctx)
            }
            Handler::Write(f) => self.write(caller.account(), |tx| f(tx, &input, &ctx)).await,
            Handler::ReadShared(f) => f(&self.snapshot(), &input, &ctx),
            Handler::WriteIn(home, f) => {
                let snapshot = self.snapshot();
                let own = snapshot
                    .account(caller.account().as_str())
                    .cloned()
                    .ok_or_else(|| IamError::ServiceFailure("caller's account is not loaded".into()))?;
                let account = home(&snapshot, &input).unwrap_or_else(|| caller.account().clone());
                self.write(&account, |tx| f(tx, &own, &input, &ctx)).await
            }
        }
    }

    /// Creates an account with its info record and, when given, root access keys.
    /// Returns the root keys (generated when `root_key` is `None`).
    pub async fn create_account(
        &self,
        id: &AccountId,
        name: &str,
        root_key: Option<(String, Secret)>,
        now: OffsetDateTime,
    ) -> Result<(String, Secret), IamError> {
        let sealer = self.sealer().clone();
        let (key_id, secret) = match root_key {
            Some(k) => k,
            None => (
                warden_types::new_access_key_id(warden_types::IdKind::AccessKey, id),
                Secret::new(warden_types::new_secret_access_key()),
            ),
        };
        self.write(id, |tx| {
            if tx.state.info.is_some() {
                return Err(IamError::EntityAlreadyExists(format!(
                    "Account {id} already exists."
                )));
            }
            tx.put_info(AccountInfo {
                v: 1,
                name: name.to_owned(),
                created: now,
                aliases: Vec::new(),
                password_policy: None,
                sts_token_version: 1,
            });
            tx.insert(AccessKey {
                v: 1,
                id: key_id.clone(),
                user: None,
                secret_sealed: sealer.seal(secret.expose(), &key_id),
                secret: Some(secret.clone()),
                status: KeyStatus::Active,
                created: now,
                last_used: None,
                last_used_service: None,
                last_used_region: None,
            });
            Ok(())
        })
        .await?;
        Ok((key_id, secret))
    }
}

/// The ARN of the resource `op` acts on, for authorization: the entity's real ARN (with
/// its path) when it exists, else the ARN it would have.
pub fn resource_arn(state: &AccountState, op: &OpSpec, input: &Value, caller: &Caller) -> String {
    let input = Input::new(input);
    let path = || rules::path(&input, "Path");
    match op.target {
        Target::Any => "*".to_owned(),
        Target::User(member) => match input.opt_str(member) {
            Some(name) => match state.users.get(&name.to_ascii_lowercase()) {
                Some(u) => state.arn("user", &u.path, &u.name),
                None => state.arn("user", path(), name),
            },
            None => match caller {
                Caller::User { user, .. } => state
                    .users
                    .get(user)
                    .map(|u| state.arn("user", &u.path, &u.name))
                    .unwrap_or_else(|| state.root_arn()),
                _ => state.root_arn(),
            },
        },
        Target::Group(member) => {
            let name = input.opt_str(member).unwrap_or_default();
            match state.groups.get(&name.to_ascii_lowercase()) {
                Some(g) => state.arn("group", &g.path, &g.name),
                None => state.arn("group", path(), name),
            }
        }
        Target::Role(member) => {
            let name = input.opt_str(member).unwrap_or_default();
            match state.roles.get(&name.to_ascii_lowercase()) {
                Some(r) => state.arn("role", &r.path, &r.name),
                None => state.arn("role", path(), name),
            }
        }
        Target::PolicyArn("PolicyName") => {
            state.arn("policy", path(), input.opt_str("PolicyName").unwrap_or_default())
        }
        Target::Built(build) => build(state, &input),
        Target::PolicyArn(member) | Target::ArnMember(member) => {
            input.opt_str(member).unwrap_or("*").to_owned()
        }
        Target::InstanceProfile(member) => {
            let name = input.opt_str(member).unwrap_or_default();
            match state.instance_profiles.get(&name.to_ascii_lowercase()) {
                Some(p) => state.arn("instance-profile", &p.path, &p.name),
                None => state.arn("instance-profile", path(), name),
            }
        }
    }
}
