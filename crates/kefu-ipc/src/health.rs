//! `health_get` and the `health` UI event: sync state, offline since when, the outbox backlog,
//! whether system notifications work, and the waiting count (also the tray's).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Sync state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum SyncState {
    /// Synced; the last rounds succeeded.
    Online,
    /// The first import is under way.
    Syncing,
    /// Sync fails (see `offlineSince`).
    Offline,
    /// Offline so long that history may soon pass WeChat's 3-day horizon.
    HistoryAtRisk,
}

/// Whether system notifications can be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum NotificationState {
    /// A notification service answers.
    Available,
    /// None: the UI keeps in-app alerts.
    Unavailable,
}

/// `health_get` response and the `health` event's payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct HealthDto {
    /// Sync state.
    pub sync: SyncState,
    /// Since when sync fails (unix seconds).
    #[ts(type = "number | null")]
    pub offline_since: Option<i64>,
    /// Last successful sync (unix seconds).
    #[ts(type = "number | null")]
    pub last_sync_at: Option<i64>,
    /// Replies waiting to be sent.
    #[ts(type = "number")]
    pub outbox_queued: i64,
    /// System notifications.
    pub notifications: NotificationState,
    /// Customers waiting.
    #[ts(type = "number")]
    pub waiting_count: i64,
    /// Team mode: the team server's connection; absent in solo mode.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<TeamHealthDto>,
    /// Outside business hours: when the desk opens again (unix seconds); none while any
    /// account is open.
    #[ts(type = "number | null")]
    pub closed_until: Option<i64>,
    /// Accounts outside their hours while others are open, with when each opens.
    pub closed_accounts: Vec<ClosedAccountDto>,
}

/// An account outside its business hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ClosedAccountDto {
    /// The account.
    pub open_kfid: String,
    /// Its name ("" when unknown).
    pub name: String,
    /// When it opens (unix seconds).
    #[ts(type = "number")]
    pub opens_at: i64,
}

/// The team server as the title bar shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TeamHealthDto {
    /// The agent this desktop acts as.
    pub agent: String,
    /// Whether the last call reached it.
    pub connected: bool,
    /// Since when it is unreachable (unix seconds).
    #[ts(type = "number | null")]
    pub offline_since: Option<i64>,
    /// Accounts this desktop polls for the team.
    pub polling: Vec<String>,
    /// `online` or `away`, as the agent set it.
    pub presence: String,
}

impl From<kefu_core::health::Health> for HealthDto {
    fn from(h: kefu_core::health::Health) -> Self {
        use kefu_core::health::SyncHealth;
        Self {
            sync: match h.sync {
                SyncHealth::Online => SyncState::Online,
                SyncHealth::Syncing => SyncState::Syncing,
                SyncHealth::Offline => SyncState::Offline,
                SyncHealth::HistoryAtRisk => SyncState::HistoryAtRisk,
            },
            offline_since: h.offline_since,
            last_sync_at: h.last_sync_at,
            outbox_queued: h.outbox_queued,
            notifications: if h.notifications_available {
                NotificationState::Available
            } else {
                NotificationState::Unavailable
            },
            waiting_count: h.waiting_count,
            team: None,
            closed_until: None,
            closed_accounts: Vec::new(),
        }
    }
}

/// Health now.
pub fn read(ctx: &crate::Context) -> Result<HealthDto, crate::IpcError> {
    let available = ctx.notifier.as_ref().is_some_and(|n| n.available());
    let now = ctx.engine.clock.now();
    let mut health: HealthDto = kefu_core::health::read(&ctx.engine.store, now, available)?.into();
    let hours = ctx.engine.hours();
    let accounts = ctx.engine.store.accounts()?;
    if accounts.is_empty() {
        health.closed_until = hours.desk.opens_at(now);
    } else {
        // The desk is closed when every account is; otherwise the closed ones are named.
        let total = accounts.len();
        let closed: Vec<ClosedAccountDto> = accounts
            .into_iter()
            .filter_map(|(open_kfid, name)| {
                let opens_at = hours.of(&open_kfid).opens_at(now)?;
                Some(ClosedAccountDto {
                    open_kfid,
                    name,
                    opens_at,
                })
            })
            .collect();
        if closed.len() == total {
            health.closed_until = closed.iter().map(|c| c.opens_at).min();
        } else {
            health.closed_accounts = closed;
        }
    }
    if let Some(team) = &ctx.team {
        let status = team.status();
        // Only the account's poller syncs with WeChat; for the others the team server is the
        // source, so its reachability is the sync state.
        if !status.connected && status.offline_since.is_some() {
            health.sync = SyncState::Offline;
            health.offline_since = status.offline_since;
        } else if health.offline_since.is_none() {
            health.sync = SyncState::Online;
        }
        health.team = Some(TeamHealthDto {
            agent: team.agent().to_owned(),
            connected: status.connected,
            offline_since: status.offline_since,
            polling: status.polling,
            presence: team.presence().into(),
        });
    }
    Ok(health)
}
