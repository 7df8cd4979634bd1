//! What the window talks to: the engine, its sync worker and the UI contract's context, and in
//! demo mode the embedded emulator on loopback with simulated customers.

use kefu_core::clock::SystemClock;
use kefu_core::config::{ApiMode, Settings};
use kefu_core::engine::Engine;
use kefu_core::settings::{Keyring, SettingsFile};
use kefu_core::store::Store;
use kefu_emulator::{Emulator, Running, StartOptions};
use kefu_ipc::{Context, Mode};
use kefu_wechat::{Client, ClientConfig, Secret};
use std::sync::Arc;
use std::time::Duration;

/// The shell's running backend.
pub struct Backend {
    /// What commands run against.
    pub context: Context,
    /// The embedded emulator, in demo mode; held so it serves as long as the app runs.
    _emulator: Option<Running>,
}

fn env(k: &str) -> Option<String> {
    std::env::var(k).ok()
}

/// The team handle: the password from the URL, `KEFU_TEAM_PASSWORD`, or the OS keyring.
fn team_handle(
    url: &str,
    engine: &Engine,
    file: &Arc<SettingsFile>,
) -> anyhow::Result<kefu_core::team::Team> {
    let password = env("KEFU_TEAM_PASSWORD")
        .filter(|p| !p.is_empty())
        .map(Secret::new)
        .or_else(|| {
            if kefu_core::team::url_has_password(url) {
                return None;
            }
            file.load_team_password_within(Duration::from_secs(5))
                .unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "no team password from the keyring");
                    None
                })
        });
    Ok(kefu_core::team::Team::new(
        url,
        password.as_ref(),
        engine.clock.clone(),
        engine.events.clone(),
    )?)
}

impl Backend {
    /// Resolves settings (environment over `settings.json`, the secret from the OS keyring),
    /// starts the emulator when there are no credentials, opens the store and starts the sync
    /// worker.
    pub async fn start() -> anyhow::Result<Self> {
        let base_dir = kefu_core::config::data_dir_from(env);
        let file = Arc::new(SettingsFile::load(
            &base_dir.join(kefu_core::settings::FILE_NAME),
            Box::new(Keyring::new()),
            false,
        ));
        let app_settings = file.get();
        let settings = Settings::from_sources(env, &app_settings, || {
            file.load_secret_within(Duration::from_secs(5))
                .unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "no secret from the keyring; demo mode");
                    None
                })
        });
        let (config, data_dir, emulator, mode) = match &settings.api {
            ApiMode::Live(api) => {
                tracing::info!(team = settings.team_url.is_some(), "live mode");
                let config = ClientConfig::new(&api.base_url, &api.corp_id, api.secret.clone());
                (config, settings.store_dir(), None, Mode::Live)
            }
            ApiMode::Demo => {
                // The embedded emulator lives in memory and starts empty at every launch: its
                // customers and cursors do not survive, so neither does demo data.
                let demo = settings.data_dir.join("demo");
                if let Err(e) = std::fs::remove_dir_all(&demo)
                    && e.kind() != std::io::ErrorKind::NotFound
                {
                    tracing::warn!(error = %e, "old demo data not removed");
                }
                let seed = env("KEFU_DEMO_SEED")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(1);
                let running = kefu_emulator::start(
                    Emulator::demo(seed),
                    StartOptions {
                        simulate: true,
                        ..StartOptions::default()
                    },
                )
                .await?;
                tracing::info!(base = %running.base_url, "demo mode: embedded emulator started");
                let config = ClientConfig::new(
                    &running.base_url,
                    kefu_emulator::DEFAULT_CORP_ID,
                    Secret::new(kefu_emulator::DEFAULT_SECRET),
                );
                // Demo data never mixes with a real account's history.
                (config, demo, Some(running), Mode::Demo)
            }
        };
        let api_base = config.base_url.clone();
        let store = Arc::new(Store::open_in(&data_dir)?);
        let engine = Engine::new(Arc::new(Client::new(config)?), store, Arc::new(SystemClock));
        engine.set_welcome(settings.welcome_text.clone());
        engine.set_closing(settings.closing.clone());
        engine.set_hours(settings.hours.clone());
        // Team mode needs a WeChat every desktop shares: a live account or a standalone
        // emulator, never one embedded emulator per desktop.
        let team = match (&settings.team_url, mode) {
            (Some(url), Mode::Live) => Some(team_handle(url, &engine, &file)?),
            (Some(_), Mode::Demo) => {
                tracing::warn!(
                    "a team database needs live credentials (or KEFU_API_BASE); solo demo"
                );
                None
            }
            (None, _) => None,
        };
        let (worker, _task) = match &team {
            Some(t) => kefu_core::team::worker::spawn(
                engine.clone(),
                t.clone(),
                settings.open_kfids.clone(),
                data_dir.clone(),
            ),
            None => kefu_core::worker::spawn(
                engine.clone(),
                settings.open_kfids.clone(),
                data_dir.clone(),
            ),
        };
        let agent = match &team {
            // In a team the agent is the database role: nobody acts under another's name.
            Some(t) => t.agent().to_owned(),
            None => env("KEFU_AGENT")
                .filter(|a| !a.is_empty())
                .or(app_settings.agent_name.clone())
                .unwrap_or_else(|| "agent".into()),
        };
        Ok(Self {
            context: Context {
                engine,
                worker,
                agent,
                mode,
                api_base,
                settings: file,
                notifier: None,
                team,
                export_dir: kefu_core::config::export_dir(),
                data_dir,
                opener: kefu_core::files::opener_program(),
            },
            _emulator: emulator,
        })
    }
}
