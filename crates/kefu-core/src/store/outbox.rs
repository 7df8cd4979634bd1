//! The durable outbox: a reply is a row (with its msgid) before any network call, and the
//! message shows in the conversation at once with its delivery state.

use super::{Result, Store, search};
use crate::rules;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

/// A reply and its delivery state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxRow {
    /// Our msgid.
    pub msgid: String,
    /// Account.
    pub open_kfid: String,
    /// Customer.
    pub external_userid: String,
    /// The `send_msg` body as JSON (`msgtype` + body).
    pub content: String,
    /// queued | sent | failed.
    pub state: String,
    /// Send attempts so far.
    pub attempts: i64,
    /// Why it failed, in plain words.
    pub last_error: Option<String>,
}

/// Why a reply was refused before any network call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyRefused {
    /// No conversation with this customer on this account.
    #[error("there is no conversation with this customer")]
    NoSession,
    /// The session was ended; the customer must write again.
    #[error("the session has ended")]
    Ended,
    /// A servicer has it in the WeCom client (WeChat state 3).
    #[error("a colleague is handling this customer in the WeCom client")]
    InWecom,
    /// More than 48 h since the customer's last message.
    #[error("the 48-hour reply window has closed")]
    WindowClosed,
    /// Five replies since the customer's last message.
    #[error("all 5 replies since the customer's last message are used")]
    QuotaUsed,
}

/// Why a failed reply cannot be sent again with its msgid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RetryRefused {
    /// No reply with this msgid.
    #[error("there is no reply with this msgid")]
    NotFound,
    /// Only failed replies are retried.
    #[error("this reply has not failed")]
    NotFailed,
    /// WeChat accepted this msgid and then reported it undelivered (`msg_send_fail`): it keeps
    /// the msgid, so the same reply can only be sent again as a new one.
    #[error("WeChat accepted this message before it failed; send it again as a new reply")]
    AcceptedBefore,
    /// The reply rules refuse it now.
    #[error(transparent)]
    Rules(#[from] ReplyRefused),
}

impl Store {
    /// Puts a failed reply back in the queue with the same msgid, when the rules allow a reply
    /// now; it counts against the 5-reply allowance again. Attempts start over: a failure is a
    /// definite answer from WeChat, so the msgid was not used.
    pub fn requeue_failed(
        &self,
        msgid: &str,
        now: i64,
    ) -> Result<std::result::Result<OutboxRow, RetryRefused>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let found: Option<(String, String, String, Option<i64>)> = tx
            .query_row(
                "SELECT open_kfid, external_userid, state, sent_at FROM outbox WHERE msgid = ?1",
                [msgid],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((open_kfid, customer, state, sent_at)) = found else {
            return Ok(Err(RetryRefused::NotFound));
        };
        if state != "failed" {
            return Ok(Err(RetryRefused::NotFailed));
        }
        if sent_at.is_some() {
            return Ok(Err(RetryRefused::AcceptedBefore));
        }
        let session: Option<(String, Option<i64>, i64)> = tx
            .query_row(
                "SELECT local_state, last_customer_msg_at, replies_since_customer FROM session WHERE open_kfid = ?1 AND external_userid = ?2",
                params![open_kfid, customer],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((local_state, last_customer, replies)) = session else {
            return Ok(Err(ReplyRefused::NoSession.into()));
        };
        if let Err(refused) = rules::may_reply(&local_state, last_customer, replies, now) {
            return Ok(Err(refused.into()));
        }
        tx.execute(
            "UPDATE outbox SET state = 'queued', attempts = 0, last_error = NULL WHERE msgid = ?1",
            [msgid],
        )?;
        tx.execute(
            "UPDATE session SET replies_since_customer = replies_since_customer + 1, updated_at = ?3 WHERE open_kfid = ?1 AND external_userid = ?2",
            params![open_kfid, customer, now],
        )?;
        let row = tx.query_row(&format!("{SELECT_OUTBOX} WHERE msgid = ?1"), [msgid], row)?;
        tx.commit()?;
        Ok(Ok(row))
    }

    /// Checks the rules and enqueues a reply in one transaction; it also appears in the
    /// conversation (origin 0 = this app) and counts against the 5-reply allowance at once.
    pub fn enqueue_reply(
        &self,
        open_kfid: &str,
        customer: &str,
        msgid: &str,
        content_json: &str,
        summary: Option<&str>,
        now: i64,
    ) -> Result<std::result::Result<OutboxRow, ReplyRefused>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let session: Option<(String, Option<i64>, i64)> = tx
            .query_row(
                "SELECT local_state, last_customer_msg_at, replies_since_customer FROM session WHERE open_kfid = ?1 AND external_userid = ?2",
                params![open_kfid, customer],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((state, last_customer, replies)) = session else {
            return Ok(Err(ReplyRefused::NoSession));
        };
        if let Err(refused) = rules::may_reply(&state, last_customer, replies, now) {
            return Ok(Err(refused));
        }
        tx.execute(
            "INSERT INTO outbox (msgid, open_kfid, external_userid, content, state, created_at) VALUES (?1, ?2, ?3, ?4, 'queued', ?5)",
            params![msgid, open_kfid, customer, content_json, now],
        )?;
        let msgtype = serde_json::from_str::<serde_json::Value>(content_json)
            .ok()
            .and_then(|v| v.get("msgtype").and_then(|t| t.as_str()).map(str::to_owned))
            .unwrap_or_else(|| "text".into());
        let key = search::new_key(&tx, now)?;
        tx.execute(
            "INSERT INTO message (msgid, open_kfid, external_userid, send_time, origin, msgtype, text, json, search_key) VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6, ?7, ?8)",
            params![msgid, open_kfid, customer, now, msgtype, summary, content_json, key],
        )?;
        if let Some(text) = summary {
            search::index_text(&tx, key, text)?;
        }
        tx.execute(
            "UPDATE session SET replies_since_customer = replies_since_customer + 1, updated_at = ?3 WHERE open_kfid = ?1 AND external_userid = ?2",
            params![open_kfid, customer, now],
        )?;
        tx.commit()?;
        Ok(Ok(OutboxRow {
            msgid: msgid.to_owned(),
            open_kfid: open_kfid.to_owned(),
            external_userid: customer.to_owned(),
            content: content_json.to_owned(),
            state: "queued".into(),
            attempts: 0,
            last_error: None,
        }))
    }

    /// Records a message sent (or refused) through `send_msg_on_event`, such as the welcome
    /// message: in the conversation and the outbox, outside the 5-reply allowance.
    pub fn record_event_reply(
        &self,
        open_kfid: &str,
        customer: &str,
        msgid: &str,
        content_json: &str,
        outcome: std::result::Result<(), &str>,
        now: i64,
    ) -> Result<()> {
        let content = serde_json::from_str::<serde_json::Value>(content_json).ok();
        let msgtype = content
            .as_ref()
            .and_then(|v| v["msgtype"].as_str().map(str::to_owned))
            .unwrap_or_else(|| "text".into());
        let summary = content.as_ref().and_then(|v| {
            v["text"]["content"]
                .as_str()
                .or_else(|| v["msgmenu"]["head_content"].as_str())
                .map(str::to_owned)
        });
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let (state, error) = match outcome {
            Ok(()) => ("sent", None),
            Err(e) => ("failed", Some(e)),
        };
        tx.execute(
            "INSERT OR IGNORE INTO outbox (msgid, open_kfid, external_userid, content, state, attempts, last_error, created_at, sent_at, automatic)
             VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, CASE WHEN ?5 = 'sent' THEN ?7 END, 1)",
            params![msgid, open_kfid, customer, content_json, state, error, now],
        )?;
        let key = search::new_key(&tx, now)?;
        let inserted = tx.execute(
            "INSERT OR IGNORE INTO message (msgid, open_kfid, external_userid, send_time, origin, msgtype, text, json, search_key) VALUES (?1, ?2, ?3, ?4, 0, ?8, ?5, ?6, ?7)",
            params![msgid, open_kfid, customer, now, summary, content_json, key, msgtype],
        )?;
        if let (1, Some(text)) = (inserted, summary.as_deref()) {
            search::index_text(&tx, key, text)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Replies waiting to be sent, oldest first.
    pub fn queued_replies(&self) -> Result<Vec<OutboxRow>> {
        self.outbox_where("state = 'queued'")
    }

    /// One reply by msgid.
    /// A reply's account, delivery state and when WeChat accepted it (for a recall).
    pub fn reply_delivery(&self, msgid: &str) -> Result<Option<(String, String, Option<i64>)>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT open_kfid, state, sent_at FROM outbox WHERE msgid = ?1",
                [msgid],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?)
    }

    /// Marks one of our messages recalled (it stays in the conversation, shown as recalled).
    pub fn mark_recalled(&self, open_kfid: &str, msgid: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE message SET recalled = 1 WHERE open_kfid = ?1 AND msgid = ?2",
            params![open_kfid, msgid],
        )?;
        Ok(())
    }

    /// One reply.
    pub fn reply(&self, msgid: &str) -> Result<Option<OutboxRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!("{SELECT_OUTBOX} WHERE msgid = ?1"))?;
        Ok(stmt.query_row([msgid], row).optional()?)
    }

    pub(super) fn outbox_where(&self, condition: &str) -> Result<Vec<OutboxRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!("{SELECT_OUTBOX} WHERE {condition} ORDER BY id"))?;
        let rows = stmt
            .query_map([], row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Counts an attempt that did not reach a verdict (network, 5xx, busy).
    pub fn note_attempt(&self, msgid: &str, error: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE outbox SET last_error = ?2 WHERE msgid = ?1",
            params![msgid, error],
        )?;
        Ok(())
    }

    /// Marks a reply that is about to be sent as attempted (before the call).
    pub fn begin_attempt(&self, msgid: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE outbox SET attempts = attempts + 1 WHERE msgid = ?1",
            [msgid],
        )?;
        Ok(())
    }

    /// WeChat accepted the reply.
    pub fn mark_sent(&self, msgid: &str, now: i64) -> Result<()> {
        self.conn().execute("UPDATE outbox SET state = 'sent', sent_at = ?2, last_error = NULL WHERE msgid = ?1 AND state = 'queued'", params![msgid, now])?;
        Ok(())
    }

    /// WeChat rejected the reply for good; it no longer counts against the allowance.
    pub fn mark_failed(&self, msgid: &str, reason: &str) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let changed = tx.execute("UPDATE outbox SET state = 'failed', last_error = ?2 WHERE msgid = ?1 AND state = 'queued'", params![msgid, reason])?;
        if changed > 0 {
            tx.execute(
                "UPDATE session SET replies_since_customer = MAX(replies_since_customer - 1, 0)
                 WHERE (open_kfid, external_userid) = (SELECT open_kfid, external_userid FROM outbox WHERE msgid = ?1)",
                [msgid],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Number of replies in each state: (queued, sent, failed).
    pub fn outbox_counts(&self) -> Result<(i64, i64, i64)> {
        Ok(self.conn().query_row(
            "SELECT COALESCE(SUM(state = 'queued'), 0), COALESCE(SUM(state = 'sent'), 0), COALESCE(SUM(state = 'failed'), 0) FROM outbox",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?)
    }
}

const SELECT_OUTBOX: &str =
    "SELECT msgid, open_kfid, external_userid, content, state, attempts, last_error FROM outbox";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxRow> {
    Ok(OutboxRow {
        msgid: r.get(0)?,
        open_kfid: r.get(1)?,
        external_userid: r.get(2)?,
        content: r.get(3)?,
        state: r.get(4)?,
        attempts: r.get(5)?,
        last_error: r.get(6)?,
    })
}
