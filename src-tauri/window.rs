//! The main window's desktop behaviour: closing hides it to the tray, focus is reported to the
//! notifier, and anything that needs the agent (a second launch, the tray, a notification)
//! shows and focuses it.

use crate::backend::Backend;
use tauri::{Manager, WindowEvent};

/// The main window's label (tauri.conf.json).
pub const MAIN: &str = "main";

/// Shows, un-minimises and focuses the main window.
pub fn show(app: &tauri::AppHandle) {
    if let Some(w) = app.get_webview_window(MAIN) {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}

/// Window events: close → hide (the app keeps syncing and notifying from the tray); focus →
/// the notifier (messages in my sessions alert only while the window is not focused).
pub fn on_event(window: &tauri::Window, event: &WindowEvent) {
    match event {
        WindowEvent::CloseRequested { api, .. } if window.label() == MAIN => {
            api.prevent_close();
            let _ = window.hide();
            if let Some(n) = notifier(window.app_handle()) {
                n.set_focused(false);
            }
        }
        WindowEvent::Focused(focused) => {
            if let Some(n) = notifier(window.app_handle()) {
                n.set_focused(*focused);
            }
        }
        _ => {}
    }
}

fn notifier(app: &tauri::AppHandle) -> Option<kefu_core::notify::Notifier> {
    app.try_state::<Backend>()
        .and_then(|b| b.context.notifier.clone())
}
