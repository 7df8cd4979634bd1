//! The mirror: shared rows newer than this desktop's marks, pulled table by table in pages of
//! change numbers and applied to the local store with their marks in one transaction
//! (`Store::mirror_apply`). Because changes commit in number order, "everything above my mark"
//! never skips a change, whether the desktop was woken by `NOTIFY`, by its timer, or came back
//! from hours offline. Each applied batch is published as domain events for the window and the
//! notifier.

use super::{Team, TeamError};
use crate::canned::{CannedReply, Draft, Scope};
use crate::event::{DomainEvent, Events};
use crate::store::{
    MirrorBatch, MirrorCanned, MirrorMessage, MirrorNote, MirrorOutbox, MirrorSession,
    MirrorSessionEnd, MirrorTags, Store,
};
use tokio_postgres::{Client, Row};

/// Rows per table per batch.
const PAGE: i64 = 2000;

/// What a pull did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MirrorReport {
    /// Batches applied.
    pub batches: usize,
    /// Messages newly stored here.
    pub messages: usize,
    /// Rows applied in all.
    pub rows: usize,
}

async fn page(
    client: &Client,
    columns: &str,
    table: &str,
    after: i64,
) -> Result<(Vec<Row>, i64), TeamError> {
    let rows = client
        .query(
            &format!(
                "SELECT {columns}, seq FROM kefu.{table} WHERE seq > $1 ORDER BY seq LIMIT $2"
            ),
            &[&after, &PAGE],
        )
        .await?;
    let reached = rows
        .last()
        .map(|r| r.get::<_, i64>(r.len() - 1))
        .unwrap_or(after);
    Ok((rows, reached))
}

impl Team {
    /// Pulls every change above this store's marks and applies it; publishes what changed.
    pub async fn pull(&self, store: &Store) -> Result<MirrorReport, TeamError> {
        let events = self.events();
        let _one_at_a_time = self.pull_lock().lock().await;
        let r = async {
            let client = self.client().await?;
            let mut report = MirrorReport::default();
            loop {
                let (batch, full) = self.batch(&client, store).await?;
                if batch.marks.is_empty() {
                    return Ok(report);
                }
                let first = store.mirror_mark("message")? == 0;
                let rows = batch.messages.len()
                    + batch.outbox.len()
                    + batch.sessions.len()
                    + batch.session_ends.len()
                    + batch.notes.len()
                    + batch.tags.len()
                    + batch.canned.len()
                    + batch.accounts.len();
                let applied = store.mirror_apply(&batch)?;
                report.batches += 1;
                report.rows += rows;
                report.messages += applied.messages;
                publish(&events, applied, first);
                if !full {
                    return Ok(report);
                }
            }
        }
        .await;
        self.observe(r).await
    }

    /// One page of each table above its mark; `full` when some table had more.
    async fn batch(
        &self,
        client: &Client,
        store: &Store,
    ) -> Result<(MirrorBatch, bool), TeamError> {
        let mut batch = MirrorBatch::default();
        let mut full = false;
        let mut mark =
            |batch: &mut MirrorBatch, table: &'static str, n: usize, from: i64, to: i64| {
                if to > from {
                    batch.marks.push((table, to));
                }
                full |= n as i64 == PAGE;
            };

        let from = store.mirror_mark("account")?;
        let (rows, to) = page(client, "open_kfid, name, avatar", "account", from).await?;
        batch.accounts = rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        mark(&mut batch, "account", rows.len(), from, to);

        let from = store.mirror_mark("message")?;
        let (rows, to) = page(
            client,
            "open_kfid, msgid, external_userid, send_time, origin, msgtype, servicer_userid, text, search_extra, media_id, json, raw_reason, recalled, sent_by",
            "message",
            from,
        )
        .await?;
        batch.messages = rows
            .iter()
            .map(|r| MirrorMessage {
                open_kfid: r.get(0),
                msgid: r.get(1),
                external_userid: r.get(2),
                send_time: r.get(3),
                origin: i64::from(r.get::<_, i32>(4)),
                msgtype: r.get(5),
                servicer_userid: r.get(6),
                text: r.get(7),
                search_extra: r.get(8),
                media_id: r.get(9),
                json: r.get(10),
                raw_reason: r.get(11),
                recalled: r.get(12),
                sent_by: r.get(13),
            })
            .collect();
        mark(&mut batch, "message", rows.len(), from, to);

        let from = store.mirror_mark("outbox")?;
        let (rows, to) = page(
            client,
            "msgid, open_kfid, external_userid, content, state, attempts, last_error, created_at, sent_at",
            "outbox",
            from,
        )
        .await?;
        batch.outbox = rows
            .iter()
            .map(|r| MirrorOutbox {
                msgid: r.get(0),
                open_kfid: r.get(1),
                external_userid: r.get(2),
                content: r.get(3),
                state: r.get(4),
                attempts: i64::from(r.get::<_, i32>(5)),
                last_error: r.get(6),
                created_at: r.get(7),
                sent_at: r.get(8),
            })
            .collect();
        mark(&mut batch, "outbox", rows.len(), from, to);

        let from = store.mirror_mark("session")?;
        let (rows, to) = page(
            client,
            "open_kfid, external_userid, state, owner, wecom_servicer, waiting_since, last_customer_msg_at, replies_since_customer, updated_at",
            "session",
            from,
        )
        .await?;
        batch.sessions = rows
            .iter()
            .map(|r| MirrorSession {
                open_kfid: r.get(0),
                external_userid: r.get(1),
                state: r.get(2),
                owner: r.get(3),
                wecom_servicer: r.get(4),
                waiting_since: r.get(5),
                last_customer_msg_at: r.get(6),
                replies_since_customer: i64::from(r.get::<_, i32>(7)),
                updated_at: r.get(8),
            })
            .collect();
        mark(&mut batch, "session", rows.len(), from, to);

        let from = store.mirror_mark("session_end")?;
        let (rows, to) = page(
            client,
            "open_kfid, external_userid, ended_at, ended_by",
            "session_end",
            from,
        )
        .await?;
        batch.session_ends = rows
            .iter()
            .map(|r| MirrorSessionEnd {
                open_kfid: r.get(0),
                external_userid: r.get(1),
                ended_at: r.get(2),
                ended_by: r.get(3),
            })
            .collect();
        mark(&mut batch, "session_end", rows.len(), from, to);

        let from = store.mirror_mark("note")?;
        let (rows, to) = page(client, "external_userid, note, updated_at", "note", from).await?;
        batch.notes = rows
            .iter()
            .map(|r| MirrorNote {
                external_userid: r.get(0),
                note: r.get(1),
                updated_at: r.get(2),
            })
            .collect();
        mark(&mut batch, "note", rows.len(), from, to);

        let from = store.mirror_mark("tags")?;
        let (rows, to) = page(client, "external_userid, tags", "tags", from).await?;
        batch.tags = rows
            .iter()
            .map(|r| MirrorTags {
                external_userid: r.get(0),
                tags: r.get(1),
            })
            .collect();
        mark(&mut batch, "tags", rows.len(), from, to);

        let from = store.mirror_mark("canned")?;
        let (rows, to) = page(
            client,
            "id, folder, title, shortcut, body, deleted, updated_at, updated_by",
            "canned",
            from,
        )
        .await?;
        batch.canned = rows
            .iter()
            .map(|r| MirrorCanned {
                reply: CannedReply {
                    id: r.get(0),
                    draft: Draft {
                        scope: Scope::Team,
                        folder: r.get(1),
                        title: r.get(2),
                        shortcut: r.get(3),
                        body: r.get(4),
                    },
                    updated_at: r.get(6),
                    updated_by: r.get(7),
                    uses: 0,
                },
                deleted: r.get(5),
            })
            .collect();
        mark(&mut batch, "canned", rows.len(), from, to);

        Ok((batch, full))
    }
}

fn publish(events: &Events, applied: crate::store::MirrorApplied, history: bool) {
    let mut by_account: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (kfid, customer) in applied.conversations {
        by_account.entry(kfid).or_default().push(customer);
    }
    for (open_kfid, customers) in by_account {
        events.publish(DomainEvent::MessagesStored {
            open_kfid,
            customers,
            history,
        });
    }
    for (open_kfid, external_userid) in applied.sessions {
        events.publish(DomainEvent::SessionChanged {
            open_kfid,
            external_userid,
        });
    }
    for external_userid in applied.customers {
        events.publish(DomainEvent::CustomerChanged { external_userid });
    }
    for (msgid, state) in applied.replies {
        events.publish(DomainEvent::OutboxChanged { msgid, state });
    }
}
