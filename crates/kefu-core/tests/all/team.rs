//! Team mode against a real PostgreSQL cluster (initdb + pg_ctl in a temp dir, started here) and
//! the emulator over loopback: several desktops share one queue, outbox and message log.

use super::*;
use kefu_core::team::cluster::Cluster;
use kefu_core::team::{QueueVerdict, ReplyVerdict, Team};
use std::time::Instant;

pub struct TeamFixture {
    pub cluster: Cluster,
    pub emu: Running,
}

pub const DB: &str = "kefu";

pub fn password(agent: &str) -> String {
    format!("pw-{agent}")
}

async fn admin_sql(url: &str, sql: &str) {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("admin connects");
    tokio::spawn(conn);
    client.batch_execute(sql).await.expect("admin SQL");
}

pub async fn admin_query(f: &TeamFixture, sql: &str) -> Vec<tokio_postgres::Row> {
    let (client, conn) = tokio_postgres::connect(&f.cluster.admin_url(DB), tokio_postgres::NoTls)
        .await
        .expect("admin connects");
    tokio::spawn(conn);
    client.query(sql, &[]).await.expect("admin query")
}

/// A cluster with the team schema and these agents, and an emulator with no simulation.
pub async fn team_fixture(agents: &[&str]) -> TeamFixture {
    let cluster = tokio::task::spawn_blocking(Cluster::start)
        .await
        .expect("cluster task")
        .expect("a PostgreSQL cluster starts (apt install postgresql)");
    admin_sql(&cluster.admin_url("postgres"), "CREATE DATABASE kefu").await;
    let admin = cluster.admin_url(DB);
    assert_eq!(
        kefu_core::team::migrate(&admin).await.expect("migrate"),
        kefu_core::team::SUPPORTED_VERSION
    );
    assert_eq!(
        kefu_core::team::migrate(&admin)
            .await
            .expect("migrate again"),
        kefu_core::team::SUPPORTED_VERSION,
        "migrating twice is a no-op"
    );
    for a in agents {
        kefu_core::team::add_agent(&admin, a, &Secret::new(password(a)), 10)
            .await
            .expect("add agent");
    }
    TeamFixture {
        cluster,
        emu: emulator(7).await,
    }
}

/// One desktop: its own SQLite mirror, its own engine, the team handle of `agent`.
pub struct Desk {
    pub dir: tempfile::TempDir,
    pub engine: Engine,
    pub team: Team,
    pub worker: Option<(kefu_core::worker::WorkerHandle, tokio::task::JoinHandle<()>)>,
}

impl Desk {
    pub fn store(&self) -> &Store {
        &self.engine.store
    }

    pub async fn stop(&mut self) {
        if let Some((h, t)) = self.worker.take() {
            h.send(kefu_core::worker::Command::Stop).await;
            let _ = t.await;
        }
    }
}

pub fn desk(f: &TeamFixture, agent: &str) -> Desk {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(Store::open_in(dir.path()).expect("store"));
    let engine = engine_for(&f.emu.base_url, store, Arc::new(SystemClock));
    let team = Team::new(
        &f.cluster.url(agent, &password(agent), DB),
        None,
        engine.clock.clone(),
        engine.events.clone(),
    )
    .expect("team handle");
    Desk {
        dir,
        engine,
        team,
        worker: None,
    }
}

pub fn start(d: &mut Desk) {
    d.worker = Some(kefu_core::team::worker::spawn(
        d.engine.clone(),
        d.team.clone(),
        vec![KF.into()],
        d.dir.path().to_owned(),
    ));
}

pub fn new_customer(em: &Emulator, seed: u64) -> kefu_wechat::ExternalUserId {
    kefu_emulator::sim::new_customer(em, &mut kefu_emulator::rng::Rng::new(seed), None)
}

/// Waits until `done` holds, polling; fails with `what` after `secs`.
pub async fn eventually(secs: u64, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn team_msgids(f: &TeamFixture) -> Vec<String> {
    admin_query(
        f,
        &format!("SELECT msgid FROM kefu.message WHERE open_kfid = '{KF}' AND origin <> 0"),
    )
    .await
    .iter()
    .map(|r| r.get(0))
    .collect()
}

pub async fn pollers(f: &TeamFixture) -> i64 {
    admin_query(
        f,
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1801807478 AND granted",
    )
    .await[0]
        .get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn five_desktops_store_every_message_once_and_share_the_queue() {
    let f = team_fixture(&["ann", "bob", "cat", "dan", "eve"]).await;
    let em = &f.emu.emulator;
    kefu_emulator::sim::bulk(em, &kf(), 3000, 30, 3600, 3);
    let mut desks: Vec<Desk> = ["ann", "bob", "cat", "dan", "eve"]
        .iter()
        .map(|a| desk(&f, a))
        .collect();
    for d in &mut desks {
        start(d);
    }
    let server = server_msgids(em, &kf());
    for d in &desks {
        let store = d.engine.store.clone();
        let expected = server.clone();
        eventually(60, "every desktop mirrors the whole log", move || {
            stored_msgids(&store, &kf()) == expected
        })
        .await;
    }
    let shared = team_msgids(&f).await;
    let unique: BTreeSet<_> = shared.iter().cloned().collect();
    assert_eq!(
        unique.len(),
        shared.len(),
        "no message is stored twice in the team"
    );
    assert_eq!(unique, server, "the team holds exactly the server's items");
    assert_eq!(
        pollers(&f).await,
        1,
        "exactly one desktop polls the account"
    );

    // A live message reaches every desktop, once.
    let customer = new_customer(em, 99);
    say(em, &customer, "你好，我的快递到哪了");
    let server = server_msgids(em, &kf());
    for d in &desks {
        let store = d.engine.store.clone();
        let expected = server.clone();
        eventually(20, "a live message reaches every desktop", move || {
            stored_msgids(&store, &kf()) == expected
        })
        .await;
    }

    // Claim on one desktop: gone from every other's waiting list.
    let c = customer.as_str();
    let verdict = desks[1]
        .team
        .queue_action(desks[1].store(), KF, c, "claim", None)
        .await
        .expect("claim");
    assert_eq!(verdict, QueueVerdict::Done("mine".into()));
    for d in &desks {
        let store = d.engine.store.clone();
        let cust = c.to_owned();
        eventually(5, "the claim shows on every desktop", move || {
            store
                .sessions(SystemClock.now())
                .expect("sessions")
                .iter()
                .any(|s| {
                    s.external_userid == cust
                        && s.local_state == "mine"
                        && s.claimed_by.as_deref() == Some("bob")
                })
        })
        .await;
    }
    let refused = desks[0]
        .team
        .queue_action(desks[0].store(), KF, c, "claim", None)
        .await
        .expect("claim");
    assert_eq!(
        refused,
        QueueVerdict::Refused {
            reason: "not_waiting".into(),
            owner: Some("bob".into())
        },
        "a second claim is told who has the customer"
    );

    // bob replies; every desktop shows the reply with who sent it, and it reaches WeChat once.
    let row = desks[1]
        .engine
        .enqueue_text(KF, c, "您好，我来帮您查")
        .expect("enqueue")
        .expect("rules allow");
    desks[1]
        .team
        .push_outbox(&desks[1].engine)
        .await
        .expect("push");
    eventually(20, "the poller sends bob's reply", || {
        em.state().sent.iter().any(|s| s.msgid == row.msgid)
    })
    .await;
    for d in &desks {
        let store = d.engine.store.clone();
        let msgid = row.msgid.clone();
        eventually(10, "every desktop shows the reply as sent", move || {
            store
                .reply(&msgid)
                .expect("reply")
                .is_some_and(|r| r.state == "sent")
        })
        .await;
        let (rows, _) = d
            .store()
            .message_page(Some(KF), c, 50, None)
            .expect("conversation");
        assert!(
            rows.iter()
                .any(|m| m.msgid == row.msgid && m.sent_by.as_deref() == Some("bob")),
            "every desktop knows bob sent it"
        );
    }
    assert_eq!(
        em.state()
            .sent
            .iter()
            .filter(|s| s.msgid == row.msgid)
            .count(),
        1,
        "sent exactly once"
    );

    // A note by ann shows on every desktop.
    desks[0]
        .team
        .set_note(desks[0].store(), c, "老客户，优先处理")
        .await
        .expect("note");
    for d in &desks {
        let store = d.engine.store.clone();
        let cust = c.to_owned();
        eventually(5, "the note shows on every desktop", move || {
            store
                .customer(&cust, SystemClock.now())
                .expect("customer")
                .note
                == "老客户，优先处理"
        })
        .await;
    }

    // A team canned reply by ann reaches every desktop; bob's change and ann's removal too.
    let draft = |body: &str| kefu_core::canned::Draft {
        scope: kefu_core::canned::Scope::Team,
        folder: "售后".into(),
        title: "退款说明".into(),
        shortcut: "tk".into(),
        body: body.into(),
    };
    let canned_on = |d: &Desk| {
        d.store()
            .canned_replies()
            .expect("canned")
            .into_iter()
            .map(|r| (r.draft.body, r.updated_by))
            .collect::<Vec<_>>()
    };
    desks[0]
        .team
        .canned_put(desks[0].store(), "c1", &draft("3 个工作日内退回"))
        .await
        .expect("canned put");
    for d in &desks {
        let d_store = d.engine.store.clone();
        eventually(
            5,
            "the team's canned reply shows on every desktop",
            move || d_store.canned_replies().expect("canned").len() == 1,
        )
        .await;
        assert_eq!(
            canned_on(d),
            [("3 个工作日内退回".to_string(), "ann".to_string())]
        );
    }
    desks[1]
        .team
        .canned_put(desks[1].store(), "c1", &draft("1 个工作日内退回"))
        .await
        .expect("canned change");
    for d in &desks {
        let d_store = d.engine.store.clone();
        eventually(5, "bob's change shows on every desktop", move || {
            d_store.canned_replies().expect("canned")[0].draft.body == "1 个工作日内退回"
        })
        .await;
        assert_eq!(
            canned_on(d),
            [("1 个工作日内退回".to_string(), "bob".to_string())]
        );
    }
    desks[0]
        .team
        .canned_delete(desks[0].store(), "c1")
        .await
        .expect("canned delete");
    for d in &desks {
        let d_store = d.engine.store.clone();
        eventually(5, "the removal reaches every desktop", move || {
            d_store.canned_replies().expect("canned").is_empty()
        })
        .await;
    }
    for d in &mut desks {
        d.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_claims_have_exactly_one_winner() {
    let names: Vec<String> = (0..50).map(|i| format!("agent{i:02}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let f = team_fixture(&refs).await;
    let em = &f.emu.emulator;
    let customer = new_customer(em, 5);
    say(em, &customer, "有人吗");
    let mut poller = desk(&f, "agent00");
    start(&mut poller);
    let store = poller.engine.store.clone();
    eventually(20, "the customer waits", move || {
        store.waiting_count().expect("count") == 1
    })
    .await;
    let desks: Vec<Desk> = names.iter().map(|a| desk(&f, a)).collect();
    let mut tasks = Vec::new();
    for d in &desks {
        let team = d.team.clone();
        let store = d.engine.store.clone();
        let c = customer.to_string();
        tasks.push(tokio::spawn(async move {
            team.queue_action(&store, KF, &c, "claim", None).await
        }));
    }
    let mut winners = Vec::new();
    let mut owners = BTreeSet::new();
    for (i, t) in tasks.into_iter().enumerate() {
        match t.await.expect("task").expect("the team answers") {
            QueueVerdict::Done(_) => winners.push(names[i].clone()),
            QueueVerdict::Refused { reason, owner } => {
                assert_eq!(reason, "not_waiting");
                owners.insert(owner.expect("the loser is told who has it"));
            }
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "exactly one of 50 claims wins: {winners:?}"
    );
    assert_eq!(
        owners.into_iter().collect::<Vec<_>>(),
        winners,
        "every loser is told the winner's name"
    );
    poller.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_agents_replying_at_once_send_one_reply() {
    let f = team_fixture(&["ann", "bob"]).await;
    let em = &f.emu.emulator;
    let customer = new_customer(em, 11);
    say(em, &customer, "请问发票怎么开");
    let mut ann = desk(&f, "ann");
    let mut bob = desk(&f, "bob");
    start(&mut ann);
    start(&mut bob);
    for d in [&ann, &bob] {
        let store = d.engine.store.clone();
        eventually(20, "both see the waiting customer", move || {
            store.waiting_count().expect("count") == 1
        })
        .await;
    }
    let c = customer.to_string();
    // Both type a reply to the waiting customer; each passes its local rules.
    let a = ann
        .engine
        .enqueue_text(KF, &c, "我来处理")
        .expect("enqueue")
        .expect("rules");
    let b = bob
        .engine
        .enqueue_text(KF, &c, "我来吧")
        .expect("enqueue")
        .expect("rules");
    let (va, vb) = tokio::join!(
        ann.team.push_reply(ann.store(), &a),
        bob.team.push_reply(bob.store(), &b)
    );
    let verdicts = [va.expect("ann pushed"), vb.expect("bob pushed")];
    let accepted = verdicts
        .iter()
        .filter(|v| matches!(v, ReplyVerdict::Accepted(_)))
        .count();
    assert_eq!(accepted, 1, "one reply is accepted: {verdicts:?}");
    let (winner, loser_msgid) = match &verdicts[0] {
        ReplyVerdict::Accepted(_) => ("ann", &b.msgid),
        _ => ("bob", &a.msgid),
    };
    assert!(
        verdicts
            .iter()
            .any(|v| matches!(v, ReplyVerdict::Refused { reason, owner }
            if reason == "not_mine" && owner.as_deref() == Some(winner))),
        "the other is refused with who has the customer: {verdicts:?}"
    );
    eventually(20, "the accepted reply reaches WeChat", || {
        em.state().sent.iter().any(|s| s.touser == customer)
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        em.state()
            .sent
            .iter()
            .filter(|s| s.touser == customer)
            .count(),
        1,
        "exactly one reply reaches the customer"
    );
    assert!(
        !em.state().sent.iter().any(|s| &s.msgid == loser_msgid),
        "the refused reply never reaches WeChat"
    );
    ann.stop().await;
    bob.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_desktop_cut_off_works_locally_and_converges_after_a_restart() {
    let f = team_fixture(&["ann", "bob"]).await;
    let em = &f.emu.emulator;
    let customer = new_customer(em, 21);
    say(em, &customer, "在吗");
    let mut ann = desk(&f, "ann");
    let mut bob = desk(&f, "bob");
    start(&mut ann);
    start(&mut bob);
    let c = customer.to_string();
    let store = ann.engine.store.clone();
    eventually(20, "ann sees the customer", move || {
        store.waiting_count().expect("count") == 1
    })
    .await;
    assert_eq!(
        ann.team
            .queue_action(ann.store(), KF, &c, "claim", None)
            .await
            .expect("claim"),
        QueueVerdict::Done("mine".into())
    );

    // The team server goes away (stopped mid-sync: the emulator keeps receiving messages).
    f.cluster.stop().expect("stop PostgreSQL");
    for i in 0..20 {
        say(em, &customer, &format!("补充信息 {i}"));
    }
    // ann keeps working locally: the conversation opens, a reply waits in the local outbox.
    let (rows, _) = ann
        .store()
        .message_page(Some(KF), &c, 50, None)
        .expect("open");
    assert!(!rows.is_empty(), "the conversation opens offline");
    let reply = ann
        .engine
        .enqueue_text(KF, &c, "稍等，我查一下")
        .expect("enqueue")
        .expect("the local rules allow it");
    let offline = ann
        .team
        .queue_action(ann.store(), KF, &c, "release", None)
        .await;
    assert!(
        matches!(offline, Err(ref e) if e.is_connection()),
        "a claim change needs the team server: {offline:?}"
    );
    assert!(
        ann.team.status().offline_since.is_some(),
        "health knows since when the team server is unreachable"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    f.cluster.restart().expect("start PostgreSQL again");

    // Everything converges: every message once, the reply sent once, both mirrors equal.
    let server = server_msgids(em, &kf());
    for d in [&ann, &bob] {
        let store = d.engine.store.clone();
        let expected = server.clone();
        eventually(30, "the mirrors converge after the restart", move || {
            stored_msgids(&store, &kf()) == expected
        })
        .await;
    }
    eventually(30, "the reply typed offline is sent", || {
        em.state().sent.iter().any(|s| s.msgid == reply.msgid)
    })
    .await;
    let store = bob.engine.store.clone();
    let msgid = reply.msgid.clone();
    eventually(10, "bob sees ann's offline reply as sent", move || {
        store
            .reply(&msgid)
            .expect("reply")
            .is_some_and(|r| r.state == "sent")
    })
    .await;
    assert_eq!(
        em.state()
            .sent
            .iter()
            .filter(|s| s.msgid == reply.msgid)
            .count(),
        1,
        "sent exactly once"
    );
    let shared = team_msgids(&f).await;
    let unique: BTreeSet<_> = shared.iter().cloned().collect();
    assert_eq!(
        unique.len(),
        shared.len(),
        "nothing stored twice across the restart"
    );
    assert_eq!(unique, server, "nothing lost across the restart");
    assert!(ann.team.status().connected, "reconnected");
    ann.stop().await;
    bob.stop().await;
}

/// The agent whose connection holds the account's poller lock.
async fn poller_agent(f: &TeamFixture) -> Option<String> {
    admin_query(
        f,
        "SELECT a.usename::text FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.classid = 1801807478 AND l.granted",
    )
    .await
    .first()
    .map(|r| r.get(0))
}

fn kefu_sync(f: &TeamFixture, agent: &str, data_dir: &std::path::Path) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_kefu"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("KEFU_API_BASE", &f.emu.base_url)
        .env("KEFU_CORP_ID", DEFAULT_CORP_ID)
        .env("KEFU_SECRET", DEFAULT_SECRET)
        .env("KEFU_DATA_DIR", data_dir)
        .env("KEFU_OPEN_KFIDS", KF)
        .env(
            "KEFU_TEAM_DATABASE_URL",
            f.cluster.url(agent, &password(agent), DB),
        )
        .arg("sync")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn kefu sync")
}

/// Three headless desks (`kefu sync` in team mode) poll one account; the poller is killed with
/// SIGKILL 20 times at random moments while 20,000 messages and replies flow. Another takes
/// over each time; in the end the team holds exactly the server's items, each once, every
/// mirror equals it, and every reply was sent exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_the_poller_twenty_times_loses_and_duplicates_nothing() {
    let agents = ["ann", "bob", "cat"];
    let f = team_fixture(&agents).await;
    let em = &f.emu.emulator;
    kefu_emulator::sim::bulk(em, &kf(), 20_000, 200, 2 * 24 * 3600, 31);
    em.faults().set_chaos(Some(kefu_emulator::fault::Chaos {
        rate: 0.2,
        seed: 31,
    }));
    let dirs: Vec<tempfile::TempDir> = agents
        .iter()
        .map(|_| tempfile::tempdir().expect("temp dir"))
        .collect();
    let mut children: Vec<std::process::Child> = agents
        .iter()
        .zip(&dirs)
        .map(|(a, d)| kefu_sync(&f, a, d.path()))
        .collect();
    // A desk in this process replies to customers while the pollers die.
    let replier = desk(&f, "ann");
    let mut replies = Vec::new();
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut kills = 0;
    let mut holders = BTreeSet::new();
    for round in 0..20 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let deadline = Instant::now() + Duration::from_secs(20);
        let holder = loop {
            if let Some(a) = poller_agent(&f).await {
                break a;
            }
            assert!(
                Instant::now() < deadline,
                "no desk took over the account (round {round})"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        holders.insert(holder.clone());
        if round % 4 == 1 {
            // A live customer and a reply through the shared outbox.
            let customer = new_customer(em, 1000 + round);
            say(em, &customer, "请问什么时候发货");
            let cust = customer.to_string();
            let mut pushed = None;
            for _ in 0..300 {
                replier.team.pull(replier.store()).await.ok();
                if let Ok(Ok(row)) = replier.engine.enqueue_text(KF, &cust, "明天发货") {
                    replier
                        .team
                        .push_reply(replier.store(), &row)
                        .await
                        .expect("push");
                    pushed = Some(row.msgid);
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            replies.push(pushed.expect("the customer arrived and the reply was pushed"));
        }
        tokio::time::sleep(Duration::from_millis(100 + seed % 900)).await;
        let i = agents
            .iter()
            .position(|a| *a == holder)
            .expect("a known agent");
        children[i].kill().expect("SIGKILL");
        let _ = children[i].wait();
        kills += 1;
        // A surviving desk takes the account over; only then does the killed one come back
        // (restarted at once, it could win the election again before the others retry).
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if poller_agent(&f).await.is_some_and(|a| a != holder) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "no other desk took over from {holder} (round {round})"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        children[i] = kefu_sync(&f, agents[i], dirs[i].path());
    }
    em.faults().clear();
    assert_eq!(kills, 20);
    let server = server_msgids(em, &kf());
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let shared = team_msgids(&f).await;
        let unique: BTreeSet<_> = shared.iter().cloned().collect();
        assert_eq!(unique.len(), shared.len(), "no message is stored twice");
        if unique == server {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the team never caught up: {} of {}",
            unique.len(),
            server.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Chaos includes 40014 (token), which the outbox treats as a definite refusal: a reply ends
    // sent (then WeChat has it exactly once) or failed; never queued, never sent twice.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut sent = 0;
    for msgid in &replies {
        let state = loop {
            let rows = admin_query(
                &f,
                &format!("SELECT state FROM kefu.outbox WHERE msgid = '{msgid}'"),
            )
            .await;
            let state: String = rows
                .first()
                .expect("the reply is in the shared outbox")
                .get(0);
            if state != "queued" {
                break state;
            }
            assert!(
                Instant::now() < deadline,
                "reply {msgid} never left the queue"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let delivered = em.state().sent.iter().filter(|s| &s.msgid == msgid).count();
        assert!(delivered <= 1, "a reply reaches WeChat at most once");
        if state == "sent" {
            sent += 1;
            assert_eq!(delivered, 1, "a reply marked sent reached WeChat once");
        }
    }
    assert!(sent >= 1, "replies were really sent while pollers died");
    for (i, dir) in dirs.iter().enumerate() {
        let store = Store::open_in(&dir.path().join("team"))
            .expect("mirror (team mode keeps it in <data>/team)");
        let deadline = Instant::now() + Duration::from_secs(60);
        while stored_msgids(&store, &kf()) != server {
            let local = stored_msgids(&store, &kf());
            let missing: Vec<_> = server.difference(&local).take(3).collect();
            let extra: Vec<_> = local.difference(&server).take(3).collect();
            assert!(
                Instant::now() < deadline,
                "{}'s mirror never converged: {} of {}, missing {missing:?}, extra {extra:?}, mark {}",
                agents[i],
                local.len(),
                server.len(),
                store.mirror_mark("message").expect("mark")
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    for c in &mut children {
        let _ = c.kill();
        let _ = c.wait();
    }
    assert!(
        holders.len() >= 2,
        "the lock really moved between desks: {holders:?}"
    );
}

/// With auto-assignment on, waiting customers go round robin to agents online and under
/// capacity, oldest first; an agent away or at capacity gets none; the rest keep waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn auto_assignment_is_round_robin_over_agents_online_under_capacity() {
    let f = team_fixture(&["ann", "bob", "cat"]).await;
    let admin = f.cluster.admin_url(DB);
    for a in ["ann", "bob", "cat"] {
        kefu_core::team::add_agent(&admin, a, &Secret::new(password(a)), 1)
            .await
            .expect("capacity 1");
    }
    kefu_core::team::set_auto_assign(&admin, true)
        .await
        .expect("auto-assign on");
    let em = &f.emu.emulator;
    let mut ann = desk(&f, "ann");
    let bob = desk(&f, "bob");
    let cat = desk(&f, "cat");
    bob.team.heartbeat("online").await.expect("bob online");
    cat.team.heartbeat("away").await.expect("cat away");
    start(&mut ann); // ann polls and is online
    let store = ann.engine.store.clone();
    eventually(10, "ann's desk is up", move || {
        store.status(SystemClock.now()).is_ok_and(|s| !s.is_empty())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let customers: Vec<_> = (0..3).map(|i| new_customer(em, 300 + i)).collect();
    for c in &customers {
        say(em, c, "你好");
        em.state().advance_clock(1);
    }
    let store = ann.engine.store.clone();
    eventually(20, "the customers arrive", move || {
        store.sessions(SystemClock.now()).expect("sessions").len() == 3
    })
    .await;
    let owners = |s: &Store| -> Vec<Option<String>> {
        let sessions = s.sessions(SystemClock.now()).expect("sessions");
        customers
            .iter()
            .map(|c| {
                sessions
                    .iter()
                    .find(|x| x.external_userid == c.as_str())
                    .and_then(|x| x.claimed_by.clone())
            })
            .collect()
    };
    let assigned = owners(ann.store());
    let mut got: Vec<_> = assigned.iter().flatten().cloned().collect();
    got.sort();
    assert_eq!(
        got,
        vec!["ann".to_owned(), "bob".to_owned()],
        "ann and bob (online, capacity 1) get one each; cat is away: {assigned:?}"
    );
    assert_eq!(
        assigned.iter().filter(|o| o.is_none()).count(),
        1,
        "the third customer keeps waiting: everyone online is at capacity"
    );
    ann.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn colleagues_see_who_is_typing_and_who_is_away() {
    let f = team_fixture(&["ann", "bob"]).await;
    let ann = desk(&f, "ann");
    let bob = desk(&f, "bob");
    ann.team.set_typing(KF, "c1").await.expect("ann types");
    let seen = bob.team.typing(KF, "c1").await.expect("bob looks");
    assert_eq!(
        seen.iter().map(|t| t.agent.as_str()).collect::<Vec<_>>(),
        ["ann"]
    );
    assert!(
        ann.team
            .typing(KF, "c1")
            .await
            .expect("ann looks")
            .is_empty(),
        "one's own typing is not shown to oneself"
    );
    assert!(
        bob.team
            .typing(KF, "c2")
            .await
            .expect("other customer")
            .is_empty(),
        "typing is per customer"
    );

    bob.team.heartbeat("online").await.expect("bob online");
    ann.team.set_away(true).await.expect("ann away");
    assert_eq!(ann.team.presence(), "away");
    let presence = |agents: Vec<kefu_core::team::TeamAgent>, who: &str| {
        agents
            .into_iter()
            .find(|a| a.name == who)
            .map(|a| a.presence)
    };
    assert_eq!(
        presence(bob.team.agents().await.expect("agents"), "ann").as_deref(),
        Some("away")
    );
    ann.team.set_away(false).await.expect("ann back");
    assert_eq!(
        presence(bob.team.agents().await.expect("agents"), "ann").as_deref(),
        Some("online")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_team_report_and_every_mirror_agree_on_who_answered() {
    use kefu_core::report::{ReportQuery, compute};
    let f = team_fixture(&["ann", "bob"]).await;
    let em = &f.emu.emulator;
    let (c1, c2) = (new_customer(em, 21), new_customer(em, 22));
    say(em, &c1, "我要退货");
    say(em, &c2, "发票呢");
    let mut ann = desk(&f, "ann");
    let mut bob = desk(&f, "bob");
    start(&mut ann);
    start(&mut bob);
    for d in [&ann, &bob] {
        let store = d.engine.store.clone();
        eventually(20, "both customers wait", move || {
            store.waiting_count().expect("count") == 2
        })
        .await;
    }
    for (d, c, text) in [(&ann, &c1, "马上处理"), (&bob, &c2, "已开具")] {
        let c = c.to_string();
        let claimed = d
            .team
            .queue_action(d.store(), KF, &c, "claim", None)
            .await
            .expect("claim");
        assert!(matches!(claimed, QueueVerdict::Done(_)), "{claimed:?}");
        let row = d
            .engine
            .enqueue_text(KF, &c, text)
            .expect("enqueue")
            .expect("rules");
        let pushed = d.team.push_reply(d.store(), &row).await.expect("push");
        assert!(matches!(pushed, ReplyVerdict::Accepted(_)), "{pushed:?}");
    }
    let now = || SystemClock.now();
    let query = ReportQuery {
        since: now() - 3600,
        until: now() + 3600,
        agent: None,
        offset_secs: kefu_core::report::calendar::DEFAULT_OFFSET_SECS,
    };
    let team_report = || async {
        let input = ann.team.report_input(&query).await.expect("team rows");
        compute(input, &query, now())
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let from_team = loop {
        let r = team_report().await;
        if r.totals.messages_out == 2 {
            break r;
        }
        assert!(Instant::now() < deadline, "both replies delivered: {r:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let t = &from_team.totals;
    assert_eq!((t.sessions, t.answered, t.messages_in), (2, 2, 2));
    let agents: Vec<(&str, u64)> = from_team
        .by_agent
        .iter()
        .map(|a| (a.actor.name.as_str(), a.figures.sessions))
        .collect();
    assert_eq!(agents, [("ann", 1), ("bob", 1)]);
    // Each desktop's mirror gives the same report, offline too.
    for d in [&ann, &bob] {
        let store = d.engine.store.clone();
        let q = query.clone();
        let expected = from_team.totals.clone();
        eventually(20, "the mirror has every delivered reply", move || {
            let input = store.report_input(&q, "unused").expect("local rows");
            compute(input, &q, SystemClock.now()).totals == expected
        })
        .await;
        let local = compute(
            d.store().report_input(&query, "unused").expect("rows"),
            &query,
            now(),
        );
        assert_eq!(local.by_agent, from_team.by_agent);
    }
    ann.stop().await;
    bob.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_is_honoured_and_the_server_certificate_verified() {
    use kefu_core::team::cluster::{ADMIN, ADMIN_PASSWORD};
    let dir = tempfile::tempdir().expect("temp dir");
    // A private CA and a server certificate it signs for 127.0.0.1, as a company would have.
    let file = |name: &str| dir.path().join(name);
    let (ca_cert, cert, key) = (file("ca.pem"), file("cert.pem"), file("key.pem"));
    std::fs::write(
        file("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .expect("extensions");
    let openssl = |args: &str| {
        let out = std::process::Command::new("openssl")
            .args(args.split_whitespace())
            .current_dir(dir.path())
            .output()
            .expect("openssl runs (apt install openssl)");
        assert!(out.status.success(), "openssl {args}: {out:?}");
    };
    openssl(
        "req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=kefu-test-ca -keyout ca.key -out ca.pem",
    );
    openssl("req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout key.pem -out server.csr");
    openssl(
        "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile ext.cnf -out cert.pem",
    );
    let (c, k) = (cert.clone(), key.clone());
    let cluster = tokio::task::spawn_blocking(move || Cluster::start_tls(&c, &k))
        .await
        .expect("cluster task")
        .expect("a TLS-only cluster starts");
    let url = |user: &str, pw: &str, params: &str| {
        format!(
            "postgres://{user}:{pw}@127.0.0.1:{}/postgres?{params}",
            cluster.port
        )
    };
    let ca = format!("sslrootcert={}", ca_cert.display());

    // libpq's verify-full with our CA: the owner migrates and adds an agent over TLS.
    let admin = url(ADMIN, ADMIN_PASSWORD, &format!("sslmode=verify-full&{ca}"));
    kefu_core::team::migrate(&admin)
        .await
        .expect("migrate over TLS");
    kefu_core::team::add_agent(&admin, "ann", &Secret::new("pw-ann"), 5)
        .await
        .expect("add agent over TLS");
    let team = |params: &str| {
        Team::new(
            &url("ann", "pw-ann", params),
            None,
            Arc::new(SystemClock),
            kefu_core::event::Events::default(),
        )
        .expect("team handle")
    };
    let verified = team(&format!("sslmode=require&{ca}"));
    let agents = verified.agents().await.expect("the desk works over TLS");
    assert_eq!(agents.len(), 1);
    assert!(verified.status().connected);

    // The server takes TLS only, so the call above was encrypted; sslmode=disable is honoured
    // (no TLS attempted) and the server's refusal is an error, not an outage.
    let plain = team("sslmode=disable")
        .agents()
        .await
        .expect_err("plain is rejected");
    assert!(!plain.is_connection(), "{plain}");

    // A certificate nobody vouches for is refused by the desk, even in `prefer`.
    for mode in ["sslmode=require", "sslmode=prefer"] {
        let unknown = team(mode)
            .agents()
            .await
            .expect_err("untrusted certificate");
        assert!(unknown.is_connection(), "{mode}: {unknown}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_survey_tap_after_the_end_keeps_the_session_ended_on_every_desk() {
    let f = team_fixture(&["ann", "bob"]).await;
    let em = &f.emu.emulator;
    let customer = new_customer(em, 7);
    say(em, &customer, "怎么退货");
    let mut poller = desk(&f, "ann");
    start(&mut poller);
    let mut other = desk(&f, "bob");
    start(&mut other);
    let c = customer.to_string();
    let store = poller.engine.store.clone();
    eventually(20, "the customer waits", move || {
        store.waiting_count().expect("count") == 1
    })
    .await;
    for action in ["claim", "end"] {
        let verdict = poller
            .team
            .queue_action(poller.store(), KF, &c, action, None)
            .await
            .expect("the team answers");
        assert!(
            matches!(verdict, QueueVerdict::Done(_)),
            "{action}: {verdict:?}"
        );
    }
    em.state()
        .customer_says(
            &kf(),
            &customer,
            Body::Text {
                text: Text {
                    content: "满意".into(),
                    menu_id: Some("kefu_csat_3".into()),
                },
            },
        )
        .expect("tap");
    let tap_then_question = |d: &Desk, question: bool| {
        let store = d.engine.store.clone();
        let c = c.clone();
        move || {
            let stored = kefu_core::store::Store::conversation_all(&store, KF, &c)
                .expect("conversation")
                .iter()
                .any(|m| {
                    m.text.as_deref()
                        == Some(if question {
                            "还有个问题"
                        } else {
                            "满意"
                        })
                });
            let state = store
                .sessions(SystemClock.now())
                .expect("sessions")
                .into_iter()
                .find(|s| s.external_userid == c)
                .map(|s| s.local_state);
            stored && state.as_deref() == Some(if question { "waiting" } else { "ended" })
        }
    };
    for d in [&poller, &other] {
        eventually(
            20,
            "the tap is stored and the session stays ended",
            tap_then_question(d, false),
        )
        .await;
    }
    // A real message after it still brings the customer back to the queue.
    say(em, &customer, "还有个问题");
    for d in [&poller, &other] {
        eventually(
            20,
            "a question reopens the session",
            tap_then_question(d, true),
        )
        .await;
    }
    other.stop().await;
    poller.stop().await;
}
