//! WebKitGTK settings for a console that stays open all day. The window draws lists of text,
//! so it is rendered without WebKit's accelerated compositing: on the measured machine that
//! halved the web process (305 → ~150 MiB PSS at launch on 100,000 messages), where the
//! compositor otherwise keeps GL surfaces (Mesa's software GL without a GPU). The page is a
//! single document, so WebKit's memory caches are sized for one (`DocumentViewer`).
//! `KEFU_WEBKIT_COMPOSITING=1` keeps WebKit's default compositing (for comparison or a
//! machine that wants it).

/// Applies the settings to the main window's webview.
#[cfg(target_os = "linux")]
pub fn tune(window: &tauri::WebviewWindow) {
    let keep_compositing = std::env::var_os("KEFU_WEBKIT_COMPOSITING").is_some_and(|v| v == "1");
    let result = window.with_webview(move |webview| {
        use webkit2gtk::{
            CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
        };
        let view = webview.inner();
        if let Some(context) = view.context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
        if let Some(settings) = WebViewExt::settings(&view) {
            // No back/forward page cache: the app never navigates away from its page.
            settings.set_enable_page_cache(false);
            if !keep_compositing {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
        }
    });
    if let Err(e) = result {
        tracing::warn!(error = %e, "webview settings not applied");
    }
}

/// Nothing to tune outside WebKitGTK.
#[cfg(not(target_os = "linux"))]
pub fn tune(_window: &tauri::WebviewWindow) {}
