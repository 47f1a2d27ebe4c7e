//! Who is making a request, as the operations need to know it (their own user name is
//! the default of many operations' `UserName`).

use warden_types::AccountId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// The account's root user (long-term root keys).
    Root { account: AccountId },
    /// An IAM user, by lower-cased name.
    User { account: AccountId, user: String },
    /// A role session (STS AssumeRole*): the role by lower-cased name and the session name.
    AssumedRole {
        account: AccountId,
        role: String,
        session: String,
    },
    /// A federated user (STS GetFederationToken) of an IAM user.
    FederatedUser { account: AccountId, name: String },
}

impl Caller {
    pub fn account(&self) -> &AccountId {
        match self {
            Caller::Root { account }
            | Caller::User { account, .. }
            | Caller::AssumedRole { account, .. }
            | Caller::FederatedUser { account, .. } => account,
        }
    }
}
