//! Team mode's local mirror: rows of the shared tables applied to this store, each batch in one
//! transaction together with how far each table has been mirrored (its change number), so a
//! crash never skips or repeats a change. Shared rows win over local ones: the team decided.
//! Messages go through the same search index as synced ones; inbound media is queued for
//! download here (each desktop keeps its own copy).

use super::ingest::exec;
use super::{Result, Store, search};
use rusqlite::{OptionalExtension, params};

/// A shared message.
#[derive(Debug, Clone, Default)]
pub struct MirrorMessage {
    /// Account.
    pub open_kfid: String,
    /// Message id.
    pub msgid: String,
    /// Customer.
    pub external_userid: Option<String>,
    /// Unix seconds.
    pub send_time: i64,
    /// 3 customer, 4 event, 5 servicer, 0 this app.
    pub origin: i64,
    /// Message type.
    pub msgtype: String,
    /// Servicer, for origin 5.
    pub servicer_userid: Option<String>,
    /// Text of a text message.
    pub text: Option<String>,
    /// Searchable text of other kinds.
    pub search_extra: Option<String>,
    /// Media to download.
    pub media_id: Option<String>,
    /// The stored JSON.
    pub json: String,
    /// Why it was stored raw.
    pub raw_reason: Option<String>,
    /// Recalled by its sender.
    pub recalled: bool,
    /// The agent, for our replies.
    pub sent_by: Option<String>,
}

/// A shared session.
#[derive(Debug, Clone, Default)]
pub struct MirrorSession {
    /// Account.
    pub open_kfid: String,
    /// Customer.
    pub external_userid: String,
    /// waiting | mine | wecom | ended.
    pub state: String,
    /// The agent who has it.
    pub owner: Option<String>,
    /// The WeCom servicer who has it.
    pub wecom_servicer: Option<String>,
    /// Waiting since.
    pub waiting_since: Option<i64>,
    /// The customer's last message.
    pub last_customer_msg_at: Option<i64>,
    /// Replies since then, team-wide.
    pub replies_since_customer: i64,
    /// Last change.
    pub updated_at: i64,
}

/// A shared reply.
#[derive(Debug, Clone, Default)]
pub struct MirrorOutbox {
    /// Our msgid.
    pub msgid: String,
    /// Account.
    pub open_kfid: String,
    /// Customer.
    pub external_userid: String,
    /// The send_msg body.
    pub content: String,
    /// queued | sent | failed.
    pub state: String,
    /// Attempts.
    pub attempts: i64,
    /// Why it failed.
    pub last_error: Option<String>,
    /// When written.
    pub created_at: i64,
    /// When WeChat accepted it.
    pub sent_at: Option<i64>,
}

/// A session ended in the team.
#[derive(Debug, Clone, Default)]
pub struct MirrorSessionEnd {
    /// Account.
    pub open_kfid: String,
    /// Customer.
    pub external_userid: String,
    /// When.
    pub ended_at: i64,
    /// By whom.
    pub ended_by: String,
}

/// A shared note.
#[derive(Debug, Clone, Default)]
pub struct MirrorNote {
    /// Customer.
    pub external_userid: String,
    /// The note.
    pub note: String,
    /// When.
    pub updated_at: i64,
}

/// Shared tags.
#[derive(Debug, Clone, Default)]
pub struct MirrorTags {
    /// Customer.
    pub external_userid: String,
    /// The whole set.
    pub tags: Vec<String>,
}

/// A shared canned reply, or its removal.
#[derive(Debug, Clone)]
pub struct MirrorCanned {
    /// The reply (scope team).
    pub reply: crate::canned::CannedReply,
    /// Removed in the team database.
    pub deleted: bool,
}

/// One batch of shared rows and the change number each table has reached with it.
#[derive(Debug, Clone, Default)]
pub struct MirrorBatch {
    /// Messages.
    pub messages: Vec<MirrorMessage>,
    /// Replies.
    pub outbox: Vec<MirrorOutbox>,
    /// Sessions.
    pub sessions: Vec<MirrorSession>,
    /// Ends.
    pub session_ends: Vec<MirrorSessionEnd>,
    /// Notes.
    pub notes: Vec<MirrorNote>,
    /// Tags.
    pub tags: Vec<MirrorTags>,
    /// Canned replies.
    pub canned: Vec<MirrorCanned>,
    /// Accounts: (open_kfid, name, avatar).
    pub accounts: Vec<(String, String, String)>,
    /// (table, change number reached).
    pub marks: Vec<(&'static str, i64)>,
}

/// What a batch changed here, for the window's events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MirrorApplied {
    /// (account, customer) with new messages.
    pub conversations: Vec<(String, String)>,
    /// (account, customer) whose session changed.
    pub sessions: Vec<(String, String)>,
    /// (msgid, state) of replies that changed.
    pub replies: Vec<(String, String)>,
    /// Customers whose note or tags changed.
    pub customers: Vec<String>,
    /// Messages newly stored.
    pub messages: usize,
}

impl Store {
    /// How far `table` has been mirrored.
    pub fn mirror_mark(&self, table: &str) -> Result<i64> {
        Ok(self
            .conn()
            .query_row(
                "SELECT seq FROM team_mirror WHERE name = ?1",
                [table],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0))
    }

    /// Applies a batch of shared rows and its marks in one transaction.
    pub fn mirror_apply(&self, batch: &MirrorBatch) -> Result<MirrorApplied> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut applied = MirrorApplied::default();
        for (kfid, name, avatar) in &batch.accounts {
            exec(&tx,
                "INSERT INTO account (open_kfid, name, avatar) VALUES (?1, ?2, ?3)
                 ON CONFLICT (open_kfid) DO UPDATE SET name = excluded.name, avatar = excluded.avatar",
                params![kfid, name, avatar],
            )?;
        }
        for m in &batch.messages {
            let key = search::new_key(&tx, m.send_time)?;
            let inserted = exec(&tx,
                "INSERT OR IGNORE INTO message (msgid, open_kfid, external_userid, send_time, origin, msgtype, servicer_userid, text, json, raw_reason, recalled, sent_by, search_key, search_extra)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                params![m.msgid, m.open_kfid, m.external_userid, m.send_time, m.origin, m.msgtype, m.servicer_userid, m.text, m.json, m.raw_reason, m.recalled, m.sent_by, key, m.search_extra],
            )?;
            if inserted > 0 {
                applied.messages += 1;
                if let Some(t) = m.text.as_deref().or(m.search_extra.as_deref()) {
                    search::index_text(&tx, key, t)?;
                }
                if let Some(media_id) = &m.media_id {
                    exec(
                        &tx,
                        "INSERT OR IGNORE INTO media (open_kfid, msgid, media_id, msgtype, state) VALUES (?1, ?2, ?3, ?4, 'pending')",
                        params![m.open_kfid, m.msgid, media_id, m.msgtype],
                    )?;
                }
                if let Some(c) = &m.external_userid {
                    applied.conversations.push((m.open_kfid.clone(), c.clone()));
                }
            } else {
                exec(
                    &tx,
                    "UPDATE message SET recalled = ?3, sent_by = COALESCE(?4, sent_by) WHERE open_kfid = ?1 AND msgid = ?2",
                    params![m.open_kfid, m.msgid, m.recalled, m.sent_by],
                )?;
            }
        }
        for o in &batch.outbox {
            exec(&tx,
                "INSERT INTO outbox (msgid, open_kfid, external_userid, content, state, attempts, last_error, created_at, sent_at, team_pushed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1)
                 ON CONFLICT (msgid) DO UPDATE SET state = excluded.state, attempts = excluded.attempts,
                     last_error = excluded.last_error, sent_at = excluded.sent_at, team_pushed = 1",
                params![o.msgid, o.open_kfid, o.external_userid, o.content, o.state, o.attempts, o.last_error, o.created_at, o.sent_at],
            )?;
            applied.replies.push((o.msgid.clone(), o.state.clone()));
        }
        for s in &batch.sessions {
            exec(&tx,
                "INSERT INTO session (open_kfid, external_userid, local_state, claimed_by, wecom_servicer, waiting_since, last_customer_msg_at, replies_since_customer, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (open_kfid, external_userid) DO UPDATE SET local_state = excluded.local_state,
                     claimed_by = excluded.claimed_by, wecom_servicer = excluded.wecom_servicer,
                     waiting_since = excluded.waiting_since, last_customer_msg_at = excluded.last_customer_msg_at,
                     replies_since_customer = excluded.replies_since_customer, updated_at = excluded.updated_at",
                params![s.open_kfid, s.external_userid, s.state, s.owner, s.wecom_servicer, s.waiting_since, s.last_customer_msg_at, s.replies_since_customer, s.updated_at],
            )?;
            applied
                .sessions
                .push((s.open_kfid.clone(), s.external_userid.clone()));
        }
        for e in &batch.session_ends {
            exec(
                &tx,
                "INSERT INTO session_end (open_kfid, external_userid, ended_at, ended_by) VALUES (?1, ?2, ?3, ?4)",
                params![e.open_kfid, e.external_userid, e.ended_at, e.ended_by],
            )?;
        }
        for n in &batch.notes {
            exec(&tx,
                "INSERT INTO customer_note (external_userid, note, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (external_userid) DO UPDATE SET note = excluded.note, updated_at = excluded.updated_at",
                params![n.external_userid, n.note, n.updated_at],
            )?;
            applied.customers.push(n.external_userid.clone());
        }
        for t in &batch.tags {
            exec(
                &tx,
                "DELETE FROM customer_tag WHERE external_userid = ?1",
                [&t.external_userid],
            )?;
            for tag in &t.tags {
                exec(
                    &tx,
                    "INSERT OR IGNORE INTO customer_tag (external_userid, tag) VALUES (?1, ?2)",
                    params![t.external_userid, tag],
                )?;
            }
            applied.customers.push(t.external_userid.clone());
        }
        for c in &batch.canned {
            if c.deleted {
                exec(&tx, "DELETE FROM canned_reply WHERE id = ?1", [&c.reply.id])?;
            } else {
                super::canned::put(&tx, &c.reply)?;
            }
        }
        for (table, seq) in &batch.marks {
            exec(
                &tx,
                "INSERT INTO team_mirror (name, seq) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET seq = MAX(seq, excluded.seq)",
                params![table, seq],
            )?;
        }
        tx.commit()?;
        applied.conversations.sort();
        applied.conversations.dedup();
        Ok(applied)
    }

    /// Local replies not yet in the shared outbox, oldest first.
    pub fn unpushed_replies(&self) -> Result<Vec<super::OutboxRow>> {
        self.outbox_where("state = 'queued' AND team_pushed = 0")
    }

    /// The shared outbox has this reply (or refused it for good).
    pub fn mark_pushed(&self, msgid: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE outbox SET team_pushed = 1 WHERE msgid = ?1",
            [msgid],
        )?;
        Ok(())
    }

    /// The conversation text of a message (a reply's summary).
    pub fn message_text(&self, open_kfid: &str, msgid: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT text FROM message WHERE open_kfid = ?1 AND msgid = ?2",
                params![open_kfid, msgid],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    /// The newest reply to this customer sent by someone other than `agent`: who and when.
    pub fn last_reply_by_other(
        &self,
        open_kfid: &str,
        customer: &str,
        agent: &str,
    ) -> Result<Option<(String, i64)>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT sent_by, send_time FROM message
                 WHERE open_kfid = ?1 AND external_userid = ?2 AND sent_by IS NOT NULL AND sent_by <> ?3
                 ORDER BY send_time DESC, id DESC LIMIT 1",
                params![open_kfid, customer, agent],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }
}
