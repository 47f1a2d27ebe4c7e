//! Account-wide reports: GetAccountAuthorizationDetails, credential report, access advisor.

use super::ops;

ops! { OPS {
}}
