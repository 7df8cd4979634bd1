//! Business hours: the days and the daily times a desk answers, at a UTC offset. Outside them a
//! customer who enters gets the away text instead of the welcome (through the same single-use
//! welcome code, `send_msg_on_event`), and the window says the desk is closed and until when.
//! Hours are per account where an account has its own, else the desk's.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// When a desk answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BusinessHours {
    /// Off: always open.
    pub enabled: bool,
    /// Open days, 1 Monday … 7 Sunday.
    pub days: Vec<u8>,
    /// Opening time, minutes after midnight.
    pub open_minute: u32,
    /// Closing time, minutes after midnight (after the opening; 1440 = midnight).
    pub close_minute: u32,
    /// The UTC offset the times are in, minutes east (Beijing: 480).
    pub offset_minutes: i32,
    /// Sent to a customer who enters outside the hours ("" = the welcome as usual).
    pub away_text: String,
}

impl Default for BusinessHours {
    fn default() -> Self {
        Self {
            enabled: false,
            days: vec![1, 2, 3, 4, 5],
            open_minute: 9 * 60,
            close_minute: 18 * 60,
            offset_minutes: 480,
            away_text: String::new(),
        }
    }
}

/// The desk's hours and any account's own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Hours {
    /// Every account without its own.
    pub desk: BusinessHours,
    /// By `open_kfid`.
    pub accounts: BTreeMap<String, BusinessHours>,
}

impl Hours {
    /// The hours of an account.
    pub fn of(&self, open_kfid: &str) -> &BusinessHours {
        self.accounts.get(open_kfid).unwrap_or(&self.desk)
    }
}

impl BusinessHours {
    /// Whether the times make sense: days 1–7, the opening before the closing, ≤ 24 h.
    pub fn valid(&self) -> bool {
        self.days.iter().all(|d| (1..=7).contains(d))
            && self.open_minute < self.close_minute
            && self.close_minute <= 1440
            && (-14 * 60..=14 * 60).contains(&self.offset_minutes)
    }

    /// (ISO weekday 1–7, minute of the day) at `t` in these hours' offset.
    fn local(&self, t: i64) -> (u8, u32) {
        let l = t + i64::from(self.offset_minutes) * 60;
        let day = l.div_euclid(86_400);
        // 1970-01-01 was a Thursday (4).
        let weekday = ((day + 3).rem_euclid(7) + 1) as u8;
        (weekday, (l.rem_euclid(86_400) / 60) as u32)
    }

    /// Whether the desk answers at `t`.
    pub fn is_open(&self, t: i64) -> bool {
        if !self.enabled {
            return true;
        }
        let (weekday, minute) = self.local(t);
        self.days.contains(&weekday) && minute >= self.open_minute && minute < self.close_minute
    }

    /// When the desk next opens after `t` (None when open now, or never).
    pub fn opens_at(&self, t: i64) -> Option<i64> {
        if self.is_open(t) || self.days.is_empty() {
            return None;
        }
        // The next opening minute within a week, stepping by day.
        let (_, minute) = self.local(t);
        let midnight =
            t - i64::from(minute) * 60 - (t + i64::from(self.offset_minutes) * 60).rem_euclid(60);
        (0..8)
            .map(|d| midnight + d * 86_400 + i64::from(self.open_minute) * 60)
            .find(|&open| open > t && self.is_open(open))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-03 (a Thursday) at hh:mm Beijing time.
    fn beijing(day: i64, h: i64, m: i64) -> i64 {
        1_796_256_000 - 8 * 3600 + day * 86_400 + h * 3600 + m * 60
    }

    fn weekdays() -> BusinessHours {
        BusinessHours {
            enabled: true,
            ..BusinessHours::default()
        }
    }

    #[test]
    fn open_on_weekdays_between_the_times_in_the_desks_time_zone() {
        let h = weekdays();
        assert!(h.is_open(beijing(0, 9, 0)));
        assert!(h.is_open(beijing(0, 17, 59)));
        assert!(!h.is_open(beijing(0, 18, 0)));
        assert!(!h.is_open(beijing(0, 8, 59)));
        assert!(!h.is_open(beijing(2, 12, 0)), "Saturday");
        assert!(
            BusinessHours::default().is_open(beijing(2, 3, 0)),
            "off: always open"
        );
    }

    #[test]
    fn closed_says_when_it_opens_next() {
        let h = weekdays();
        assert_eq!(
            h.opens_at(beijing(0, 20, 30)),
            Some(beijing(1, 9, 0)),
            "Thursday evening → Friday"
        );
        assert_eq!(
            h.opens_at(beijing(1, 19, 0)),
            Some(beijing(4, 9, 0)),
            "Friday evening → Monday"
        );
        assert_eq!(
            h.opens_at(beijing(0, 7, 15)),
            Some(beijing(0, 9, 0)),
            "early morning → today"
        );
        assert_eq!(h.opens_at(beijing(0, 10, 0)), None, "open now");
    }

    #[test]
    fn an_account_may_have_its_own_hours_and_bad_times_are_refused() {
        let mut hours = Hours::default();
        hours.accounts.insert("wk2".into(), weekdays());
        assert!(!hours.of("wk2").is_open(beijing(2, 12, 0)));
        assert!(hours.of("wk1").is_open(beijing(2, 12, 0)));
        assert!(
            !BusinessHours {
                open_minute: 600,
                close_minute: 540,
                ..weekdays()
            }
            .valid()
        );
        assert!(
            !BusinessHours {
                days: vec![0],
                ..weekdays()
            }
            .valid()
        );
        assert!(weekdays().valid());
    }
}
