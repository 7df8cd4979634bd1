//! The rows of a report from the local store (solo mode, and the team mirror, which holds every
//! team row): customer messages, delivered replies, ends and refused replies in a range.

use super::{Result, Store};
use crate::report::{Item, ItemKind, Refusal, ReportInput, ReportQuery, errcode_in};
use rusqlite::{Row, params};

impl Store {
    /// Loads what [`crate::report::compute`] needs for `query`; replies sent from this app
    /// without a recorded sender (solo mode) are credited to `self_agent`.
    pub fn report_input(&self, query: &ReportQuery, self_agent: &str) -> Result<ReportInput> {
        let (from, until) = (query.load_from(), query.until);
        let refused = (query.since, query.until);
        let conn = self.conn();
        // A month is a long sequential read: mapped, SQLite reads it in place instead of copying
        // it page by page into its cache; unmapped after, so the pages do not stay counted
        // against the app (measured by benches/report.rs).
        conn.pragma_update(None, "mmap_size", MMAP)?;
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let input = if cores > 1 && until - from > SPLIT_SECS {
            // Two halves of the range at once, the second on its own read connection (WAL
            // lets it read the same snapshot-consistent data beside the first).
            let mid = from + (until - from) / 2;
            let second = rusqlite::Connection::open_with_flags(
                &self.path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                    | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            second.pragma_update(None, "mmap_size", MMAP)?;
            std::thread::scope(|scope| {
                let later = scope.spawn(move || load(&second, (mid, until), None, self_agent));
                let mut input = load(&conn, (from, mid), Some(refused), self_agent)?;
                let later = later
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
                input.merge(later);
                Ok(input)
            })
        } else {
            load(&conn, (from, until), Some(refused), self_agent)
        };
        conn.pragma_update(None, "mmap_size", 0)?;
        input
    }
}

/// The most of the file a report maps.
const MMAP: i64 = 1 << 32;
/// Ranges longer than this are read in two halves at once.
const SPLIT_SECS: i64 = 7 * 86_400;

/// The rows of `[from, until)`, and the refused replies written in `refused`.
fn load(
    conn: &rusqlite::Connection,
    (from, until): (i64, i64),
    refused: Option<(i64, i64)>,
    self_agent: &str,
) -> Result<ReportInput> {
    let mut input = ReportInput::default();
    input.reserve(1024);
    let mut names = conn.prepare_cached("SELECT open_kfid, name FROM account")?;
    let mut rows = names.query([])?;
    while let Some(r) = rows.next()? {
        input.name_account(text(r, 0)?, text(r, 1)?);
    }
    // Replies from this app that never reached WeChat (refused, or still queued) are no
    // part of any timer; they are few, so they are looked up rather than joined.
    let mut undelivered: rustc_hash::FxHashMap<(u32, i64), u32> = Default::default();
    let mut stmt = conn.prepare_cached(
        "SELECT m.open_kfid, m.external_userid, m.send_time FROM outbox o
             JOIN message m ON m.open_kfid = o.open_kfid AND m.msgid = o.msgid
             WHERE o.state IN ('queued', 'failed') AND m.send_time >= ?1 AND m.send_time < ?2",
    )?;
    let mut rows = stmt.query(params![from, until])?;
    while let Some(r) = rows.next()? {
        let conv = input.conversation(text(r, 0)?, text(r, 1)?);
        *undelivered.entry((conv, r.get(2)?)).or_default() += 1;
    }
    // Customer messages and replies (from this app, or from a servicer in the WeCom
    // client), read from one covering index; events (origin 4) are no part of any timer.
    let mut stmt = conn.prepare_cached(
        "SELECT open_kfid, external_userid, origin, send_time, COALESCE(sent_by, servicer_userid)
             FROM message INDEXED BY message_report
             WHERE send_time >= ?1 AND send_time < ?2 AND +origin IN (0, 3, 5)
               AND external_userid IS NOT NULL",
    )?;
    let mut rows = stmt.query(params![from, until])?;
    while let Some(r) = rows.next()? {
        let origin: i64 = r.get(2)?;
        let time: i64 = r.get(3)?;
        let conv = input.conversation(text(r, 0)?, text(r, 1)?);
        if origin == 0
            && !undelivered.is_empty()
            && let Some(n) = undelivered.get_mut(&(conv, time))
            && *n > 0
        {
            *n -= 1;
            continue;
        }
        let (kind, actor) = if origin == 3 {
            (ItemKind::Customer, 0)
        } else {
            let name = opt_text(r, 4)?.unwrap_or(self_agent);
            let actor = input.actor(name, origin == 5);
            (ItemKind::Reply, actor)
        };
        input.push(Item {
            conv,
            time,
            kind,
            actor,
        });
    }
    // Ends in this console, and ends by a servicer in the WeCom client.
    let mut stmt = conn.prepare_cached(
            "SELECT open_kfid, external_userid, ended_at, 0 FROM session_end
             WHERE ended_at >= ?1 AND ended_at < ?2
             UNION ALL
             SELECT open_kfid, external_userid, send_time, 1 FROM message INDEXED BY message_event
             WHERE send_time >= ?1 AND send_time < ?2 AND origin = 4 AND msgtype = 'event' AND external_userid IS NOT NULL
               AND json_extract(json, '$.event.event_type') = 'session_status_change'
               AND json_extract(json, '$.event.change_type') = 3",
        )?;
    let mut rows = stmt.query(params![from, until])?;
    while let Some(r) = rows.next()? {
        let conv = input.conversation(text(r, 0)?, text(r, 1)?);
        input.push(Item {
            conv,
            time: r.get(2)?,
            kind: ItemKind::End {
                in_wecom: r.get::<_, i64>(3)? == 1,
            },
            actor: 0,
        });
    }
    if let Some((since, until)) = refused {
        let mut stmt = conn.prepare_cached(
            "SELECT o.open_kfid, o.created_at, m.sent_by, o.last_error FROM outbox o
                 LEFT JOIN message m ON m.open_kfid = o.open_kfid AND m.msgid = o.msgid
                 WHERE o.state = 'failed' AND o.created_at >= ?1 AND o.created_at < ?2",
        )?;
        let mut rows = stmt.query(params![since, until])?;
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
    }
    Ok(input)
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

        let query = ReportQuery {
            since: 0,
            until: 10 * 86_400,
            agent: None,
            offset_secs: 0,
        };
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
}
