//! The IAM operations that act on AWS Organizations: centralized root access
//! (ListOrganizationsFeatures, Enable/Disable OrganizationsRootCredentialsManagement and
//! OrganizationsRootSessions) and the Organizations access advisor report
//! (Generate/GetOrganizationsAccessReport).
//!
//! Warden has no AWS Organizations: every account is a standalone account, which no
//! organization is associated with. These operations answer what AWS answers such an
//! account: the root access features fail with `OrganizationNotFoundException` (the
//! service model gives these exceptions no HTTP status, so it is 400), and an
//! Organizations access report is a real job (persisted, pollable) that fails, with
//! Organizations' `AWSOrganizationsNotInUseException` in its `ErrorDetails`.

use serde_json::{Map, Value, json};

use super::Target::Any;
use super::{OpCtx, ops};
use crate::error::IamError;
use crate::input::Input;
use crate::model::OrganizationsReport;
use crate::rules;
use crate::state::AccountState;
use crate::tx::Tx;
use crate::util::ts;

ops! { OPS {
    "ListOrganizationsFeatures" => Any, Read(list_features);
    "EnableOrganizationsRootCredentialsManagement" => Any, Read(enable_root_credentials_management);
    "DisableOrganizationsRootCredentialsManagement" => Any, Read(disable_root_credentials_management);
    "EnableOrganizationsRootSessions" => Any, Read(enable_root_sessions);
    "DisableOrganizationsRootSessions" => Any, Read(disable_root_sessions);
    "GenerateOrganizationsAccessReport" => Any, Write(generate_report);
    "GetOrganizationsAccessReport" => Any, Read(get_report);
}}

/// Reports kept per account: generating one more forgets the oldest.
const REPORTS_KEPT: usize = 50;

/// What IAM answers an account that is not in an organization (the model's documentation
/// of `OrganizationNotFoundException`).
fn no_organization() -> IamError {
    IamError::Other {
        code: "OrganizationNotFoundException",
        status: 400,
        message: "The request was rejected because no organization is associated with your account.".into(),
    }
}

pub fn list_features(_: &AccountState, _: &Input, _: &OpCtx) -> Result<Value, IamError> {
    Err(no_organization())
}

pub fn enable_root_credentials_management(_: &AccountState, _: &Input, _: &OpCtx) -> Result<Value, IamError> {
    Err(no_organization())
}

pub fn disable_root_credentials_management(
    _: &AccountState,
    _: &Input,
    _: &OpCtx,
) -> Result<Value, IamError> {
    Err(no_organization())
}

pub fn enable_root_sessions(_: &AccountState, _: &Input, _: &OpCtx) -> Result<Value, IamError> {
    Err(no_organization())
}

pub fn disable_root_sessions(_: &AccountState, _: &Input, _: &OpCtx) -> Result<Value, IamError> {
    Err(no_organization())
}

/// Starts a report job for an Organizations entity path (its form is checked by the wire
/// layer against the model's pattern). The job is recorded and answers
/// GetOrganizationsAccessReport; it fails because the account is in no organization.
pub fn generate_report(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let entity_path = input.str("EntityPath")?;
    let mut kept: Vec<(time::OffsetDateTime, String)> = tx
        .state
        .organizations_reports
        .values()
        .map(|r| (r.created, r.id.clone()))
        .collect();
    kept.sort();
    let excess = (kept.len() + 1).saturating_sub(REPORTS_KEPT);
    for (_, id) in kept.into_iter().take(excess) {
        tx.delete::<OrganizationsReport>(&id);
    }
    let id = rules::uuid();
    tx.insert(OrganizationsReport {
        v: 1,
        id: id.clone(),
        entity_path: entity_path.to_owned(),
        policy_id: input.opt_str("OrganizationsPolicyId").map(str::to_owned),
        created: ctx.now,
    });
    Ok(json!({ "JobId": id }))
}

pub fn get_report(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let id = input.str("JobId")?;
    let report = state
        .organizations_reports
        .get(id)
        .ok_or_else(|| IamError::NoSuchEntity(format!("No job exists with the job ID {id}.")))?;
    let mut out = Map::new();
    out.insert("JobStatus".into(), json!("FAILED"));
    out.insert("JobCreationDate".into(), json!(ts(report.created)));
    out.insert("JobCompletionDate".into(), json!(ts(report.created)));
    out.insert("IsTruncated".into(), json!(false));
    out.insert(
        "ErrorDetails".into(),
        json!({
            "Code": "AWSOrganizationsNotInUseException",
            "Message": "Your account is not a member of an organization.",
        }),
    );
    Ok(Value::Object(out))
}
