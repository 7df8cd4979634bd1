//! The poller's side of the team database: the account lock, and the [`Ledger`] the engine
//! syncs into and sends from while this desktop holds it.
//!
//! Invariants: the lock is `pg_try_advisory_lock` on the poller's own connection, so it goes
//! when that connection goes (a crashed desktop frees it at once); every write checks, in the
//! same transaction, that this connection still holds it, and a page moves the cursor only from
//! the value it was fetched with. A page is stored exactly once whoever polls.

use super::{POLLER_LOCK_CLASS, TeamError, poller_key};
use crate::engine::EngineError;
use crate::ledger::Ledger;
use crate::store::{IngestReport, OutboxRow, SessionEffect, session_effect};
use kefu_wechat::message::SyncItem;
use serde_json::{Value, json};
use std::sync::Arc;
use tokio_postgres::Client;

/// Tries to take the poller lock of `open_kfid` on `client`'s connection.
pub(super) async fn try_lock(client: &Client, open_kfid: &str) -> Result<bool, TeamError> {
    Ok(client
        .query_one(
            "SELECT pg_try_advisory_lock($1, $2)",
            &[&POLLER_LOCK_CLASS, &poller_key(open_kfid)],
        )
        .await?
        .get(0))
}

/// The team database as the engine's ledger for one account this desktop polls.
pub struct PollerLedger {
    client: Arc<Client>,
    key: i32,
}

impl PollerLedger {
    /// The ledger of `open_kfid` on the poller connection `client` (which holds its lock).
    pub(super) fn new(client: Arc<Client>, open_kfid: &str) -> Self {
        Self {
            client,
            key: poller_key(open_kfid),
        }
    }
}

fn team(e: tokio_postgres::Error) -> EngineError {
    EngineError::Team(e.into())
}

/// One item as the team database's `ingest_page` takes it.
fn item_json(open_kfid: &str, item: &SyncItem, now: i64) -> Value {
    match item {
        SyncItem::Message(m) => {
            let (text, extra) = crate::store::text_and_extra(&m.body);
            let effect = session_effect(m);
            let (target, servicer, reason) = match &effect {
                Some(SessionEffect::Recall { msgid }) => (Some(msgid.clone()), None, None),
                Some(SessionEffect::SendFail { msgid, reason }) => {
                    (Some(msgid.clone()), None, Some(reason.clone()))
                }
                Some(SessionEffect::WecomTake { servicer }) => (None, servicer.clone(), None),
                _ => (None, None, None),
            };
            json!({
                "msgid": m.msgid.as_str(),
                "open_kfid": m.open_kfid().map(|k| k.as_str()).unwrap_or(open_kfid),
                "external_userid": m.external_userid().map(|c| c.as_str()),
                "send_time": m.send_time,
                "origin": m.origin,
                "msgtype": m.body.msgtype(),
                "servicer_userid": m.servicer_userid.as_ref().map(|s| s.as_str()),
                "text": text,
                "search_extra": extra,
                "media_id": m.body.media_id(),
                "json": serde_json::to_string(m).expect("wire types serialise"),
                "effect": effect.as_ref().map(SessionEffect::as_str),
                "target": target,
                "servicer": servicer,
                "reason": reason,
            })
        }
        SyncItem::Raw(r) => {
            json!({
                "msgid": crate::store::raw_msgid(r),
                "open_kfid": r.open_kfid.as_ref().map(|k| k.as_str()).unwrap_or(open_kfid),
                "external_userid": r.external_userid.as_ref().map(|c| c.as_str()),
                "send_time": r.send_time.unwrap_or(now),
                "origin": r.origin.unwrap_or(0),
                "msgtype": r.msgtype.as_deref().unwrap_or("unknown"),
                "json": r.json.to_string(),
                "raw_reason": format!("{:?}", r.reason),
            })
        }
    }
}

impl Ledger for PollerLedger {
    async fn cursor(&self, open_kfid: &str) -> Result<Option<String>, EngineError> {
        Ok(self
            .client
            .query_opt(
                "SELECT cursor FROM kefu.cursor WHERE open_kfid = $1",
                &[&open_kfid],
            )
            .await
            .map_err(team)?
            .map(|r| r.get(0)))
    }

    async fn ingest_page(
        &self,
        open_kfid: &str,
        items: Vec<SyncItem>,
        previous: Option<&str>,
        next_cursor: &str,
        now: i64,
    ) -> Result<IngestReport, EngineError> {
        let payload = Value::Array(items.iter().map(|i| item_json(open_kfid, i, now)).collect());
        let raw = items
            .iter()
            .filter(|i| matches!(i, SyncItem::Raw(_)))
            .count();
        let row = self
            .client
            .query_one(
                "SELECT kefu.ingest_page($1, $2, $3, $4, $5::text::jsonb, $6)::text",
                &[
                    &open_kfid,
                    &self.key,
                    &previous,
                    &next_cursor,
                    &payload.to_string(),
                    &now,
                ],
            )
            .await
            .map_err(team)?;
        let outcome: Value = serde_json::from_str(row.get::<_, &str>(0)).unwrap_or_default();
        let count = |k: &str| outcome[k].as_u64().unwrap_or(0) as usize;
        Ok(IngestReport {
            stored: count("stored"),
            duplicates: count("duplicates"),
            raw,
        })
    }

    async fn record_event_reply(
        &self,
        open_kfid: &str,
        customer: &str,
        msgid: &str,
        content_json: &str,
        outcome: Result<(), String>,
        now: i64,
    ) -> Result<(), EngineError> {
        let text = serde_json::from_str::<Value>(content_json)
            .ok()
            .and_then(|v| v["text"]["content"].as_str().map(str::to_owned));
        let error = outcome.err();
        self.client
            .execute(
                "SELECT kefu.record_event_reply($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    &open_kfid,
                    &self.key,
                    &customer,
                    &msgid,
                    &content_json,
                    &text,
                    &error,
                    &now,
                ],
            )
            .await
            .map_err(team)?;
        Ok(())
    }

    async fn queued_replies(&self, open_kfid: Option<&str>) -> Result<Vec<OutboxRow>, EngineError> {
        let Some(open_kfid) = open_kfid else {
            return Ok(Vec::new());
        };
        let rows = self
            .client
            .query(
                "SELECT msgid, open_kfid, external_userid, content, state, attempts, last_error
                 FROM kefu.outbox_queued($1, $2)",
                &[&open_kfid, &self.key],
            )
            .await
            .map_err(team)?;
        Ok(rows
            .iter()
            .map(|r| OutboxRow {
                msgid: r.get(0),
                open_kfid: r.get(1),
                external_userid: r.get(2),
                content: r.get(3),
                state: r.get(4),
                attempts: i64::from(r.get::<_, i32>(5)),
                last_error: r.get(6),
            })
            .collect())
    }

    async fn begin_attempt(&self, msgid: &str) -> Result<(), EngineError> {
        self.step(msgid, "attempt", None, 0).await
    }

    async fn note_attempt(&self, msgid: &str, error: &str) -> Result<(), EngineError> {
        self.step(msgid, "note", Some(error), 0).await
    }

    async fn mark_sent(&self, msgid: &str, now: i64) -> Result<(), EngineError> {
        self.step(msgid, "sent", None, now).await
    }

    async fn mark_failed(&self, msgid: &str, reason: &str) -> Result<(), EngineError> {
        self.step(msgid, "failed", Some(reason), 0).await
    }
}

impl PollerLedger {
    async fn step(
        &self,
        msgid: &str,
        step: &str,
        error: Option<&str>,
        now: i64,
    ) -> Result<(), EngineError> {
        self.client
            .execute(
                "SELECT kefu.outbox_step($1, $2, $3, $4, $5)",
                &[&msgid, &self.key, &step, &error, &now],
            )
            .await
            .map_err(team)?;
        Ok(())
    }
}
