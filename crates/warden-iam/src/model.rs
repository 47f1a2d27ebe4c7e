//! The IAM entities as Warden stores them. Each serializes to a versioned JSON record
//! (`"v": 1`); compiled policies ride along in memory and are rebuilt on load.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use warden_policy::{Policy, PolicyKind};

/// Record kinds, one per aggregate: the store's `kind` column.
pub mod kind {
    pub const ACCOUNT: &str = "account";
    pub const USER: &str = "user";
    pub const GROUP: &str = "group";
    pub const ROLE: &str = "role";
    pub const POLICY: &str = "policy";
    pub const ACCESS_KEY: &str = "access-key";
    pub const INSTANCE_PROFILE: &str = "instance-profile";
    pub const MFA_DEVICE: &str = "mfa-device";
    pub const OIDC_PROVIDER: &str = "oidc-provider";
    pub const SAML_PROVIDER: &str = "saml-provider";
    pub const SETTINGS: &str = "account-settings";
    pub const CREDENTIAL_REPORT: &str = "credential-report";
    pub const SSH_PUBLIC_KEY: &str = "ssh-public-key";
    pub const SIGNING_CERTIFICATE: &str = "signing-certificate";
    pub const SERVER_CERTIFICATE: &str = "server-certificate";
    pub const SERVICE_CREDENTIAL: &str = "service-credential";
    pub const DELETION_TASK: &str = "deletion-task";
    pub const ORGANIZATIONS_REPORT: &str = "organizations-access-report";
    pub const DELEGATION_REQUEST: &str = "delegation-request";
    pub const ACCESS_ADVISOR: &str = "access-advisor";
}

pub(crate) fn format_version() -> u32 {
    1
}

/// A tag on a taggable entity. Keys are unique case-insensitively, as AWS's are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// A policy document as the user wrote it, with its compiled form.
#[derive(Clone, Serialize, Deserialize)]
pub struct PolicyDoc {
    pub text: String,
    #[serde(skip)]
    pub compiled: Option<Arc<Policy>>,
}

impl std::fmt::Debug for PolicyDoc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicyDoc").field("text", &self.text).finish()
    }
}

impl PolicyDoc {
    /// A document already validated by the caller, compiled as `kind`.
    pub fn compiled(text: String, policy: Policy) -> Self {
        Self {
            text,
            compiled: Some(Arc::new(policy)),
        }
    }

    /// Rebuild the compiled form after loading; a document that no longer compiles (it
    /// was valid when stored) is kept as text and matches nothing, which denies.
    pub fn recompile(&mut self, kind: PolicyKind) {
        self.compiled = Policy::parse(&self.text, kind).ok().map(Arc::new);
    }

    /// The document URL-encoded, as IAM returns documents on the wire.
    pub fn url_encoded(&self) -> String {
        crate::util::url_encode(&self.text)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InlinePolicy {
    pub name: String,
    pub document: PolicyDoc,
}

/// What every principal-like entity (user, group, role) carries: inline policies keyed
/// by lower-cased name, attached managed policy ARNs in attach order.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Permissions {
    #[serde(default)]
    pub inline: BTreeMap<String, InlinePolicy>,
    #[serde(default)]
    pub attached: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    #[serde(default = "format_version")]
    pub v: u32,
    pub name: String,
    pub id: String,
    pub path: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(default)]
    pub boundary: Option<String>,
    #[serde(default)]
    pub permissions: Permissions,
    /// Lower-cased names of the groups the user is in, in join order.
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub login_profile: Option<LoginProfile>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub password_last_used: Option<OffsetDateTime>,
    /// Serial numbers of the MFA devices enabled for the user.
    #[serde(default)]
    pub mfa_devices: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginProfile {
    /// argon2id PHC string.
    pub password_hash: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub password_changed: OffsetDateTime,
    pub reset_required: bool,
    /// Earlier hashes, newest first, for PasswordReusePrevention.
    #[serde(default)]
    pub previous_hashes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Group {
    #[serde(default = "format_version")]
    pub v: u32,
    pub name: String,
    pub id: String,
    pub path: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    #[serde(default)]
    pub permissions: Permissions,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Role {
    #[serde(default = "format_version")]
    pub v: u32,
    pub name: String,
    pub id: String,
    pub path: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    pub trust_policy: PolicyDoc,
    #[serde(default)]
    pub description: Option<String>,
    pub max_session_duration: i64,
    #[serde(default)]
    pub tags: Vec<Tag>,
    #[serde(default)]
    pub boundary: Option<String>,
    #[serde(default)]
    pub permissions: Permissions,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_used: Option<OffsetDateTime>,
    #[serde(default)]
    pub last_used_region: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyVersion {
    pub id: String,
    pub document: PolicyDoc,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
}

/// A customer managed policy. Its key is the lower-cased name (unique per account
/// whatever the path).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManagedPolicy {
    #[serde(default = "format_version")]
    pub v: u32,
    pub name: String,
    pub id: String,
    pub path: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated: OffsetDateTime,
    pub default_version: String,
    /// Up to five versions, oldest first.
    pub versions: Vec<PolicyVersion>,
    /// The number the next version gets (`v{n}`), never reused.
    pub next_version: u32,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

impl ManagedPolicy {
    pub fn default_document(&self) -> Option<&PolicyDoc> {
        self.versions
            .iter()
            .find(|v| v.id == self.default_version)
            .map(|v| &v.document)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyStatus {
    Active,
    Inactive,
}

impl KeyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Active => "Active",
            KeyStatus::Inactive => "Inactive",
        }
    }
}

/// A long-term access key. The secret is stored sealed under the master key
/// (`secret_sealed`) and kept in the clear only in memory, to verify signatures.
#[derive(Clone, Serialize, Deserialize)]
pub struct AccessKey {
    #[serde(default = "format_version")]
    pub v: u32,
    pub id: String,
    /// Lower-cased user name; `None` for the root user's keys.
    pub user: Option<String>,
    pub secret_sealed: String,
    #[serde(skip)]
    pub secret: Option<warden_types::Secret>,
    pub status: KeyStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub last_used: Option<OffsetDateTime>,
    #[serde(default)]
    pub last_used_service: Option<String>,
    #[serde(default)]
    pub last_used_region: Option<String>,
}

impl std::fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessKey")
            .field("id", &self.id)
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InstanceProfile {
    #[serde(default = "format_version")]
    pub v: u32,
    pub name: String,
    pub id: String,
    pub path: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    /// Lower-cased role names (at most one, as AWS allows).
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// The account itself: name, creation, alias, password policy.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountInfo {
    #[serde(default = "format_version")]
    pub v: u32,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub password_policy: Option<PasswordPolicy>,
    /// SetSecurityTokenServicePreferences: 1 (`v1Token`) or 2 (`v2Token`); AWS's default is 1.
    #[serde(default = "default_token_version")]
    pub sts_token_version: u8,
}

fn default_token_version() -> u8 {
    1
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PasswordPolicy {
    pub minimum_password_length: i64,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase_characters: bool,
    pub require_lowercase_characters: bool,
    pub allow_users_to_change_password: bool,
    pub max_password_age: Option<i64>,
    pub password_reuse_prevention: Option<i64>,
    pub hard_expiry: bool,
}

/// Users, groups and roles carry permissions the same way.
pub trait HasPermissions {
    fn permissions(&self) -> &Permissions;
    fn permissions_mut(&mut self) -> &mut Permissions;
}

macro_rules! has_permissions {
    ($($ty:ty),*) => {$(
        impl HasPermissions for $ty {
            fn permissions(&self) -> &Permissions { &self.permissions }
            fn permissions_mut(&mut self) -> &mut Permissions { &mut self.permissions }
        }
    )*};
}
has_permissions!(User, Group, Role);

/// A virtual MFA device (TOTP, RFC 6238). Its key is the lower-cased serial number (the
/// device's ARN). The seed is stored sealed under the master key (the serial is the
/// associated data) and kept in the clear only in memory.
#[derive(Clone, Serialize, Deserialize)]
pub struct MfaDevice {
    #[serde(default = "format_version")]
    pub v: u32,
    pub serial: String,
    pub name: String,
    pub path: String,
    pub seed_sealed: String,
    #[serde(skip)]
    pub seed: Option<warden_types::Secret>,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    /// Lower-cased name of the user it is enabled for.
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub enabled: Option<OffsetDateTime>,
    /// The latest 30-second time step whose code was accepted: a code is accepted once,
    /// and never one older than the latest (RFC 6238 section 5.2).
    #[serde(default)]
    pub last_step: Option<u64>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

impl std::fmt::Debug for MfaDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MfaDevice")
            .field("serial", &self.serial)
            .field("user", &self.user)
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

/// An OpenID Connect identity provider. Its key is its URL as IAM shows it (host and
/// path, no scheme; the host lower-cased), which is also the end of its ARN.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OidcProvider {
    #[serde(default = "format_version")]
    pub v: u32,
    pub url: String,
    /// `https`, or `http` for a loopback host (DESIGN.md: local providers for tests).
    pub scheme: String,
    #[serde(default)]
    pub client_ids: Vec<String>,
    #[serde(default)]
    pub thumbprints: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

impl OidcProvider {
    /// The issuer URL tokens of this provider carry in `iss`.
    pub fn issuer(&self) -> String {
        format!("{}://{}", self.scheme, self.url)
    }
}

/// A SAML 2.0 identity provider: its IdP metadata document as uploaded. Key: lower-cased name.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SamlProvider {
    #[serde(default = "format_version")]
    pub v: u32,
    pub name: String,
    pub uuid: String,
    pub metadata: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub valid_until: Option<OffsetDateTime>,
    #[serde(default)]
    pub assertion_encryption_mode: Option<String>,
    /// Keys to decrypt encrypted assertions, sealed (the key ID is the associated data).
    #[serde(default)]
    pub private_keys: Vec<SamlPrivateKey>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Clone, Serialize, Deserialize)]
pub struct SamlPrivateKey {
    pub id: String,
    pub sealed: String,
    #[serde(skip)]
    pub key: Option<warden_types::Secret>,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
}

impl std::fmt::Debug for SamlPrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SamlPrivateKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// A credential report (GenerateCredentialReport): the CSV as generated. Key: `"credential"`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CredentialReport {
    #[serde(default = "format_version")]
    pub v: u32,
    pub csv: String,
    #[serde(with = "time::serde::rfc3339")]
    pub generated: OffsetDateTime,
}

/// An SSH public key of a user (for CodeCommit). Key: its ID.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SshPublicKey {
    #[serde(default = "format_version")]
    pub v: u32,
    pub id: String,
    /// Lower-cased user name.
    pub user: String,
    /// The key as uploaded (OpenSSH one-line format or PEM).
    pub body: String,
    pub fingerprint: String,
    pub status: KeyStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub uploaded: OffsetDateTime,
}

/// An X.509 signing certificate of a user, or of the root user (`user: None`). Key: its ID.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SigningCertificate {
    #[serde(default = "format_version")]
    pub v: u32,
    pub id: String,
    pub user: Option<String>,
    pub body: String,
    pub status: KeyStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub uploaded: OffsetDateTime,
}

/// A server certificate with its private key, sealed (the certificate ID is the associated
/// data). Key: lower-cased name.
#[derive(Clone, Serialize, Deserialize)]
pub struct ServerCertificate {
    #[serde(default = "format_version")]
    pub v: u32,
    pub name: String,
    pub id: String,
    pub path: String,
    pub body: String,
    #[serde(default)]
    pub chain: Option<String>,
    pub private_key_sealed: String,
    #[serde(skip)]
    pub private_key: Option<warden_types::Secret>,
    #[serde(with = "time::serde::rfc3339")]
    pub uploaded: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expiration: OffsetDateTime,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

impl std::fmt::Debug for ServerCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerCertificate")
            .field("name", &self.name)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// A service-specific credential (CodeCommit, Keyspaces...): a user name and password for
/// one service. The password is shown once and stored sealed (the credential ID is the
/// associated data). Key: its ID.
#[derive(Clone, Serialize, Deserialize)]
pub struct ServiceCredential {
    #[serde(default = "format_version")]
    pub v: u32,
    pub id: String,
    /// Lower-cased user name.
    pub user: String,
    pub service: String,
    pub service_user_name: String,
    pub password_sealed: String,
    #[serde(skip)]
    pub password: Option<warden_types::Secret>,
    pub status: KeyStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
}

impl std::fmt::Debug for ServiceCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceCredential")
            .field("id", &self.id)
            .field("user", &self.user)
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

/// A service-linked role deletion task (DeleteServiceLinkedRole). Key: its ID.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeletionTask {
    #[serde(default = "format_version")]
    pub v: u32,
    pub id: String,
    pub status: String,
    #[serde(default)]
    pub reason: Option<String>,
}

/// Account-wide settings beside [`AccountInfo`]. Key: `"sts"`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AccountSettings {
    #[serde(default = "format_version")]
    pub v: u32,
    /// SetSecurityTokenServicePreferences: `v1Token` or `v2Token`.
    #[serde(default)]
    pub global_endpoint_token_version: Option<String>,
    /// Outbound web identity federation; `None` until it is first enabled.
    #[serde(default)]
    pub outbound_federation: Option<OutboundFederation>,
}

/// Outbound web identity federation of an account: the issuer URL made when it was first
/// enabled (kept when it is disabled, so that enabling it again gives the same one).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutboundFederation {
    pub issuer: String,
    pub enabled: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub changed: OffsetDateTime,
}

/// A GenerateOrganizationsAccessReport job. Key: its job ID.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrganizationsReport {
    #[serde(default = "format_version")]
    pub v: u32,
    pub id: String,
    pub entity_path: String,
    #[serde(default)]
    pub policy_id: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
}

/// A delegation request (IAM temporary delegation). It lives in the account of the partner
/// that created it (the requestor); customers in other accounts act on it by ID. Key: its ID.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DelegationRequest {
    #[serde(default = "format_version")]
    pub v: u32,
    pub id: String,
    pub requestor_account: String,
    pub requestor_name: String,
    /// The account it is meant for (given at creation, or the associating caller's).
    #[serde(default)]
    pub owner_account: Option<String>,
    /// The ARN of the identity that associated it.
    #[serde(default)]
    pub owner_id: Option<String>,
    pub description: String,
    #[serde(default)]
    pub request_message: Option<String>,
    #[serde(default)]
    pub template_arn: Option<String>,
    #[serde(default)]
    pub parameters: Vec<DelegationParameter>,
    /// The template rendered with the parameters: the policy the customer approves.
    pub permission_policy: String,
    /// Permissions boundaries that the policy requires of the roles it lets the partner create.
    #[serde(default)]
    pub boundary_arns: Vec<String>,
    pub workflow_id: String,
    #[serde(default)]
    pub redirect_url: Option<String>,
    pub notification_channel: String,
    pub session_duration: i64,
    #[serde(default)]
    pub only_send_by_owner: bool,
    pub state: DelegationState,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated: OffsetDateTime,
    /// When the request expires if nothing moves it on (the lifetime of its state).
    #[serde(with = "time::serde::rfc3339")]
    pub expires: OffsetDateTime,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub rejection_reason: Option<String>,
    /// The ARN of the identity that accepted it.
    #[serde(default)]
    pub approver_id: Option<String>,
    /// When SendDelegationToken released the exchange token (recorded; nothing leaves Warden).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub token_sent: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegationParameter {
    pub name: String,
    pub values: Vec<String>,
    /// `string` or `stringList`.
    pub kind: String,
}

/// The stored states of a delegation request; `EXPIRED` is not stored but derived from
/// [`DelegationRequest::expires`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DelegationState {
    Unassigned,
    Assigned,
    PendingApproval,
    Accepted,
    Finalized,
    Rejected,
}

impl DelegationState {
    pub fn as_str(self) -> &'static str {
        match self {
            DelegationState::Unassigned => "UNASSIGNED",
            DelegationState::Assigned => "ASSIGNED",
            DelegationState::PendingApproval => "PENDING_APPROVAL",
            DelegationState::Accepted => "ACCEPTED",
            DelegationState::Finalized => "FINALIZED",
            DelegationState::Rejected => "REJECTED",
        }
    }
}

/// The access advisor's record of one principal (key: its ARN): per service namespace,
/// when it was last authorized. Written by `Iam::flush_usage`, not per request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessAdvisorRecord {
    #[serde(default = "format_version")]
    pub v: u32,
    pub principal: String,
    pub services: BTreeMap<String, crate::service::ServiceAccess>,
}
