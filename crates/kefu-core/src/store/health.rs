//! What sync health and the tray need from the store: the sync state summed over accounts and
//! the number of waiting customers.

use super::{HISTORY_RISK_SECS, Result, Store};

/// Sync state over every account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncSummary {
    /// Accounts the worker has started syncing (listed accounts it does not serve are left out).
    pub accounts: i64,
    /// Accounts that have completed a sync round.
    pub synced_accounts: i64,
    /// Latest successful round of any account.
    pub last_success_at: Option<i64>,
    /// Earliest start of a current run of failures.
    pub failing_since: Option<i64>,
    /// Oldest latest success among accounts (the one closest to losing history).
    pub oldest_success_at: Option<i64>,
}

impl SyncSummary {
    /// Whether some account's history may soon pass WeChat's 3-day horizon: it is failing and
    /// its last success (or the start of its failures) is older than [`HISTORY_RISK_SECS`].
    pub fn history_at_risk(&self, now: i64) -> bool {
        self.failing_since.is_some()
            && self
                .oldest_success_at
                .or(self.failing_since)
                .is_some_and(|t| now - t > HISTORY_RISK_SECS)
    }
}

impl Store {
    /// The sync state summed over accounts.
    pub fn sync_summary(&self) -> Result<SyncSummary> {
        Ok(self.conn().query_row(
            "SELECT COUNT(*), COUNT(s.last_success_at), MAX(s.last_success_at), MIN(s.failing_since), MIN(s.last_success_at)
             FROM sync_status s",
            [],
            |r| {
                Ok(SyncSummary {
                    accounts: r.get(0)?,
                    synced_accounts: r.get(1)?,
                    last_success_at: r.get(2)?,
                    failing_since: r.get(3)?,
                    oldest_success_at: r.get(4)?,
                })
            },
        )?)
    }

    /// Customers waiting in the queue.
    pub fn waiting_count(&self) -> Result<i64> {
        Ok(self.conn().query_row(
            "SELECT COUNT(*) FROM session WHERE local_state = 'waiting'",
            [],
            |r| r.get(0),
        )?)
    }
}
