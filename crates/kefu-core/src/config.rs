//! Where the app talks to and where it keeps its data, resolved without Tauri.
//!
//! Sources, later ones winning: defaults → the settings file (`settings.json` in the data
//! directory, with the secret from the OS keyring) → `KEFU_*` environment variables. With no corp id and
//! secret the app runs in demo mode against the embedded emulator; with them (and optionally a
//! base URL) it talks to the real service.

use crate::settings::AppSettings;
use kefu_wechat::{DEFAULT_BASE_URL, Secret};
use std::path::PathBuf;

/// Credentials and endpoint of the real service.
#[derive(Clone, Debug)]
pub struct LiveApi {
    /// Base URL (default: the real WeCom host).
    pub base_url: String,
    /// Corp id.
    pub corp_id: String,
    /// App secret.
    pub secret: Secret,
}

/// Which WeChat the app talks to.
#[derive(Clone, Debug)]
pub enum ApiMode {
    /// No credentials: the embedded emulator with simulated customers.
    Demo,
    /// Real credentials (or an emulator started elsewhere, via `KEFU_API_BASE`).
    Live(LiveApi),
}

/// Resolved settings.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Demo or live.
    pub api: ApiMode,
    /// Data directory (database, media).
    pub data_dir: PathBuf,
    /// Accounts to sync; empty means every account from `kf/account/list`.
    pub open_kfids: Vec<String>,
    /// Welcome message for customers entering (`KEFU_WELCOME_TEXT`); none when unset.
    pub welcome_text: Option<String>,
    /// The team database (`KEFU_TEAM_DATABASE_URL`); none = solo mode.
    pub team_url: Option<String>,
    /// What ending a session sends (closing text, survey), from the settings file.
    pub closing: crate::survey::Closing,
    /// Business hours, from the settings file.
    pub hours: crate::hours::Hours,
}

impl Settings {
    /// Where the store lives: the data directory in solo mode, `<data>/team` as a team's mirror
    /// (a team's shared history never mixes with a solo desk's).
    pub fn store_dir(&self) -> PathBuf {
        if self.team_url.is_some() {
            self.data_dir.join("team")
        } else {
            self.data_dir.clone()
        }
    }
}

impl Settings {
    /// Reads `KEFU_DATA_DIR`, `KEFU_API_BASE`, `KEFU_CORP_ID`, `KEFU_SECRET`, `KEFU_OPEN_KFIDS`.
    pub fn from_env() -> Self {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Same as [`Settings::from_env`] with any source of variables (tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        Self::from_sources(get, &AppSettings::default(), || None)
    }

    /// Environment variables over the settings file; `stored_secret` (the keyring) is asked only
    /// when a corp id is known and no `KEFU_SECRET` is set.
    pub fn from_sources(
        get: impl Fn(&str) -> Option<String>,
        file: &AppSettings,
        stored_secret: impl FnOnce() -> Option<Secret>,
    ) -> Self {
        let non_empty = |k: &str| {
            get(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let corp_id = non_empty("KEFU_CORP_ID").or_else(|| {
            file.corp_id
                .as_ref()
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty())
        });
        let secret = match (&corp_id, non_empty("KEFU_SECRET")) {
            (_, Some(s)) => Some(Secret::new(s)),
            (Some(_), None) => stored_secret(),
            (None, None) => None,
        };
        let api = match (corp_id, secret) {
            (Some(corp_id), Some(secret)) => ApiMode::Live(LiveApi {
                base_url: non_empty("KEFU_API_BASE").unwrap_or_else(|| DEFAULT_BASE_URL.to_owned()),
                corp_id,
                secret,
            }),
            _ => ApiMode::Demo,
        };
        let data_dir = data_dir_from(&get);
        let open_kfids = non_empty("KEFU_OPEN_KFIDS")
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_else(|| file.open_kfids.clone());
        let welcome_text = non_empty("KEFU_WELCOME_TEXT")
            .or_else(|| file.welcome_text.clone().filter(|w| !w.trim().is_empty()));
        let team_url = non_empty("KEFU_TEAM_DATABASE_URL").or_else(|| {
            file.team_url
                .as_ref()
                .map(|u| u.trim().to_owned())
                .filter(|u| !u.is_empty())
        });
        Self {
            api,
            data_dir,
            open_kfids,
            welcome_text,
            team_url,
            closing: file.closing(),
            hours: file.hours.clone(),
        }
    }
}

/// The data directory: `KEFU_DATA_DIR`, else the default.
pub fn data_dir_from(get: impl Fn(&str) -> Option<String>) -> PathBuf {
    get("KEFU_DATA_DIR")
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(default_data_dir)
}

/// Where exports are written: `KEFU_EXPORT_DIR`, else `$XDG_DOWNLOAD_DIR`, else `~/Downloads`,
/// else the data directory's `exports/`.
pub fn export_dir() -> PathBuf {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("KEFU_EXPORT_DIR")
        .or_else(|| var("XDG_DOWNLOAD_DIR"))
        .or_else(|| var("HOME").map(|h| h.join("Downloads")))
        .unwrap_or_else(|| default_data_dir().join("exports"))
}

/// `$XDG_DATA_HOME/kefu-desk`, else `~/.local/share/kefu-desk`, else `./kefu-desk-data`.
pub fn default_data_dir() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(x).join("kefu-desk");
    }
    match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        Some(home) => PathBuf::from(home).join(".local/share/kefu-desk"),
        None => PathBuf::from("kefu-desk-data"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Settings {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn demo_without_credentials_live_with_them() {
        assert!(
            matches!(settings(&[]).api, ApiMode::Demo),
            "no credentials means demo"
        );
        assert!(
            matches!(settings(&[("KEFU_CORP_ID", "ww1")]).api, ApiMode::Demo),
            "a secret is needed too"
        );
        let live = settings(&[
            ("KEFU_CORP_ID", "ww1"),
            ("KEFU_SECRET", "s"),
            ("KEFU_OPEN_KFIDS", "wk1, wk2,"),
        ]);
        let ApiMode::Live(api) = live.api else {
            panic!("credentials mean live")
        };
        assert_eq!(
            api.base_url, DEFAULT_BASE_URL,
            "the real host is the default"
        );
        assert_eq!(live.open_kfids, vec!["wk1", "wk2"]);
        let custom = settings(&[
            ("KEFU_CORP_ID", "ww1"),
            ("KEFU_SECRET", "s"),
            ("KEFU_API_BASE", "http://127.0.0.1:9"),
        ]);
        let ApiMode::Live(api) = custom.api else {
            panic!("live")
        };
        assert_eq!(api.base_url, "http://127.0.0.1:9");
    }

    #[test]
    fn the_settings_file_fills_what_the_environment_leaves_open() {
        let file = AppSettings {
            corp_id: Some("wwfile".into()),
            open_kfids: vec!["wkfile".into()],
            ..AppSettings::default()
        };
        let none = |_: &str| None;
        let s = Settings::from_sources(none, &file, || Some(Secret::new("kept")));
        let ApiMode::Live(api) = s.api else {
            panic!("a corp id in the file and a stored secret mean live")
        };
        assert_eq!(api.corp_id, "wwfile");
        assert_eq!(s.open_kfids, vec!["wkfile"]);
        assert!(
            matches!(
                Settings::from_sources(none, &file, || None).api,
                ApiMode::Demo
            ),
            "no stored secret: demo"
        );
        let asked = std::cell::Cell::new(false);
        let _ = Settings::from_sources(none, &AppSettings::default(), || {
            asked.set(true);
            None
        });
        assert!(!asked.get(), "without a corp id the keyring is not asked");
        let env = |k: &str| (k == "KEFU_CORP_ID").then(|| "wwenv".to_owned());
        let ApiMode::Live(api) =
            Settings::from_sources(env, &file, || Some(Secret::new("kept"))).api
        else {
            panic!("live")
        };
        assert_eq!(api.corp_id, "wwenv", "the environment wins over the file");
    }
}
