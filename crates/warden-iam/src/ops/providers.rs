//! OIDC and SAML identity providers, stored here and used by STS.

use super::ops;

ops! { OPS {
}}
