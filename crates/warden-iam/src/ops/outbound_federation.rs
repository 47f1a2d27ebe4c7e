//! Outbound web identity federation: an account-level switch (Enable/Disable
//! OutboundWebIdentityFederation, GetOutboundWebIdentityFederationInfo) with the account's
//! issuer URL, kept in the account's settings record.
//!
//! The issuer is made once, when the feature is first enabled, in AWS's form
//! (`https://{uuid}.tokens.sts.global.api.aws`), and is kept when the feature is disabled
//! so that enabling it again gives the same one, as AWS's "unique issuer URL for your
//! account" is. Warden does not serve discovery documents at that URL and does not
//! implement STS GetWebIdentityToken: the setting is recorded and reported, no token is
//! issued under it.

use serde_json::{Value, json};

use super::Target::Any;
use super::{OpCtx, ops};
use crate::error::IamError;
use crate::input::Input;
use crate::model::{AccountSettings, OutboundFederation};
use crate::rules;
use crate::state::AccountState;
use crate::tx::Tx;

ops! { OPS {
    "EnableOutboundWebIdentityFederation" => Any, Write(enable);
    "DisableOutboundWebIdentityFederation" => Any, Write(disable);
    "GetOutboundWebIdentityFederationInfo" => Any, Read(info);
}}

fn settings(state: &AccountState) -> AccountSettings {
    state.settings.get("sts").cloned().unwrap_or(AccountSettings {
        v: 1,
        ..AccountSettings::default()
    })
}

fn feature_disabled() -> IamError {
    IamError::Other {
        code: "FeatureDisabled",
        status: 404,
        message: "Outbound identity federation is disabled for your account.".into(),
    }
}

pub fn enable(tx: &mut Tx, _: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let mut s = settings(&tx.state);
    let issuer = match &s.outbound_federation {
        Some(f) if f.enabled => {
            return Err(IamError::Other {
                code: "FeatureEnabled",
                status: 409,
                message: "Outbound identity federation is already enabled for your account.".into(),
            });
        }
        Some(f) => f.issuer.clone(),
        None => format!("https://{}.tokens.sts.global.api.aws", rules::uuid()),
    };
    s.outbound_federation = Some(OutboundFederation {
        issuer: issuer.clone(),
        enabled: true,
        changed: ctx.now,
    });
    tx.put(s);
    Ok(json!({ "IssuerIdentifier": issuer }))
}

pub fn disable(tx: &mut Tx, _: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let mut s = settings(&tx.state);
    match &mut s.outbound_federation {
        Some(f) if f.enabled => {
            f.enabled = false;
            f.changed = ctx.now;
        }
        _ => return Err(feature_disabled()),
    }
    tx.put(s);
    Ok(json!({}))
}

/// The issuer and whether the feature is on; `FeatureDisabled` if it was never enabled
/// (there is no issuer to report).
pub fn info(state: &AccountState, _: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let s = settings(state);
    let f = s.outbound_federation.as_ref().ok_or_else(feature_disabled)?;
    Ok(json!({ "IssuerIdentifier": f.issuer, "JwtVendingEnabled": f.enabled }))
}
