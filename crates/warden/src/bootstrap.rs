//! First start: create the default account with its root user's keys.

use anyhow::Context;
use time::OffsetDateTime;
use warden_iam::{Iam, IamError};
use warden_types::{AccountId, Secret};

use crate::Config;

/// The default account's ID, creating it on first start. Returns generated root keys
/// only when this start created them.
pub async fn default_account(
    iam: &Iam,
    config: &Config,
    now: OffsetDateTime,
) -> anyhow::Result<(String, Option<(String, Secret)>)> {
    let id = match iam.snapshot().default_account.clone() {
        Some(existing) => {
            if config
                .account_id
                .as_ref()
                .is_some_and(|id| id.as_str() != existing)
            {
                tracing::warn!(
                    existing,
                    "WARDEN_ACCOUNT_ID only applies on first start; keeping the existing default account"
                );
            }
            existing
        }
        // First writer wins: two nodes starting on one empty database agree on one account.
        None => iam
            .set_default_account(&config.account_id.clone().unwrap_or_else(AccountId::random))
            .await
            .context("recording the default account")?,
    };
    if iam.snapshot().account(&id).is_some_and(|a| a.info.is_some()) {
        return Ok((id, None));
    }
    let account: AccountId = id.parse().context("stored default account ID")?;
    let configured = config.root_key.clone();
    match iam
        .create_account(&account, "default", configured.clone(), now)
        .await
    {
        Ok(keys) => Ok((id, configured.is_none().then_some(keys))),
        // Another node created it a moment ago.
        Err(IamError::EntityAlreadyExists(_)) => Ok((id, None)),
        Err(e) => Err(e).context("creating the default account"),
    }
}
