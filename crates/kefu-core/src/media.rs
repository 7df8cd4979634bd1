//! Downloading inbound media on arrival (WeChat's media ids expire after 3 days).
//!
//! Files are named by the app: the SHA-256 of the content plus an extension chosen from the
//! content type, under `<data dir>/media/`. A name a customer sent is kept for display only and
//! never becomes part of a path. Writes go to a temp file and are renamed into place.

use crate::engine::{Engine, EngineError};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Largest inbound file WeChat delivers per type (larger ones arrive as a text hint).
pub fn max_bytes(msgtype: &str) -> u64 {
    match msgtype {
        "image" | "voice" => 2 * 1024 * 1024,
        "video" => 10 * 1024 * 1024,
        _ => 20 * 1024 * 1024,
    }
}

/// Attempts before a download is given up.
pub const MAX_ATTEMPTS: i64 = 8;

fn extension(content_type: Option<&str>, msgtype: &str) -> &'static str {
    match content_type
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
    {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        "audio/amr" => "amr",
        "audio/silk" => "silk",
        "video/mp4" => "mp4",
        "application/pdf" => "pdf",
        _ => match msgtype {
            "voice" => "amr",
            "video" => "mp4",
            _ => "bin",
        },
    }
}

/// What a download round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MediaReport {
    /// Files stored.
    pub stored: usize,
    /// Downloads that failed for good.
    pub failed: usize,
    /// Downloads to try again later.
    pub retry: usize,
}

/// Downloads every pending media file into `data_dir/media/`.
pub async fn download_pending(
    engine: &Engine,
    data_dir: &Path,
) -> Result<MediaReport, EngineError> {
    let dir = data_dir.join("media");
    std::fs::create_dir_all(&dir).map_err(crate::store::StoreError::Io)?;
    let mut report = MediaReport::default();
    for item in engine.store.pending_media()? {
        match engine
            .client
            .media_download(&item.media_id, max_bytes(&item.msgtype))
            .await
        {
            Ok(file) => {
                let hash = format!("{:x}", Sha256::digest(&file.bytes));
                let name = format!(
                    "{hash}.{}",
                    extension(file.content_type.as_deref(), &item.msgtype)
                );
                let tmp = dir.join(format!(".{hash}.part"));
                std::fs::write(&tmp, &file.bytes)
                    .and_then(|()| std::fs::rename(&tmp, dir.join(&name)))
                    .map_err(crate::store::StoreError::Io)?;
                engine.store.media_stored(
                    &item.open_kfid,
                    &item.msgid,
                    &format!("media/{name}"),
                    file.bytes.len() as u64,
                    file.content_type.as_deref(),
                    file.filename.as_deref(),
                )?;
                report.stored += 1;
            }
            Err(e) => {
                let permanent = e.is_permanent() || item.attempts + 1 >= MAX_ATTEMPTS;
                engine.store.media_failed(
                    &item.open_kfid,
                    &item.msgid,
                    &e.to_string(),
                    permanent,
                )?;
                if permanent {
                    report.failed += 1;
                } else {
                    report.retry += 1;
                }
            }
        }
    }
    Ok(report)
}
