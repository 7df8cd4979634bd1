//! `kefu-emulator`: serves the emulated WeChat kf API on loopback with simulated customers.
//!
//! `kefu-emulator` alone serves the `default` scenario on 127.0.0.1:8780 with the demo corp id
//! and secret; the "play the customer" page is at `/emulator`.

use anyhow::Context;
use clap::Parser;
use kefu_emulator::scenario::Scenario;
use kefu_emulator::state::Config;
use kefu_emulator::{DEFAULT_CORP_ID, DEFAULT_SECRET, Emulator, StartOptions};
use std::net::SocketAddr;

/// Local emulator of the WeChat customer-service (kf) API.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8780)]
    port: u16,
    /// Corp id that `gettoken` accepts.
    #[arg(long, default_value = DEFAULT_CORP_ID)]
    corp_id: String,
    /// Secret that `gettoken` accepts.
    #[arg(long, default_value = DEFAULT_SECRET)]
    secret: String,
    /// Built-in scenario (`default`, `quiet`), a path to a scenario JSON file, or `none`.
    #[arg(long, default_value = "default")]
    scenario: String,
    /// Seed for customers, conversations and ids.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Speed-up of simulated customers (2 = twice as fast).
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
    /// Do not simulate customers (control API only).
    #[arg(long)]
    no_simulation: bool,
    /// `sync_msg` calls per account per minute before 45009 (unlimited when absent).
    #[arg(long)]
    sync_rate_limit: Option<u32>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let scenario = match args.scenario.as_str() {
        "none" => None,
        name => match Scenario::builtin(name) {
            Some(s) => Some(s),
            None => {
                let text = std::fs::read_to_string(name)
                    .with_context(|| format!("reading scenario {name}"))?;
                Some(
                    Scenario::from_json(&text)
                        .with_context(|| format!("parsing scenario {name}"))?,
                )
            }
        },
    };
    let config = Config {
        corp_id: args.corp_id,
        secret: args.secret,
        sync_calls_per_minute: args.sync_rate_limit,
        ..Config::default()
    };
    let emulator = Emulator::new(config, args.seed, scenario);
    let options = StartOptions {
        addr: SocketAddr::from(([127, 0, 0, 1], args.port)),
        simulate: !args.no_simulation,
        speed: args.speed,
    };
    let running = kefu_emulator::start(emulator, options)
        .await
        .context("binding the port")?;
    println!(
        "kefu-emulator listening on {} (play the customer: {}/emulator)",
        running.base_url, running.base_url
    );
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    running.stop().await;
    Ok(())
}
