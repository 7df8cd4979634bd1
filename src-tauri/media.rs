//! The `kefu-media://` URI scheme: serves stored media files to the webview. Which names are
//! served, and where they are, is decided by `kefu_ipc::media_url` against the store; this is
//! only the HTTP answer.

use crate::backend::Backend;
use tauri::Manager;
use tauri::http::{Request, Response, StatusCode, header};

/// Answers one request (off the UI thread: files can be megabytes).
pub fn handle(
    ctx: tauri::UriSchemeContext<'_, tauri::Wry>,
    request: Request<Vec<u8>>,
    responder: tauri::UriSchemeResponder,
) {
    let app = ctx.app_handle().clone();
    let path = request.uri().path().to_owned();
    std::thread::spawn(move || {
        let served = app
            .try_state::<Backend>()
            .and_then(|b| kefu_ipc::media_url::resolve(&b.context.engine.store, &path));
        let response = served
            .and_then(|s| {
                std::fs::read(&s.path)
                    .ok()
                    .map(|bytes| (s.content_type, bytes))
            })
            .map(|(content_type, bytes)| {
                Response::builder()
                    .status(StatusCode::OK)
                    .header(header::CONTENT_TYPE, content_type)
                    // Content-addressed: a name never changes content.
                    .header(
                        header::CACHE_CONTROL,
                        "private, max-age=31536000, immutable",
                    )
                    .header("X-Content-Type-Options", "nosniff")
                    // The window reads voice and video with fetch (WebKitGTK's media engine
                    // cannot load a custom scheme); only this webview can reach the scheme.
                    .header(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")
                    .body(bytes)
            })
            .unwrap_or_else(|| {
                Response::builder()
                    .status(StatusCode::NOT_FOUND)
                    .body(Vec::new())
            });
        match response {
            Ok(r) => responder.respond(r),
            Err(e) => tracing::warn!(error = %e, "media response not built"),
        }
    });
}
