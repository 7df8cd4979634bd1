//! `settings_get` / `settings_set`: the agent's settings. The corp secret is write-only: the UI
//! sends it, gets back only `hasSecret`, and it goes to the OS keyring, never to the settings
//! file, a log or an error. Credentials, accounts and the agent's name take effect on restart
//! (`restartRequired`); the welcome text, notifications, language and theme at once. The team
//! database URL is checked and kept without a password; its password is write-only like the
//! secret and goes to the keyring.

use crate::{Context, ErrorCode, IpcError};
use kefu_core::settings::{AppSettings, NotificationSettings, SaveError};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use ts_rs::TS;

/// Notification preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct NotificationSettingsDto {
    /// Show system notifications.
    pub enabled: bool,
    /// Repeat an unacknowledged notification this often (seconds); 0 = no repeat.
    pub repeat_seconds: u32,
    /// Ask the notification service for a sound.
    pub sound: bool,
    /// Alert when a customer waits longer (minutes, 0 = off, at most 1440); none keeps it.
    #[ts(optional)]
    pub sla_waiting_minutes: Option<u32>,
    /// Alert when a customer of mine is unanswered longer (minutes, 0 = off, at most 1440).
    #[ts(optional)]
    pub sla_unanswered_minutes: Option<u32>,
    /// Alert when the 48 h window closes within these hours with replies left (0 = off, ≤ 47).
    #[ts(optional)]
    pub sla_window_hours: Option<u32>,
}

/// Business hours (the desk's; accounts with their own keep them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BusinessHoursDto {
    /// Off: always open.
    pub enabled: bool,
    /// Open days, 1 Monday … 7 Sunday.
    pub days: Vec<u8>,
    /// Opening, minutes after midnight.
    pub open_minute: u32,
    /// Closing, minutes after midnight (after the opening, ≤ 1440).
    pub close_minute: u32,
    /// The UTC offset the times are in (minutes east; the window's when it saves).
    pub offset_minutes: i32,
    /// Sent through the welcome code to a customer who enters outside the hours.
    pub away_text: String,
}

/// One account's own business hours (in place of the desk's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AccountHoursDto {
    /// The account.
    pub open_kfid: String,
    /// Its hours.
    pub hours: BusinessHoursDto,
}

/// An account this console has listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AccountDto {
    /// Its id.
    pub open_kfid: String,
    /// Its name ("" when WeChat gave none).
    pub name: String,
}

/// `settings_get` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SettingsDto {
    /// Corp id ("" when unset: demo mode).
    pub corp_id: String,
    /// Whether a secret is stored in the keyring (the secret itself is never sent back).
    pub has_secret: bool,
    /// Accounts to serve (empty: every account the app may serve).
    pub open_kfids: Vec<String>,
    /// The agent's name in this console ("" = the default).
    pub agent_name: String,
    /// Welcome text for customers who enter ("" = none).
    pub welcome_text: String,
    /// Text sent when a session is ended here ("" = none).
    pub closing_text: String,
    /// Ask for a satisfaction rating when a session is ended here.
    pub survey: bool,
    /// Business hours.
    pub business_hours: BusinessHoursDto,
    /// Accounts with hours of their own, by id.
    pub account_hours: Vec<AccountHoursDto>,
    /// The accounts listed so far (for choosing one).
    pub accounts: Vec<AccountDto>,
    /// Notifications.
    pub notifications: NotificationSettingsDto,
    /// UI language.
    #[ts(type = "\"zh-CN\" | \"en\"")]
    pub language: String,
    /// UI theme.
    #[ts(type = "\"system\" | \"light\" | \"dark\"")]
    pub theme: String,
    /// The team database (`postgres://agent@host/db?sslmode=require`; "" = solo mode).
    pub team_url: String,
    /// Whether a team password is stored in the keyring (never sent back).
    pub has_team_password: bool,
}

/// `settings_set` request: only the fields given change.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SettingsSetRequest {
    /// Corp id ("" clears it).
    #[ts(optional)]
    pub corp_id: Option<String>,
    /// The app secret: stored in the keyring ("" removes it). Write-only.
    #[ts(optional)]
    pub secret: Option<String>,
    /// Accounts to serve.
    #[ts(optional)]
    pub open_kfids: Option<Vec<String>>,
    /// The agent's name.
    #[ts(optional)]
    pub agent_name: Option<String>,
    /// Welcome text ("" = none).
    #[ts(optional)]
    pub welcome_text: Option<String>,
    /// Closing text ("" = none).
    #[ts(optional)]
    pub closing_text: Option<String>,
    /// Satisfaction survey on ending.
    #[ts(optional)]
    pub survey: Option<bool>,
    /// Business hours.
    #[ts(optional)]
    pub business_hours: Option<BusinessHoursDto>,
    /// Every account's own hours (replacing the list; an account left out follows the desk).
    #[ts(optional)]
    pub account_hours: Option<Vec<AccountHoursDto>>,
    /// Notifications.
    #[ts(optional)]
    pub notifications: Option<NotificationSettingsDto>,
    /// UI language.
    #[ts(optional, type = "\"zh-CN\" | \"en\"")]
    pub language: Option<String>,
    /// UI theme.
    #[ts(optional, type = "\"system\" | \"light\" | \"dark\"")]
    pub theme: Option<String>,
    /// The team database URL, without its password ("" = solo mode).
    #[ts(optional)]
    pub team_url: Option<String>,
    /// The team password: stored in the keyring ("" removes it). Write-only.
    #[ts(optional)]
    pub team_password: Option<String>,
}

/// `settings_set` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SettingsSetResponse {
    /// The settings now.
    pub settings: SettingsDto,
    /// Some change (credentials, accounts, agent name, welcome text) takes effect when the app
    /// restarts.
    pub restart_required: bool,
}

/// Longest welcome text WeChat accepts (bytes of UTF-8, as for text messages).
pub const MAX_WELCOME_BYTES: usize = 2048;
/// Longest repeat interval.
pub const MAX_REPEAT_SECONDS: u32 = 24 * 3600;
/// How long the keyring may take before it counts as unavailable.
pub const KEYRING_TIMEOUT: Duration = Duration::from_secs(10);

fn hours_dto(h: &kefu_core::hours::BusinessHours) -> BusinessHoursDto {
    BusinessHoursDto {
        enabled: h.enabled,
        days: h.days.clone(),
        open_minute: h.open_minute,
        close_minute: h.close_minute,
        offset_minutes: h.offset_minutes,
        away_text: h.away_text.clone(),
    }
}

/// Checked business hours from the UI (days sorted and deduplicated).
fn hours_from(h: BusinessHoursDto) -> Result<kefu_core::hours::BusinessHours, IpcError> {
    let mut days = h.days;
    days.sort_unstable();
    days.dedup();
    let hours = kefu_core::hours::BusinessHours {
        enabled: h.enabled,
        days,
        open_minute: h.open_minute,
        close_minute: h.close_minute,
        offset_minutes: h.offset_minutes,
        away_text: h.away_text,
    };
    if !hours.valid() {
        return Err(invalid("business hours: days 1–7, opening before closing"));
    }
    if hours.away_text.len() > MAX_WELCOME_BYTES {
        return Err(invalid(format!(
            "the away text is at most {MAX_WELCOME_BYTES} bytes"
        )));
    }
    Ok(hours)
}

fn dto(
    s: &AppSettings,
    has_secret: bool,
    has_team_password: bool,
    accounts: Vec<AccountDto>,
) -> SettingsDto {
    SettingsDto {
        team_url: s.team_url.clone().unwrap_or_default(),
        has_team_password,
        corp_id: s.corp_id.clone().unwrap_or_default(),
        has_secret,
        open_kfids: s.open_kfids.clone(),
        agent_name: s.agent_name.clone().unwrap_or_default(),
        welcome_text: s.welcome_text.clone().unwrap_or_default(),
        closing_text: s.closing_text.clone().unwrap_or_default(),
        survey: s.survey,
        business_hours: hours_dto(&s.hours.desk),
        account_hours: s
            .hours
            .accounts
            .iter()
            .map(|(k, h)| AccountHoursDto {
                open_kfid: k.clone(),
                hours: hours_dto(h),
            })
            .collect(),
        accounts,
        notifications: NotificationSettingsDto {
            enabled: s.notifications.enabled,
            repeat_seconds: s.notifications.repeat_seconds,
            sound: s.notifications.sound,
            sla_waiting_minutes: Some(s.notifications.sla_waiting_minutes),
            sla_unanswered_minutes: Some(s.notifications.sla_unanswered_minutes),
            sla_window_hours: Some(s.notifications.sla_window_hours),
        },
        language: s.language.clone(),
        theme: s.theme.clone(),
    }
}

/// The settings now.
pub fn get(ctx: &Context) -> SettingsDto {
    dto(
        &ctx.settings.get(),
        ctx.settings.has_secret(),
        ctx.settings.has_team_password(),
        accounts(ctx),
    )
}

fn accounts(ctx: &Context) -> Vec<AccountDto> {
    ctx.engine
        .store
        .accounts()
        .unwrap_or_default()
        .into_iter()
        .map(|(open_kfid, name)| AccountDto { open_kfid, name })
        .collect()
}

fn invalid(message: impl Into<String>) -> IpcError {
    IpcError::new(ErrorCode::InvalidSetting, message)
}

fn non_empty(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// Applies a change: validates, stores the secret in the keyring (if given), writes the file,
/// and passes notification preferences to the notifier.
pub async fn set(ctx: &Context, r: SettingsSetRequest) -> Result<SettingsSetResponse, IpcError> {
    let before = ctx.settings.get();
    let mut next = before.clone();
    if let Some(c) = r.corp_id {
        if c.trim().len() > 64 {
            return Err(invalid("the corp id is at most 64 characters"));
        }
        next.corp_id = non_empty(c);
    }
    if let Some(k) = r.open_kfids {
        let mut ids: Vec<String> = k.into_iter().filter_map(non_empty).collect();
        ids.dedup();
        next.open_kfids = ids;
    }
    if let Some(a) = r.agent_name {
        if a.trim().chars().count() > 64 {
            return Err(invalid("the agent name is at most 64 characters"));
        }
        next.agent_name = non_empty(a);
    }
    if let Some(w) = r.welcome_text {
        if w.len() > MAX_WELCOME_BYTES {
            return Err(invalid(format!(
                "the welcome text is at most {MAX_WELCOME_BYTES} bytes"
            )));
        }
        next.welcome_text = non_empty(w);
    }
    if let Some(c) = r.closing_text {
        // Sent as the head of the survey menu or as a text: a text message's limit.
        if c.len() > MAX_WELCOME_BYTES {
            return Err(invalid(format!(
                "the closing text is at most {MAX_WELCOME_BYTES} bytes"
            )));
        }
        next.closing_text = non_empty(c);
    }
    if let Some(s) = r.survey {
        next.survey = s;
    }
    if let Some(h) = r.business_hours {
        next.hours.desk = hours_from(h)?;
    }
    if let Some(list) = r.account_hours {
        let mut accounts = std::collections::BTreeMap::new();
        for a in list {
            let id = a.open_kfid.trim();
            if id.is_empty() || id.len() > 64 {
                return Err(invalid("business hours: an account id is 1–64 characters"));
            }
            accounts.insert(id.to_owned(), hours_from(a.hours)?);
        }
        next.hours.accounts = accounts;
    }
    if let Some(n) = r.notifications {
        if n.repeat_seconds > MAX_REPEAT_SECONDS {
            return Err(invalid(format!(
                "repeat at most every {MAX_REPEAT_SECONDS} seconds"
            )));
        }
        let old = &next.notifications;
        let waiting = n.sla_waiting_minutes.unwrap_or(old.sla_waiting_minutes);
        let unanswered = n
            .sla_unanswered_minutes
            .unwrap_or(old.sla_unanswered_minutes);
        let window = n.sla_window_hours.unwrap_or(old.sla_window_hours);
        if waiting > 1440 || unanswered > 1440 || window > 47 {
            return Err(invalid(
                "alert thresholds: at most 1440 minutes, and at most 47 hours for the window",
            ));
        }
        next.notifications = NotificationSettings {
            enabled: n.enabled,
            repeat_seconds: n.repeat_seconds,
            sound: n.sound,
            sla_waiting_minutes: waiting,
            sla_unanswered_minutes: unanswered,
            sla_window_hours: window,
        };
    }
    if let Some(l) = r.language {
        if !matches!(l.as_str(), "zh-CN" | "en") {
            return Err(invalid("language is zh-CN or en"));
        }
        next.language = l;
    }
    if let Some(t) = r.theme {
        if !matches!(t.as_str(), "system" | "light" | "dark") {
            return Err(invalid("theme is system, light or dark"));
        }
        next.theme = t;
    }
    if let Some(u) = r.team_url {
        let url = non_empty(u);
        if let Some(url) = &url {
            kefu_core::team::check_url(url).map_err(invalid)?;
        }
        next.team_url = url;
    }
    let team_password = r.team_password.map(|p| p.trim().to_owned());
    let team_password_changed = team_password.is_some();
    if let Some(password) = team_password {
        let file = ctx.settings.clone();
        let saved = tokio::time::timeout(
            KEYRING_TIMEOUT,
            tokio::task::spawn_blocking(move || file.save_team_password(&password)),
        )
        .await;
        match saved {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => {
                return Err(IpcError::new(ErrorCode::KeyringUnavailable, e.to_string()));
            }
            Ok(Err(e)) => return Err(IpcError::new(ErrorCode::Internal, e.to_string())),
            Err(_) => {
                return Err(IpcError::new(
                    ErrorCode::KeyringUnavailable,
                    "the system keyring did not answer",
                ));
            }
        }
    }
    let secret = r.secret.map(|s| s.trim().to_owned());
    let secret_changed = secret.is_some();
    let file = ctx.settings.clone();
    let to_save = next.clone();
    let saved = tokio::time::timeout(
        KEYRING_TIMEOUT,
        tokio::task::spawn_blocking(move || file.save(to_save, secret.as_deref())),
    )
    .await;
    match saved {
        Err(_) => {
            return Err(IpcError::new(
                ErrorCode::KeyringUnavailable,
                "the system keyring did not answer",
            ));
        }
        Ok(Err(e)) => return Err(IpcError::new(ErrorCode::Internal, e.to_string())),
        Ok(Ok(Err(SaveError::Keyring(e)))) => {
            return Err(IpcError::new(ErrorCode::KeyringUnavailable, e.to_string()));
        }
        Ok(Ok(Err(SaveError::Io(e)))) => {
            return Err(IpcError::new(ErrorCode::Storage, e.to_string()));
        }
        Ok(Ok(Ok(()))) => {}
    }
    if let Some(n) = &ctx.notifier {
        n.set_settings(next.notifications.clone(), &next.language)
            .await;
    }
    ctx.engine.set_welcome(next.welcome_text.clone());
    ctx.engine.set_closing(next.closing());
    ctx.engine.set_hours(next.hours.clone());
    let restart_required = secret_changed
        || team_password_changed
        || before.team_url != next.team_url
        || before.corp_id != next.corp_id
        || before.open_kfids != next.open_kfids
        || before.agent_name != next.agent_name;
    tracing::info!(restart_required, "settings saved");
    Ok(SettingsSetResponse {
        settings: dto(
            &next,
            ctx.settings.has_secret(),
            ctx.settings.has_team_password(),
            accounts(ctx),
        ),
        restart_required,
    })
}
