//! The tray icon: the waiting count in its tooltip and title, and a menu to show the window or
//! quit (closing the window only hides it).

use kefu_ipc::HealthDto;
use tauri::menu::{Menu, MenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};

const TRAY: &str = "main";

/// Tray texts by UI language (the tray is outside the web UI and its i18n).
fn texts(language: &str) -> (&'static str, &'static str, &'static str) {
    if language == "en" {
        ("Kefu Desk", "Show", "Quit")
    } else {
        ("客服台", "显示", "退出")
    }
}

/// The tooltip for a waiting count.
pub fn tooltip(language: &str, waiting: i64) -> String {
    let (name, _, _) = texts(language);
    if language == "en" {
        format!("{name} · {waiting} waiting")
    } else {
        format!("{name} · {waiting} 位客户等待中")
    }
}

/// Creates the tray icon.
pub fn create(app: &tauri::AppHandle, language: &str) -> tauri::Result<()> {
    let (_, show_label, quit_label) = texts(language);
    let show = MenuItem::with_id(app, "show", show_label, true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", quit_label, true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&show, &quit])?;
    let mut builder = TrayIconBuilder::with_id(TRAY)
        .tooltip(tooltip(language, 0))
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "show" => crate::window::show(app),
            "quit" => app.exit(0),
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                crate::window::show(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    Ok(())
}

/// Shows the waiting count.
pub fn update(app: &tauri::AppHandle, language: &str, health: &HealthDto) {
    if let Some(tray) = app.tray_by_id(TRAY) {
        let _ = tray.set_tooltip(Some(tooltip(language, health.waiting_count)));
        // Beside the icon where the platform shows a title (Linux app indicators, macOS).
        let title = (health.waiting_count > 0).then(|| health.waiting_count.to_string());
        let _ = tray.set_title(title);
    }
}
