//! SSH public keys, signing certificates, server certificates, service-specific
//! credentials, service-linked roles and the STS token preferences.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

use super::ops;

ops! { OPS {
}}

/// What IAM reads from an X.509 certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
}

/// One DER TLV: (tag, contents, rest).
fn tlv(data: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = data.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let (bytes, rest) = rest.split_at(n);
        (
            bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b)),
            rest,
        )
    };
    if rest.len() < len {
        return None;
    }
    let (content, rest) = rest.split_at(len);
    Some((tag, content, rest))
}

fn der_time(tag: u8, s: &[u8]) -> Option<OffsetDateTime> {
    let s = std::str::from_utf8(s).ok()?.strip_suffix('Z')?;
    let (year, rest) = match tag {
        0x17 => {
            // UTCTime: two-digit years 50-99 are 19xx (RFC 5280 section 4.1.2.5.1).
            let yy: i32 = s.get(..2)?.parse().ok()?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, s.get(2..)?)
        }
        0x18 => (s.get(..4)?.parse().ok()?, s.get(4..)?),
        _ => return None,
    };
    let num = |r: std::ops::Range<usize>| -> Option<u8> { rest.get(r)?.parse().ok() };
    let date = Date::from_calendar_date(year, Month::try_from(num(0..2)?).ok()?, num(2..4)?).ok()?;
    let time = Time::from_hms(num(4..6)?, num(6..8)?, num(8..10).unwrap_or(0)).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

/// Reads the validity of a DER X.509 certificate (RFC 5280 section 4.1).
pub fn parse_der_certificate(der: &[u8]) -> Option<CertInfo> {
    let (0x30, cert, rest) = tlv(der)? else {
        return None;
    };
    if !rest.is_empty() {
        return None;
    }
    let (0x30, tbs, after_tbs) = tlv(cert)? else {
        return None;
    };
    let (0x30, _, after_alg) = tlv(after_tbs)? else {
        return None;
    };
    let (0x03, _, _) = tlv(after_alg)? else {
        return None;
    };
    let (mut tag, _, mut rest) = tlv(tbs)?;
    if tag == 0xa0 {
        (tag, _, rest) = tlv(rest)?; // serial number after the explicit version
    }
    if tag != 0x02 {
        return None;
    }
    let (0x30, _, rest) = tlv(rest)? else { return None }; // signature algorithm
    let (0x30, _, rest) = tlv(rest)? else { return None }; // issuer
    let (0x30, validity, _) = tlv(rest)? else {
        return None;
    };
    let (t1, v1, rest) = tlv(validity)?;
    let (t2, v2, _) = tlv(rest)?;
    Some(CertInfo {
        not_before: der_time(t1, v1)?,
        not_after: der_time(t2, v2)?,
    })
}

/// Whether `b64` is the base64 of a DER X.509 certificate.
pub fn is_der_certificate_b64(b64: &str) -> bool {
    STANDARD
        .decode(b64)
        .ok()
        .and_then(|der| parse_der_certificate(&der))
        .is_some()
}

/// The DER of each `CERTIFICATE` block of a PEM text, in order; `None` when the text
/// holds anything else or no certificate.
pub fn pem_certificates(pem: &str) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    let mut lines = pem.lines().map(str::trim).filter(|l| !l.is_empty());
    while let Some(line) = lines.next() {
        if line != "-----BEGIN CERTIFICATE-----" {
            return None;
        }
        let mut body = String::new();
        loop {
            let l = lines.next()?;
            if l == "-----END CERTIFICATE-----" {
                break;
            }
            body.push_str(l);
        }
        let der = STANDARD.decode(body).ok()?;
        parse_der_certificate(&der)?;
        out.push(der);
    }
    (!out.is_empty()).then_some(out)
}
