//! Step one: read the signature's parts from a request (Authorization header or presigned query),
//! in AWS's order of checks, without any key or clock.

use std::borrow::Cow;
use std::fmt;

use time::{Date, Duration, OffsetDateTime};

use crate::error::SigV4Error;
use crate::request::{HttpRequest, query_pairs};
use crate::time_fmt::{format_amz_date, format_date_stamp, parse_amz_date, parse_http_date};

/// The only algorithm SigV4 (as opposed to SigV4a) uses.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The longest a presigned URL may live: seven days, in seconds.
pub const MAX_EXPIRES_SECONDS: i64 = 604_800;

const TERMINATOR: &str = "aws4_request";

/// Where the signature travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureForm {
    /// `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`.
    Header,
    /// `?X-Amz-Algorithm=...&X-Amz-Credential=...&X-Amz-Signature=...` (a presigned URL).
    Presigned,
}

/// The credential scope `date/region/service/aws4_request` of a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialScope {
    date: Date,
    region: String,
    service: String,
}

impl CredentialScope {
    /// Builds a scope (e.g. to derive a signing key ahead of a request).
    #[must_use]
    pub fn new(date: Date, region: impl Into<String>, service: impl Into<String>) -> Self {
        Self {
            date,
            region: region.into(),
            service: service.into(),
        }
    }

    /// The scope's day (it equals the request's day in UTC).
    #[must_use]
    pub fn date(&self) -> Date {
        self.date
    }

    /// The region the client signed for (any name; the server decides which it accepts).
    #[must_use]
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The signing name of the service (`iam`, `sts`, `cognito-idp`...), which routes the request.
    #[must_use]
    pub fn service(&self) -> &str {
        &self.service
    }
}

impl fmt::Display for CredentialScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}/{TERMINATOR}",
            format_date_stamp(self.date),
            self.region,
            self.service
        )
    }
}

/// A request's signature, read but not yet verified. Look the access key up, then [`crate::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    pub(crate) form: SignatureForm,
    pub(crate) access_key_id: String,
    pub(crate) scope: CredentialScope,
    /// As the client wrote them (SigV4 requires them lower-case and sorted): the canonical
    /// request repeats them byte for byte, so a changed letter changes the signature.
    pub(crate) signed_headers: Vec<String>,
    pub(crate) signature: String,
    pub(crate) request_time: OffsetDateTime,
    pub(crate) expires: Option<Duration>,
    pub(crate) session_token: Option<String>,
}

impl SignedRequest {
    /// The access key ID the client signed with (`AKIA...` or `ASIA...`).
    #[must_use]
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The credential scope (date, region, service).
    #[must_use]
    pub fn scope(&self) -> &CredentialScope {
        &self.scope
    }

    /// The `X-Amz-Security-Token` (header, or query parameter for a presigned URL), signed or not.
    ///
    /// INVARIANT (for the caller): the token need not be covered by the signature (a header not
    /// in `SignedHeaders`, or a query parameter appended after presigning), so the server must
    /// check that the token belongs to [`Self::access_key_id`] before trusting it.
    #[must_use]
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }

    /// The request's time, from `X-Amz-Date` (or the `Date` header).
    #[must_use]
    pub fn request_time(&self) -> OffsetDateTime {
        self.request_time
    }

    /// Header or presigned query.
    #[must_use]
    pub fn form(&self) -> SignatureForm {
        self.form
    }

    /// A presigned URL's `X-Amz-Expires`, if it has one.
    #[must_use]
    pub fn expires(&self) -> Option<Duration> {
        self.expires
    }

    /// The signed header names, as the client listed them.
    #[must_use]
    pub fn signed_headers(&self) -> &[String] {
        &self.signed_headers
    }

    /// The hex signature the client sent.
    #[must_use]
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// Whether this header is among the signed ones (case-insensitive).
    #[must_use]
    pub fn is_signed(&self, header: &str) -> bool {
        self.signed_headers.iter().any(|h| h.eq_ignore_ascii_case(header))
    }

    /// Checks the request's time against `now` (see [`crate::verify`]). The server may call it
    /// before looking the key up, to report a stale request first, as AWS does.
    ///
    /// # Errors
    /// [`SigV4Error::SignatureExpired`], [`SigV4Error::SignatureNotYetCurrent`] or, for a
    /// presigned URL past its `X-Amz-Expires`, [`SigV4Error::RequestExpired`].
    pub fn check_time(&self, now: OffsetDateTime, skew: Duration) -> Result<(), SigV4Error> {
        let request_time = self.request_time;
        if now.checked_add(skew).is_some_and(|late| request_time > late) {
            return Err(SigV4Error::SignatureNotYetCurrent {
                request_time,
                now,
                skew,
            });
        }
        match self.expires {
            // A presigned URL lives X-Amz-Expires seconds from its X-Amz-Date.
            Some(expires) => {
                if request_time.checked_add(expires).is_none_or(|end| now > end) {
                    return Err(SigV4Error::RequestExpired {
                        request_time,
                        expires,
                        now,
                    });
                }
            }
            None => {
                if now.checked_sub(skew).is_some_and(|early| request_time < early) {
                    return Err(SigV4Error::SignatureExpired {
                        request_time,
                        now,
                        skew,
                    });
                }
            }
        }
        Ok(())
    }
}

/// Reads the signature of a request.
///
/// Returns `Ok(None)` when the request carries no SigV4 signature: no `Authorization` header
/// starting with `AWS4-` (a `Bearer` token is left to its own endpoint) and none of
/// `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Signature` in the query. The caller answers
/// [`SigV4Error::MissingAuthenticationToken`] where the operation needs a signature.
///
/// Checks run in AWS's order: both forms present; missing parts (all reported in one message);
/// date format; `X-Amz-Expires`; `host` signed; algorithm; credential shape; credential scope
/// terminator and date. The clock ([`SignedRequest::check_time`]), the key lookup and the HMAC
/// come after.
///
/// # Errors
/// [`SigV4Error::IncompleteSignature`], [`SigV4Error::SignatureDoesNotMatch`] (refusals before the
/// HMAC) or [`SigV4Error::AuthorizationQueryParametersError`], with AWS's messages.
pub fn parse(req: &HttpRequest<'_>) -> Result<Option<SignedRequest>, SigV4Error> {
    let authorization = req
        .header("authorization")
        .filter(|value| value.trim_start().starts_with("AWS4-"));
    let presigned = query_pairs(req.query).any(|(key, _)| {
        matches!(
            key.as_ref(),
            b"X-Amz-Algorithm" | b"X-Amz-Credential" | b"X-Amz-Signature"
        )
    });
    match (authorization, presigned) {
        (Some(_), true) => Err(SigV4Error::refused(
            "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
        )),
        (Some(value), false) => parse_header(req, value).map(Some),
        (None, true) => parse_presigned(req).map(Some),
        (None, false) => Ok(None),
    }
}

fn parse_header(req: &HttpRequest<'_>, authorization: &str) -> Result<SignedRequest, SigV4Error> {
    let trimmed = authorization.trim();
    let (algorithm, rest) = trimmed
        .split_once(|c: char| c.is_ascii_whitespace())
        .unwrap_or((trimmed, ""));
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    // AWS separates the parameters with ", " but accepts commas or spaces alone.
    for part in rest
        .split(|c: char| c == ',' || c.is_ascii_whitespace())
        .filter(|p| !p.is_empty())
    {
        let Some((key, value)) = part.split_once('=') else {
            return Err(SigV4Error::incomplete(format!(
                "'{part}' not a valid key=value pair (missing equal-sign) in Authorization header: '{authorization}'."
            )));
        };
        let slot = match key {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(value);
        }
    }
    let amz_date = req.header("x-amz-date");
    let http_date = req.header("date");

    let mut missing = String::new();
    for (name, value) in [
        ("Credential", credential),
        ("Signature", signature),
        ("SignedHeaders", signed_headers),
    ] {
        if value.is_none_or(str::is_empty) {
            missing.push_str(&format!("Authorization header requires '{name}' parameter. "));
        }
    }
    if amz_date.is_none() && http_date.is_none() {
        missing.push_str(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
        );
    }
    let date = match (amz_date, http_date) {
        (Some(value), _) => Some((value, true)),
        (None, Some(value)) => Some((value, false)),
        (None, None) => None,
    };
    let incomplete = || SigV4Error::incomplete(format!("{missing}Authorization={authorization}"));
    if !missing.is_empty() {
        return Err(incomplete());
    }
    let (Some(credential), Some(signed_headers), Some(signature), Some((date, is_amz_date))) =
        (credential, signed_headers, signature, date)
    else {
        return Err(incomplete());
    };
    let request_time = if is_amz_date {
        parse_amz_date(date.trim())
    } else {
        parse_http_date(date)
    }
    .ok_or_else(|| bad_date(date))?;
    finish(Parts {
        form: SignatureForm::Header,
        algorithm,
        credential,
        signed_headers,
        signature,
        request_time,
        expires: None,
        session_token: req.header("x-amz-security-token").map(str::to_owned),
    })
}

fn parse_presigned(req: &HttpRequest<'_>) -> Result<SignedRequest, SigV4Error> {
    let mut params: [Option<Cow<'_, str>>; 7] = Default::default();
    const NAMES: [&str; 7] = [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Signature",
        "X-Amz-SignedHeaders",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-Security-Token",
    ];
    for (key, value) in query_pairs(req.query) {
        if let Some(slot) = NAMES
            .iter()
            .position(|name| name.as_bytes() == key.as_ref())
            .and_then(|i| params.get_mut(i))
        {
            // The first occurrence counts; every occurrence is in the canonical query anyway.
            if slot.is_none() {
                *slot = Some(match value {
                    Cow::Borrowed(b) => String::from_utf8_lossy(b),
                    Cow::Owned(b) => Cow::Owned(String::from_utf8_lossy(&b).into_owned()),
                });
            }
        }
    }
    let [
        algorithm,
        credential,
        signature,
        signed_headers,
        date,
        expires,
        token,
    ] = params;

    let mut missing = String::new();
    for (name, value) in NAMES
        .iter()
        .zip([&algorithm, &credential, &signature, &signed_headers, &date])
    {
        if value.as_deref().is_none_or(str::is_empty) {
            missing.push_str(&format!("AWS query-string parameters must include '{name}'. "));
        }
    }
    let (Some(algorithm), Some(credential), Some(signature), Some(signed_headers), Some(date)) =
        (algorithm, credential, signature, signed_headers, date)
    else {
        return Err(SigV4Error::incomplete(format!(
            "{missing}Re-examine the query-string parameters."
        )));
    };
    if !missing.is_empty() {
        return Err(SigV4Error::incomplete(format!(
            "{missing}Re-examine the query-string parameters."
        )));
    }
    let request_time = parse_amz_date(&date).ok_or_else(|| bad_date(&date))?;
    let expires = expires.as_deref().map(parse_expires).transpose()?;
    finish(Parts {
        form: SignatureForm::Presigned,
        algorithm: &algorithm,
        credential: &credential,
        signed_headers: &signed_headers,
        signature: &signature,
        request_time,
        expires,
        session_token: token.map(Cow::into_owned),
    })
}

fn bad_date(value: &str) -> SigV4Error {
    SigV4Error::incomplete(format!(
        "Date must be in ISO-8601 'basic format'. Got '{value}'. See http://en.wikipedia.org/wiki/ISO_8601"
    ))
}

fn parse_expires(value: &str) -> Result<Duration, SigV4Error> {
    let query_error = |message: &str| SigV4Error::AuthorizationQueryParametersError {
        message: message.to_owned(),
    };
    if value
        .strip_prefix('-')
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(query_error("X-Amz-Expires must be non-negative"));
    }
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(query_error("X-Amz-Expires should be a number"));
    }
    match value.parse::<i64>() {
        Ok(seconds) if seconds <= MAX_EXPIRES_SECONDS => Ok(Duration::seconds(seconds)),
        _ => Err(query_error(
            "X-Amz-Expires must be less than a week (in seconds) that is 604800",
        )),
    }
}

struct Parts<'a> {
    form: SignatureForm,
    algorithm: &'a str,
    credential: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
    request_time: OffsetDateTime,
    expires: Option<Duration>,
    session_token: Option<String>,
}

/// The checks both forms share, in AWS's order.
fn finish(parts: Parts<'_>) -> Result<SignedRequest, SigV4Error> {
    let signed_headers: Vec<String> = parts.signed_headers.split(';').map(str::to_owned).collect();
    if !signed_headers
        .iter()
        .any(|h| h.eq_ignore_ascii_case("host") || h == ":authority")
    {
        return Err(SigV4Error::refused(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        ));
    }
    if parts.algorithm != ALGORITHM {
        return Err(SigV4Error::incomplete(format!(
            "Unsupported AWS 'algorithm': '{}' (only AWS4-HMAC-SHA256 for now). ",
            parts.algorithm
        )));
    }
    // AWS ignores trailing slashes in the credential.
    let credential = parts.credential.trim_end_matches('/');
    let elements: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, terminator] = elements.as_slice() else {
        return Err(SigV4Error::incomplete(format!(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'"
        )));
    };
    let mut scope_errors = Vec::new();
    if *terminator != TERMINATOR {
        scope_errors.push(format!(
            "Credential should be scoped with a valid terminator: '{TERMINATOR}', not '{terminator}'."
        ));
    }
    let request_day = parts.request_time.date();
    let expected_date = format_date_stamp(request_day);
    if *date != expected_date {
        scope_errors.push(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{date}' != '{expected_date}', from '{}'.",
            format_amz_date(parts.request_time)
        ));
    }
    if !scope_errors.is_empty() {
        return Err(SigV4Error::refused(scope_errors.join(" ")));
    }
    Ok(SignedRequest {
        form: parts.form,
        access_key_id: (*access_key_id).to_owned(),
        scope: CredentialScope::new(request_day, *region, *service),
        signed_headers,
        signature: parts.signature.to_owned(),
        request_time: parts.request_time,
        expires: parts.expires,
        session_token: parts.session_token,
    })
}
