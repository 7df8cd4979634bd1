//! The one `rpc` command the UI calls (`{cmd, req}` in, JSON or `{code, message}` out), and the
//! forwarder that turns domain events into UI events.

use crate::backend::Backend;
use kefu_ipc::{IpcError, UiEvent};
use serde_json::Value;
use tauri::Emitter;
use tokio::sync::broadcast::error::RecvError;

/// The UI event channel name.
pub const EVENT: &str = "kefu://event";

/// Dispatches a UI call to the contract.
#[tauri::command]
pub async fn rpc(
    backend: tauri::State<'_, Backend>,
    cmd: String,
    req: Value,
) -> Result<Value, IpcError> {
    kefu_ipc::dispatch(&backend.context, &cmd, req).await
}

/// Forwards domain events to the window; a lagged receiver becomes `Resync`, so a slow UI is
/// never a silently stale UI.
pub fn forward_events(app: tauri::AppHandle, backend: &Backend) {
    let mut rx = backend.context.engine.events.subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            let event = match rx.recv().await {
                Ok(_) => UiEvent::Changed,
                Err(RecvError::Lagged(_)) => UiEvent::Resync,
                Err(RecvError::Closed) => return,
            };
            if let Err(e) = app.emit(EVENT, event) {
                tracing::warn!(error = %e, "could not emit a UI event");
            }
        }
    });
}
