//! History search in SQL: the search key and index rows written with each message, the
//! back-fill of older databases, and the query loop that narrows candidates with the full-text
//! tables and confirms each one against its folded text (see [`crate::search`]).

use super::conversation::{MessageRow, ROW_COLUMN_COUNT, ROW_COLUMNS, ROW_TABLES, row};
use super::query::StoredMessage;
use super::{Result, Store};
use crate::search::tokens::{condition, index_doc};
use crate::search::{Query, Segment, fold, snippet, text_of};
use rusqlite::{Connection, OptionalExtension, params};

/// Low bits of a search key that keep keys unique within one second.
const KEY_SHIFT: u32 = 20;
/// Latest send time a key can hold (year 141,000; later times are clamped).
const MAX_KEY_TIME: i64 = (1 << (62 - KEY_SHIFT)) - 1;
/// Messages per transaction when back-filling.
const BACKFILL_BATCH: usize = 2_000;

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    /// The customer.
    Customer,
    /// An agent: this app or a colleague in WeCom.
    Agent,
}

/// Narrows a search. Every field is optional.
#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    /// Only this account.
    pub open_kfid: Option<String>,
    /// Only this customer.
    pub customer: Option<String>,
    /// Sent at or after (Unix seconds).
    pub since: Option<i64>,
    /// Sent at or before (Unix seconds).
    pub until: Option<i64>,
    /// Only messages by this side.
    pub sender: Option<Sender>,
}

/// One result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchHit {
    /// Search key (orders by time; pass the last one as `before` for the next page).
    pub key: i64,
    /// The message, as the conversation shows it (written out as a [`StoredMessage`]).
    #[serde(serialize_with = "as_stored_message")]
    pub message: MessageRow,
    /// The customer's nickname, once known.
    pub nickname: Option<String>,
    /// Where it matched.
    pub snippet: Vec<Segment>,
}

fn as_stored_message<S: serde::Serializer>(
    message: &MessageRow,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&StoredMessage::from(message), s)
}

/// A page of results, newest first.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SearchPage {
    /// Results.
    pub hits: Vec<SearchHit>,
    /// Pass as `before` to get the next page; `None` when there is no more.
    pub next_before: Option<i64>,
}

/// Search key for a message sent at `send_time`: time order, unique, and increasing in the
/// order messages of the same second are stored (the full-text index flushes a segment each
/// time a key goes down, so keys must rise within a page). Called inside the transaction that
/// inserts the message.
pub(super) fn new_key(conn: &Connection, send_time: i64) -> rusqlite::Result<i64> {
    let base = send_time.clamp(0, MAX_KEY_TIME) << KEY_SHIFT;
    let last: Option<i64> = conn
        .prepare_cached("SELECT max(search_key) FROM message WHERE search_key BETWEEN ?1 AND ?2")?
        .query_row([base, base + (1 << KEY_SHIFT) - 1], |r| r.get(0))?;
    let mut key = last.map_or(base, |k| k + 1);
    // More than 2^20 messages in one second spill into the next second's keys: still unique.
    let mut taken = conn.prepare_cached("SELECT 1 FROM message WHERE search_key = ?1")?;
    while key >= base + (1 << KEY_SHIFT) && taken.exists([key])? {
        key += 1;
    }
    Ok(key)
}

/// Writes the index row of one message's searchable text.
pub(super) fn index_text(conn: &Connection, key: i64, text: &str) -> rusqlite::Result<()> {
    let doc = index_doc(&fold(text));
    if !doc.is_empty() {
        conn.prepare_cached("INSERT INTO search_index (rowid, tokens) VALUES (?1, ?2)")?
            .execute(params![key, doc])?;
    }
    Ok(())
}

fn key_range(filter: &SearchFilter, before: Option<i64>) -> (i64, i64) {
    let low = filter
        .since
        .map_or(0, |s| s.clamp(0, MAX_KEY_TIME) << KEY_SHIFT);
    let mut high = filter.until.map_or(i64::MAX, |u| {
        (u.clamp(-1, MAX_KEY_TIME - 1) + 1) << KEY_SHIFT
    });
    if let Some(b) = before {
        high = high.min(b);
    }
    (low, high)
}

/// A candidate row: key, searchable text, account, customer, origin.
type Candidate = (i64, Option<String>, String, Option<String>, i64);

fn candidate(r: &rusqlite::Row<'_>) -> rusqlite::Result<Candidate> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn passes(filter: &SearchFilter, c: &Candidate) -> bool {
    filter.open_kfid.as_ref().is_none_or(|k| *k == c.2)
        && filter
            .customer
            .as_ref()
            .is_none_or(|u| Some(u) == c.3.as_ref())
        && filter.sender.is_none_or(|s| match s {
            Sender::Customer => c.4 == i64::from(kefu_wechat::message::origin::CUSTOMER),
            Sender::Agent => c.4 == 0 || c.4 == i64::from(kefu_wechat::message::origin::SERVICER),
        })
}

const CANDIDATE_COLUMNS: &str =
    "m.search_key, COALESCE(m.text, m.search_extra), m.open_kfid, m.external_userid, m.origin";

impl Store {
    /// Messages matching `query`, newest first: at most `limit`, older than the key `before`.
    /// Exactly the messages whose folded text contains every folded term; the input is always
    /// text, never query syntax.
    pub fn search(
        &self,
        query: &str,
        filter: &SearchFilter,
        before: Option<i64>,
        limit: usize,
    ) -> Result<SearchPage> {
        let query = Query::parse(query);
        let keys = self.matching_keys(&query, filter, before, Some(limit + 1))?;
        let more = keys.len() > limit;
        let keys = &keys[..keys.len().min(limit)];
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {ROW_COLUMNS}, COALESCE(m.text, m.search_extra), c.nickname
             FROM {ROW_TABLES} LEFT JOIN customer c ON c.external_userid = m.external_userid
             WHERE m.search_key = ?1"
        ))?;
        let mut hits = Vec::with_capacity(keys.len());
        for &key in keys {
            let hit = stmt
                .query_row([key], |r| {
                    let message = row(r)?;
                    let text: Option<String> = r.get(ROW_COLUMN_COUNT)?;
                    let nickname: Option<String> = r.get(ROW_COLUMN_COUNT + 1)?;
                    Ok((message, text, nickname))
                })
                .optional()?;
            if let Some((message, text, nickname)) = hit {
                hits.push(SearchHit {
                    key,
                    snippet: snippet(&query, text.as_deref().unwrap_or_default()),
                    message,
                    nickname: nickname.filter(|n| !n.is_empty()),
                });
            }
        }
        Ok(SearchPage {
            next_before: if more { keys.last().copied() } else { None },
            hits,
        })
    }

    /// Every matching key, newest first (for checks against a brute-force scan).
    pub fn search_all_keys(&self, query: &str, filter: &SearchFilter) -> Result<Vec<i64>> {
        self.matching_keys(&Query::parse(query), filter, None, None)
    }

    fn matching_keys(
        &self,
        query: &Query,
        filter: &SearchFilter,
        before: Option<i64>,
        limit: Option<usize>,
    ) -> Result<Vec<i64>> {
        let Some(cond) = condition(query) else {
            return Ok(Vec::new());
        };
        let (low, high) = key_range(filter, before);
        let conn = self.conn();
        let mut stmt;
        let mut rows = if let Some(customer) = &filter.customer {
            // One customer's messages are few: read them all by conversation and check each.
            stmt = conn.prepare_cached(&format!(
                "SELECT {CANDIDATE_COLUMNS} FROM message m INDEXED BY message_customer
                 WHERE m.external_userid = ?1 AND m.search_key >= ?2 AND m.search_key < ?3
                 ORDER BY m.search_key DESC"
            ))?;
            stmt.query(params![customer, low, high])?
        } else {
            stmt = conn.prepare_cached(&format!(
                "SELECT {CANDIDATE_COLUMNS} FROM search_index f JOIN message m ON m.search_key = f.rowid
                 WHERE f.search_index MATCH ?1 AND f.rowid >= ?2 AND f.rowid < ?3
                 ORDER BY f.rowid DESC"
            ))?;
            stmt.query(params![cond, low, high])?
        };
        let mut keys = Vec::new();
        while let Some(row) = rows.next()? {
            let c = candidate(row)?;
            if !passes(filter, &c) {
                continue;
            }
            let Some(text) = &c.1 else { continue };
            if query.matches_folded(&fold(text)) {
                keys.push(c.0);
                if limit.is_some_and(|l| keys.len() >= l) {
                    break;
                }
            }
        }
        Ok(keys)
    }

    /// Messages not yet indexed (stored before search existed, or by an interrupted back-fill).
    pub fn search_backfill_pending(&self) -> Result<u64> {
        let n: i64 = self.conn().query_row(
            "SELECT count(*) FROM message INDEXED BY message_search_key WHERE search_key IS NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Indexes every message that is not yet indexed, a batch per transaction (resumable after
    /// a crash), calling `progress(done, total)` after each batch. Returns how many it indexed.
    pub fn backfill_search(&self, mut progress: impl FnMut(u64, u64)) -> Result<u64> {
        let total = self.search_backfill_pending()?;
        let mut done = 0u64;
        while done < total {
            let mut conn = self.conn();
            let tx = conn.transaction()?;
            let batch: Vec<(i64, i64, Option<String>, String)> = {
                let mut stmt = tx.prepare_cached(
                    "SELECT id, send_time, text, json FROM message
                     INDEXED BY message_search_key WHERE search_key IS NULL LIMIT ?1",
                )?;
                stmt.query_map([BACKFILL_BATCH as i64], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?
                .collect::<rusqlite::Result<_>>()?
            };
            if batch.is_empty() {
                break;
            }
            for (id, send_time, text, json) in &batch {
                let extra = match text {
                    Some(_) => None,
                    None => serde_json::from_str::<kefu_wechat::message::Message>(json)
                        .ok()
                        .and_then(|m| text_of(&m.body)),
                };
                let key = new_key(&tx, *send_time)?;
                tx.prepare_cached(
                    "UPDATE message SET search_key = ?2, search_extra = ?3 WHERE id = ?1",
                )?
                .execute(params![id, key, extra])?;
                if let Some(t) = text.as_deref().or(extra.as_deref()) {
                    index_text(&tx, key, t)?;
                }
            }
            tx.commit()?;
            done += batch.len() as u64;
            progress(done.min(total), total);
        }
        Ok(done)
    }

    /// Calls `f(key, text)` for every searchable message (for brute-force checks).
    pub fn for_each_searchable(&self, mut f: impl FnMut(i64, &str)) -> Result<()> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT search_key, COALESCE(text, search_extra) FROM message
             WHERE search_key IS NOT NULL AND COALESCE(text, search_extra) IS NOT NULL",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let text: String = r.get(1)?;
            f(r.get(0)?, &text);
        }
        Ok(())
    }

    /// Bytes held by the full-text tables.
    pub fn search_index_bytes(&self) -> Result<u64> {
        let conn = self.conn();
        let mut total = 0i64;
        for table in ["search_index_data", "search_index_idx"] {
            let col = if table.ends_with("_data") {
                "length(block)"
            } else {
                "length(term) + 16"
            };
            total += conn.query_row(
                &format!("SELECT COALESCE(sum({col}), 0) FROM {table}"),
                [],
                |r| r.get::<_, i64>(0),
            )?;
        }
        Ok(total as u64)
    }

    /// One bounded step of merging the full-text index's segments, for idle moments: each
    /// synced page adds a small segment, and fewer segments make searches faster. Returns
    /// false once there is nothing left worth merging.
    pub fn search_merge_step(&self) -> Result<bool> {
        let conn = self.conn();
        let before = conn.total_changes();
        // Negative: merge even small levels (FTS5's 'merge' command, about 64 leaf pages).
        conn.execute(
            "INSERT INTO search_index (search_index, rank) VALUES ('merge', -64)",
            [],
        )?;
        Ok(conn.total_changes() - before >= 2)
    }

    /// Merges the full-text index's segments (when idle: lowers the slowest searches).
    pub fn optimize_search(&self) -> Result<()> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO search_index (search_index) VALUES ('optimize')",
            [],
        )?;
        Ok(())
    }
}
