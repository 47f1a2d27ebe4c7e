//! Who makes a request, and the `Principal` / `NotPrincipal` element that names them.

use crate::json::{Json, Node};

/// The kind of principal making a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalKind {
    /// The account root user: full access within its account unless a deny or an SCP says otherwise.
    Root,
    /// An IAM user.
    User,
    /// An IAM role itself (the simulator evaluates roles; requests come from their sessions).
    Role,
    /// A role session (`arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`).
    AssumedRole,
    /// A GetFederationToken session (`arn:aws:sts::ACCT:federated-user/NAME`).
    FederatedUser,
    /// An AWS service (`ec2.amazonaws.com`), named only by resource and trust policies.
    Service,
    /// A web identity or SAML user before it assumes a role (`cognito-identity.amazonaws.com`,
    /// an OIDC or SAML provider ARN).
    WebIdentity,
    /// An unauthenticated caller.
    Anonymous,
}

/// The principal of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    kind: PrincipalKind,
    arn: String,
    account: Option<String>,
    role_arn: Option<String>,
    canonical_user: Option<String>,
}

/// The account field of an ARN (`arn:aws:iam::123456789012:user/x` -> `123456789012`).
fn account_of(arn: &str) -> Option<String> {
    arn.split(':').nth(4).filter(|a| !a.is_empty()).map(str::to_owned)
}

impl Principal {
    fn new(kind: PrincipalKind, arn: &str) -> Self {
        Self {
            kind,
            arn: arn.to_owned(),
            account: account_of(arn),
            role_arn: None,
            canonical_user: None,
        }
    }

    /// The root user of `account`.
    pub fn root(account: &str) -> Self {
        Self::new(PrincipalKind::Root, &format!("arn:aws:iam::{account}:root"))
    }

    /// An IAM user, by ARN.
    pub fn user(arn: &str) -> Self {
        Self::new(PrincipalKind::User, arn)
    }

    /// An IAM role, by ARN.
    pub fn role(arn: &str) -> Self {
        Self::new(PrincipalKind::Role, arn)
    }

    /// A role session: its `assumed-role` ARN and the ARN of its role (with the
    /// role's path, which the session ARN does not carry).
    pub fn assumed_role(session_arn: &str, role_arn: &str) -> Self {
        Self {
            role_arn: Some(role_arn.to_owned()),
            ..Self::new(PrincipalKind::AssumedRole, session_arn)
        }
    }

    /// A federated user session, by its `federated-user` ARN.
    pub fn federated_user(arn: &str) -> Self {
        Self::new(PrincipalKind::FederatedUser, arn)
    }

    /// An AWS service principal (`ec2.amazonaws.com`).
    pub fn service(name: &str) -> Self {
        Self {
            kind: PrincipalKind::Service,
            arn: name.to_owned(),
            account: None,
            role_arn: None,
            canonical_user: None,
        }
    }

    /// A web identity or SAML federated caller, by provider (`cognito-identity.amazonaws.com`,
    /// `accounts.google.com`, or an `oidc-provider/` or `saml-provider/` ARN).
    pub fn web_identity(provider: &str) -> Self {
        Self {
            kind: PrincipalKind::WebIdentity,
            arn: provider.to_owned(),
            account: None,
            role_arn: None,
            canonical_user: None,
        }
    }

    /// An anonymous caller.
    pub fn anonymous() -> Self {
        Self {
            kind: PrincipalKind::Anonymous,
            arn: String::new(),
            account: None,
            role_arn: None,
            canonical_user: None,
        }
    }

    /// The same principal with an S3 canonical user ID, for `"CanonicalUser"` principals.
    #[must_use]
    pub fn with_canonical_user(mut self, id: &str) -> Self {
        self.canonical_user = Some(id.to_owned());
        self
    }

    pub fn kind(&self) -> PrincipalKind {
        self.kind
    }

    /// The ARN (or, for services and web identities, the service or provider name).
    pub fn arn(&self) -> &str {
        &self.arn
    }

    /// The account the principal belongs to (`None` for services, web identities, anonymous).
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// For a role session, the role's ARN.
    pub fn role_arn(&self) -> Option<&str> {
        self.role_arn.as_deref()
    }

    /// Do identity-based policies apply to this principal at all?
    pub(crate) fn has_identity(&self) -> bool {
        !matches!(
            self.kind,
            PrincipalKind::Service | PrincipalKind::WebIdentity | PrincipalKind::Anonymous
        )
    }
}

/// How a resource-based policy named the principal. It decides whether the
/// resource policy can grant on its own (IAM User Guide, "Policy evaluation
/// logic": resource-based policies within one account).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalMatch {
    /// Through the principal's account (`"AWS": "123456789012"` or `:root`):
    /// delegates to the account's identity-based policies.
    Account,
    /// A role session matched because the policy names its role ARN: permissions
    /// boundaries and session policies still limit it.
    Role,
    /// `"*"` / `{"AWS": "*"}`: everyone, anonymous callers included.
    Anyone,
    /// The principal's own ARN (user, role session, federated user), service or provider.
    Direct,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum AwsRef {
    Any,
    Account(String),
    Arn(String),
}

/// A compiled `Principal` or `NotPrincipal` element.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct PrincipalSpec {
    anyone: bool,
    aws: Vec<AwsRef>,
    services: Vec<String>,
    federated: Vec<String>,
    canonical: Vec<String>,
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Is `value` acceptable under `key` in a Principal element?
pub(crate) fn valid_principal_value(key: &str, value: &str) -> bool {
    match key {
        "AWS" => {
            value == "*"
                || is_account_id(value)
                || (value.starts_with("arn:") && value.split(':').count() >= 6 && account_of(value).is_some())
                // Unique IDs (AIDA..., AROA...) appear after a named principal is deleted.
                || (value.len() >= 16 && value.starts_with('A') && value.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
        }
        _ => !value.is_empty(),
    }
}

impl PrincipalSpec {
    pub fn compile(node: &Node) -> PrincipalSpec {
        let mut spec = PrincipalSpec::default();
        let Json::Object(members) = &node.value else {
            spec.anyone = node.value.as_str() == Some("*");
            return spec;
        };
        for (key, value) in members.iter() {
            for v in crate::validate::strings(Some(value)) {
                match *key {
                    "AWS" if v == "*" => spec.aws.push(AwsRef::Any),
                    "AWS" if is_account_id(v) => spec.aws.push(AwsRef::Account(v.to_owned())),
                    "AWS" => match v
                        .strip_prefix("arn:aws:iam::")
                        .and_then(|r| r.strip_suffix(":root"))
                    {
                        Some(acct) => spec.aws.push(AwsRef::Account(acct.to_owned())),
                        None => spec.aws.push(AwsRef::Arn(v.to_owned())),
                    },
                    "Service" => spec.services.push(v.to_ascii_lowercase()),
                    "Federated" => spec.federated.push(v.to_owned()),
                    "CanonicalUser" => spec.canonical.push(v.to_owned()),
                    _ => {}
                }
            }
        }
        spec
    }

    /// How (if at all) the element names `p`; the strongest way wins.
    pub fn matches(&self, p: &Principal) -> Option<PrincipalMatch> {
        if self.anyone {
            return Some(PrincipalMatch::Anyone);
        }
        let mut best = None;
        let mut better = |m: PrincipalMatch| {
            if best.is_none_or(|b| m > b) {
                best = Some(m);
            }
        };
        for r in &self.aws {
            match r {
                AwsRef::Any => better(PrincipalMatch::Anyone),
                AwsRef::Account(a) if p.has_identity() && p.account() == Some(a.as_str()) => {
                    better(if p.kind == PrincipalKind::Root {
                        PrincipalMatch::Direct
                    } else {
                        PrincipalMatch::Account
                    });
                }
                AwsRef::Arn(arn) if p.has_identity() && *arn == p.arn => better(PrincipalMatch::Direct),
                AwsRef::Arn(arn) if p.role_arn.as_deref() == Some(arn.as_str()) => {
                    better(PrincipalMatch::Role)
                }
                _ => {}
            }
        }
        if p.kind == PrincipalKind::Service && self.services.iter().any(|s| s.eq_ignore_ascii_case(&p.arn)) {
            better(PrincipalMatch::Direct);
        }
        if p.kind == PrincipalKind::WebIdentity && self.federated.contains(&p.arn) {
            better(PrincipalMatch::Direct);
        }
        if p.canonical_user
            .as_ref()
            .is_some_and(|c| self.canonical.contains(c))
        {
            better(PrincipalMatch::Direct);
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    fn spec(json: &str) -> PrincipalSpec {
        PrincipalSpec::compile(&parse(json).unwrap())
    }

    #[test]
    fn account_forms_are_equivalent() {
        let user = Principal::user("arn:aws:iam::123456789012:user/bob");
        for s in [
            r#"{"AWS":"123456789012"}"#,
            r#"{"AWS":"arn:aws:iam::123456789012:root"}"#,
        ] {
            assert_eq!(spec(s).matches(&user), Some(PrincipalMatch::Account));
            assert_eq!(
                spec(s).matches(&Principal::root("123456789012")),
                Some(PrincipalMatch::Direct)
            );
            assert_eq!(
                spec(s).matches(&Principal::user("arn:aws:iam::111122223333:user/bob")),
                None
            );
        }
    }

    #[test]
    fn roles_and_sessions() {
        let session = Principal::assumed_role(
            "arn:aws:sts::123456789012:assumed-role/R/s1",
            "arn:aws:iam::123456789012:role/path/R",
        );
        assert_eq!(
            spec(r#"{"AWS":"arn:aws:iam::123456789012:role/path/R"}"#).matches(&session),
            Some(PrincipalMatch::Role)
        );
        assert_eq!(
            spec(r#"{"AWS":"arn:aws:sts::123456789012:assumed-role/R/s1"}"#).matches(&session),
            Some(PrincipalMatch::Direct)
        );
        assert_eq!(
            spec(r#"{"AWS":"arn:aws:sts::123456789012:assumed-role/R/s2"}"#).matches(&session),
            None
        );
    }

    #[test]
    fn services_federated_and_anyone() {
        assert_eq!(
            spec(r#"{"Service":"ec2.amazonaws.com"}"#).matches(&Principal::service("ec2.amazonaws.com")),
            Some(PrincipalMatch::Direct)
        );
        assert_eq!(
            spec(r#"{"Service":["ec2.amazonaws.com"]}"#).matches(&Principal::user("arn:aws:iam::1:user/x")),
            None
        );
        let cognito = Principal::web_identity("cognito-identity.amazonaws.com");
        assert_eq!(
            spec(r#"{"Federated":"cognito-identity.amazonaws.com"}"#).matches(&cognito),
            Some(PrincipalMatch::Direct)
        );
        assert_eq!(
            spec(r#""*""#).matches(&Principal::anonymous()),
            Some(PrincipalMatch::Anyone)
        );
        assert_eq!(
            spec(r#"{"AWS":"*"}"#).matches(&Principal::anonymous()),
            Some(PrincipalMatch::Anyone)
        );
        assert_eq!(
            spec(r#"{"CanonicalUser":"abc"}"#).matches(&Principal::root("1").with_canonical_user("abc")),
            Some(PrincipalMatch::Direct)
        );
    }
}
