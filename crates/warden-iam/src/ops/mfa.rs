//! Virtual MFA devices (TOTP): create, enable with two consecutive codes, resync, deactivate, delete, list, tags.

use super::ops;

ops! { OPS {
}}
