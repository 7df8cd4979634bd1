//! The team-mode worker, in place of `worker` when a team database is configured. Each round:
//! push local replies to the shared outbox; for every account, take its poller lock when free
//! and, while holding it, sync it into the team database and send its shared outbox; pull the
//! mirror; download media and refresh profiles locally; keep presence fresh.
//!
//! A lost poller connection drops every lock this desktop held: it stops polling at once and
//! competes for the locks again next round, like every other desktop. Rounds run every second
//! (sooner on `NOTIFY` or `SyncNow`), so a dead poller is replaced within a few seconds.
//! WeChat itself is polled about once a second while messages arrive, backing off to
//! [`crate::worker::IDLE_MAX`] when quiet, as in solo mode.

use super::poller::{self, PollerLedger};
use super::{Team, TeamError};
use crate::engine::{Backoff, Engine, EngineError};
use crate::worker::{ACTIVE, Command, ERROR_MAX, IDLE_MAX, WorkerHandle};
use kefu_wechat::OpenKfId;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_postgres::Client;

/// How often presence is refreshed.
const HEARTBEAT: Duration = Duration::from_secs(10);
/// The longest wait between rounds.
const ROUND: Duration = Duration::from_secs(1);

/// Starts the team worker for `accounts` (empty: every account from `kf/account/list`).
pub fn spawn(
    engine: Engine,
    team: Team,
    accounts: Vec<String>,
    data_dir: PathBuf,
) -> (WorkerHandle, tokio::task::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(16);
    let task = tokio::spawn(run(engine, team, accounts, data_dir, rx));
    (WorkerHandle::new(tx), task)
}

/// When an account held by this desktop is next polled on WeChat, and how long it idles.
struct Schedule {
    due: Instant,
    idle: Duration,
    errors: Backoff,
}

struct State {
    engine: Engine,
    /// The poller's engine: pages reach the window through the mirror, not from here.
    poller_engine: Engine,
    team: Team,
    configured: Vec<String>,
    accounts: Vec<OpenKfId>,
    data_dir: PathBuf,
    poller: Option<Arc<Client>>,
    held: BTreeMap<String, Schedule>,
    last_heartbeat: Option<Instant>,
    round: u64,
}

async fn run(
    engine: Engine,
    team: Team,
    configured: Vec<String>,
    data_dir: PathBuf,
    mut rx: mpsc::Receiver<Command>,
) {
    let mut state = State {
        poller_engine: engine.with_events(Default::default()),
        engine,
        team,
        configured,
        accounts: Vec::new(),
        data_dir,
        poller: None,
        held: BTreeMap::new(),
        last_heartbeat: None,
        round: 0,
    };
    loop {
        state.round_once().await;
        state.round += 1;
        tokio::select! {
            _ = tokio::time::sleep(ROUND) => {}
            _ = state.team.changed() => {}
            command = rx.recv() => match command {
                Some(Command::SyncNow) => {
                    for s in state.held.values_mut() {
                        s.due = Instant::now();
                    }
                }
                Some(Command::Stop) | None => {
                    state.team.heartbeat("offline").await.ok();
                    return;
                }
            },
        }
    }
}

impl State {
    async fn round_once(&mut self) {
        if self.accounts.is_empty() {
            match self.engine.accounts(&self.configured).await {
                Ok(a) => self.accounts = a,
                Err(e) => tracing::warn!(error = %e, "accounts not listed"),
            }
        }
        if let Err(e) = self.team.push_outbox(&self.engine).await {
            tracing::debug!(error = %e, "local replies not pushed to the team");
        }
        if let Err(e) = self.poll().await {
            tracing::warn!(error = %e, "team poller stopped; the locks are free for others");
            self.poller = None;
            self.held.clear();
        }
        self.team
            .set_polling(self.held.keys().cloned().collect::<Vec<_>>());
        if let Err(e) = self.team.pull(&self.engine.store).await {
            tracing::debug!(error = %e, "team mirror not pulled");
        }
        if self.last_heartbeat.is_none_or(|t| t.elapsed() >= HEARTBEAT)
            && self.team.heartbeat(self.team.presence()).await.is_ok()
        {
            self.last_heartbeat = Some(Instant::now());
        }
        if let Err(e) = crate::media::download_pending(&self.engine, &self.data_dir).await {
            tracing::debug!(error = %e, "media not downloaded");
        }
        if self.round.is_multiple_of(10)
            && let Err(e) = self.engine.refresh_profiles().await
        {
            tracing::debug!(error = %e, "profiles not refreshed");
        }
    }

    /// Takes free locks and polls the accounts held; an error of the team database ends this
    /// desktop's turn as poller (the caller drops the connection and with it every lock).
    async fn poll(&mut self) -> Result<(), TeamError> {
        let client = match &self.poller {
            Some(c) if !c.is_closed() => c.clone(),
            _ => {
                self.held.clear();
                let c = self.team.connect(false).await?;
                self.poller = Some(c.clone());
                c
            }
        };
        for account in self.accounts.clone() {
            let kfid = account.as_str().to_owned();
            if !self.held.contains_key(&kfid) {
                if !poller::try_lock(&client, &kfid).await? {
                    continue;
                }
                tracing::info!(account = %kfid, agent = self.team.agent(), "polling this account for the team");
                if let Some(a) = self.engine.store.account_name(&kfid).ok().flatten() {
                    client
                        .execute("SELECT kefu.upsert_account($1, $2, '')", &[&kfid, &a])
                        .await?;
                }
                self.held.insert(
                    kfid.clone(),
                    Schedule {
                        due: Instant::now(),
                        idle: ACTIVE,
                        errors: Backoff::new(Duration::from_secs(1), ERROR_MAX),
                    },
                );
            }
            let due = self.held.get(&kfid).map(|s| s.due <= Instant::now());
            if due != Some(true) {
                continue;
            }
            let ledger = PollerLedger::new(client.clone(), &kfid);
            let synced = self
                .poller_engine
                .sync_account_into(&account, &ledger)
                .await;
            let flushed = match &synced {
                Ok(_) => self
                    .poller_engine
                    .flush_outbox_from(&ledger, Some(&kfid))
                    .await
                    .map(drop),
                Err(_) => Ok(()),
            };
            let schedule = self.held.get_mut(&kfid).expect("held account");
            match synced.and_then(|r| flushed.map(|()| r)) {
                Ok(r) => {
                    schedule.errors.reset();
                    schedule.idle = if r.stored > 0 {
                        ACTIVE
                    } else {
                        (schedule.idle * 2).min(IDLE_MAX)
                    };
                    schedule.due = Instant::now() + schedule.idle;
                }
                Err(EngineError::Team(e)) => return Err(e),
                Err(e) => {
                    tracing::warn!(account = %kfid, error = %e, "team account not synced this round");
                    schedule.due = Instant::now() + schedule.errors.next_delay();
                }
            }
        }
        Ok(())
    }
}
