//! What the notifier asks before alerting: where a conversation stands and the customer's
//! latest message.

use super::{Result, Store};
use rusqlite::{OptionalExtension, params};

/// A conversation as the notifier sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertInfo {
    /// waiting | mine | wecom | ended.
    pub local_state: String,
    /// The agent who has it.
    pub claimed_by: Option<String>,
    /// Customer's nickname, once fetched.
    pub nickname: Option<String>,
    /// The customer's latest message: row id, msgtype, text.
    pub last_customer_message: Option<(i64, String, Option<String>)>,
}

impl Store {
    /// The largest message row id so far (0 when empty): what was stored before a point in time.
    pub fn max_message_id(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT COALESCE(MAX(id), 0) FROM message", [], |r| r.get(0))?)
    }

    /// Where a conversation stands, for the notifier; `None` without a session.
    pub fn alert_info(&self, open_kfid: &str, customer: &str) -> Result<Option<AlertInfo>> {
        let conn = self.conn();
        let session: Option<(String, Option<String>, Option<String>)> = conn
            .prepare_cached(
                "SELECT s.local_state, s.claimed_by, NULLIF(c.nickname, '') FROM session s
                 LEFT JOIN customer c ON c.external_userid = s.external_userid
                 WHERE s.open_kfid = ?1 AND s.external_userid = ?2",
            )?
            .query_row(params![open_kfid, customer], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        let Some((local_state, claimed_by, nickname)) = session else {
            return Ok(None);
        };
        let last = conn
            .prepare_cached(
                "SELECT id, msgtype, text FROM message WHERE open_kfid = ?1 AND external_userid = ?2 AND origin = 3
                 ORDER BY send_time DESC, id DESC LIMIT 1",
            )?
            .query_row(params![open_kfid, customer], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        Ok(Some(AlertInfo {
            local_state,
            claimed_by,
            nickname,
            last_customer_message: last,
        }))
    }
}
