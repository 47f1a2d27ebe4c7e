//! IAM temporary delegation: delegation requests that a partner creates for temporary,
//! limited access to a customer's account, and that the customer associates, reviews,
//! accepts or rejects, and finally releases the exchange token of.
//!
//! A request lives in the account of the partner that created it (the requestor); the
//! customer's operations find it by ID in whichever account holds it (`Handler::WriteIn`,
//! `Handler::ReadShared`). The lifecycle is the one of the IAM User Guide, "Building your
//! integration": `UNASSIGNED -> ASSIGNED -> (PENDING_APPROVAL ->) ACCEPTED -> FINALIZED`,
//! `REJECTED` from any of the three review states, and `EXPIRED` when a state outlives its
//! lifetime (one day unassigned, seven days in every other state), which is derived from
//! the stored expiry rather than written by a timer.
//!
//! Who may see and act on a request (API reference of GetDelegationRequest and
//! AssociateDelegationRequest): anyone while it has no owner account; only identities of
//! the owner account once it has one. The authorization resource is
//! `arn:aws:iam::{caller's account}:delegation-request/{id}` and the caller's identity
//! policies must allow the action (the root user may do anything): Warden does not grant
//! the owner AWS's implicit "default permission".
//!
//! SendDelegationToken moves an accepted request to `FINALIZED` and records when; the
//! exchange token is not delivered anywhere (Warden publishes nothing to SNS).

use serde_json::{Map, Value, json};
use time::{Duration, OffsetDateTime};
use warden_policy::PolicyKind;

use super::Target::Built;
use super::policy_template::{POLICY_SIZE, boundaries, parameters, render, template};
use super::{OpCtx, ops, page};
use crate::caller::Caller;
use crate::error::IamError;
use crate::input::Input;
use crate::model::{DelegationRequest, DelegationState};
use crate::rules;
use crate::state::{AccountState, Snapshot};
use crate::tx::Tx;
use crate::util::ts;
use warden_types::AccountId;

ops! { OPS {
    "CreateDelegationRequest" => Built(request_arn), Write(create);
    "GetDelegationRequest" => Built(request_arn), ReadShared(get);
    "ListDelegationRequests" => Built(any_request_arn), ReadShared(list);
    "AssociateDelegationRequest" => Built(request_arn), WriteIn(home, associate);
    "UpdateDelegationRequest" => Built(request_arn), WriteIn(home, update);
    "AcceptDelegationRequest" => Built(request_arn), WriteIn(home, accept);
    "RejectDelegationRequest" => Built(request_arn), WriteIn(home, reject);
    "SendDelegationToken" => Built(request_arn), WriteIn(home, send_token);
    "GetHumanReadableSummary" => Built(summary_arn), ReadShared(super::summary::get);
}}

/// An unassigned request expires after one day; every later state after seven
/// (IAM User Guide, "Understanding the Request Lifecycle").
const UNASSIGNED_LIFETIME: Duration = Duration::days(1);
const STATE_LIFETIME: Duration = Duration::days(7);
/// The root user may approve requests for sessions of up to four hours only.
const ROOT_MAX_SESSION: i64 = 4 * 3600;
/// Requests expired for longer than this are forgotten (AWS deletes them after a retention period).
const RETENTION: Duration = Duration::days(30);

fn request_arn(state: &AccountState, input: &Input) -> String {
    let id = input.opt_str("DelegationRequestId").unwrap_or("*");
    format!("arn:aws:iam::{}:delegation-request/{id}", state.id)
}

fn any_request_arn(state: &AccountState, _: &Input) -> String {
    format!("arn:aws:iam::{}:delegation-request/*", state.id)
}

fn summary_arn(state: &AccountState, input: &Input) -> String {
    match input.opt_str("EntityArn").and_then(|a| request_id_of(a).ok()) {
        Some(id) => format!("arn:aws:iam::{}:delegation-request/{id}", state.id),
        None => input.opt_str("EntityArn").unwrap_or("*").to_owned(),
    }
}

/// The ID in a delegation request ARN (`arn:aws:iam::ACCOUNT:delegation-request/ID`).
pub(crate) fn request_id_of(arn: &str) -> Result<&str, IamError> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let (Some(&"arn"), Some(resource)) = (parts.first(), parts.get(5)) else {
        return Err(IamError::InvalidInput(format!("{arn} is not a valid ARN.")));
    };
    match resource.split_once('/') {
        Some(("delegation-request", id)) if parts.get(2) == Some(&"iam") && !id.is_empty() => Ok(id),
        _ => Err(IamError::InvalidInput(format!(
            "The entity type of {arn} is not supported. The only supported entity type is delegation-request."
        ))),
    }
}

fn not_found(id: &str) -> IamError {
    IamError::NoSuchEntity(format!("The delegation request with ID {id} cannot be found."))
}

/// The account that holds request `DelegationRequestId`, if any does.
fn home(snapshot: &Snapshot, input: &Input) -> Option<AccountId> {
    let id = input.opt_str("DelegationRequestId")?;
    holder(snapshot, id).map(|a| a.id.clone())
}

fn holder<'a>(snapshot: &'a Snapshot, id: &str) -> Option<&'a AccountState> {
    snapshot
        .accounts
        .values()
        .map(|a| &**a)
        .find(|a| a.delegation_requests.contains_key(id))
}

/// The ARN of the calling identity, as IAM records owners and approvers.
pub(crate) fn caller_arn(own: &AccountState, caller: &Caller) -> String {
    match caller {
        Caller::Root { .. } => own.root_arn(),
        Caller::User { user, .. } => match own.users.get(user) {
            Some(u) => own.arn("user", &u.path, &u.name),
            None => own.arn("user", "/", user),
        },
        Caller::AssumedRole { role, session, .. } => {
            let name = own.roles.get(role).map_or(role.as_str(), |r| r.name.as_str());
            format!("arn:aws:sts::{}:assumed-role/{name}/{session}", own.id)
        }
        Caller::FederatedUser { name, .. } => format!("arn:aws:sts::{}:federated-user/{name}", own.id),
    }
}

/// The state the caller sees: the stored one, or `EXPIRED` once its lifetime is over.
pub(crate) fn state_name(r: &DelegationRequest, now: OffsetDateTime) -> &'static str {
    if now >= r.expires {
        "EXPIRED"
    } else {
        r.state.as_str()
    }
}

/// Whether `caller` may see `r`: anyone while it has no owner account, then only
/// identities of the owner account.
pub(crate) fn visible(r: &DelegationRequest, caller: &Caller) -> bool {
    r.owner_account
        .as_deref()
        .is_none_or(|a| a == caller.account().as_str())
}

/// Request `id` as `caller` may see it, from whichever account holds it.
pub(crate) fn find<'a>(
    snapshot: &'a Snapshot,
    id: &str,
    caller: &Caller,
) -> Result<&'a DelegationRequest, IamError> {
    holder(snapshot, id)
        .and_then(|a| a.delegation_requests.get(id))
        .filter(|r| visible(r, caller))
        .ok_or_else(|| not_found(id))
}

/// Request `DelegationRequestId` in the account the write runs in, as `caller` may see it.
fn find_for_write(tx: &Tx, input: &Input, caller: &Caller) -> Result<DelegationRequest, IamError> {
    let id = input.str("DelegationRequestId")?;
    tx.state
        .delegation_requests
        .get(id)
        .filter(|r| visible(r, caller))
        .cloned()
        .ok_or_else(|| not_found(id))
}

fn wrong_state(r: &DelegationRequest, now: OffsetDateTime, wanted: &str) -> IamError {
    IamError::InvalidInput(format!(
        "The delegation request {} is in state {}; this operation requires {wanted}.",
        r.id,
        state_name(r, now)
    ))
}

/// Refuses unless `r` is live at `now` and in one of `states` (which `wanted` names).
fn require(
    r: &DelegationRequest,
    now: OffsetDateTime,
    states: &[DelegationState],
    wanted: &str,
) -> Result<(), IamError> {
    if now < r.expires && states.contains(&r.state) {
        Ok(())
    } else {
        Err(wrong_state(r, now, wanted))
    }
}

/// Moves `r` to `state` at `now`, with the new state's lifetime.
fn transition(r: &mut DelegationRequest, state: DelegationState, now: OffsetDateTime) {
    r.state = state;
    r.updated = now;
    r.expires = now + STATE_LIFETIME;
}

// ---- the view -------------------------------------------------------------------

fn set(out: &mut Map<String, Value>, key: &str, value: Option<impl Into<Value>>) {
    if let Some(v) = value {
        out.insert(key.into(), v.into());
    }
}

pub(crate) fn permissions_view(r: &DelegationRequest) -> Value {
    let mut p = Map::new();
    set(&mut p, "PolicyTemplateArn", r.template_arn.clone());
    if !r.parameters.is_empty() {
        let params: Vec<Value> = r
            .parameters
            .iter()
            .map(|p| json!({ "Name": p.name, "Values": p.values, "Type": p.kind }))
            .collect();
        p.insert("Parameters".into(), Value::Array(params));
    }
    Value::Object(p)
}

fn view(r: &DelegationRequest, now: OffsetDateTime) -> Value {
    let mut v = Map::new();
    v.insert("DelegationRequestId".into(), json!(r.id));
    set(&mut v, "OwnerAccountId", r.owner_account.clone());
    v.insert("Description".into(), json!(r.description));
    set(&mut v, "RequestMessage", r.request_message.clone());
    v.insert("Permissions".into(), permissions_view(r));
    v.insert("PermissionPolicy".into(), json!(r.permission_policy));
    if !r.boundary_arns.is_empty() {
        v.insert("RolePermissionRestrictionArns".into(), json!(r.boundary_arns));
    }
    set(&mut v, "OwnerId", r.owner_id.clone());
    set(&mut v, "ApproverId", r.approver_id.clone());
    v.insert("State".into(), json!(state_name(r, now)));
    v.insert("ExpirationTime".into(), json!(ts(r.expires)));
    v.insert("RequestorId".into(), json!(r.requestor_account));
    v.insert("RequestorName".into(), json!(r.requestor_name));
    v.insert("CreateDate".into(), json!(ts(r.created)));
    v.insert("SessionDuration".into(), json!(r.session_duration));
    set(&mut v, "RedirectUrl", r.redirect_url.clone());
    set(&mut v, "Notes", r.notes.clone());
    set(&mut v, "RejectionReason", r.rejection_reason.clone());
    v.insert("OnlySendByOwner".into(), json!(r.only_send_by_owner));
    v.insert("UpdatedTime".into(), json!(ts(r.updated)));
    Value::Object(v)
}

// ---- CreateDelegationRequest ----------------------------------------------------

/// An SNS topic ARN: `arn:aws:sns:REGION:ACCOUNT:NAME`.
fn is_sns_topic(arn: &str) -> bool {
    let parts: Vec<&str> = arn.split(':').collect();
    matches!(
        parts.as_slice(),
        ["arn", partition, "sns", region, account, name]
            if partition.starts_with("aws") && !region.is_empty() && !name.is_empty()
                && account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())
    )
}

pub fn create(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let description = input.str("Description")?;
    let workflow_id = input.str("RequestorWorkflowId")?;
    let channel = input.str("NotificationChannel")?;
    let duration = input
        .opt_i64("SessionDuration")
        .ok_or_else(|| IamError::ValidationError("1 validation error detected: Value null at 'sessionDuration' failed to satisfy constraint: Member must not be null".into()))?;
    if !is_sns_topic(channel) {
        return Err(IamError::InvalidInput(format!(
            "The notification channel {channel} is not an Amazon SNS topic ARN."
        )));
    }
    let template_arn = input
        .object("Permissions")
        .and_then(|p| p.get("PolicyTemplateArn"))
        .and_then(Value::as_str)
        .ok_or_else(|| IamError::InvalidInput("Permissions must name a PolicyTemplateArn.".into()))?;
    let params = parameters(input)?;
    let policy = render(&template(&tx.state, template_arn)?, &params)?;
    rules::parse_policy(&policy, PolicyKind::Identity, POLICY_SIZE, "PolicySize").map_err(|e| match e {
        IamError::MalformedPolicyDocument(m) => {
            IamError::InvalidInput(format!("The rendered permission policy is not valid: {m}"))
        }
        other => other,
    })?;
    let parsed: Value = serde_json::from_str(&policy).unwrap_or(Value::Null);
    let now = ctx.now;
    let stale: Vec<String> = tx
        .state
        .delegation_requests
        .values()
        .filter(|r| r.expires + RETENTION < now)
        .map(|r| r.id.clone())
        .collect();
    for id in stale {
        tx.delete::<DelegationRequest>(&id);
    }
    if tx
        .state
        .delegation_requests
        .values()
        .any(|r| r.workflow_id == workflow_id)
    {
        return Err(IamError::EntityAlreadyExists(format!(
            "A delegation request with the requestor workflow ID {workflow_id} already exists."
        )));
    }
    let info = tx.state.info.as_ref();
    let name: String = info
        .and_then(|i| i.aliases.first().cloned())
        .or_else(|| info.map(|i| i.name.clone()))
        .unwrap_or_else(|| tx.state.id.to_string())
        .chars()
        .take(30)
        .collect();
    let id = new_request_id();
    let r = DelegationRequest {
        v: 1,
        id: id.clone(),
        requestor_account: tx.state.id.to_string(),
        requestor_name: name,
        owner_account: input.opt_str("OwnerAccountId").map(str::to_owned),
        owner_id: None,
        description: description.to_owned(),
        request_message: input.opt_str("RequestMessage").map(str::to_owned),
        template_arn: Some(template_arn.to_owned()),
        parameters: params,
        boundary_arns: boundaries(&parsed),
        permission_policy: policy,
        workflow_id: workflow_id.to_owned(),
        redirect_url: input.opt_str("RedirectUrl").map(str::to_owned),
        notification_channel: channel.to_owned(),
        session_duration: duration,
        only_send_by_owner: input.opt_bool("OnlySendByOwner").unwrap_or(false),
        state: DelegationState::Unassigned,
        created: now,
        updated: now,
        expires: now + UNASSIGNED_LIFETIME,
        notes: None,
        rejection_reason: None,
        approver_id: None,
        token_sent: None,
    };
    tx.insert(r);
    Ok(json!({ "DelegationRequestId": id }))
}

/// `dr-` and 32 random lower-case hexadecimal digits.
fn new_request_id() -> String {
    format!("dr-{}", rules::uuid().replace('-', ""))
}

// ---- reads ----------------------------------------------------------------------

pub fn get(snapshot: &Snapshot, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let id = input.str("DelegationRequestId")?;
    let r = find(snapshot, id, ctx.caller)?;
    let mut out = Map::new();
    out.insert("DelegationRequest".into(), view(r, ctx.now));
    if input.opt_bool("DelegationPermissionCheck") == Some(true) {
        out.insert("PermissionCheckStatus".into(), json!("COMPLETE"));
        out.insert(
            "PermissionCheckResult".into(),
            json!(super::summary::permission_check(snapshot, r, ctx.caller, ctx.now)),
        );
    }
    Ok(Value::Object(out))
}

/// The requests owned by the caller's account (a request with no owner is not listed,
/// even when it names the account), optionally those of one owner, oldest first.
pub fn list(snapshot: &Snapshot, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let account = ctx.caller.account().as_str();
    let owner = input.opt_str("OwnerId");
    let mut owned: Vec<(String, &DelegationRequest)> = snapshot
        .accounts
        .values()
        .flat_map(|a| a.delegation_requests.values())
        .filter(|r| r.owner_account.as_deref() == Some(account) && r.owner_id.is_some())
        .filter(|r| owner.is_none_or(|o| r.owner_id.as_deref() == Some(o)))
        .map(|r| (format!("{:025}/{}", r.created.unix_timestamp_nanos(), r.id), r))
        .collect();
    owned.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Map::new();
    let taken = page(owned.iter().map(|(k, r)| (k, r)), input, &mut out)?;
    let list: Vec<Value> = taken.into_iter().map(|r| view(r, ctx.now)).collect();
    // This output names its flag `isTruncated` (the service model's spelling).
    if let Some(t) = out.remove("IsTruncated") {
        out.insert("isTruncated".into(), t);
    }
    out.insert("DelegationRequests".into(), Value::Array(list));
    Ok(Value::Object(out))
}

// ---- the customer's transitions ---------------------------------------------------

/// UNASSIGNED -> ASSIGNED: the caller becomes the owner (and its account the owner
/// account, when the partner named none).
pub fn associate(tx: &mut Tx, own: &AccountState, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let mut r = find_for_write(tx, input, ctx.caller)?;
    require(&r, ctx.now, &[DelegationState::Unassigned], "UNASSIGNED")?;
    r.owner_id = Some(caller_arn(own, ctx.caller));
    r.owner_account = Some(ctx.caller.account().to_string());
    transition(&mut r, DelegationState::Assigned, ctx.now);
    tx.put(r);
    Ok(json!({}))
}

/// The owner account's checks of every later step: the request has an owner and is live.
fn owned_live(tx: &Tx, input: &Input, ctx: &OpCtx) -> Result<DelegationRequest, IamError> {
    let r = find_for_write(tx, input, ctx.caller)?;
    if r.owner_id.is_none() {
        return Err(IamError::InvalidInput(format!(
            "The delegation request {} has not been associated with an owner.",
            r.id
        )));
    }
    Ok(r)
}

/// The states in which a request can be forwarded for approval and accepted.
const AWAITING_APPROVAL: &[DelegationState] = &[DelegationState::Assigned, DelegationState::PendingApproval];

/// ASSIGNED or PENDING_APPROVAL -> PENDING_APPROVAL, with the caller's notes (a request
/// forwarded to an administrator for approval).
pub fn update(tx: &mut Tx, _: &AccountState, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let mut r = owned_live(tx, input, ctx)?;
    require(&r, ctx.now, AWAITING_APPROVAL, "ASSIGNED or PENDING_APPROVAL")?;
    if let Some(notes) = input.opt_str("Notes") {
        r.notes = Some(notes.to_owned());
    }
    transition(&mut r, DelegationState::PendingApproval, ctx.now);
    tx.put(r);
    Ok(json!({}))
}

/// ASSIGNED or PENDING_APPROVAL -> ACCEPTED; the caller is recorded as the approver, the
/// identity the delegated credentials will act as. The root user may approve sessions of
/// up to four hours only.
pub fn accept(tx: &mut Tx, own: &AccountState, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let mut r = owned_live(tx, input, ctx)?;
    require(&r, ctx.now, AWAITING_APPROVAL, "ASSIGNED or PENDING_APPROVAL")?;
    if matches!(ctx.caller, Caller::Root { .. }) && r.session_duration > ROOT_MAX_SESSION {
        return Err(IamError::InvalidInput(format!(
            "The root user can approve delegation requests for sessions of up to {ROOT_MAX_SESSION} seconds only; this one asks for {}.",
            r.session_duration
        )));
    }
    r.approver_id = Some(caller_arn(own, ctx.caller));
    transition(&mut r, DelegationState::Accepted, ctx.now);
    tx.put(r);
    Ok(json!({}))
}

/// ASSIGNED, PENDING_APPROVAL or ACCEPTED (the token not yet sent) -> REJECTED, with the
/// caller's notes as the reason. A rejected request cannot be accepted or updated later.
pub fn reject(tx: &mut Tx, _: &AccountState, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let mut r = owned_live(tx, input, ctx)?;
    let open = [
        DelegationState::Assigned,
        DelegationState::PendingApproval,
        DelegationState::Accepted,
    ];
    require(&r, ctx.now, &open, "ASSIGNED, PENDING_APPROVAL or ACCEPTED")?;
    r.rejection_reason = input.opt_str("Notes").map(str::to_owned);
    transition(&mut r, DelegationState::Rejected, ctx.now);
    tx.put(r);
    Ok(json!({}))
}

/// ACCEPTED -> FINALIZED: the exchange token is released (recorded; Warden delivers
/// nothing to the partner's notification channel). With OnlySendByOwner, only the owner
/// may do this.
pub fn send_token(tx: &mut Tx, own: &AccountState, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let mut r = owned_live(tx, input, ctx)?;
    require(&r, ctx.now, &[DelegationState::Accepted], "ACCEPTED")?;
    if r.only_send_by_owner && r.owner_id.as_deref() != Some(caller_arn(own, ctx.caller).as_str()) {
        return Err(IamError::AccessDenied(format!(
            "Only the owner of delegation request {} can send its delegation token.",
            r.id
        )));
    }
    r.token_sent = Some(ctx.now);
    transition(&mut r, DelegationState::Finalized, ctx.now);
    tx.put(r);
    Ok(json!({}))
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use zeroize::Zeroizing;

    use super::*;
    use crate::crypto::Sealer;

    #[test]
    fn every_state_expires_after_its_lifetime() {
        let account: AccountId = "111122223333".parse().unwrap();
        let caller = Caller::Root {
            account: account.clone(),
        };
        let sealer = Sealer::new(&Zeroizing::new([7u8; 32]));
        let at = |now| OpCtx {
            now,
            caller: &caller,
            sealer: &sealer,
        };
        let t0 = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        let mut tx = Tx::new(AccountState::empty(account));
        let create_input = |workflow: &str| {
            json!({
                "Description": "d",
                "Permissions": {"PolicyTemplateArn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"},
                "RequestorWorkflowId": workflow,
                "NotificationChannel": "arn:aws:sns:us-east-1:111122223333:t",
                "SessionDuration": 3600,
            })
        };
        let out = create(&mut tx, &Input::new(&create_input("wf-1")), &at(t0)).unwrap();
        let id = out["DelegationRequestId"].as_str().unwrap().to_owned();
        let by_id = json!({ "DelegationRequestId": id });
        let input = Input::new(&by_id);
        let own = tx.state.clone();
        let r = tx.state.delegation_requests.get(&id).unwrap().clone();
        assert_eq!(state_name(&r, t0 + Duration::hours(23)), "UNASSIGNED");
        assert_eq!(state_name(&r, t0 + Duration::hours(24)), "EXPIRED");

        // Unassigned for more than a day: too late to associate.
        let late = associate(&mut tx, &own, &input, &at(t0 + Duration::hours(25)));
        assert!(matches!(late, Err(IamError::InvalidInput(m)) if m.contains("EXPIRED")));

        // Associated in time, the request lives seven more days in each state.
        let t1 = t0 + Duration::hours(1);
        associate(&mut tx, &own, &input, &at(t1)).unwrap();
        let r = tx.state.delegation_requests.get(&id).unwrap().clone();
        assert_eq!(r.expires, t1 + Duration::days(7));
        let stale = accept(&mut tx, &own, &input, &at(t1 + Duration::days(8)));
        assert!(matches!(stale, Err(IamError::InvalidInput(_))));
        let t2 = t1 + Duration::days(6);
        accept(&mut tx, &own, &input, &at(t2)).unwrap();
        let r = tx.state.delegation_requests.get(&id).unwrap().clone();
        assert_eq!(
            (r.state, r.expires),
            (DelegationState::Accepted, t2 + Duration::days(7))
        );
        assert_eq!(r.approver_id.as_deref(), Some("arn:aws:iam::111122223333:root"));
        assert_eq!(state_name(&r, t2 + Duration::days(7)), "EXPIRED");

        // A stale workflow's record is forgotten after the retention period.
        let again = create_input("wf-2");
        create(&mut tx, &Input::new(&again), &at(t2 + Duration::days(60))).unwrap();
        assert!(!tx.state.delegation_requests.contains_key(&id));
    }
}
