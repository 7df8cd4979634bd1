//! Reads for the CLI and the UI: conversations, sessions, status, search.

use super::{Result, Store};
use crate::rules;
use rusqlite::params;
use serde::Serialize;

/// A stored message, with the API's field names.
#[derive(Debug, Clone, Serialize)]
pub struct StoredMessage {
    /// Message id (ours for replies).
    pub msgid: String,
    /// Account.
    pub open_kfid: String,
    /// Customer.
    pub external_userid: Option<String>,
    /// Unix seconds.
    pub send_time: i64,
    /// 3 customer, 4 event, 5 servicer in WeCom, 0 this app.
    pub origin: i64,
    /// Message type.
    pub msgtype: String,
    /// Text content, for text messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Whether the sender recalled it.
    pub recalled: bool,
    /// For our replies: queued | sent | failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<String>,
}

/// A session with its local queue state and WeChat's limits.
#[derive(Debug, Clone, Serialize)]
pub struct SessionRow {
    /// Account.
    pub open_kfid: String,
    /// Customer.
    pub external_userid: String,
    /// waiting | mine | wecom | ended.
    pub local_state: String,
    /// The agent who has it (mine).
    pub claimed_by: Option<String>,
    /// Customer's WeChat nickname, once fetched.
    pub nickname: Option<String>,
    /// Since when it waits.
    pub waiting_since: Option<i64>,
    /// Customer's last message.
    pub last_customer_msg_at: Option<i64>,
    /// The customer's oldest message after the last reply (ours or a servicer's), when a reply
    /// is owed.
    pub owed_since: Option<i64>,
    /// End of the 48 h window.
    pub window_ends_at: Option<i64>,
    /// Seconds left in the window.
    pub window_left_secs: i64,
    /// Replies left of 5.
    pub replies_left: i64,
    /// The conversation's newest message (the customer's or a reply), for the queue row.
    pub last_message: Option<LastMessage>,
    /// The customer wrote after the last reply (or nobody has replied yet): someone owes an
    /// answer. Only for open sessions (waiting, mine, a colleague's).
    pub needs_reply: bool,
}

/// The newest message of a conversation, as a queue row previews it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LastMessage {
    /// From the customer (else a reply: ours or a servicer's in the WeCom client).
    pub from_customer: bool,
    /// WeChat's msgtype.
    pub msgtype: String,
    /// One line of its text (whitespace folded, at most [`PREVIEW_CHARS`] characters); None
    /// for other kinds or a recalled message.
    pub preview: Option<String>,
    /// The sender recalled it.
    pub recalled: bool,
    /// When.
    pub send_time: i64,
}

/// Longest preview of a queue row, in characters.
pub const PREVIEW_CHARS: usize = 60;

/// `text` on one line: runs of whitespace (newlines too) become one space, cut at
/// [`PREVIEW_CHARS`] with an ellipsis.
pub fn preview_line(text: &str) -> String {
    let mut out = String::new();
    for (n, word) in text.split_whitespace().enumerate() {
        if n > 0 {
            out.push(' ');
        }
        out.push_str(word);
        if out.chars().count() > PREVIEW_CHARS {
            break;
        }
    }
    if out.chars().count() > PREVIEW_CHARS {
        out = out.chars().take(PREVIEW_CHARS).collect();
        out.push('…');
    }
    out
}

/// Sync health of one account.
#[derive(Debug, Clone, Serialize)]
pub struct StatusRow {
    /// Account.
    pub open_kfid: String,
    /// Stored cursor.
    pub cursor: Option<String>,
    /// Last successful sync.
    pub last_success_at: Option<i64>,
    /// Last error in plain words.
    pub last_error: Option<String>,
    /// Messages stored.
    pub messages: i64,
    /// WeChat keeps 3 days: no successful sync for 2 days means history may soon be lost.
    pub history_at_risk: bool,
}

/// No successful sync for this long raises the "history at risk" warning (a day before
/// WeChat's 3-day horizon).
pub const HISTORY_RISK_SECS: i64 = 2 * 24 * 3600;

const SELECT_MESSAGE: &str = "SELECT m.msgid, m.open_kfid, m.external_userid, m.send_time, m.origin, m.msgtype, m.text, m.recalled, o.state
     FROM message m LEFT JOIN outbox o ON o.msgid = m.msgid AND m.origin = 0";

fn message_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredMessage> {
    Ok(StoredMessage {
        msgid: r.get(0)?,
        open_kfid: r.get(1)?,
        external_userid: r.get(2)?,
        send_time: r.get(3)?,
        origin: r.get(4)?,
        msgtype: r.get(5)?,
        text: r.get(6)?,
        recalled: r.get(7)?,
        delivery: r.get(8)?,
    })
}

impl From<&super::MessageRow> for StoredMessage {
    fn from(m: &super::MessageRow) -> Self {
        Self {
            msgid: m.msgid.clone(),
            open_kfid: m.open_kfid.clone(),
            external_userid: m.external_userid.clone(),
            send_time: m.send_time,
            origin: m.origin,
            msgtype: m.msgtype.clone(),
            text: m.text.clone(),
            recalled: m.recalled,
            delivery: m.delivery.clone(),
        }
    }
}

impl Store {
    /// A customer's messages, oldest first (the newest `limit`).
    pub fn messages(&self, customer: &str, limit: usize) -> Result<Vec<StoredMessage>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!("{SELECT_MESSAGE} WHERE m.external_userid = ?1 ORDER BY m.send_time DESC, m.id DESC LIMIT ?2"))?;
        let mut rows = stmt
            .query_map(params![customer, limit as i64], message_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.reverse();
        Ok(rows)
    }

    /// Every session: waiting first (oldest first); then mine, those owing a reply first
    /// (longest unanswered first); then a colleague's, wecom, ended (most recently ended first).
    pub fn sessions(&self, now: i64) -> Result<Vec<SessionRow>> {
        self.sessions_listed(now, usize::MAX)
    }

    /// The queue as the desk lists it: every open session, and only the `ended_limit` most
    /// recently ended ones, in the order of [`Store::sessions`]. Ended sessions only accumulate
    /// (a busy desk ends thousands a week); the queue is read several times a second, so its
    /// size must follow the open work, not the history. [`Store::ended_counts`] counts the rest.
    pub fn sessions_listed(&self, now: i64, ended_limit: usize) -> Result<Vec<SessionRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT s.open_kfid, s.external_userid, s.local_state, s.waiting_since, s.last_customer_msg_at, s.replies_since_customer, s.claimed_by, c.nickname,
                    lm.origin, lm.msgtype, lm.text, lm.recalled, lm.send_time,
                    CASE WHEN lm.origin = 3 THEN (
                        SELECT MIN(o.send_time) FROM message o
                        WHERE o.external_userid = s.external_userid AND o.open_kfid = s.open_kfid AND o.origin = 3
                          AND o.send_time > COALESCE((
                              SELECT MAX(rp.send_time) FROM message rp
                              WHERE rp.external_userid = s.external_userid AND rp.open_kfid = s.open_kfid
                                AND rp.origin IN (0, 5)), 0)) END
             FROM session s LEFT JOIN customer c ON c.external_userid = s.external_userid
             LEFT JOIN message lm ON lm.id = (
                 SELECT m.id FROM message m
                 WHERE m.external_userid = s.external_userid AND m.open_kfid = s.open_kfid AND m.origin IN (0, 3, 5)
                 ORDER BY m.send_time DESC, m.id DESC LIMIT 1)
             -- A customer who only opened the chat has nothing to answer yet (and no window).
             WHERE NOT (s.local_state = 'ended' AND s.last_customer_msg_at IS NULL)
               AND (s.local_state <> 'ended' OR s.id IN (
                   SELECT e.id FROM session e
                   WHERE e.local_state = 'ended' AND e.last_customer_msg_at IS NOT NULL
                   ORDER BY e.updated_at DESC, e.id DESC LIMIT ?1))
             ORDER BY CASE s.local_state WHEN 'waiting' THEN 0 WHEN 'mine' THEN 1 WHEN 'wecom' THEN 3 WHEN 'ended' THEN 4 ELSE 2 END,
                      CASE WHEN s.local_state = 'mine' AND lm.origin = 3 THEN 0 ELSE 1 END,
                      CASE WHEN s.local_state = 'mine' AND lm.origin = 3 THEN s.last_customer_msg_at END,
                      CASE WHEN s.local_state = 'ended' THEN s.updated_at END DESC,
                      s.waiting_since, s.updated_at DESC, s.id DESC",
        )?;
        let limit = i64::try_from(ended_limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map([limit], |r| {
                let last: Option<i64> = r.get(4)?;
                let replies: i64 = r.get(5)?;
                let local_state: String = r.get(2)?;
                let last_message = match r.get::<_, Option<i64>>(8)? {
                    Some(origin) => {
                        let recalled: bool = r.get(11)?;
                        let text: Option<String> = r.get(10)?;
                        Some(LastMessage {
                            from_customer: origin == 3,
                            msgtype: r.get(9)?,
                            preview: text
                                .filter(|_| !recalled)
                                .map(|t| preview_line(&t))
                                .filter(|t| !t.is_empty()),
                            recalled,
                            send_time: r.get(12)?,
                        })
                    }
                    None => None,
                };
                let open = !matches!(local_state.as_str(), "ended" | "wecom");
                Ok(SessionRow {
                    open_kfid: r.get(0)?,
                    external_userid: r.get(1)?,
                    claimed_by: r.get(6)?,
                    nickname: r.get(7)?,
                    waiting_since: r.get(3)?,
                    last_customer_msg_at: last,
                    owed_since: r.get(13)?,
                    window_ends_at: last.map(|t| t + rules::WINDOW_SECS),
                    window_left_secs: rules::window_left(last, now),
                    replies_left: (rules::REPLY_QUOTA - replies).max(0),
                    needs_reply: open && last_message.as_ref().is_some_and(|m| m.from_customer),
                    last_message,
                    local_state,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Ended sessions per account (those [`Store::sessions`] lists: the customer wrote), by
    /// account.
    pub fn ended_counts(&self) -> Result<Vec<(String, u32)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT open_kfid, COUNT(*) FROM session
             WHERE local_state = 'ended' AND last_customer_msg_at IS NOT NULL
             GROUP BY open_kfid ORDER BY open_kfid",
        )?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Sync health per known account.
    pub fn status(&self, now: i64) -> Result<Vec<StatusRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT a.open_kfid, c.cursor, s.last_success_at, s.last_error,
                    (SELECT COUNT(*) FROM message m WHERE m.open_kfid = a.open_kfid)
             FROM (SELECT open_kfid FROM account UNION SELECT open_kfid FROM sync_cursor) a
             LEFT JOIN sync_cursor c ON c.open_kfid = a.open_kfid
             LEFT JOIN sync_status s ON s.open_kfid = a.open_kfid ORDER BY a.open_kfid",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(StatusRow {
                    open_kfid: r.get(0)?,
                    cursor: r.get(1)?,
                    last_success_at: r.get(2)?,
                    last_error: r.get(3)?,
                    messages: r.get(4)?,
                    history_at_risk: r
                        .get::<_, Option<i64>>(2)?
                        .is_some_and(|t| now - t > HISTORY_RISK_SECS),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Every stored msgid of an account from sync (not our replies), for checks against the
    /// server's log.
    pub fn synced_msgids(&self, open_kfid: &str) -> Result<Vec<String>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT msgid FROM message WHERE open_kfid = ?1 AND origin != 0 ORDER BY id",
        )?;
        let rows = stmt
            .query_map([open_kfid], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Customers active within `since` whose profile is missing or older than `stale_before`.
    pub fn customers_needing_profile(
        &self,
        active_since: i64,
        stale_before: i64,
    ) -> Result<Vec<String>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT s.external_userid FROM session s LEFT JOIN customer c ON c.external_userid = s.external_userid
             WHERE COALESCE(s.last_customer_msg_at, s.updated_at) >= ?1 AND (c.refreshed_at IS NULL OR c.refreshed_at < ?2)
             GROUP BY s.external_userid",
        )?;
        let rows = stmt
            .query_map(params![active_since, stale_before], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Stores customer profiles from `kf/customer/batchget`.
    pub fn upsert_customers(
        &self,
        customers: &[kefu_wechat::api::Customer],
        now: i64,
    ) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for c in customers {
            tx.execute(
                "INSERT INTO customer (external_userid, nickname, avatar, gender, refreshed_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (external_userid) DO UPDATE SET nickname = ?2, avatar = ?3, gender = ?4, refreshed_at = ?5",
                params![c.external_userid.as_str(), c.nickname, c.avatar, c.gender, now],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The account of a customer's conversation (most recent).
    pub fn account_of(&self, customer: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn()
            .query_row("SELECT open_kfid FROM session WHERE external_userid = ?1 ORDER BY updated_at DESC LIMIT 1", [customer], |r| r.get(0))
            .optional()?)
    }
}
