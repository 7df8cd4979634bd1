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

/// The image format the bytes are, from their first bytes (never the name): WeChat image
/// replies are JPG, PNG or GIF.
pub fn image_format(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
        Some("png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("jpg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("gif")
    } else {
        None
    }
}

/// Image or file, by the content; an image's name gets the extension of what it really is.
pub fn classify(file_name: &str, bytes: &[u8]) -> (MediaType, String) {
    let Some(format) = image_format(bytes) else {
        return (MediaType::File, file_name.to_owned());
    };
    let (stem, ext) = file_name
        .rsplit_once('.')
        .map(|(s, e)| (s, e.to_ascii_lowercase()))
        .unwrap_or((file_name, String::new()));
    let same = ext == format || (format == "jpg" && ext == "jpeg");
    let name = if same {
        file_name.to_owned()
    } else {
        format!("{}.{format}", if stem.is_empty() { "image" } else { stem })
    };
    (MediaType::Image, name)
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
    // Refuse before decoding (base64 is 4 bytes per 3) what no kind of reply could hold.
    if r.data_base64.len() / 4 * 3 > MediaType::File.max_bytes() + 3 {
        return Err(too_large(MediaType::File));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(r.data_base64.trim())
        .map_err(|e| IpcError::new(ErrorCode::BadRequest, format!("dataBase64: {e}")))?;
    if bytes.is_empty() {
        return Err(IpcError::new(ErrorCode::BadRequest, "the file is empty"));
    }
    let (media_type, file_name) = classify(&r.file_name, &bytes);
    if bytes.len() > media_type.max_bytes() {
        return Err(too_large(media_type));
    }
    let engine = ctx.engine.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        engine.enqueue_file_bytes(
            &r.open_kfid,
            &r.external_userid,
            &file_name,
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

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0];

    #[test]
    fn the_content_decides_image_or_file_never_the_name() {
        assert_eq!(classify("a.png", PNG), (MediaType::Image, "a.png".into()));
        assert_eq!(
            classify("截图.txt", PNG),
            (MediaType::Image, "截图.png".into())
        );
        assert_eq!(
            classify("photo.JPEG", &[0xff, 0xd8, 0xff, 0xe0]),
            (MediaType::Image, "photo.JPEG".into())
        );
        assert_eq!(
            classify("noext", b"GIF89a..."),
            (MediaType::Image, "noext.gif".into())
        );
        assert_eq!(
            classify("fake.png", b"MZ\x90\x00 not an image"),
            (MediaType::File, "fake.png".into())
        );
        assert_eq!(
            classify("报价.pdf", b"%PDF-1.7"),
            (MediaType::File, "报价.pdf".into())
        );
    }
}
