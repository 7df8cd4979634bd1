//! Image and file replies (`reply_attachment`), sending a failed reply again (`reply_retry`,
//! with the same msgid), and recalling a delivered one within 2 minutes (`reply_recall`).

use crate::{Context, ErrorCode, IpcError, ReplySendResponse};
use base64::Engine as _;
use kefu_core::store::RetryRefused;
use kefu_wechat::api::MediaType;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// `reply_attachment` request.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReplyAttachmentRequest {
    /// Account.
    pub open_kfid: String,
    /// Customer.
    pub external_userid: String,
    /// The file's name: shown to the customer, never used as a path. `.png`, `.jpg`, `.jpeg`
    /// and `.gif` are sent as images (at most 10 MB), anything else as a file (at most 20 MB).
    pub file_name: String,
    /// The file's bytes, base64.
    pub data_base64: String,
}

/// `reply_retry` request.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReplyRetryRequest {
    /// The failed reply.
    pub msgid: String,
}

/// `reply_recall` request.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReplyRecallRequest {
    /// The delivered reply.
    pub msgid: String,
}

/// Recalls a delivered reply (`kf/recall_msg`); it stays in the conversation, marked recalled.
pub async fn recall(ctx: &Context, r: ReplyRecallRequest) -> Result<crate::Empty, IpcError> {
    use kefu_core::engine::RecallRefused;
    ctx.engine.recall(&r.msgid).await?.map_err(|e| {
        let code = match e {
            RecallRefused::NotFound => ErrorCode::NotFound,
            RecallRefused::NotSent => ErrorCode::NotRetryable,
            RecallRefused::TooLate => ErrorCode::RecallTooLate,
        };
        IpcError::new(code, e.to_string())
    })?;
    Ok(crate::Empty {})
}

/// Image or file, by the name's extension.
pub fn media_type_of(file_name: &str) -> MediaType {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" | "jpg" | "jpeg" | "gif" => MediaType::Image,
        _ => MediaType::File,
    }
}

fn too_large(media_type: MediaType) -> IpcError {
    IpcError::new(
        ErrorCode::TooLarge,
        format!(
            "{} replies are at most {} MB",
            media_type.as_str(),
            media_type.max_bytes() / (1024 * 1024)
        ),
    )
}

/// Enqueues an image or file reply (durable at once; uploaded and sent by the worker).
pub async fn attachment(
    ctx: &Context,
    r: ReplyAttachmentRequest,
) -> Result<ReplySendResponse, IpcError> {
    let media_type = media_type_of(&r.file_name);
    // Refuse before decoding: base64 is 4 bytes per 3.
    if r.data_base64.len() / 4 * 3 > media_type.max_bytes() + 3 {
        return Err(too_large(media_type));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(r.data_base64.trim())
        .map_err(|e| IpcError::new(ErrorCode::BadRequest, format!("dataBase64: {e}")))?;
    if bytes.is_empty() {
        return Err(IpcError::new(ErrorCode::BadRequest, "the file is empty"));
    }
    if bytes.len() > media_type.max_bytes() {
        return Err(too_large(media_type));
    }
    let engine = ctx.engine.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        engine.enqueue_file_bytes(
            &r.open_kfid,
            &r.external_userid,
            &r.file_name,
            &bytes,
            media_type,
        )
    })
    .await
    .map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))??;
    let row = outcome.map_err(crate::refused_reply)?;
    ctx.worker.send(kefu_core::worker::Command::SyncNow).await;
    Ok(ReplySendResponse {
        msgid: row.msgid,
        state: row.state,
    })
}

/// Puts a failed reply back in the queue with its msgid.
pub async fn retry(ctx: &Context, r: ReplyRetryRequest) -> Result<ReplySendResponse, IpcError> {
    let row = ctx
        .engine
        .store
        .requeue_failed(&r.msgid, ctx.engine.clock.now())?
        .map_err(|e| match e {
            RetryRefused::NotFound => IpcError::new(ErrorCode::NotFound, e.to_string()),
            RetryRefused::NotFailed | RetryRefused::AcceptedBefore => {
                IpcError::new(ErrorCode::NotRetryable, e.to_string())
            }
            RetryRefused::Rules(r) => crate::refused_reply(r),
        })?;
    ctx.engine
        .events
        .publish(kefu_core::event::DomainEvent::OutboxChanged {
            msgid: row.msgid.clone(),
            state: row.state.clone(),
        });
    ctx.worker.send(kefu_core::worker::Command::SyncNow).await;
    Ok(ReplySendResponse {
        msgid: row.msgid,
        state: row.state,
    })
}
