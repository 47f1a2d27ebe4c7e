//! Identity providers: OpenID Connect (issuer URL, client IDs, thumbprints) and SAML 2.0
//! (IdP metadata documents), with their tags; and the lookups STS uses to trust them.

use quick_xml::events::Event;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{OpCtx, ops, page_list};
use crate::error::IamError;
use crate::input::Input;
use crate::model::*;
use crate::rules;
use crate::state::AccountState;
use crate::tx::Tx;
use crate::util::ts;
use crate::views;

use super::Target::*;

ops! { OPS {
    // INVARIANT: AWS authorizes CreateOpenIDConnectProvider on `oidc-provider/{host}`; the
    // table's targets cannot derive that from `Url`, so it is authorized on `*`.
    "CreateOpenIDConnectProvider" => Built(new_oidc_arn), Write(create_oidc);
    "GetOpenIDConnectProvider" => ArnMember("OpenIDConnectProviderArn"), Read(get_oidc);
    "ListOpenIDConnectProviders" => Any, Read(list_oidc);
    "DeleteOpenIDConnectProvider" => ArnMember("OpenIDConnectProviderArn"), Write(delete_oidc);
    "UpdateOpenIDConnectProviderThumbprint" => ArnMember("OpenIDConnectProviderArn"), Write(update_thumbprints);
    "AddClientIDToOpenIDConnectProvider" => ArnMember("OpenIDConnectProviderArn"), Write(add_client_id);
    "RemoveClientIDFromOpenIDConnectProvider" => ArnMember("OpenIDConnectProviderArn"), Write(remove_client_id);
    "TagOpenIDConnectProvider" => ArnMember("OpenIDConnectProviderArn"), Write(tag_oidc);
    "UntagOpenIDConnectProvider" => ArnMember("OpenIDConnectProviderArn"), Write(untag_oidc);
    "ListOpenIDConnectProviderTags" => ArnMember("OpenIDConnectProviderArn"), Read(list_oidc_tags);

    // INVARIANT: as above, CreateSAMLProvider's `saml-provider/{Name}` is authorized on `*`.
    "CreateSAMLProvider" => Built(new_saml_arn), Write(create_saml);
    "GetSAMLProvider" => ArnMember("SAMLProviderArn"), Read(get_saml);
    "ListSAMLProviders" => Any, Read(list_saml);
    "UpdateSAMLProvider" => ArnMember("SAMLProviderArn"), Write(update_saml);
    "DeleteSAMLProvider" => ArnMember("SAMLProviderArn"), Write(delete_saml);
    "TagSAMLProvider" => ArnMember("SAMLProviderArn"), Write(tag_saml);
    "UntagSAMLProvider" => ArnMember("SAMLProviderArn"), Write(untag_saml);
    "ListSAMLProviderTags" => ArnMember("SAMLProviderArn"), Read(list_saml_tags);
}}

/// IAM quotas: "IAM OpenID Connect (OIDC) providers per account", "SAML providers per
/// account", "Client IDs per OIDC provider", "Thumbprints per OIDC provider".
const OIDC_PER_ACCOUNT: usize = 100;
const SAML_PER_ACCOUNT: usize = 100;
const CLIENT_IDS_PER_PROVIDER: usize = 100;
const THUMBPRINTS_PER_PROVIDER: usize = 5;
const PRIVATE_KEYS_PER_SAML_PROVIDER: usize = 2;

// ---- OpenID Connect ----

/// Splits a provider URL into (scheme, host+path as IAM stores it). IAM requires https;
/// Warden also accepts http for loopback hosts (DESIGN.md contract), so that tests and
/// local setups can run their own provider.
pub fn parse_oidc_url(url: &str) -> Result<(&'static str, String), IamError> {
    let bad = || IamError::InvalidInput("Invalid Open ID Connect Provider URL".into());
    let (scheme, rest) = if let Some(r) = strip_prefix_ci(url, "https://") {
        ("https", r)
    } else if let Some(r) = strip_prefix_ci(url, "http://") {
        ("http", r)
    } else {
        return Err(bad());
    };
    if rest.is_empty() || rest.contains(['?', '#', ' ']) || rest.contains('@') {
        return Err(bad());
    }
    let (host, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    if host.is_empty() {
        return Err(bad());
    }
    if scheme == "http" && !is_loopback(host) {
        return Err(bad());
    }
    let path = path.trim_end_matches('/');
    Ok((scheme, format!("{}{path}", host.to_ascii_lowercase())))
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s.get(prefix.len()..))
        .flatten()
}

/// localhost, 127.0.0.0/8 and ::1, with or without a port.
fn is_loopback(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        host.rsplit_once(':').map_or(host, |(h, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                h
            } else {
                host
            }
        })
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn oidc_key(state: &AccountState, arn: &str) -> Option<String> {
    arn.strip_prefix(&format!("arn:aws:iam::{}:oidc-provider/", state.id))
        .map(str::to_owned)
}

fn oidc<'a>(state: &'a AccountState, arn: &str) -> Result<&'a OidcProvider, IamError> {
    oidc_key(state, arn)
        .and_then(|k| state.oidc_providers.get(&k))
        .ok_or_else(|| IamError::NoSuchEntity(format!("OpenIDConnect Provider not found for arn {arn}")))
}

fn oidc_arn(state: &AccountState, p: &OidcProvider) -> String {
    format!("arn:aws:iam::{}:oidc-provider/{}", state.id, p.url)
}

/// The OIDC provider whose issuer is `issuer` (a token's `iss`, with or without scheme).
pub fn oidc_provider_by_issuer<'a>(state: &'a AccountState, issuer: &str) -> Option<&'a OidcProvider> {
    let (scheme, key) = parse_oidc_url(issuer)
        .ok()
        .or_else(|| parse_oidc_url(&format!("https://{issuer}")).ok())?;
    state.oidc_providers.get(&key).filter(|p| p.scheme == scheme)
}

/// The OIDC provider named by its ARN.
pub fn oidc_provider_by_arn<'a>(state: &'a AccountState, arn: &str) -> Option<&'a OidcProvider> {
    oidc_key(state, arn).and_then(|k| state.oidc_providers.get(&k))
}

fn check_thumbprints(list: &[&str]) -> Result<(), IamError> {
    if list.len() > THUMBPRINTS_PER_PROVIDER {
        return Err(IamError::LimitExceeded(format!(
            "Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: {THUMBPRINTS_PER_PROVIDER}"
        )));
    }
    if let Some(bad) = list
        .iter()
        .find(|t| t.len() != 40 || !t.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(IamError::InvalidInput(format!(
            "Thumbprint {bad} is not a valid SHA-1 thumbprint (40 hexadecimal characters)."
        )));
    }
    Ok(())
}

fn check_client_ids(n: usize) -> Result<(), IamError> {
    if n > CLIENT_IDS_PER_PROVIDER {
        return Err(IamError::LimitExceeded(format!(
            "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {CLIENT_IDS_PER_PROVIDER}"
        )));
    }
    Ok(())
}

/// Keeps the first of each value, in order (IAM lists each client ID once).
fn dedup(items: Vec<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in items {
        if !out.iter().any(|o| o == i) {
            out.push(i.to_owned());
        }
    }
    out
}

pub fn create_oidc(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let url = input.str("Url")?;
    let (scheme, key) = parse_oidc_url(url)?;
    let client_ids = dedup(input.strings("ClientIDList"));
    check_client_ids(client_ids.len())?;
    let thumbprints = input.strings("ThumbprintList");
    check_thumbprints(&thumbprints)?;
    let tags = input.tags("Tags");
    rules::check_tags(&tags)?;
    if tx.state.oidc_providers.contains_key(&key) {
        return Err(IamError::EntityAlreadyExists(format!(
            "Provider with url {url} already exists."
        )));
    }
    if tx.state.oidc_providers.len() >= OIDC_PER_ACCOUNT {
        return Err(IamError::LimitExceeded(format!(
            "Cannot exceed quota for OpenIdConnectProvidersPerAccount: {OIDC_PER_ACCOUNT}"
        )));
    }
    let provider = OidcProvider {
        v: 1,
        url: key,
        scheme: scheme.to_owned(),
        client_ids,
        thumbprints: dedup(thumbprints),
        created: ctx.now,
        tags,
    };
    let mut out = json!({ "OpenIDConnectProviderArn": oidc_arn(&tx.state, &provider) });
    add_tags_member(&mut out, &provider.tags);
    tx.insert(provider);
    Ok(out)
}

fn add_tags_member(out: &mut Value, tags: &[Tag]) {
    if !tags.is_empty()
        && let Some(o) = out.as_object_mut()
    {
        o.insert("Tags".into(), views::tags(tags));
    }
}

pub fn get_oidc(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let p = oidc(state, input.str("OpenIDConnectProviderArn")?)?;
    let mut out = json!({
        "Url": p.url,
        "ClientIDList": p.client_ids,
        "ThumbprintList": p.thumbprints,
        "CreateDate": ts(p.created),
    });
    add_tags_member(&mut out, &p.tags);
    Ok(out)
}

pub fn list_oidc(state: &AccountState, _: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let list: Vec<Value> = state
        .oidc_providers
        .values()
        .map(|p| json!({ "Arn": oidc_arn(state, p) }))
        .collect();
    Ok(json!({ "OpenIDConnectProviderList": list }))
}

pub fn delete_oidc(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    // Deleting a provider that does not exist succeeds, as in IAM ("This operation is
    // idempotent; it does not fail or return an error if you call the operation for a
    // provider that does not exist").
    let arn = input.str("OpenIDConnectProviderArn")?;
    if let Some(key) = oidc_key(&tx.state, arn).filter(|k| tx.state.oidc_providers.contains_key(k)) {
        tx.delete::<OidcProvider>(&key);
    }
    Ok(json!({}))
}

fn update_oidc(
    tx: &mut Tx,
    input: &Input,
    change: impl FnOnce(&mut OidcProvider, &Input) -> Result<(), IamError>,
) -> Result<Value, IamError> {
    let mut p = oidc(&tx.state, input.str("OpenIDConnectProviderArn")?)?.clone();
    change(&mut p, input)?;
    tx.put(p);
    Ok(json!({}))
}

pub fn update_thumbprints(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    update_oidc(tx, input, |p, input| {
        let list = input.strings("ThumbprintList");
        check_thumbprints(&list)?;
        p.thumbprints = dedup(list);
        Ok(())
    })
}

pub fn add_client_id(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    update_oidc(tx, input, |p, input| {
        let id = input.str("ClientID")?;
        if !p.client_ids.iter().any(|c| c == id) {
            p.client_ids.push(id.to_owned());
        }
        check_client_ids(p.client_ids.len())
    })
}

pub fn remove_client_id(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    // Removing a client ID that is not in the list succeeds (IAM: "idempotent").
    update_oidc(tx, input, |p, input| {
        let id = input.str("ClientID")?;
        p.client_ids.retain(|c| c != id);
        Ok(())
    })
}

pub fn tag_oidc(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    update_oidc(tx, input, |p, input| {
        p.tags = rules::add_tags(&p.tags, input.tags("Tags"))?;
        Ok(())
    })
}

pub fn untag_oidc(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    update_oidc(tx, input, |p, input| {
        p.tags = rules::remove_tags(&p.tags, &input.strings("TagKeys"));
        Ok(())
    })
}

pub fn list_oidc_tags(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let p = oidc(state, input.str("OpenIDConnectProviderArn")?)?;
    list_tags(&p.tags, input)
}

fn list_tags(tags: &[Tag], input: &Input) -> Result<Value, IamError> {
    let mut out = Map::new();
    let tags = page_list(tags.to_vec(), input, &mut out)?;
    out.insert("Tags".into(), json!(tags));
    Ok(Value::Object(out))
}

// ---- SAML ----

/// What STS needs from an IdP's metadata document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamlMetadata {
    pub entity_id: String,
    /// Base64 DER of each signing certificate (`KeyDescriptor` with `use="signing"` or no `use`).
    pub signing_certificates: Vec<String>,
    pub valid_until: Option<OffsetDateTime>,
}

fn bad_metadata() -> IamError {
    IamError::InvalidInput("Could not parse metadata".into())
}

/// Reads SAML 2.0 metadata (SAML 2.0 metadata spec, section 2.3-2.4): an
/// `EntityDescriptor` with an `IDPSSODescriptor` holding at least one signing
/// certificate. Document type declarations are refused (no entity expansion).
pub fn parse_saml_metadata(xml: &str) -> Result<SamlMetadata, IamError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<Vec<u8>> = Vec::new();
    let mut entity_id = None;
    let mut valid_until = None;
    let mut idp = false;
    let mut key_use_signing = false;
    let mut certs = Vec::new();
    loop {
        let event = reader.read_event().map_err(|_| bad_metadata())?;
        match event {
            Event::DocType(_) => return Err(bad_metadata()),
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = e.local_name().as_ref().to_vec();
                let attr = |wanted: &[u8]| -> Option<String> {
                    e.attributes()
                        .filter_map(Result::ok)
                        .find(|a| a.key.local_name().as_ref() == wanted)
                        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
                };
                match name.as_slice() {
                    b"EntityDescriptor" if entity_id.is_none() => {
                        if stack.iter().any(|n| n.as_slice() != b"EntitiesDescriptor") {
                            return Err(bad_metadata());
                        }
                        entity_id = Some(attr(b"entityID").ok_or_else(bad_metadata)?);
                        if let Some(v) = attr(b"validUntil") {
                            valid_until =
                                Some(OffsetDateTime::parse(&v, &Rfc3339).map_err(|_| bad_metadata())?);
                        }
                    }
                    b"IDPSSODescriptor" => idp = true,
                    b"KeyDescriptor" => {
                        key_use_signing = attr(b"use").is_none_or(|u| u == "signing");
                    }
                    _ => {}
                }
                if stack.is_empty() && !matches!(name.as_slice(), b"EntityDescriptor" | b"EntitiesDescriptor")
                {
                    return Err(bad_metadata());
                }
                if matches!(event, Event::Start(_)) {
                    stack.push(name);
                }
            }
            Event::Text(t) => {
                let in_cert = stack.last().is_some_and(|n| n.as_slice() == b"X509Certificate");
                let in_idp_key = stack.iter().any(|n| n.as_slice() == b"IDPSSODescriptor")
                    && stack.iter().any(|n| n.as_slice() == b"KeyDescriptor");
                if in_cert && in_idp_key && key_use_signing {
                    let text = t.unescape().map_err(|_| bad_metadata())?;
                    let cert: String = text.chars().filter(|c| !c.is_whitespace()).collect();
                    if !super::credentials::is_der_certificate_b64(&cert) {
                        return Err(bad_metadata());
                    }
                    certs.push(cert);
                }
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    match entity_id {
        Some(entity_id) if idp && !certs.is_empty() => Ok(SamlMetadata {
            entity_id,
            signing_certificates: certs,
            valid_until,
        }),
        _ => Err(bad_metadata()),
    }
}

fn saml_arn(state: &AccountState, name: &str) -> String {
    format!("arn:aws:iam::{}:saml-provider/{name}", state.id)
}

/// The SAML provider named by its ARN (STS reads its `metadata` with [`parse_saml_metadata`]).
pub fn saml_provider_by_arn<'a>(state: &'a AccountState, arn: &str) -> Option<&'a SamlProvider> {
    let name = arn.strip_prefix(&format!("arn:aws:iam::{}:saml-provider/", state.id))?;
    let p = state.saml_providers.get(&name.to_ascii_lowercase())?;
    (p.name == name).then_some(p)
}

fn saml<'a>(state: &'a AccountState, arn: &str) -> Result<&'a SamlProvider, IamError> {
    saml_provider_by_arn(state, arn)
        .ok_or_else(|| IamError::NoSuchEntity(format!("Manifest not found for arn {arn}")))
}

/// A SAML private key ID: like IAM's, upper-case letters and digits.
fn private_key_id() -> String {
    let mut id = rules::uuid().replace('-', "").to_ascii_uppercase();
    id.truncate(26);
    id
}

fn add_private_key(p: &mut SamlProvider, pem: &str, ctx: &OpCtx) -> Result<(), IamError> {
    if !(pem.contains("-----BEGIN") && pem.contains("PRIVATE KEY-----")) {
        return Err(IamError::InvalidInput(
            "The private key is not a valid PEM-encoded key.".into(),
        ));
    }
    if p.private_keys.len() >= PRIVATE_KEYS_PER_SAML_PROVIDER {
        return Err(IamError::LimitExceeded(format!(
            "Cannot exceed quota for PrivateKeysPerSamlProvider: {PRIVATE_KEYS_PER_SAML_PROVIDER}"
        )));
    }
    let id = private_key_id();
    p.private_keys.push(SamlPrivateKey {
        sealed: ctx.sealer.seal(pem, &id),
        key: Some(warden_types::Secret::new(pem)),
        id,
        created: ctx.now,
    });
    Ok(())
}

pub fn create_saml(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let name = input.str("Name")?;
    let document = input.str("SAMLMetadataDocument")?;
    let meta = parse_saml_metadata(document)?;
    let tags = input.tags("Tags");
    rules::check_tags(&tags)?;
    if tx.state.saml_providers.contains_key(&name.to_ascii_lowercase()) {
        return Err(IamError::EntityAlreadyExists(format!(
            "SAMLProvider with name {name} already exists"
        )));
    }
    if tx.state.saml_providers.len() >= SAML_PER_ACCOUNT {
        return Err(IamError::LimitExceeded(format!(
            "Cannot exceed quota for SamlProvidersPerAccount: {SAML_PER_ACCOUNT}"
        )));
    }
    let mut provider = SamlProvider {
        v: 1,
        name: name.to_owned(),
        uuid: private_key_id(),
        metadata: document.to_owned(),
        created: ctx.now,
        valid_until: meta.valid_until,
        assertion_encryption_mode: input.opt_str("AssertionEncryptionMode").map(str::to_owned),
        private_keys: Vec::new(),
        tags,
    };
    if let Some(pem) = input.opt_str("AddPrivateKey") {
        add_private_key(&mut provider, pem, ctx)?;
    }
    let mut out = json!({ "SAMLProviderArn": saml_arn(&tx.state, name) });
    add_tags_member(&mut out, &provider.tags);
    tx.insert(provider);
    Ok(out)
}

pub fn get_saml(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let p = saml(state, input.str("SAMLProviderArn")?)?;
    let mut out = json!({
        "SAMLProviderUUID": p.uuid,
        "SAMLMetadataDocument": p.metadata,
        "CreateDate": ts(p.created),
    });
    if let Some(o) = out.as_object_mut() {
        if let Some(v) = p.valid_until {
            o.insert("ValidUntil".into(), json!(ts(v)));
        }
        if let Some(m) = &p.assertion_encryption_mode {
            o.insert("AssertionEncryptionMode".into(), json!(m));
        }
        if !p.private_keys.is_empty() {
            let keys: Vec<Value> = p
                .private_keys
                .iter()
                .map(|k| json!({"KeyId": k.id, "Timestamp": ts(k.created)}))
                .collect();
            o.insert("PrivateKeyList".into(), Value::Array(keys));
        }
    }
    add_tags_member(&mut out, &p.tags);
    Ok(out)
}

pub fn list_saml(state: &AccountState, _: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let list: Vec<Value> = state
        .saml_providers
        .values()
        .map(|p| {
            let mut v = json!({ "Arn": saml_arn(state, &p.name), "CreateDate": ts(p.created) });
            if let (Some(t), Some(o)) = (p.valid_until, v.as_object_mut()) {
                o.insert("ValidUntil".into(), json!(ts(t)));
            }
            v
        })
        .collect();
    Ok(json!({ "SAMLProviderList": list }))
}

pub fn update_saml(tx: &mut Tx, input: &Input, ctx: &OpCtx) -> Result<Value, IamError> {
    let arn = input.str("SAMLProviderArn")?;
    let mut p = saml(&tx.state, arn)?.clone();
    if let Some(document) = input.opt_str("SAMLMetadataDocument") {
        let meta = parse_saml_metadata(document)?;
        p.metadata = document.to_owned();
        p.valid_until = meta.valid_until;
    }
    if let Some(mode) = input.opt_str("AssertionEncryptionMode") {
        p.assertion_encryption_mode = Some(mode.to_owned());
    }
    if let Some(id) = input.opt_str("RemovePrivateKey") {
        let before = p.private_keys.len();
        p.private_keys.retain(|k| k.id != id);
        if p.private_keys.len() == before {
            return Err(IamError::InvalidInput(format!(
                "The private key {id} does not exist."
            )));
        }
    }
    if let Some(pem) = input.opt_str("AddPrivateKey") {
        add_private_key(&mut p, pem, ctx)?;
    }
    tx.put(p);
    Ok(json!({ "SAMLProviderArn": arn }))
}

pub fn delete_saml(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let p = saml(&tx.state, input.str("SAMLProviderArn")?)?;
    let key = p.name.to_ascii_lowercase();
    tx.delete::<SamlProvider>(&key);
    Ok(json!({}))
}

fn update_saml_tags(
    tx: &mut Tx,
    input: &Input,
    change: impl FnOnce(&[Tag]) -> Result<Vec<Tag>, IamError>,
) -> Result<Value, IamError> {
    let mut p = saml(&tx.state, input.str("SAMLProviderArn")?)?.clone();
    p.tags = change(&p.tags)?;
    tx.put(p);
    Ok(json!({}))
}

pub fn tag_saml(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    update_saml_tags(tx, input, |t| rules::add_tags(t, input.tags("Tags")))
}

pub fn untag_saml(tx: &mut Tx, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    update_saml_tags(tx, input, |t| {
        Ok(rules::remove_tags(t, &input.strings("TagKeys")))
    })
}

pub fn list_saml_tags(state: &AccountState, input: &Input, _: &OpCtx) -> Result<Value, IamError> {
    let p = saml(state, input.str("SAMLProviderArn")?)?;
    list_tags(&p.tags, input)
}

/// The ARN CreateOpenIDConnectProvider's provider will have (`*` for a URL it refuses).
fn new_oidc_arn(state: &AccountState, input: &Input) -> String {
    match parse_oidc_url(input.opt_str("Url").unwrap_or_default()) {
        Ok((_, key)) => format!("arn:aws:iam::{}:oidc-provider/{key}", state.id),
        Err(_) => "*".to_owned(),
    }
}

/// The ARN CreateSAMLProvider's provider will have.
fn new_saml_arn(state: &AccountState, input: &Input) -> String {
    format!(
        "arn:aws:iam::{}:saml-provider/{}",
        state.id,
        input.opt_str("Name").unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oidc_urls_need_https_except_loopback() {
        assert_eq!(
            parse_oidc_url("https://Token.Actions.GitHubusercontent.com/").unwrap(),
            ("https", "token.actions.githubusercontent.com".to_owned())
        );
        assert_eq!(
            parse_oidc_url("https://example.com/tenant/v2").unwrap().1,
            "example.com/tenant/v2"
        );
        for ok in [
            "http://localhost:8080/idp",
            "http://127.0.0.5",
            "http://[::1]:9000",
            "http://LOCALHOST",
        ] {
            assert_eq!(parse_oidc_url(ok).unwrap().0, "http", "{ok}");
        }
        for bad in [
            "http://example.com",
            "ftp://x",
            "example.com",
            "https://",
            "https://a.com?x=1",
            "http://127.evil.com",
        ] {
            assert!(parse_oidc_url(bad).is_err(), "{bad}");
        }
    }
}
