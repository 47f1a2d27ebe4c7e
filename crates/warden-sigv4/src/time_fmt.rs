//! The two date formats SigV4 accepts: ISO 8601 basic (`X-Amz-Date: 20150830T123600Z`) and
//! RFC 1123 (`Date: Sun, 30 Aug 2015 12:36:00 GMT`).

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, UtcOffset};

const AMZ_DATE: &[BorrowedFormatItem<'static>] =
    format_description!("[year][month][day]T[hour][minute][second]Z");
const DATE_STAMP: &[BorrowedFormatItem<'static>] = format_description!("[year][month][day]");
const RFC1123: &[BorrowedFormatItem<'static>] =
    format_description!("[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT");

/// Parses `20150830T123600Z` (exactly 16 characters, UTC).
pub(crate) fn parse_amz_date(value: &str) -> Option<OffsetDateTime> {
    if value.len() != 16 {
        return None;
    }
    PrimitiveDateTime::parse(value, AMZ_DATE)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

/// Parses an RFC 1123 `Date` header (`Sun, 30 Aug 2015 12:36:00 GMT`).
pub(crate) fn parse_http_date(value: &str) -> Option<OffsetDateTime> {
    PrimitiveDateTime::parse(value.trim(), RFC1123)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

/// Formats a time as `20150830T123600Z` in UTC.
pub(crate) fn format_amz_date(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC).format(AMZ_DATE).unwrap_or_default()
}

/// Formats a date as `20150830`.
pub(crate) fn format_date_stamp(d: Date) -> String {
    d.format(DATE_STAMP).unwrap_or_default()
}

/// AWS writes the skew as "15 min" (or in seconds when not whole minutes).
pub(crate) fn format_skew(skew: Duration) -> String {
    let secs = skew.whole_seconds();
    if secs % 60 == 0 {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} sec")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn amz_date_round_trips() {
        let t = parse_amz_date("20150830T123600Z").unwrap();
        assert_eq!(format_amz_date(t), "20150830T123600Z");
        assert!(parse_amz_date("20150830T123600").is_none());
        assert!(parse_amz_date("2015-08-30T12:36:00Z").is_none());
        assert!(parse_amz_date("20150830T123600Z ").is_none());
    }

    #[test]
    fn http_date_parses() {
        let t = parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT").unwrap();
        assert_eq!(format_amz_date(t), "20150830T123600Z");
        assert!(parse_http_date("Sun, 30 Aug 2015 12:36:00 CET").is_none());
    }

    #[test]
    fn skew_is_written_like_aws() {
        assert_eq!(format_skew(Duration::minutes(15)), "15 min");
        assert_eq!(format_skew(Duration::seconds(90)), "90 sec");
    }
}
