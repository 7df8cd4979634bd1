//! The one `rpc` command the UI calls (`{cmd, req}` in, JSON or `{code, message}` out), and the
//! forwarder of UI events (made by `kefu_ipc::events`) to the window and the tray.

use crate::backend::Backend;
use kefu_ipc::{IpcError, UiEvent};
use serde_json::Value;
use tauri::Emitter;

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

/// Forwards UI events to the window; health also updates the tray.
pub fn forward_events(app: tauri::AppHandle, backend: &Backend) {
    let ctx = backend.context.clone();
    tauri::async_runtime::spawn(async move {
        let mut rx = kefu_ipc::events::spawn(ctx.clone());
        while let Some(event) = rx.recv().await {
            if let UiEvent::Health { health } = &event {
                crate::tray::update(&app, &ctx.settings.get().language, health);
            }
            if let Err(e) = app.emit(EVENT, event) {
                tracing::warn!(error = %e, "could not emit a UI event");
            }
        }
    });
}

/// Tells the window to show a conversation (a notification was clicked).
pub fn focus_conversation(app: &tauri::AppHandle, open_kfid: &str, external_userid: &str) {
    let event = UiEvent::FocusConversation {
        open_kfid: open_kfid.to_owned(),
        external_userid: external_userid.to_owned(),
    };
    if let Err(e) = app.emit(EVENT, event) {
        tracing::warn!(error = %e, "could not emit a UI event");
    }
}
