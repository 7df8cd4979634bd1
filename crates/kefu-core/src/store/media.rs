//! Inbound media bookkeeping: what is still to download, and where downloaded files are.

use super::{Result, Store};
use rusqlite::params;
use serde::Serialize;

/// A media file waiting to be downloaded (or its final state).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingMedia {
    /// Account.
    pub open_kfid: String,
    /// Message it belongs to.
    pub msgid: String,
    /// WeChat's media id.
    pub media_id: String,
    /// image | voice | video | file.
    pub msgtype: String,
    /// pending | stored | failed.
    pub state: String,
    /// Path relative to the data directory, once stored.
    pub path: Option<String>,
    /// Attempts so far.
    pub attempts: i64,
    /// Last error in plain words.
    pub last_error: Option<String>,
}

impl Store {
    /// Media still to download.
    pub fn pending_media(&self) -> Result<Vec<PendingMedia>> {
        self.media_where("state = 'pending'", [])
    }

    /// Media of one message.
    pub fn media_of(&self, msgid: &str) -> Result<Option<PendingMedia>> {
        Ok(self.media_where("msgid = ?1", [msgid])?.into_iter().next())
    }

    /// The stored file of one message: (image | voice | video | file, path relative to the
    /// data directory, the file name as sent); `None` until it is downloaded.
    pub fn stored_media(
        &self,
        open_kfid: &str,
        msgid: &str,
    ) -> Result<Option<(String, String, Option<String>)>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT msgtype, path, filename FROM media
                 WHERE open_kfid = ?1 AND msgid = ?2 AND state = 'stored' AND path IS NOT NULL",
            )?
            .query_row(params![open_kfid, msgid], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?)
    }

    fn media_where(
        &self,
        condition: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<PendingMedia>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT open_kfid, msgid, media_id, msgtype, state, path, attempts, last_error FROM media WHERE {condition} ORDER BY rowid"
        ))?;
        let rows = stmt
            .query_map(args, |r| {
                Ok(PendingMedia {
                    open_kfid: r.get(0)?,
                    msgid: r.get(1)?,
                    media_id: r.get(2)?,
                    msgtype: r.get(3)?,
                    state: r.get(4)?,
                    path: r.get(5)?,
                    attempts: r.get(6)?,
                    last_error: r.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// A file was downloaded and stored at `path` (relative to the data directory).
    pub fn media_stored(
        &self,
        open_kfid: &str,
        msgid: &str,
        path: &str,
        size: u64,
        content_type: Option<&str>,
        filename: Option<&str>,
    ) -> Result<()> {
        self.conn().execute(
            "UPDATE media SET state = 'stored', path = ?3, size = ?4, content_type = ?5, filename = ?6, last_error = NULL, attempts = attempts + 1
             WHERE open_kfid = ?1 AND msgid = ?2",
            params![open_kfid, msgid, path, size as i64, content_type, filename],
        )?;
        Ok(())
    }

    /// A download failed; `permanent` stops further attempts.
    pub fn media_failed(
        &self,
        open_kfid: &str,
        msgid: &str,
        error: &str,
        permanent: bool,
    ) -> Result<()> {
        self.conn().execute(
            "UPDATE media SET attempts = attempts + 1, last_error = ?3, state = CASE WHEN ?4 THEN 'failed' ELSE state END
             WHERE open_kfid = ?1 AND msgid = ?2",
            params![open_kfid, msgid, error, permanent],
        )?;
        Ok(())
    }
}
