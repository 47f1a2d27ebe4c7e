//! The two date formats SigV4 accepts: ISO 8601 basic (`X-Amz-Date: 20150830T123600Z`) and
//! RFC 1123 (`Date: Sun, 30 Aug 2015 12:36:00 GMT`).

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

const RFC1123: &[BorrowedFormatItem<'static>] =
    format_description!("[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT");

/// Parses `20150830T123600Z` (exactly 16 characters, UTC). Hand-written: it runs on every request.
pub(crate) fn parse_amz_date(value: &str) -> Option<OffsetDateTime> {
    let b = value.as_bytes();
    if b.len() != 16 || b.get(8) != Some(&b'T') || b.get(15) != Some(&b'Z') {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        b.get(from..to)?.iter().try_fold(0u32, |acc, d| {
            d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
        })
    };
    let year = i32::try_from(num(0, 4)?).ok()?;
    let month = Month::try_from(u8::try_from(num(4, 6)?).ok()?).ok()?;
    let day = u8::try_from(num(6, 8)?).ok()?;
    let hour = u8::try_from(num(9, 11)?).ok()?;
    let minute = u8::try_from(num(11, 13)?).ok()?;
    let second = u8::try_from(num(13, 15)?).ok()?;
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let time = Time::from_hms(hour, minute, second).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

/// Parses an RFC 1123 `Date` header (`Sun, 30 Aug 2015 12:36:00 GMT`).
pub(crate) fn parse_http_date(value: &str) -> Option<OffsetDateTime> {
    PrimitiveDateTime::parse(value.trim(), RFC1123)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

/// Formats a time as `20150830T123600Z` in UTC.
pub(crate) fn format_amz_date(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{}T{:02}{:02}{:02}Z",
        format_date_stamp(t.date()),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Formats a date as `20150830`.
pub(crate) fn format_date_stamp(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
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
        assert!(parse_amz_date("20150230T123600Z").is_none());
        assert!(parse_amz_date("20150830T246000Z").is_none());
        assert!(parse_amz_date("2015083+T123600Z").is_none());
        assert!(parse_amz_date("\u{e9}015083T123600Z").is_none());
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
