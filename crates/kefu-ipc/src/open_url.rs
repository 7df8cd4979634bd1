//! `open_url`: a link the agent clicked leaves the app for the system browser. Only absolute
//! `http`/`https` URLs pass ([`checked_url`]); they go to the desktop's opener (`Context::opener`:
//! `xdg-open`, `open` on macOS) as one argument, never through a shell.

use crate::{ErrorCode, IpcError, parse};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// Longest URL handed to the browser.
const MAX_URL: usize = 4096;

/// `open_url` request.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OpenUrlRequest {
    /// An absolute http(s) URL.
    pub url: String,
}

/// The URL of an `open_url` request when it is safe to hand to the system: absolute `http` or
/// `https` with a host, no spaces or control characters, at most 4096 bytes.
pub fn checked_url(req: Value) -> Result<String, IpcError> {
    let r: OpenUrlRequest = parse(req)?;
    let url = r.url.trim();
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let host_ok = rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty() && !host.starts_with('-')
    });
    let clean = !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if !host_ok || !clean || url.len() > MAX_URL {
        return Err(IpcError::new(
            ErrorCode::BadRequest,
            "only absolute http(s) links open outside the app",
        ));
    }
    Ok(url.to_owned())
}

/// Runs `open_url`.
pub(crate) fn open_url(ctx: &crate::Context, req: Value) -> Result<Value, IpcError> {
    let url = checked_url(req)?;
    kefu_core::files::run_opener(&ctx.opener, std::ffi::OsStr::new(&url))
        .map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))?;
    crate::ok(crate::Empty {})
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_http_links_with_a_host_pass() {
        let ok = |u: &str| checked_url(json!({ "url": u })).is_ok();
        assert!(ok("https://example.com/a?b=1#c"));
        assert!(ok("HTTP://Example.com"));
        for bad in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "https://",
            "https:///path",
            "https://-oProxyCommand=x",
            "https://a.com/\nrm",
            "https://a b.com",
            "mailto:x@y.z",
            "/relative",
        ] {
            assert!(!ok(bad), "{bad:?} must not open");
        }
        assert!(checked_url(json!({})).is_err());
    }
}
