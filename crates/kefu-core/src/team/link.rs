//! The desktop's connection to the team database: connected on demand, `LISTEN kefu_change` on
//! every connection (a notification wakes the mirror), reconnected after a drop, and "offline
//! since" kept for the window. Connection strings and passwords never reach logs or errors.

use super::TeamError;
use futures_util::StreamExt;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_postgres::{AsyncMessage, Client, Config};
use tokio_postgres_rustls::MakeRustlsConnect;

/// Connect timeout: the window must learn quickly that the team server is away.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// What the window shows about the team database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamStatus {
    /// Whether the last call reached it.
    pub connected: bool,
    /// Since when it is unreachable.
    pub offline_since: Option<i64>,
    /// Accounts this desktop polls for the team.
    pub polling: Vec<String>,
}

/// A team database handle, cheap to clone.
#[derive(Clone)]
pub struct Team {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    tls: MakeRustlsConnect,
    agent: String,
    client: tokio::sync::Mutex<Option<Arc<Client>>>,
    status: Mutex<TeamStatus>,
    changed: tokio::sync::Notify,
    /// Mirror pulls one at a time: two interleaved pulls could apply an older row last.
    pub(super) pull: tokio::sync::Mutex<()>,
    clock: Arc<dyn crate::clock::Clock>,
    events: crate::event::Events,
    /// Away when the agent said so; the heartbeat reports it.
    away: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for Team {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Team")
            .field("agent", &self.inner.agent)
            .finish_non_exhaustive()
    }
}

/// Why a team database URL from the settings screen cannot be used, if it cannot: it must
/// parse, name the agent (the user), and leave the password to the keyring.
pub fn check_url(url: &str) -> Result<(), String> {
    let target = super::tls::parse(url, "team database").map_err(|_| {
        "the team database URL is not valid (postgres://agent@host:5432/db)".to_owned()
    })?;
    if target.config.get_user().is_none_or(str::is_empty) {
        return Err("the team database URL names no user (the agent)".into());
    }
    if target.config.get_password().is_some() {
        return Err("put the password in the password field, not in the URL".into());
    }
    Ok(())
}

/// Whether a team database URL carries its own password (then the keyring is not asked).
pub fn url_has_password(url: &str) -> bool {
    super::tls::parse(url, "team database")
        .is_ok_and(|t| t.config.get_password().is_some_and(|p| !p.is_empty()))
}

impl Team {
    /// A handle for `url` (`postgres://agent[:password]@host[:port]/db?…`, or key=value form);
    /// `password` fills in one the URL leaves out (from the keyring). The agent is the user.
    pub fn new(
        url: &str,
        password: Option<&kefu_wechat::Secret>,
        clock: Arc<dyn crate::clock::Clock>,
        events: crate::event::Events,
    ) -> Result<Self, TeamError> {
        let super::tls::Target { mut config, tls } = super::tls::parse(url, "team database")?;
        if config.get_password().is_none()
            && let Some(p) = password
        {
            config.password(p.expose());
        }
        config.connect_timeout(CONNECT_TIMEOUT);
        config.application_name("kefu-desk");
        config.keepalives_idle(Duration::from_secs(10));
        let agent = config
            .get_user()
            .filter(|u| !u.is_empty())
            .ok_or_else(|| TeamError::Config("the team database URL names no user (agent)".into()))?
            .to_owned();
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                tls,
                agent,
                client: tokio::sync::Mutex::new(None),
                status: Mutex::new(TeamStatus::default()),
                changed: tokio::sync::Notify::new(),
                pull: tokio::sync::Mutex::new(()),
                clock,
                events,
                away: std::sync::atomic::AtomicBool::new(false),
            }),
        })
    }

    /// The agent this desktop acts as (the database role).
    pub fn agent(&self) -> &str {
        &self.inner.agent
    }

    /// `online` or `away`, as the agent set it (offline is only ever seen by others).
    pub fn presence(&self) -> &'static str {
        if self.inner.away.load(std::sync::atomic::Ordering::Relaxed) {
            "away"
        } else {
            "online"
        }
    }

    /// Sets away (no auto-assignment, colleagues see it) or back online, and tells the team at
    /// once.
    pub async fn set_away(&self, away: bool) -> Result<(), TeamError> {
        self.inner
            .away
            .store(away, std::sync::atomic::Ordering::Relaxed);
        self.heartbeat(self.presence()).await
    }

    pub(super) fn clock(&self) -> &dyn crate::clock::Clock {
        &*self.inner.clock
    }

    /// Where mirrored changes are published (the engine's events).
    pub(super) fn events(&self) -> crate::event::Events {
        self.inner.events.clone()
    }

    pub(super) fn pull_lock(&self) -> &tokio::sync::Mutex<()> {
        &self.inner.pull
    }

    /// Connection status for health.
    pub fn status(&self) -> TeamStatus {
        self.inner
            .status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(super) fn set_polling(&self, accounts: Vec<String>) {
        self.inner
            .status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .polling = accounts;
    }

    /// Resolves when a change was announced (or a connection was made or lost).
    pub async fn changed(&self) {
        self.inner.changed.notified().await;
    }

    fn note(&self, ok: bool) {
        let now = self.inner.clock.now();
        let mut s = self.inner.status.lock().unwrap_or_else(|p| p.into_inner());
        s.connected = ok;
        if ok {
            s.offline_since = None;
        } else {
            s.offline_since.get_or_insert(now);
        }
    }

    /// Records the outcome of a call: a connection error drops the connection and marks the team
    /// server unreachable; anything else means it answered.
    pub(super) async fn observe<T>(&self, r: Result<T, TeamError>) -> Result<T, TeamError> {
        match &r {
            Err(e) if e.is_connection() => {
                *self.inner.client.lock().await = None;
                self.note(false);
            }
            _ => self.note(true),
        }
        r
    }

    /// Runs one statement on the shared connection, recording whether the team server answered.
    pub(super) async fn query(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<tokio_postgres::Row>, TeamError> {
        let r = async { Ok(self.client().await?.query(sql, params).await?) }.await;
        self.observe(r).await
    }

    /// [`Team::query`] of one function returning a verdict as JSON text.
    pub(super) async fn verdict_of(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<String, TeamError> {
        let rows = self.query(sql, params).await?;
        rows.first()
            .map(|r| r.get(0))
            .ok_or_else(|| TeamError::Db("the team database returned no verdict".into()))
    }

    /// The shared connection, connecting (and listening) when there is none.
    pub(super) async fn client(&self) -> Result<Arc<Client>, TeamError> {
        let mut slot = self.inner.client.lock().await;
        if let Some(c) = slot.as_ref().filter(|c| !c.is_closed()) {
            return Ok(c.clone());
        }
        let connected = self.connect(true).await;
        let client = match connected {
            Ok(c) => c,
            Err(e) => {
                drop(slot);
                return self.observe(Err(e)).await;
            }
        };
        super::schema::check(&client).await?;
        *slot = Some(client.clone());
        self.note(true);
        // Whatever happened while disconnected is caught up by the mirror now.
        self.inner.changed.notify_one();
        Ok(client)
    }

    /// A new connection of this agent's (the poller keeps its own: its locks live on it).
    pub(super) async fn connect(&self, listen: bool) -> Result<Arc<Client>, TeamError> {
        let (client, mut connection) = self.inner.config.connect(self.inner.tls.clone()).await?;
        let inner = self.inner.clone();
        tokio::spawn(async move {
            let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
            while let Some(message) = messages.next().await {
                match message {
                    Ok(AsyncMessage::Notification(_)) => inner.changed.notify_one(),
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %super::redact(&e.to_string()), "team database connection lost");
                        break;
                    }
                }
            }
            inner.changed.notify_one();
        });
        if listen {
            client.batch_execute("LISTEN kefu_change").await?;
        }
        Ok(Arc::new(client))
    }
}
