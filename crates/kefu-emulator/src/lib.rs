//! A faithful local emulator of the WeChat customer-service (`kf`) API.
//!
//! It keeps the state model of the reference (§13) in [`state::State`], serves the real
//! endpoints over HTTP ([`api`]), plays simulated customers from scenarios written as data
//! ([`scenario`], [`sim`]), and offers a control API and a "play the customer" page
//! ([`control`]) with fault injection ([`fault`]). The desktop app embeds it when no
//! credentials are configured; every test of the product runs against it on loopback.

pub mod api;
pub mod control;
pub mod fault;
pub mod rng;
pub mod scenario;
pub mod sim;
pub mod state;

use fault::Faults;
use scenario::Scenario;
use state::{Config, State};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};

/// Corp id the emulator accepts unless configured otherwise.
pub const DEFAULT_CORP_ID: &str = "wwkefudemo0000000001";
/// Secret the emulator accepts unless configured otherwise.
pub const DEFAULT_SECRET: &str = "kefu-desk-demo-secret";

struct Inner {
    state: Mutex<State>,
    faults: Mutex<Faults>,
    replies: Notify,
    scenario: Option<Arc<Scenario>>,
    simulation_paused: std::sync::atomic::AtomicBool,
}

/// A shared handle to one emulated corp. Cloning shares the same state.
#[derive(Clone)]
pub struct Emulator(Arc<Inner>);

impl Emulator {
    /// A corp with `config`, seeded randomness and, when given, a scenario's accounts.
    pub fn new(config: Config, seed: u64, scenario: Option<Scenario>) -> Self {
        let mut state = State::new(config, seed);
        if let Some(s) = &scenario {
            s.install(&mut state);
        }
        Self(Arc::new(Inner {
            state: Mutex::new(state),
            faults: Mutex::new(Faults::default()),
            replies: Notify::new(),
            scenario: scenario.map(Arc::new),
            simulation_paused: std::sync::atomic::AtomicBool::new(false),
        }))
    }

    /// The default corp with the built-in `default` scenario.
    pub fn demo(seed: u64) -> Self {
        Self::new(Config::default(), seed, Scenario::builtin("default"))
    }

    /// Locks the corp's state. Hold it briefly and never across an `.await`.
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.0.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Locks the fault configuration.
    pub fn faults(&self) -> MutexGuard<'_, Faults> {
        self.0.faults.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The scenario, when one was loaded.
    pub fn scenario(&self) -> Option<&Arc<Scenario>> {
        self.0.scenario.as_ref()
    }

    /// Wakes simulated customers that wait for a reply.
    pub fn notify_reply(&self) {
        self.0.replies.notify_waiters();
    }

    pub(crate) async fn reply_notified(&self) {
        self.0.replies.notified().await;
    }

    /// Pauses or resumes the arrival of simulated customers.
    pub fn set_simulation_paused(&self, paused: bool) {
        self.0
            .simulation_paused
            .store(paused, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether simulated arrivals are paused.
    pub fn simulation_paused(&self) -> bool {
        self.0
            .simulation_paused
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The whole HTTP application: the WeChat endpoints and the control API.
    pub fn router(&self) -> axum::Router {
        api::routes()
            .merge(control::routes())
            .with_state(self.clone())
    }
}

/// Serves the emulator on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    emulator: Emulator,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, emulator.router())
        .with_graceful_shutdown(shutdown)
        .await
}

/// A running emulator on loopback, for tests and for the desktop app's demo mode.
pub struct Running {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// Address bound.
    pub addr: SocketAddr,
    /// The corp.
    pub emulator: Emulator,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Options for [`start`].
#[derive(Clone, Debug)]
pub struct StartOptions {
    /// Address to bind; port 0 picks a free one.
    pub addr: SocketAddr,
    /// Play simulated customers from the scenario.
    pub simulate: bool,
    /// Speed-up of the simulation's clock (1.0 = the scenario's own pace).
    pub speed: f64,
}

impl Default for StartOptions {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            simulate: false,
            speed: 1.0,
        }
    }
}

/// Binds and serves `emulator` in the background.
pub async fn start(emulator: Emulator, options: StartOptions) -> std::io::Result<Running> {
    let listener = TcpListener::bind(options.addr).await?;
    let addr = listener.local_addr()?;
    let (stop, mut stopped) = watch::channel(false);
    if options.simulate {
        sim::spawn(emulator.clone(), options.speed, stop.subscribe());
    }
    let shutdown = async move {
        let _ = stopped.wait_for(|s| *s).await;
    };
    let task = tokio::spawn(serve(listener, emulator.clone(), shutdown));
    Ok(Running {
        base_url: format!("http://{addr}"),
        addr,
        emulator,
        stop,
        task,
    })
}

impl Running {
    /// Stops serving and the simulation, and waits for the server to finish.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}
