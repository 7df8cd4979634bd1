//! WebKitGTK settings for a console that stays open all day. The window draws lists of text,
//! so it is rendered without WebKit's accelerated compositing: on the measured machine that
//! halved the web process (305 → ~150 MiB PSS at launch on 100,000 messages), where the
//! compositor otherwise keeps GL surfaces (Mesa's software GL without a GPU). The page is a
//! single document, so WebKit's memory caches are sized for one (`DocumentViewer`).
//! Other settings are read from the environment only, once, before any of our code runs, so
//! the app starts itself again with them (`reexec_with_startup_env`): WebKit's DMA-BUF renderer
//! off (it serves accelerated compositing, and its GL buffers cost about 10 MiB over the app and
//! web processes), glibc's malloc with at most two arenas (one per thread by default; over a day
//! the engine's threads each kept a fragmented arena of their own) and a fixed threshold for
//! large blocks, JavaScriptCore's heap growth as on a machine of ordinary memory and without its
//! optimising compilers, and no GL in the app process (see [`STARTUP_ENV`]).
//! `KEFU_WEBKIT_COMPOSITING=1` keeps WebKit's default compositing and renderer (for comparison or
//! a machine that wants it).

/// The start-up environment, where not set already. The web process inherits it, and
/// JavaScriptCore reads its `JSC_*` options from there. On a machine with 16 GiB of RAM or more
/// (`aggressiveHeapThresholdInMB`) JavaScriptCore lets a heap grow to about four times what is
/// live before a full collection and rate-limits collections; set above any real RAM, it keeps
/// the ordinary factor (twice what is live). The window keeps about 9 MiB of JavaScript live
/// over a working day (measured with `JSC_logGC=1` during the soak).
///
/// With compositing off the app process draws no GL, yet two things load Mesa into it, and Mesa
/// loads LLVM (about 20 MiB of relocated data and code per process): GTK choosing GL visuals
/// through GLX (`GDK_GL=disable` skips it), and WebKit asking EGL for the GPU's render node to
/// hand to the web process (a named node skips the question; nothing renders on it with DMA-BUF
/// and compositing off, so the node is `/dev/null`). Measured at launch in demo mode: the app
/// process 97 → 73 MiB. The web process keeps Mesa: WebKit 2.50 opens a surfaceless EGL display
/// there whatever the policy, and aborts without one.
///
/// Two more, measured together over the soak's day (idle at the end 310 → 290 MiB, the web
/// process 203 → 181 MiB): JavaScriptCore without its optimising compilers (`useDFGJIT`; DFG
/// and FTL recompile hot functions and keep both versions, where the window's JavaScript is
/// small and waits on the DOM; the interpreter and the baseline JIT stay), and glibc's malloc
/// with a fixed 128 KiB threshold for large blocks (by default the threshold rises after each
/// large block is freed, up to 32 MiB, and later large blocks such as serialised IPC replies
/// then come from, and fragment, the heap).
#[cfg(target_os = "linux")]
const STARTUP_ENV: [(&str, &str); 7] = [
    ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
    ("MALLOC_ARENA_MAX", "2"),
    ("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=131072"),
    ("JSC_aggressiveHeapThresholdInMB", "1048576"),
    ("JSC_useDFGJIT", "false"),
    ("GDK_GL", "disable"),
    ("WEBKIT_WEB_RENDER_DEVICE_FILE", "/dev/null"),
];

#[cfg(target_os = "linux")]
fn keep_compositing() -> bool {
    std::env::var_os("KEFU_WEBKIT_COMPOSITING").is_some_and(|v| v == "1")
}

/// Starts the binary again, same pid and arguments, with [`STARTUP_ENV`] set where unset, and
/// the names it set listed in `KEFU_STARTUP_ENV` for the programs the app starts. Setting
/// them in-process would be `std::env::set_var`, which is unsafe (other threads may read the
/// environment) and forbidden here; `exec` before any thread exists is the safe equivalent. A
/// variable already set, to any value, is left alone, so the second start goes straight on. If
/// exec fails, the app starts as it is.
#[cfg(target_os = "linux")]
pub fn reexec_with_startup_env() {
    use std::os::unix::process::CommandExt;
    if keep_compositing() {
        return;
    }
    let missing: Vec<(&str, &str)> = STARTUP_ENV
        .into_iter()
        .filter(|(name, _)| std::env::var_os(name).is_none())
        .collect();
    if missing.is_empty() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    // Programs the app starts (the opener) drop what it added; see `kefu_core::files`.
    let added: Vec<&str> = missing.iter().map(|(name, _)| *name).collect();
    let error = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .envs(missing)
        .env(kefu_core::files::STARTUP_ENV_VAR, added.join(","))
        .exec();
    // Logging is not set up yet.
    eprintln!("kefu-desk: restarting with the start-up environment failed ({error}); going on");
}

/// Nothing to do outside WebKitGTK.
#[cfg(not(target_os = "linux"))]
pub fn reexec_with_startup_env() {}

/// Applies the settings to the main window's webview.
#[cfg(target_os = "linux")]
pub fn tune(window: &tauri::WebviewWindow) {
    let keep_compositing = keep_compositing();
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
