//! A write in progress: a private copy of the account's state (cheap: persistent maps)
//! that the operation mutates, plus the record changes to commit. If the operation fails,
//! the copy is dropped and nothing was written; if it succeeds, the changes commit in one
//! store transaction and the copy becomes the account's published state.

use imbl::OrdMap;
use serde::Serialize;
use warden_store::{Change, Record};

use crate::model::*;
use crate::state::{AccountState, encode};

/// An entity that lives in one table of [`AccountState`] and one record kind.
pub trait Entity: Serialize + Clone {
    const KIND: &'static str;
    fn key(&self) -> String;
    fn table(state: &mut AccountState) -> &mut OrdMap<String, Self>;
}

macro_rules! entity {
    ($ty:ty, $kind:expr, $table:ident, |$e:ident| $key:expr) => {
        impl Entity for $ty {
            const KIND: &'static str = $kind;
            fn key(&self) -> String {
                let $e = self;
                $key
            }
            fn table(state: &mut AccountState) -> &mut OrdMap<String, Self> {
                &mut state.$table
            }
        }
    };
}

entity!(User, kind::USER, users, |e| e.name.to_ascii_lowercase());
entity!(Group, kind::GROUP, groups, |e| e.name.to_ascii_lowercase());
entity!(Role, kind::ROLE, roles, |e| e.name.to_ascii_lowercase());
entity!(ManagedPolicy, kind::POLICY, policies, |e| e
    .name
    .to_ascii_lowercase());
entity!(AccessKey, kind::ACCESS_KEY, access_keys, |e| e.id.clone());
entity!(InstanceProfile, kind::INSTANCE_PROFILE, instance_profiles, |e| e
    .name
    .to_ascii_lowercase());
entity!(MfaDevice, kind::MFA_DEVICE, mfa_devices, |e| e
    .serial
    .to_ascii_lowercase());
entity!(OidcProvider, kind::OIDC_PROVIDER, oidc_providers, |e| e
    .url
    .clone());
entity!(SamlProvider, kind::SAML_PROVIDER, saml_providers, |e| e
    .name
    .to_ascii_lowercase());
entity!(
    CredentialReport,
    kind::CREDENTIAL_REPORT,
    credential_reports,
    |_e| "credential".to_owned()
);
entity!(SshPublicKey, kind::SSH_PUBLIC_KEY, ssh_public_keys, |e| e
    .id
    .clone());
entity!(
    SigningCertificate,
    kind::SIGNING_CERTIFICATE,
    signing_certificates,
    |e| e.id.clone()
);
entity!(
    ServerCertificate,
    kind::SERVER_CERTIFICATE,
    server_certificates,
    |e| e.name.to_ascii_lowercase()
);
entity!(
    ServiceCredential,
    kind::SERVICE_CREDENTIAL,
    service_credentials,
    |e| e.id.clone()
);
entity!(DeletionTask, kind::DELETION_TASK, deletion_tasks, |e| e
    .id
    .clone());
entity!(AccountSettings, kind::SETTINGS, settings, |_e| "sts".to_owned());
entity!(
    OrganizationsReport,
    kind::ORGANIZATIONS_REPORT,
    organizations_reports,
    |e| e.id.clone()
);
entity!(
    DelegationRequest,
    kind::DELEGATION_REQUEST,
    delegation_requests,
    |e| e.id.clone()
);
entity!(AccessAdvisorRecord, kind::ACCESS_ADVISOR, access_advisor, |e| e
    .principal
    .clone());

pub struct Tx {
    pub state: AccountState,
    changes: Vec<Change>,
    pub(crate) keys_added: Vec<String>,
    pub(crate) keys_removed: Vec<String>,
}

impl Tx {
    pub fn new(state: AccountState) -> Self {
        Self {
            state,
            changes: Vec::new(),
            keys_added: Vec::new(),
            keys_removed: Vec::new(),
        }
    }

    /// Create `e`; the store refuses the commit if its key exists (the caller checks first
    /// for a friendly error; the database is the final word).
    pub fn insert<E: Entity>(&mut self, e: E) {
        self.track_key::<E>(&e.key(), true);
        self.changes
            .push(Change::Insert(Record::new(E::KIND, e.key(), encode(&e))));
        E::table(&mut self.state).insert(e.key(), e);
    }

    /// Create or replace `e`.
    pub fn put<E: Entity>(&mut self, e: E) {
        self.changes
            .push(Change::Put(Record::new(E::KIND, e.key(), encode(&e))));
        E::table(&mut self.state).insert(e.key(), e);
    }

    pub fn delete<E: Entity>(&mut self, key: &str) -> Option<E> {
        self.track_key::<E>(key, false);
        self.changes.push(Change::Delete {
            kind: E::KIND.into(),
            key: key.into(),
        });
        E::table(&mut self.state).remove(key)
    }

    pub fn put_info(&mut self, info: AccountInfo) {
        self.changes
            .push(Change::Put(Record::new(kind::ACCOUNT, "info", encode(&info))));
        self.state.info = Some(info);
    }

    fn track_key<E: Entity>(&mut self, key: &str, added: bool) {
        if E::KIND == kind::ACCESS_KEY {
            if added {
                &mut self.keys_added
            } else {
                &mut self.keys_removed
            }
            .push(key.to_owned());
        }
    }

    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}
