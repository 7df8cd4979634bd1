//! Domain events on a broadcast channel, for the UI and the notifier. Events carry ids, not
//! records: subscribers refetch what they show. A subscriber that lags must resync from the
//! store (the desktop shell turns `RecvError::Lagged` into a `Resync` for the UI).

use serde::Serialize;
use tokio::sync::broadcast;

/// Something changed in the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum DomainEvent {
    /// New items were stored for these customers of an account.
    #[serde(rename_all = "camelCase")]
    MessagesStored {
        /// Account.
        open_kfid: String,
        /// Customers whose conversations changed.
        customers: Vec<String>,
        /// Whether this is history from the first import (no notifications for it).
        history: bool,
    },
    /// Progress of the first import of the up-to-3-day backlog.
    #[serde(rename_all = "camelCase")]
    ImportProgress {
        /// Account.
        open_kfid: String,
        /// Pages stored so far.
        pages: usize,
        /// Items stored so far.
        stored: usize,
        /// Whether more pages follow.
        more: bool,
    },
    /// A reply's delivery state changed.
    #[serde(rename_all = "camelCase")]
    OutboxChanged {
        /// The reply's msgid.
        msgid: String,
        /// queued | sent | failed.
        state: String,
    },
    /// A session's local state changed.
    #[serde(rename_all = "camelCase")]
    SessionChanged {
        /// Account.
        open_kfid: String,
        /// Customer.
        external_userid: String,
    },
    /// A customer's shared data (note, tags) changed, from a colleague.
    #[serde(rename_all = "camelCase")]
    CustomerChanged {
        /// Customer.
        external_userid: String,
    },
    /// Sync health changed for an account.
    #[serde(rename_all = "camelCase")]
    SyncStatus {
        /// Account.
        open_kfid: String,
        /// Whether the last round succeeded.
        ok: bool,
    },
    /// The notification service became available or unavailable.
    NotifierChanged {
        /// Whether notifications can be shown.
        available: bool,
    },
}

/// The sending side, cloned into every worker.
#[derive(Debug, Clone)]
pub struct Events(broadcast::Sender<DomainEvent>);

impl Default for Events {
    fn default() -> Self {
        Self(broadcast::channel(1024).0)
    }
}

impl Events {
    /// Publishes an event; having no subscriber is fine.
    pub fn publish(&self, event: DomainEvent) {
        let _ = self.0.send(event);
    }

    /// A new subscription.
    pub fn subscribe(&self) -> broadcast::Receiver<DomainEvent> {
        self.0.subscribe()
    }
}
