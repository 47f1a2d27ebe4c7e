//! The policy simulator: SimulateCustomPolicy, SimulatePrincipalPolicy, GetContextKeysFor{Custom,Principal}Policy.

use super::ops;

ops! { OPS {
}}
