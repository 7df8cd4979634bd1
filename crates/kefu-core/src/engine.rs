//! The engine: the client, the store and the clock, and the work done with them: syncing an
//! account until `has_more` is 0, and flushing the outbox.
//!
//! Invariants: each page is stored together with its cursor (see `store`); a reply is sent with
//! the msgid it was stored with and retried with the same msgid; "duplicate msgid" after an
//! attempt that may have reached WeChat counts as sent.

use crate::clock::Clock;
use crate::event::DomainEvent;
use crate::ledger::Ledger;
use crate::store::{IngestReport, Store, StoreError};
use kefu_wechat::api::{SendMsgRequest, SyncMsgRequest};
use kefu_wechat::error::errcode;
use kefu_wechat::send::Content;
use kefu_wechat::{Client, ErrorClass, MsgId, OpenKfId};
use std::sync::Arc;
use std::time::Duration;

/// An engine error.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The API failed in a way retrying will not fix, or retries ran out.
    #[error(transparent)]
    Api(#[from] kefu_wechat::Error),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The team database failed (team mode).
    #[error(transparent)]
    Team(#[from] crate::team::TeamError),
    /// A stored reply could not be read back.
    #[error("stored reply {0} is not a valid message body")]
    BadReply(String),
}

/// Why a reply cannot be recalled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RecallRefused {
    /// Not one of our replies (or WeChat does not know it).
    #[error("no such reply")]
    NotFound,
    /// Not delivered (queued or failed): nothing to recall.
    #[error("the reply was not delivered")]
    NotSent,
    /// More than 2 minutes after WeChat accepted it.
    #[error("a reply can be recalled only within 2 minutes")]
    TooLate,
}

/// What syncing an account did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SyncReport {
    /// Pages stored.
    pub pages: usize,
    /// Items newly stored.
    pub stored: usize,
    /// Items delivered again and skipped.
    pub duplicates: usize,
    /// Failed calls that were retried.
    pub retries: usize,
    /// Whether this round was the first import (the up-to-3-day backlog, not live traffic).
    pub history: bool,
}

/// What flushing the outbox did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FlushReport {
    /// Replies WeChat accepted.
    pub sent: usize,
    /// Replies WeChat rejected for good.
    pub failed: usize,
    /// Replies still queued (network trouble).
    pub pending: usize,
}

/// Capped exponential backoff with jitter.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    attempt: u32,
    seed: u64,
}

impl Backoff {
    /// A backoff from `base` doubling up to `cap`.
    pub fn new(base: Duration, cap: Duration) -> Self {
        Self {
            base,
            cap,
            attempt: 0,
            seed: u64::from(std::process::id()) | 1,
        }
    }

    /// The next delay: base·2ⁿ capped, minus up to half of it at random.
    pub fn next_delay(&mut self) -> Duration {
        let exp = self.base.saturating_mul(1u32 << self.attempt.min(16));
        self.attempt += 1;
        let full = exp.min(self.cap);
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        let jitter = (self.seed % 1000) as f64 / 2000.0;
        full.mul_f64(1.0 - jitter)
    }

    /// Starts over after a success.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

/// Client, store and clock.
#[derive(Clone)]
pub struct Engine {
    /// The API client.
    pub client: Arc<Client>,
    /// The local database.
    pub store: Arc<Store>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Consecutive retryable failures tolerated before giving up a round.
    pub max_retries: usize,
    /// Backoff between retries.
    pub backoff: (Duration, Duration),
    /// Domain events for the UI and the notifier.
    pub events: crate::event::Events,
    /// Welcome text sent through `send_msg_on_event` when a customer enters; none when unset.
    /// Shared by every clone, so a change in the settings applies to the next customer.
    welcome: Arc<std::sync::RwLock<Option<String>>>,
    /// What ending a session here sends (closing text, survey); shared like the welcome.
    closing: Arc<std::sync::RwLock<crate::survey::Closing>>,
    /// Business hours (the away text outside them); shared like the welcome.
    hours: Arc<std::sync::RwLock<crate::hours::Hours>>,
}

impl Engine {
    /// An engine with default retry settings.
    pub fn new(client: Arc<Client>, store: Arc<Store>, clock: Arc<dyn Clock>) -> Self {
        Self {
            client,
            store,
            clock,
            max_retries: 40,
            backoff: (Duration::from_millis(50), Duration::from_secs(5)),
            events: Default::default(),
            welcome: Default::default(),
            closing: Default::default(),
            hours: Default::default(),
        }
    }

    /// The same engine publishing to `events` instead (a team poller's pages reach the window
    /// through the mirror, not directly).
    pub fn with_events(&self, events: crate::event::Events) -> Self {
        Self {
            events,
            ..self.clone()
        }
    }

    /// Sets (or with `None` turns off) the welcome sent to customers who enter from now on.
    pub fn set_welcome(&self, text: Option<String>) {
        *self.welcome.write().unwrap_or_else(|p| p.into_inner()) = text;
    }

    /// Sets the business hours from now on.
    pub fn set_hours(&self, hours: crate::hours::Hours) {
        *self.hours.write().unwrap_or_else(|p| p.into_inner()) = hours;
    }

    /// The business hours in effect.
    pub fn hours(&self) -> crate::hours::Hours {
        self.hours.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Sets what ending a session sends from now on.
    pub fn set_closing(&self, closing: crate::survey::Closing) {
        *self.closing.write().unwrap_or_else(|p| p.into_inner()) = closing;
    }

    /// The welcome text in effect.
    pub fn welcome(&self) -> Option<String> {
        self.welcome
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The accounts to serve: `configured`, or every account from `kf/account/list`.
    pub async fn accounts(&self, configured: &[String]) -> Result<Vec<OpenKfId>, EngineError> {
        let listed = self.with_retries(|| self.client.account_list()).await?.0;
        self.store.upsert_accounts(&listed)?;
        if configured.is_empty() {
            Ok(listed.into_iter().map(|a| a.open_kfid).collect())
        } else {
            Ok(configured
                .iter()
                .map(|k| OpenKfId::from(k.as_str()))
                .collect())
        }
    }

    async fn with_retries<T, F, Fut>(&self, call: F) -> Result<(T, usize), kefu_wechat::Error>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, kefu_wechat::Error>>,
    {
        self.with_retries_for(None, call).await
    }

    /// [`Engine::with_retries`] that, syncing `account`, records the trouble once
    /// [`TROUBLE_AFTER`] attempts in a row have failed, so sync health shows "offline" within a
    /// second of an outage rather than when the retries run out (a later success clears it).
    async fn with_retries_for<T, F, Fut>(
        &self,
        account: Option<&str>,
        mut call: F,
    ) -> Result<(T, usize), kefu_wechat::Error>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, kefu_wechat::Error>>,
    {
        let mut backoff = Backoff::new(self.backoff.0, self.backoff.1);
        let mut retries = 0;
        loop {
            match call().await {
                Ok(v) => return Ok((v, retries)),
                Err(e) if e.is_retryable() && retries < self.max_retries => {
                    retries += 1;
                    if let Some(account) = account.filter(|_| retries == TROUBLE_AFTER) {
                        let noted =
                            self.store
                                .record_sync_error(account, &e.to_string(), self.clock.now());
                        if let Err(store_error) = noted {
                            tracing::warn!(error = %store_error, "sync trouble not recorded");
                        }
                        self.events.publish(DomainEvent::SyncStatus {
                            open_kfid: account.to_owned(),
                            ok: false,
                        });
                    }
                    // 45009 blocks for a whole limit window.
                    let delay = if e.class() == ErrorClass::RateLimited {
                        Duration::from_secs(60).min(self.backoff.1 * 12)
                    } else {
                        backoff.next_delay()
                    };
                    tracing::debug!(error = %e, retries, "retrying");
                    tokio::time::sleep(delay).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Pulls `open_kfid` from the stored cursor until `has_more` is 0, storing each page with
    /// its cursor in one transaction.
    pub async fn sync_account(&self, open_kfid: &OpenKfId) -> Result<SyncReport, EngineError> {
        self.sync_account_into(open_kfid, &self.store).await
    }

    /// [`Engine::sync_account`] into any ledger: the local store, or the team database for an
    /// account this desktop polls.
    pub async fn sync_account_into(
        &self,
        open_kfid: &OpenKfId,
        ledger: &impl Ledger,
    ) -> Result<SyncReport, EngineError> {
        let mut cursor = ledger.cursor(open_kfid.as_str()).await?;
        // A round from no cursor is the up-to-3-day backlog: history, not news.
        let mut report = SyncReport {
            history: cursor.is_none(),
            ..SyncReport::default()
        };
        loop {
            let request = SyncMsgRequest {
                cursor: cursor.clone(),
                open_kfid: Some(open_kfid.clone()),
                limit: Some(1000),
                ..Default::default()
            };
            let page = match self
                .with_retries_for(Some(open_kfid.as_str()), || self.client.sync_msg(&request))
                .await
            {
                Ok((page, retries)) => {
                    report.retries += retries;
                    page
                }
                Err(e) => {
                    self.store.record_sync_error(
                        open_kfid.as_str(),
                        &e.to_string(),
                        self.clock.now(),
                    )?;
                    self.events.publish(DomainEvent::SyncStatus {
                        open_kfid: open_kfid.to_string(),
                        ok: false,
                    });
                    return Err(e.into());
                }
            };
            let now = self.clock.now();
            let has_more = page.has_more;
            let welcome_codes: Vec<(String, String, i64)> =
                page.items.iter().filter_map(welcome_code).collect();
            let mut customers: Vec<String> = page.items.iter().filter_map(customer_of).collect();
            customers.sort();
            customers.dedup();
            let next_cursor = page.next_cursor.clone();
            let ingest: IngestReport = ledger
                .ingest_page(
                    open_kfid.as_str(),
                    page.items,
                    cursor.as_deref(),
                    &page.next_cursor,
                    now,
                )
                .await?;
            // The store now holds this cursor; no need to read it back.
            cursor = Some(next_cursor);
            report.pages += 1;
            report.stored += ingest.stored;
            report.duplicates += ingest.duplicates;
            if ingest.stored > 0 {
                self.events.publish(DomainEvent::MessagesStored {
                    open_kfid: open_kfid.to_string(),
                    customers,
                    history: report.history,
                });
            }
            if report.history {
                self.events.publish(DomainEvent::ImportProgress {
                    open_kfid: open_kfid.to_string(),
                    pages: report.pages,
                    stored: report.stored,
                    more: has_more,
                });
            } else {
                self.send_welcomes(open_kfid.as_str(), welcome_codes, ledger)
                    .await?;
            }
            if !has_more {
                self.store
                    .record_sync_success(open_kfid.as_str(), self.clock.now())?;
                self.events.publish(DomainEvent::SyncStatus {
                    open_kfid: open_kfid.to_string(),
                    ok: true,
                });
                return Ok(report);
            }
        }
    }

    /// Sends the configured welcome to customers who just entered, while their code is valid
    /// (20 s, single use). Not for the history import: those codes are long gone.
    async fn send_welcomes(
        &self,
        open_kfid: &str,
        codes: Vec<(String, String, i64)>,
        ledger: &impl Ledger,
    ) -> Result<(), EngineError> {
        let welcome = self.welcome();
        let hours = self.hours();
        for (customer, code, entered_at) in codes {
            if self.clock.now() - entered_at > WELCOME_CODE_SECS {
                continue;
            }
            // Outside business hours the away text takes the welcome's place.
            let away = hours.of(open_kfid);
            let text = if !away.is_open(entered_at) && !away.away_text.trim().is_empty() {
                away.away_text.clone()
            } else if let Some(w) = &welcome {
                w.clone()
            } else {
                continue;
            };
            self.send_on_event(ledger, open_kfid, &customer, code, Content::text(&text))
                .await?;
        }
        Ok(())
    }

    /// Fetches profiles (batches of ≤ 100) of customers active in the last 48 h whose profile is
    /// missing or older than an hour; WeChat only resolves customers active within 48 h.
    pub async fn refresh_profiles(&self) -> Result<usize, EngineError> {
        let now = self.clock.now();
        let ids = self
            .store
            .customers_needing_profile(now - crate::rules::WINDOW_SECS, now - 3600)?;
        if ids.is_empty() {
            return Ok(0);
        }
        let ids: Vec<kefu_wechat::ExternalUserId> = ids.into_iter().map(Into::into).collect();
        let (found, _) = self
            .with_retries(|| self.client.customer_batchget(&ids, false))
            .await?;
        self.store.upsert_customers(&found.customer_list, now)?;
        Ok(found.customer_list.len())
    }

    /// Sends every queued reply with its stored msgid.
    pub async fn flush_outbox(&self) -> Result<FlushReport, EngineError> {
        self.flush_outbox_from(&self.store, None).await
    }

    /// [`Engine::flush_outbox`] from any ledger, of one account or all.
    pub async fn flush_outbox_from(
        &self,
        ledger: &impl Ledger,
        open_kfid: Option<&str>,
    ) -> Result<FlushReport, EngineError> {
        let mut report = FlushReport::default();
        for row in ledger.queued_replies(open_kfid).await? {
            let content = match self.resolve_content(&row.content).await {
                Ok(c) => c,
                Err(EngineError::Api(e)) if !e.is_permanent() => {
                    ledger.note_attempt(&row.msgid, &e.to_string()).await?;
                    report.pending += 1;
                    return Ok(report);
                }
                Err(e) => {
                    self.reply_failed(ledger, &row.msgid, &e.to_string())
                        .await?;
                    report.failed += 1;
                    continue;
                }
            };
            let request = SendMsgRequest {
                touser: row.external_userid.clone().into(),
                open_kfid: row.open_kfid.clone().into(),
                msgid: Some(MsgId::from(row.msgid.as_str())),
                content,
            };
            // Counted before the call: after a crash, attempts > 0 says the request may have
            // reached WeChat, which is what makes a duplicate-msgid answer mean "sent".
            let mut may_have_reached = row.attempts > 0;
            let mut backoff = Backoff::new(self.backoff.0, self.backoff.1);
            let mut tries = 0;
            loop {
                ledger.begin_attempt(&row.msgid).await?;
                match self.client.send_msg(&request).await {
                    Ok(_) => {
                        self.reply_sent(ledger, &row.msgid).await?;
                        report.sent += 1;
                        break;
                    }
                    Err(e) if e.errcode() == Some(errcode::DUPLICATE_MSGID) && may_have_reached => {
                        self.reply_sent(ledger, &row.msgid).await?;
                        report.sent += 1;
                        break;
                    }
                    Err(e) if e.is_permanent() || e.class() == ErrorClass::RefreshToken => {
                        self.reply_failed(ledger, &row.msgid, &e.to_string())
                            .await?;
                        report.failed += 1;
                        break;
                    }
                    Err(e) => {
                        may_have_reached = true;
                        ledger.note_attempt(&row.msgid, &e.to_string()).await?;
                        tries += 1;
                        if tries > self.max_retries {
                            report.pending += 1;
                            return Ok(report);
                        }
                        tokio::time::sleep(backoff.next_delay()).await;
                    }
                }
            }
        }
        Ok(report)
    }

    /// Recalls one of our replies through `kf/recall_msg`: only a reply WeChat accepted, within
    /// [`kefu_wechat::api::RECALL_WINDOW_SECS`] of it; it stays in the conversation, marked
    /// recalled, and still counts toward the 5-reply allowance (as on WeChat's side).
    pub async fn recall(&self, msgid: &str) -> Result<Result<(), RecallRefused>, EngineError> {
        let Some((open_kfid, state, sent_at)) = self.store.reply_delivery(msgid)? else {
            return Ok(Err(RecallRefused::NotFound));
        };
        let Some(sent_at) = sent_at.filter(|_| state == "sent") else {
            return Ok(Err(RecallRefused::NotSent));
        };
        if self.clock.now() - sent_at > kefu_wechat::api::RECALL_WINDOW_SECS {
            return Ok(Err(RecallRefused::TooLate));
        }
        let req = kefu_wechat::api::RecallMsgRequest {
            open_kfid: open_kfid.as_str().into(),
            msgid: msgid.to_owned(),
        };
        match self.client.recall_msg(&req).await {
            Ok(()) => {}
            Err(e) => {
                return match e.errcode() {
                    Some(kefu_wechat::error::errcode::RECALL_NOT_FOUND) => {
                        Ok(Err(RecallRefused::NotFound))
                    }
                    Some(kefu_wechat::error::errcode::RECALL_TOO_LATE) => {
                        Ok(Err(RecallRefused::TooLate))
                    }
                    _ => Err(e.into()),
                };
            }
        }
        self.store.mark_recalled(&open_kfid, msgid)?;
        self.events
            .publish(crate::event::DomainEvent::OutboxChanged {
                msgid: msgid.to_owned(),
                state,
            });
        Ok(Ok(()))
    }

    /// Ends a session locally and, when the API owns it on WeChat's side (state 0/1), there too.
    pub async fn end_session(
        &self,
        open_kfid: &str,
        customer: &str,
        agent: &str,
    ) -> Result<Result<String, crate::store::QueueRefused>, EngineError> {
        let outcome = self.store.queue_action(
            open_kfid,
            customer,
            agent,
            crate::store::QueueAction::End,
            self.clock.now(),
        )?;
        if outcome.is_ok() {
            self.end_on_wechat(open_kfid, customer).await;
        }
        Ok(outcome)
    }

    /// Sends the closing text and survey with the end's `msg_code` and records it in the
    /// conversation (sent or failed); a failure is logged and changes nothing else.
    async fn send_closing(&self, open_kfid: &str, customer: &str, code: String) {
        let closing = self
            .closing
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let Some(content) = crate::survey::closing_content(&closing) else {
            return;
        };
        let ledger = self.store.clone();
        if let Err(e) = self
            .send_on_event(&ledger, open_kfid, customer, code, content)
            .await
        {
            tracing::warn!(error = %e, "the closing message was not recorded");
        }
    }

    /// Sends `content` with a single-use event code (`send_msg_on_event`) and records it in the
    /// conversation, sent or failed, outside the 5-reply allowance; a refusal is logged.
    async fn send_on_event(
        &self,
        ledger: &impl Ledger,
        open_kfid: &str,
        customer: &str,
        code: String,
        content: Content,
    ) -> Result<(), EngineError> {
        let json = serde_json::to_string(&content).expect("content serialises");
        let msgid = new_msgid();
        let request = kefu_wechat::api::SendMsgOnEventRequest {
            code,
            msgid: Some(MsgId::from(msgid.as_str())),
            content,
        };
        let outcome = self
            .client
            .send_msg_on_event(&request)
            .await
            .map(drop)
            .map_err(|e| e.to_string());
        if let Err(e) = &outcome {
            tracing::warn!(error = %e, "a message on an event code was not sent");
        }
        let sent = outcome.is_ok();
        ledger
            .record_event_reply(
                open_kfid,
                customer,
                &msgid,
                &json,
                outcome,
                self.clock.now(),
            )
            .await?;
        self.events.publish(DomainEvent::OutboxChanged {
            msgid,
            state: if sent { "sent" } else { "failed" }.into(),
        });
        Ok(())
    }

    /// Ends the session on WeChat's side too when the API owns it there (state 0/1), after it
    /// was ended here (or in the team). A failure is logged: the session stays ended here.
    pub async fn end_on_wechat(&self, open_kfid: &str, customer: &str) {
        let get = kefu_wechat::api::ServiceStateGetRequest {
            open_kfid: open_kfid.into(),
            external_userid: customer.into(),
        };
        match self.client.service_state_get(&get).await {
            Ok(s) if s.service_state <= kefu_wechat::api::service_state::API => {
                let trans = kefu_wechat::api::ServiceStateTransRequest {
                    open_kfid: open_kfid.into(),
                    external_userid: customer.into(),
                    service_state: kefu_wechat::api::service_state::ENDED,
                    servicer_userid: None,
                };
                match self.client.service_state_trans(&trans).await {
                    Ok(r) => {
                        if let Some(code) = r.msg_code {
                            self.send_closing(open_kfid, customer, code).await;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "ending the session on WeChat failed; it stays ended here")
                    }
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not read the session state on WeChat"),
        }
    }

    async fn reply_sent(&self, ledger: &impl Ledger, msgid: &str) -> Result<(), EngineError> {
        ledger.mark_sent(msgid, self.clock.now()).await?;
        self.events.publish(DomainEvent::OutboxChanged {
            msgid: msgid.to_owned(),
            state: "sent".into(),
        });
        Ok(())
    }

    async fn reply_failed(
        &self,
        ledger: &impl Ledger,
        msgid: &str,
        reason: &str,
    ) -> Result<(), EngineError> {
        ledger.mark_failed(msgid, reason).await?;
        self.events.publish(DomainEvent::OutboxChanged {
            msgid: msgid.to_owned(),
            state: "failed".into(),
        });
        Ok(())
    }

    /// The `send_msg` body of a stored reply; an image or file reply is uploaded first
    /// (`media/upload`), from the copy kept in the data directory.
    pub async fn resolve_content(&self, stored: &str) -> Result<Content, EngineError> {
        let bad = || EngineError::BadReply(stored.chars().take(40).collect());
        let value: serde_json::Value = serde_json::from_str(stored).map_err(|_| bad())?;
        let Some(upload) = value.get("upload") else {
            return serde_json::from_value(value).map_err(|_| bad());
        };
        let upload: Upload = serde_json::from_value(upload.clone()).map_err(|_| bad())?;
        let data_dir = self.store.data_dir();
        let bytes = std::fs::read(data_dir.join(&upload.path)).map_err(|_| bad())?;
        let media_type = kefu_wechat::api::MediaType::parse(&upload.media_type).ok_or_else(bad)?;
        let uploaded = self
            .client
            .media_upload(
                media_type,
                &upload.filename,
                &upload.content_type,
                bytes.into(),
            )
            .await?;
        let media = kefu_wechat::send::MediaContent {
            media_id: uploaded.media_id,
        };
        Ok(match media_type {
            kefu_wechat::api::MediaType::Image => Content::Image { image: media },
            kefu_wechat::api::MediaType::Voice => Content::Voice { voice: media },
            kefu_wechat::api::MediaType::Video => Content::Video { video: media },
            kefu_wechat::api::MediaType::File => Content::File { file: media },
        })
    }

    /// Checks the rules and enqueues an image or file reply. The file is copied into the data
    /// directory under a content-hash name (so the reply survives the original being moved) and
    /// uploaded when sent; its own name is only the name the customer sees.
    pub fn enqueue_file(
        &self,
        open_kfid: &str,
        customer: &str,
        source: &std::path::Path,
        media_type: kefu_wechat::api::MediaType,
    ) -> Result<Result<crate::store::OutboxRow, crate::store::ReplyRefused>, EngineError> {
        let bytes = std::fs::read(source).map_err(crate::store::StoreError::Io)?;
        let filename = source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".into());
        self.enqueue_file_bytes(open_kfid, customer, &filename, &bytes, media_type)
    }

    /// [`Engine::enqueue_file`] for bytes in memory (a file dropped on the window). `filename`
    /// is for display only: it never becomes a path.
    pub fn enqueue_file_bytes(
        &self,
        open_kfid: &str,
        customer: &str,
        filename: &str,
        bytes: &[u8],
        media_type: kefu_wechat::api::MediaType,
    ) -> Result<Result<crate::store::OutboxRow, crate::store::ReplyRefused>, EngineError> {
        use sha2::Digest;
        if bytes.len() > media_type.max_bytes() {
            return Err(EngineError::Api(kefu_wechat::Error::InvalidRequest(
                format!(
                    "{} is over the {} MB limit",
                    media_type.as_str(),
                    media_type.max_bytes() / (1024 * 1024)
                ),
            )));
        }
        let filename = display_name(filename);
        let extension = std::path::Path::new(&filename)
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let content_type = content_type_of(&extension);
        let hash = format!("{:x}", sha2::Sha256::digest(bytes));
        let safe_ext: String = extension
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(8)
            .collect();
        let relative = format!(
            "outbox/{hash}.{}",
            if safe_ext.is_empty() {
                "bin"
            } else {
                &safe_ext
            }
        );
        let data_dir = self.store.data_dir();
        std::fs::create_dir_all(data_dir.join("outbox")).map_err(crate::store::StoreError::Io)?;
        std::fs::write(data_dir.join(&relative), bytes).map_err(crate::store::StoreError::Io)?;
        let stored = serde_json::json!({
            "msgtype": media_type.as_str(),
            "upload": Upload { media_type: media_type.as_str().into(), path: relative, filename: filename.clone(), content_type: content_type.into() },
        });
        Ok(self.store.enqueue_reply(
            open_kfid,
            customer,
            &new_msgid(),
            &stored.to_string(),
            Some(&filename),
            self.clock.now(),
        )?)
    }

    /// Checks the rules and enqueues a text reply (no network). The msgid is new and unique.
    pub fn enqueue_text(
        &self,
        open_kfid: &str,
        customer: &str,
        text: &str,
    ) -> Result<Result<crate::store::OutboxRow, crate::store::ReplyRefused>, EngineError> {
        let content = Content::text(text);
        let json = serde_json::to_string(&content).expect("content serialises");
        let msgid = new_msgid();
        Ok(self.store.enqueue_reply(
            open_kfid,
            customer,
            &msgid,
            &json,
            Some(text),
            self.clock.now(),
        )?)
    }
}

/// A reply's file, kept in the data directory until it is uploaded and sent.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Upload {
    media_type: String,
    path: String,
    filename: String,
    content_type: String,
}

/// A file name for display: its last path component, without control characters, at most 128
/// characters; "file" when nothing is left.
pub fn display_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last.chars().filter(|c| !c.is_control()).take(128).collect();
    let clean = clean.trim().trim_start_matches('.').to_owned();
    if clean.is_empty() {
        "file".into()
    } else {
        clean
    }
}

/// The content type of a reply file, by its extension.
pub fn content_type_of(extension: &str) -> &'static str {
    match extension {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "pdf" => "application/pdf",
        "amr" => "audio/amr",
        "mp4" => "video/mp4",
        _ => "application/octet-stream",
    }
}

/// Failed attempts in a row after which a sync counts as in trouble (offline) while it retries.
pub const TROUBLE_AFTER: usize = 3;

/// How long an `enter_session` welcome code is valid.
pub const WELCOME_CODE_SECS: i64 = 20;

/// (customer, welcome code, entry time) of an `enter_session` that carries a code.
fn welcome_code(item: &kefu_wechat::message::SyncItem) -> Option<(String, String, i64)> {
    let kefu_wechat::message::SyncItem::Message(m) = item else {
        return None;
    };
    match &m.body {
        kefu_wechat::message::Body::Event {
            event:
                kefu_wechat::event::Event::EnterSession {
                    external_userid,
                    welcome_code: Some(code),
                    ..
                },
        } => Some((external_userid.to_string(), code.clone(), m.send_time)),
        _ => None,
    }
}

fn customer_of(item: &kefu_wechat::message::SyncItem) -> Option<String> {
    match item {
        kefu_wechat::message::SyncItem::Message(m) => m.external_userid().map(|c| c.to_string()),
        kefu_wechat::message::SyncItem::Raw(r) => r.external_userid.as_ref().map(|c| c.to_string()),
    }
}

/// A new msgid: 32 of `[0-9a-zA-Z]`, from the time, the process and a counter, mixed.
pub fn new_msgid() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut state =
        nanos ^ (u64::from(std::process::id()) << 32) ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    const CHARS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    (0..32)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            CHARS[((z ^ (z >> 31)) % 62) as usize] as char
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msgids_are_valid_and_distinct() {
        let ids: std::collections::HashSet<_> = (0..10_000).map(|_| new_msgid()).collect();
        assert_eq!(ids.len(), 10_000, "msgids never repeat");
        assert!(
            ids.iter().all(|m| MsgId::is_valid_for_send(m)),
            "msgids fit WeChat's charset and length"
        );
    }

    #[test]
    fn backoff_is_capped() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(2));
        let delays: Vec<_> = (0..10).map(|_| b.next_delay()).collect();
        assert!(
            delays.iter().all(|d| *d <= Duration::from_secs(2)),
            "{delays:?}"
        );
        assert!(
            delays[9] >= Duration::from_secs(1),
            "grows to the cap (minus jitter)"
        );
    }
}
