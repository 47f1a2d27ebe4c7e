//! Other credentials: SSH public keys, signing certificates, server certificates, service-specific credentials, service-linked roles.

use super::ops;

ops! { OPS {
}}
