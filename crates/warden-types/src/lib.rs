//! Vocabulary types shared by every Warden crate: ARNs, account IDs, IAM names that
//! are unique case-insensitively, AWS-style unique IDs and secrets that never print.
//!
//! ```
//! use warden_types::{AccountId, Arn, IamName};
//! let account: AccountId = "123456789012".parse().unwrap();
//! let arn = Arn::iam(&account, "user/dev/", "Alice");
//! assert_eq!(arn.to_string(), "arn:aws:iam::123456789012:user/dev/Alice");
//! assert_eq!(IamName::new("Alice").key(), IamName::new("ALICE").key());
//! ```

mod account;
mod arn;
mod ids;
mod name;
mod secret;

pub use account::{AccountId, AccountIdError};
pub use arn::{Arn, ArnError};
pub use ids::{
    IdKind, account_of_access_key_id, new_access_key_id, new_id, new_secret_access_key, random_alnum,
};
pub use name::IamName;
pub use secret::Secret;
