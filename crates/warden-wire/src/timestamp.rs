//! Timestamps: parsed from any of AWS's three formats, kept as ISO 8601 UTC strings in the intermediate
//! value, written in each protocol's format.

use serde_json::Value;
use time::format_description::well_known::{Rfc2822, Rfc3339};
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// A timestamp format (`timestampFormat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// `2015-05-21T17:40:35Z` (awsQuery's default).
    Iso8601,
    /// Seconds since the epoch, a number (awsJson's default).
    EpochSeconds,
    /// `Tue, 29 Apr 2014 18:30:38 GMT` (restJson headers' default).
    HttpDate,
}

impl Format {
    pub(crate) fn from_trait(t: Option<&str>, default: Format) -> Format {
        match t {
            Some("iso8601") => Format::Iso8601,
            Some("unixTimestamp") => Format::EpochSeconds,
            Some("rfc822") => Format::HttpDate,
            _ => default,
        }
    }
}

fn in_range(dt: OffsetDateTime) -> Option<OffsetDateTime> {
    let dt = dt.to_offset(UtcOffset::UTC);
    (1..=9999).contains(&dt.year()).then_some(dt)
}

/// Seconds since the epoch (fractional allowed).
pub(crate) fn from_epoch(secs: f64) -> Option<OffsetDateTime> {
    if !secs.is_finite() || secs.abs() > 253_402_300_799.0 {
        return None;
    }
    #[expect(
        clippy::cast_possible_truncation,
        reason = "range checked above; nanoseconds fit in i128"
    )]
    let nanos = (secs * 1e9).round() as i128;
    OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(in_range)
}

/// Parses ISO 8601 / RFC 3339 (offset optional: UTC assumed), epoch seconds, or an HTTP date.
pub(crate) fn parse(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        && s.len() < 24
        && let Ok(secs) = s.parse::<f64>()
    {
        return from_epoch(secs);
    }
    if let Ok(dt) = OffsetDateTime::parse(s, &Rfc3339) {
        return in_range(dt);
    }
    // A lower-case `t`/`z` or no offset at all: accept as UTC, as AWS's ISO 8601 readers do.
    let upper = s.to_ascii_uppercase();
    if let Ok(dt) = OffsetDateTime::parse(&upper, &Rfc3339) {
        return in_range(dt);
    }
    if let Ok(dt) = PrimitiveDateTime::parse(&upper, &time::format_description::well_known::Iso8601::DEFAULT)
    {
        return in_range(dt.assume_utc());
    }
    let http = s
        .strip_suffix(" GMT")
        .or_else(|| s.strip_suffix(" UTC"))
        .map(|p| format!("{p} +0000"));
    if let Some(h) = http
        && let Ok(dt) = OffsetDateTime::parse(&h, &Rfc2822)
    {
        return in_range(dt);
    }
    None
}

/// Parses a timestamp given in the intermediate value: an ISO 8601 string (or any format [`parse`] reads)
/// or a number of seconds since the epoch.
pub(crate) fn from_value(v: &Value) -> Option<OffsetDateTime> {
    match v {
        Value::String(s) => parse(s),
        Value::Number(n) => from_epoch(n.as_f64()?),
        _ => None,
    }
}

fn ymd_hms(dt: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

/// The intermediate form: `2015-05-21T17:40:35Z`, with the fraction (trailing zeros trimmed) if any.
pub(crate) fn to_canonical(dt: OffsetDateTime) -> String {
    let nanos = dt.nanosecond();
    if nanos == 0 {
        format!("{}Z", ymd_hms(dt))
    } else {
        let frac = format!("{nanos:09}");
        format!("{}.{}Z", ymd_hms(dt), frac.trim_end_matches('0'))
    }
}

/// The awsQuery form: `2015-05-21T17:40:35Z` as IAM writes it, or with milliseconds when there are any
/// (`2011-07-15T23:28:33.359Z`, as STS writes credentials' expiry when it has them).
pub(crate) fn to_iso_millis(dt: OffsetDateTime) -> String {
    let millis = dt.millisecond();
    if millis == 0 {
        format!("{}Z", ymd_hms(dt))
    } else {
        format!("{}.{millis:03}Z", ymd_hms(dt))
    }
}

/// `Tue, 29 Apr 2014 18:30:38 GMT`.
pub(crate) fn to_http_date(dt: OffsetDateTime) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let day = DAYS
        .get(usize::from(dt.weekday().number_days_from_monday()))
        .copied()
        .unwrap_or("Mon");
    let month = MONTHS
        .get(usize::from(u8::from(dt.month())).saturating_sub(1))
        .copied()
        .unwrap_or("Jan");
    format!(
        "{day}, {:02} {month} {:04} {:02}:{:02}:{:02} GMT",
        dt.day(),
        dt.year(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

/// Seconds since the epoch with millisecond precision, as awsJson services write them
/// (`1.716210896857E9`; serde writes `1716210896.857`).
pub(crate) fn to_epoch_number(dt: OffsetDateTime) -> Value {
    let millis = dt.unix_timestamp_nanos() / 1_000_000;
    #[expect(
        clippy::cast_precision_loss,
        reason = "milliseconds since year 1..9999 fit in f64's mantissa"
    )]
    let secs = millis as f64 / 1000.0;
    serde_json::Number::from_f64(secs).map_or(Value::Null, Value::Number)
}

/// The timestamp written as a string in `format` (XML text, header, query string).
pub(crate) fn to_text(dt: OffsetDateTime, format: Format) -> String {
    match format {
        Format::Iso8601 => to_iso_millis(dt),
        Format::HttpDate => to_http_date(dt),
        Format::EpochSeconds => {
            let millis = dt.unix_timestamp_nanos() / 1_000_000;
            if millis % 1000 == 0 {
                (millis / 1000).to_string()
            } else {
                format!("{}.{:03}", millis.div_euclid(1000), millis.rem_euclid(1000))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_formats() {
        let want = "2014-04-29T18:30:38Z";
        for s in [
            "2014-04-29T18:30:38Z",
            "2014-04-29T20:30:38+02:00",
            "1398796238",
            "Tue, 29 Apr 2014 18:30:38 GMT",
        ] {
            assert_eq!(parse(s).map(to_canonical).as_deref(), Some(want), "{s}");
        }
        assert_eq!(
            parse("2000-01-02T20:34:56.123Z").map(to_canonical).as_deref(),
            Some("2000-01-02T20:34:56.123Z")
        );
        assert_eq!(
            parse("946845296.123").map(to_iso_millis).as_deref(),
            Some("2000-01-02T20:34:56.123Z")
        );
        assert!(parse("yesterday").is_none());
        assert!(parse("99999999999999999999").is_none());
    }

    #[test]
    fn writes_each_format() {
        let dt = parse("2014-04-29T18:30:38Z").unwrap();
        assert_eq!(to_text(dt, Format::HttpDate), "Tue, 29 Apr 2014 18:30:38 GMT");
        assert_eq!(to_text(dt, Format::EpochSeconds), "1398796238");
        assert_eq!(to_epoch_number(dt), serde_json::json!(1_398_796_238.0));
    }
}
