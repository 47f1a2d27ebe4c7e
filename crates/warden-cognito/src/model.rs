//! What a user pool namespace holds, as stored (versioned JSON records) and in memory.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

/// Record kinds in a namespace of the store.
pub mod kind {
    pub const POOL: &str = "pool";
    pub const CLIENT: &str = "client";
    pub const USER: &str = "user";
    pub const REFRESH: &str = "refresh";
    pub const GROUP: &str = "group";
    pub const IDENTITY_POOL: &str = "identity-pool";
    pub const IDENTITY: &str = "identity";
    pub const SRP_USED: &str = "srp-used";
}

/// The store "account" under which an AWS account's user pools live, apart from its IAM
/// records (IAM skips keys that are not account IDs).
pub fn namespace_key(account: &str) -> String {
    format!("cognito-idp/{account}")
}

/// The AWS account of a namespace key, if it is one.
pub fn account_of_namespace(key: &str) -> Option<&str> {
    key.strip_prefix("cognito-idp/")
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct PasswordPolicy {
    pub minimum_length: u32,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
    pub temporary_password_validity_days: u32,
}

impl Default for PasswordPolicy {
    /// AWS's defaults for a pool created without a policy.
    fn default() -> Self {
        Self {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
            temporary_password_validity_days: 7,
        }
    }
}

/// A pool's RS256 signing key: the private half sealed under the master key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SigningKey {
    pub kid: String,
    /// PKCS#1 PEM of the private key, sealed (context: the pool ID).
    pub private_sealed: String,
    /// Modulus and exponent, base64url, as the JWKS publishes them.
    pub n: String,
    pub e: String,
    /// The opened private key (PEM), never serialized.
    #[serde(skip)]
    pub private_pem: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pool {
    pub id: String,
    pub name: String,
    pub account: String,
    pub region: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub modified: OffsetDateTime,
    pub password_policy: PasswordPolicy,
    /// `email` and/or `phone_number` when those sign in instead of a username.
    #[serde(default)]
    pub username_attributes: Vec<String>,
    #[serde(default)]
    pub auto_verified_attributes: Vec<String>,
    pub allow_admin_create_user_only: bool,
    /// SetUserPoolMfaConfig's SoftwareTokenMfaConfiguration.Enabled.
    #[serde(default)]
    pub software_token_mfa: bool,
    pub deletion_protection: String,
    pub mfa_configuration: String,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Settings accepted and echoed by DescribeUserPool that this version does not act on.
    #[serde(default)]
    pub extra: Map<String, Value>,
    pub key: SigningKey,
}

impl Pool {
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:cognito-idp:{}:{}:userpool/{}",
            self.region, self.account, self.id
        )
    }
}

/// How token validities are counted, as given (absent: hours, hours, days).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct TokenValidityUnits {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// Seconds in one `unit` of a token validity.
pub fn unit_seconds(unit: &str) -> i64 {
    match unit {
        "seconds" => 1,
        "minutes" => 60,
        "hours" => 3600,
        _ => 86_400,
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Client {
    pub id: String,
    pub pool_id: String,
    pub name: String,
    /// The client secret sealed under the master key (context: the client ID).
    pub secret_sealed: Option<String>,
    #[serde(skip)]
    pub secret: Option<String>,
    /// As given; `None` allows AWS's default flows (SRP, custom, refresh).
    pub explicit_auth_flows: Option<Vec<String>>,
    /// Validities in their units, as given (`None`: one hour).
    pub access_token_validity: Option<i64>,
    pub id_token_validity: Option<i64>,
    pub refresh_token_validity: i64,
    pub units: TokenValidityUnits,
    /// As given; `None` behaves as LEGACY (AWS's API default).
    pub prevent_user_existence_errors: Option<String>,
    pub enable_token_revocation: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub modified: OffsetDateTime,
    #[serde(default)]
    pub extra: Map<String, Value>,
}

impl Client {
    /// Whether the client allows `flow` (`ALLOW_...`), or its legacy name.
    pub fn allows(&self, flow: &str) -> bool {
        let legacy = match flow {
            "ALLOW_USER_PASSWORD_AUTH" => "USER_PASSWORD_AUTH",
            "ALLOW_ADMIN_USER_PASSWORD_AUTH" => "ADMIN_NO_SRP_AUTH",
            "ALLOW_CUSTOM_AUTH" => "CUSTOM_AUTH_FLOW_ONLY",
            other => other,
        };
        let Some(flows) = &self.explicit_auth_flows else {
            return matches!(
                flow,
                "ALLOW_REFRESH_TOKEN_AUTH" | "ALLOW_USER_SRP_AUTH" | "ALLOW_CUSTOM_AUTH"
            );
        };
        // Clients on the legacy values may always refresh.
        let legacy_refresh =
            flow == "ALLOW_REFRESH_TOKEN_AUTH" && flows.iter().any(|f| !f.starts_with("ALLOW_"));
        legacy_refresh || flows.iter().any(|f| f == flow || f == legacy)
    }

    /// Whether unknown users get the same answer as wrong passwords.
    pub fn prevents_user_existence_errors(&self) -> bool {
        self.prevent_user_existence_errors.as_deref() == Some("ENABLED")
    }

    fn validity(value: Option<i64>, unit: Option<&str>, default_unit: &str) -> time::Duration {
        let seconds = match value {
            Some(v) => v.saturating_mul(unit_seconds(unit.unwrap_or(default_unit))),
            None => 3600,
        };
        time::Duration::seconds(seconds)
    }

    pub fn access_validity(&self) -> time::Duration {
        Self::validity(
            self.access_token_validity,
            self.units.access_token.as_deref(),
            "hours",
        )
    }

    pub fn id_validity(&self) -> time::Duration {
        Self::validity(self.id_token_validity, self.units.id_token.as_deref(), "hours")
    }

    pub fn refresh_validity(&self) -> time::Duration {
        Self::validity(
            Some(self.refresh_token_validity),
            self.units.refresh_token.as_deref(),
            "days",
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    pub pool_id: String,
    /// The username as created (case kept; lookups are case-insensitive, as AWS's default).
    pub username: String,
    pub sub: String,
    pub attributes: BTreeMap<String, String>,
    /// argon2id PHC string; none until a password is set.
    pub password_hash: Option<String>,
    /// The SRP salt and verifier of the same password (for `USER_SRP_AUTH`).
    #[serde(default)]
    pub srp: Option<SrpVerifier>,
    /// UNCONFIRMED, CONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED.
    pub status: String,
    pub enabled: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub modified: OffsetDateTime,
    /// The user's TOTP authenticator (AssociateSoftwareToken), its secret sealed.
    #[serde(default)]
    pub totp: Option<Totp>,
    /// The names of the pool's groups the user belongs to.
    #[serde(default)]
    pub groups: std::collections::BTreeSet<String>,
    /// When a temporary password stops working (FORCE_CHANGE_PASSWORD).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub temporary_password_expires: Option<OffsetDateTime>,
}

/// A TOTP authenticator: its Base32 secret sealed under the master key, whether a code
/// proved it (VerifySoftwareToken) and whether sign-in asks for it (MFA preference).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Totp {
    pub secret_sealed: String,
    pub verified: bool,
    pub enabled: bool,
    #[serde(skip)]
    pub secret: Option<String>,
}

/// An SRP salt (hex) and verifier `g^x mod N` (hex, sealed under the master key: with
/// the salt it allows a guessing attack on the password, as a hash would).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SrpVerifier {
    pub salt: String,
    pub verifier_sealed: String,
    #[serde(skip)]
    pub verifier: Option<String>,
}

impl User {
    /// The context a user's sealed TOTP secret is bound to.
    pub fn totp_context(&self) -> String {
        format!("totp/{}/{}", self.pool_id, self.username)
    }

    /// Whether sign-in asks this user for a TOTP code.
    pub fn totp_required(&self) -> bool {
        self.totp.as_ref().is_some_and(|t| t.verified && t.enabled)
    }

    /// The context a user's sealed SRP verifier is bound to.
    pub fn srp_context(&self) -> String {
        format!("srp/{}/{}", self.pool_id, self.username)
    }

    /// The key of a user record: pool and lower-cased username.
    pub fn key_of(pool_id: &str, username: &str) -> String {
        format!("{pool_id}/{}", username.to_lowercase())
    }

    pub fn key(&self) -> String {
        Self::key_of(&self.pool_id, &self.username)
    }
}

/// A user pool group: its members get `cognito:groups` (and its role, `cognito:roles`)
/// in their tokens.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Group {
    pub pool_id: String,
    pub name: String,
    pub description: Option<String>,
    pub role_arn: Option<String>,
    pub precedence: Option<i64>,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub modified: OffsetDateTime,
}

impl Group {
    /// Group names are case-sensitive, unlike usernames.
    pub fn key_of(pool_id: &str, name: &str) -> String {
        format!("{pool_id}/{name}")
    }

    pub fn key(&self) -> String {
        Self::key_of(&self.pool_id, &self.name)
    }
}

/// A user pool an identity pool accepts ID tokens of.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CognitoProvider {
    /// `cognito-idp.{region}.amazonaws.com/{poolId}`, as clients name it in `Logins`.
    pub provider_name: String,
    pub client_id: String,
    pub server_side_token_check: bool,
}

/// An identity pool (`cognito-identity`): guests and signed-in users traded for role
/// credentials.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdentityPool {
    pub id: String,
    pub name: String,
    pub allow_unauthenticated: bool,
    pub allow_classic_flow: bool,
    pub cognito_providers: Vec<CognitoProvider>,
    /// `authenticated` / `unauthenticated` role ARNs (SetIdentityPoolRoles).
    #[serde(default)]
    pub roles: BTreeMap<String, String>,
    /// RoleMappings as given (Token and Rules types are applied).
    #[serde(default)]
    pub role_mappings: Map<String, Value>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Settings accepted and echoed that this version does not act on (other providers).
    #[serde(default)]
    pub extra: Map<String, Value>,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
}

/// One identity of an identity pool, with the logins (`provider` and `sub`) linked to it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Identity {
    pub id: String,
    pub pool_id: String,
    #[serde(default)]
    pub logins: Vec<(String, String)>,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub modified: OffsetDateTime,
}

/// A refresh token's server side. The token handed out is `{origin_jti}.{secret}`; only
/// a hash of the secret is kept. Revoked tokens stay (with `revoked`) so that access
/// tokens issued from them are refused too.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefreshToken {
    pub origin_jti: String,
    pub secret_sha256: String,
    pub pool_id: String,
    pub client_id: String,
    pub username: String,
    #[serde(with = "time::serde::rfc3339")]
    pub issued: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub auth_time: OffsetDateTime,
    pub revoked: bool,
}

/// One AWS account's user pools (all regions), in memory.
#[derive(Debug, Clone, Default)]
pub struct Namespace {
    pub revision: u64,
    /// Changes with every applied mutation but a new session's refresh token (random at
    /// load): an operation computed on a namespace whose epoch has not moved since may
    /// commit without running again, so concurrent sign-ins do not redo each other.
    pub epoch: u64,
    pub pools: BTreeMap<String, Pool>,
    pub clients: BTreeMap<String, Client>,
    pub users: BTreeMap<String, User>,
    pub groups: BTreeMap<String, Group>,
    pub identity_pools: BTreeMap<String, IdentityPool>,
    pub identities: BTreeMap<String, Identity>,
    pub refresh: HashMap<String, RefreshToken>,
    /// SRP secret blocks already answered, until they expire: each is good for one
    /// sign-in (stored, so that every node and a reload know it).
    pub used_srp_blocks: HashMap<String, OffsetDateTime>,
}

impl Namespace {
    pub fn pool(&self, id: &str) -> Option<&Pool> {
        self.pools.get(id)
    }

    pub fn user(&self, pool_id: &str, username: &str) -> Option<&User> {
        self.users.get(&User::key_of(pool_id, username))
    }

    /// The users of one pool, in key order.
    pub fn users_of<'a>(&'a self, pool_id: &str) -> impl Iterator<Item = &'a User> + use<'a> {
        let prefix = format!("{pool_id}/");
        self.users
            .range(prefix.clone()..)
            .take_while(move |(k, _)| k.starts_with(&prefix))
            .map(|(_, u)| u)
    }

    /// The groups of one pool, in name order.
    pub fn groups_of<'a>(&'a self, pool_id: &str) -> impl Iterator<Item = &'a Group> + use<'a> {
        let prefix = format!("{pool_id}/");
        self.groups
            .range(prefix.clone()..)
            .take_while(move |(k, _)| k.starts_with(&prefix))
            .map(|(_, g)| g)
    }

    /// A user by username or, in pools where they sign in, by email / phone number, or
    /// by `sub` (AWS accepts each of these where a username is asked for).
    pub fn find_user(&self, pool: &Pool, name: &str) -> Option<&User> {
        if let Some(u) = self.user(&pool.id, name) {
            return Some(u);
        }
        self.users_of(&pool.id).find(|u| {
            u.sub == name
                || pool
                    .username_attributes
                    .iter()
                    .any(|a| u.attributes.get(a).is_some_and(|v| v.eq_ignore_ascii_case(name)))
        })
    }
}

/// One change an operation makes, applied to the store and then to memory.
#[derive(Debug, Clone)]
pub enum Mutation {
    PutPool(Box<Pool>),
    DeletePool(String),
    PutClient(Box<Client>),
    DeleteClient(String),
    PutUser(Box<User>),
    DeleteUser(String),
    PutRefresh(Box<RefreshToken>),
    PutGroup(Box<Group>),
    DeleteGroup(String),
    PutIdentityPool(Box<IdentityPool>),
    DeleteIdentityPool(String),
    PutIdentity(Box<Identity>),
    /// An SRP secret block (its nonce, until its expiry) was answered.
    UseSrpBlock(String, OffsetDateTime),
}
