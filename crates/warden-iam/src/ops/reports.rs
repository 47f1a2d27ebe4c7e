//! Account reports: GetAccountAuthorizationDetails, the credential report, and the access
//! advisor (service last accessed details).

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::macros::format_description;

use super::{OpCtx, ops, page_list};
use crate::error::IamError;
use crate::input::Input;
use crate::managed;
use crate::model::*;
use crate::rules;
use crate::service::{AccessJob, ServiceAccess};
use crate::state::AccountState;
use crate::tx::Tx;
use crate::util::ts;
use crate::views;

use super::Target::Any;

ops! { OPS {
    "GetAccountAuthorizationDetails" => Any, Read(authorization_details);
    "GenerateCredentialReport" => Any, Write(generate_credential_report);
    "GetCredentialReport" => Any, Read(get_credential_report);
    "GenerateServiceLastAccessedDetails" => Any, Read(generate_last_accessed);
    "GetServiceLastAccessedDetails" => Any, Read(get_last_accessed);
    "GetServiceLastAccessedDetailsWithEntities" => Any, Read(get_last_accessed_entities);
}}

// ---- GetAccountAuthorizationDetails ----

fn attached(arns: &[String]) -> Vec<Value> {
    arns.iter()
        .map(|a| json!({ "PolicyName": a.rsplit('/').next().unwrap_or_default(), "PolicyArn": a }))
        .collect()
}

fn inline(p: &Permissions) -> Vec<Value> {
    p.inline
        .values()
        .map(|i| json!({ "PolicyName": i.name, "PolicyDocument": i.document.url_encoded() }))
        .collect()
}

fn boundary(arn: &Option<String>) -> Option<Value> {
    arn.as_ref().map(
        |a| json!({ "PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": a }),
    )
}

fn set(v: &mut Value, key: &str, value: Option<Value>) {
    if let (Some(o), Some(value)) = (v.as_object_mut(), value) {
        o.insert(key.to_owned(), value);
    }
}

fn user_detail(state: &AccountState, u: &User) -> Value {
    let groups: Vec<&str> = u
        .groups
        .iter()
        .filter_map(|g| state.groups.get(g))
        .map(|g| g.name.as_str())
        .collect();
    let mut v = json!({
        "Path": u.path, "UserName": u.name, "UserId": u.id,
        "Arn": state.arn("user", &u.path, &u.name), "CreateDate": ts(u.created),
        "UserPolicyList": inline(&u.permissions), "GroupList": groups,
        "AttachedManagedPolicies": attached(&u.permissions.attached),
        "Tags": views::tags(&u.tags),
    });
    set(&mut v, "PermissionsBoundary", boundary(&u.boundary));
    v
}

fn group_detail(state: &AccountState, g: &Group) -> Value {
    json!({
        "Path": g.path, "GroupName": g.name, "GroupId": g.id,
        "Arn": state.arn("group", &g.path, &g.name), "CreateDate": ts(g.created),
        "GroupPolicyList": inline(&g.permissions),
        "AttachedManagedPolicies": attached(&g.permissions.attached),
    })
}

fn role_detail(state: &AccountState, r: &Role) -> Value {
    let key = r.name.to_ascii_lowercase();
    let profiles: Vec<Value> = state
        .instance_profiles
        .values()
        .filter(|p| p.roles.contains(&key))
        .map(|p| views::instance_profile(state, p))
        .collect();
    let last = views::role_last_used(state, r);
    let mut v = json!({
        "Path": r.path, "RoleName": r.name, "RoleId": r.id,
        "Arn": state.arn("role", &r.path, &r.name), "CreateDate": ts(r.created),
        "AssumeRolePolicyDocument": r.trust_policy.url_encoded(),
        "InstanceProfileList": profiles,
        "RolePolicyList": inline(&r.permissions),
        "AttachedManagedPolicies": attached(&r.permissions.attached),
        "Tags": views::tags(&r.tags),
        "RoleLastUsed": last,
    });
    set(&mut v, "PermissionsBoundary", boundary(&r.boundary));
    v
}

fn local_policy_detail(state: &AccountState, p: &ManagedPolicy) -> Value {
    let arn = state.arn("policy", &p.path, &p.name);
    let mut v = views::policy(state, p, rules::policy_usage(state, &arn), false);
    set(&mut v, "Description", p.description.as_ref().map(|d| json!(d)));
    let versions: Vec<Value> = p
        .versions
        .iter()
        .map(|ver| views::policy_version(ver, &p.default_version, true))
        .collect();
    set(&mut v, "PolicyVersionList", Some(Value::Array(versions)));
    v
}

fn aws_policy_detail(state: &AccountState, p: &managed::AwsManagedPolicy) -> Value {
    let (attached, boundary) = rules::policy_usage(state, p.arn);
    json!({
        "PolicyName": p.name, "PolicyId": p.id, "Arn": p.arn, "Path": p.path,
        "DefaultVersionId": p.default_version, "AttachmentCount": attached,
        "PermissionsBoundaryUsageCount": boundary, "IsAttachable": true,
        "CreateDate": p.created, "UpdateDate": p.updated,
        "PolicyVersionList": [{
            "Document": crate::util::url_encode(p.document),
            "VersionId": p.default_version, "IsDefaultVersion": true, "CreateDate": p.created,
        }],
    })
}

/// AWS managed policies in use in the account (attached or used as a boundary), which is
/// what IAM reports of them.
fn aws_policies_in_use(state: &AccountState) -> Vec<&'static managed::AwsManagedPolicy> {
    let mut arns: BTreeSet<&str> = BTreeSet::new();
    let perms = state
        .users
        .values()
        .map(|u| (&u.permissions, u.boundary.as_deref()))
        .chain(state.groups.values().map(|g| (&g.permissions, None)))
        .chain(
            state
                .roles
                .values()
                .map(|r| (&r.permissions, r.boundary.as_deref())),
        );
    for (p, b) in perms {
        arns.extend(p.attached.iter().map(String::as_str));
        arns.extend(b);
    }
    arns.into_iter().filter_map(managed::get).collect()
}

pub fn authorization_details(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let filter = input.strings("Filter");
    let wants = |f: &str| filter.is_empty() || filter.contains(&f);
    let mut items: Vec<(&'static str, Value)> = Vec::new();
    if wants("User") {
        items.extend(
            state
                .users
                .values()
                .map(|u| ("UserDetailList", user_detail(state, u))),
        );
    }
    if wants("Group") {
        items.extend(
            state
                .groups
                .values()
                .map(|g| ("GroupDetailList", group_detail(state, g))),
        );
    }
    if wants("Role") {
        items.extend(
            state
                .roles
                .values()
                .map(|r| ("RoleDetailList", role_detail(state, r))),
        );
    }
    if wants("LocalManagedPolicy") {
        items.extend(
            state
                .policies
                .values()
                .map(|p| ("Policies", local_policy_detail(state, p))),
        );
    }
    if wants("AWSManagedPolicy") {
        items.extend(
            aws_policies_in_use(state)
                .into_iter()
                .map(|p| ("Policies", aws_policy_detail(state, p))),
        );
    }
    let mut out = Map::new();
    let page = page_list(items, input, &mut out)?;
    for list in ["UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"] {
        out.insert(list.into(), Value::Array(Vec::new()));
    }
    for (list, v) in page {
        if let Some(Value::Array(a)) = out.get_mut(list) {
            a.push(v);
        }
    }
    Ok(Value::Object(out))
}

// ---- Credential report ----

/// How long a report is fresh: GenerateCredentialReport makes a new one only when the
/// last is older, and GetCredentialReport refuses an older one (IAM User Guide,
/// "Getting credential reports").
const REPORT_LIFETIME: time::Duration = time::Duration::hours(4);

const REPORT_HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

/// Times in the report as IAM writes them: `2014-10-06T17:04:43+00:00`.
fn report_time(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]+00:00"
        ))
        .unwrap_or_default()
}

fn opt_time(t: Option<OffsetDateTime>) -> String {
    t.map_or_else(|| "N/A".to_owned(), report_time)
}

fn key_columns(state: &AccountState, keys: &[&AccessKey], i: usize) -> [String; 5] {
    match keys.get(i) {
        Some(k) => {
            let used = views::key_last_used(state, k);
            [
                (k.status == KeyStatus::Active).to_string(),
                report_time(k.created),
                opt_time(used.as_ref().map(|u| u.time)),
                used.as_ref().map_or_else(|| "N/A".into(), |u| u.region.clone()),
                used.map_or_else(|| "N/A".into(), |u| u.service),
            ]
        }
        None => [
            "false".into(),
            "N/A".into(),
            "N/A".into(),
            "N/A".into(),
            "N/A".into(),
        ],
    }
}

fn cert_columns(certs: &[&SigningCertificate], i: usize) -> [String; 2] {
    match certs.get(i) {
        Some(c) => [
            (c.status == KeyStatus::Active).to_string(),
            report_time(c.uploaded),
        ],
        None => ["false".into(), "N/A".into()],
    }
}

fn credential_row(state: &AccountState, user: Option<&User>) -> String {
    let key = user.map(|u| u.name.to_ascii_lowercase());
    let mut keys: Vec<&AccessKey> = state.access_keys.values().filter(|k| k.user == key).collect();
    keys.sort_by_key(|k| k.created);
    let mut certs: Vec<&SigningCertificate> = state
        .signing_certificates
        .values()
        .filter(|c| c.user == key)
        .collect();
    certs.sort_by_key(|c| c.uploaded);
    let mut cols: Vec<String> = match user {
        Some(u) => {
            let login = u.login_profile.as_ref();
            let max_age = state
                .info
                .as_ref()
                .and_then(|i| i.password_policy.as_ref())
                .and_then(|p| p.max_password_age);
            vec![
                u.name.clone(),
                state.arn("user", &u.path, &u.name),
                report_time(u.created),
                login.is_some().to_string(),
                match (login, u.password_last_used) {
                    (None, _) => "N/A".into(),
                    (Some(_), Some(t)) => report_time(t),
                    (Some(_), None) => "no_information".into(),
                },
                opt_time(login.map(|l| l.password_changed)),
                match (login, max_age) {
                    (Some(l), Some(days)) => report_time(l.password_changed + time::Duration::days(days)),
                    _ => "N/A".into(),
                },
                (!u.mfa_devices.is_empty()).to_string(),
            ]
        }
        None => vec![
            "<root_account>".into(),
            state.root_arn(),
            opt_time(state.info.as_ref().map(|i| i.created)),
            "not_supported".into(),
            "no_information".into(),
            "not_supported".into(),
            "not_supported".into(),
            "false".into(),
        ],
    };
    cols.extend(key_columns(state, &keys, 0));
    cols.extend(key_columns(state, &keys, 1));
    cols.extend(cert_columns(&certs, 0));
    cols.extend(cert_columns(&certs, 1));
    cols.join(",")
}

/// The report's CSV: the root user first, then every user by name.
pub fn credential_report_csv(state: &AccountState) -> String {
    let mut lines = vec![REPORT_HEADER.to_owned(), credential_row(state, None)];
    lines.extend(state.users.values().map(|u| credential_row(state, Some(u))));
    lines.join("\n")
}

pub fn generate_credential_report(tx: &mut Tx, _: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let existing = tx.state.credential_reports.get("credential");
    if existing.is_some_and(|r| ctx.now - r.generated < REPORT_LIFETIME) {
        return Ok(json!({ "State": "COMPLETE" }));
    }
    let description = if existing.is_some() {
        "Report is older than 4 hours. Starting a new report generation task"
    } else {
        "No report exists. Starting a new report generation task"
    };
    // The report is generated at once; IAM answers STARTED for the request that starts it.
    let csv = credential_report_csv(&tx.state);
    tx.put(CredentialReport {
        v: 1,
        csv,
        generated: ctx.now,
    });
    Ok(json!({ "State": "STARTED", "Description": description }))
}

pub fn get_credential_report(state: &AccountState, _: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let Some(report) = state.credential_reports.get("credential") else {
        return Err(IamError::Other {
            code: "ReportNotPresent",
            status: 410,
            message: "Credential report not present. Call GenerateCredentialReport to generate one.".into(),
        });
    };
    if ctx.now - report.generated >= REPORT_LIFETIME {
        return Err(IamError::Other {
            code: "ReportExpired",
            status: 410,
            message: "The most recent credential report has expired. Call GenerateCredentialReport to generate a new one.".into(),
        });
    }
    Ok(json!({
        "Content": STANDARD.encode(report.csv.as_bytes()),
        "ReportFormat": "text/csv",
        "GeneratedTime": ts(report.generated),
    }))
}

// ---- Access advisor ----

/// Services Warden serves, with the names IAM's access advisor gives them.
const SERVICE_NAMES: &[(&str, &str)] = &[
    ("cognito-identity", "Amazon Cognito Identity"),
    ("cognito-idp", "Amazon Cognito User Pools"),
    ("cognito-sync", "Amazon Cognito Sync"),
    ("iam", "AWS Identity and Access Management"),
    ("sts", "AWS Security Token Service"),
];

fn service_name(namespace: &str) -> String {
    SERVICE_NAMES
        .iter()
        .find(|(n, _)| *n == namespace)
        .map_or_else(|| namespace.to_owned(), |(_, name)| (*name).to_owned())
}

/// One entity of a report: its info and the principals whose access counts for it.
struct Subject {
    info: Value,
    principals: Vec<String>,
}

fn user_subject(state: &AccountState, u: &User) -> Subject {
    let arn = state.arn("user", &u.path, &u.name);
    Subject {
        info: json!({"Arn": arn, "Name": u.name, "Type": "USER", "Id": u.id, "Path": u.path}),
        principals: vec![arn],
    }
}

fn role_subject(state: &AccountState, r: &Role) -> Subject {
    let arn = state.arn("role", &r.path, &r.name);
    Subject {
        info: json!({"Arn": arn, "Name": r.name, "Type": "ROLE", "Id": r.id, "Path": r.path}),
        principals: vec![arn],
    }
}

fn group_subject(state: &AccountState, g: &Group) -> Subject {
    let key = g.name.to_ascii_lowercase();
    Subject {
        info: json!({
            "Arn": state.arn("group", &g.path, &g.name), "Name": g.name, "Type": "GROUP",
            "Id": g.id, "Path": g.path,
        }),
        principals: state
            .users
            .values()
            .filter(|u| u.groups.contains(&key))
            .map(|u| state.arn("user", &u.path, &u.name))
            .collect(),
    }
}

/// Policy documents whose actions decide which services a report lists.
fn documents_of(state: &AccountState, p: &Permissions) -> Vec<String> {
    let mut docs: Vec<String> = p.inline.values().map(|i| i.document.text.clone()).collect();
    for arn in &p.attached {
        if let Some(cp) = rules::customer_policy(state, arn) {
            docs.extend(cp.default_document().map(|d| d.text.clone()));
        } else if let Some(ap) = managed::get(arn) {
            docs.push(ap.document.to_owned());
        }
    }
    docs
}

/// The entities of a report on `arn`, and the policy documents that grant them access.
fn subjects(state: &AccountState, arn: &str) -> Result<(Vec<Subject>, Vec<String>), IamError> {
    let no_such = || IamError::NoSuchEntity(format!("The entity {arn} does not exist."));
    let prefix = format!("arn:aws:iam::{}:", state.id);
    let (kind, rest) = arn
        .strip_prefix(&prefix)
        .and_then(|r| r.split_once('/'))
        .map_or(("policy-or-other", arn), |(k, r)| (k, r));
    let name = rest.rsplit('/').next().unwrap_or_default().to_ascii_lowercase();
    let same = |kind: &str, path: &str, n: &str| state.arn(kind, path, n) == arn;
    match kind {
        "user" => {
            let u = state
                .users
                .get(&name)
                .filter(|u| same("user", &u.path, &u.name))
                .ok_or_else(no_such)?;
            let mut docs = documents_of(state, &u.permissions);
            for g in u.groups.iter().filter_map(|g| state.groups.get(g)) {
                docs.extend(documents_of(state, &g.permissions));
            }
            Ok((vec![user_subject(state, u)], docs))
        }
        "role" => {
            let r = state
                .roles
                .get(&name)
                .filter(|r| same("role", &r.path, &r.name))
                .ok_or_else(no_such)?;
            Ok((vec![role_subject(state, r)], documents_of(state, &r.permissions)))
        }
        "group" => {
            let g = state
                .groups
                .get(&name)
                .filter(|g| same("group", &g.path, &g.name))
                .ok_or_else(no_such)?;
            // A group's report is about its members (IAM: "the users in the group").
            let key = g.name.to_ascii_lowercase();
            let members = state
                .users
                .values()
                .filter(|u| u.groups.contains(&key))
                .map(|u| user_subject(state, u))
                .collect();
            Ok((members, documents_of(state, &g.permissions)))
        }
        _ => {
            let doc = if let Some(p) = rules::customer_policy(state, arn) {
                p.default_document().map(|d| d.text.clone()).unwrap_or_default()
            } else if let Some(p) = managed::get(arn) {
                p.document.to_owned()
            } else if arn.starts_with("arn:aws:iam::") && arn.contains(":policy/") {
                return Err(no_such());
            } else {
                return Err(IamError::InvalidInput(format!("ARN {arn} is not valid.")));
            };
            let has = |p: &Permissions| p.attached.iter().any(|a| a == arn);
            let mut subjects: Vec<Subject> = Vec::new();
            subjects.extend(
                state
                    .users
                    .values()
                    .filter(|u| has(&u.permissions))
                    .map(|u| user_subject(state, u)),
            );
            subjects.extend(
                state
                    .groups
                    .values()
                    .filter(|g| has(&g.permissions))
                    .map(|g| group_subject(state, g)),
            );
            subjects.extend(
                state
                    .roles
                    .values()
                    .filter(|r| has(&r.permissions))
                    .map(|r| role_subject(state, r)),
            );
            Ok((subjects, vec![doc]))
        }
    }
}

/// Service namespaces the Allow statements of `docs` grant actions of; `None` when some
/// statement grants every service (`*`, `NotAction`).
fn granted_namespaces(docs: &[String]) -> Option<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for doc in docs {
        let Ok(v) = serde_json::from_str::<Value>(doc) else {
            continue;
        };
        let statements = match v.get("Statement") {
            Some(Value::Array(a)) => a.clone(),
            Some(s) => vec![s.clone()],
            None => Vec::new(),
        };
        for s in statements
            .iter()
            .filter(|s| s.get("Effect").and_then(Value::as_str) == Some("Allow"))
        {
            if s.get("NotAction").is_some() {
                return None;
            }
            let actions: Vec<&str> = match s.get("Action") {
                Some(Value::String(a)) => vec![a.as_str()],
                Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            for a in actions {
                match a.split_once(':') {
                    Some((ns, _)) if !ns.contains(['*', '?']) => {
                        out.insert(ns.to_ascii_lowercase());
                    }
                    _ => return None,
                }
            }
        }
    }
    Some(out)
}

pub fn generate_last_accessed(state: &AccountState, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let arn = input.str("Arn")?;
    let granularity = input.opt_str("Granularity").unwrap_or("SERVICE_LEVEL");
    let (subjects, docs) = subjects(state, arn)?;
    // Accesses of every principal of the report, by namespace.
    let mut by_ns: BTreeMap<String, Vec<(usize, String, ServiceAccess)>> = BTreeMap::new();
    for (i, s) in subjects.iter().enumerate() {
        for p in &s.principals {
            for (ns, access) in state.access.services_of(p) {
                by_ns.entry(ns).or_default().push((i, p.clone(), access));
            }
        }
    }
    let mut namespaces: BTreeSet<String> = match granted_namespaces(&docs) {
        Some(set) => set,
        None => SERVICE_NAMES.iter().map(|(n, _)| (*n).to_owned()).collect(),
    };
    namespaces.extend(by_ns.keys().cloned());
    let mut services = Vec::new();
    let mut entities = BTreeMap::new();
    for ns in namespaces {
        let accesses = by_ns.get(&ns).map(Vec::as_slice).unwrap_or_default();
        let latest = accesses.iter().max_by_key(|(_, _, a)| a.last);
        let principals: BTreeSet<&str> = accesses.iter().map(|(_, p, _)| p.as_str()).collect();
        let mut v = json!({
            "ServiceName": service_name(&ns),
            "ServiceNamespace": ns,
            "TotalAuthenticatedEntities": principals.len(),
        });
        if let Some((_, p, a)) = latest {
            set(&mut v, "LastAuthenticated", Some(json!(ts(a.last))));
            set(&mut v, "LastAuthenticatedEntity", Some(json!(p)));
            set(&mut v, "LastAuthenticatedRegion", Some(json!(a.region)));
        }
        if granularity == "ACTION_LEVEL" {
            let mut actions: BTreeMap<String, (OffsetDateTime, String, String)> = BTreeMap::new();
            for (_, p, a) in accesses {
                for (action, (t, region)) in &a.actions {
                    let name = action
                        .split_once(':')
                        .map_or(action.as_str(), |(_, n)| n)
                        .to_owned();
                    if actions.get(&name).is_none_or(|(old, _, _)| t > old) {
                        actions.insert(name, (*t, p.clone(), region.clone()));
                    }
                }
            }
            let tracked: Vec<Value> = actions
                .into_iter()
                .map(|(name, (t, p, region))| {
                    json!({"ActionName": name, "LastAccessedEntity": p, "LastAccessedTime": ts(t), "LastAccessedRegion": region})
                })
                .collect();
            set(&mut v, "TrackedActionsLastAccessed", Some(Value::Array(tracked)));
        }
        services.push(v);
        let list: Vec<Value> = subjects
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut e = json!({ "EntityInfo": s.info });
                let last = accesses
                    .iter()
                    .filter(|(j, _, _)| *j == i)
                    .map(|(_, _, a)| a.last)
                    .max();
                set(&mut e, "LastAuthenticated", last.map(|t| json!(ts(t))));
                e
            })
            .collect();
        entities.insert(ns, list);
    }
    let id = rules::uuid();
    state.access.put_job(
        id.clone(),
        AccessJob {
            arn: arn.to_owned(),
            granularity: granularity.to_owned(),
            created: ctx.now,
            services,
            entities,
        },
    );
    Ok(json!({ "JobId": id }))
}

fn job(state: &AccountState, input: &Input) -> Result<AccessJob, IamError> {
    let id = input.str("JobId")?;
    state
        .access
        .job(id)
        .ok_or_else(|| IamError::NoSuchEntity(format!("No job exists with the job ID {id}.")))
}

pub fn get_last_accessed(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let job = job(state, input)?;
    let mut out = Map::new();
    let services = page_list(job.services, input, &mut out)?;
    out.insert("JobStatus".into(), json!("COMPLETED"));
    out.insert("JobType".into(), json!(job.granularity));
    out.insert("JobCreationDate".into(), json!(ts(job.created)));
    out.insert("JobCompletionDate".into(), json!(ts(job.created)));
    out.insert("ServicesLastAccessed".into(), Value::Array(services));
    Ok(Value::Object(out))
}

pub fn get_last_accessed_entities(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let job = job(state, input)?;
    let ns = input.str("ServiceNamespace")?.to_ascii_lowercase();
    let entities = job.entities.get(&ns).cloned().unwrap_or_default();
    let mut out = Map::new();
    let entities = page_list(entities, input, &mut out)?;
    out.insert("JobStatus".into(), json!("COMPLETED"));
    out.insert("JobCreationDate".into(), json!(ts(job.created)));
    out.insert("JobCompletionDate".into(), json!(ts(job.created)));
    out.insert("EntityDetailsList".into(), Value::Array(entities));
    Ok(Value::Object(out))
}
