//! Service-level alerts: when a session passes a threshold the agent set. One definition, used
//! by the queue (each row carries the times its alerts begin, the window compares them with its
//! ticking clock) and by the notifier.
//!
//! - **waiting**: a customer in the waiting queue longer than `sla_waiting_minutes`;
//! - **unanswered**: a customer of mine whose oldest unanswered message (the first after our
//!   last reply) is older than `sla_unanswered_minutes`;
//! - **window**: the 48 h window of a waiting or mine session closes within `sla_window_hours`
//!   while replies are left (until it closes).
//!
//! A threshold of 0 turns that alert off.

use crate::settings::NotificationSettings;
use crate::store::SessionRow;

/// Which threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SlaKind {
    /// Waiting too long.
    Waiting,
    /// Mine and unanswered too long.
    Unanswered,
    /// The 48 h window closes soon with replies left.
    Window,
}

impl SlaKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SlaKind::Waiting => "waiting",
            SlaKind::Unanswered => "unanswered",
            SlaKind::Window => "window",
        }
    }
}

/// When an alert of a session begins (and ends, for the window).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaDue {
    /// Which.
    pub kind: SlaKind,
    /// The moment it starts (unix seconds).
    pub at: i64,
    /// The moment it no longer applies by itself (the window's end); None: until the session
    /// changes.
    pub until: Option<i64>,
    /// What it is counted from (waiting since, owed since, the customer's last message): a
    /// new episode has a new one.
    pub since: i64,
}

impl SlaDue {
    /// Whether it applies at `now`.
    pub fn active(&self, now: i64) -> bool {
        self.at <= now && self.until.is_none_or(|u| now < u)
    }
}

/// The thresholds in seconds (0: off).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaRules {
    /// Waiting.
    pub waiting_secs: i64,
    /// Unanswered.
    pub unanswered_secs: i64,
    /// Window closing.
    pub window_secs: i64,
}

impl From<&NotificationSettings> for SlaRules {
    fn from(s: &NotificationSettings) -> Self {
        Self {
            waiting_secs: i64::from(s.sla_waiting_minutes) * 60,
            unanswered_secs: i64::from(s.sla_unanswered_minutes) * 60,
            window_secs: i64::from(s.sla_window_hours) * 3600,
        }
    }
}

/// The alerts a session will have (or has) for `agent`, with when each begins.
pub fn due(row: &SessionRow, agent: &str, rules: &SlaRules) -> Vec<SlaDue> {
    let mut out = Vec::new();
    let mine = row.local_state == "mine" && row.claimed_by.as_deref().is_none_or(|a| a == agent);
    let waiting = row.local_state == "waiting";
    if waiting
        && rules.waiting_secs > 0
        && let Some(t) = row.waiting_since
    {
        out.push(SlaDue {
            kind: SlaKind::Waiting,
            at: t + rules.waiting_secs,
            until: None,
            since: t,
        });
    }
    if mine
        && row.needs_reply
        && rules.unanswered_secs > 0
        && let Some(t) = row.owed_since.or(row.last_customer_msg_at)
    {
        out.push(SlaDue {
            kind: SlaKind::Unanswered,
            at: t + rules.unanswered_secs,
            until: None,
            since: t,
        });
    }
    if (waiting || mine)
        && row.replies_left > 0
        && rules.window_secs > 0
        && let (Some(end), Some(last)) = (row.window_ends_at, row.last_customer_msg_at)
    {
        out.push(SlaDue {
            kind: SlaKind::Window,
            at: end - rules.window_secs,
            until: Some(end),
            since: last,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(state: &str) -> SessionRow {
        SessionRow {
            open_kfid: "wk".into(),
            external_userid: "wm".into(),
            local_state: state.into(),
            claimed_by: (state == "mine").then(|| "ann".into()),
            nickname: None,
            waiting_since: Some(1000),
            last_customer_msg_at: Some(1300),
            owed_since: Some(1100),
            window_ends_at: Some(1300 + 48 * 3600),
            window_left_secs: 0,
            replies_left: 5,
            last_message: None,
            needs_reply: true,
        }
    }

    const RULES: SlaRules = SlaRules {
        waiting_secs: 300,
        unanswered_secs: 600,
        window_secs: 4 * 3600,
    };

    #[test]
    fn a_waiting_customer_alerts_after_the_threshold_from_waiting_since() {
        let d = due(&row("waiting"), "ann", &RULES);
        assert_eq!(
            d[0],
            SlaDue {
                kind: SlaKind::Waiting,
                at: 1300,
                until: None,
                since: 1000
            }
        );
        assert!(!d[0].active(1299) && d[0].active(1300));
        assert_eq!(d[1].kind, SlaKind::Window);
        assert_eq!(d.len(), 2, "a waiting customer is nobody's to answer yet");
    }

    #[test]
    fn mine_alerts_from_the_oldest_unanswered_message_and_only_for_me() {
        let d = due(&row("mine"), "ann", &RULES);
        assert_eq!(
            d[0],
            SlaDue {
                kind: SlaKind::Unanswered,
                at: 1700,
                until: None,
                since: 1100
            }
        );
        assert!(
            due(&row("mine"), "bob", &RULES).is_empty(),
            "a colleague's customer"
        );
        let mut answered = row("mine");
        answered.needs_reply = false;
        assert_eq!(
            due(&answered, "ann", &RULES)
                .iter()
                .map(|d| d.kind)
                .collect::<Vec<_>>(),
            [SlaKind::Window]
        );
    }

    #[test]
    fn the_window_alert_runs_until_the_window_closes_and_needs_replies_left() {
        let d = due(&row("mine"), "ann", &RULES);
        let w = d
            .iter()
            .find(|d| d.kind == SlaKind::Window)
            .expect("window");
        let end = 1300 + 48 * 3600;
        assert_eq!((w.at, w.until), (end - 4 * 3600, Some(end)));
        assert!(w.active(end - 1) && !w.active(end));
        let mut used = row("mine");
        used.replies_left = 0;
        assert!(
            due(&used, "ann", &RULES)
                .iter()
                .all(|d| d.kind != SlaKind::Window)
        );
        for state in ["wecom", "ended"] {
            assert!(due(&row(state), "ann", &RULES).is_empty(), "{state}");
        }
        let off = SlaRules {
            waiting_secs: 0,
            unanswered_secs: 0,
            window_secs: 0,
        };
        assert!(
            due(&row("mine"), "ann", &off).is_empty(),
            "0 turns alerts off"
        );
    }
}
