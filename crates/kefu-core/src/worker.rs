//! The long-running sync worker: one loop over the accounts that pulls messages, sends the
//! outbox, downloads media and refreshes profiles, with an explicit state and a command channel.
//!
//! Polling adapts: about once a second while messages arrive, doubling up to
//! [`IDLE_MAX`] while idle, and capped backoff with jitter after errors. `SyncNow` wakes it at
//! once; `Stop` ends it after the current round.

use crate::engine::{Backoff, Engine};
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::mpsc;

/// Poll interval while customers are active.
pub const ACTIVE: Duration = Duration::from_secs(1);
/// Longest poll interval while idle.
pub const IDLE_MAX: Duration = Duration::from_secs(15);
/// Longest wait after errors.
pub const ERROR_MAX: Duration = Duration::from_secs(60);

/// A command for the worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Sync at once.
    SyncNow,
    /// Finish the current round and stop.
    Stop,
}

/// What the worker is doing, published as it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkerState {
    /// Waiting for the next poll.
    Idle,
    /// The last round failed; waiting to retry.
    Retrying,
}

/// A handle to send commands to a running worker.
#[derive(Debug, Clone)]
pub struct WorkerHandle(mpsc::Sender<Command>);

impl WorkerHandle {
    pub(crate) fn new(sender: mpsc::Sender<Command>) -> Self {
        Self(sender)
    }

    /// Sends a command; false when the worker has stopped.
    pub async fn send(&self, command: Command) -> bool {
        self.0.send(command).await.is_ok()
    }
}

/// Starts the worker for `accounts` (empty: every account from `kf/account/list`).
pub fn spawn(
    engine: Engine,
    accounts: Vec<String>,
    data_dir: PathBuf,
) -> (WorkerHandle, tokio::task::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(16);
    let task = tokio::spawn(run(engine, accounts, data_dir, rx));
    (WorkerHandle(tx), task)
}

async fn run(
    engine: Engine,
    configured: Vec<String>,
    data_dir: PathBuf,
    mut rx: mpsc::Receiver<Command>,
) {
    let mut idle = ACTIVE;
    let mut errors = Backoff::new(Duration::from_secs(1), ERROR_MAX);
    let mut accounts = Vec::new();
    let mut round: u64 = 0;
    loop {
        let (wait, state) =
            match round_once(&engine, &configured, &mut accounts, &data_dir, round).await {
                Ok(stored) => {
                    errors.reset();
                    idle = if stored > 0 {
                        ACTIVE
                    } else {
                        (idle * 2).min(IDLE_MAX)
                    };
                    if stored == 0 {
                        // Quiet: tidy the search index a little (keeps searches fast).
                        if let Err(e) = engine.store.search_merge_step() {
                            tracing::warn!(error = %e, "search index merge failed");
                        }
                    }
                    (idle, WorkerState::Idle)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "sync round failed");
                    (errors.next_delay(), WorkerState::Retrying)
                }
            };
        tracing::debug!(?state, ?wait, "sync worker waiting");
        round += 1;
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            command = rx.recv() => match command {
                Some(Command::SyncNow) => idle = ACTIVE,
                Some(Command::Stop) | None => return,
            },
        }
    }
}

/// One round over every account; returns how many items were stored.
async fn round_once(
    engine: &Engine,
    configured: &[String],
    accounts: &mut Vec<kefu_wechat::OpenKfId>,
    data_dir: &std::path::Path,
    round: u64,
) -> Result<usize, crate::engine::EngineError> {
    if accounts.is_empty() {
        *accounts = engine.accounts(configured).await?;
    }
    // One account failing (revoked, rate limited) must not hold the others back: each is
    // synced every round, and the first error is reported after all of them.
    let mut stored = 0;
    let mut first_error = None;
    for account in accounts.iter() {
        match engine.sync_account(account).await {
            Ok(r) => stored += r.stored,
            Err(e) => {
                tracing::warn!(account = %account, error = %e, "account not synced this round");
                first_error.get_or_insert(e);
            }
        }
    }
    engine.flush_outbox().await?;
    crate::media::download_pending(engine, data_dir).await?;
    // Profiles change rarely: every tenth round is plenty.
    if round.is_multiple_of(10) || stored > 0 {
        engine.refresh_profiles().await?;
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(stored),
    }
}
