//! Sync health for the window title and the tray: online, syncing (first import), offline since
//! when, or history at risk (offline long enough that WeChat's 3-day horizon nears), with the
//! outbox backlog and the waiting count.

use crate::store::{Result, Store};

/// The sync part of health.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncHealth {
    /// Every account synced and the last rounds succeeded.
    Online,
    /// The first import is under way.
    Syncing,
    /// Sync is failing.
    Offline,
    /// Sync has failed for so long that unsynced history may soon be lost.
    HistoryAtRisk,
}

/// Health as the window and tray show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Health {
    /// Sync state.
    pub sync: SyncHealth,
    /// Since when sync fails.
    pub offline_since: Option<i64>,
    /// Last successful sync of any account.
    pub last_sync_at: Option<i64>,
    /// Replies waiting to be sent.
    pub outbox_queued: i64,
    /// Whether system notifications can be shown.
    pub notifications_available: bool,
    /// Customers waiting.
    pub waiting_count: i64,
}

/// Reads health from the store as of `now`.
pub fn read(store: &Store, now: i64, notifications_available: bool) -> Result<Health> {
    let s = store.sync_summary()?;
    let sync = if s.failing_since.is_some() {
        if s.history_at_risk(now) {
            SyncHealth::HistoryAtRisk
        } else {
            SyncHealth::Offline
        }
    } else if s.accounts == 0 || s.synced_accounts < s.accounts {
        SyncHealth::Syncing
    } else {
        SyncHealth::Online
    };
    let (queued, _, _) = store.outbox_counts()?;
    Ok(Health {
        sync,
        offline_since: s.failing_since,
        last_sync_at: s.last_success_at,
        outbox_queued: queued,
        notifications_available,
        waiting_count: store.waiting_count()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_follows_sync_results() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open_in(dir.path()).expect("store");
        assert_eq!(
            read(&store, 0, true).expect("health").sync,
            SyncHealth::Syncing,
            "nothing synced yet"
        );
        store.record_sync_success("wk", 100).expect("ok");
        let h = read(&store, 100, false).expect("health");
        assert_eq!(
            (h.sync, h.last_sync_at, h.notifications_available),
            (SyncHealth::Online, Some(100), false)
        );
        store.record_sync_error("wk", "timeout", 200).expect("err");
        store.record_sync_error("wk", "timeout", 300).expect("err");
        let h = read(&store, 300, true).expect("health");
        assert_eq!(
            (h.sync, h.offline_since),
            (SyncHealth::Offline, Some(200)),
            "offline since the first failure"
        );
        let later = 100 + crate::store::HISTORY_RISK_SECS + 1;
        assert_eq!(
            read(&store, later, true).expect("health").sync,
            SyncHealth::HistoryAtRisk
        );
        store.record_sync_success("wk", later).expect("ok");
        let h = read(&store, later, true).expect("health");
        assert_eq!(
            (h.sync, h.offline_since),
            (SyncHealth::Online, None),
            "a success clears offline"
        );
    }
}
