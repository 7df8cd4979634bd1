//! The UI contract end to end: `dispatch()` against the engine, the worker and the emulator
//! over real HTTP, with a real SQLite file.

use base64::Engine as _;
use kefu_core::clock::SystemClock;
use kefu_core::engine::Engine;
use kefu_core::settings::{MemorySecretStore, SecretStore, SettingsFile};
use kefu_core::store::Store;
use kefu_emulator::{DEFAULT_CORP_ID, DEFAULT_SECRET, Emulator, StartOptions};
use kefu_ipc::{Context, ErrorCode, Mode, UiEvent, dispatch};
use kefu_wechat::message::{Body, Text};
use kefu_wechat::{Client, ClientConfig, OpenKfId, Secret};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

const KF: &str = "wkDemoAfterSales0000000000000001";

async fn until(ctx: &Context, cmd: &str, req: Value, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        let v = dispatch(ctx, cmd, req.clone())
            .await
            .expect("command succeeds");
        if done(&v) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{cmd} never reached the expected state");
}

/// An opener that records its one argument in `opened.log` beside it, as the desktop's
/// `xdg-open` would receive it.
fn recording_opener(dir: &std::path::Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let script = dir.join("opener.sh");
    let log = dir.join("opened.log");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n", log.display()),
    )
    .expect("write opener");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    script
}

/// The emulator, a store in a temp dir, the engine and its worker, and the contract's context.
struct Fixture {
    em: Emulator,
    running: kefu_emulator::Running,
    ctx: Context,
    task: tokio::task::JoinHandle<()>,
    dir: tempfile::TempDir,
}

async fn fixture(seed: u64, secrets: Box<dyn SecretStore>) -> Fixture {
    let em = Emulator::demo(seed);
    let running = kefu_emulator::start(em.clone(), StartOptions::default())
        .await
        .expect("emulator");
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(Store::open_in(dir.path()).expect("store"));
    let client = Client::new(ClientConfig::new(
        &running.base_url,
        DEFAULT_CORP_ID,
        Secret::new(DEFAULT_SECRET),
    ))
    .expect("client");
    let mut engine = Engine::new(Arc::new(client), store, Arc::new(SystemClock));
    engine.backoff = (Duration::from_millis(20), Duration::from_millis(200));
    engine.max_retries = 3;
    let (worker, task) =
        kefu_core::worker::spawn(engine.clone(), vec![KF.into()], dir.path().to_owned());
    let settings = Arc::new(
        SettingsFile::load(&dir.path().join("settings.json"), secrets, false)
            .with_team_secrets(Box::new(MemorySecretStore::default())),
    );
    let ctx = Context {
        engine,
        worker,
        agent: "ann".into(),
        mode: Mode::Demo,
        api_base: running.base_url.clone(),
        settings,
        notifier: None,
        team: None,
        export_dir: dir.path().join("exports"),
        data_dir: dir.path().to_owned(),
        opener: recording_opener(dir.path()),
    };
    Fixture {
        em,
        running,
        ctx,
        task,
        dir,
    }
}

impl Fixture {
    async fn stop(self) {
        self.ctx.worker.send(kefu_core::worker::Command::Stop).await;
        let _ = self.task.await;
        self.running.stop().await;
    }

    /// A new customer writes `body`; returns the customer once their session is stored.
    async fn customer_says(&self, seed: u64, body: Body) -> String {
        let customer = kefu_emulator::sim::new_customer(
            &self.em,
            &mut kefu_emulator::rng::Rng::new(seed),
            None,
        );
        self.em
            .state()
            .customer_enter(&OpenKfId::from(KF), &customer, Some("spring_sale".into()))
            .expect("enter");
        self.em
            .state()
            .customer_says(&OpenKfId::from(KF), &customer, body)
            .expect("say");
        self.ctx
            .worker
            .send(kefu_core::worker::Command::SyncNow)
            .await;
        let id = customer.as_str().to_owned();
        until(&self.ctx, "session_list", json!({}), |v| {
            v["sessions"]
                .as_array()
                .is_some_and(|s| s.iter().any(|x| x["externalUserid"] == id.as_str()))
        })
        .await;
        id
    }

    /// Claims the customer and answers once, until WeChat has accepted the reply.
    async fn claim_and_answer(&self, customer: &str, reply: &str) {
        let ctx = &self.ctx;
        let who = json!({"openKfid": KF, "externalUserid": customer});
        dispatch(ctx, "session_claim", who).await.expect("claim");
        dispatch(
            ctx,
            "reply_send",
            json!({"openKfid": KF, "externalUserid": customer, "text": reply}),
        )
        .await
        .expect("reply");
        until(
            ctx,
            "message_list",
            json!({"externalUserid": customer}),
            |v| {
                v["messages"]
                    .as_array()
                    .is_some_and(|m| m.iter().any(|x| x["delivery"] == "sent"))
            },
        )
        .await;
    }

    async fn says(&self, customer: &str, body: Body) {
        self.em
            .state()
            .customer_says(&OpenKfId::from(KF), &customer.into(), body)
            .expect("say");
        self.ctx
            .worker
            .send(kefu_core::worker::Command::SyncNow)
            .await;
    }
}

/// Now, in unix seconds.
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

fn text(s: &str) -> Body {
    Body::Text {
        text: Text {
            content: s.into(),
            menu_id: None,
        },
    }
}

#[tokio::test]
async fn a_customer_arrives_is_claimed_and_answered_through_the_contract() {
    let f = fixture(5, Box::new(MemorySecretStore::default())).await;
    let (em, ctx) = (&f.em, &f.ctx);
    let running = &f.running;

    let info = dispatch(ctx, "app_info", json!({}))
        .await
        .expect("app_info");
    assert_eq!(info["mode"], "demo");
    assert_eq!(
        info["apiBase"],
        running.base_url.as_str(),
        "DTOs are camelCase"
    );

    let kf = OpenKfId::from(KF);
    let customer = kefu_emulator::sim::new_customer(em, &mut kefu_emulator::rng::Rng::new(1), None);
    em.state()
        .customer_says(
            &kf,
            &customer,
            Body::Text {
                text: Text {
                    content: "<b>在吗</b>".into(),
                    menu_id: None,
                },
            },
        )
        .expect("say");
    dispatch(ctx, "sync_now", json!({}))
        .await
        .expect("sync_now");
    let list = until(ctx, "session_list", json!({}), |v| {
        v["sessions"].as_array().is_some_and(|s| !s.is_empty())
    })
    .await;
    assert_eq!(list["sessions"][0]["localState"], "waiting");
    assert_eq!(list["sessions"][0]["repliesLeft"], 5);

    let who = json!({"openKfid": KF, "externalUserid": customer.as_str()});
    assert_eq!(
        dispatch(ctx, "session_claim", who.clone())
            .await
            .expect("claim")["localState"],
        "mine"
    );
    let err = dispatch(ctx, "session_claim", who.clone())
        .await
        .expect_err("claimed twice");
    assert_eq!(
        err.code,
        ErrorCode::NotWaiting,
        "errors carry a code for the UI to localise"
    );

    for i in 0..5 {
        let sent = dispatch(ctx, "reply_send", json!({"openKfid": KF, "externalUserid": customer.as_str(), "text": format!("回复{i}")})).await.expect("reply");
        assert_eq!(
            sent["state"], "queued",
            "a reply is durable and queued at once"
        );
    }
    let sixth = dispatch(
        ctx,
        "reply_send",
        json!({"openKfid": KF, "externalUserid": customer.as_str(), "text": "第六条"}),
    )
    .await
    .expect_err("6th");
    assert_eq!(
        sixth.code,
        ErrorCode::QuotaUsed,
        "the 6th reply is refused before any API call"
    );

    let messages = until(
        ctx,
        "message_list",
        json!({"externalUserid": customer.as_str()}),
        |v| {
            v["messages"]
                .as_array()
                .is_some_and(|m| m.iter().filter(|x| x["delivery"] == "sent").count() == 5)
        },
    )
    .await;
    assert_eq!(
        messages["messages"][0]["text"], "<b>在吗</b>",
        "customer text is passed through as text"
    );
    assert_eq!(
        em.state().sent.len(),
        5,
        "the emulator received exactly the five replies"
    );

    let unknown = dispatch(ctx, "drop_tables", json!({}))
        .await
        .expect_err("unknown");
    assert_eq!(unknown.code, ErrorCode::UnknownCommand);
    let bad = dispatch(ctx, "message_list", json!({"nope": 1}))
        .await
        .expect_err("bad request");
    assert_eq!(bad.code, ErrorCode::BadRequest);
    for cmd in kefu_ipc::COMMANDS {
        let r = dispatch(ctx, cmd, json!({})).await;
        assert!(
            !matches!(r, Err(ref e) if e.code == ErrorCode::UnknownCommand),
            "{cmd} is dispatched"
        );
    }

    f.stop().await;
}

#[tokio::test]
async fn conversations_page_by_keyset_and_show_every_kind() {
    let f = fixture(11, Box::new(MemorySecretStore::default())).await;
    let ctx = &f.ctx;
    let customer = f.customer_says(12, text("第0条")).await;
    for i in 1..25 {
        f.says(&customer, text(&format!("第{i}条"))).await;
    }
    let (media_id, _) =
        f.em.state()
            .media_upload(
                Some("file"),
                "../报价单.pdf".into(),
                "application/pdf".into(),
                b"%PDF-1.4 quote".to_vec().into(),
            )
            .expect("upload");
    f.says(
        &customer,
        Body::File {
            file: kefu_wechat::message::Media { media_id },
        },
    )
    .await;
    f.says(
        &customer,
        Body::Location {
            location: kefu_wechat::message::Location {
                latitude: 31.2,
                longitude: 121.5,
                name: Some("<门店>".into()),
                address: Some("上海".into()),
            },
        },
    )
    .await;
    let all = json!({"externalUserid": customer, "limit": 500});
    let full = until(ctx, "message_list", all, |v| {
        v["messages"].as_array().is_some_and(|m| {
            m.iter().any(|x| x["content"]["kind"] == "location")
                && m.iter().any(|x| x["media"]["state"] == "stored")
        })
    })
    .await;
    let full = full["messages"].as_array().expect("messages").clone();
    assert_eq!(full.len(), 28, "enter event, 25 texts, file, location");
    assert_eq!(
        full[0]["content"]["kind"], "event",
        "the enter_session is a system line"
    );
    assert_eq!(full[0]["content"]["eventType"], "enter_session");
    assert_eq!(
        full[1]["content"],
        json!({"kind": "text", "text": "第0条", "menuId": null})
    );
    let file = &full[26];
    assert_eq!(file["content"]["kind"], "file");
    assert_eq!(
        file["content"]["fileName"], "../报价单.pdf",
        "the sender's name is display only"
    );
    let url = file["media"]["url"]
        .as_str()
        .expect("a stored file has a URL");
    assert!(
        url.starts_with("kefu-media://localhost/media/")
            && url.ends_with(".pdf")
            && !url.contains(".."),
        "media URLs use the app's scheme and the app's names: {url}"
    );
    let served = kefu_ipc::media_url::resolve(
        &ctx.engine.store,
        url.trim_start_matches("kefu-media://localhost"),
    )
    .expect("a stored file is served");
    assert_eq!(
        std::fs::read(&served.path).expect("file"),
        b"%PDF-1.4 quote"
    );
    assert_eq!(served.content_type, "application/pdf");
    let unknown = format!("/media/{}.pdf", "0".repeat(64));
    assert_eq!(
        kefu_ipc::media_url::resolve(&ctx.engine.store, &unknown),
        None,
        "a well-formed name the store never recorded is not served"
    );
    assert_eq!(
        full[27]["content"]["name"], "<门店>",
        "place names are passed as text"
    );

    // Keyset pages, newest first, each returned oldest → newest, with no gap or repeat.
    let mut seen = Vec::new();
    let mut before: Option<i64> = None;
    loop {
        let page = dispatch(
            ctx,
            "message_list",
            json!({"openKfid": KF, "externalUserid": customer, "limit": 10, "beforeId": before}),
        )
        .await
        .expect("page");
        let ids: Vec<i64> = page["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .map(|m| m["id"].as_i64().expect("id"))
            .collect();
        let mut page_ids = ids.clone();
        page_ids.extend(seen);
        seen = page_ids;
        before = ids.first().copied();
        if page["hasMore"] == false {
            break;
        }
        assert_eq!(ids.len(), 10, "a page with more behind it is full");
    }
    let all_ids: Vec<i64> = full.iter().map(|m| m["id"].as_i64().expect("id")).collect();
    assert_eq!(
        seen, all_ids,
        "pages join up to the whole conversation, in order"
    );

    // Around one message (a search hit).
    let hit = &full[12];
    let around = dispatch(
        ctx,
        "message_context",
        json!({"openKfid": KF, "msgid": hit["msgid"], "radius": 3}),
    )
    .await
    .expect("context");
    let ids: Vec<i64> = around["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(
        ids,
        all_ids[9..16].to_vec(),
        "three on each side of the hit"
    );
    assert_eq!(around["anchorId"], hit["id"]);
    assert_eq!(
        (
            around["hasMoreBefore"].clone(),
            around["hasMoreAfter"].clone()
        ),
        (json!(true), json!(true))
    );
    let missing = dispatch(
        ctx,
        "message_context",
        json!({"openKfid": KF, "msgid": "nope"}),
    )
    .await
    .expect_err("unknown message");
    assert_eq!(missing.code, ErrorCode::NotFound);
    f.stop().await;
}

#[tokio::test]
async fn customer_panel_notes_tags_sessions_and_transfer() {
    let f = fixture(21, Box::new(MemorySecretStore::default())).await;
    let ctx = &f.ctx;
    let customer = f.customer_says(22, text("你好")).await;
    let who = json!({"openKfid": KF, "externalUserid": customer});
    dispatch(ctx, "session_claim", who.clone())
        .await
        .expect("claim");
    dispatch(ctx, "session_end", who.clone())
        .await
        .expect("end");
    f.says(&customer, text("又是我")).await;
    let c = until(
        ctx,
        "customer_get",
        json!({"externalUserid": customer}),
        |v| v["sessions"].as_array().is_some_and(|s| s.len() == 2),
    )
    .await;
    assert_eq!(
        c["sessions"][0]["end"], "open",
        "the customer wrote again: a new session"
    );
    assert_eq!(c["sessions"][1]["end"], "agent");
    assert_eq!(c["sessions"][1]["endedBy"], "ann");
    assert_eq!(c["sessions"][1]["messageCount"], 1);
    assert_eq!(
        c["source"]["openKfid"], KF,
        "where the customer entered from"
    );
    assert_eq!(c["source"]["scene"], "spring_sale");

    let noted = dispatch(
        ctx,
        "customer_note_set",
        json!({"externalUserid": customer, "note": "要发票 <b>"}),
    )
    .await
    .expect("note");
    assert_eq!(noted["note"], "要发票 <b>");
    let tagged = dispatch(
        ctx,
        "customer_tags_set",
        json!({"externalUserid": customer, "tags": [" VIP ", "VIP", "退款"]}),
    )
    .await
    .expect("tags");
    assert_eq!(
        tagged["tags"],
        json!(["VIP", "退款"]),
        "tags are trimmed and deduplicated"
    );
    let again = dispatch(ctx, "customer_get", json!({"externalUserid": customer}))
        .await
        .expect("get");
    assert_eq!(
        (again["note"].clone(), again["tags"].clone()),
        (json!("要发票 <b>"), json!(["VIP", "退款"])),
        "notes and tags are stored"
    );
    let too_many: Vec<String> = (0..30).map(|i| format!("t{i}")).collect();
    let err = dispatch(
        ctx,
        "customer_tags_set",
        json!({"externalUserid": customer, "tags": too_many}),
    )
    .await
    .expect_err("too many tags");
    assert_eq!(err.code, ErrorCode::InvalidSetting);

    let servicers = dispatch(ctx, "servicer_list", json!({"openKfid": KF}))
        .await
        .expect("servicers");
    let first = servicers["servicers"][0]["userid"]
        .as_str()
        .expect("the demo account has servicers")
        .to_owned();
    until(ctx, "session_list", json!({}), |v| {
        v["sessions"].as_array().is_some_and(|s| {
            s.iter()
                .any(|x| x["externalUserid"] == customer.as_str() && x["localState"] == "waiting")
        })
    })
    .await;
    let assigned = dispatch(
        ctx,
        "session_transfer",
        json!({"openKfid": KF, "externalUserid": customer, "servicerUserid": first}),
    )
    .await
    .expect("a waiting customer can be handed straight to a colleague");
    assert_eq!(assigned["localState"], "mine");
    let err = dispatch(ctx, "session_claim", who.clone())
        .await
        .expect_err("once assigned, the customer is not waiting");
    assert_eq!(err.code, ErrorCode::NotWaiting);
    let list = dispatch(ctx, "session_list", json!({}))
        .await
        .expect("list");
    let s = list["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .find(|x| x["externalUserid"] == customer.as_str())
        .cloned()
        .expect("listed");
    assert_eq!(s["claimedBy"], first.as_str(), "the servicer has it now");
    f.stop().await;
}

#[tokio::test]
async fn attachments_are_sent_and_failed_replies_retried_with_the_same_msgid() {
    let f = fixture(31, Box::new(MemorySecretStore::default())).await;
    let ctx = &f.ctx;
    let customer = f.customer_says(32, text("发我图片")).await;
    let png = b"\x89PNG\r\n\x1a\n fake image bytes";
    let sent = dispatch(
        ctx,
        "reply_attachment",
        json!({"openKfid": KF, "externalUserid": customer, "fileName": "../../截图.png",
               "dataBase64": base64::engine::general_purpose::STANDARD.encode(png)}),
    )
    .await
    .expect("attachment");
    assert_eq!(sent["state"], "queued");
    let msgid = sent["msgid"].as_str().expect("msgid").to_owned();
    let list = until(
        ctx,
        "message_list",
        json!({"externalUserid": customer}),
        |v| {
            v["messages"].as_array().is_some_and(|m| {
                m.iter()
                    .any(|x| x["msgid"] == msgid.as_str() && x["delivery"] == "sent")
            })
        },
    )
    .await;
    let reply = list["messages"]
        .as_array()
        .expect("m")
        .iter()
        .find(|x| x["msgid"] == msgid.as_str())
        .cloned()
        .expect("reply");
    assert_eq!(reply["content"]["kind"], "image");
    let url = reply["media"]["url"]
        .as_str()
        .expect("the sent image is shown from its copy");
    assert!(
        url.starts_with("kefu-media://localhost/outbox/") && url.ends_with(".png"),
        "{url}"
    );
    assert!(
        kefu_ipc::media_url::resolve(
            &ctx.engine.store,
            url.trim_start_matches("kefu-media://localhost")
        )
        .is_some()
    );
    {
        let st = f.em.state();
        let got = st
            .sent
            .iter()
            .find(|s| s.msgid == msgid)
            .expect("the emulator got the image");
        let content = serde_json::to_value(&got.content).expect("content");
        let media_id = content["image"]["media_id"]
            .as_str()
            .expect("an image message")
            .to_owned();
        let item = st.media_item(&media_id).expect("uploaded");
        assert_eq!(
            item.filename, "截图.png",
            "only the last part of the name is shown to the customer"
        );
        assert_eq!(&item.bytes[..], png);
    }

    // An image by content (JPEG's first bytes), over the 10 MB an image may have.
    let mut big = vec![0u8; 10 * 1024 * 1024 + 1];
    big[..3].copy_from_slice(&[0xff, 0xd8, 0xff]);
    let err = dispatch(
        ctx,
        "reply_attachment",
        json!({"openKfid": KF, "externalUserid": customer, "fileName": "big.jpg",
               "dataBase64": base64::engine::general_purpose::STANDARD.encode(&big)}),
    )
    .await
    .expect_err("over 10 MB");
    assert_eq!(err.code, ErrorCode::TooLarge, "images are at most 10 MB");

    // A permanent rejection fails the reply; a retry sends the same msgid.
    f.em.faults().add(kefu_emulator::fault::FaultRule {
        endpoint: "kf/send_msg".into(),
        count: 1,
        fault: kefu_emulator::fault::Fault::Errcode(95001),
    });
    let r = dispatch(
        ctx,
        "reply_send",
        json!({"openKfid": KF, "externalUserid": customer, "text": "再试"}),
    )
    .await
    .expect("reply");
    let failed_id = r["msgid"].as_str().expect("msgid").to_owned();
    let failed = until(
        ctx,
        "message_list",
        json!({"externalUserid": customer}),
        |v| {
            v["messages"].as_array().is_some_and(|m| {
                m.iter()
                    .any(|x| x["msgid"] == failed_id.as_str() && x["delivery"] == "failed")
            })
        },
    )
    .await;
    let row = failed["messages"]
        .as_array()
        .expect("m")
        .iter()
        .find(|x| x["msgid"] == failed_id.as_str())
        .cloned()
        .expect("row");
    assert!(
        row["failReason"].as_str().is_some_and(|r| !r.is_empty()),
        "a failed reply says why"
    );
    let retried = dispatch(ctx, "reply_retry", json!({"msgid": failed_id}))
        .await
        .expect("retry");
    assert_eq!(
        (retried["msgid"].as_str(), retried["state"].as_str()),
        (Some(failed_id.as_str()), Some("queued"))
    );
    until(
        ctx,
        "message_list",
        json!({"externalUserid": customer}),
        |v| {
            v["messages"].as_array().is_some_and(|m| {
                m.iter()
                    .any(|x| x["msgid"] == failed_id.as_str() && x["delivery"] == "sent")
            })
        },
    )
    .await;
    assert_eq!(
        f.em.state()
            .sent
            .iter()
            .filter(|s| s.msgid == failed_id)
            .count(),
        1,
        "the retried reply reached the API once, under its msgid"
    );
    let again = dispatch(ctx, "reply_retry", json!({"msgid": failed_id}))
        .await
        .expect_err("sent now");
    assert_eq!(again.code, ErrorCode::NotRetryable);
    let none = dispatch(ctx, "reply_retry", json!({"msgid": "nope"}))
        .await
        .expect_err("unknown");
    assert_eq!(none.code, ErrorCode::NotFound);
    f.stop().await;
}

#[tokio::test]
async fn settings_keep_the_secret_write_only_and_survive_a_missing_keyring() {
    let f = fixture(41, Box::new(MemorySecretStore::default())).await;
    let ctx = &f.ctx;
    let s = dispatch(ctx, "settings_get", json!({})).await.expect("get");
    assert_eq!(s["language"], "zh-CN", "zh-CN first");
    assert_eq!(s["hasSecret"], false);
    assert_eq!(
        s["notifications"],
        json!({"enabled": true, "repeatSeconds": 60, "sound": true,
            "slaWaitingMinutes": 5, "slaUnansweredMinutes": 10, "slaWindowHours": 4})
    );
    let set = dispatch(
        ctx,
        "settings_set",
        json!({"corpId": "ww123", "secret": "top-secret-value", "language": "en",
               "notifications": {"enabled": true, "repeatSeconds": 0, "sound": false}}),
    )
    .await
    .expect("set");
    assert_eq!(
        set["restartRequired"], true,
        "credentials take effect on restart"
    );
    assert_eq!(set["settings"]["hasSecret"], true);
    assert!(
        !set.to_string().contains("top-secret-value"),
        "the secret is never sent back"
    );
    let file = std::fs::read_to_string(f.dir.path().join("settings.json")).expect("settings file");
    assert!(
        file.contains("ww123") && !file.contains("top-secret-value"),
        "the secret is not in the file"
    );
    let theme = dispatch(ctx, "settings_set", json!({"theme": "dark"}))
        .await
        .expect("theme");
    assert_eq!(theme["restartRequired"], false, "the theme applies at once");
    assert_eq!(
        (
            theme["settings"]["theme"].as_str(),
            theme["settings"]["language"].as_str()
        ),
        (Some("dark"), Some("en"))
    );
    let welcome = dispatch(
        ctx,
        "settings_set",
        json!({"welcomeText": "您好，我是小王"}),
    )
    .await
    .expect("welcome");
    assert_eq!(
        (welcome["restartRequired"].as_bool(), ctx.engine.welcome()),
        (Some(false), Some("您好，我是小王".to_string())),
        "the next customer who enters gets the new welcome, without a restart"
    );
    dispatch(ctx, "settings_set", json!({"welcomeText": ""}))
        .await
        .expect("welcome off");
    assert_eq!(ctx.engine.welcome(), None, "an empty welcome turns it off");
    let bad = dispatch(ctx, "settings_set", json!({"language": "fr"}))
        .await
        .expect_err("fr");
    assert_eq!(bad.code, ErrorCode::InvalidSetting);

    // The team database: a URL without its password, the password write-only to the keyring.
    for (url, why) in [
        ("postgres://wang:hunter2@db.example/kefu", "password"),
        ("postgres://db.example/kefu", "user"),
        ("not a url at all ://", "valid"),
    ] {
        let bad = dispatch(ctx, "settings_set", json!({"teamUrl": url}))
            .await
            .expect_err(url);
        assert_eq!(bad.code, ErrorCode::InvalidSetting, "{url}");
        assert!(bad.message.contains(why), "{url}: {}", bad.message);
        assert!(!bad.message.contains("hunter2"), "never the password");
    }
    let team = dispatch(
        ctx,
        "settings_set",
        json!({"teamUrl": "postgres://wang@db.example:5432/kefu?sslmode=require",
               "teamPassword": "team-pass-value"}),
    )
    .await
    .expect("team settings");
    assert_eq!(team["restartRequired"], true, "team mode starts on restart");
    assert_eq!(
        team["settings"]["teamUrl"],
        "postgres://wang@db.example:5432/kefu?sslmode=require"
    );
    assert_eq!(team["settings"]["hasTeamPassword"], true);
    assert!(!team.to_string().contains("team-pass-value"));
    let file = std::fs::read_to_string(f.dir.path().join("settings.json")).expect("settings file");
    assert!(file.contains("db.example") && !file.contains("team-pass-value"));
    assert_eq!(
        ctx.settings
            .load_team_password()
            .expect("stored")
            .map(|s| s.expose().to_owned())
            .as_deref(),
        Some("team-pass-value")
    );
    let solo = dispatch(
        ctx,
        "settings_set",
        json!({"teamUrl": "", "teamPassword": ""}),
    )
    .await
    .expect("back to solo");
    assert_eq!(
        (
            solo["settings"]["teamUrl"].as_str(),
            solo["settings"]["hasTeamPassword"].as_bool()
        ),
        (Some(""), Some(false))
    );
    f.stop().await;

    let f = fixture(42, Box::new(MemorySecretStore::unavailable())).await;
    let ctx = &f.ctx;
    let err = dispatch(ctx, "settings_set", json!({"corpId": "ww9", "secret": "x"}))
        .await
        .expect_err("no keyring");
    assert_eq!(
        err.code,
        ErrorCode::KeyringUnavailable,
        "a missing keyring has its own code"
    );
    assert_eq!(
        dispatch(ctx, "settings_get", json!({})).await.expect("get")["corpId"],
        "",
        "nothing was saved"
    );
    let ok = dispatch(ctx, "settings_set", json!({"language": "en"}))
        .await
        .expect("other settings still save");
    assert_eq!(ok["settings"]["language"], "en");
    f.stop().await;
}

#[tokio::test]
async fn health_reports_offline_and_the_queue_and_arrives_as_events() {
    let f = fixture(51, Box::new(MemorySecretStore::default())).await;
    let ctx = &f.ctx;
    let mut events = kefu_ipc::events::spawn(ctx.clone());
    let customer = f.customer_says(52, text("在吗")).await;
    let h = until(ctx, "health_get", json!({}), |v| v["sync"] == "online").await;
    assert_eq!(h["waitingCount"], 1);
    assert_eq!(
        h["notifications"], "unavailable",
        "no notifier, no notifications"
    );
    assert!(h["lastSyncAt"].as_i64().is_some());

    f.em.faults().add(kefu_emulator::fault::FaultRule {
        endpoint: "*".into(),
        count: 1_000_000,
        fault: kefu_emulator::fault::Fault::Http(502),
    });
    dispatch(
        ctx,
        "session_claim",
        json!({"openKfid": KF, "externalUserid": customer}),
    )
    .await
    .expect("claim");
    dispatch(
        ctx,
        "reply_send",
        json!({"openKfid": KF, "externalUserid": customer, "text": "稍等"}),
    )
    .await
    .expect("reply");
    let h = until(ctx, "health_get", json!({}), |v| v["sync"] == "offline").await;
    assert!(
        h["offlineSince"].as_i64().is_some(),
        "offline says since when"
    );
    assert_eq!(
        (h["outboxQueued"].clone(), h["waitingCount"].clone()),
        (json!(1), json!(0))
    );
    let mut saw_offline = false;
    while let Ok(Some(e)) = tokio::time::timeout(Duration::from_secs(10), events.recv()).await {
        let v = serde_json::to_value(&e).expect("event");
        if v["kind"] == "health" && v["health"]["sync"] == "offline" {
            saw_offline = true;
            break;
        }
    }
    assert!(saw_offline, "a health event tells the UI it is offline");
    f.em.faults().clear();
    let h = until(ctx, "health_get", json!({}), |v| {
        v["sync"] == "online" && v["outboxQueued"] == 0
    })
    .await;
    assert_eq!(h["offlineSince"], Value::Null);
    assert_eq!(f.em.state().sent.len(), 1, "the queued reply went out once");
    f.stop().await;
}

#[tokio::test]
async fn a_burst_of_store_changes_makes_one_changed_event_then_one_at_the_end_of_the_gap() {
    let f = fixture(57, Box::new(MemorySecretStore::default())).await;
    let mut events = kefu_ipc::events::spawn(f.ctx.clone());
    // Let the start-up health event and anything from the fixture's first sync go by.
    tokio::time::sleep(Duration::from_millis(600)).await;
    while events.try_recv().is_ok() {}
    for _ in 0..50 {
        f.ctx
            .engine
            .events
            .publish(kefu_core::event::DomainEvent::SyncStatus {
                open_kfid: KF.into(),
                ok: true,
            });
    }
    let mut changed = Vec::new();
    let started = tokio::time::Instant::now();
    while let Ok(Some(e)) = tokio::time::timeout(Duration::from_millis(700), events.recv()).await {
        if matches!(e, UiEvent::Changed) {
            changed.push(started.elapsed());
        }
    }
    assert_eq!(
        changed.len(),
        2,
        "one at once, one for the rest: {changed:?}"
    );
    assert!(
        changed[0] < Duration::from_millis(100),
        "the first goes at once"
    );
    assert!(
        changed[1] >= kefu_ipc::events::CHANGED_GAP - Duration::from_millis(50),
        "the last change is told at the end of the gap, not dropped: {changed:?}"
    );
    f.stop().await;
}

#[test]
fn ui_events_are_tagged_by_kind() {
    let focus = UiEvent::FocusConversation {
        open_kfid: "wk".into(),
        external_userid: "wm".into(),
    };
    assert_eq!(
        serde_json::to_value(focus).expect("json"),
        json!({"kind": "focusConversation", "openKfid": "wk", "externalUserid": "wm"})
    );
    assert_eq!(
        serde_json::to_value(UiEvent::Changed).expect("json"),
        json!({"kind": "changed"})
    );
}

#[tokio::test]
async fn search_finds_folded_text_with_highlights_filters_and_pages() {
    let f = fixture(91, Box::new(MemorySecretStore::default())).await;
    let customer = f
        .customer_says(91, text("我的订单ＳＦ１２３４５６还没到 <b>急</b>"))
        .await;
    for i in 0..3 {
        f.says(&customer, text(&format!("第{i}次催单 SF123456")))
            .await;
    }
    let search = |req: Value| dispatch(&f.ctx, "search_messages", req);
    let all = until(&f.ctx, "search_messages", json!({"query": "sf1234"}), |v| {
        v["hits"].as_array().is_some_and(|h| h.len() == 4)
    })
    .await;
    let oldest = &all["hits"][3];
    assert_eq!(oldest["message"]["externalUserid"], customer.as_str());
    assert!(
        oldest["message"]["id"].as_i64().is_some_and(|id| id > 0),
        "the row id, for paging around it"
    );
    assert_eq!(oldest["message"]["content"]["kind"], "text");
    let marked: Vec<&str> = oldest["snippet"]
        .as_array()
        .expect("snippet")
        .iter()
        .filter(|s| s["hit"] == true)
        .filter_map(|s| s["text"].as_str())
        .collect();
    assert_eq!(
        marked,
        ["ＳＦ１２３４"],
        "the original full-width text is marked"
    );

    let page = search(json!({"query": "SF123456", "limit": 3}))
        .await
        .expect("page 1");
    assert_eq!(page["hits"].as_array().map(Vec::len), Some(3));
    let next = search(json!({"query": "SF123456", "limit": 3, "before": page["nextBefore"]}))
        .await
        .expect("page 2");
    assert_eq!(next["hits"].as_array().map(Vec::len), Some(1));
    assert!(next["nextBefore"].is_null());

    let agent = search(json!({"query": "sf1234", "sender": "agent"}))
        .await
        .expect("filter");
    assert_eq!(agent["hits"].as_array().map(Vec::len), Some(0));
    let other = search(json!({"query": "sf1234", "externalUserid": "wmSomeoneElse"}))
        .await
        .expect("filter");
    assert_eq!(other["hits"].as_array().map(Vec::len), Some(0));
    for junk in ["\"", "AND", "NEAR(", "*", "<b>", "😊"] {
        search(json!({"query": junk}))
            .await
            .expect("any input is text");
    }
    let html = search(json!({"query": "<b>急"})).await.expect("search");
    assert_eq!(
        html["hits"].as_array().map(Vec::len),
        Some(1),
        "markup is text too"
    );
    f.stop().await;
}

#[tokio::test]
async fn the_report_counts_who_answered_what_in_the_range() {
    let f = fixture(21, Box::new(MemorySecretStore::default())).await;
    let ctx = &f.ctx;
    let customer = f.customer_says(22, text("我的快递到哪了")).await;
    f.claim_and_answer(&customer, "马上帮您查").await;

    let now = unix_now();
    let range = json!({"since": now - 3600, "until": now + 60, "offsetMinutes": 480});
    let report = dispatch(ctx, "report_get", range.clone())
        .await
        .expect("report");
    assert_eq!(report["source"], "local", "solo mode reads the local store");
    let totals = &report["totals"];
    assert_eq!(totals["sessions"], 1);
    assert_eq!(totals["answered"], 1);
    assert_eq!(totals["messagesIn"], 1);
    assert_eq!(totals["messagesOut"], 1);
    assert_eq!(totals["firstResponse"]["count"], 1);
    assert!(
        totals["firstResponse"]["avgSecs"]
            .as_i64()
            .is_some_and(|s| s >= 0)
    );
    assert_eq!(
        report["byAgent"][0]["name"], "ann",
        "the reply is this desktop's agent's"
    );
    assert_eq!(report["byAgent"][0]["wecom"], false);
    assert_eq!(report["byAccount"][0]["openKfid"], KF);
    assert_eq!(report["byHour"].as_array().map(Vec::len), Some(24));

    let other = dispatch(
        ctx,
        "report_get",
        json!({"since": now - 3600, "until": now + 60, "agent": "bob"}),
    )
    .await
    .expect("report for another agent");
    assert_eq!(other["totals"]["sessions"], 0, "bob answered nobody");

    let backwards = dispatch(ctx, "report_get", json!({"since": now, "until": now - 60}))
        .await
        .expect_err("a backwards range");
    assert_eq!(backwards.code, ErrorCode::BadRequest);
    let too_long = dispatch(
        ctx,
        "report_get",
        json!({"since": now - 500 * 86_400, "until": now}),
    )
    .await
    .expect_err("more than 400 days");
    assert_eq!(too_long.code, ErrorCode::BadRequest);
    f.stop().await;
}

#[tokio::test]
async fn queue_rows_preview_the_newest_message_and_mark_who_needs_a_reply() {
    let f = fixture(31, Box::new(MemorySecretStore::default())).await;
    let ctx = &f.ctx;
    let row = |list: &Value, customer: &str| {
        list["sessions"]
            .as_array()
            .and_then(|s| s.iter().find(|x| x["externalUserid"] == customer).cloned())
            .expect("the customer's row")
    };
    let long = format!("第一行\n\n第二行 <b>{}</b>", "很".repeat(80));
    let a = f.customer_says(32, text(&long)).await;
    let list = dispatch(ctx, "session_list", json!({}))
        .await
        .expect("list");
    let first = row(&list, &a);
    let preview = first["lastMessage"]["preview"].as_str().expect("a preview");
    assert!(
        preview.starts_with("第一行 第二行 <b>很很"),
        "one line, markup kept as text: {preview}"
    );
    assert_eq!(
        preview.chars().count(),
        61,
        "cut at 60 characters and an ellipsis"
    );
    assert!(preview.ends_with('…'));
    assert_eq!(first["lastMessage"]["fromCustomer"], true);
    assert_eq!(first["needsReply"], true, "nobody has answered yet");

    let b = f.customer_says(33, text("在吗")).await;
    for who in [&a, &b] {
        dispatch(
            ctx,
            "session_claim",
            json!({"openKfid": KF, "externalUserid": who}),
        )
        .await
        .expect("claim");
    }
    dispatch(
        ctx,
        "reply_send",
        json!({"openKfid": KF, "externalUserid": a, "text": "您好，请稍等"}),
    )
    .await
    .expect("reply");
    let list = until(ctx, "session_list", json!({}), |v| {
        v["sessions"].as_array().is_some_and(|s| {
            s.iter()
                .any(|x| x["externalUserid"] == a.as_str() && x["needsReply"] == false)
        })
    })
    .await;
    let answered = row(&list, &a);
    assert_eq!(answered["lastMessage"]["fromCustomer"], false);
    assert_eq!(answered["lastMessage"]["preview"], "您好，请稍等");
    let mine: Vec<&str> = list["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .filter(|x| x["localState"] == "mine")
        .filter_map(|x| x["externalUserid"].as_str())
        .collect();
    assert_eq!(
        mine,
        [b.as_str(), a.as_str()],
        "mine: who still needs a reply comes first"
    );

    f.says(&a, text("好的，谢谢")).await;
    let list = until(ctx, "session_list", json!({}), |v| {
        v["sessions"].as_array().is_some_and(|s| {
            s.iter()
                .any(|x| x["externalUserid"] == a.as_str() && x["needsReply"] == true)
        })
    })
    .await;
    assert_eq!(row(&list, &a)["lastMessage"]["preview"], "好的，谢谢");
    f.stop().await;
}

#[tokio::test]
async fn canned_replies_are_found_by_shortcut_text_and_pinyin_and_travel_as_csv() {
    let f = fixture(31, Box::new(MemorySecretStore::default())).await;
    let ctx = &f.ctx;
    let save = |folder: &str, title: &str, shortcut: &str, body: &str| json!({"scope": "personal", "folder": folder, "title": title, "shortcut": shortcut, "body": body});
    let refund = dispatch(
        ctx,
        "canned_save",
        save("售后", "退款说明", "", "{客户}您好，退款 3 个工作日内退回"),
    )
    .await
    .expect("save");
    assert_eq!(refund["updatedBy"], "ann");
    dispatch(
        ctx,
        "canned_save",
        save("售后", "退货地址", "th", "请寄回：上海市"),
    )
    .await
    .expect("save");
    dispatch(
        ctx,
        "canned_save",
        save("", "发票", "", "电子发票发送到邮箱"),
    )
    .await
    .expect("save");
    let titles = |v: &Value| {
        v["replies"]
            .as_array()
            .expect("replies")
            .iter()
            .map(|r| r["title"].as_str().unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
    };
    let list = |q: &str| dispatch(ctx, "canned_list", json!({"query": q}));
    assert_eq!(titles(&list("tk").await.expect("list")), ["退款说明"]);
    assert_eq!(titles(&list("th").await.expect("list")), ["退货地址"]);
    assert_eq!(titles(&list("邮箱").await.expect("list")), ["发票"]);
    assert_eq!(
        titles(&list("").await.expect("list")),
        ["发票", "退款说明", "退货地址"]
    );
    assert_eq!(list("").await.expect("list")["team"], false);

    // Changing keeps the id; a team reply needs team mode; a bad shortcut is refused.
    let id = refund["id"].as_str().expect("id");
    let mut change = save("售后", "退款说明", "tk", "新的说明");
    change["id"] = json!(id);
    let changed = dispatch(ctx, "canned_save", change).await.expect("change");
    assert_eq!(
        (changed["id"].as_str(), changed["shortcut"].as_str()),
        (Some(id), Some("tk"))
    );
    let mut team = save("", "问候", "", "您好");
    team["scope"] = json!("team");
    let err = dispatch(ctx, "canned_save", team)
        .await
        .expect_err("solo mode");
    assert_eq!(err.code, ErrorCode::InvalidSetting);
    let err = dispatch(ctx, "canned_save", save("", "x", "退款", "y"))
        .await
        .expect_err("shortcut");
    assert_eq!(err.code, ErrorCode::InvalidSetting);

    // Used replies come first among equals.
    dispatch(ctx, "canned_used", json!({"id": id}))
        .await
        .expect("used");
    let rows = list("s").await.expect("list");
    assert_eq!(rows["replies"][0]["uses"], 1);

    // Export, then import the file back plus one bad row and one new row.
    let export = dispatch(ctx, "canned_export", json!({}))
        .await
        .expect("export");
    assert_eq!(export["count"], 3);
    let path = std::path::PathBuf::from(export["path"].as_str().expect("path"));
    assert!(path.starts_with(f.dir.path().join("exports")));
    let mut csv = std::fs::read_to_string(&path).expect("file");
    csv.push_str(",,,没有标题\n常用,好评,hp,谢谢您的好评\n");
    let imported = dispatch(
        ctx,
        "canned_import",
        json!({"csv": csv, "scope": "personal"}),
    )
    .await
    .expect("import");
    assert_eq!(
        (imported["added"].as_u64(), imported["updated"].as_u64()),
        (Some(1), Some(3))
    );
    assert_eq!(imported["problems"].as_array().map(Vec::len), Some(1));
    assert_eq!(imported["problems"][0]["line"], 5);
    assert_eq!(titles(&list("hp").await.expect("list")), ["好评"]);
    assert_eq!(titles(&list("").await.expect("list")).len(), 4);

    dispatch(ctx, "canned_delete", json!({"id": id}))
        .await
        .expect("delete");
    assert_eq!(
        titles(&list("tk").await.expect("list")),
        Vec::<String>::new()
    );
    let err = dispatch(ctx, "canned_delete", json!({"id": id}))
        .await
        .expect_err("gone");
    assert_eq!(err.code, ErrorCode::NotFound);
    f.stop().await;
}

#[tokio::test]
async fn queue_rows_say_when_their_service_level_alerts_begin_by_the_agents_thresholds() {
    let f = fixture(33, Box::new(MemorySecretStore::default())).await;
    let ctx = &f.ctx;
    dispatch(
        ctx,
        "settings_set",
        json!({"notifications": {"enabled": true, "repeatSeconds": 60, "sound": true,
            "slaWaitingMinutes": 3, "slaUnansweredMinutes": 7, "slaWindowHours": 0}}),
    )
    .await
    .expect("thresholds");
    let customer = f.customer_says(34, text("有人吗")).await;
    let row = |v: &Value| {
        v["sessions"]
            .as_array()
            .and_then(|s| s.iter().find(|x| x["externalUserid"] == customer.as_str()))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let list = until(ctx, "session_list", json!({}), |v| !row(v).is_null()).await;
    let waiting = row(&list);
    let since = waiting["waitingSince"].as_i64().expect("waiting since");
    assert_eq!(
        waiting["sla"],
        json!([{"kind": "waiting", "at": since + 180, "until": null}])
    );

    let who = json!({"openKfid": KF, "externalUserid": customer.as_str()});
    dispatch(ctx, "session_claim", who).await.expect("claim");
    let mine = row(&dispatch(ctx, "session_list", json!({}))
        .await
        .expect("list"));
    let sla = mine["sla"].as_array().expect("sla");
    assert_eq!(sla.len(), 1, "{sla:?}");
    assert_eq!(sla[0]["kind"], "unanswered");
    let asked = mine["lastMessage"]["sendTime"].as_i64().expect("time");
    assert_eq!(
        sla[0]["at"].as_i64(),
        Some(asked + 420),
        "from the unanswered message"
    );

    let bad = dispatch(
        ctx,
        "settings_set",
        json!({"notifications": {"enabled": true, "repeatSeconds": 60, "sound": true, "slaWindowHours": 48}}),
    )
    .await
    .expect_err("a window of 48 h or more is refused");
    assert_eq!(bad.code, ErrorCode::InvalidSetting);
    f.stop().await;
}

#[tokio::test]
async fn a_delivered_reply_can_be_recalled_within_two_minutes_and_not_after() {
    let f = fixture(35, Box::new(MemorySecretStore::default())).await;
    let ctx = &f.ctx;
    let customer = f.customer_says(36, text("地址填错了")).await;
    let who = json!({"openKfid": KF, "externalUserid": customer.as_str()});
    dispatch(ctx, "session_claim", who.clone())
        .await
        .expect("claim");
    let send = |t: &str| {
        dispatch(
            ctx,
            "reply_send",
            json!({"openKfid": KF, "externalUserid": customer.as_str(), "text": t}),
        )
    };
    let first = send("发错了").await.expect("reply")["msgid"]
        .as_str()
        .expect("msgid")
        .to_owned();
    let second = send("好的").await.expect("reply")["msgid"]
        .as_str()
        .expect("msgid")
        .to_owned();
    let list = json!({"externalUserid": customer.as_str()});
    let delivered = |v: &Value, id: &str| {
        v["messages"].as_array().is_some_and(|m| {
            m.iter()
                .any(|x| x["msgid"] == id && x["delivery"] == "sent")
        })
    };
    until(ctx, "message_list", list.clone(), |v| {
        delivered(v, &first) && delivered(v, &second)
    })
    .await;

    dispatch(ctx, "reply_recall", json!({"msgid": first}))
        .await
        .expect("recall");
    let after = dispatch(ctx, "message_list", list.clone())
        .await
        .expect("list");
    let row = after["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .find(|m| m["msgid"] == first.as_str())
        .cloned();
    assert_eq!(
        row.map(|m| m["recalled"].clone()),
        Some(json!(true)),
        "shown as recalled"
    );
    assert!(
        f.em.state()
            .sent
            .iter()
            .any(|s| s.msgid == first && s.recalled),
        "WeChat recalled it"
    );
    let again = dispatch(ctx, "reply_recall", json!({"msgid": first}))
        .await
        .expect_err("twice");
    assert_eq!(again.code, ErrorCode::NotFound);

    f.em.state().advance_clock(121);
    let late = dispatch(ctx, "reply_recall", json!({"msgid": second}))
        .await
        .expect_err("too late");
    assert_eq!(late.code, ErrorCode::RecallTooLate);
    assert!(
        f.em.state()
            .sent
            .iter()
            .any(|s| s.msgid == second && !s.recalled)
    );
    let unknown = dispatch(ctx, "reply_recall", json!({"msgid": "nope"}))
        .await
        .expect_err("unknown");
    assert_eq!(unknown.code, ErrorCode::NotFound);
    f.stop().await;
}

#[tokio::test]
async fn ending_sends_the_closing_text_and_survey_and_the_answer_reaches_panel_and_report() {
    let f = fixture(37, Box::new(MemorySecretStore::default())).await;
    let ctx = &f.ctx;
    dispatch(
        ctx,
        "settings_set",
        json!({"closingText": "感谢您的咨询", "survey": true}),
    )
    .await
    .expect("closing settings");
    let customer = f.customer_says(38, text("怎么退货")).await;
    let who = json!({"openKfid": KF, "externalUserid": customer.as_str()});
    f.claim_and_answer(&customer, "寄回即可").await;
    dispatch(ctx, "session_end", who.clone())
        .await
        .expect("end");

    let survey =
        f.em.state()
            .sent
            .iter()
            .find(|s| s.via == "kf/send_msg_on_event" && s.touser.as_str() == customer.as_str())
            .map(|s| serde_json::to_value(&s.content).expect("json"))
            .expect("the closing message went out with the end's code");
    assert_eq!(survey["msgtype"], "msgmenu");
    assert_eq!(
        survey["msgmenu"]["head_content"],
        "感谢您的咨询\n请您对本次服务进行评价："
    );
    assert_eq!(survey["msgmenu"]["list"][0]["click"]["id"], "kefu_csat_3");

    // The customer taps 满意: a text carrying the item's menu_id.
    f.says(
        &customer,
        Body::Text {
            text: Text {
                content: "满意".into(),
                menu_id: Some("kefu_csat_3".into()),
            },
        },
    )
    .await;
    let panel = until(
        ctx,
        "customer_get",
        json!({"externalUserid": customer.as_str()}),
        |v| !v["survey"].is_null(),
    )
    .await;
    assert_eq!(panel["survey"]["rating"], 3);
    // The tap is an answer, not a new question: the session stays ended, out of the queue.
    let sessions = dispatch(ctx, "session_list", json!({}))
        .await
        .expect("sessions");
    let row = sessions["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .find(|s| s["externalUserid"] == customer.as_str())
        .expect("the customer is listed");
    assert_eq!(row["localState"], "ended", "{row}");
    assert_eq!(
        sessions["ended"],
        json!([{"openKfid": KF, "count": 1}]),
        "ended sessions are counted by account (the list carries only the newest)"
    );

    let now = unix_now();
    let report = dispatch(
        ctx,
        "report_get",
        json!({"since": now - 3600, "until": now + 3600}),
    )
    .await
    .expect("report");
    assert_eq!(report["satisfaction"]["satisfied"], 1);
    assert_eq!(report["satisfaction"]["satisfiedShare"], 1.0);
    assert_eq!(
        report["satisfactionByAgent"][0]["agent"], "ann",
        "the agent who ended it"
    );
    let other = dispatch(
        ctx,
        "report_get",
        json!({"since": now - 3600, "until": now + 3600, "agent": "bob"}),
    )
    .await
    .expect("report");
    assert_eq!(other["satisfaction"]["satisfied"], 0, "bob ended nothing");
    f.stop().await;
}

#[tokio::test]
async fn a_conversation_exports_as_text_and_html_and_a_range_as_csv_in_the_export_folder() {
    let f = fixture(39, Box::new(MemorySecretStore::default())).await;
    let ctx = &f.ctx;
    let customer = f.customer_says(40, text("<b>订单</b> =1+1")).await;
    f.claim_and_answer(&customer, "收到").await;
    let exports = f.dir.path().join("exports");

    let text = dispatch(
        ctx,
        "conversation_export",
        json!({"openKfid": KF, "externalUserid": customer.as_str(), "format": "text", "offsetMinutes": 480}),
    )
    .await
    .expect("text export");
    let path = std::path::PathBuf::from(text["path"].as_str().expect("path"));
    assert!(path.starts_with(&exports) && path.extension().is_some_and(|e| e == "txt"));
    let body = std::fs::read_to_string(&path).expect("read");
    assert!(body.contains("：<b>订单</b> =1+1\n"), "{body}");
    assert!(body.contains("我方：收到"), "{body}");

    let html = dispatch(
        ctx,
        "conversation_export",
        json!({"openKfid": KF, "externalUserid": customer.as_str(), "format": "html"}),
    )
    .await
    .expect("html export");
    let page = std::fs::read_to_string(html["path"].as_str().expect("path")).expect("read");
    assert!(
        page.contains("&lt;b&gt;订单&lt;/b&gt;") && !page.contains("<b>订单"),
        "customer text is text"
    );

    let now = unix_now();
    let csv = dispatch(
        ctx,
        "messages_export",
        json!({"since": now - 3600, "until": now + 60}),
    )
    .await
    .expect("csv export");
    let rows = std::fs::read_to_string(csv["path"].as_str().expect("path")).expect("read");
    assert!(
        rows.starts_with("时间,账号,客户ID,客户,发送方,类型,内容\n"),
        "{rows}"
    );
    assert!(
        rows.contains(customer.as_str()) && rows.contains(",收到"),
        "{rows}"
    );
    assert!(csv["messages"].as_u64().is_some_and(|n| n >= 2));
    let bad = dispatch(
        ctx,
        "conversation_export",
        json!({"openKfid": KF, "externalUserid": customer.as_str(), "format": "../../x"}),
    )
    .await
    .expect_err("format");
    assert_eq!(bad.code, ErrorCode::BadRequest);
    f.stop().await;
}

#[tokio::test]
async fn received_files_open_with_the_system_app_save_without_overwriting_and_voice_plays() {
    let f = fixture(41, Box::new(MemorySecretStore::default())).await;
    let ctx = &f.ctx;
    let customer = f.customer_says(42, text("发给你们看看")).await;
    let upload = |name: &str, ct: &str, bytes: &'static [u8]| {
        f.em.state()
            .media_upload(Some("file"), name.into(), ct.into(), bytes.to_vec().into())
            .expect("upload")
            .0
    };
    let pdf = upload("../../发票.pdf", "application/pdf", b"%PDF-1.4 invoice");
    let script = upload("安装说明.pdf", "application/pdf", b"#!/bin/sh\nrm -rf ~\n");
    let (voice, _) =
        f.em.state()
            .media_upload(
                Some("voice"),
                "voice.amr".into(),
                "audio/amr".into(),
                kefu_emulator::scenario::media_file("voice_hello.amr")
                    .expect("fixture")
                    .to_vec()
                    .into(),
            )
            .expect("upload");
    for media_id in [pdf, script] {
        f.says(
            &customer,
            Body::File {
                file: kefu_wechat::message::Media { media_id },
            },
        )
        .await;
    }
    f.says(
        &customer,
        Body::Voice {
            voice: kefu_wechat::message::Media { media_id: voice },
        },
    )
    .await;
    let list = until(
        ctx,
        "message_list",
        json!({"externalUserid": customer}),
        |v| {
            v["messages"]
                .as_array()
                .is_some_and(|m| m.iter().filter(|x| x["media"]["state"] == "stored").count() == 3)
        },
    )
    .await;
    let msgs = list["messages"].as_array().expect("messages");
    let id_of = |kind: &str, nth: usize| {
        let m = msgs
            .iter()
            .filter(|m| m["msgtype"] == kind)
            .nth(nth)
            .expect("message");
        json!({"openKfid": KF, "msgid": m["msgid"]})
    };

    // Opening hands a copy with the sent name (its directories dropped) to the opener.
    let opened = dispatch(ctx, "media_open", id_of("file", 0))
        .await
        .expect("open");
    assert_eq!(opened["name"], "发票.pdf");
    let copy = std::path::PathBuf::from(opened["path"].as_str().expect("path"));
    assert!(copy.starts_with(f.dir.path().join("open")), "{copy:?}");
    assert_eq!(std::fs::read(&copy).expect("copy"), b"%PDF-1.4 invoice");
    let log = f.dir.path().join("opened.log");
    for _ in 0..100 {
        if log.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        std::fs::read_to_string(&log).expect("the opener ran"),
        format!("{}\n", copy.display())
    );

    // Saving twice makes two files in the downloads folder; neither overwrites.
    let exports = f.dir.path().join("exports");
    let first = dispatch(ctx, "media_save", id_of("file", 0))
        .await
        .expect("save");
    let second = dispatch(ctx, "media_save", id_of("file", 0))
        .await
        .expect("save again");
    assert_eq!(
        first["path"],
        exports.join("发票.pdf").display().to_string()
    );
    assert_eq!(second["name"], "发票 (2).pdf");

    // A program in disguise is not opened, but can be saved.
    let refused = dispatch(ctx, "media_open", id_of("file", 1))
        .await
        .expect_err("refused");
    assert_eq!(refused.code, ErrorCode::LooksLikeProgram);
    dispatch(ctx, "media_save", id_of("file", 1))
        .await
        .expect("save the script");
    assert_eq!(
        std::fs::read_to_string(&log).expect("log").lines().count(),
        1
    );

    // A voice is decoded once to a WAV the window may load, with its length and waveform.
    let clip = dispatch(ctx, "voice_clip", id_of("voice", 0))
        .await
        .expect("clip");
    let url = clip["url"].as_str().expect("url");
    let served = kefu_ipc::media_url::resolve(
        &ctx.engine.store,
        url.strip_prefix(kefu_ipc::media_url::MEDIA_ORIGIN)
            .expect("origin"),
    )
    .expect("the WAV is served");
    assert_eq!(served.content_type, "audio/wav");
    assert!(
        std::fs::read(&served.path)
            .expect("wav")
            .starts_with(b"RIFF")
    );
    let ms = clip["durationMs"].as_u64().expect("duration");
    assert!((7000..8500).contains(&ms), "{ms} ms");
    let bars = clip["waveform"].as_array().expect("waveform");
    assert_eq!(bars.len(), 48);
    assert!(bars.iter().any(|b| b == 100) && bars.iter().any(|b| b.as_u64() < Some(30)));
    let not_voice = dispatch(ctx, "voice_clip", id_of("file", 0))
        .await
        .expect_err("file");
    assert_eq!(not_voice.code, ErrorCode::BadRequest);
    let text_msg = id_of("text", 0);
    let none = dispatch(ctx, "media_save", text_msg)
        .await
        .expect_err("no media");
    assert_eq!(none.code, ErrorCode::NotFound);
    f.stop().await;
}

#[tokio::test]
async fn an_account_with_its_own_hours_is_named_closed_while_the_desk_is_open() {
    let f = fixture(43, Box::new(MemorySecretStore::default())).await;
    let ctx = &f.ctx;
    // The accounts are listed by the first sync.
    let settings = until(ctx, "settings_get", json!({}), |v| {
        v["accounts"].as_array().is_some_and(|a| a.len() >= 2)
    })
    .await;
    assert_eq!(settings["accountHours"], json!([]));
    let now = unix_now();
    // Open tomorrow only (ISO weekday at UTC): closed now, opening at tomorrow's midnight UTC.
    let tomorrow = ((now.div_euclid(86_400) + 1 + 3).rem_euclid(7) + 1) as u8;
    let hours = json!({"enabled": true, "days": [tomorrow], "openMinute": 0, "closeMinute": 1440,
        "offsetMinutes": 0, "awayText": "售后明天上班"});
    let saved = dispatch(
        ctx,
        "settings_set",
        json!({"accountHours": [{"openKfid": KF, "hours": hours}]}),
    )
    .await
    .expect("save");
    assert_eq!(saved["settings"]["accountHours"][0]["openKfid"], KF);
    assert_eq!(
        saved["settings"]["accountHours"][0]["hours"]["awayText"],
        "售后明天上班"
    );
    assert_eq!(saved["restartRequired"], false, "hours apply at once");
    let health = dispatch(ctx, "health_get", json!({}))
        .await
        .expect("health");
    assert_eq!(
        health["closedUntil"],
        Value::Null,
        "the other accounts are open"
    );
    let closed = health["closedAccounts"].as_array().expect("closed");
    assert_eq!(closed.len(), 1, "{closed:?}");
    assert_eq!(closed[0]["openKfid"], KF);
    assert_eq!(
        closed[0]["opensAt"].as_i64(),
        Some((now.div_euclid(86_400) + 1) * 86_400)
    );
    assert_eq!(ctx.engine.hours().of(KF).away_text, "售后明天上班");

    let bad = dispatch(
        ctx,
        "settings_set",
        json!({"accountHours": [{"openKfid": KF, "hours": {"enabled": true, "days": [8],
            "openMinute": 600, "closeMinute": 540, "offsetMinutes": 0, "awayText": ""}}]}),
    )
    .await
    .expect_err("invalid");
    assert_eq!(bad.code, ErrorCode::InvalidSetting);
    let cleared = dispatch(ctx, "settings_set", json!({"accountHours": []}))
        .await
        .expect("clear");
    assert_eq!(cleared["settings"]["accountHours"], json!([]));
    let health = dispatch(ctx, "health_get", json!({}))
        .await
        .expect("health");
    assert_eq!(health["closedAccounts"], json!([]));
    f.stop().await;
}
