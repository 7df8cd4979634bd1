//! The notifier's policy against the emulator and a recording sink: who is alerted, when alerts
//! repeat, and what stops them.

use super::*;
use kefu_core::notify::{Alert, AlertKind, Notifier, Sink, SinkError};
use kefu_core::settings::NotificationSettings;
use kefu_core::store::QueueAction;
use kefu_wechat::message::{Body, Text};
use std::sync::Mutex;

#[derive(Default)]
struct Recording {
    shown: Mutex<Vec<(Alert, Option<u32>)>>,
    closed: Mutex<Vec<u32>>,
    broken: bool,
}

impl Sink for Recording {
    fn show(&self, alert: &Alert, replaces: Option<u32>) -> Result<u32, SinkError> {
        if self.broken {
            return Err(SinkError(
                "org.freedesktop.Notifications: no such name".into(),
            ));
        }
        let mut shown = self.shown.lock().expect("lock");
        shown.push((alert.clone(), replaces));
        Ok(replaces.unwrap_or(shown.len() as u32))
    }
    fn close(&self, id: u32) {
        self.closed.lock().expect("lock").push(id);
    }
    fn probe(&self) -> bool {
        !self.broken
    }
}

impl Recording {
    fn shown(&self) -> Vec<(Alert, Option<u32>)> {
        self.shown.lock().expect("lock").clone()
    }
}

fn say(f: &Fixture, customer: &kefu_wechat::ExternalUserId, text: &str) {
    f.emu
        .emulator
        .state()
        .customer_says(
            &kf(),
            customer,
            Body::Text {
                text: Text {
                    content: text.into(),
                    menu_id: None,
                },
            },
        )
        .expect("say");
}

/// A desk whose history is imported (one customer wrote before the notifier started), with
/// ann's notifier running against a recording sink and the service found.
async fn imported_desk_notifying(
    seed: u64,
    settings: NotificationSettings,
) -> (
    Fixture,
    Arc<Recording>,
    Notifier,
    tokio::task::JoinHandle<()>,
) {
    let f = fixture(seed, None).await;
    let old = kefu_emulator::sim::new_customer(
        &f.emu.emulator,
        &mut kefu_emulator::rng::Rng::new(1),
        None,
    );
    say(&f, &old, "昨天的消息");
    f.engine.sync_account(&kf()).await.expect("first import");
    let sink = Arc::new(Recording::default());
    let notifier = Notifier::new(f.engine.clone(), "ann", sink.clone(), settings, "zh-CN");
    let task = tokio::spawn(notifier.clone().run());
    eventually("the probe finds the service", || notifier.available()).await;
    (f, sink, notifier, task)
}

/// A new customer (`name`, if given) writes `text`; it is synced and waited for until the sink
/// has shown one more notification.
async fn customer_arrives(
    f: &Fixture,
    sink: &Recording,
    rng_seed: u64,
    name: Option<&str>,
    text: &str,
) -> kefu_wechat::ExternalUserId {
    let shown_before = sink.shown().len();
    let c = kefu_emulator::sim::new_customer(
        &f.emu.emulator,
        &mut kefu_emulator::rng::Rng::new(rng_seed),
        name.map(Into::into),
    );
    say(f, &c, text);
    f.engine.sync_account(&kf()).await.expect("sync");
    eventually("the customer is in the notification", || {
        sink.shown().len() > shown_before
    })
    .await;
    c
}

/// New customers named `names` arrive one after another (`第{i}位`).
async fn customers_arrive(
    f: &Fixture,
    sink: &Recording,
    rng_seed: u64,
    names: &[&str],
) -> Vec<kefu_wechat::ExternalUserId> {
    let mut customers = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let text = format!("第{i}位");
        customers.push(customer_arrives(f, sink, rng_seed + i as u64, Some(name), &text).await);
    }
    customers
}

async fn eventually(what: &str, check: impl Fn() -> bool) {
    for _ in 0..100 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{what}");
}

#[tokio::test]
async fn alerts_go_to_waiting_customers_and_my_sessions_repeat_until_acknowledged() {
    let settings = NotificationSettings {
        enabled: true,
        repeat_seconds: 1,
        sound: true,
        ..NotificationSettings::default()
    };
    let (f, sink, notifier, task) = imported_desk_notifying(61, settings).await;

    let customer = customer_arrives(&f, &sink, 2, Some("小<王>"), "快递到哪了 & 什么时候到").await;
    let (first, replaces) = sink.shown()[0].clone();
    assert_eq!(replaces, None);
    assert_eq!(
        (first.kind, first.summary.as_str()),
        (AlertKind::Waiting, "新客户等待中")
    );
    assert!(first.sound, "the sound preference travels with the alert");
    assert!(
        first.body.ends_with(": 快递到哪了 &amp; 什么时候到") && !first.body.contains('<'),
        "customer text is escaped for services that read markup: {}",
        first.body
    );
    assert_eq!(
        sink.shown().len(),
        1,
        "the first import's history never alerts"
    );

    eventually("an unacknowledged alert repeats in place", || {
        sink.shown().len() >= 2
    })
    .await;
    assert_eq!(
        sink.shown()[1].1,
        Some(1),
        "a repeat replaces the shown notification"
    );
    notifier.ack(KF, customer.as_str()).await;
    assert_eq!(sink.closed.lock().expect("lock").as_slice(), &[1]);
    let count = sink.shown().len();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        sink.shown().len(),
        count,
        "an acknowledged alert stops repeating"
    );

    // My session: alerts while the window is not focused, not while it is.
    f.engine
        .store
        .queue_action(
            KF,
            customer.as_str(),
            "ann",
            QueueAction::Claim,
            f.engine.clock.now(),
        )
        .expect("sql")
        .expect("claim");
    notifier.set_focused(true);
    say(&f, &customer, "在吗");
    f.engine.sync_account(&kf()).await.expect("sync");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        sink.shown().len(),
        count,
        "no alert while the agent looks at the window"
    );
    notifier.set_focused(false);
    say(&f, &customer, "人呢");
    f.engine.sync_account(&kf()).await.expect("sync");
    eventually(
        "a message in my session alerts when the window is not focused",
        || sink.shown().len() > count,
    )
    .await;
    let (alert, _) = sink.shown().last().cloned().expect("shown");
    assert_eq!(
        (alert.kind, alert.summary.as_str()),
        (AlertKind::Message, "新消息")
    );

    // Someone else's session: no alert.
    f.engine
        .store
        .queue_action(
            KF,
            customer.as_str(),
            "ann",
            QueueAction::Transfer { to: "bob" },
            f.engine.clock.now(),
        )
        .expect("sql")
        .expect("transfer");
    notifier.ack(KF, customer.as_str()).await;
    let count = sink.shown().len();
    say(&f, &customer, "还在吗");
    f.engine.sync_account(&kf()).await.expect("sync");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        sink.shown().len(),
        count,
        "a colleague's session does not alert me"
    );
    task.abort();
}

#[tokio::test]
async fn without_a_notification_service_the_notifier_says_so() {
    let f = fixture(62, None).await;
    f.engine.sync_account(&kf()).await.expect("first import");
    let mut events = f.engine.events.subscribe();
    let sink = Arc::new(Recording {
        broken: true,
        ..Recording::default()
    });
    let notifier = Notifier::new(
        f.engine.clone(),
        "ann",
        sink,
        NotificationSettings::default(),
        "en",
    );
    let task = tokio::spawn(notifier.clone().run());
    let event = tokio::time::timeout(Duration::from_secs(5), events.recv())
        .await
        .expect("an event in time")
        .expect("event");
    assert_eq!(
        event,
        kefu_core::event::DomainEvent::NotifierChanged { available: false },
        "the UI learns that only in-app alerts are left"
    );
    assert!(!notifier.available());
    let customer = kefu_emulator::sim::new_customer(
        &f.emu.emulator,
        &mut kefu_emulator::rng::Rng::new(3),
        None,
    );
    say(&f, &customer, "hello");
    f.engine
        .sync_account(&kf())
        .await
        .expect("sync goes on without notifications");
    eventually(
        "the alert is still tracked for the UI to acknowledge",
        || notifier.pending().len() == 1,
    )
    .await;
    task.abort();
}

#[tokio::test]
async fn many_waiting_customers_share_one_notification_updated_in_place() {
    let settings = NotificationSettings {
        enabled: true,
        repeat_seconds: 0,
        sound: true,
        ..NotificationSettings::default()
    };
    let (f, sink, notifier, task) = imported_desk_notifying(63, settings).await;
    let customers = customers_arrive(&f, &sink, 10, &["甲", "乙", "丙", "丁"]).await;
    let shown = sink.shown();
    assert_eq!(shown.len(), 4, "one show per arrival");
    assert_eq!(shown[0].1, None);
    assert!(
        shown[1..].iter().all(|(_, replaces)| *replaces == Some(1)),
        "every later arrival replaces the one notification on screen"
    );
    assert_eq!(
        shown[0].0.summary, "新客户等待中",
        "one customer shows as themself"
    );
    let (group, _) = shown.last().cloned().expect("shown");
    assert_eq!(group.summary, "4 位客户等待中");
    assert_eq!(
        group.body, "丁: 第3位\n丙: 第2位\n乙: 第1位\n…",
        "the newest few, newest first"
    );
    assert_eq!(
        group.external_userid,
        customers[3].as_str(),
        "clicking opens the newest arrival"
    );
    assert!(group.sound);

    notifier.ack(KF, customers[3].as_str()).await;
    let (smaller, replaces) = sink.shown().last().cloned().expect("shown");
    assert_eq!(replaces, Some(1));
    assert_eq!(smaller.summary, "3 位客户等待中");
    assert_eq!(smaller.external_userid, customers[2].as_str());
    assert!(!smaller.sound, "shrinking the group makes no sound");
    for c in &customers[..3] {
        notifier.ack(KF, c.as_str()).await;
    }
    assert_eq!(
        sink.closed.lock().expect("lock").as_slice(),
        &[1],
        "closed when the last is acknowledged"
    );
    assert!(notifier.pending().is_empty());
    task.abort();
}

#[tokio::test]
async fn customers_past_the_waiting_threshold_raise_one_sla_notification_until_handled() {
    let start = SystemClock.now();
    let clock = Arc::new(ManualClock::new(start));
    let f = fixture(64, Some(clock.clone())).await;
    let em = &f.emu.emulator;
    f.engine.sync_account(&kf()).await.expect("first import");
    let sink = Arc::new(Recording::default());
    let settings = NotificationSettings {
        enabled: true,
        repeat_seconds: 0,
        sound: true,
        sla_waiting_minutes: 5,
        sla_unanswered_minutes: 0,
        sla_window_hours: 0,
    };
    let notifier = Notifier::new(f.engine.clone(), "ann", sink.clone(), settings, "zh-CN");
    let sla_shown = || {
        sink.shown()
            .into_iter()
            .filter(|(a, _)| a.kind == AlertKind::Sla)
            .collect::<Vec<_>>()
    };

    let first = kefu_emulator::sim::new_customer(
        em,
        &mut kefu_emulator::rng::Rng::new(3),
        Some("甲".into()),
    );
    say(&f, &first, "在吗");
    f.engine.sync_account(&kf()).await.expect("sync");
    notifier.check_sla().await;
    assert!(sla_shown().is_empty(), "not yet past five minutes");

    clock.advance(6 * 60);
    notifier.check_sla().await;
    let shown = sla_shown();
    assert_eq!(shown.len(), 1);
    assert_eq!(
        (
            shown[0].0.summary.as_str(),
            shown[0].0.external_userid.as_str()
        ),
        ("客户等待超时", first.as_str())
    );
    assert!(
        shown[0].0.body.starts_with("甲: 已等待 6 分钟"),
        "{}",
        shown[0].0.body
    );
    notifier.check_sla().await;
    assert_eq!(
        sla_shown().len(),
        1,
        "one alert per wait, not one per check"
    );

    let second = kefu_emulator::sim::new_customer(
        em,
        &mut kefu_emulator::rng::Rng::new(4),
        Some("乙".into()),
    );
    say(&f, &second, "你好");
    f.engine.sync_account(&kf()).await.expect("sync");
    clock.advance(6 * 60);
    notifier.check_sla().await;
    let (group, replaces) = sla_shown().last().cloned().expect("shown");
    assert_eq!(group.summary, "2 位客户需要尽快处理");
    assert_eq!(
        replaces,
        Some(1),
        "the one SLA notification is replaced in place"
    );
    assert!(group.sound);

    // Claimed: no longer waiting, so it leaves the notification (silently).
    f.engine
        .store
        .queue_action(KF, first.as_str(), "ann", QueueAction::Claim, clock.now())
        .expect("claim")
        .expect("claimed");
    notifier.check_sla().await;
    let (smaller, _) = sla_shown().last().cloned().expect("shown");
    assert_eq!(
        (smaller.summary.as_str(), smaller.external_userid.as_str()),
        ("客户等待超时", second.as_str())
    );
    assert!(!smaller.sound, "shrinking makes no sound");

    // Opening the conversation acknowledges it: the notification closes.
    notifier.ack(KF, second.as_str()).await;
    assert_eq!(sink.closed.lock().expect("lock").len(), 1);
    notifier.check_sla().await;
    assert_eq!(
        sla_shown().len(),
        3,
        "an acknowledged wait does not alert again"
    );
}

#[tokio::test]
async fn a_customer_a_colleague_took_leaves_the_waiting_notification_without_repeats() {
    let settings = NotificationSettings {
        enabled: true,
        repeat_seconds: 0,
        ..NotificationSettings::default()
    };
    let (f, sink, notifier, task) = imported_desk_notifying(64, settings).await;
    let customers = customers_arrive(&f, &sink, 20, &["甲", "乙"]).await;
    assert_eq!(
        sink.shown().last().expect("shown").0.summary,
        "2 位客户等待中"
    );
    // A colleague takes 甲 at another desk: nothing here acknowledges it, and alerts do not repeat.
    let claimed = f
        .engine
        .store
        .queue_action(KF, customers[0].as_str(), "bob", QueueAction::Claim, 0)
        .expect("sql");
    assert_eq!(claimed, Ok("mine".into()));

    customer_arrives(&f, &sink, 30, Some("丙"), "第2位").await;
    let (group, _) = sink.shown().last().cloned().expect("shown");
    assert_eq!(
        group.summary, "2 位客户等待中",
        "乙 and 丙 wait; 甲 is a colleague's"
    );
    assert!(!group.body.contains("甲"), "{}", group.body);
    assert!(
        !notifier
            .pending()
            .iter()
            .any(|(_, who)| who == customers[0].as_str()),
        "nothing is kept for the customer a colleague took"
    );
    task.abort();
}
