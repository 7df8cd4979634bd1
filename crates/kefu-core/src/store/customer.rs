//! The customer panel: profile (from `kf/customer/batchget`), where the customer came from
//! (the latest `enter_session`), the agent's note and tags, and the customer's earlier sessions.
//!
//! Sessions are derived from the message log: a session runs from a customer's message to its
//! end, which is an end in this console (`session_end`), an end by a servicer in the WeCom
//! client (`session_status_change` 3), or the 48 h window passing with no reply allowed.

use super::{Result, Store};
use crate::rules::WINDOW_SECS;
use rusqlite::{OptionalExtension, params};

/// Longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;
/// Most tags per customer.
pub const MAX_TAGS: usize = 20;
/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 32;
/// Most sessions listed (newest first).
pub const MAX_SESSIONS: usize = 100;

/// Everything the customer panel shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerRow {
    /// Customer.
    pub external_userid: String,
    /// WeChat nickname, once fetched.
    pub nickname: Option<String>,
    /// Avatar URL, once fetched.
    pub avatar: Option<String>,
    /// 0 unknown, 1 male, 2 female.
    pub gender: i64,
    /// Where the customer last entered from.
    pub source: Option<EntrySource>,
    /// The agent's note ("" when none).
    pub note: String,
    /// The agent's tags, in the order given.
    pub tags: Vec<String>,
    /// Sessions, newest first.
    pub sessions: Vec<SessionEpisode>,
}

/// Scene information of the customer's latest `enter_session`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrySource {
    /// Account entered.
    pub open_kfid: String,
    /// When.
    pub at: i64,
    /// `scene` of the contact-way link.
    pub scene: Option<String>,
    /// Parameter appended to the link.
    pub scene_param: Option<String>,
    /// WeChat Channels scene (1 profile … 5 shop order).
    pub channels_scene: Option<i64>,
    /// WeChat Channels or shop name.
    pub channels_nickname: Option<String>,
}

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// Still going.
    Open,
    /// Ended in this console.
    Agent,
    /// Ended by a servicer in the WeCom client.
    Wecom,
    /// The 48 h window passed without an end.
    Expired,
}

impl SessionEnd {
    /// Its wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionEnd::Open => "open",
            SessionEnd::Agent => "agent",
            SessionEnd::Wecom => "wecom",
            SessionEnd::Expired => "expired",
        }
    }
}

/// One session of a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionEpisode {
    /// Account.
    pub open_kfid: String,
    /// Account name, when known.
    pub account_name: Option<String>,
    /// First message.
    pub first_message_at: i64,
    /// Last message.
    pub last_message_at: i64,
    /// Messages (customer, servicer and this app; not events).
    pub messages: i64,
    /// How it ended.
    pub end: SessionEnd,
    /// When it ended (open: none; expired: when the window closed).
    pub ended_at: Option<i64>,
    /// The agent or servicer who ended it.
    pub ended_by: Option<String>,
}

/// Normalises tags: trimmed, empty ones and repeats dropped, in the order given; `None` when
/// there are too many or one is too long.
pub fn normalise_tags(tags: &[String]) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
        if t.is_empty() || out.contains(&t) {
            continue;
        }
        if t.chars().count() > MAX_TAG_CHARS {
            return None;
        }
        out.push(t);
    }
    (out.len() <= MAX_TAGS).then_some(out)
}

impl Store {
    /// The customer panel of `customer`, as of `now`.
    pub fn customer(&self, customer: &str, now: i64) -> Result<CustomerRow> {
        let conn = self.conn();
        let profile: Option<(String, String, i64)> = conn
            .prepare_cached(
                "SELECT nickname, avatar, gender FROM customer WHERE external_userid = ?1",
            )?
            .query_row([customer], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let source = conn
            .prepare_cached(
                "SELECT open_kfid, send_time, json_extract(json, '$.event.scene'), json_extract(json, '$.event.scene_param'),
                        json_extract(json, '$.event.wechat_channels.scene'),
                        COALESCE(json_extract(json, '$.event.wechat_channels.nickname'), json_extract(json, '$.event.wechat_channels.shop_nickname'))
                 FROM message WHERE external_userid = ?1 AND msgtype = 'event'
                   AND json_extract(json, '$.event.event_type') = 'enter_session'
                 ORDER BY send_time DESC, id DESC LIMIT 1",
            )?
            .query_row([customer], |r| {
                Ok(EntrySource {
                    open_kfid: r.get(0)?,
                    at: r.get(1)?,
                    scene: r.get(2)?,
                    scene_param: r.get(3)?,
                    channels_scene: r.get(4)?,
                    channels_nickname: r.get(5)?,
                })
            })
            .optional()?;
        let note: String = conn
            .prepare_cached("SELECT note FROM customer_note WHERE external_userid = ?1")?
            .query_row([customer], |r| r.get(0))
            .optional()?
            .unwrap_or_default();
        let tags = conn
            .prepare_cached(
                "SELECT tag FROM customer_tag WHERE external_userid = ?1 ORDER BY rowid",
            )?
            .query_map([customer], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        let accounts = conn
            .prepare_cached(
                "SELECT DISTINCT m.open_kfid, a.name FROM message m LEFT JOIN account a ON a.open_kfid = m.open_kfid
                 WHERE m.external_userid = ?1",
            )?
            .query_map([customer], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut sessions = Vec::new();
        for (kfid, name) in accounts {
            let times = conn
                .prepare_cached(
                    "SELECT send_time FROM message WHERE external_userid = ?1 AND open_kfid = ?2 AND origin != 4
                     ORDER BY send_time, id",
                )?
                .query_map(params![customer, kfid], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<i64>>>()?;
            let mut ends = conn
                .prepare_cached(
                    "SELECT ended_at, ended_by, 0 FROM session_end WHERE external_userid = ?1 AND open_kfid = ?2
                     UNION ALL
                     SELECT send_time, json_extract(json, '$.event.old_servicer_userid'), 1 FROM message
                     WHERE external_userid = ?1 AND open_kfid = ?2 AND msgtype = 'event'
                       AND json_extract(json, '$.event.event_type') = 'session_status_change'
                       AND json_extract(json, '$.event.change_type') = 3",
                )?
                .query_map(params![customer, kfid], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, i64>(2)? == 1))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            ends.sort_by_key(|e| e.0);
            let mut account_sessions =
                episodes(&kfid, name.filter(|n| !n.is_empty()), &times, &ends, now);
            // Newest first; the sort below is stable, so sessions within one second keep order.
            account_sessions.reverse();
            sessions.extend(account_sessions);
        }
        sessions.sort_by_key(|s| std::cmp::Reverse(s.last_message_at));
        sessions.truncate(MAX_SESSIONS);
        let (nickname, avatar, gender) = match profile {
            Some((n, a, g)) => (
                Some(n).filter(|s| !s.is_empty()),
                Some(a).filter(|s| !s.is_empty()),
                g,
            ),
            None => (None, None, 0),
        };
        Ok(CustomerRow {
            external_userid: customer.to_owned(),
            nickname,
            avatar,
            gender,
            source,
            note,
            tags,
            sessions,
        })
    }

    /// Sets the agent's note on a customer ("" clears it).
    pub fn set_customer_note(&self, customer: &str, note: &str, now: i64) -> Result<()> {
        let conn = self.conn();
        if note.trim().is_empty() {
            conn.execute(
                "DELETE FROM customer_note WHERE external_userid = ?1",
                [customer],
            )?;
        } else {
            conn.execute(
                "INSERT INTO customer_note (external_userid, note, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (external_userid) DO UPDATE SET note = ?2, updated_at = ?3",
                params![customer, note, now],
            )?;
        }
        Ok(())
    }

    /// Replaces a customer's tags (already normalised, see [`normalise_tags`]).
    pub fn set_customer_tags(&self, customer: &str, tags: &[String]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "DELETE FROM customer_tag WHERE external_userid = ?1",
            [customer],
        )?;
        for t in tags {
            tx.execute(
                "INSERT OR IGNORE INTO customer_tag (external_userid, tag) VALUES (?1, ?2)",
                params![customer, t],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// Splits one account's message times into sessions at the recorded ends and at windows that
/// passed; `ends` are sorted by time.
fn episodes(
    open_kfid: &str,
    account_name: Option<String>,
    times: &[i64],
    ends: &[(i64, Option<String>, bool)],
    now: i64,
) -> Vec<SessionEpisode> {
    let mut out = Vec::new();
    let mut ends = ends.iter().peekable();
    let mut current: Option<SessionEpisode> = None;
    let close = |e: &mut SessionEpisode, end: SessionEnd, at: Option<i64>, by: Option<String>| {
        e.end = end;
        e.ended_at = at;
        e.ended_by = by;
    };
    for &t in times {
        if let Some(mut e) = current.take() {
            // An end recorded between the last message and this one closes the session.
            let mut ended = false;
            while let Some((at, by, wecom)) = ends.peek() {
                if *at > t {
                    break;
                }
                if !ended && *at >= e.first_message_at {
                    let how = if *wecom {
                        SessionEnd::Wecom
                    } else {
                        SessionEnd::Agent
                    };
                    close(&mut e, how, Some(*at), by.clone());
                    ended = true;
                }
                ends.next();
            }
            if !ended && t - e.last_message_at > WINDOW_SECS {
                let at = e.last_message_at + WINDOW_SECS;
                close(&mut e, SessionEnd::Expired, Some(at), None);
                ended = true;
            }
            if ended {
                out.push(e);
            } else {
                e.last_message_at = t;
                e.messages += 1;
                current = Some(e);
                continue;
            }
        } else {
            // Ends before the first message of a session belong to no session.
            while ends.peek().is_some_and(|(at, _, _)| *at < t) {
                ends.next();
            }
        }
        current = Some(SessionEpisode {
            open_kfid: open_kfid.to_owned(),
            account_name: account_name.clone(),
            first_message_at: t,
            last_message_at: t,
            messages: 1,
            end: SessionEnd::Open,
            ended_at: None,
            ended_by: None,
        });
    }
    if let Some(mut e) = current {
        if let Some((at, by, wecom)) = ends.find(|(at, _, _)| *at >= e.last_message_at) {
            let how = if *wecom {
                SessionEnd::Wecom
            } else {
                SessionEnd::Agent
            };
            close(&mut e, how, Some(*at), by.clone());
        } else if now - e.last_message_at > WINDOW_SECS {
            let at = e.last_message_at + WINDOW_SECS;
            close(&mut e, SessionEnd::Expired, Some(at), None);
        }
        out.push(e);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_split_at_ends_and_passed_windows() {
        let h = 3600;
        let times = [100, 200, 300, 1000, 1100, 1100 + 50 * h, 1100 + 50 * h + 10];
        let ends = [(500, Some("ann".to_owned()), false)];
        let now = 1100 + 50 * h + 20;
        let e = episodes("wk", None, &times, &ends, now);
        assert_eq!(
            e.len(),
            3,
            "an end and a 48 h gap each start a new session: {e:?}"
        );
        assert_eq!(
            (e[0].first_message_at, e[0].last_message_at, e[0].messages),
            (100, 300, 3)
        );
        assert_eq!(
            (e[0].end, e[0].ended_by.as_deref()),
            (SessionEnd::Agent, Some("ann"))
        );
        assert_eq!((e[1].messages, e[1].end), (2, SessionEnd::Expired));
        assert_eq!(
            e[1].ended_at,
            Some(1100 + WINDOW_SECS),
            "expired when the window closed"
        );
        assert_eq!(
            (e[2].messages, e[2].end),
            (2, SessionEnd::Open),
            "the latest is still open"
        );
        let ended_last = episodes("wk", None, &[100], &[(150, Some("wu".into()), true)], 200);
        assert_eq!(
            ended_last[0].end,
            SessionEnd::Wecom,
            "an end after the last message closes it"
        );
    }

    #[test]
    fn tags_are_trimmed_deduplicated_and_bounded() {
        let t = |v: &[&str]| normalise_tags(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            t(&[" VIP ", "VIP", "", "退款  中"]),
            Some(vec!["VIP".into(), "退款 中".into()])
        );
        assert_eq!(
            t(&[&"长".repeat(MAX_TAG_CHARS + 1)]),
            None,
            "an overlong tag is refused"
        );
        let many: Vec<String> = (0..=MAX_TAGS).map(|i| i.to_string()).collect();
        assert_eq!(normalise_tags(&many), None, "too many tags are refused");
    }
}
