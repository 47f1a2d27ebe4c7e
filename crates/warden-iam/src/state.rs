//! The in-memory state: one immutable [`AccountState`] per account inside a
//! [`Snapshot`], swapped atomically after every committed write. Readers (the
//! authentication and authorization hot path, every read operation) never wait on the
//! database or on writers.

use std::sync::Arc;

use imbl::{HashMap, OrdMap};
use serde::Serialize;
use serde::de::DeserializeOwned;
use warden_policy::PolicyKind;
use warden_store::{AccountRecords, Record};
use warden_types::AccountId;

use crate::crypto::Sealer;
use crate::model::*;

/// Everything IAM knows about one account. Maps are keyed by lower-cased name (or ID for
/// access keys and MFA serials), so iteration is in the order IAM lists entities.
#[derive(Clone, Debug)]
pub struct AccountState {
    pub id: AccountId,
    pub revision: u64,
    pub info: Option<AccountInfo>,
    pub users: OrdMap<String, User>,
    pub groups: OrdMap<String, Group>,
    pub roles: OrdMap<String, Role>,
    pub policies: OrdMap<String, ManagedPolicy>,
    pub access_keys: OrdMap<String, AccessKey>,
    pub instance_profiles: OrdMap<String, InstanceProfile>,
    /// Virtual MFA devices by lower-cased serial number.
    pub mfa_devices: OrdMap<String, MfaDevice>,
    /// OpenID Connect providers by URL (host and path).
    pub oidc_providers: OrdMap<String, OidcProvider>,
    /// SAML providers by lower-cased name.
    pub saml_providers: OrdMap<String, SamlProvider>,
    pub credential_reports: OrdMap<String, CredentialReport>,
    pub ssh_public_keys: OrdMap<String, SshPublicKey>,
    pub signing_certificates: OrdMap<String, SigningCertificate>,
    pub server_certificates: OrdMap<String, ServerCertificate>,
    pub service_credentials: OrdMap<String, ServiceCredential>,
    pub deletion_tasks: OrdMap<String, DeletionTask>,
    pub settings: OrdMap<String, AccountSettings>,
    pub organizations_reports: OrdMap<String, OrganizationsReport>,
    /// Delegation requests this account created (as the requestor), by ID.
    pub delegation_requests: OrdMap<String, DelegationRequest>,
    /// The access advisor's last stored data, per principal ARN (the live data is `access`).
    pub access_advisor: OrdMap<String, AccessAdvisorRecord>,
    /// Last access per principal and service (access advisor), in memory only.
    // INVARIANT: shared by every version of this account's state (an `Arc`), so that
    // recording an access never needs a write and no write loses one; it is advisory
    // data, never read by authorization.
    pub access: Arc<crate::service::AccessLog>,
}

impl AccountState {
    pub fn empty(id: AccountId) -> Self {
        Self {
            id,
            revision: 0,
            info: None,
            users: OrdMap::new(),
            groups: OrdMap::new(),
            roles: OrdMap::new(),
            policies: OrdMap::new(),
            access_keys: OrdMap::new(),
            instance_profiles: OrdMap::new(),
            mfa_devices: OrdMap::new(),
            oidc_providers: OrdMap::new(),
            saml_providers: OrdMap::new(),
            credential_reports: OrdMap::new(),
            ssh_public_keys: OrdMap::new(),
            signing_certificates: OrdMap::new(),
            server_certificates: OrdMap::new(),
            service_credentials: OrdMap::new(),
            deletion_tasks: OrdMap::new(),
            settings: OrdMap::new(),
            organizations_reports: OrdMap::new(),
            delegation_requests: OrdMap::new(),
            access_advisor: OrdMap::new(),
            access: Arc::default(),
        }
    }

    /// Rebuild an account from its stored records: decode, compile policies, unseal secrets.
    pub fn from_records(stored: &AccountRecords, sealer: &Sealer) -> Result<Self, String> {
        let id: AccountId = stored.account.parse().map_err(|e| format!("{e}"))?;
        let mut state = Self::empty(id);
        state.revision = stored.revision;
        for record in &stored.records {
            state
                .load_record(record, sealer)
                .map_err(|e| format!("record {}/{}: {e}", record.kind, record.key))?;
        }
        Ok(state)
    }

    fn load_record(&mut self, r: &Record, sealer: &Sealer) -> Result<(), String> {
        match r.kind.as_str() {
            kind::ACCOUNT => self.info = Some(decode(&r.body)?),
            kind::USER => {
                let mut u: User = decode(&r.body)?;
                recompile_permissions(&mut u.permissions);
                self.users.insert(r.key.clone(), u);
            }
            kind::GROUP => {
                let mut g: Group = decode(&r.body)?;
                recompile_permissions(&mut g.permissions);
                self.groups.insert(r.key.clone(), g);
            }
            kind::ROLE => {
                let mut role: Role = decode(&r.body)?;
                role.trust_policy.recompile(PolicyKind::Trust);
                recompile_permissions(&mut role.permissions);
                self.roles.insert(r.key.clone(), role);
            }
            kind::POLICY => {
                let mut p: ManagedPolicy = decode(&r.body)?;
                for v in &mut p.versions {
                    v.document.recompile(PolicyKind::Identity);
                }
                self.policies.insert(r.key.clone(), p);
            }
            kind::ACCESS_KEY => {
                let mut k: AccessKey = decode(&r.body)?;
                k.secret = Some(sealer.open(&k.secret_sealed, &k.id).map_err(|e| e.to_string())?);
                self.access_keys.insert(r.key.clone(), k);
            }
            kind::INSTANCE_PROFILE => {
                self.instance_profiles.insert(r.key.clone(), decode(&r.body)?);
            }
            kind::MFA_DEVICE => {
                let mut d: MfaDevice = decode(&r.body)?;
                d.seed = Some(
                    sealer
                        .open(&d.seed_sealed, &d.serial)
                        .map_err(|e| e.to_string())?,
                );
                self.mfa_devices.insert(r.key.clone(), d);
            }
            kind::OIDC_PROVIDER => {
                self.oidc_providers.insert(r.key.clone(), decode(&r.body)?);
            }
            kind::SAML_PROVIDER => {
                let mut p: SamlProvider = decode(&r.body)?;
                for k in &mut p.private_keys {
                    k.key = Some(sealer.open(&k.sealed, &k.id).map_err(|e| e.to_string())?);
                }
                self.saml_providers.insert(r.key.clone(), p);
            }
            kind::CREDENTIAL_REPORT => {
                self.credential_reports.insert(r.key.clone(), decode(&r.body)?);
            }
            kind::SSH_PUBLIC_KEY => {
                self.ssh_public_keys.insert(r.key.clone(), decode(&r.body)?);
            }
            kind::SIGNING_CERTIFICATE => {
                self.signing_certificates.insert(r.key.clone(), decode(&r.body)?);
            }
            kind::SERVER_CERTIFICATE => {
                let mut c: ServerCertificate = decode(&r.body)?;
                c.private_key = Some(
                    sealer
                        .open(&c.private_key_sealed, &c.id)
                        .map_err(|e| e.to_string())?,
                );
                self.server_certificates.insert(r.key.clone(), c);
            }
            kind::SERVICE_CREDENTIAL => {
                let mut c: ServiceCredential = decode(&r.body)?;
                c.password = Some(
                    sealer
                        .open(&c.password_sealed, &c.id)
                        .map_err(|e| e.to_string())?,
                );
                self.service_credentials.insert(r.key.clone(), c);
            }
            kind::DELETION_TASK => {
                self.deletion_tasks.insert(r.key.clone(), decode(&r.body)?);
            }
            kind::SETTINGS => {
                self.settings.insert(r.key.clone(), decode(&r.body)?);
            }
            kind::ORGANIZATIONS_REPORT => {
                self.organizations_reports.insert(r.key.clone(), decode(&r.body)?);
            }
            kind::DELEGATION_REQUEST => {
                self.delegation_requests.insert(r.key.clone(), decode(&r.body)?);
            }
            kind::ACCESS_ADVISOR => {
                let record: AccessAdvisorRecord = decode(&r.body)?;
                self.access.restore(&record.principal, record.services.clone());
                self.access_advisor.insert(r.key.clone(), record);
            }
            // Kinds this version does not know are kept in the database and ignored here,
            // so that a rollback to an older binary does not lose a newer one's data.
            _ => {}
        }
        Ok(())
    }

    pub fn root_arn(&self) -> String {
        format!("arn:aws:iam::{}:root", self.id)
    }

    /// The ARN of an IAM entity of this account: `arn:aws:iam::ACCT:{kind}{path}{name}`.
    pub fn arn(&self, kind: &str, path: &str, name: &str) -> String {
        format!("arn:aws:iam::{}:{kind}{path}{name}", self.id)
    }
}

fn recompile_permissions(p: &mut Permissions) {
    for (_, inline) in p.inline.iter_mut() {
        inline.document.recompile(PolicyKind::Identity);
    }
}

fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| e.to_string())
}

pub(crate) fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // Serializing our own plain structs cannot fail (no maps with non-string keys).
    serde_json::to_vec(value).unwrap_or_default()
}

/// Where an access key leads: its account, for the lookup that starts every signed request.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub accounts: HashMap<String, Arc<AccountState>>,
    pub access_keys: HashMap<String, String>,
    /// The account created on first start; `warden account create` is asked of it.
    pub default_account: Option<String>,
}

impl Snapshot {
    pub fn empty() -> Self {
        Self {
            accounts: HashMap::new(),
            access_keys: HashMap::new(),
            default_account: None,
        }
    }

    pub fn account(&self, id: &str) -> Option<&Arc<AccountState>> {
        self.accounts.get(id)
    }

    /// The account and key for an access key ID, if it exists.
    pub fn access_key(&self, id: &str) -> Option<(&Arc<AccountState>, &AccessKey)> {
        let account = self.accounts.get(self.access_keys.get(id)?)?;
        Some((account, account.access_keys.get(id)?))
    }

    /// A snapshot with `state` replacing its account and the key index updated by
    /// `added`/`removed` key IDs.
    pub fn with_account(&self, state: Arc<AccountState>, added: &[String], removed: &[String]) -> Self {
        let mut next = self.clone();
        let id = state.id.to_string();
        for k in removed {
            next.access_keys.remove(k);
        }
        for k in added {
            next.access_keys.insert(k.clone(), id.clone());
        }
        next.accounts.insert(id, state);
        next
    }
}
