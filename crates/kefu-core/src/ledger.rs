//! Where the engine keeps what it syncs and sends: the local store in solo mode, the team
//! database for an account this desktop polls in team mode. One interface, so the sync loop and
//! the outbox rules (a reply keeps its msgid; "duplicate msgid" after an attempt means sent) are
//! written once, in `engine`.

use crate::engine::EngineError;
use crate::store::{IngestReport, OutboxRow, Store};
use kefu_wechat::message::SyncItem;
use std::future::Future;
use std::sync::Arc;

/// Pages with their cursor, and the outbox.
pub trait Ledger: Send + Sync {
    /// The stored cursor of an account.
    fn cursor(
        &self,
        open_kfid: &str,
    ) -> impl Future<Output = Result<Option<String>, EngineError>> + Send;

    /// Stores a page and moves the cursor from `previous` to `next_cursor`, atomically.
    fn ingest_page(
        &self,
        open_kfid: &str,
        items: Vec<SyncItem>,
        previous: Option<&str>,
        next_cursor: &str,
        now: i64,
    ) -> impl Future<Output = Result<IngestReport, EngineError>> + Send;

    /// Records a message sent (or refused) through `send_msg_on_event`.
    fn record_event_reply(
        &self,
        open_kfid: &str,
        customer: &str,
        msgid: &str,
        content_json: &str,
        outcome: Result<(), String>,
        now: i64,
    ) -> impl Future<Output = Result<(), EngineError>> + Send;

    /// Replies waiting to be sent, oldest first (of one account, or all).
    fn queued_replies(
        &self,
        open_kfid: Option<&str>,
    ) -> impl Future<Output = Result<Vec<OutboxRow>, EngineError>> + Send;

    /// Counts an attempt before the call is made.
    fn begin_attempt(&self, msgid: &str) -> impl Future<Output = Result<(), EngineError>> + Send;

    /// Notes an attempt that reached no verdict.
    fn note_attempt(
        &self,
        msgid: &str,
        error: &str,
    ) -> impl Future<Output = Result<(), EngineError>> + Send;

    /// WeChat accepted the reply.
    fn mark_sent(
        &self,
        msgid: &str,
        now: i64,
    ) -> impl Future<Output = Result<(), EngineError>> + Send;

    /// WeChat rejected the reply for good.
    fn mark_failed(
        &self,
        msgid: &str,
        reason: &str,
    ) -> impl Future<Output = Result<(), EngineError>> + Send;
}

impl Ledger for Arc<Store> {
    async fn cursor(&self, open_kfid: &str) -> Result<Option<String>, EngineError> {
        Ok(Store::cursor(self, open_kfid)?)
    }

    async fn ingest_page(
        &self,
        open_kfid: &str,
        items: Vec<SyncItem>,
        _previous: Option<&str>,
        next_cursor: &str,
        now: i64,
    ) -> Result<IngestReport, EngineError> {
        // The store is the only writer of its cursor: no compare-and-set needed.
        let store = self.clone();
        let (kfid, next) = (open_kfid.to_owned(), next_cursor.to_owned());
        Ok(tokio::task::spawn_blocking(move || {
            Store::ingest_page(&store, &kfid, &items, &next, now)
        })
        .await
        .expect("ingest task does not panic")?)
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
        Ok(Store::record_event_reply(
            self,
            open_kfid,
            customer,
            msgid,
            content_json,
            outcome.as_ref().map(|_| ()).map_err(String::as_str),
            now,
        )?)
    }

    async fn queued_replies(&self, open_kfid: Option<&str>) -> Result<Vec<OutboxRow>, EngineError> {
        let mut rows = Store::queued_replies(self)?;
        if let Some(kfid) = open_kfid {
            rows.retain(|r| r.open_kfid == kfid);
        }
        Ok(rows)
    }

    async fn begin_attempt(&self, msgid: &str) -> Result<(), EngineError> {
        Ok(Store::begin_attempt(self, msgid)?)
    }

    async fn note_attempt(&self, msgid: &str, error: &str) -> Result<(), EngineError> {
        Ok(Store::note_attempt(self, msgid, error)?)
    }

    async fn mark_sent(&self, msgid: &str, now: i64) -> Result<(), EngineError> {
        Ok(Store::mark_sent(self, msgid, now)?)
    }

    async fn mark_failed(&self, msgid: &str, reason: &str) -> Result<(), EngineError> {
        Ok(Store::mark_failed(self, msgid, reason)?)
    }
}
