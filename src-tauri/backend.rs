//! What the window talks to: the resolved API mode and, in demo mode, the embedded emulator
//! running on loopback with simulated customers.

use kefu_core::config::{ApiMode, Settings};
use kefu_emulator::{Emulator, Running, StartOptions};

/// The shell's running backend.
pub struct Backend {
    /// Base URL the core talks to.
    pub api_base: String,
    /// The embedded emulator, in demo mode.
    pub emulator: Option<Running>,
}

impl Backend {
    /// Resolves settings and starts the emulator when there are no credentials.
    pub async fn start() -> anyhow::Result<Self> {
        let settings = Settings::from_env();
        match &settings.api {
            ApiMode::Live(api) => {
                tracing::info!("live mode");
                let api_base = api.base_url.clone();
                Ok(Self {
                    api_base,
                    emulator: None,
                })
            }
            ApiMode::Demo => {
                let seed = std::env::var("KEFU_DEMO_SEED")
                    .ok()
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
                let api_base = running.base_url.clone();
                Ok(Self {
                    api_base,
                    emulator: Some(running),
                })
            }
        }
    }

    /// Whether the app runs against the embedded emulator.
    pub fn is_demo(&self) -> bool {
        self.emulator.is_some()
    }
}
