//! Storing a `sync_msg` page: messages, the session changes they imply, and the cursor, in one
//! transaction. Idempotent: an item already stored is skipped, including its session effects.

use super::{Result, Store, search};
use kefu_wechat::event::Event;
use kefu_wechat::message::{Body, Message, SyncItem, origin};
use rusqlite::{Transaction, params};

/// What one page did to the store.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct IngestReport {
    /// Items newly stored.
    pub stored: usize,
    /// Items already stored (delivered again).
    pub duplicates: usize,
    /// Items stored raw (unknown type or malformed).
    pub raw: usize,
}

impl Store {
    /// Stores a page for `open_kfid` and advances its cursor to `next_cursor`, atomically.
    pub fn ingest_page(
        &self,
        open_kfid: &str,
        items: &[SyncItem],
        next_cursor: &str,
        now: i64,
    ) -> Result<IngestReport> {
        let mut conn = self.conn();
        super::page_cache_for(&conn, items.len())?;
        let tx = conn.transaction()?;
        let mut report = IngestReport::default();
        for item in items {
            let inserted = match item {
                SyncItem::Message(m) => insert_message(&tx, open_kfid, m)?,
                SyncItem::Raw(r) => {
                    let msgid = raw_msgid(r);
                    let send_time = r.send_time.unwrap_or(now);
                    let key = search::new_key(&tx, send_time)?;
                    let n = exec(&tx,
                        "INSERT OR IGNORE INTO message (msgid, open_kfid, external_userid, send_time, origin, msgtype, json, raw_reason, search_key)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                        params![
                            msgid,
                            r.open_kfid.as_ref().map(|k| k.as_str()).unwrap_or(open_kfid),
                            r.external_userid.as_ref().map(|c| c.as_str()),
                            send_time,
                            r.origin.unwrap_or(0),
                            r.msgtype.as_deref().unwrap_or("unknown"),
                            r.json.to_string(),
                            format!("{:?}", r.reason),
                            key,
                        ],
                    )?;
                    if n > 0 {
                        report.raw += 1;
                    }
                    n > 0
                }
            };
            if inserted {
                report.stored += 1;
            } else {
                report.duplicates += 1;
            }
        }
        exec(
            &tx,
            "INSERT INTO sync_cursor (open_kfid, cursor, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (open_kfid) DO UPDATE SET cursor = ?2, updated_at = ?3",
            params![open_kfid, next_cursor, now],
        )?;
        exec(
            &tx,
            "INSERT INTO sync_status (open_kfid, pages) VALUES (?1, 1)
             ON CONFLICT (open_kfid) DO UPDATE SET pages = pages + 1",
            [open_kfid],
        )?;
        tx.commit()?;
        Ok(report)
    }
}

/// The msgid a raw item is stored under. One with no msgid cannot be deduplicated by it; it is
/// keyed by its content so a repeat is still stored once.
pub(crate) fn raw_msgid(r: &kefu_wechat::message::RawItem) -> String {
    r.msgid
        .as_ref()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| format!("raw:{}", content_key(&r.json.to_string())))
}

/// The searchable text of a message: the text of a text message, else what search indexes of
/// its kind (`search_extra`).
pub(crate) fn text_and_extra(body: &Body) -> (Option<&str>, Option<String>) {
    match body {
        Body::Text { text } => (Some(text.content.as_str()), None),
        other => (None, crate::search::text_of(other)),
    }
}

fn content_key(s: &str) -> String {
    // FNV-1a: stable across versions, enough to tell raw items apart.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Inserts one decoded item and applies its effect on the session; false when already stored.
fn insert_message(tx: &Transaction<'_>, open_kfid: &str, m: &Message) -> Result<bool> {
    let kfid = m.open_kfid().map(|k| k.as_str()).unwrap_or(open_kfid);
    let customer = m.external_userid().map(|c| c.as_str());
    let (text, extra) = text_and_extra(&m.body);
    let json = serde_json::to_string(m).expect("wire types serialise");
    let key = search::new_key(tx, m.send_time)?;
    let n = exec(tx,
        "INSERT OR IGNORE INTO message (msgid, open_kfid, external_userid, send_time, origin, msgtype, servicer_userid, text, json, search_key, search_extra)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![m.msgid.as_str(), kfid, customer, m.send_time, m.origin, m.body.msgtype(), m.servicer_userid.as_ref().map(|s| s.as_str()), text, json, key, extra],
    )?;
    if n == 0 {
        return Ok(false);
    }
    if let Some(t) = text.or(extra.as_deref()) {
        search::index_text(tx, key, t)?;
    }
    if let Some(media_id) = m.body.media_id() {
        exec(
            tx,
            "INSERT OR IGNORE INTO media (open_kfid, msgid, media_id, msgtype, state) VALUES (?1, ?2, ?3, ?4, 'pending')",
            params![kfid, m.msgid.as_str(), media_id, m.body.msgtype()],
        )?;
    }
    apply_session_effect(tx, kfid, m)?;
    Ok(true)
}

fn ensure_session(tx: &Transaction<'_>, kfid: &str, customer: &str, at: i64) -> Result<()> {
    exec(
        tx,
        "INSERT OR IGNORE INTO session (open_kfid, external_userid, local_state, updated_at) VALUES (?1, ?2, 'ended', ?3)",
        params![kfid, customer, at],
    )?;
    Ok(())
}

/// How a stored item moves the queue (state machine in ARCHITECTURE.md). Decided once, here;
/// the local store and the team database each apply it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEffect {
    /// The customer opened the chat: the session exists (ended until they write).
    Enter,
    /// A servicer took it in the WeCom client: theirs (read-only here) until they end it.
    WecomTake {
        /// The servicer, when WeChat names one.
        servicer: Option<String>,
    },
    /// A servicer ended it in the WeCom client.
    WecomEnd,
    /// A message was recalled.
    Recall {
        /// The recalled message.
        msgid: String,
    },
    /// WeChat reports one of our replies undelivered.
    SendFail {
        /// Our reply's msgid.
        msgid: String,
        /// In plain words.
        reason: String,
    },
    /// The customer wrote: the 48 h window and the 5-reply allowance start over; an ended
    /// session goes back to the waiting queue.
    CustomerMessage,
    /// The customer tapped the satisfaction survey (`kefu_core::survey`): the window starts
    /// over as for any message, but an ended session stays ended.
    SurveyAnswer,
}

impl SessionEffect {
    /// A short name for the effect (the team database's `effect` field).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Enter => "enter",
            Self::WecomTake { .. } => "wecom_take",
            Self::WecomEnd => "wecom_end",
            Self::Recall { .. } => "recall",
            Self::SendFail { .. } => "send_fail",
            Self::CustomerMessage => "customer",
            Self::SurveyAnswer => "survey_answer",
        }
    }
}

/// The effect of a decoded item on its session, if any.
pub fn session_effect(m: &Message) -> Option<SessionEffect> {
    m.external_userid()?;
    match &m.body {
        Body::Event { event } => match event {
            Event::EnterSession { .. } => Some(SessionEffect::Enter),
            // Change 3 is a servicer ending the session; 1, 2 and 4 hand it to a servicer.
            Event::SessionStatusChange { change_type: 3, .. } => Some(SessionEffect::WecomEnd),
            Event::SessionStatusChange {
                new_servicer_userid,
                ..
            } => Some(SessionEffect::WecomTake {
                servicer: new_servicer_userid.as_ref().map(|s| s.as_str().to_owned()),
            }),
            Event::UserRecallMsg { recall_msgid, .. }
            | Event::ServicerRecallMsg { recall_msgid, .. } => Some(SessionEffect::Recall {
                msgid: recall_msgid.as_str().to_owned(),
            }),
            Event::MsgSendFail {
                fail_msgid,
                fail_type,
                ..
            } => Some(SessionEffect::SendFail {
                msgid: fail_msgid.as_str().to_owned(),
                reason: format!(
                    "msg_send_fail {fail_type}: {}",
                    kefu_wechat::event::fail_type_meaning(*fail_type)
                ),
            }),
            Event::ServicerStatusChange { .. } | Event::RejectCustomerMsgSwitchChange { .. } => {
                None
            }
        },
        Body::Text { text }
            if m.origin == origin::CUSTOMER
                && text
                    .menu_id
                    .as_deref()
                    .and_then(crate::survey::rating_of)
                    .is_some() =>
        {
            Some(SessionEffect::SurveyAnswer)
        }
        _ if m.origin == origin::CUSTOMER => Some(SessionEffect::CustomerMessage),
        _ => None,
    }
}

/// Applies an item's effect to the local queue.
fn apply_session_effect(tx: &Transaction<'_>, kfid: &str, m: &Message) -> Result<()> {
    let (Some(customer), Some(effect)) =
        (m.external_userid().map(|c| c.as_str()), session_effect(m))
    else {
        return Ok(());
    };
    let at = m.send_time;
    match effect {
        SessionEffect::Enter => ensure_session(tx, kfid, customer, at)?,
        SessionEffect::WecomEnd => {
            ensure_session(tx, kfid, customer, at)?;
            exec(tx,
                "UPDATE session SET local_state = 'ended', wecom_servicer = NULL, claimed_by = NULL, updated_at = ?3
                 WHERE open_kfid = ?1 AND external_userid = ?2",
                params![kfid, customer, at],
            )?;
        }
        SessionEffect::WecomTake { servicer } => {
            ensure_session(tx, kfid, customer, at)?;
            exec(tx,
                "UPDATE session SET local_state = 'wecom', wecom_servicer = ?3, claimed_by = NULL, updated_at = ?4
                 WHERE open_kfid = ?1 AND external_userid = ?2",
                params![kfid, customer, servicer, at],
            )?;
        }
        SessionEffect::Recall { msgid } => {
            exec(
                tx,
                "UPDATE message SET recalled = 1 WHERE open_kfid = ?1 AND msgid = ?2",
                params![kfid, msgid],
            )?;
        }
        SessionEffect::SendFail { msgid, reason } => {
            exec(
                tx,
                "UPDATE outbox SET state = 'failed', last_error = ?2 WHERE msgid = ?1",
                params![msgid, reason],
            )?;
        }
        SessionEffect::SurveyAnswer => {
            ensure_session(tx, kfid, customer, at)?;
            exec(tx,
                "UPDATE session SET
                    last_customer_msg_at = MAX(COALESCE(last_customer_msg_at, 0), ?3),
                    replies_since_customer = CASE WHEN ?3 >= COALESCE(last_customer_msg_at, 0) THEN 0 ELSE replies_since_customer END,
                    updated_at = ?3
                 WHERE open_kfid = ?1 AND external_userid = ?2",
                params![kfid, customer, at],
            )?;
        }
        SessionEffect::CustomerMessage => {
            ensure_session(tx, kfid, customer, at)?;
            exec(tx,
                "UPDATE session SET
                    local_state = CASE WHEN local_state = 'ended' THEN 'waiting' ELSE local_state END,
                    waiting_since = CASE WHEN local_state = 'ended' THEN ?3 ELSE waiting_since END,
                    last_customer_msg_at = MAX(COALESCE(last_customer_msg_at, 0), ?3),
                    replies_since_customer = CASE WHEN ?3 >= COALESCE(last_customer_msg_at, 0) THEN 0 ELSE replies_since_customer END,
                    updated_at = ?3
                 WHERE open_kfid = ?1 AND external_userid = ?2",
                params![kfid, customer, at],
            )?;
        }
    }
    Ok(())
}

/// Executes with a cached statement: ingest runs the same few statements for every item.
pub(super) fn exec(
    conn: &rusqlite::Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(params)
}
