//! Tags on server certificates: TagServerCertificate, UntagServerCertificate,
//! ListServerCertificateTags. The tags live in the certificate's record, as the ones
//! given to UploadServerCertificate do.

use serde_json::{Map, Value, json};

use super::Target::Built;
use super::credentials::{server_cert, server_cert_arn};
use super::{OpCtx, ops, page_list};
use crate::error::IamError;
use crate::input::Input;
use crate::rules;
use crate::state::AccountState;
use crate::tx::Tx;

ops! { OPS {
    "TagServerCertificate" => Built(server_cert_arn), Write(tag);
    "UntagServerCertificate" => Built(server_cert_arn), Write(untag);
    "ListServerCertificateTags" => Built(server_cert_arn), Read(list_tags);
}}

/// Adds tags (a tag with an existing key, compared case-insensitively, gets the new
/// value); at most 50 per certificate, no `aws:` prefix, no duplicate keys.
pub fn tag(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let mut cert = server_cert(&tx.state, input.str("ServerCertificateName")?)?.clone();
    cert.tags = rules::add_tags(&cert.tags, input.tags("Tags"))?;
    tx.put(cert);
    Ok(json!({}))
}

/// Removes the tags with the given keys (case-insensitively); absent keys are ignored.
pub fn untag(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let mut cert = server_cert(&tx.state, input.str("ServerCertificateName")?)?.clone();
    let keys = input.strings("TagKeys");
    let kept = rules::remove_tags(&cert.tags, &keys);
    if kept.len() != cert.tags.len() {
        cert.tags = kept;
        tx.put(cert);
    }
    Ok(json!({}))
}

/// The certificate's tags, sorted by key as the API reference says this list is.
pub fn list_tags(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let cert = server_cert(state, input.str("ServerCertificateName")?)?;
    let mut tags = cert.tags.clone();
    tags.sort_by(|a, b| a.key.cmp(&b.key));
    let mut out = Map::new();
    let tags = page_list(tags, input, &mut out)?;
    out.insert("Tags".into(), json!(tags));
    Ok(Value::Object(out))
}
