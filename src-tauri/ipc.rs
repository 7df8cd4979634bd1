//! The one `rpc` command the UI calls: `{cmd, req}` in, JSON or `{code, message}` out.

use crate::backend::Backend;
use serde::Serialize;
use serde_json::{Value, json};

/// An error the UI turns into localised text by its code.
#[derive(Debug, Serialize)]
pub struct RpcError {
    code: &'static str,
    message: String,
}

/// Dispatches a UI call.
#[tauri::command]
pub async fn rpc(
    backend: tauri::State<'_, Backend>,
    cmd: String,
    req: Value,
) -> Result<Value, RpcError> {
    let _ = req;
    match cmd.as_str() {
        "app_info" => Ok(json!({
            "version": env!("CARGO_PKG_VERSION"),
            "mode": if backend.is_demo() { "demo" } else { "live" },
            "apiBase": backend.api_base,
        })),
        other => Err(RpcError {
            code: "UNKNOWN_COMMAND",
            message: format!("unknown command {other}"),
        }),
    }
}
