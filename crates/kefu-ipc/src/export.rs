//! Exports into the downloads folder (`Context::export_dir`): `conversation_export` (text, or
//! an HTML page with its media in a folder) and `messages_export` (a date range as CSV). Names
//! are made from the customer's name and the time, never taken from the request as a path.

use crate::{Context, ErrorCode, IpcError};
use kefu_core::export;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// `conversation_export` request.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConversationExportRequest {
    /// Account.
    pub open_kfid: String,
    /// Customer.
    pub external_userid: String,
    /// text | html.
    pub format: String,
    /// The window's UTC offset in minutes east, for the times written.
    #[ts(optional)]
    pub offset_minutes: Option<i32>,
}

/// `messages_export` request.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MessagesExportRequest {
    /// First second (unix).
    #[ts(type = "number")]
    pub since: i64,
    /// End, exclusive.
    #[ts(type = "number")]
    pub until: i64,
    /// The window's UTC offset in minutes east.
    #[ts(optional)]
    pub offset_minutes: Option<i32>,
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ExportResponse {
    /// The file written (the HTML page, for html).
    pub path: String,
    /// Messages in it.
    #[ts(type = "number")]
    pub messages: u64,
}

fn offset(m: Option<i32>) -> i64 {
    i64::from(m.unwrap_or(480).clamp(-14 * 60, 14 * 60)) * 60
}

fn io(path: &std::path::Path, e: std::io::Error) -> IpcError {
    IpcError::new(
        ErrorCode::Storage,
        format!("could not write {}: {e}", path.display()),
    )
}

fn stamp(ctx: &Context, offset_secs: i64) -> String {
    export::file_stamp(ctx.engine.clock.now(), offset_secs)
}

/// Runs `conversation_export`.
pub async fn conversation(
    ctx: &Context,
    r: ConversationExportRequest,
) -> Result<ExportResponse, IpcError> {
    let offset_secs = offset(r.offset_minutes);
    let store = ctx.engine.store.clone();
    let (kfid, customer) = (r.open_kfid.clone(), r.external_userid.clone());
    let (rows, name) = tokio::task::spawn_blocking(move || {
        let rows = store.conversation_all(&kfid, &customer)?;
        let name = store
            .nicknames()?
            .remove(&customer)
            .unwrap_or_else(|| customer.clone());
        Ok::<_, IpcError>((rows, name))
    })
    .await
    .map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))??;
    if rows.is_empty() {
        return Err(IpcError::new(ErrorCode::NotFound, "no such conversation"));
    }
    let base = format!(
        "kefu-{}-{}",
        export::safe_name(&name),
        stamp(ctx, offset_secs)
    );
    let dir = &ctx.export_dir;
    let path = match r.format.as_str() {
        "text" => {
            let path = dir.join(format!("{base}.txt"));
            std::fs::create_dir_all(dir)
                .and_then(|_| {
                    std::fs::write(&path, export::conversation_text(&rows, &name, offset_secs))
                })
                .map_err(|e| io(&path, e))?;
            path
        }
        "html" => {
            let folder = dir.join(&base);
            export::write_conversation_html(&folder, &ctx.data_dir, &rows, &name, offset_secs)
                .map_err(|e| io(&folder, e))?
        }
        _ => {
            return Err(IpcError::new(
                ErrorCode::BadRequest,
                "format is text or html",
            ));
        }
    };
    Ok(ExportResponse {
        path: path.display().to_string(),
        messages: rows.len() as u64,
    })
}

/// Runs `messages_export`.
pub async fn range(ctx: &Context, r: MessagesExportRequest) -> Result<ExportResponse, IpcError> {
    if r.until <= r.since {
        return Err(IpcError::new(
            ErrorCode::BadRequest,
            "until must be after since",
        ));
    }
    let offset_secs = offset(r.offset_minutes);
    let path = ctx
        .export_dir
        .join(format!("kefu-messages-{}.csv", stamp(ctx, offset_secs)));
    let store = ctx.engine.store.clone();
    let dir = ctx.export_dir.clone();
    let file = path.clone();
    let written = tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        let out = std::fs::File::create(&file).map_err(|e| io(&file, e))?;
        let mut w = csv::Writer::from_writer(std::io::BufWriter::new(out));
        use std::io::Write as _;
        w.write_record(export::RANGE_HEADER)
            .map_err(|e| IpcError::new(ErrorCode::Storage, e.to_string()))?;
        // Read before the scan: the scan holds the store while it runs.
        let names = store.nicknames()?;
        let mut failed = None;
        let n = store.messages_between(r.since, r.until, |m| {
            let id = m.external_userid.as_deref().unwrap_or_default();
            let name = names.get(id).map_or(id, String::as_str);
            if let Err(e) = w.write_record(export::range_record(m, name, offset_secs)) {
                failed.get_or_insert(e.to_string());
            }
        })?;
        if let Some(e) = failed {
            return Err(IpcError::new(ErrorCode::Storage, e));
        }
        let mut inner = w
            .into_inner()
            .map_err(|e| IpcError::new(ErrorCode::Storage, e.to_string()))?;
        inner.flush().map_err(|e| io(&file, e))?;
        Ok::<_, IpcError>(n)
    })
    .await
    .map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))??;
    Ok(ExportResponse {
        path: path.display().to_string(),
        messages: written,
    })
}
