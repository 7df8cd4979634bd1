//! The agent's settings: non-secret ones in `settings.json` in the data directory, the corp
//! secret in the OS keyring (Secret Service on Linux) and nowhere else.
//!
//! Invariants: the secret is write-only for the UI (only whether one is stored is shown), never
//! written to the settings file, a log or an error; the file is replaced atomically (temp file +
//! rename), so a crash leaves the old or the new settings, never half of them.

use kefu_wechat::Secret;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The settings file's name in the data directory.
pub const FILE_NAME: &str = "settings.json";

/// Notification preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotificationSettings {
    /// Show system notifications.
    pub enabled: bool,
    /// Repeat an unacknowledged notification this often; 0 = never.
    pub repeat_seconds: u32,
    /// Ask the notification service to play a sound.
    pub sound: bool,
    /// Alert when a customer waits longer than this (minutes; 0 = off).
    pub sla_waiting_minutes: u32,
    /// Alert when a customer of mine is unanswered longer than this (minutes; 0 = off).
    pub sla_unanswered_minutes: u32,
    /// Alert when the 48 h window closes within this many hours with replies left (0 = off).
    pub sla_window_hours: u32,
}

impl Default for NotificationSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            repeat_seconds: 60,
            sound: true,
            sla_waiting_minutes: 5,
            sla_unanswered_minutes: 10,
            sla_window_hours: 4,
        }
    }
}

/// Everything the agent sets except the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AppSettings {
    /// Corp id (`ww…`); with a stored secret the app runs live.
    pub corp_id: Option<String>,
    /// Accounts to serve; empty = every account the app may serve.
    pub open_kfids: Vec<String>,
    /// The agent's name in this console (who claimed a session).
    pub agent_name: Option<String>,
    /// Welcome text for customers who enter; none = no welcome.
    pub welcome_text: Option<String>,
    /// Text sent when a session is ended here; none = no closing text.
    pub closing_text: Option<String>,
    /// Ask for a satisfaction rating (满意 / 一般 / 不满意) when a session is ended here.
    pub survey: bool,
    /// Business hours and the away text.
    pub hours: crate::hours::Hours,
    /// Notifications.
    pub notifications: NotificationSettings,
    /// UI language: `zh-CN` or `en`.
    pub language: String,
    /// UI theme: `system`, `light` or `dark`.
    pub theme: String,
    /// The team database (`postgres://agent@host/db`, no password: that is in the keyring);
    /// none = solo mode. Takes effect after a restart.
    pub team_url: Option<String>,
}

impl AppSettings {
    /// What ending a session sends.
    pub fn closing(&self) -> crate::survey::Closing {
        crate::survey::Closing {
            text: self.closing_text.clone(),
            survey: self.survey,
        }
    }
}

impl Default for AppSettings {
    fn default() -> Self {
        Self {
            corp_id: None,
            open_kfids: Vec::new(),
            agent_name: None,
            welcome_text: None,
            closing_text: None,
            survey: true,
            hours: crate::hours::Hours::default(),
            notifications: NotificationSettings::default(),
            language: "zh-CN".into(),
            theme: "system".into(),
            team_url: None,
        }
    }
}

/// The OS keyring could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the system keyring is unavailable: {0}")]
pub struct KeyringUnavailable(pub String);

/// Where the corp secret is kept.
pub trait SecretStore: Send + Sync {
    /// The stored secret, if any.
    fn get(&self) -> Result<Option<Secret>, KeyringUnavailable>;
    /// Stores (replaces) the secret.
    fn set(&self, secret: &str) -> Result<(), KeyringUnavailable>;
    /// Removes the secret; removing none is fine.
    fn delete(&self) -> Result<(), KeyringUnavailable>;
}

/// The OS keyring through the `keyring` crate (Secret Service over D-Bus on Linux).
#[derive(Debug, Clone)]
pub struct Keyring {
    service: String,
    user: String,
}

impl Keyring {
    /// The entry of Kefu Desk's corp secret.
    pub fn new() -> Self {
        Self {
            service: "com.kefudesk.desktop".into(),
            user: "corp-secret".into(),
        }
    }

    /// The entry of the team database password.
    pub fn team_password() -> Self {
        Self::named("com.kefudesk.desktop", "team-password")
    }

    /// Another entry (tests use their own, never the app's).
    pub fn named(service: &str, user: &str) -> Self {
        Self {
            service: service.into(),
            user: user.into(),
        }
    }

    fn entry(&self) -> Result<keyring::Entry, KeyringUnavailable> {
        keyring::Entry::new(&self.service, &self.user).map_err(unavailable)
    }
}

impl Default for Keyring {
    fn default() -> Self {
        Self::new()
    }
}

fn unavailable(e: keyring::Error) -> KeyringUnavailable {
    // keyring's errors describe the store, never the secret.
    KeyringUnavailable(e.to_string())
}

impl SecretStore for Keyring {
    fn get(&self) -> Result<Option<Secret>, KeyringUnavailable> {
        match self.entry()?.get_password() {
            Ok(s) if s.is_empty() => Ok(None),
            Ok(s) => Ok(Some(Secret::new(s))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn set(&self, secret: &str) -> Result<(), KeyringUnavailable> {
        self.entry()?.set_password(secret).map_err(unavailable)
    }

    fn delete(&self) -> Result<(), KeyringUnavailable> {
        match self.entry()?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }
}

/// A secret store in memory: for tests, or `unavailable()` to act as a missing keyring.
#[derive(Debug, Default)]
pub struct MemorySecretStore {
    secret: Mutex<Option<String>>,
    unavailable: bool,
}

impl MemorySecretStore {
    /// A store that always fails, like a system without a keyring.
    pub fn unavailable() -> Self {
        Self {
            secret: Mutex::new(None),
            unavailable: true,
        }
    }

    fn check(&self) -> Result<(), KeyringUnavailable> {
        if self.unavailable {
            Err(KeyringUnavailable("no secret service".into()))
        } else {
            Ok(())
        }
    }
}

impl SecretStore for MemorySecretStore {
    fn get(&self) -> Result<Option<Secret>, KeyringUnavailable> {
        self.check()?;
        Ok(self
            .secret
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .map(Secret::new))
    }

    fn set(&self, secret: &str) -> Result<(), KeyringUnavailable> {
        self.check()?;
        *self.secret.lock().unwrap_or_else(|p| p.into_inner()) = Some(secret.to_owned());
        Ok(())
    }

    fn delete(&self) -> Result<(), KeyringUnavailable> {
        self.check()?;
        *self.secret.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }
}

/// The settings file plus the secret store, shared by the UI contract and the shell.
pub struct SettingsFile {
    path: PathBuf,
    current: Mutex<AppSettings>,
    has_secret: Mutex<bool>,
    secrets: Box<dyn SecretStore>,
    /// The team database password (team mode), kept like the corp secret.
    team_secrets: Box<dyn SecretStore>,
    has_team_password: Mutex<bool>,
}

impl std::fmt::Debug for SettingsFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SettingsFile")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SettingsFile {
    /// Reads `path` (a missing or unreadable file gives the defaults, with a warning for the
    /// latter). `has_secret` is what the caller found at start (see [`SettingsFile::load_secret`]):
    /// the keyring is not asked again on every read.
    pub fn load(path: &Path, secrets: Box<dyn SecretStore>, has_secret: bool) -> Self {
        let current = match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "settings file unreadable; using defaults");
                AppSettings::default()
            }),
            Err(_) => AppSettings::default(),
        };
        Self {
            path: path.to_owned(),
            current: Mutex::new(current),
            has_secret: Mutex::new(has_secret),
            secrets,
            team_secrets: Box::new(Keyring::team_password()),
            has_team_password: Mutex::new(false),
        }
    }

    /// Keeps the team password in `store` instead of the OS keyring (tests).
    pub fn with_team_secrets(mut self, store: Box<dyn SecretStore>) -> Self {
        self.team_secrets = store;
        self
    }

    /// Whether a team password is stored (as last known).
    pub fn has_team_password(&self) -> bool {
        *self
            .has_team_password
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// The stored team password (blocking: D-Bus on Linux).
    pub fn load_team_password(&self) -> Result<Option<Secret>, KeyringUnavailable> {
        let s = self.team_secrets.get()?;
        *self
            .has_team_password
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = s.is_some();
        Ok(s)
    }

    /// Stores (`"…"`) or removes (`""`) the team password. Blocking.
    pub fn save_team_password(&self, password: &str) -> Result<(), KeyringUnavailable> {
        if password.is_empty() {
            self.team_secrets.delete()?;
        } else {
            self.team_secrets.set(password)?;
        }
        *self
            .has_team_password
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = !password.is_empty();
        Ok(())
    }

    /// The current settings.
    pub fn get(&self) -> AppSettings {
        self.current
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Whether a secret is stored (as last known).
    pub fn has_secret(&self) -> bool {
        *self.has_secret.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The stored secret, read from the secret store (blocking: D-Bus on Linux).
    pub fn load_secret(&self) -> Result<Option<Secret>, KeyringUnavailable> {
        let s = self.secrets.get()?;
        *self.has_secret.lock().unwrap_or_else(|p| p.into_inner()) = s.is_some();
        Ok(s)
    }

    /// [`SettingsFile::load_secret`] on its own thread, giving up after `timeout` (a Secret
    /// Service that waits for a password prompt must not hold up the app's start).
    pub fn load_secret_within(
        self: &std::sync::Arc<Self>,
        timeout: std::time::Duration,
    ) -> Result<Option<Secret>, KeyringUnavailable> {
        self.within(timeout, Self::load_secret)
    }

    /// [`SettingsFile::load_team_password`], giving up after `timeout`.
    pub fn load_team_password_within(
        self: &std::sync::Arc<Self>,
        timeout: std::time::Duration,
    ) -> Result<Option<Secret>, KeyringUnavailable> {
        self.within(timeout, Self::load_team_password)
    }

    fn within(
        self: &std::sync::Arc<Self>,
        timeout: std::time::Duration,
        read: fn(&Self) -> Result<Option<Secret>, KeyringUnavailable>,
    ) -> Result<Option<Secret>, KeyringUnavailable> {
        let (tx, rx) = std::sync::mpsc::channel();
        let me = self.clone();
        std::thread::spawn(move || {
            let _ = tx.send(read(&me));
        });
        rx.recv_timeout(timeout)
            .unwrap_or_else(|_| Err(KeyringUnavailable("the keyring did not answer".into())))
    }

    /// Stores (`Some("…")`) or removes (`Some("")`) the secret, then writes `next`; the file is
    /// not touched when the keyring fails. Blocking.
    pub fn save(&self, next: AppSettings, secret: Option<&str>) -> Result<(), SaveError> {
        if let Some(secret) = secret {
            if secret.is_empty() {
                self.secrets.delete()?;
            } else {
                self.secrets.set(secret)?;
            }
            *self.has_secret.lock().unwrap_or_else(|p| p.into_inner()) = !secret.is_empty();
        }
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        write_atomically(&self.path, &next)?;
        *current = next;
        Ok(())
    }
}

/// Saving settings failed.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The keyring refused the secret.
    #[error(transparent)]
    Keyring(#[from] KeyringUnavailable),
    /// The file could not be written.
    #[error("cannot write the settings file: {0}")]
    Io(#[from] std::io::Error),
}

fn write_atomically(path: &Path, settings: &AppSettings) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("json.part");
    let json = serde_json::to_vec_pretty(settings).expect("settings serialise");
    std::fs::write(&tmp, json)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_survive_a_reload_and_the_secret_never_reaches_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(FILE_NAME);
        let file = SettingsFile::load(&path, Box::new(MemorySecretStore::default()), false);
        assert_eq!(file.get(), AppSettings::default(), "no file means defaults");
        let mut next = file.get();
        next.corp_id = Some("ww1".into());
        next.notifications.repeat_seconds = 0;
        file.save(next.clone(), Some("s3cr3t-value")).expect("save");
        assert!(file.has_secret());
        let text = std::fs::read_to_string(&path).expect("file written");
        assert!(
            !text.contains("s3cr3t-value"),
            "the secret stays out of the settings file"
        );
        let again = SettingsFile::load(&path, Box::new(MemorySecretStore::default()), false);
        assert_eq!(again.get(), next, "settings are read back as saved");

        let broken = SettingsFile::load(&path, Box::new(MemorySecretStore::unavailable()), false);
        let err = broken
            .save(AppSettings::default(), Some("x"))
            .expect_err("no keyring");
        assert!(matches!(err, SaveError::Keyring(_)));
        assert_eq!(
            SettingsFile::load(&path, Box::new(MemorySecretStore::default()), false).get(),
            next,
            "a refused secret leaves the file as it was"
        );
    }
}
