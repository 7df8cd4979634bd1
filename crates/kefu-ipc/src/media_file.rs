//! Received media outside the conversation: `media_open` (the system application opens a copy),
//! `media_save` (a copy in the downloads folder) and `voice_clip` (a voice decoded for the
//! window's player, with its duration and waveform). The request names a message; the file and
//! the name of its copy are the app's (`kefu_core::files`), never a path from the request.

use crate::{Context, ErrorCode, IpcError};
use kefu_core::files::{self, FileError};
use kefu_core::voice::{self, VoiceError};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// `media_open`, `media_save` and `voice_clip` request: one message's media.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MediaFileRequest {
    /// Account.
    pub open_kfid: String,
    /// The message.
    pub msgid: String,
}

/// Where a copy was written.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MediaFileResponse {
    /// The copy's full path.
    pub path: String,
    /// Its file name.
    pub name: String,
}

/// A voice ready to play.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct VoiceClipResponse {
    /// `kefu-media://…` URL of the decoded WAV.
    pub url: String,
    /// Length in milliseconds.
    #[ts(type = "number")]
    pub duration_ms: u64,
    /// 48 levels, 0–100.
    pub waveform: Vec<u8>,
}

fn file_error(e: FileError) -> IpcError {
    match e {
        FileError::Program(_) => IpcError::new(ErrorCode::LooksLikeProgram, e.to_string()),
        FileError::Io(_) => IpcError::new(ErrorCode::Storage, e.to_string()),
        FileError::Opener { .. } => IpcError::new(ErrorCode::Internal, e.to_string()),
    }
}

/// The stored file of the message: (msgtype, path relative to the data directory, name of a copy).
async fn stored(ctx: &Context, r: MediaFileRequest) -> Result<(String, String, String), IpcError> {
    let store = ctx.engine.store.clone();
    let found = tokio::task::spawn_blocking(move || store.stored_media(&r.open_kfid, &r.msgid))
        .await
        .map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))??;
    let (msgtype, path, sent) =
        found.ok_or_else(|| IpcError::new(ErrorCode::NotFound, "the file is not downloaded"))?;
    let name = files::outside_name(sent.as_deref(), &path);
    Ok((msgtype, path, name))
}

/// Runs `media_open`.
pub async fn open(ctx: &Context, r: MediaFileRequest) -> Result<MediaFileResponse, IpcError> {
    let (_, path, name) = stored(ctx, r).await?;
    let copy = files::open_copy(&ctx.data_dir, &path, &name).map_err(file_error)?;
    files::run_opener(&ctx.opener, copy.as_os_str()).map_err(file_error)?;
    Ok(MediaFileResponse {
        path: copy.display().to_string(),
        name,
    })
}

/// Runs `media_save`.
pub async fn save(ctx: &Context, r: MediaFileRequest) -> Result<MediaFileResponse, IpcError> {
    let (_, path, name) = stored(ctx, r).await?;
    let copy =
        files::save_copy(&ctx.data_dir.join(&path), &ctx.export_dir, &name).map_err(file_error)?;
    let name = copy
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or(name);
    Ok(MediaFileResponse {
        path: copy.display().to_string(),
        name,
    })
}

/// Runs `voice_clip`.
pub async fn voice_clip(ctx: &Context, r: MediaFileRequest) -> Result<VoiceClipResponse, IpcError> {
    let (msgtype, path, _) = stored(ctx, r).await?;
    if msgtype != "voice" {
        return Err(IpcError::new(ErrorCode::BadRequest, "not a voice message"));
    }
    let data_dir = ctx.data_dir.clone();
    let clip = tokio::task::spawn_blocking(move || voice::clip(&data_dir, &path))
        .await
        .map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))?
        .map_err(|e| match e {
            VoiceError::Io(_) => IpcError::new(ErrorCode::Storage, e.to_string()),
            VoiceError::Unsupported(_) | VoiceError::Decode(_) => {
                IpcError::new(ErrorCode::Unplayable, e.to_string())
            }
        })?;
    let url = crate::media_url::url(&clip.wav)
        .ok_or_else(|| IpcError::new(ErrorCode::Internal, "the decoded voice has no URL"))?;
    Ok(VoiceClipResponse {
        url,
        duration_ms: clip.duration_ms,
        waveform: clip.waveform,
    })
}
