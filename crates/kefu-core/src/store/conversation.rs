//! One customer's conversation for display: keyset pages (newest first, returned oldest first),
//! the messages around one message (jumping to a search hit), and which stored files may be
//! served to the window.
//!
//! Invariant: pages are keyed by `(send_time, id)`, so a page boundary never skips or repeats a
//! message however pages were ingested; a served file is one the store recorded under a name the
//! app chose (`media/<sha256>.<ext>` or `outbox/<sha256>.<ext>`), never a path from outside.

use super::{Result, Store};
use rusqlite::{OptionalExtension, params};

/// A stored message with everything the conversation view shows.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageRow {
    /// Row id (the paging key together with `send_time`).
    pub id: i64,
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
    /// Servicer, for origin 5.
    pub servicer_userid: Option<String>,
    /// Text content, for text messages.
    pub text: Option<String>,
    /// The item as stored: the wire JSON of a synced item, the `send_msg` body of a reply.
    pub json: String,
    /// Kept raw (unknown type or malformed).
    pub raw: bool,
    /// Recalled by the sender.
    pub recalled: bool,
    /// Our replies: queued | sent | failed.
    pub delivery: Option<String>,
    /// Why a reply failed.
    pub delivery_error: Option<String>,
    /// Inbound media, when the message has some.
    pub media: Option<MediaInfo>,
    /// The agent who sent one of our replies (team mode).
    pub sent_by: Option<String>,
}

/// An inbound media file's download state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaInfo {
    /// pending | stored | failed.
    pub state: String,
    /// Relative to the data directory, once stored.
    pub path: Option<String>,
    /// Bytes, once stored.
    pub size: Option<i64>,
    /// Content type reported by WeChat.
    pub content_type: Option<String>,
    /// File name as sent (display only).
    pub filename: Option<String>,
}

/// Messages around one message of a conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageContext {
    /// Oldest first, the anchor included.
    pub messages: Vec<MessageRow>,
    /// The anchor's row id.
    pub anchor_id: i64,
    /// Older messages exist.
    pub has_more_before: bool,
    /// Newer messages exist.
    pub has_more_after: bool,
}

macro_rules! row_columns {
    () => {
        "m.id, m.msgid, m.open_kfid, m.external_userid, m.send_time, m.origin, m.msgtype,
        m.servicer_userid, m.text, m.json, m.raw_reason IS NOT NULL, m.recalled, o.state, o.last_error,
        md.state, md.path, md.size, md.content_type, md.filename, m.sent_by"
    };
}
macro_rules! row_tables {
    () => {
        "message m
     LEFT JOIN outbox o ON o.msgid = m.msgid AND m.origin = 0
     LEFT JOIN media md ON md.open_kfid = m.open_kfid AND md.msgid = m.msgid"
    };
}
/// The columns [`row`] reads, in order; [`ROW_COLUMN_COUNT`] of them.
pub(super) const ROW_COLUMNS: &str = row_columns!();
/// How many columns [`ROW_COLUMNS`] has: further columns of a query start at this index.
pub(super) const ROW_COLUMN_COUNT: usize = 20;
/// The tables [`ROW_COLUMNS`] come from (`m` message, `o` outbox, `md` media).
pub(super) const ROW_TABLES: &str = row_tables!();
const SELECT_ROW: &str = concat!("SELECT ", row_columns!(), " FROM ", row_tables!());

/// A [`MessageRow`] from a query that starts with [`ROW_COLUMNS`].
pub(super) fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<MessageRow> {
    let media_state: Option<String> = r.get(14)?;
    Ok(MessageRow {
        id: r.get(0)?,
        msgid: r.get(1)?,
        open_kfid: r.get(2)?,
        external_userid: r.get(3)?,
        send_time: r.get(4)?,
        origin: r.get(5)?,
        msgtype: r.get(6)?,
        servicer_userid: r.get(7)?,
        text: r.get(8)?,
        json: r.get(9)?,
        raw: r.get(10)?,
        recalled: r.get(11)?,
        delivery: r.get(12)?,
        delivery_error: r.get(13)?,
        media: match media_state {
            Some(state) => Some(MediaInfo {
                state,
                path: r.get(15)?,
                size: r.get(16)?,
                content_type: r.get(17)?,
                filename: r.get(18)?,
            }),
            None => None,
        },
        sent_by: r.get(19)?,
    })
}

/// The largest page a caller may ask for.
pub const MAX_PAGE: usize = 500;

impl Store {
    /// Every known customer's nickname, by customer id.
    pub fn nicknames(&self) -> Result<std::collections::HashMap<String, String>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT external_userid, nickname FROM customer WHERE nickname IS NOT NULL")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every message of a customer (on one account), oldest first: for an export.
    pub fn conversation_all(&self, open_kfid: &str, customer: &str) -> Result<Vec<MessageRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "{SELECT_ROW} WHERE m.external_userid = ?1 AND m.open_kfid = ?2 ORDER BY m.send_time, m.id"
        ))?;
        let rows = stmt.query_map(params![customer, open_kfid], row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Calls `each` with every message sent in `[since, until)`, oldest first (a scan of the
    /// log: the store keeps no index by time alone); for a date-range export.
    pub fn messages_between(
        &self,
        since: i64,
        until: i64,
        mut each: impl FnMut(&MessageRow),
    ) -> Result<u64> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "{SELECT_ROW} WHERE m.send_time >= ?1 AND m.send_time < ?2 ORDER BY m.send_time, m.id"
        ))?;
        let mut rows = stmt.query(params![since, until])?;
        let mut n = 0;
        while let Some(r) = rows.next()? {
            each(&row(r)?);
            n += 1;
        }
        Ok(n)
    }

    /// The newest `limit` messages of a customer (on one account, or all) older than the message
    /// `before_id`, oldest first, and whether older ones exist.
    pub fn message_page(
        &self,
        open_kfid: Option<&str>,
        customer: &str,
        limit: usize,
        before_id: Option<i64>,
    ) -> Result<(Vec<MessageRow>, bool)> {
        let limit = limit.clamp(1, MAX_PAGE);
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "{SELECT_ROW} WHERE m.external_userid = ?1 AND (?2 IS NULL OR m.open_kfid = ?2)
               AND (?3 IS NULL OR (m.send_time, m.id) < (SELECT send_time, id FROM message WHERE id = ?3))
             ORDER BY m.send_time DESC, m.id DESC LIMIT ?4"
        ))?;
        let mut rows = stmt
            .query_map(
                params![customer, open_kfid, before_id, (limit + 1) as i64],
                row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        rows.reverse();
        Ok((rows, more))
    }

    /// Up to `radius` messages on each side of `msgid` in its conversation (same account and
    /// customer), oldest first; `None` when the message is not stored.
    pub fn message_context(
        &self,
        open_kfid: &str,
        msgid: &str,
        radius: usize,
    ) -> Result<Option<MessageContext>> {
        let radius = radius.min(MAX_PAGE);
        let conn = self.conn();
        let anchor = conn
            .prepare_cached(&format!(
                "{SELECT_ROW} WHERE m.open_kfid = ?1 AND m.msgid = ?2"
            ))?
            .query_row(params![open_kfid, msgid], row)
            .optional()?;
        let Some(anchor) = anchor else {
            return Ok(None);
        };
        let Some(customer) = anchor.external_userid.clone() else {
            return Ok(Some(MessageContext {
                anchor_id: anchor.id,
                messages: vec![anchor],
                has_more_before: false,
                has_more_after: false,
            }));
        };
        let side = |sql: &str| -> Result<Vec<MessageRow>> {
            let mut stmt = conn.prepare_cached(sql)?;
            Ok(stmt
                .query_map(
                    params![
                        open_kfid,
                        customer,
                        anchor.send_time,
                        anchor.id,
                        (radius + 1) as i64
                    ],
                    row,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?)
        };
        let mut before = side(&format!(
            "{SELECT_ROW} WHERE m.open_kfid = ?1 AND m.external_userid = ?2 AND (m.send_time, m.id) < (?3, ?4)
             ORDER BY m.send_time DESC, m.id DESC LIMIT ?5"
        ))?;
        let mut after = side(&format!(
            "{SELECT_ROW} WHERE m.open_kfid = ?1 AND m.external_userid = ?2 AND (m.send_time, m.id) > (?3, ?4)
             ORDER BY m.send_time, m.id LIMIT ?5"
        ))?;
        let has_more_before = before.len() > radius;
        let has_more_after = after.len() > radius;
        before.truncate(radius);
        after.truncate(radius);
        before.reverse();
        let anchor_id = anchor.id;
        let mut messages = before;
        messages.push(anchor);
        messages.extend(after);
        Ok(Some(MessageContext {
            messages,
            anchor_id,
            has_more_before,
            has_more_after,
        }))
    }

    /// The content type of a stored file the window may load, by its path relative to the data
    /// directory; `None` unless the store recorded exactly this file (a downloaded inbound file,
    /// or the copy of an image or file reply, or the WAV made from a stored voice). The caller checks the name's shape first.
    pub fn served_file(&self, relative: &str) -> Result<Option<Option<String>>> {
        let conn = self.conn();
        if let Some(voice) = crate::voice::voice_path_of(relative) {
            // The playable copy of a stored voice (`kefu_core::voice`).
            return Ok(conn
                .prepare_cached(
                    "SELECT 'audio/wav' FROM media WHERE path = ?1 AND state = 'stored' AND msgtype = 'voice' LIMIT 1",
                )?
                .query_row([voice], |r| r.get(0))
                .optional()?);
        }
        if relative.starts_with("media/") {
            return Ok(conn
                .prepare_cached(
                    "SELECT content_type FROM media WHERE path = ?1 AND state = 'stored' LIMIT 1",
                )?
                .query_row([relative], |r| r.get(0))
                .optional()?);
        }
        Ok(conn
            .prepare_cached(
                "SELECT json_extract(content, '$.upload.content_type') FROM outbox
                 WHERE json_extract(content, '$.upload.path') = ?1 LIMIT 1",
            )?
            .query_row([relative], |r| r.get(0))
            .optional()?)
    }
}
