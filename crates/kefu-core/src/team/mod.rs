//! Team mode: many desktops share one queue, outbox, message log and customer notes on
//! PostgreSQL; each desktop keeps its SQLite store as a mirror and works from it.
//!
//! - Desktops talk to PostgreSQL directly, each agent as its own role (`kefu team add-agent`).
//!   Agents read the shared tables and write only through functions that act as the connected
//!   role, so no agent can claim, reply or note as another (`team-migrations/`).
//! - One poller per account: the desktop whose poller connection holds the account's advisory
//!   lock syncs it and sends its outbox; every write it makes checks the lock, and a page commits
//!   with its cursor (compare-and-set) in one transaction ([`poller`]).
//! - Changes are numbered and commit in number order; `LISTEN kefu_change` wakes the mirror,
//!   which pages every table by number, so a reconnect catches up with no gap ([`mirror`]).
//! - Replies are written to the local outbox first and pushed to the shared one when the team
//!   database is reachable; claims and transfers need it (a claim is only a claim when the team
//!   has seen it).
//!
//! This module holds the PostgreSQL SQL, as `store` holds SQLite's.

pub mod cluster;
mod desk;
mod link;
mod mirror;
mod poller;
mod report;
mod schema;
mod tls;
pub mod worker;

pub use desk::{QueueVerdict, ReplyVerdict, TeamAgent, Typing};
pub use link::{Team, TeamStatus, check_url, url_has_password};
pub use mirror::MirrorReport;
pub use poller::PollerLedger;
pub use schema::{SUPPORTED_VERSION, add_agent, migrate, set_auto_assign};

/// A team database error.
#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    /// The team database cannot be reached (or the connection dropped).
    #[error("the team server is unreachable: {0}")]
    Unreachable(String),
    /// PostgreSQL answered with an error.
    #[error("team database error: {0}")]
    Db(String),
    /// The schema is older or newer than this app.
    #[error(
        "the team database has schema version {found}; this app needs {supported} (run `kefu team migrate`)"
    )]
    Schema {
        /// Version found.
        found: i32,
        /// Version this binary needs.
        supported: i32,
    },
    /// This desktop no longer holds the account's poller lock (another took over).
    #[error("not the poller of this account any more")]
    LostLock,
    /// The local mirror failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// A bad setting (URL, agent name).
    #[error("{0}")]
    Config(String),
}

impl From<tokio_postgres::Error> for TeamError {
    fn from(e: tokio_postgres::Error) -> Self {
        if let Some(db) = e.as_db_error() {
            // KF001/KF002: the poller lock is gone or the cursor moved under us.
            return match db.code().code() {
                "KF001" | "KF002" => TeamError::LostLock,
                _ => TeamError::Db(db.message().to_owned()),
            };
        }
        if e.is_closed() {
            return TeamError::Unreachable("connection closed".into());
        }
        // Never the connection string: it may hold a password.
        let text = match std::error::Error::source(&e) {
            Some(cause) => redact(&format!("{e}: {cause}")),
            None => redact(&e.to_string()),
        };
        // tokio-postgres tells the kinds apart only in its messages: the network's failures
        // mean "unreachable"; anything else (a parameter that does not serialize, a bad
        // password, a malformed answer) is an error to show, not an outage.
        const NETWORK: [&str; 4] = [
            "error communicating",
            "error connecting",
            "timeout",
            "error performing TLS",
        ];
        if NETWORK.iter().any(|p| text.starts_with(p)) {
            TeamError::Unreachable(text)
        } else {
            TeamError::Db(text)
        }
    }
}

impl TeamError {
    /// Whether the connection is to blame (reconnect and try again later).
    pub fn is_connection(&self) -> bool {
        matches!(self, TeamError::Unreachable(_))
    }
}

fn redact(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            if w.contains("://") || w.starts_with("password") {
                "***"
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The advisory-lock key of an account's poller: FNV-1a of the open_kfid, positive.
pub fn poller_key(open_kfid: &str) -> i32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in open_kfid.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    (h & 0x7fff_ffff) as i32
}

/// The first advisory-lock key of every poller lock (the second is [`poller_key`]).
pub const POLLER_LOCK_CLASS: i32 = 1_801_807_478;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poller_keys_are_stable_and_positive() {
        assert_eq!(
            poller_key("wk1"),
            poller_key("wk1"),
            "same account, same lock"
        );
        assert_ne!(poller_key("wk1"), poller_key("wk2"));
        assert!(poller_key("wkxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx") >= 0);
    }

    #[test]
    fn connection_strings_never_reach_errors() {
        let r = redact("error connecting to postgres://ann:secret@h/db password=x");
        assert!(!r.contains("secret") && !r.contains("password=x"), "{r}");
    }
}
