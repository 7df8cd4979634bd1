//! Team mode at the scale of a desk: 20 desktops (each its own team connection, LISTEN and
//! SQLite mirror) against one PostgreSQL cluster started here and the emulator on loopback.
//! Each of N rounds, a random desktop claims a waiting customer; we measure the claim's round
//! trip, and for every other desktop the time from the claim's return to its mirror holding the
//! change (the moment the window is told to refetch). `cargo bench -p kefu-core --bench team
//! -- [customers]` (default 200).

use kefu_core::clock::{Clock, SystemClock};
use kefu_core::engine::Engine;
use kefu_core::event::DomainEvent;
use kefu_core::store::Store;
use kefu_core::team::cluster::Cluster;
use kefu_core::team::{QueueVerdict, Team};
use kefu_emulator::{DEFAULT_CORP_ID, DEFAULT_SECRET, Emulator, StartOptions};
use kefu_wechat::{Client, ClientConfig, Secret};
use std::sync::Arc;
use std::time::{Duration, Instant};

const DESKS: usize = 20;
const KF: &str = "wkDemoAfterSales0000000000000001";

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

struct Desk {
    engine: Engine,
    team: Team,
    dir: tempfile::TempDir,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let customers: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(200);
    let cluster = tokio::task::spawn_blocking(Cluster::start)
        .await?
        .map_err(anyhow::Error::msg)?;
    let (admin, conn) =
        tokio_postgres::connect(&cluster.admin_url("postgres"), tokio_postgres::NoTls).await?;
    tokio::spawn(conn);
    admin.batch_execute("CREATE DATABASE kefu").await?;
    kefu_core::team::migrate(&cluster.admin_url("kefu")).await?;
    let names: Vec<String> = (0..DESKS).map(|i| format!("agent{i:02}")).collect();
    for n in &names {
        kefu_core::team::add_agent(
            &cluster.admin_url("kefu"),
            n,
            &Secret::new(format!("pw-{n}")),
            customers as i32,
        )
        .await?;
    }
    let em = Emulator::new(
        Default::default(),
        5,
        kefu_emulator::scenario::Scenario::builtin("default"),
    );
    let kf = kefu_wechat::OpenKfId::from(KF);
    kefu_emulator::sim::bulk(&em, &kf, customers * 2, customers, 3600, 5);
    let running = kefu_emulator::start(em, StartOptions::default()).await?;

    let mut desks = Vec::new();
    for n in &names {
        let dir = tempfile::tempdir()?;
        let store = Arc::new(Store::open_in(dir.path())?);
        let client = Client::new(ClientConfig::new(
            &running.base_url,
            DEFAULT_CORP_ID,
            Secret::new(DEFAULT_SECRET),
        ))?;
        let engine = Engine::new(Arc::new(client), store, Arc::new(SystemClock));
        let team = Team::new(
            &cluster.url(n, &format!("pw-{n}"), "kefu"),
            None,
            engine.clock.clone(),
            engine.events.clone(),
        )?;
        desks.push(Desk { engine, team, dir });
    }
    // Desk 0 polls WeChat for the team; every desk mirrors.
    let (_poller, _task) = kefu_core::team::worker::spawn(
        desks[0].engine.clone(),
        desks[0].team.clone(),
        vec![KF.into()],
        desks[0].dir.path().to_owned(),
    );
    for d in &desks[1..] {
        let (team, store) = (d.team.clone(), d.engine.store.clone());
        tokio::spawn(async move {
            loop {
                let _ = team.pull(&store).await;
                tokio::select! {
                    _ = team.changed() => {}
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        });
    }
    let loaded = Instant::now();
    let log = running.emulator.state().log_of(&kf).len();
    loop {
        let polled = desks[0].engine.store.synced_msgids(KF)?.len();
        let target = desks[0].engine.store.waiting_count()?;
        let everywhere = desks
            .iter()
            .all(|d| d.engine.store.waiting_count().unwrap_or(0) == target);
        if polled == log && target > 0 && everywhere {
            break;
        }
        anyhow::ensure!(
            loaded.elapsed() < Duration::from_secs(120),
            "the desks never converged ({polled} of {log} items at the poller)"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!(
        "{DESKS} desktops mirrored {} waiting customers ({log} items) in {:.2} s",
        desks[0].engine.store.waiting_count()?,
        loaded.elapsed().as_secs_f64()
    );

    let sessions = desks[0].engine.store.sessions(SystemClock.now())?;
    let mut claim_ms = Vec::new();
    let mut screen_ms = Vec::new();
    let mut rng: u64 = 0x2545_F491_4F6C_DD1D;
    for s in sessions.iter().filter(|s| s.local_state == "waiting") {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let who = 1 + (rng as usize % (DESKS - 1));
        let mut watchers: Vec<_> = desks
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != who && *i != 0)
            .map(|(_, d)| d.engine.events.subscribe())
            .collect();
        let start = Instant::now();
        let verdict = desks[who]
            .team
            .queue_action(
                &desks[who].engine.store,
                &s.open_kfid,
                &s.external_userid,
                "claim",
                None,
            )
            .await?;
        let claimed = Instant::now();
        anyhow::ensure!(
            matches!(verdict, QueueVerdict::Done(_)),
            "claim refused: {verdict:?}"
        );
        claim_ms.push((claimed - start).as_secs_f64() * 1000.0);
        for w in &mut watchers {
            let deadline = claimed + Duration::from_secs(10);
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                match tokio::time::timeout(left, w.recv()).await {
                    Ok(Ok(DomainEvent::SessionChanged {
                        external_userid, ..
                    })) if external_userid == s.external_userid => {
                        screen_ms.push(claimed.elapsed().as_secs_f64() * 1000.0);
                        break;
                    }
                    Ok(Ok(_)) | Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => {}
                    _ => anyhow::bail!("a desktop never saw the claim"),
                }
            }
        }
    }
    claim_ms.sort_by(f64::total_cmp);
    screen_ms.sort_by(f64::total_cmp);
    println!("| measure ({DESKS} desktops, one database, 2-core machine) | p50 | p95 | p99 |");
    println!("|---|---|---|---|");
    println!(
        "| claim round trip, {} claims | {:.2} ms | {:.2} ms | {:.2} ms |",
        claim_ms.len(),
        percentile(&claim_ms, 0.5),
        percentile(&claim_ms, 0.95),
        percentile(&claim_ms, 0.99)
    );
    println!(
        "| claim → every other desktop's mirror, {} observations | {:.2} ms | {:.2} ms | {:.2} ms |",
        screen_ms.len(),
        percentile(&screen_ms, 0.5),
        percentile(&screen_ms, 0.95),
        percentile(&screen_ms, 0.99)
    );
    Ok(())
}
