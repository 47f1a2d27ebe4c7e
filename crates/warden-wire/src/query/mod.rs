//! awsQuery (IAM, STS): form-encoded requests, XML responses.

pub(crate) mod decode;
pub(crate) mod encode;
