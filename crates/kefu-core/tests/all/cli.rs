//! The `kefu` binary against the emulator, including crash safety: SIGKILL at random moments.

use super::*;
use std::process::{Command, Stdio};

fn kefu(base_url: &str, data_dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kefu"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("KEFU_API_BASE", base_url)
        .env("KEFU_CORP_ID", DEFAULT_CORP_ID)
        .env("KEFU_SECRET", DEFAULT_SECRET)
        .env("KEFU_DATA_DIR", data_dir)
        .env("KEFU_OPEN_KFIDS", KF);
    c
}

async fn output(mut c: Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || c.output().expect("kefu runs"))
        .await
        .expect("join")
}

fn json(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "kefu failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

#[tokio::test]
async fn sync_sessions_messages_reply_and_search_from_the_command_line() {
    let emu = emulator(11).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let em = &emu.emulator;
    let customer = kefu_emulator::sim::new_customer(em, &mut kefu_emulator::rng::Rng::new(1), None);
    em.state()
        .customer_enter(&kf(), &customer, None)
        .expect("enter");
    em.state()
        .customer_says(
            &kf(),
            &customer,
            kefu_wechat::message::Body::Text {
                text: kefu_wechat::message::Text {
                    content: "我的快递单号 SF1234567890 查不到".into(),
                    menu_id: None,
                },
            },
        )
        .expect("say");

    let mut sync = kefu(&emu.base_url, dir.path());
    sync.args(["sync", "--once", "--json"]);
    let report = json(&output(sync).await);
    assert_eq!(
        report["accounts"][KF]["stored"], 2,
        "enter_session and the text: {report}"
    );

    let mut sessions = kefu(&emu.base_url, dir.path());
    sessions.args(["sessions", "--json"]);
    let sessions = json(&output(sessions).await);
    assert_eq!(sessions[0]["external_userid"], customer.as_str());
    assert_eq!(sessions[0]["local_state"], "waiting");
    assert_eq!(sessions[0]["replies_left"], 5);
    let nickname = em.state().customers[&customer].profile.nickname.clone();
    assert_eq!(
        sessions[0]["nickname"],
        nickname.as_str(),
        "profiles come from kf/customer/batchget"
    );

    let mut reply = kefu(&emu.base_url, dir.path());
    reply.args([
        "reply",
        "--json",
        "--customer",
        customer.as_str(),
        "您好，马上为您查询",
    ]);
    let sent = json(&output(reply).await);
    assert_eq!(sent["state"], "sent");
    assert_eq!(
        em.state().sent.last().map(|s| s.msgid.clone()),
        sent["msgid"].as_str().map(str::to_owned),
        "the emulator got our msgid"
    );

    let mut messages = kefu(&emu.base_url, dir.path());
    messages.args(["messages", "--json", "--customer", customer.as_str()]);
    let messages = json(&output(messages).await);
    let list = messages.as_array().expect("array");
    assert_eq!(
        list.len(),
        3,
        "enter_session, the customer's text and our reply: {messages}"
    );
    assert_eq!(list[1]["origin"], 3);
    assert_eq!(list[1]["msgtype"], "text");
    assert_eq!(
        list[2]["delivery"], "sent",
        "our reply is in the conversation with its delivery state"
    );

    let mut search = kefu(&emu.base_url, dir.path());
    search.args(["search", "--json", "4567"]);
    let page = json(&output(search).await);
    let hits = page["hits"].as_array().expect("hits");
    assert_eq!(hits.len(), 1, "a digit fragment finds the message: {page}");
    assert!(
        hits[0]["snippet"]
            .as_array()
            .expect("snippet")
            .iter()
            .any(|s| s["hit"] == true && s["text"] == "4567"),
        "the match is highlighted: {page}"
    );
    assert!(page["next_before"].is_null(), "one page holds it all");

    for (args, want) in [
        (vec!["claim"], "mine"),
        (vec!["release"], "waiting"),
        (vec!["claim"], "mine"),
        (vec!["end"], "ended"),
    ] {
        let mut c = kefu(&emu.base_url, dir.path());
        c.args(args.iter().copied()).args([
            "--json",
            "--customer",
            customer.as_str(),
            "--agent",
            "ann",
        ]);
        assert_eq!(json(&output(c).await)["local_state"], want, "{args:?}");
    }
    assert_eq!(
        em.state()
            .service_state_get(&kf(), &customer)
            .expect("state")
            .0,
        4,
        "ending here ends the API-owned session on WeChat too"
    );

    let mut refused = kefu(&emu.base_url, dir.path());
    refused.args(["reply", "--customer", "wmNobody", "--account", KF, "x"]);
    let out = output(refused).await;
    assert!(!out.status.success(), "a refused reply exits non-zero");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no conversation"),
        "the reason goes to stderr"
    );

    // The report of the last day: one session, answered by "me" (KEFU_AGENT's default), and
    // ended here.
    let now = SystemClock.now();
    let (since, until) = ((now - 86_400).to_string(), (now + 60).to_string());
    let mut report = kefu(&emu.base_url, dir.path());
    report.args(["report", "--since", &since, "--until", &until, "--json"]);
    let report = json(&output(report).await);
    let totals = &report["totals"];
    assert_eq!(totals["sessions"], 1, "{report}");
    assert_eq!(totals["answered"], 1, "{report}");
    assert_eq!(totals["ended_here"], 1, "{report}");
    assert_eq!(
        totals["messages_in"], 1,
        "the text (events are not messages): {report}"
    );
    assert_eq!(totals["messages_out"], 1, "{report}");
    assert_eq!(totals["first_response"]["count"], 1, "{report}");
    assert_eq!(report["by_agent"][0]["name"], "me", "{report}");
    assert_eq!(report["by_agent"][0]["wecom"], false, "{report}");
    let mut csv = kefu(&emu.base_url, dir.path());
    csv.args(["report", "--since", &since, "--until", &until, "--csv"]);
    let csv = output(csv).await;
    let csv = String::from_utf8_lossy(&csv.stdout);
    assert!(csv.starts_with("scope,name,wecom,sessions,"), "{csv}");
    assert!(csv.contains("\nagent,me,0,1,1,"), "{csv}");
    let mut bad = kefu(&emu.base_url, dir.path());
    bad.args(["report", "--since", "2026-02-30", "--until", "2026-03-01"]);
    let out = output(bad).await;
    assert!(!out.status.success(), "an impossible date is refused");
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"));
}

/// SIGKILL `kefu sync --once` at random moments while the emulator serves ≥ 20,000 messages,
/// restarting each time: the store ends with exactly the server's items, none missing, none
/// twice.
#[tokio::test]
async fn sync_survives_sigkill_at_random_moments() {
    let emu = emulator(12).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let em = &emu.emulator;
    kefu_emulator::sim::bulk(em, &kf(), 20_000, 300, 2 * 24 * 3600, 12);
    // Small delays make the kill land inside a page's fetch or store, not only between runs.
    em.faults().set_chaos(Some(kefu_emulator::fault::Chaos {
        rate: 0.2,
        seed: 12,
    }));
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut kills = 0;
    for _ in 0..12 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let after = Duration::from_millis(30 + seed % 400);
        let mut c = kefu(&emu.base_url, dir.path());
        c.args(["sync", "--once"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = c.spawn().expect("spawn kefu");
        tokio::time::sleep(after).await;
        if child.try_wait().expect("wait").is_none() {
            child.kill().expect("SIGKILL");
            kills += 1;
        }
        let _ = child.wait();
    }
    em.faults().clear();
    let mut finish = kefu(&emu.base_url, dir.path());
    finish.args(["sync", "--once", "--json"]);
    json(&output(finish).await);
    assert!(
        kills >= 6,
        "the test must really interrupt syncs (killed {kills})"
    );
    let store = Store::open_in(dir.path()).expect("store");
    assert_eq!(
        stored_msgids(&store, &kf()),
        server_msgids(em, &kf()),
        "after the kills the store holds exactly the server's items"
    );
}

/// Kill between send and commit: the emulator receives each msgid once and every reply ends sent.
#[tokio::test]
async fn outbox_survives_sigkill_between_send_and_commit() {
    let emu = emulator(13).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let em = &emu.emulator;
    let customers: Vec<_> = (0..30)
        .map(|i| {
            kefu_emulator::sim::new_customer(em, &mut kefu_emulator::rng::Rng::new(100 + i), None)
        })
        .collect();
    for c in &customers {
        em.state()
            .customer_says(
                &kf(),
                c,
                kefu_wechat::message::Body::Text {
                    text: kefu_wechat::message::Text {
                        content: "在吗".into(),
                        menu_id: None,
                    },
                },
            )
            .expect("say");
    }
    let store = Arc::new(Store::open_in(dir.path()).expect("store"));
    let engine = engine_for(&emu.base_url, store.clone(), Arc::new(SystemClock));
    engine.sync_account(&kf()).await.expect("sync");
    let mut msgids = Vec::new();
    for c in &customers {
        for n in 0..3 {
            msgids.push(
                engine
                    .enqueue_text(KF, c.as_str(), &format!("回复 {n}"))
                    .expect("store")
                    .expect("allowed")
                    .msgid,
            );
        }
    }
    drop(engine);
    drop(store);
    // Every send is slow, so kills land between WeChat accepting and the store recording it.
    em.faults().add(kefu_emulator::fault::FaultRule {
        endpoint: "kf/send_msg".into(),
        count: 10_000,
        fault: kefu_emulator::fault::Fault::DelayMs(15),
    });
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..10 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut c = kefu(&emu.base_url, dir.path());
        c.args(["sync", "--once"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = c.spawn().expect("spawn kefu");
        tokio::time::sleep(Duration::from_millis(40 + seed % 200)).await;
        let _ = child.kill();
        let _ = child.wait();
    }
    em.faults().clear();
    let mut finish = kefu(&emu.base_url, dir.path());
    finish.args(["sync", "--once", "--json"]);
    json(&output(finish).await);
    let store = Store::open_in(dir.path()).expect("store");
    for m in &msgids {
        assert_eq!(
            store.reply(m).expect("row").expect("stored").state,
            "sent",
            "every reply ends sent"
        );
        assert_eq!(
            em.state().sent.iter().filter(|s| &s.msgid == m).count(),
            1,
            "the emulator received {m} exactly once"
        );
    }
}
