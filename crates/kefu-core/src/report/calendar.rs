//! Civil dates for reports: a day or hour in a fixed UTC offset, and `YYYY-MM-DD` parsing.
//! WeChat customer service runs on China time, so reports default to UTC+08:00; the window
//! passes its own offset.

/// The default offset of reports: China Standard Time, UTC+08:00.
pub const DEFAULT_OFFSET_SECS: i32 = 8 * 3600;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Parses `YYYY-MM-DD` into a day number; `None` when it is not a real date.
pub fn parse_date(s: &str) -> Option<i64> {
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&m) || d < 1 {
        return None;
    }
    let day = days_from_civil(y, m, d);
    // 2026-02-30 would land in March: reject dates that do not round-trip.
    (civil_from_days(day) == (y, m, d)).then_some(day)
}

/// The day number of a moment in the given offset.
pub fn day_of(t: i64, offset_secs: i32) -> i64 {
    (t + i64::from(offset_secs)).div_euclid(86_400)
}

/// The hour of day (0–23) of a moment in the given offset.
pub fn hour_of(t: i64, offset_secs: i32) -> usize {
    ((t + i64::from(offset_secs)).rem_euclid(86_400) / 3600) as usize
}

/// The first second of a day in the given offset.
pub fn day_start(day: i64, offset_secs: i32) -> i64 {
    day * 86_400 - i64::from(offset_secs)
}

/// `YYYY-MM-DD` of a day number.
pub fn format_day(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Parses `+08:00`, `-05:30`, `Z` or `UTC` into seconds east of UTC.
pub fn parse_offset(s: &str) -> Option<i32> {
    if s == "Z" || s.eq_ignore_ascii_case("utc") {
        return Some(0);
    }
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = s[1..].split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if h > 14 || m > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_impossible_dates_are_refused() {
        for day in [-1, 0, 19_000, 20_424, 60_000] {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(
            parse_date("2026-12-02").map(format_day).as_deref(),
            Some("2026-12-02")
        );
        assert_eq!(
            parse_date("2024-02-29").map(format_day).as_deref(),
            Some("2024-02-29")
        );
        for bad in [
            "2026-02-30",
            "2025-02-29",
            "2026-13-01",
            "2026-1-1",
            "26-01-01",
            "x",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn hours_and_days_follow_the_offset() {
        // 2026-12-01T16:30:00Z is 2026-12-02 00:30 in Beijing.
        let t = days_from_civil(2026, 12, 1) * 86_400 + 16 * 3600 + 1800;
        assert_eq!(format_day(day_of(t, DEFAULT_OFFSET_SECS)), "2026-12-02");
        assert_eq!(hour_of(t, DEFAULT_OFFSET_SECS), 0);
        assert_eq!(hour_of(t, 0), 16);
        assert_eq!(day_start(day_of(t, 28_800), 28_800), t - 1800);
        assert_eq!(parse_offset("+08:00"), Some(28_800));
        assert_eq!(parse_offset("-05:30"), Some(-19_800));
        assert_eq!(parse_offset("Z"), Some(0));
        assert_eq!(parse_offset("08:00"), None);
    }
}
