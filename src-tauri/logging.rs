//! Log setup for the desktop binary: stderr, filtered by `RUST_LOG` (default `info`).
//! Only ids and counts are logged, never message text, secrets or tokens.

pub fn init() {
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
