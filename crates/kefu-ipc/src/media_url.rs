//! The one place media URLs are made and read back: stored files reach the webview through the
//! shell's `kefu-media` URI scheme as `kefu-media://localhost/<dir>/<sha256>.<ext>`.
//!
//! Invariant: only names the app chose (`media/` or `outbox/`, 64 hex digits, a short lowercase
//! extension) that the store recorded are served; a sender's file name never becomes a path.

use kefu_core::store::Store;
use std::path::PathBuf;

/// The URI scheme the shell registers (also named in the CSP of `tauri.conf.json`).
pub const MEDIA_SCHEME: &str = "kefu-media";

/// The origin of media URLs on Linux and macOS (WebKit): `kefu-media://localhost`.
pub const MEDIA_ORIGIN: &str = "kefu-media://localhost";

/// Whether `relative` is a name the app chose for a stored file.
pub fn is_app_name(relative: &str) -> bool {
    let Some((dir, name)) = relative.split_once('/') else {
        return false;
    };
    let Some((hash, ext)) = name.split_once('.') else {
        return false;
    };
    matches!(dir, "media" | "outbox")
        && hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && (1..=8).contains(&ext.len())
        && ext
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}

/// The URL of a stored file (path relative to the data directory); `None` for any other name.
pub fn url(relative: &str) -> Option<String> {
    is_app_name(relative).then(|| format!("{MEDIA_ORIGIN}/{relative}"))
}

/// A file to serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    /// Absolute path.
    pub path: PathBuf,
    /// Content type for the response.
    pub content_type: String,
}

/// What a request path (`/media/<sha256>.<ext>`) of the scheme serves; `None` (answer 404)
/// unless it is an app-chosen name recorded in the store.
pub fn resolve(store: &Store, request_path: &str) -> Option<Served> {
    let relative = request_path.strip_prefix('/').unwrap_or(request_path);
    if !is_app_name(relative) {
        return None;
    }
    let content_type = store.served_file(relative).ok()??;
    let ext = relative.rsplit('.').next().unwrap_or_default();
    let content_type = content_type
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| kefu_core::engine::content_type_of(ext).to_owned());
    Some(Served {
        path: store.data_dir().join(relative),
        content_type,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_app_chosen_names_become_urls() {
        let hash = "a".repeat(64);
        assert_eq!(
            url(&format!("media/{hash}.jpg")).as_deref(),
            Some(format!("kefu-media://localhost/media/{hash}.jpg").as_str())
        );
        assert!(url(&format!("outbox/{hash}.pdf")).is_some());
        for bad in [
            format!("media/../{hash}.jpg"),
            format!("etc/{hash}.jpg"),
            format!("media/{hash}.JPG"),
            format!("media/{hash}"),
            format!("media/{}.jpg", "g".repeat(64)),
            "media/报价单.pdf".to_owned(),
            format!("media/{hash}.jpg/../../x"),
        ] {
            assert_eq!(url(&bad), None, "{bad} is not an app-chosen name");
        }
    }
}
