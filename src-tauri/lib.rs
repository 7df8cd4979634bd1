//! The desktop shell: wiring only. It resolves settings, starts the embedded emulator when no
//! credentials are configured (demo mode), and exposes one thin `rpc` command to the web UI.

mod backend;
mod ipc;
mod logging;

use backend::Backend;

/// Starts the desktop app.
pub fn run() {
    logging::init();
    let result = tauri::Builder::default()
        .setup(|app| {
            use tauri::Manager;
            let backend = tauri::async_runtime::block_on(Backend::start())?;
            ipc::forward_events(app.handle().clone(), &backend);
            app.manage(backend);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![ipc::rpc])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        tracing::error!(error = %e, "the app stopped with an error");
        std::process::exit(1);
    }
}
