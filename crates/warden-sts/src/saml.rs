//! AssumeRoleWithSAML's first half: a base64 SAML 2.0 `Response` from an IdP registered
//! with CreateSAMLProvider, its XML signature verified by `bergshamra` (pure-Rust
//! XML-DSig) against the signing certificates of the provider's metadata only, and the
//! claims AWS reads from it.
//!
//! What is refused, and why it is safe to read what is accepted:
//! - a document type declaration (no entity tricks), more or fewer than one `Assertion`,
//!   an `Assertion` that is not a child of the `Response`, an encrypted assertion;
//! - a response without a valid signature by a metadata certificate over either the
//!   `Response` (the document element) or that one `Assertion`. Keys embedded in the
//!   response's `KeyInfo` are ignored (`trusted_keys_only`), references must point at the
//!   signature's ancestors or siblings (`strict_verification`) and duplicate IDs are
//!   refused by the library, so the element whose claims are read below is the element
//!   that was signed (no signature wrapping);
//! - element text is the concatenation of all text children, as canonicalization signs
//!   it, so a comment inside a `NameID` cannot truncate what is read;
//! - wrong `Issuer`, audience or `Recipient`, expired or not yet valid times.
//!
//! The rules and claim names: IAM User Guide, "Configure SAML assertions for the
//! authentication response" (`id_roles_providers_create_saml_assertions`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bergshamra_dsig::{DsigContext, VerifyResult};
use bergshamra_keys::KeysManager;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};
use uppsala::{Document, NodeId, NodeKind};

use crate::StsError;

const PROTOCOL: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
const ASSERTION: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
const NAMEID_PREFIX: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:";
const ATTRIBUTES: &str = "https://aws.amazon.com/SAML/Attributes/";

/// IdPs' clocks may be this far from ours on `NotBefore` / `NotOnOrAfter`.
const LEEWAY: Duration = Duration::seconds(60);
/// AWS: "Token must be redeemed within 5 minutes of issuance".
const REDEEM_WITHIN: Duration = Duration::minutes(5);
const MAX_TAGS: usize = 50;

/// The claims of a verified response.
#[derive(Debug, Clone, Default)]
pub struct SamlClaims {
    pub issuer: String,
    /// The `NameID` (`saml:sub`).
    pub subject: String,
    /// The `NameID`'s `Format`, without AWS's stripped prefix (`saml:sub_type`).
    pub subject_type: String,
    /// `SubjectConfirmationData`'s `Recipient` (`saml:aud`, the answer's `Audience`).
    pub recipient: String,
    /// `(role ARN, provider ARN)` pairs of the `Role` attribute.
    pub roles: Vec<(String, String)>,
    pub session_name: String,
    /// `AuthnStatement`'s `SessionNotOnOrAfter`: the session ends no later.
    pub session_not_on_or_after: Option<OffsetDateTime>,
    /// `PrincipalTag:{Key}` attributes.
    pub tags: Vec<(String, String)>,
    pub transitive_tag_keys: Vec<String>,
    pub source_identity: Option<String>,
    /// Every attribute by `Name`, with its values (for the `saml:*` condition keys).
    pub attributes: Vec<(String, Vec<String>)>,
}

fn invalid(message: impl Into<String>) -> StsError {
    StsError::new("InvalidIdentityToken", 400, message)
}

fn expired(message: impl Into<String>) -> StsError {
    StsError::new("ExpiredTokenException", 400, message)
}

fn signature_invalid() -> StsError {
    invalid("Response signature invalid")
}

/// AWS's SAML endpoints: `https://signin.aws.amazon.com/saml`, its `/static/saml`
/// spelling, the regional `https://{region}.signin.aws.amazon.com/saml`, and the
/// `/saml/acs/{IdP-ID}` form used with encrypted assertions.
pub fn is_aws_saml_endpoint(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let Some((host, path)) = rest.split_once('/') else {
        return false;
    };
    let host_ok = host == "signin.aws.amazon.com"
        || host.strip_suffix(".signin.aws.amazon.com").is_some_and(|region| {
            !region.is_empty()
                && region
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        });
    let path_ok = match path {
        "saml" | "static/saml" => true,
        p => p
            .strip_prefix("saml/acs/")
            .is_some_and(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')),
    };
    host_ok && path_ok
}

/// The audiences AWS accepts: its SAML endpoints and `urn:amazon:webservices`.
fn is_aws_audience(aud: &str) -> bool {
    aud == "urn:amazon:webservices" || is_aws_saml_endpoint(aud)
}

/// `[\w+=,.@-]{min,64}`: AWS's pattern for session names and source identities.
fn is_session_name(s: &str, min: usize) -> bool {
    (min..=64).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '=' | ',' | '.' | '@' | '-'))
}

struct Tree<'d, 'a> {
    doc: &'d Document<'a>,
}

impl<'d, 'a> Tree<'d, 'a> {
    fn is(&self, id: NodeId, ns: &str, name: &str) -> bool {
        self.doc.element(id).is_some_and(|e| e.matches_name_ns(ns, name))
    }

    fn children(&self, id: NodeId, ns: &str, name: &str) -> Vec<NodeId> {
        self.doc
            .children_iter(id)
            .filter(|c| self.is(*c, ns, name))
            .collect()
    }

    fn child(&self, id: NodeId, ns: &str, name: &str) -> Option<NodeId> {
        self.doc.children_iter(id).find(|c| self.is(*c, ns, name))
    }

    fn attr(&self, id: NodeId, name: &str) -> Option<&'d str> {
        self.doc
            .element(id)?
            .attributes
            .iter()
            .find(|a| a.name.namespace_uri.is_none() && *a.name.local_name == *name)
            .map(|a| &*a.value)
    }

    /// All text children concatenated (what exclusive canonicalization signs).
    fn text(&self, id: NodeId) -> String {
        let mut out = String::new();
        for c in self.doc.children_iter(id) {
            if let Some(NodeKind::Text(t) | NodeKind::CData(t)) = self.doc.node_kind(c) {
                out.push_str(t);
            }
        }
        out.trim().to_owned()
    }

    /// Every element below `id` (in document order) named `{ns}name`.
    fn descendants(&self, id: NodeId, ns: &str, name: &str) -> Vec<NodeId> {
        self.doc
            .descendants(id)
            .into_iter()
            .filter(|d| self.is(*d, ns, name))
            .collect()
    }
}

fn time_attr(tree: &Tree, id: NodeId, name: &str) -> Result<Option<OffsetDateTime>, StsError> {
    tree.attr(id, name)
        .map(|v| {
            OffsetDateTime::parse(v.trim(), &Rfc3339)
                .map_err(|_| invalid(format!("{name} is not a valid xs:dateTime: {v}")))
        })
        .transpose()
}

/// Checks `NotBefore` / `NotOnOrAfter` of an element against `now`.
fn check_window(tree: &Tree, id: NodeId, now: OffsetDateTime) -> Result<(), StsError> {
    if let Some(nb) = time_attr(tree, id, "NotBefore")?
        && now + LEEWAY < nb
    {
        return Err(invalid("The SAML response is not yet valid (NotBefore)."));
    }
    if let Some(noa) = time_attr(tree, id, "NotOnOrAfter")?
        && now >= noa + LEEWAY
    {
        return Err(expired(format!(
            "The SAML response expired at {} (NotOnOrAfter); the current time is {}.",
            crate::ops::aws_date(noa),
            crate::ops::aws_date(now)
        )));
    }
    Ok(())
}

/// Decodes and parses the base64 `SAMLAssertion` (a `samlp:Response`).
fn decode(encoded: &str) -> Result<String, StsError> {
    let compact: String = encoded.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let bytes = STANDARD
        .decode(compact.as_bytes())
        .map_err(|_| invalid("The SAML assertion is not valid base64."))?;
    let xml = String::from_utf8(bytes).map_err(|_| invalid("The SAML response is not UTF-8 XML."))?;
    // A SAML response has no reason to carry a DTD; refusing it rules out entity tricks.
    if xml.contains("<!DOCTYPE") || xml.contains("<!ENTITY") {
        return Err(invalid(
            "The SAML response must not contain a document type declaration.",
        ));
    }
    Ok(xml)
}

/// Verifies `encoded` against the provider's metadata (`entity_id` and the base64 DER
/// `certificates`) at `now`, and returns its claims.
pub fn verify(
    encoded: &str,
    entity_id: &str,
    certificates: &[String],
    now: OffsetDateTime,
) -> Result<SamlClaims, StsError> {
    let xml = decode(encoded)?;
    let doc = uppsala::parse(&xml).map_err(|_| invalid("The SAML response is not well-formed XML."))?;
    let tree = Tree { doc: &doc };
    let root = doc
        .document_element()
        .filter(|r| tree.is(*r, PROTOCOL, "Response"))
        .ok_or_else(|| invalid("The SAML response is not a SAML 2.0 Response."))?;
    if !tree.descendants(root, ASSERTION, "EncryptedAssertion").is_empty() {
        return Err(invalid("Encrypted SAML assertions are not supported by Warden."));
    }
    let assertions = tree.descendants(root, ASSERTION, "Assertion");
    let [assertion] = assertions.as_slice() else {
        return Err(invalid("The SAML response must contain exactly one Assertion."));
    };
    let assertion = *assertion;
    if doc.parent(assertion) != Some(root) {
        return Err(invalid("The SAML Assertion must be a child of the Response."));
    }
    verify_signature(&doc, &xml, root, assertion, certificates)?;

    // The assertion is signed (by itself or with the Response) from here on; the
    // Response's own Status may not be, but it can only turn success into failure.
    let status = tree
        .child(root, PROTOCOL, "Status")
        .and_then(|s| tree.child(s, PROTOCOL, "StatusCode"))
        .and_then(|c| tree.attr(c, "Value"))
        .ok_or_else(|| invalid("The SAML response has no StatusCode."))?;
    if status != SUCCESS {
        return Err(StsError::new(
            "IDPRejectedClaim",
            403,
            format!("The identity provider reported that authentication failed: {status}"),
        ));
    }
    let issuer = tree
        .child(assertion, ASSERTION, "Issuer")
        .map(|i| tree.text(i))
        .ok_or_else(|| invalid("The SAML assertion has no Issuer."))?;
    if issuer != entity_id {
        return Err(invalid(format!(
            "Issuer {issuer} does not match the SAML provider's metadata ({entity_id})."
        )));
    }
    // IssueInstant is required (SAML core 2.3.3): without it the five-minute redemption
    // window would not apply and the assertion would be good until NotOnOrAfter.
    let issued = time_attr(&tree, assertion, "IssueInstant")?
        .ok_or_else(|| invalid("The SAML assertion has no IssueInstant."))?;
    if now > issued + REDEEM_WITHIN + LEEWAY {
        return Err(expired("Token must be redeemed within 5 minutes of issuance"));
    }
    let mut claims = SamlClaims {
        issuer,
        ..SamlClaims::default()
    };
    read_subject(&tree, assertion, now, &mut claims)?;
    read_conditions(&tree, assertion, now)?;
    if let Some(authn) = tree.child(assertion, ASSERTION, "AuthnStatement") {
        claims.session_not_on_or_after = time_attr(&tree, authn, "SessionNotOnOrAfter")?;
        if claims.session_not_on_or_after.is_some_and(|t| t <= now) {
            return Err(expired("The SAML session has ended (SessionNotOnOrAfter)."));
        }
    }
    read_attributes(&tree, assertion, &mut claims)?;
    Ok(claims)
}

fn verify_signature(
    doc: &Document,
    xml: &str,
    root: NodeId,
    assertion: NodeId,
    certificates: &[String],
) -> Result<(), StsError> {
    let mut keys = KeysManager::new();
    for cert in certificates {
        // Metadata certificates were checked at CreateSAMLProvider; one the library
        // cannot use (an unsupported key type) simply verifies nothing.
        if let Ok(der) = STANDARD.decode(cert.as_bytes())
            && let Ok(key) = bergshamra_keys::loader::load_x509_cert_der(&der)
        {
            keys.add_key(key);
        }
    }
    // Secure defaults: only the metadata's keys, references in enveloped positions only.
    let ctx = DsigContext::new(keys);
    let results = match bergshamra_dsig::verify::verify_all_document_with_source(&ctx, doc, Some(xml)) {
        Ok(r) => r,
        Err(bergshamra_core::Error::MissingElement(_)) => {
            return Err(invalid("The SAML response is not signed."));
        }
        Err(_) => return Err(signature_invalid()),
    };
    let covers = |n: Option<NodeId>| n == Some(root) || n == Some(assertion) || n == Some(doc.root());
    let signed = results.iter().any(|r| match r {
        VerifyResult::Valid { references, .. } => references
            .iter()
            .any(|reference| reference.digest_verified && covers(reference.resolved_node)),
        VerifyResult::Invalid { .. } => false,
    });
    if signed { Ok(()) } else { Err(signature_invalid()) }
}

fn read_subject(
    tree: &Tree,
    assertion: NodeId,
    now: OffsetDateTime,
    claims: &mut SamlClaims,
) -> Result<(), StsError> {
    let subject = tree
        .child(assertion, ASSERTION, "Subject")
        .ok_or_else(|| invalid("The SAML assertion has no Subject."))?;
    let name_id = tree
        .child(subject, ASSERTION, "NameID")
        .ok_or_else(|| invalid("The SAML Subject has no NameID."))?;
    claims.subject = tree.text(name_id);
    if claims.subject.is_empty() {
        return Err(invalid("The SAML NameID is empty."));
    }
    let format = tree
        .attr(name_id, "Format")
        .unwrap_or("urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified");
    // AWS: the `urn:oasis:names:tc:SAML:2.0:nameid-format:` prefix is removed, any other
    // format is returned as is.
    claims.subject_type = format.strip_prefix(NAMEID_PREFIX).unwrap_or(format).to_owned();
    let confirmations = tree.children(subject, ASSERTION, "SubjectConfirmation");
    let [confirmation] = confirmations.as_slice() else {
        return Err(invalid(
            "The SAML Subject must have exactly one SubjectConfirmation.",
        ));
    };
    let data = tree
        .child(*confirmation, ASSERTION, "SubjectConfirmationData")
        .ok_or_else(|| invalid("The SubjectConfirmation has no SubjectConfirmationData."))?;
    let recipient = tree
        .attr(data, "Recipient")
        .ok_or_else(|| invalid("The SubjectConfirmationData has no Recipient."))?;
    if !is_aws_saml_endpoint(recipient) {
        return Err(invalid(format!(
            "The SAML Recipient {recipient} is not an AWS sign-in endpoint (https://signin.aws.amazon.com/saml)."
        )));
    }
    if tree.attr(data, "NotOnOrAfter").is_none() {
        return Err(invalid("The SubjectConfirmationData has no NotOnOrAfter."));
    }
    check_window(tree, data, now)?;
    recipient.clone_into(&mut claims.recipient);
    Ok(())
}

fn read_conditions(tree: &Tree, assertion: NodeId, now: OffsetDateTime) -> Result<(), StsError> {
    let conditions = tree
        .child(assertion, ASSERTION, "Conditions")
        .ok_or_else(|| invalid("The SAML assertion has no Conditions."))?;
    check_window(tree, conditions, now)?;
    let restrictions = tree.children(conditions, ASSERTION, "AudienceRestriction");
    if restrictions.is_empty() {
        return Err(invalid("The SAML assertion has no AudienceRestriction."));
    }
    // SAML core 2.5.1.4: every AudienceRestriction must be satisfied.
    for r in restrictions {
        let ok = tree
            .children(r, ASSERTION, "Audience")
            .into_iter()
            .any(|a| is_aws_audience(&tree.text(a)));
        if !ok {
            return Err(invalid(
                "The SAML assertion's audience is not AWS (https://signin.aws.amazon.com/saml or urn:amazon:webservices).",
            ));
        }
    }
    Ok(())
}

fn read_attributes(tree: &Tree, assertion: NodeId, claims: &mut SamlClaims) -> Result<(), StsError> {
    for statement in tree.children(assertion, ASSERTION, "AttributeStatement") {
        for attribute in tree.children(statement, ASSERTION, "Attribute") {
            let Some(name) = tree.attr(attribute, "Name") else {
                continue;
            };
            let values: Vec<String> = tree
                .children(attribute, ASSERTION, "AttributeValue")
                .into_iter()
                .map(|v| tree.text(v))
                .collect();
            match claims.attributes.iter_mut().find(|(n, _)| n == name) {
                Some((_, existing)) => existing.extend(values),
                None => claims.attributes.push((name.to_owned(), values)),
            }
        }
    }
    let attribute = |suffix: &str| -> Option<&Vec<String>> {
        claims
            .attributes
            .iter()
            .find(|(n, _)| n.strip_prefix(ATTRIBUTES) == Some(suffix))
            .map(|(_, v)| v)
    };
    let roles = attribute("Role").ok_or_else(|| invalid("The SAML assertion has no Role attribute."))?;
    let mut pairs = Vec::new();
    for value in roles {
        let parts: Vec<&str> = value.split(',').map(str::trim).collect();
        let [a, b] = parts.as_slice() else {
            return Err(invalid(format!(
                "Role attribute value {value} is not a role ARN and a provider ARN separated by a comma."
            )));
        };
        // Either order, as AWS accepts.
        let pair = if a.contains(":saml-provider/") {
            (b, a)
        } else {
            (a, b)
        };
        if !pair.0.contains(":role/") || !pair.1.contains(":saml-provider/") {
            return Err(invalid(format!(
                "Role attribute value {value} is not a role ARN and a provider ARN separated by a comma."
            )));
        }
        pairs.push(((*pair.0).to_owned(), (*pair.1).to_owned()));
    }
    let session_name = match attribute("RoleSessionName").map(Vec::as_slice) {
        Some([one]) => one.clone(),
        Some(_) => {
            return Err(invalid(
                "RoleSessionName in AuthnResponse must have exactly one value",
            ));
        }
        None => return Err(invalid("RoleSessionName is required in AuthnResponse")),
    };
    if !is_session_name(&session_name, 2) {
        return Err(invalid(
            "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}",
        ));
    }
    let source_identity = match attribute("SourceIdentity").map(Vec::as_slice) {
        None => None,
        Some([one]) if is_session_name(one, 2) && !one.to_ascii_lowercase().starts_with("aws:") => {
            Some(one.clone())
        }
        Some(_) => {
            return Err(invalid(
                "SourceIdentity in AuthnResponse must be one value matching [a-zA-Z_0-9+=,.@-]{2,64}",
            ));
        }
    };
    let mut tags: Vec<(String, String)> = Vec::new();
    for (name, values) in &claims.attributes {
        let Some(key) = name
            .strip_prefix(ATTRIBUTES)
            .and_then(|n| n.strip_prefix("PrincipalTag:"))
        else {
            continue;
        };
        let [value] = values.as_slice() else {
            return Err(invalid(format!(
                "PrincipalTag:{key} must have exactly one value."
            )));
        };
        if key.is_empty() || key.len() > 128 || value.len() > 256 {
            return Err(invalid(format!(
                "PrincipalTag:{key} has an invalid key or value length."
            )));
        }
        if tags.iter().any(|(k, _)| k.eq_ignore_ascii_case(key)) {
            return Err(invalid(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
            ));
        }
        tags.push((key.to_owned(), value.clone()));
    }
    if tags.len() > MAX_TAGS {
        return Err(invalid(format!(
            "Cannot exceed quota for TagsPerSession: {MAX_TAGS}"
        )));
    }
    let transitive = attribute("TransitiveTagKeys").cloned().unwrap_or_default();
    if let Some(missing) = transitive
        .iter()
        .find(|k| !tags.iter().any(|(t, _)| t.eq_ignore_ascii_case(k)))
    {
        return Err(invalid(format!(
            "The transitive tag key {missing} must also be a session tag key."
        )));
    }
    claims.roles = pairs;
    claims.session_name = session_name;
    claims.source_identity = source_identity;
    claims.tags = tags;
    claims.transitive_tag_keys = transitive;
    Ok(())
}

/// The `saml:*` condition keys that come from attributes: AWS's table "Mapping SAML
/// attributes to AWS trust policy context keys" (eduPerson, eduOrg and `cn` by OID).
pub const ATTRIBUTE_KEYS: &[(&str, &str)] = &[
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.1", "saml:edupersonaffiliation"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.2", "saml:edupersonnickname"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.3", "saml:edupersonorgdn"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.4", "saml:edupersonorgunitdn"),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.5",
        "saml:edupersonprimaryaffiliation",
    ),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.6", "saml:edupersonprincipalname"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.7", "saml:edupersonentitlement"),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.8",
        "saml:edupersonprimaryorgunitdn",
    ),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.1.1.9",
        "saml:edupersonscopedaffiliation",
    ),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.10", "saml:edupersontargetedid"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.11", "saml:edupersonassurance"),
    ("urn:oid:1.3.6.1.4.1.5923.1.2.1.2", "saml:eduorghomepageuri"),
    (
        "urn:oid:1.3.6.1.4.1.5923.1.2.1.3",
        "saml:eduorgidentityauthnpolicyuri",
    ),
    ("urn:oid:1.3.6.1.4.1.5923.1.2.1.4", "saml:eduorglegalname"),
    ("urn:oid:1.3.6.1.4.1.5923.1.2.1.5", "saml:eduorgsuperioruri"),
    ("urn:oid:1.3.6.1.4.1.5923.1.2.1.6", "saml:eduorgwhitepagesuri"),
    ("urn:oid:2.5.4.3", "saml:cn"),
];

/// `saml:namequalifier`: `BASE64(SHA1(issuer + account + "/" + provider name))`
/// (AssumeRoleWithSAML's `NameQualifier`).
pub fn name_qualifier(issuer: &str, account: &str, provider_name: &str) -> String {
    use sha1::Digest;
    let mut h = sha1::Sha1::new();
    h.update(issuer.as_bytes());
    h.update(account.as_bytes());
    h.update(b"/");
    h.update(provider_name.as_bytes());
    STANDARD.encode(h.finalize())
}

#[cfg(test)]
#[path = "saml_tests.rs"]
mod tests;
