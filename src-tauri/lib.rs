//! The desktop shell: wiring only. It resolves settings, starts the embedded emulator when no
//! credentials are configured (demo mode), exposes one thin `rpc` command to the web UI, serves
//! stored media on `kefu-media://`, and gives the app its desktop side: a single instance,
//! a tray icon with the waiting count, close-to-tray, and system notifications.

mod backend;
mod ipc;
mod logging;
mod media;
mod tray;
mod webview;
mod window;

use backend::Backend;
use kefu_core::notify::{DesktopSink, Notifier};
use std::sync::Arc;
use tauri::Manager;

/// Starts the desktop app.
pub fn run() {
    // Before anything else (no thread, no display yet): this may start the binary again.
    webview::reexec_with_startup_env();
    logging::init();
    let result = tauri::Builder::default()
        // First: a second launch only focuses the running window, before anything else starts.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            window::show(app);
        }))
        .register_asynchronous_uri_scheme_protocol(kefu_ipc::media_url::MEDIA_SCHEME, media::handle)
        .setup(|app| {
            if let Some(w) = app.get_webview_window(window::MAIN) {
                webview::tune(&w);
            }
            let mut backend = tauri::async_runtime::block_on(Backend::start())?;
            let settings = backend.context.settings.get();
            let handle = app.handle().clone();
            let sink = DesktopSink::new(move |open_kfid, customer| {
                window::show(&handle);
                ipc::focus_conversation(&handle, open_kfid, customer);
                if let Some(n) = handle
                    .try_state::<Backend>()
                    .and_then(|b| b.context.notifier.clone())
                {
                    let (k, c) = (open_kfid.to_owned(), customer.to_owned());
                    tauri::async_runtime::spawn(async move { n.ack(&k, &c).await });
                }
            });
            let notifier = Notifier::new(
                backend.context.engine.clone(),
                backend.context.agent.clone(),
                Arc::new(sink),
                settings.notifications.clone(),
                settings.language.clone(),
            );
            tauri::async_runtime::spawn(notifier.clone().run());
            backend.context.notifier = Some(notifier);
            if let Err(e) = tray::create(app.handle(), &settings.language) {
                tracing::warn!(error = %e, "no tray icon");
            }
            ipc::forward_events(app.handle().clone(), &backend);
            app.manage(backend);
            Ok(())
        })
        .on_window_event(window::on_event)
        .invoke_handler(tauri::generate_handler![ipc::rpc])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        tracing::error!(error = %e, "the app stopped with an error");
        std::process::exit(1);
    }
}
