//! The rows of a report from the local store (solo mode, and the team mirror, which holds every
//! team row): the timeline of customer messages, delivered replies and ends that migration 008
//! keeps as they are written, and the refused replies of a range.

use super::{Result, Store};
use crate::report::{Item, ItemKind, Refusal, ReportInput, ReportQuery, errcode_in};
use rusqlite::{Row, params};

impl Store {
    /// Loads what [`crate::report::compute`] needs for `query`; replies sent from this app
    /// without a recorded sender (solo mode) are credited to `self_agent`.
    ///
    /// The rows come from the timeline that migration 008 keeps as messages, deliveries and
    /// ends are written (`report_item`): integers in time order, read in two halves at once
    /// when the range is long.
    pub fn report_input(&self, query: &ReportQuery, self_agent: &str) -> Result<ReportInput> {
        let (from, until) = (query.load_from(), query.until);
        let conn = self.conn();
        let mut input = ReportInput::default();
        let mut names = conn.prepare_cached("SELECT open_kfid, name FROM account")?;
        let mut rows = names.query([])?;
        while let Some(r) = rows.next()? {
            input.name_account(text(r, 0)?, text(r, 1)?);
        }
        // The store's numbers of accounts and senders, to the report's (both are few).
        let mut accounts = Vec::new();
        let mut stmt = conn.prepare_cached("SELECT id, open_kfid FROM report_account")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let number = input.account(text(r, 1)?);
            set(&mut accounts, id, number);
        }
        let mut actors = Vec::new();
        let mut stmt = conn.prepare_cached("SELECT id, name, wecom FROM report_actor")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let number = input.actor(text(r, 1)?, r.get(2)?);
            set(&mut actors, id, number);
        }
        let unnamed = input.actor(self_agent, false);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let items = if cores > 1 && until - from > SPLIT_SECS {
            // Two halves of the range at once, the second on its own read connection (WAL
            // lets it read beside the first).
            let mid = from + (until - from) / 2;
            let second = rusqlite::Connection::open_with_flags(
                &self.path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                    | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            std::thread::scope(|scope| {
                let later = scope.spawn(move || timeline(&second, (mid, until)));
                let mut items = timeline(&conn, (from, mid))?;
                let later = later
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
                items.extend(later);
                Ok::<_, super::StoreError>(items)
            })?
        } else {
            timeline(&conn, (from, until))?
        };
        input.reserve(items.len());
        for row in items {
            let account = number(&accounts, row.account())?;
            input.numbered_conversation(row.conv(), account);
            let (kind, actor) = match row.kind() {
                0 => (ItemKind::Customer, 0),
                1 => (
                    ItemKind::Reply,
                    match row.actor() {
                        0 => unnamed,
                        id => number(&actors, id)?,
                    },
                ),
                2 => (ItemKind::End { in_wecom: false }, 0),
                _ => (ItemKind::End { in_wecom: true }, 0),
            };
            input.push(Item {
                conv: row.conv(),
                time: row.time,
                kind,
                actor,
            });
        }
        // Refused replies, where they were written (few: looked up, not kept in the timeline).
        let mut stmt = conn.prepare_cached(
            "SELECT o.open_kfid, o.created_at, m.sent_by, o.last_error FROM outbox o
                 LEFT JOIN message m ON m.open_kfid = o.open_kfid AND m.msgid = o.msgid
                 WHERE o.state = 'failed' AND o.created_at >= ?1 AND o.created_at < ?2",
        )?;
        let mut rows = stmt.query(params![query.since, query.until])?;
        while let Some(r) = rows.next()? {
            let account = input.account(text(r, 0)?);
            let name = opt_text(r, 2)?.unwrap_or(self_agent).to_owned();
            let errcode = opt_text(r, 3)?.and_then(errcode_in);
            let actor = input.actor(&name, false);
            input.refused(Refusal {
                account,
                time: r.get(1)?,
                actor,
                errcode,
            });
        }
        Ok(input)
    }
}

/// Ranges longer than this are read in two halves at once.
const SPLIT_SECS: i64 = 7 * 86_400;

/// One timeline row as stored: its time and its packed `code` (migration 008).
#[derive(Clone, Copy)]
struct TimelineRow {
    time: i64,
    code: i64,
}

impl TimelineRow {
    /// The store's conversation number.
    fn conv(self) -> u32 {
        ((self.code >> 33) & ((1 << 30) - 1)) as u32
    }
    /// The store's account number.
    fn account(self) -> i64 {
        (self.code >> 20) & ((1 << 13) - 1)
    }
    /// The store's sender number; 0 for a reply without a recorded sender.
    fn actor(self) -> i64 {
        (self.code >> 2) & ((1 << 18) - 1)
    }
    /// 0 customer message, 1 delivered reply, 2 ended here, 3 ended in the WeCom client.
    fn kind(self) -> i64 {
        self.code & 3
    }
}

/// The timeline rows of `[from, until)`.
fn timeline(conn: &rusqlite::Connection, (from, until): (i64, i64)) -> Result<Vec<TimelineRow>> {
    let mut stmt =
        conn.prepare_cached("SELECT time, code FROM report_item WHERE time >= ?1 AND time < ?2")?;
    let mut rows = stmt.query(params![from, until])?;
    let mut out = Vec::with_capacity(1024);
    while let Some(r) = rows.next()? {
        out.push(TimelineRow {
            time: r.get(0)?,
            code: r.get(1)?,
        });
    }
    Ok(out)
}

/// Records that the store's number `id` is the report's `number`.
fn set(map: &mut Vec<u32>, id: i64, number: u32) {
    let i = usize::try_from(id).unwrap_or(0);
    if i >= map.len() {
        map.resize(i + 1, u32::MAX);
    }
    map[i] = number;
}

/// The report's number for the store's `id`.
fn number(map: &[u32], id: i64) -> Result<u32> {
    usize::try_from(id)
        .ok()
        .and_then(|i| map.get(i).copied())
        .filter(|&n| n != u32::MAX)
        .ok_or_else(|| rusqlite::Error::IntegralValueOutOfRange(0, id).into())
}

/// A text column, borrowed from the row.
fn text<'r>(row: &'r Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    opt_text(row, i)?.ok_or(rusqlite::Error::InvalidColumnType(
        i,
        "NULL".into(),
        rusqlite::types::Type::Null,
    ))
}

/// A nullable text column, borrowed from the row.
fn opt_text<'r>(row: &'r Row<'_>, i: usize) -> rusqlite::Result<Option<&'r str>> {
    row.get_ref(i)?.as_str_or_null().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Timing, compute};
    use kefu_wechat::event::Event;
    use kefu_wechat::message::{Body, Message, SyncItem, Text};

    fn text(msgid: &str, who: &str, t: i64, origin: u32, servicer: Option<&str>) -> SyncItem {
        SyncItem::Message(Message {
            msgid: msgid.into(),
            open_kfid: Some("wk".into()),
            external_userid: Some(who.into()),
            send_time: t,
            origin,
            servicer_userid: servicer.map(Into::into),
            body: Body::Text {
                text: Text {
                    content: "hi".into(),
                    menu_id: None,
                },
            },
        })
    }

    fn ended_in_wecom(msgid: &str, who: &str, t: i64) -> SyncItem {
        SyncItem::Message(Message {
            msgid: msgid.into(),
            open_kfid: None,
            external_userid: None,
            send_time: t,
            origin: 4,
            servicer_userid: None,
            body: Body::Event {
                event: Event::SessionStatusChange {
                    open_kfid: "wk".into(),
                    external_userid: who.into(),
                    change_type: 3,
                    old_servicer_userid: Some("zhangsan".into()),
                    new_servicer_userid: None,
                    msg_code: None,
                },
            },
        })
    }

    fn reply(s: &Store, who: &str, msgid: &str, t: i64) {
        s.enqueue_reply(
            "wk",
            who,
            msgid,
            r#"{"msgtype":"text","text":{"content":"ok"}}"#,
            Some("ok"),
            t,
        )
        .expect("sql")
        .expect("allowed");
    }

    #[test]
    fn the_store_gives_delivered_replies_ends_and_refusals_to_the_report() {
        let dir = tempfile::tempdir().expect("temp dir");
        let s = Store::open_in(dir.path()).expect("store");
        let page = [
            text("a1", "a", 1000, 3, None),
            text("b1", "b", 1000, 3, None),
            text("c1", "c", 1000, 3, None),
        ];
        s.ingest_page("wk", &page, "c1", 1000).expect("ingest");
        // a: our reply is sent at 1030 (WeChat accepts it a minute later: the agent answered in
        // 30 s); a second one is still queued, a third refused: neither reached the customer.
        reply(&s, "a", "r1", 1030);
        s.mark_sent("r1", 1090).expect("sent");
        reply(&s, "a", "r2", 1100);
        reply(&s, "a", "r3", 1110);
        s.mark_failed(
            "r3",
            "kf/send_msg failed with errcode 95001: send count limit",
        )
        .expect("failed");
        // a: ended in this console.
        s.queue_action("wk", "a", "me", crate::store::QueueAction::End, 1200)
            .expect("sql")
            .expect("ended");
        // b: a servicer in the WeCom client answers in 20 s, then ends it there.
        let page = [
            text("b2", "b", 1020, 5, Some("zhangsan")),
            ended_in_wecom("b3", "b", 1300),
        ];
        s.ingest_page("wk", &page, "c2", 1300).expect("ingest");
        // c: nobody answers; its customer writes again after the window passed.
        s.ingest_page(
            "wk",
            &[text("c2", "c", 1000 + 3 * 86_400, 3, None)],
            "c3",
            0,
        )
        .expect("ingest");

        let query = first_days(10);
        let input = s.report_input(&query, "desk").expect("input");
        let r = compute(input, &query, 1000 + 3 * 86_400 + 3600);
        let t = &r.totals;
        assert_eq!(t.sessions, 4, "a, b, and c twice (split at 48 h)");
        assert_eq!((t.answered, t.unanswered, t.pending), (2, 1, 1));
        assert_eq!((t.ended_here, t.ended_in_wecom, t.expired), (1, 1, 1));
        assert_eq!(
            t.first_response,
            Timing {
                count: 2,
                avg_secs: Some(25),
                p50_secs: Some(20),
                p90_secs: Some(30)
            }
        );
        assert_eq!((t.messages_in, t.messages_out, t.refused), (4, 2, 1));
        let agents: Vec<(&str, bool, u64, u64)> = r
            .by_agent
            .iter()
            .map(|a| {
                (
                    a.actor.name.as_str(),
                    a.actor.wecom,
                    a.figures.sessions,
                    a.figures.refused,
                )
            })
            .collect();
        assert_eq!(agents, [("desk", false, 1, 1), ("zhangsan", true, 1, 0)]);
        assert_eq!(r.refusals[0].errcode, Some(95001));
    }

    /// The whole desk's report of the first `days` days after the epoch, in UTC.
    fn first_days(days: i64) -> ReportQuery {
        ReportQuery {
            since: 0,
            until: days * 86_400,
            agent: None,
            offset_secs: 0,
        }
    }

    /// Timeline rows: time, code, src.
    type Rows = Vec<(i64, i64, i64)>;

    /// The timeline as kept by the triggers, and as its definition (the views) gives it.
    fn timelines(s: &Store) -> (Rows, Rows) {
        let conn = s.conn();
        let read = |sql: &str| -> Rows {
            let mut stmt = conn.prepare(sql).expect("sql");
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .expect("query")
                .collect::<rusqlite::Result<_>>()
                .expect("rows")
        };
        (
            read("SELECT time, code, src FROM report_item ORDER BY 1, 2, 3"),
            read(
                "SELECT * FROM report_message_source UNION ALL SELECT * FROM report_end_source
                 ORDER BY 1, 2, 3",
            ),
        )
    }

    #[test]
    fn the_timeline_follows_every_write_in_the_same_transaction() {
        use crate::store::{MirrorBatch, MirrorMessage, MirrorOutbox, MirrorSessionEnd};
        let dir = tempfile::tempdir().expect("temp dir");
        let s = Store::open_in(dir.path()).expect("store");
        let kept = |s: &Store, what: &str| {
            let (kept, defined) = timelines(s);
            assert_eq!(kept, defined, "after {what}");
            kept.len()
        };
        s.ingest_page(
            "wk",
            &[
                text("a1", "a", 1000, 3, None),
                text("b1", "b", 1000, 3, None),
            ],
            "c1",
            1000,
        )
        .expect("ingest");
        assert_eq!(kept(&s, "customer messages"), 2);
        reply(&s, "a", "r1", 1010);
        assert_eq!(kept(&s, "a queued reply"), 2, "a queued reply is no row");
        s.mark_sent("r1", 1011).expect("sent");
        assert_eq!(kept(&s, "its delivery"), 3);
        reply(&s, "a", "r2", 1020);
        s.mark_failed("r2", "kf/send_msg failed with errcode 95001: limit")
            .expect("failed");
        assert_eq!(kept(&s, "a refusal"), 3);
        s.requeue_failed("r2", 1030)
            .expect("sql")
            .expect("allowed again");
        s.mark_sent("r2", 1031).expect("sent");
        assert_eq!(kept(&s, "a retried reply delivered"), 4);
        s.queue_action("wk", "a", "me", crate::store::QueueAction::End, 1100)
            .expect("sql")
            .expect("ended");
        s.ingest_page(
            "wk",
            &[
                text("b2", "b", 1040, 5, Some("zhangsan")),
                ended_in_wecom("b3", "b", 1200),
            ],
            "c2",
            1200,
        )
        .expect("ingest");
        // Ingesting the same page again (a crash before the cursor moved) adds nothing.
        s.ingest_page(
            "wk",
            &[text("b2", "b", 1040, 5, Some("zhangsan"))],
            "c2",
            1200,
        )
        .expect("ingest again");
        assert_eq!(kept(&s, "an end here, a WeCom reply and an end there"), 7);
        // A team mirror: a colleague's reply arrives queued, its sender is learnt, then it is
        // delivered; an end by the colleague.
        let colleague_reply = MirrorMessage {
            open_kfid: "wk".into(),
            msgid: "t1".into(),
            external_userid: Some("c".into()),
            send_time: 1300,
            origin: 0,
            msgtype: "text".into(),
            json: "{}".into(),
            ..MirrorMessage::default()
        };
        let outbox = |state: &str| MirrorOutbox {
            msgid: "t1".into(),
            open_kfid: "wk".into(),
            external_userid: "c".into(),
            content: "{}".into(),
            state: state.into(),
            attempts: 1,
            created_at: 1300,
            ..MirrorOutbox::default()
        };
        s.mirror_apply(&MirrorBatch {
            messages: vec![colleague_reply.clone()],
            outbox: vec![outbox("queued")],
            ..MirrorBatch::default()
        })
        .expect("mirror");
        assert_eq!(kept(&s, "a colleague's queued reply"), 7);
        s.mirror_apply(&MirrorBatch {
            messages: vec![MirrorMessage {
                sent_by: Some("lisi".into()),
                ..colleague_reply
            }],
            outbox: vec![outbox("sent")],
            session_ends: vec![MirrorSessionEnd {
                open_kfid: "wk".into(),
                external_userid: "c".into(),
                ended_at: 1400,
                ended_by: "lisi".into(),
            }],
            ..MirrorBatch::default()
        })
        .expect("mirror");
        assert_eq!(kept(&s, "its delivery, with its sender, and an end"), 9);
        let query = first_days(1);
        let r = compute(s.report_input(&query, "desk").expect("input"), &query, 2000);
        let replied: Vec<(&str, u64)> = r
            .by_agent
            .iter()
            .map(|a| (a.actor.name.as_str(), a.figures.messages_out))
            .collect();
        assert_eq!(replied, [("desk", 2), ("lisi", 1), ("zhangsan", 1)]);
    }

    #[test]
    fn a_store_from_before_the_timeline_gets_it_when_opened() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("kefu.sqlite");
        {
            let conn = rusqlite::Connection::open(&path).expect("open");
            for sql in &super::super::MIGRATIONS[..7] {
                conn.execute_batch(sql).expect("old migration");
            }
            conn.pragma_update(None, "user_version", 7)
                .expect("version");
            conn.execute_batch(
                "INSERT INTO message (msgid, open_kfid, external_userid, send_time, origin, msgtype, json)
                     VALUES ('m1', 'wk', 'a', 1000, 3, 'text', '{}'),
                            ('m2', 'wk', 'a', 1060, 0, 'text', '{}'),
                            ('m3', 'wk', 'a', 1070, 0, 'text', '{}');
                 INSERT INTO outbox (msgid, open_kfid, external_userid, content, state, created_at)
                     VALUES ('m2', 'wk', 'a', '{}', 'sent', 1060),
                            ('m3', 'wk', 'a', '{}', 'queued', 1070);
                 INSERT INTO session_end (open_kfid, external_userid, ended_at, ended_by)
                     VALUES ('wk', 'a', 1100, 'me');",
            )
            .expect("old rows");
        }
        let s = Store::open(&path).expect("migrated");
        let (kept, defined) = timelines(&s);
        assert_eq!(kept, defined);
        assert_eq!(kept.len(), 3, "the customer, the delivered reply, the end");
        let query = first_days(1);
        let r = compute(s.report_input(&query, "me").expect("input"), &query, 2000);
        assert_eq!((r.totals.sessions, r.totals.ended_here), (1, 1));
        assert_eq!(r.totals.first_response.avg_secs, Some(60));
        assert_eq!(r.totals.messages_out, 1);
    }
}
