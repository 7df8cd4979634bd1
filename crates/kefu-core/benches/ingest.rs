//! Ingest benchmark (not a test): the emulator serves N messages over loopback HTTP and the
//! engine pulls them into a fresh SQLite store, page by page with the cursor in the same
//! transaction, exactly as `kefu sync --once` does.
//!
//! `cargo bench -p kefu-core --bench ingest -- [MESSAGES]` (default 100000).

use kefu_core::clock::SystemClock;
use kefu_core::engine::Engine;
use kefu_core::store::Store;
use kefu_emulator::{DEFAULT_CORP_ID, DEFAULT_SECRET, Emulator, StartOptions};
use kefu_wechat::{Client, ClientConfig, OpenKfId, Secret};
use std::sync::Arc;
use std::time::Instant;

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let messages: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let em = Emulator::demo(42);
    let kf = OpenKfId::from("wkDemoAfterSales0000000000000001");
    let generated = Instant::now();
    kefu_emulator::sim::bulk(&em, &kf, messages, 2_000, 2 * 24 * 3600, 42);
    let generate_secs = generated.elapsed().as_secs_f64();
    let running = kefu_emulator::start(em.clone(), StartOptions::default()).await?;
    let dir = tempfile::tempdir()?;
    let store = Arc::new(Store::open_in(dir.path())?);
    let client = Client::new(ClientConfig::new(
        &running.base_url,
        DEFAULT_CORP_ID,
        Secret::new(DEFAULT_SECRET),
    ))?;
    let engine = Engine::new(Arc::new(client), store.clone(), Arc::new(SystemClock));

    let started = Instant::now();
    let report = engine.sync_account(&kf).await?;
    let secs = started.elapsed().as_secs_f64();
    let db_bytes: u64 = ["kefu.sqlite", "kefu.sqlite-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.path().join(f)).ok())
        .map(|m| m.len())
        .sum();

    // The same corpus split in two: network + decode only, then SQLite only.
    let fetch_started = Instant::now();
    let mut pages = Vec::new();
    let mut cursor = None;
    loop {
        let request = kefu_wechat::api::SyncMsgRequest {
            cursor: cursor.clone(),
            open_kfid: Some(kf.clone()),
            limit: Some(1000),
            ..Default::default()
        };
        let page = engine.client.sync_msg(&request).await?;
        cursor = Some(page.next_cursor.clone());
        let more = page.has_more;
        pages.push(page);
        if !more {
            break;
        }
    }
    let fetch_secs = fetch_started.elapsed().as_secs_f64();
    let dir2 = tempfile::tempdir()?;
    let store2 = Store::open_in(dir2.path())?;
    let store_started = Instant::now();
    for p in &pages {
        store2.ingest_page(kf.as_str(), &p.items, &p.next_cursor, 0)?;
    }
    let store_secs = store_started.elapsed().as_secs_f64();

    println!("| measure | value |");
    println!("|---|---|");
    println!(
        "| items served by the emulator (texts + enter_session) | {} |",
        report.stored
    );
    println!("| pages of ≤ 1000 | {} |", report.pages);
    println!("| ingest time, HTTP + decode + SQLite commit per page | {secs:.2} s |");
    println!("| ingest rate | {:.0} msg/s |", report.stored as f64 / secs);
    println!(
        "| of which HTTP + JSON decode alone | {fetch_secs:.2} s ({:.0} msg/s) |",
        report.stored as f64 / fetch_secs
    );
    println!(
        "| of which SQLite ingest alone (page + sessions + cursor per transaction) | {store_secs:.2} s ({:.0} msg/s) |",
        report.stored as f64 / store_secs
    );
    println!(
        "| database size (incl. WAL) | {:.1} MiB ({:.0} B/msg) |",
        db_bytes as f64 / 1048576.0,
        db_bytes as f64 / report.stored.max(1) as f64
    );
    println!(
        "| peak RSS of the process (emulator + engine in one process) | {:.0} MiB |",
        peak_rss_mib()
    );
    println!("| (corpus generation in the emulator, not ingest) | {generate_secs:.2} s |");
    running.stop().await;
    Ok(())
}
