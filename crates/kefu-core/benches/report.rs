//! Report benchmark (not a test): a month of a busy team desk in a SQLite store (as a team
//! mirror holds it: replies with their agent and delivery state), then the month's report,
//! the same report for one agent, and one day's, each timed from the SQL to the figures.
//!
//! `cargo bench -p kefu-core --bench report -- [MESSAGES]` (default 1000000).

use kefu_core::report::{ReportQuery, calendar, compute};
use kefu_core::store::{MirrorBatch, MirrorMessage, MirrorOutbox, MirrorSessionEnd, Store};
use kefu_emulator::rng::Rng;
use std::time::Instant;

const ACCOUNTS: [&str; 3] = ["wkSales", "wkAfterSales", "wkVip"];
const AGENTS: usize = 20;
const DAYS: i64 = 30;

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

/// Sessions of 2–14 messages: the customer writes, an agent (or now and then a WeCom servicer)
/// answers within seconds to an hour; most are ended here, some left to expire.
fn month(store: &Store, messages: usize, start: i64) -> anyhow::Result<(usize, usize)> {
    let mut rng = Rng::new(7);
    let mut batch = MirrorBatch::default();
    let (mut written, mut sessions, mut n) = (0, 0, 0u64);
    while written < messages {
        let kfid = ACCOUNTS[rng.below(3) as usize];
        let customer = format!("wmCustomer{:06}", rng.below(60_000));
        let agent = format!("agent{:02}", rng.below(AGENTS as u64));
        let mut t = start + rng.below((DAYS * 86_400 - 86_400) as u64) as i64;
        sessions += 1;
        let len = rng.between(2, 14) as usize;
        let mut msg = |origin: i64, t: i64, batch: &mut MirrorBatch| {
            n += 1;
            let msgid = format!("m{n}");
            let (sent_by, servicer) = match origin {
                0 => (Some(agent.clone()), None),
                5 => (None, Some("zhangsan".to_owned())),
                _ => (None, None),
            };
            if origin == 0 {
                batch.outbox.push(MirrorOutbox {
                    msgid: msgid.clone(),
                    open_kfid: kfid.into(),
                    external_userid: customer.clone(),
                    content: "{}".into(),
                    // One reply in 200 is refused by WeChat.
                    state: if n % 200 == 0 { "failed" } else { "sent" }.into(),
                    attempts: 1,
                    last_error: (n % 200 == 0)
                        .then(|| "kf/send_msg failed with errcode 95001: limit".into()),
                    created_at: t,
                    sent_at: Some(t + 1),
                });
            }
            batch.messages.push(MirrorMessage {
                open_kfid: kfid.into(),
                msgid,
                external_userid: Some(customer.clone()),
                send_time: t,
                origin,
                msgtype: "text".into(),
                servicer_userid: servicer,
                json: "{}".into(),
                sent_by,
                ..MirrorMessage::default()
            });
        };
        for i in 0..len {
            let origin = if i % 2 == 0 {
                3
            } else if rng.chance(0.05) {
                5
            } else {
                0
            };
            t += rng.between(5, if origin == 3 { 600 } else { 3600 }) as i64;
            msg(origin, t, &mut batch);
        }
        written += len;
        if rng.chance(0.8) {
            batch.session_ends.push(MirrorSessionEnd {
                open_kfid: kfid.into(),
                external_userid: customer.clone(),
                ended_at: t + 60,
                ended_by: agent.clone(),
            });
        }
        if batch.messages.len() >= 10_000 {
            store.mirror_apply(&std::mem::take(&mut batch))?;
        }
    }
    store.mirror_apply(&batch)?;
    Ok((written, sessions))
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::MAX;
    let mut out = None;
    for _ in 0..runs {
        let started = Instant::now();
        out = Some(f());
        best = best.min(started.elapsed().as_secs_f64() * 1000.0);
    }
    (best, out.expect("one run"))
}

fn main() -> anyhow::Result<()> {
    let messages: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    // KEFU_BENCH_STORE: a file to keep the store in, and to reuse when it exists (profiling).
    let reuse = std::env::var("KEFU_BENCH_STORE").ok();
    if let Some(file) = &reuse
        && std::path::Path::new(file).exists()
    {
        std::fs::copy(file, dir.path().join("kefu.sqlite"))?;
    }
    let store = Store::open_in(dir.path())?;
    let offset = calendar::DEFAULT_OFFSET_SECS;
    let start = calendar::day_start(calendar::parse_date("2026-11-01").expect("date"), offset);
    let built = Instant::now();
    let (written, sessions) = if dir.path().join("kefu.sqlite").metadata()?.len() > 1 << 20 {
        (messages, 0)
    } else {
        month(&store, messages, start)?
    };
    let build_secs = built.elapsed().as_secs_f64();
    let month = ReportQuery {
        since: start,
        until: start + DAYS * 86_400,
        agent: None,
        offset_secs: offset,
    };
    let now = month.until + 86_400;
    let report = |q: &ReportQuery| -> anyhow::Result<(f64, f64, kefu_core::report::Report)> {
        let loaded = Instant::now();
        let input = store.report_input(q, "me")?;
        let load_ms = loaded.elapsed().as_secs_f64() * 1000.0;
        let computed = Instant::now();
        let r = compute(input, q, now);
        Ok((load_ms, computed.elapsed().as_secs_f64() * 1000.0, r))
    };
    // Warm the page cache once, as a desk that has been open a while has it.
    report(&month)?;
    let (month_ms, month_report) = time(5, || report(&month).expect("report"));
    let (month_load, month_compute, r) = month_report;
    let one_agent = ReportQuery {
        agent: Some("agent07".into()),
        ..month.clone()
    };
    let (agent_ms, _) = time(5, || report(&one_agent).expect("report"));
    let one_day = ReportQuery {
        since: start + 14 * 86_400,
        until: start + 15 * 86_400,
        ..month.clone()
    };
    let (day_ms, _) = time(5, || report(&one_day).expect("report"));
    println!("| measure | value |");
    println!("|---|---|");
    println!(
        "| store | {written} messages, {sessions} sessions, {} accounts, {AGENTS} agents, {DAYS} days (built in {build_secs:.1} s) |",
        ACCOUNTS.len()
    );
    println!(
        "| month report, SQL → figures (best of 5) | {month_ms:.0} ms (load {month_load:.0} ms, compute {month_compute:.0} ms) |"
    );
    println!("| the month for one agent | {agent_ms:.0} ms |");
    println!("| one day | {day_ms:.1} ms |");
    println!(
        "| figures | {} sessions, first response avg {} s / p90 {} s, {} in, {} out, {} refused |",
        r.totals.sessions,
        r.totals.first_response.avg_secs.unwrap_or(0),
        r.totals.first_response.p90_secs.unwrap_or(0),
        r.totals.messages_in,
        r.totals.messages_out,
        r.totals.refused
    );
    println!("| peak RSS | {:.0} MiB |", peak_rss_mib());
    if let Some(file) = reuse {
        drop(store);
        std::fs::copy(dir.path().join("kefu.sqlite"), file)?;
    }
    Ok(())
}
