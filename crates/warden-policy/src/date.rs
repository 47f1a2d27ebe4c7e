//! Dates in Date* conditions: ISO 8601 text or epoch seconds.
//!
//! Two readers: `legacy_date_ok` is IAM's permissive validation check (it
//! accepts `01T` and rejects a one-digit time-zone hour, exactly as the moto
//! cases record), and `parse_instant` turns a value into an instant to compare.

/// Python's `int()` on text: surrounding whitespace, an optional sign, digits.
fn py_int(s: &str) -> Option<i128> {
    let s = s.trim();
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    if digits.is_empty() || digits.len() > 30 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // At most 30 digits: no overflow in i128 (what `parse` would give, without its generic path).
    let v = digits.bytes().fold(0_i128, |v, b| v * 10 + i128::from(b - b'0'));
    Some(if neg { -v } else { v })
}

fn in_range(s: &str, lo: i128, hi: i128) -> bool {
    py_int(s).is_some_and(|v| (lo..=hi).contains(&v))
}

/// The fields of the usual form `YYYY-MM-DDTHH:MM:SSZ` (upper-case `T` and `Z`),
/// read without the general readers below; `None` for anything else.
fn canonical(value: &str) -> Option<[i64; 6]> {
    let b: &[u8; 20] = value.as_bytes().try_into().ok()?;
    let seps = [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'Z'),
    ];
    if seps.iter().any(|&(i, c)| b.get(i) != Some(&c)) {
        return None;
    }
    let field = |at: usize, len: usize| -> Option<i64> {
        b.get(at..at + len)?.iter().try_fold(0_i64, |v, &d| {
            d.is_ascii_digit().then(|| v * 10 + i64::from(d - b'0'))
        })
    };
    Some([
        field(0, 4)?,
        field(5, 2)?,
        field(8, 2)?,
        field(11, 2)?,
        field(14, 2)?,
        field(17, 2)?,
    ])
}

/// IAM's validation of a Date* condition value ("The policy failed legacy parsing" when false).
pub(crate) fn legacy_date_ok(value: &str) -> bool {
    // The usual form: what `iso_ok` checks of it (any four-digit year is in range).
    if let Some([_, month, day, hour, minute, second]) = canonical(value) {
        return (1..=12).contains(&month)
            && (1..=31).contains(&day)
            && hour <= 23
            && minute <= 59
            && second <= 59;
    }
    legacy_date_ok_general(value)
}

fn legacy_date_ok_general(value: &str) -> bool {
    // IAM reads the value lower-cased. For ASCII text, `iso_ok` finds `T`/`Z` in
    // either case, which is the same without the copy; other text is lower-cased first.
    let lower: std::borrow::Cow<'_, str> = if value.is_ascii() {
        value.into()
    } else {
        value.to_lowercase().into()
    };
    if lower.contains(['t', 'T']) || value.contains('-') {
        iso_ok(&lower)
    } else {
        in_range(value, 0, i128::from(i64::MAX))
    }
}

/// `dt` is lower-case, or ASCII with `T` and `Z` in either case.
fn iso_ok(dt: &str) -> bool {
    let (date, time) = dt.split_once(['t', 'T']).unwrap_or((dt, ""));
    let (negative, date) = match date.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, date),
    };
    // No vectors: the first three pieces and whether there is a fourth.
    let mut pieces = date.split('-');
    let parts = [pieces.next(), pieces.next(), pieces.next()];
    let too_many = pieces.next().is_some();
    let [year, month, day] = parts;
    let year = year.unwrap_or("");
    let year_ok = if negative {
        py_int(year).is_some_and(|y| (-292_275_054..=292_278_993).contains(&-y))
            && !year.trim().starts_with(['-', '+'])
    } else {
        in_range(year, -292_275_054, 292_278_993)
    };
    if !year_ok || too_many {
        return false;
    }
    if month.is_some_and(|m| !in_range(m, 1, 12)) || day.is_some_and(|d| !in_range(d, 1, 31)) {
        return false;
    }
    let mut t = time.split(':');
    if t.next().is_some_and(|h| !h.is_empty() && !in_range(h, 0, 23)) {
        return false;
    }
    if t.next().is_some_and(|m| !in_range(m, 0, 59)) {
        return false;
    }
    let Some(rest) = t.next() else { return true };
    let seconds = if let Some((secs, after)) = rest.split_once(['z', 'Z']) {
        if !after.is_empty() {
            return false;
        }
        secs
    } else if let Some((secs, zone)) = rest.split_once('+').or_else(|| rest.split_once('-')) {
        // moto knows only `+hh`; a `-hh` offset is checked the same way (AWS accepts both).
        let (hours, minutes) = match zone.split_once(':') {
            Some((h, m)) => (h, Some(m)),
            None => (zone, None),
        };
        if hours.len() != 2 || !in_range(hours, 0, 23) {
            return false;
        }
        if minutes.is_some_and(|m| m.len() != 2 || !in_range(m, 0, 59)) {
            return false;
        }
        secs
    } else {
        rest
    };
    let (secs, fraction) = match seconds.split_once('.') {
        Some((s, f)) => (s, Some(f)),
        None => (seconds, None),
    };
    in_range(secs, 0, 59) && fraction.is_none_or(|f| in_range(f, 0, 999_999_999))
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (month and day
/// may overflow, like `Date::from_calendar_date` with carrying).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 18 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Nanoseconds since the Unix epoch for an ISO 8601 date-time (`2017-07-01`,
/// `2017-07-01T00:00:00Z`, `2016-12-13T21:20:37.593194+00:00`, no zone = UTC)
/// or for epoch seconds (`1499990400`). No allocation.
pub(crate) fn parse_instant(value: &str) -> Option<i128> {
    // The usual form: what the general reader gives for it, without splitting.
    if let Some([year, month, day, hour, minute, second]) = canonical(value) {
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 24 || minute > 59 || second > 60 {
            return None;
        }
        let secs = days_from_civil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second;
        return Some(i128::from(secs) * 1_000_000_000);
    }
    parse_instant_general(value)
}

fn parse_instant_general(value: &str) -> Option<i128> {
    let v = value.trim();
    if let Some(secs) = v.strip_prefix('-').map_or_else(|| num(v), |d| num(d).map(|n| -n)) {
        return Some(i128::from(secs) * 1_000_000_000);
    }
    let (date, time) = match v.find(['T', 't']) {
        Some(i) => (v.get(..i)?, v.get(i + 1..)?),
        None => (v, ""),
    };
    let mut dp = date.splitn(3, '-');
    let year = num(dp.next()?)?;
    let month = dp.next().map_or(Some(1), num)?;
    let day = dp.next().map_or(Some(1), num)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let (clock, offset_secs) = split_zone(time)?;
    let mut tp = clock.splitn(3, ':');
    let hour = tp.next().filter(|h| !h.is_empty()).map_or(Some(0), num)?;
    let minute = tp.next().map_or(Some(0), num)?;
    let (sec, nanos) = match tp.next() {
        None => (0, 0),
        Some(s) => match s.split_once('.') {
            None => (num(s)?, 0),
            Some((whole, frac)) => {
                let digits = frac.get(..frac.len().min(9))?;
                let scale = 10_i64.pow(9 - u32::try_from(digits.len()).ok()?);
                (num(whole)?, num(digits)? * scale)
            }
        },
    };
    if hour > 24 || minute > 59 || sec > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3_600 + minute * 60 + sec - offset_secs;
    Some(i128::from(secs) * 1_000_000_000 + i128::from(nanos))
}

/// Splits `hh:mm:ss[.f]` from its zone designator; returns the offset in seconds.
fn split_zone(time: &str) -> Option<(&str, i64)> {
    if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    let Some(i) = time.rfind(['+', '-']) else {
        return Some((time, 0));
    };
    let (clock, zone) = (time.get(..i)?, time.get(i..)?);
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let zone = zone.get(1..)?;
    let (h, m) = match zone.split_once(':') {
        Some((h, m)) => (num(h)?, num(m)?),
        None if zone.len() == 4 => (num(zone.get(..2)?)?, num(zone.get(2..)?)?),
        None => (num(zone)?, 0),
    };
    Some((clock, sign * (h * 3_600 + m * 60)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_cases_from_moto() {
        for ok in [
            "2019-07-01T13:20:15Z",
            "2016-12-13T21:20:37.593194+00:00",
            "2016-12-13t2:00:00.593194+23",
            "-292275054",
            "01T",
            "1499990400",
        ] {
            assert!(legacy_date_ok(ok), "{ok}");
        }
        for bad in [
            "sdfdsf",
            "234-13",
            "2016-12-13t2:00:00.593194+1",
            "2016-12-13t2:00:00.1999999999+10:59",
            "9223372036854775808",
        ] {
            assert!(!legacy_date_ok(bad), "{bad}");
        }
    }

    #[test]
    fn instants() {
        assert_eq!(parse_instant("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_instant("1499990400"), Some(1_499_990_400_000_000_000));
        assert_eq!(parse_instant("2017-07-14T00:00:00Z"), parse_instant("1499990400"));
        assert_eq!(parse_instant("2017-07-14"), parse_instant("1499990400"));
        assert_eq!(
            parse_instant("2017-07-14T02:00:00+02:00"),
            parse_instant("1499990400")
        );
        assert_eq!(
            parse_instant("2017-07-13T19:00:00-05:00"),
            parse_instant("1499990400")
        );
        assert_eq!(parse_instant("1970-01-01T00:00:00.5Z"), Some(500_000_000));
        assert_eq!(parse_instant("nonsense"), None);
        assert_eq!(parse_instant("2017-13-01"), None);
    }

    proptest::proptest! {
        /// The usual form's shortcut agrees with the general readers, in and out of range.
        #[test]
        fn canonical_shortcut_agrees(value in "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z|[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}[Zz]?") {
            proptest::prop_assert_eq!(parse_instant(&value), parse_instant_general(&value), "{:?}", value);
            proptest::prop_assert_eq!(legacy_date_ok(&value), legacy_date_ok_general(&value), "{:?}", value);
        }

        /// Reading `T` and `Z` in either case is reading the lower-cased copy (what IAM does).
        #[test]
        fn legacy_check_without_the_copy_agrees(value in "[0-9tTzZ:+.\\- ]{0,24}|[0-9]{4}-[0-9]{2}-[0-9]{2}[tT][0-9]{2}:[0-9]{2}:[0-9]{2}[zZ]?") {
            let lower = value.to_lowercase();
            let reference = if lower.contains('t') || value.contains('-') {
                iso_ok(&lower)
            } else {
                in_range(&value, 0, i128::from(i64::MAX))
            };
            proptest::prop_assert_eq!(legacy_date_ok(&value), reference, "{:?}", value);
        }
    }
}
