//! awsQuery response and error encoding: intermediate value -> XML, laid out as IAM and STS lay theirs out
//! (two-space indentation, one element per line, a final newline).

use serde_json::Value;

use crate::model::{Member, ServiceModel, Shape, ShapeKind, XmlNamespace};
use crate::timestamp::Format;
use crate::{WireError, scalar};

/// Escapes text for XML content and attribute values. Characters XML 1.0 cannot carry at all (C0 controls
/// other than tab, newline and carriage return) become U+FFFD; `\r` is written as `&#13;` so that it
/// survives the parser's line-end normalisation.
#[must_use]
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            c if u32::from(c) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

struct Xml {
    out: String,
    depth: usize,
}

fn ns_attr(ns: Option<&XmlNamespace>) -> String {
    match ns {
        None => String::new(),
        Some(XmlNamespace { prefix: Some(p), uri }) => format!(" xmlns:{p}=\"{}\"", xml_escape(uri)),
        Some(XmlNamespace { prefix: None, uri }) => format!(" xmlns=\"{}\"", xml_escape(uri)),
    }
}

impl Xml {
    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }

    fn open(&mut self, name: &str, attrs: &str) {
        self.indent();
        self.out.push_str(&format!("<{name}{attrs}>\n"));
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        self.out.push_str(&format!("</{name}>\n"));
    }

    fn empty(&mut self, name: &str, attrs: &str) {
        self.indent();
        self.out.push_str(&format!("<{name}{attrs}/>\n"));
    }

    fn leaf(&mut self, name: &str, attrs: &str, text: &str) {
        if text.is_empty() {
            return self.empty(name, attrs);
        }
        self.indent();
        self.out
            .push_str(&format!("<{name}{attrs}>{}</{name}>\n", xml_escape(text)));
    }
}

/// The element name of a structure member in XML: its `locationName`, else its name, flattened lists
/// included (Smithy's awsQuery tests, `QueryXmlLists`; botocore instead reads a flattened list's member
/// `locationName` and lists that case as ignored).
fn element_name(m: &Member) -> &str {
    m.wire_name()
}

/// Encodes a successful awsQuery response:
/// `<{Op}Response xmlns="..."><{Op}Result>...</{Op}Result><ResponseMetadata><RequestId>..</RequestId>
/// </ResponseMetadata></{Op}Response>`; operations without an output shape have no `Result` element.
/// Members absent from (or null in) `output` are omitted; keys that are not members are ignored.
///
/// # Errors
/// [`WireError::InternalFailure`] if `op` is not an operation of `model` or a value does not fit its shape.
pub fn encode_query_response(
    model: &ServiceModel,
    op: &str,
    output: &Value,
    request_id: &str,
) -> Result<String, WireError> {
    let operation = model
        .operation(op)
        .ok_or_else(|| WireError::internal(format!("unknown operation {op}")))?;
    let root = format!("{}Response", operation.name);
    let ns = model.metadata.xml_namespace.as_ref().map(|uri| XmlNamespace {
        prefix: None,
        uri: uri.clone(),
    });
    let mut xml = Xml {
        out: String::new(),
        depth: 0,
    };
    xml.open(&root, &ns_attr(ns.as_ref()));
    if let Some(shape) = operation.output.as_deref().and_then(|s| model.shape(s)) {
        let wrapper = operation
            .result_wrapper
            .clone()
            .unwrap_or_else(|| format!("{}Result", operation.name));
        Encoder { model }.structure(&mut xml, shape, &wrapper, "", output, "")?;
    }
    xml.open("ResponseMetadata", "");
    xml.leaf("RequestId", "", request_id);
    xml.close("ResponseMetadata");
    xml.close(&root);
    Ok(xml.out)
}

/// Encodes an awsQuery error envelope, as IAM and STS send it:
///
/// ```text
/// <ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
///   <Error>
///     <Type>Sender</Type>
///     <Code>NoSuchEntity</Code>
///     <Message>The user with name bob cannot be found.</Message>
///   </Error>
///   <RequestId>..</RequestId>
/// </ErrorResponse>
/// ```
///
/// `Type` is `Sender` or `Receiver`; an empty `xmlns` writes no namespace.
#[must_use]
pub fn encode_query_error(
    code: &str,
    message: &str,
    sender_fault: bool,
    request_id: &str,
    xmlns: &str,
) -> String {
    let mut xml = Xml {
        out: String::new(),
        depth: 0,
    };
    let attrs = if xmlns.is_empty() {
        String::new()
    } else {
        format!(" xmlns=\"{}\"", xml_escape(xmlns))
    };
    xml.open("ErrorResponse", &attrs);
    xml.open("Error", "");
    xml.leaf("Type", "", if sender_fault { "Sender" } else { "Receiver" });
    xml.leaf("Code", "", code);
    xml.leaf("Message", "", message);
    xml.close("Error");
    xml.leaf("RequestId", "", request_id);
    xml.close("ErrorResponse");
    xml.out
}

struct Encoder<'a> {
    model: &'a ServiceModel,
}

fn path_of(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

impl Encoder<'_> {
    fn shape(&self, name: &str) -> Result<&Shape, WireError> {
        self.model
            .shape(name)
            .ok_or_else(|| WireError::internal(format!("missing shape {name}")))
    }

    fn structure(
        &self,
        xml: &mut Xml,
        shape: &Shape,
        name: &str,
        attrs: &str,
        v: &Value,
        path: &str,
    ) -> Result<(), WireError> {
        let ShapeKind::Structure { members, .. } = &shape.kind else {
            return Err(WireError::internal(format!("{} is not a structure", shape.name)));
        };
        let obj = v
            .as_object()
            .ok_or_else(|| WireError::internal(format!("{path}: expected a structure")))?;
        let present: Vec<(&Member, &Value)> = members
            .iter()
            .filter_map(|m| obj.get(&m.name).filter(|v| !v.is_null()).map(|v| (m, v)))
            .collect();
        if present.is_empty() {
            xml.empty(name, attrs);
            return Ok(());
        }
        xml.open(name, attrs);
        for (m, mv) in present {
            let target = self.shape(&m.shape)?;
            self.value(xml, target, m, element_name(m), mv, &path_of(path, &m.name))?;
        }
        xml.close(name);
        Ok(())
    }

    fn value(
        &self,
        xml: &mut Xml,
        shape: &Shape,
        m: &Member,
        name: &str,
        v: &Value,
        path: &str,
    ) -> Result<(), WireError> {
        let attrs = ns_attr(m.xml_namespace.as_ref());
        match &shape.kind {
            ShapeKind::Structure { .. } => self.structure(xml, shape, name, &attrs, v, path),
            ShapeKind::List { member } => {
                let items = v
                    .as_array()
                    .ok_or_else(|| WireError::internal(format!("{path}: expected a list")))?;
                let target = self.shape(&member.shape)?;
                if m.flattened || shape.flattened {
                    for (i, item) in items.iter().enumerate() {
                        self.value(xml, target, member, name, item, &format!("{path}[{i}]"))?;
                    }
                    return Ok(());
                }
                if items.is_empty() {
                    xml.empty(name, &attrs);
                    return Ok(());
                }
                xml.open(name, &attrs);
                let item_name = member.location_name.as_deref().unwrap_or("member");
                for (i, item) in items.iter().enumerate() {
                    self.value(xml, target, member, item_name, item, &format!("{path}[{i}]"))?;
                }
                xml.close(name);
                Ok(())
            }
            ShapeKind::Map { key, value } => {
                let obj = v
                    .as_object()
                    .ok_or_else(|| WireError::internal(format!("{path}: expected a map")))?;
                let vshape = self.shape(&value.shape)?;
                let kname = key.location_name.as_deref().unwrap_or("key");
                let vname = value.location_name.as_deref().unwrap_or("value");
                let kattrs = ns_attr(key.xml_namespace.as_ref());
                let flattened = m.flattened || shape.flattened;
                if !flattened {
                    if obj.is_empty() {
                        xml.empty(name, &attrs);
                        return Ok(());
                    }
                    xml.open(name, &attrs);
                }
                for (k, item) in obj {
                    let (entry, eattrs) = if flattened {
                        (name, attrs.as_str())
                    } else {
                        ("entry", "")
                    };
                    xml.open(entry, eattrs);
                    xml.leaf(kname, &kattrs, k);
                    if !item.is_null() {
                        self.value(xml, vshape, value, vname, item, &path_of(path, k))?;
                    }
                    xml.close(entry);
                }
                if !flattened {
                    xml.close(name);
                }
                Ok(())
            }
            _ => {
                let ts = Format::from_trait(
                    m.timestamp_format
                        .as_deref()
                        .or(shape.timestamp_format.as_deref()),
                    Format::Iso8601,
                );
                let text = scalar::to_text(shape, v, ts)
                    .map_err(|want| WireError::internal(format!("{path}: expected {want}, got {v}")))?;
                xml.leaf(name, &attrs, &text);
                Ok(())
            }
        }
    }
}
