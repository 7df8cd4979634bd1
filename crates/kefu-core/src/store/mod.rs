//! The local SQLite store: the only module that holds SQL.
//!
//! Invariants: a page of synced items, the session changes it implies and the advanced cursor
//! commit in one transaction ([`Store::ingest_page`]); `(open_kfid, msgid)` is unique, so a page
//! delivered twice is stored once; a reply is in the outbox (and in the conversation) before any
//! network call ([`Store::enqueue_reply`]). Migrations are numbered, applied in one transaction
//! and tracked in `PRAGMA user_version`; a database newer than the binary is refused.

mod alert;
mod canned;
mod conversation;
mod customer;
mod health;
mod ingest;
mod media;
mod mirror;
mod outbox;
mod query;
mod queue;
mod report;
mod search;
mod survey;

pub use alert::AlertInfo;
pub use canned::Imported;
pub use conversation::{MAX_PAGE, MediaInfo, MessageContext, MessageRow};
pub use customer::{
    CustomerRow, EntrySource, MAX_NOTE_CHARS, MAX_TAG_CHARS, MAX_TAGS, SessionEnd, SessionEpisode,
    normalise_tags,
};
pub use health::SyncSummary;
pub use ingest::{IngestReport, SessionEffect, session_effect};
pub(crate) use ingest::{raw_msgid, text_and_extra};
pub use media::PendingMedia;
pub use mirror::{
    MirrorApplied, MirrorBatch, MirrorCanned, MirrorMessage, MirrorNote, MirrorOutbox,
    MirrorSession, MirrorSessionEnd, MirrorTags,
};
pub use outbox::{OutboxRow, ReplyRefused, RetryRefused};
pub use query::{
    HISTORY_RISK_SECS, LastMessage, PREVIEW_CHARS, SessionRow, StatusRow, StoredMessage,
    preview_line,
};
pub use queue::{QueueAction, QueueRefused};
pub use search::{SearchFilter, SearchHit, SearchPage, Sender};
pub use survey::SurveyCounts;

use rusqlite::{Connection, OptionalExtension, params};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Numbered migrations; never edit a shipped one, append a new one.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/001_init.sql"),
    include_str!("../../migrations/002_media.sql"),
    include_str!("../../migrations/003_search.sql"),
    include_str!("../../migrations/004_desk.sql"),
    include_str!("../../migrations/005_ingest_cost.sql"),
    include_str!("../../migrations/006_team_mirror.sql"),
    include_str!("../../migrations/007_report.sql"),
    include_str!("../../migrations/008_report_timeline.sql"),
    include_str!("../../migrations/009_canned.sql"),
    include_str!("../../migrations/010_survey.sql"),
    include_str!("../../migrations/011_automatic_replies.sql"),
];

/// A store error.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database was written by a newer version of the app.
    #[error("the database is version {found}, newer than this app (version {supported})")]
    TooNew {
        /// Version found.
        found: i64,
        /// Newest version this binary knows.
        supported: i64,
    },
    /// The data directory could not be created.
    #[error("cannot create the data directory: {0}")]
    Io(#[from] std::io::Error),
}

/// Result of a store call.
pub type Result<T> = std::result::Result<T, StoreError>;

/// The database.
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl Store {
    /// Opens (creating and migrating) `kefu.sqlite` in `data_dir`.
    pub fn open_in(data_dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(data_dir)?;
        Self::open(&data_dir.join("kefu.sqlite"))
    }

    /// Opens (creating and migrating) the database at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        set_page_cache(&conn, BULK_CACHE_KIB)?;
        // A page of 1000 messages dirties several MiB of index pages: checkpointing the WAL after
        // every page (the default: past 1000 pages, 4 MiB) copies them again each time. Past
        // 64 MiB, and the file is cut back to that after a checkpoint. Ingest at 3M messages:
        // 20.0k → 22.7k msg/s (benches/search).
        conn.pragma_update(None, "wal_autocheckpoint", 16_384)?;
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&mut conn)?;
        let store = Self {
            conn: Mutex::new(conn),
            path: path.to_owned(),
        };
        // A database from before search (or an interrupted back-fill) is indexed now.
        let mut last_logged = 0;
        store.backfill_search(|done, total| {
            if done == total || done - last_logged >= 100_000 {
                tracing::info!(done, total, "indexing stored messages for search");
                last_logged = done;
            }
        })?;
        set_page_cache(&store.conn(), DESK_CACHE_KIB)?;
        Ok(store)
    }

    /// Where the database lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The data directory the database is in (media and outbox files live beside it).
    pub fn data_dir(&self) -> PathBuf {
        self.path.parent().map(Path::to_owned).unwrap_or_default()
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The stored cursor of an account.
    pub fn cursor(&self, open_kfid: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT cursor FROM sync_cursor WHERE open_kfid = ?1",
                [open_kfid],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// An account's name, once listed.
    pub fn account_name(&self, open_kfid: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT name FROM account WHERE open_kfid = ?1",
                [open_kfid],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Every account listed so far: (open_kfid, name), by id.
    pub fn accounts(&self) -> Result<Vec<(String, String)>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT open_kfid, name FROM account ORDER BY open_kfid")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Remembers the accounts this console serves.
    pub fn upsert_accounts(&self, accounts: &[kefu_wechat::api::Account]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for a in accounts {
            tx.execute(
                "INSERT INTO account (open_kfid, name, avatar) VALUES (?1, ?2, ?3)
                 ON CONFLICT (open_kfid) DO UPDATE SET name = excluded.name, avatar = excluded.avatar",
                params![a.open_kfid.as_str(), a.name, a.avatar],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Records a successful sync round of an account.
    pub fn record_sync_success(&self, open_kfid: &str, now: i64) -> Result<()> {
        let conn = self.conn();
        // Caught up: the backlog's page cache is handed back.
        set_page_cache(&conn, DESK_CACHE_KIB)?;
        conn.execute(
            "INSERT INTO sync_status (open_kfid, last_success_at, last_error, last_error_at, failing_since) VALUES (?1, ?2, NULL, NULL, NULL)
             ON CONFLICT (open_kfid) DO UPDATE SET last_success_at = ?2, last_error = NULL, last_error_at = NULL, failing_since = NULL",
            params![open_kfid, now],
        )?;
        Ok(())
    }

    /// Records a failed sync attempt, in plain words.
    pub fn record_sync_error(&self, open_kfid: &str, error: &str, now: i64) -> Result<()> {
        self.conn().execute(
            "INSERT INTO sync_status (open_kfid, last_error, last_error_at, failing_since) VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT (open_kfid) DO UPDATE SET last_error = ?2, last_error_at = ?3, failing_since = COALESCE(failing_since, ?3)",
            params![open_kfid, error, now],
        )?;
        Ok(())
    }
}

/// SQLite's page cache while a backlog is stored (a full `sync_msg` page, the search back-fill):
/// random msgids make index inserts land all over the B-tree, and a large cache keeps ingest from
/// re-reading pages (benches/ingest.rs).
const BULK_CACHE_KIB: i64 = 32 * 1024;

/// The page cache otherwise. The desk's queries read a few pages each; kept at the bulk size, the
/// cache filled to 32 MiB of the app's memory at launch on 100k messages and stayed there
/// (scripts/measure-desktop.sh).
const DESK_CACHE_KIB: i64 = 4 * 1024;

/// A page with at least this many items is part of a backlog: stored with the bulk cache.
pub(crate) const BULK_PAGE_ITEMS: usize = 200;

/// Sets the page cache to `kib` KiB; lowering it frees the pages beyond.
pub(crate) fn set_page_cache(conn: &Connection, kib: i64) -> Result<()> {
    conn.pragma_update(None, "cache_size", -kib)?;
    Ok(())
}

/// [`set_page_cache`] for a page of `items` items about to be stored.
pub(crate) fn page_cache_for(conn: &Connection, items: usize) -> Result<()> {
    if items >= BULK_PAGE_ITEMS {
        set_page_cache(conn, BULK_CACHE_KIB)?;
    }
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let supported = MIGRATIONS.len() as i64;
    if version > supported {
        return Err(StoreError::TooNew {
            found: version,
            supported,
        });
    }
    if version == supported {
        return Ok(());
    }
    let tx = conn.transaction()?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kefu_wechat::message::{Body, Message, SyncItem, Text};

    fn page_cache_kib(store: &Store) -> i64 {
        -store
            .conn()
            .pragma_query_value(None, "cache_size", |r| r.get::<_, i64>(0))
            .expect("cache_size")
    }

    fn texts(n: usize) -> Vec<SyncItem> {
        (0..n)
            .map(|i| {
                SyncItem::Message(Message {
                    msgid: format!("m{i}").into(),
                    open_kfid: Some("wk".into()),
                    external_userid: Some("wm".into()),
                    send_time: 1_700_000_000 + i as i64,
                    origin: 3,
                    servicer_userid: None,
                    body: Body::Text {
                        text: Text {
                            content: format!("消息 {i}"),
                            menu_id: None,
                        },
                    },
                })
            })
            .collect()
    }

    #[test]
    fn the_large_page_cache_is_held_only_while_a_backlog_is_stored() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open_in(dir.path()).expect("store");
        assert_eq!(page_cache_kib(&store), DESK_CACHE_KIB, "at the desk");
        store
            .ingest_page("wk", &texts(5), "c1", 1)
            .expect("a few live messages");
        assert_eq!(page_cache_kib(&store), DESK_CACHE_KIB, "a live page");
        store
            .ingest_page("wk", &texts(1000), "c2", 2)
            .expect("a backlog page");
        assert_eq!(
            page_cache_kib(&store),
            BULK_CACHE_KIB,
            "storing the backlog"
        );
        store.record_sync_success("wk", 3).expect("caught up");
        assert_eq!(
            page_cache_kib(&store),
            DESK_CACHE_KIB,
            "caught up: handed back"
        );
    }

    #[test]
    fn migrates_once_and_refuses_newer_databases() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("k.sqlite");
        drop(Store::open(&path).expect("fresh database"));
        drop(Store::open(&path).expect("reopening an up-to-date database"));
        Connection::open(&path)
            .expect("open")
            .pragma_update(None, "user_version", 99)
            .expect("bump");
        assert!(
            matches!(
                Store::open(&path),
                Err(StoreError::TooNew { found: 99, .. })
            ),
            "a newer database must be refused"
        );
    }
}
