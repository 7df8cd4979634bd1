//! Search benchmark (not a test). Generates a seeded corpus of Chinese customer-service chat
//! (1M messages by default) through the store's ingest path — pages of 1000 with the search
//! index in the same transaction — then prints one table: ingest rate, database and index
//! size, search latency per query class (newest 50 with snippets), agreement of every query's
//! full result set with a brute-force scan, conversation open latency, and the brute-force
//! scan time as the floor.
//!
//! `cargo bench -p kefu-core --bench search -- [MESSAGES] [--db PATH] [--runs N] [--ingest-only]`
//! With `--db`, an existing database of the same size is reused instead of generated.

mod corpus;

use kefu_core::search::{Query, fold};
use kefu_core::store::{SearchFilter, Sender, Store};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

const PAGE: usize = 1000;
const SEED: u64 = 20_261_124;
const START: i64 = 1_760_000_000;

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// CPU seconds used by this thread so far (user + system), from /proc.
fn thread_cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/thread-self/stat")
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1;
            let f: Vec<&str> = after.split_whitespace().collect();
            let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
            Some(ticks / 100.0)
        })
        .unwrap_or(0.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn mib(bytes: u64) -> String {
    format!("{:.0} MiB", bytes as f64 / 1_048_576.0)
}

struct Args {
    messages: usize,
    db: Option<PathBuf>,
    runs: usize,
    ingest_only: bool,
}

fn args() -> Args {
    let mut a = Args {
        messages: 1_000_000,
        db: None,
        runs: 20,
        ingest_only: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--db" => a.db = it.next().map(PathBuf::from),
            "--runs" => a.runs = it.next().and_then(|r| r.parse().ok()).unwrap_or(a.runs),
            "--bench" => {}
            "--ingest-only" => a.ingest_only = true,
            other => {
                if let Ok(n) = other.replace('_', "").parse() {
                    a.messages = n;
                }
            }
        }
    }
    a
}

fn main() -> anyhow::Result<()> {
    let args = args();
    let tmp = tempfile::tempdir()?;
    let path = args
        .db
        .clone()
        .unwrap_or_else(|| tmp.path().join("kefu.sqlite"));
    let reuse = path.exists();
    let store = Store::open(&path)?;
    let mut corpus = corpus::Corpus::new(SEED, START);
    let mut ingest = None;
    if !reuse {
        let mut decode_secs = 0.0;
        let mut store_secs = 0.0;
        let mut million_start_secs = 0.0;
        let mut written = 0;
        let mut cpu_secs = 0.0;
        while written < args.messages {
            let n = PAGE.min(args.messages - written);
            let (account, page) = corpus.page(n);
            let t = Instant::now();
            let items: Vec<_> = page
                .into_iter()
                .map(kefu_wechat::message::decode_item)
                .collect();
            decode_secs += t.elapsed().as_secs_f64();
            let t = Instant::now();
            let cpu = thread_cpu_secs();
            store.ingest_page(&account, &items, &format!("c{written}"), START)?;
            cpu_secs += thread_cpu_secs() - cpu;
            store_secs += t.elapsed().as_secs_f64();
            written += n;
            if written % 1_000_000 == 0 {
                eprintln!(
                    "ingested {written} ({:.0} msg/s; this million {:.0} msg/s)",
                    written as f64 / store_secs,
                    1e6 / (store_secs - million_start_secs)
                );
                million_start_secs = store_secs;
            }
        }
        let t = Instant::now();
        store.optimize_search()?;
        ingest = Some((
            written,
            store_secs,
            cpu_secs,
            decode_secs,
            t.elapsed().as_secs_f64(),
        ));
    } else {
        // Same seed, same planted numbers: replay the generator without storing.
        let mut written = 0;
        while written < args.messages {
            let n = PAGE.min(args.messages - written);
            corpus.page(n);
            written += n;
        }
    }
    if args.ingest_only {
        if let Some((written, store_secs, cpu_secs, _, _)) = ingest {
            println!(
                "ingested {written} in {store_secs:.1} s ({:.0} msg/s, {cpu_secs:.1} s CPU)",
                written as f64 / store_secs
            );
        }
        return Ok(());
    }
    let db_bytes: u64 = ["", "-wal"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", path.display())).ok())
        .map(|m| m.len())
        .sum();
    let index_bytes = store.search_index_bytes()?;

    // Brute force: every searchable text, folded, in one contiguous buffer.
    let t = Instant::now();
    let mut keys = Vec::new();
    let mut ends = Vec::new();
    let mut buffer = String::new();
    store.for_each_searchable(|key, text| {
        buffer.push_str(&fold(text));
        keys.push(key);
        ends.push(buffer.len());
    })?;
    let load_secs = t.elapsed().as_secs_f64();
    // The Rust side of indexing alone: fold + tokens for every text.
    let t = Instant::now();
    let mut start = 0;
    let mut token_bytes = 0usize;
    for &end in &ends {
        token_bytes += kefu_core::search::tokens::index_doc(&buffer[start..end]).len();
        start = end;
    }
    let tokenize_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    store.for_each_searchable(|_, text| {
        std::hint::black_box(fold(text));
    })?;
    let fold_secs = t.elapsed().as_secs_f64();
    let brute = |q: &Query| -> Vec<i64> {
        let mut hits = Vec::new();
        let mut start = 0;
        for (i, &end) in ends.iter().enumerate() {
            if q.matches_folded(&buffer[start..end]) {
                hits.push(keys[i]);
            }
            start = end;
        }
        hits.sort_unstable_by(|a, b| b.cmp(a));
        hits
    };

    let p = &corpus.planted;
    let phone4: Vec<String> = p.phones.iter().take(6).map(|s| s[7..].to_owned()).collect();
    let order6: Vec<String> = p
        .orders
        .iter()
        .take(6)
        .map(|s| s[3..9].to_owned())
        .collect();
    let track: Vec<String> = p
        .tracks
        .iter()
        .take(4)
        .map(|s| s[..8].to_lowercase())
        .collect();
    let classes: Vec<(&str, Vec<String>)> = vec![
        (
            "1 Han character",
            ["退", "款", "票", "递", "鳄", "吗", "址", "税"]
                .map(String::from)
                .to_vec(),
        ),
        (
            "2 Han characters",
            [
                "退款", "快递", "发票", "物流", "地址", "换货", "签收", "积分",
            ]
            .map(String::from)
            .to_vec(),
        ),
        (
            "Chinese phrase",
            [
                "申请退款",
                "什么时候发货",
                "增值税专用发票",
                "七天无理由退货",
                "没收到",
                "质量问题",
                "原路退回",
                "人工客服",
            ]
            .map(String::from)
            .to_vec(),
        ),
        (
            "English / Latin",
            [
                "ok",
                "refund",
                "iphone",
                "airpods pro",
                "Order",
                "kindle",
                "mx",
                "cny",
            ]
            .map(String::from)
            .to_vec(),
        ),
        ("digit fragment", {
            let mut v = phone4.clone();
            v.extend(order6.clone());
            v.extend(["2026", "8", "138"].map(String::from));
            v
        }),
        ("mixed / product", {
            let mut v = track.clone();
            v.extend(["小米手环8", "iPhone 15", "mate 60", "WH-1000XM5", "ＳＦ"].map(String::from));
            v
        }),
        (
            "several terms",
            [
                "退款 订单号",
                "\"iPhone 15\" 发货",
                "发票 税号",
                "快递 顺丰",
                "地址 朝阳区",
            ]
            .map(String::from)
            .to_vec(),
        ),
        (
            "zero-hit",
            [
                "鳄鱼退款",
                "99999999999999",
                "xyzzy",
                "🦄",
                "退款退款退款",
                "质量优秀",
            ]
            .map(String::from)
            .to_vec(),
        ),
        (
            "odd input",
            [
                "AND",
                "NEAR(",
                "*",
                "-",
                "\"",
                "😊",
                "！",
                &"退款".repeat(2_000),
            ]
            .map(String::from)
            .to_vec(),
        ),
    ];

    let none = SearchFilter::default();
    let mut rows = Vec::new();
    let mut all_agree = true;
    let mut disagreements = Vec::new();
    for (class, queries) in &classes {
        let mut lat = Vec::new();
        let mut brute_ms = Vec::new();
        let mut hits_total = 0usize;
        let mut agree = 0;
        for q in queries {
            // Agreement: the whole result set, not just the first page.
            let expected = brute(&Query::parse(q));
            let got = store.search_all_keys(q, &none)?;
            if got == expected {
                agree += 1;
            } else {
                all_agree = false;
                disagreements.push(format!(
                    "{q:?}: index {} vs scan {}",
                    got.len(),
                    expected.len()
                ));
            }
            hits_total += expected.len();
            let t = Instant::now();
            let _ = brute(&Query::parse(q));
            brute_ms.push(t.elapsed().as_secs_f64() * 1e3);
            store.search(q, &none, None, 50)?; // warm
            for _ in 0..args.runs {
                let t = Instant::now();
                let page = store.search(q, &none, None, 50)?;
                lat.push(t.elapsed().as_secs_f64() * 1e3);
                std::hint::black_box(page);
            }
        }
        lat.sort_by(f64::total_cmp);
        brute_ms.sort_by(f64::total_cmp);
        rows.push(format!(
            "| {class} | {} | {:.2} / {:.2} / {:.2} / {:.2} | {agree}/{} | {} | {:.0} |",
            queries.len(),
            percentile(&lat, 0.5),
            percentile(&lat, 0.95),
            percentile(&lat, 0.99),
            lat.last().copied().unwrap_or(0.0),
            queries.len(),
            hits_total / queries.len().max(1),
            percentile(&brute_ms, 0.5),
        ));
    }

    // Filters and paging.
    let mut filtered = Vec::new();
    let some_customer = store
        .sessions(i64::MAX)?
        .into_iter()
        .map(|s| s.external_userid)
        .next();
    let filters: Vec<(&str, SearchFilter)> = vec![
        (
            "customer",
            SearchFilter {
                customer: some_customer.clone(),
                ..Default::default()
            },
        ),
        (
            "account",
            SearchFilter {
                open_kfid: Some("wkBenchPreSales0000000000000002".into()),
                ..Default::default()
            },
        ),
        (
            "sender = agent",
            SearchFilter {
                sender: Some(Sender::Agent),
                ..Default::default()
            },
        ),
        (
            "one day",
            SearchFilter {
                since: Some(START + 86_400 * 5),
                until: Some(START + 86_400 * 6),
                ..Default::default()
            },
        ),
    ];
    for (name, f) in &filters {
        let mut lat = Vec::new();
        let mut agree = true;
        for q in ["退款", "的", "2026", "发票 税号"] {
            let t = Instant::now();
            store.search(q, f, None, 50)?;
            lat.push(t.elapsed().as_secs_f64() * 1e3);
            let all = store.search_all_keys(q, f)?;
            let unfiltered = store.search_all_keys(q, &none)?;
            // Filters only remove: every filtered hit is an unfiltered hit.
            agree &= all
                .iter()
                .all(|k| unfiltered.binary_search_by(|x| k.cmp(x)).is_ok());
        }
        lat.sort_by(f64::total_cmp);
        filtered.push(format!(
            "| filter: {name} | {:.2} ms max over 4 queries | subset of unfiltered: {agree} |",
            lat.last().copied().unwrap_or(0.0)
        ));
    }
    let mut page_lat = Vec::new();
    let mut before = None;
    for _ in 0..10 {
        let t = Instant::now();
        let page = store.search("退款", &none, before, 50)?;
        page_lat.push(t.elapsed().as_secs_f64() * 1e3);
        before = page.next_before;
    }
    page_lat.sort_by(f64::total_cmp);

    // Opening a conversation: newest 50.
    let mut open_lat = Vec::new();
    for s in store.sessions(i64::MAX)?.into_iter().take(200) {
        let t = Instant::now();
        std::hint::black_box(store.messages(&s.external_userid, 50)?);
        open_lat.push(t.elapsed().as_secs_f64() * 1e3);
    }
    open_lat.sort_by(f64::total_cmp);

    let n = keys.len();
    println!(
        "Search benchmark: {} messages ({n} searchable), seed {SEED}, {} runs per query",
        args.messages, args.runs
    );
    println!();
    println!("| measure | value |");
    println!("|---|---|");
    if let Some((written, store_secs, cpu_secs, decode_secs, optimize_secs)) = ingest {
        println!(
            "| ingest with the index (pages of {PAGE}, one transaction each) | {:.0} msg/s ({store_secs:.1} s; {cpu_secs:.1} s CPU) |",
            written as f64 / store_secs
        );
        println!("| JSON decode of the same items (not in the rate) | {decode_secs:.1} s |");
        println!("| index optimize after ingest | {optimize_secs:.1} s |");
    } else {
        println!("| ingest | reused {} |", path.display());
    }
    println!(
        "| database size (incl. WAL) | {} ({:.0} B/msg) |",
        mib(db_bytes),
        db_bytes as f64 / args.messages as f64
    );
    println!(
        "| of which the search index | {} ({:.0} B/msg) |",
        mib(index_bytes),
        index_bytes as f64 / args.messages as f64
    );
    println!("| load + fold all text for the brute-force scan | {load_secs:.1} s |");
    println!("| of the index work: fold all text (incl. reading it) | {fold_secs:.2} s |");
    println!(
        "| of the index work: tokens of all folded text | {tokenize_secs:.2} s ({:.0} B/msg) |",
        token_bytes as f64 / n.max(1) as f64
    );
    println!(
        "| next pages of \"退款\" (10 × 50, keyset) | p50 {:.2} / max {:.2} ms |",
        percentile(&page_lat, 0.5),
        page_lat.last().copied().unwrap_or(0.0)
    );
    println!(
        "| conversation open, newest 50 (200 conversations) | p50 {:.2} / p95 {:.2} / p99 {:.2} ms |",
        percentile(&open_lat, 0.5),
        percentile(&open_lat, 0.95),
        percentile(&open_lat, 0.99)
    );
    println!(
        "| peak RSS (incl. the brute-force copy of all text) | {:.0} MiB |",
        peak_rss_mib()
    );
    for f in &filtered {
        println!("{f}");
    }
    println!();
    println!(
        "| query class | queries | search ms p50 / p95 / p99 / max | same set as scan | avg hits | scan ms (floor) |"
    );
    println!("|---|---|---|---|---|---|");
    for r in &rows {
        println!("{r}");
    }
    println!();
    if all_agree {
        println!("Every query's full result set equals the brute-force scan.");
    } else {
        println!(
            "DISAGREEMENT with the brute-force scan: {}",
            disagreements.join("; ")
        );
    }
    let classes_by_name: BTreeMap<_, _> = classes.iter().map(|(c, q)| (*c, q.len())).collect();
    eprintln!("classes: {classes_by_name:?}");
    Ok(())
}
