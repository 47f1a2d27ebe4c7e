//! The IAM policy language: parse and validate, compile, evaluate, explain.
//!
//! Pure and synchronous: no I/O, no clock (the time is a context key the caller
//! sets), no environment. The server gathers the policies of a request, then asks
//! this crate for the decision.
//!
//! - [`Policy::parse`] validates a document the way IAM does on CreatePolicy,
//!   PutUserPolicy, CreateRole... and compiles it (lower-cased action matchers,
//!   pre-split ARN patterns, pre-parsed numbers, dates and CIDRs). A refusal is a
//!   [`PolicyError`] whose message is AWS's wording for `MalformedPolicyDocument`;
//!   [`check_size`] gives `LimitExceeded`.
//! - [`evaluate`] decides a [`Request`] against a [`PolicySet`] (identity,
//!   resource, permissions boundary, session and organization policies) and
//!   explains the decision: matched statements with their positions, per-layer
//!   outcomes, missing context keys. [`authorize`] / [`is_allowed`] run the same
//!   evaluator without the explanation and without allocating.
//! - [`Policy::context_keys`] lists the keys a policy references
//!   (GetContextKeysForCustomPolicy).
//!
//! ```
//! use warden_policy::{evaluate, Context, Decision, Policy, PolicyKind, PolicySet, Principal, Request};
//!
//! let policy = Policy::parse(
//!     r#"{"Version": "2012-10-17", "Statement": [{
//!         "Sid": "OwnHome", "Effect": "Allow", "Action": "s3:GetObject",
//!         "Resource": "arn:aws:s3:::home/${aws:username}/*",
//!         "Condition": {"Bool": {"aws:SecureTransport": "true"}}}]}"#,
//!     PolicyKind::Identity,
//! )?;
//! let alice = Principal::user("arn:aws:iam::123456789012:user/alice");
//! let context = Context::new().with("aws:username", "alice").with("aws:SecureTransport", true);
//! let set = PolicySet { identity: vec![("PolicyInputList.1", &policy)], ..PolicySet::default() };
//! let request = Request {
//!     principal: &alice,
//!     action: "s3:getobject",
//!     resource: "arn:aws:s3:::home/alice/notes.txt",
//!     context: &context,
//!     resource_account: None,
//! };
//! let evaluation = evaluate(&request, &set);
//! assert_eq!(evaluation.decision, Decision::Allowed);
//! assert_eq!(evaluation.matched[0].sid.as_deref(), Some("OwnHome"));
//!
//! let bob_resource = Request { resource: "arn:aws:s3:::home/bob/notes.txt", ..request };
//! assert_eq!(evaluate(&bob_resource, &set).decision, Decision::ImplicitDeny);
//! # Ok::<(), warden_policy::PolicyError>(())
//! ```

pub mod catalogue;
mod condition;
mod context;
mod date;
mod error;
mod eval;
mod json;
mod pattern;
mod policy;
mod principal;
mod validate;
mod warnings;

pub use context::{Context, ContextValue};
pub use error::{PolicyError, PolicyErrorKind, check_size};
pub use eval::{
    Decision, DenyReason, Evaluation, Layer, LayerOutcome, LayerOutcomes, MatchedStatement, PolicyRef,
    PolicySet, Request, Verdict, authorize, evaluate, is_allowed,
};
pub use policy::{Effect, Policy, PolicyKind, PolicyVersion, Position};
pub use principal::{Principal, PrincipalKind, PrincipalMatch};
pub use warnings::{PolicyWarning, WarningKind};

/// Wildcard matching as IAM does it for actions and `StringLike` (`*` any run, `?` one
/// character), exposed for property tests and for callers that filter action lists.
pub fn wildcard_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let syntax = pattern::Syntax {
        wildcards: true,
        variables: false,
        lowercase: ignore_case,
    };
    pattern::Pattern::compile(pattern, syntax).matches(text, &pattern::NoVars, ignore_case) == Some(true)
}
