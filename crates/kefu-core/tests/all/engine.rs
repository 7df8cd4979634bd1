//! Sync, queue and outbox rules through the engine.

use super::*;
use kefu_core::store::ReplyRefused;
use kefu_emulator::fault::{Chaos, Fault, FaultRule};

/// A new customer who wrote `text`, synced into the store (so waiting in the queue).
async fn waiting_customer(f: &Fixture, seed: u64, text: &str) -> kefu_wechat::ExternalUserId {
    let em = &f.emu.emulator;
    let customer =
        kefu_emulator::sim::new_customer(em, &mut kefu_emulator::rng::Rng::new(seed), None);
    say(em, &customer, text);
    f.engine.sync_account(&kf()).await.expect("sync");
    customer
}

#[tokio::test]
async fn sync_stores_exactly_the_servers_items_and_derives_sessions() {
    let f = fixture(1, None).await;
    let em = &f.emu.emulator;
    kefu_emulator::sim::bulk(em, &kf(), 2500, 40, 3600, 1);
    let now = em.state().now();
    em.state().append_raw(&kf(), serde_json::json!({"msgid": "future1", "msgtype": "hologram", "send_time": now, "origin": 3, "open_kfid": KF}));
    let mut events = f.engine.events.subscribe();
    let accounts = f.engine.accounts(&[]).await.expect("accounts");
    assert_eq!(accounts.len(), 2, "every account from kf/account/list");
    for k in &accounts {
        f.engine.sync_account(k).await.expect("sync");
    }
    assert_eq!(
        stored_msgids(&f.engine.store, &kf()),
        server_msgids(em, &kf()),
        "the store holds exactly the server's items"
    );
    let again = f.engine.sync_account(&kf()).await.expect("sync again");
    assert_eq!(
        again.stored, 0,
        "a second round from the stored cursor finds nothing new"
    );
    let sessions = f
        .engine
        .store
        .sessions(f.engine.clock.now())
        .expect("sessions");
    assert_eq!(sessions.len(), 40);
    assert!(
        sessions
            .iter()
            .all(|s| s.local_state == "waiting" && s.replies_left == 5),
        "customers who wrote wait in the queue"
    );
    let status = f.engine.store.status(f.engine.clock.now()).expect("status");
    assert!(
        status
            .iter()
            .any(|s| s.open_kfid == KF && s.last_success_at.is_some() && s.messages == 2541)
    );
    let first = events.try_recv().expect("an event for the first page");
    assert!(
        matches!(&first, kefu_core::event::DomainEvent::MessagesStored { history: true, customers, .. } if !customers.is_empty()),
        "the first import is announced as history, with the customers it touched: {first:?}"
    );
    assert!(!again.history, "later rounds are live traffic");
    let customer =
        kefu_emulator::sim::new_customer(em, &mut kefu_emulator::rng::Rng::new(77), None);
    say(em, &customer, "新消息");
    while events.try_recv().is_ok() {}
    f.engine.sync_account(&kf()).await.expect("sync live");
    let live = events.try_recv().expect("an event for the live page");
    assert_eq!(
        live,
        kefu_core::event::DomainEvent::MessagesStored {
            open_kfid: KF.into(),
            customers: vec![customer.to_string()],
            history: false
        },
        "live messages are announced by customer id, not as history"
    );
}

#[tokio::test]
async fn a_run_with_a_third_of_calls_failing_ends_with_the_same_store() {
    let f = fixture(2, None).await;
    let em = &f.emu.emulator;
    kefu_emulator::sim::bulk(em, &kf(), 6000, 60, 3600, 2);
    let late = kefu_emulator::sim::new_customer(em, &mut kefu_emulator::rng::Rng::new(1), None);
    say(em, &late, "x");
    em.faults().set_chaos(Some(Chaos {
        rate: 0.33,
        seed: 9,
    }));
    let mut engine = f.engine.clone();
    engine.max_retries = 200;
    // Pages of 1000 with chaos: a single round must converge despite errors, 5xx, delays,
    // dropped connections, repeated items and empty pages with has_more.
    let report = engine.sync_account(&kf()).await.expect("sync converges");
    assert!(
        em.faults().applied > 0 && report.retries > 0,
        "the run really was faulty ({} faults)",
        em.faults().applied
    );
    assert_eq!(
        stored_msgids(&engine.store, &kf()),
        server_msgids(em, &kf()),
        "a faulty run ends with the same store as a clean one"
    );
}

#[tokio::test]
async fn replies_follow_the_rules_before_any_call() {
    let clock = Arc::new(ManualClock::new(0));
    let f = fixture(3, Some(clock.clone())).await;
    let em = &f.emu.emulator;
    clock.advance(em.state().now());
    let customer = kefu_emulator::sim::new_customer(em, &mut kefu_emulator::rng::Rng::new(3), None);
    em.state()
        .customer_enter(&kf(), &customer, None)
        .expect("enter");
    say(em, &customer, "在吗");
    f.engine.sync_account(&kf()).await.expect("sync");

    for i in 0..5 {
        f.engine
            .enqueue_text(KF, customer.as_str(), &format!("回复{i}"))
            .expect("store")
            .expect("within quota");
    }
    let sent_before = em.state().sent.len();
    let refused = f
        .engine
        .enqueue_text(KF, customer.as_str(), "第六条")
        .expect("store");
    assert_eq!(
        refused.map(|_| ()),
        Err(ReplyRefused::QuotaUsed),
        "the 6th reply is refused locally"
    );
    let flushed = f.engine.flush_outbox().await.expect("flush");
    assert_eq!(flushed.sent, 5);
    assert_eq!(
        em.state().sent.len(),
        sent_before + 5,
        "the refused reply never reached the API"
    );

    say(em, &customer, "还有个问题");
    f.engine.sync_account(&kf()).await.expect("sync");
    f.engine
        .enqueue_text(KF, customer.as_str(), "请说")
        .expect("store")
        .expect("a customer message resets the quota");
    clock.advance(48 * 3600 + 60);
    let late = f
        .engine
        .enqueue_text(KF, customer.as_str(), "晚了")
        .expect("store");
    assert_eq!(
        late.map(|_| ()),
        Err(ReplyRefused::WindowClosed),
        "48 h after the customer's last message"
    );

    let other = kefu_emulator::sim::new_customer(em, &mut kefu_emulator::rng::Rng::new(4), None);
    say(em, &other, "人工");
    em.state()
        .servicer_takes(&kf(), &other, &"zhangsan".into())
        .expect("take");
    f.engine.sync_account(&kf()).await.expect("sync");
    clock.advance(-(48 * 3600 + 60));
    let wecom = f
        .engine
        .enqueue_text(KF, other.as_str(), "x")
        .expect("store");
    assert_eq!(
        wecom.map(|_| ()),
        Err(ReplyRefused::InWecom),
        "a session a colleague took in WeCom is read-only here"
    );
}

#[tokio::test]
async fn replies_wait_offline_and_go_out_once_with_the_same_msgid() {
    let f = fixture(4, None).await;
    let em = &f.emu.emulator;
    let customer = waiting_customer(&f, 5, "你好").await;
    let row = f
        .engine
        .enqueue_text(KF, customer.as_str(), "收到")
        .expect("store")
        .expect("allowed");

    em.faults().add(FaultRule {
        endpoint: "kf/send_msg".into(),
        count: 1000,
        fault: Fault::Drop,
    });
    let mut offline = f.engine.clone();
    offline.max_retries = 3;
    let report = offline.flush_outbox().await.expect("flush");
    assert_eq!(
        report.pending, 1,
        "while the network fails the reply stays queued"
    );
    assert_eq!(
        f.engine
            .store
            .reply(&row.msgid)
            .expect("row")
            .expect("stored")
            .state,
        "queued"
    );

    em.faults().clear();
    let report = f.engine.flush_outbox().await.expect("flush");
    assert_eq!(report.sent, 1);
    let sent: Vec<_> = em.state().sent.iter().map(|s| s.msgid.clone()).collect();
    assert_eq!(
        sent,
        vec![row.msgid.clone()],
        "the emulator received the msgid exactly once"
    );
}

#[tokio::test]
async fn a_send_that_reached_wechat_before_a_crash_counts_as_sent() {
    let f = fixture(5, None).await;
    let em = &f.emu.emulator;
    let customer = waiting_customer(&f, 6, "你好").await;
    let row = f
        .engine
        .enqueue_text(KF, customer.as_str(), "收到")
        .expect("store")
        .expect("allowed");
    // The app sent it, WeChat accepted it, and the app died before recording that.
    f.engine.store.begin_attempt(&row.msgid).expect("attempt");
    let request = kefu_wechat::api::SendMsgRequest {
        touser: customer.clone(),
        open_kfid: kf(),
        msgid: Some(row.msgid.as_str().into()),
        content: kefu_wechat::send::Content::text("收到"),
    };
    f.engine
        .client
        .send_msg(&request)
        .await
        .expect("first send accepted");
    let report = f.engine.flush_outbox().await.expect("flush after restart");
    assert_eq!(
        (report.sent, report.failed),
        (1, 0),
        "duplicate msgid after a possible send means sent"
    );
    assert_eq!(
        em.state()
            .sent
            .iter()
            .filter(|s| s.msgid == row.msgid)
            .count(),
        1,
        "never delivered twice"
    );
}

#[tokio::test]
async fn permanent_rejections_and_late_failures_mark_the_reply_failed() {
    let f = fixture(6, None).await;
    let em = &f.emu.emulator;
    let customer = waiting_customer(&f, 7, "你好").await;
    let rejected = f
        .engine
        .enqueue_text(KF, customer.as_str(), "一")
        .expect("store")
        .expect("allowed");
    em.faults().add(FaultRule {
        endpoint: "kf/send_msg".into(),
        count: 1,
        fault: Fault::Errcode(95018),
    });
    assert_eq!(f.engine.flush_outbox().await.expect("flush").failed, 1);
    let row = f
        .engine
        .store
        .reply(&rejected.msgid)
        .expect("row")
        .expect("stored");
    assert_eq!(row.state, "failed");
    assert!(
        row.last_error
            .as_deref()
            .is_some_and(|e| e.contains("95018")),
        "the reason is kept: {:?}",
        row.last_error
    );

    let later = f
        .engine
        .enqueue_text(KF, customer.as_str(), "二")
        .expect("store")
        .expect("allowed");
    em.state().fail_next_deliveries.push(10);
    assert_eq!(f.engine.flush_outbox().await.expect("flush").sent, 1);
    em.state().advance_clock(2);
    f.engine.sync_account(&kf()).await.expect("sync");
    let row = f
        .engine
        .store
        .reply(&later.msgid)
        .expect("row")
        .expect("stored");
    assert_eq!(
        row.state, "failed",
        "msg_send_fail marks the reply failed by fail_msgid"
    );
    assert!(
        row.last_error
            .as_deref()
            .is_some_and(|e| e.contains("rejects")),
        "{:?}",
        row.last_error
    );
}

#[tokio::test]
async fn media_is_downloaded_on_arrival_under_names_the_app_chooses() {
    let f = fixture(7, None).await;
    let em = &f.emu.emulator;
    let customer = kefu_emulator::sim::new_customer(em, &mut kefu_emulator::rng::Rng::new(8), None);
    let bytes: Vec<u8> = (0..50_000u32).map(|i| (i % 241) as u8).collect();
    // A hostile file name must never become a path.
    let (media_id, _) = em
        .state()
        .media_upload(
            Some("file"),
            "../../etc/passwd".into(),
            "application/pdf".into(),
            bytes.clone().into(),
        )
        .expect("upload");
    let file_msgid = em
        .state()
        .customer_says(
            &kf(),
            &customer,
            Body::File {
                file: kefu_wechat::message::Media { media_id },
            },
        )
        .expect("say");
    let gone_msgid = em
        .state()
        .customer_says(
            &kf(),
            &customer,
            Body::Image {
                image: kefu_wechat::message::Media {
                    media_id: "expired-id".into(),
                },
            },
        )
        .expect("say");
    f.engine.sync_account(&kf()).await.expect("sync");

    em.faults().add(FaultRule {
        endpoint: "media/get".into(),
        count: 1,
        fault: Fault::Http(503),
    });
    let first = kefu_core::media::download_pending(&f.engine, f.dir.path())
        .await
        .expect("download");
    assert_eq!(
        (first.stored + first.retry, first.failed),
        (1, 1),
        "a 503 is retried later; an unknown id fails for good: {first:?}"
    );
    let second = kefu_core::media::download_pending(&f.engine, f.dir.path())
        .await
        .expect("download");
    assert_eq!(first.stored + second.stored, 1);

    let stored = f
        .engine
        .store
        .media_of(&file_msgid)
        .expect("sql")
        .expect("row");
    assert_eq!(stored.state, "stored");
    let path = stored.path.expect("path");
    assert!(
        path.starts_with("media/") && path.ends_with(".pdf") && !path.contains(".."),
        "app-chosen name: {path}"
    );
    assert_eq!(
        std::fs::read(f.dir.path().join(&path)).expect("file"),
        bytes,
        "the file holds the customer's bytes"
    );
    assert!(
        !f.dir.path().join("etc").exists() && !std::path::Path::new("/etc/passwd.pdf").exists()
    );
    let gone = f
        .engine
        .store
        .media_of(&gone_msgid)
        .expect("sql")
        .expect("row");
    assert_eq!(gone.state, "failed");
    assert!(
        gone.last_error.is_some_and(|e| e.contains("40007")),
        "the reason is visible"
    );
}

#[tokio::test]
async fn welcome_goes_out_through_send_msg_on_event_within_20_seconds() {
    let clock = Arc::new(ManualClock::new(0));
    let f = fixture(8, Some(clock.clone())).await;
    let em = &f.emu.emulator;
    clock.advance(em.state().now());
    let engine = f.engine.clone();
    engine.set_welcome(Some("您好，欢迎咨询！".into()));
    engine
        .sync_account(&kf())
        .await
        .expect("first import (history: no welcomes)");

    let fresh = kefu_emulator::sim::new_customer(em, &mut kefu_emulator::rng::Rng::new(20), None);
    em.state()
        .customer_enter(&kf(), &fresh, None)
        .expect("enter")
        .expect("code");
    engine.sync_account(&kf()).await.expect("sync");
    let sent: Vec<_> = em
        .state()
        .sent
        .iter()
        .map(|s| (s.via, s.touser.clone()))
        .collect();
    assert_eq!(
        sent,
        vec![("kf/send_msg_on_event", fresh.clone())],
        "the welcome used the enter_session code"
    );
    let conversation = engine.store.messages(fresh.as_str(), 10).expect("messages");
    let welcome_msgid = em.state().sent[0].msgid.clone();
    let welcome = conversation.iter().find(|m| m.msgid == welcome_msgid);
    assert_eq!(
        welcome.and_then(|m| m.delivery.clone()).as_deref(),
        Some("sent"),
        "the welcome shows in the conversation: {conversation:?}"
    );

    // A code older than 20 s is not even tried.
    let late = kefu_emulator::sim::new_customer(em, &mut kefu_emulator::rng::Rng::new(21), None);
    em.state()
        .customer_enter(&kf(), &late, None)
        .expect("enter")
        .expect("code");
    clock.advance(30);
    engine.sync_account(&kf()).await.expect("sync");
    assert_eq!(
        em.state().sent.len(),
        1,
        "no call with an expired welcome code"
    );
}

#[tokio::test]
async fn outside_business_hours_the_away_text_takes_the_welcomes_place() {
    let clock = Arc::new(ManualClock::new(0));
    let f = fixture(9, Some(clock.clone())).await;
    let em = &f.emu.emulator;
    clock.advance(em.state().now());
    let engine = f.engine.clone();
    engine.set_welcome(Some("您好，欢迎咨询！".into()));
    engine.sync_account(&kf()).await.expect("first import");
    let now = clock.now();
    // Open only in a one-minute slot twelve hours from now: closed at the moment.
    let minute = ((now + 12 * 3600).rem_euclid(86_400) / 60) as u32;
    let closed = kefu_core::hours::BusinessHours {
        enabled: true,
        days: (1..=7).collect(),
        open_minute: minute,
        close_minute: minute + 1,
        offset_minutes: 0,
        away_text: "现在是非工作时间，我们上班后会第一时间回复您".into(),
    };
    assert!(!closed.is_open(now));
    engine.set_hours(kefu_core::hours::Hours {
        desk: closed.clone(),
        ..Default::default()
    });
    let night = kefu_emulator::sim::new_customer(em, &mut kefu_emulator::rng::Rng::new(22), None);
    em.state()
        .customer_enter(&kf(), &night, None)
        .expect("enter")
        .expect("code");
    engine.sync_account(&kf()).await.expect("sync");

    // The same hours, open now: the welcome as usual.
    let open = kefu_core::hours::BusinessHours {
        open_minute: 0,
        close_minute: 1440,
        ..closed
    };
    engine.set_hours(kefu_core::hours::Hours {
        desk: open,
        ..Default::default()
    });
    let day = kefu_emulator::sim::new_customer(em, &mut kefu_emulator::rng::Rng::new(23), None);
    em.state()
        .customer_enter(&kf(), &day, None)
        .expect("enter")
        .expect("code");
    engine.sync_account(&kf()).await.expect("sync");

    let sent: Vec<(String, String)> = em
        .state()
        .sent
        .iter()
        .map(|s| {
            let json = serde_json::to_value(&s.content).expect("json");
            (
                s.touser.as_str().to_owned(),
                json["text"]["content"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(
        sent,
        [
            (
                night.as_str().to_owned(),
                "现在是非工作时间，我们上班后会第一时间回复您".to_owned()
            ),
            (day.as_str().to_owned(), "您好，欢迎咨询！".to_owned()),
        ]
    );
}

#[tokio::test]
async fn the_worker_polls_wakes_on_sync_now_and_stops() {
    let f = fixture(9, None).await;
    let em = &f.emu.emulator;
    let (handle, task) = kefu_core::worker::spawn(
        f.engine.clone(),
        vec!["wkRevokedAccount".into(), KF.into()],
        f.dir.path().to_owned(),
    );
    let customer =
        kefu_emulator::sim::new_customer(em, &mut kefu_emulator::rng::Rng::new(30), None);
    say(em, &customer, "有人吗");
    let mut events = f.engine.events.subscribe();
    assert!(
        handle.send(kefu_core::worker::Command::SyncNow).await,
        "the worker takes commands"
    );
    let stored = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if let Ok(kefu_core::event::DomainEvent::MessagesStored { customers, .. }) =
                events.recv().await
                && customers.contains(&customer.to_string())
            {
                return;
            }
        }
    })
    .await;
    assert!(
        stored.is_ok(),
        "a message arrives in the store within seconds of being sent"
    );
    let status = f.engine.store.status(f.engine.clock.now()).expect("status");
    assert!(
        status.iter().all(|s| !s.history_at_risk),
        "a fresh sync is no risk"
    );
    let two_days_later = f.engine.clock.now() + kefu_core::store::HISTORY_RISK_SECS + 1;
    assert!(
        f.engine
            .store
            .status(two_days_later)
            .expect("status")
            .iter()
            .any(|s| s.history_at_risk),
        "two days without a successful sync put history at risk"
    );
    assert!(handle.send(kefu_core::worker::Command::Stop).await);
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .expect("the worker stops")
        .expect("no panic");
}

#[tokio::test]
async fn image_and_file_replies_are_uploaded_then_sent() {
    let f = fixture(10, None).await;
    let em = &f.emu.emulator;
    let customer = waiting_customer(&f, 40, "发一下发票").await;
    let source = tempfile::tempdir().expect("temp dir");
    let pdf = source.path().join("发票-2024.pdf");
    let png = source.path().join("label.png");
    std::fs::write(&pdf, b"%PDF-1.4 invoice bytes").expect("write");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n fake image").expect("write");
    let file_row = f
        .engine
        .enqueue_file(
            KF,
            customer.as_str(),
            &pdf,
            kefu_wechat::api::MediaType::File,
        )
        .expect("io")
        .expect("allowed");
    let image_row = f
        .engine
        .enqueue_file(
            KF,
            customer.as_str(),
            &png,
            kefu_wechat::api::MediaType::Image,
        )
        .expect("io")
        .expect("allowed");
    std::fs::remove_file(&pdf).expect("the original may go away; the reply keeps its copy");
    em.faults().add(FaultRule {
        endpoint: "media/upload".into(),
        count: 1,
        fault: Fault::Http(502),
    });
    let first = f.engine.flush_outbox().await.expect("flush");
    assert_eq!(first.pending, 1, "a failed upload leaves the reply queued");
    let report = f.engine.flush_outbox().await.expect("flush");
    assert_eq!(report.sent, 2);
    let st = em.state();
    let sent: Vec<_> = st
        .sent
        .iter()
        .map(|s| (s.msgid.clone(), s.content.clone()))
        .collect();
    assert_eq!(sent.len(), 2);
    for (msgid, content) in sent {
        let (media_id, want_name, want_bytes): (&str, &str, &[u8]) = match &content {
            kefu_wechat::send::Content::File { file } if msgid == file_row.msgid => {
                (&file.media_id, "发票-2024.pdf", b"%PDF-1.4 invoice bytes")
            }
            kefu_wechat::send::Content::Image { image } if msgid == image_row.msgid => (
                &image.media_id,
                "label.png",
                b"\x89PNG\r\n\x1a\n fake image",
            ),
            other => panic!("unexpected send {msgid} {other:?}"),
        };
        let media = st.media_item(media_id).expect("uploaded before sending");
        assert_eq!(
            media.filename, want_name,
            "the customer sees the file's own name"
        );
        assert_eq!(&media.bytes[..], want_bytes);
    }
}
