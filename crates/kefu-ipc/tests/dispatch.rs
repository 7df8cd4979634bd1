//! The UI contract end to end: `dispatch()` against the engine, the worker and the emulator
//! over real HTTP, with a real SQLite file.

use kefu_core::clock::SystemClock;
use kefu_core::engine::Engine;
use kefu_core::store::Store;
use kefu_emulator::{DEFAULT_CORP_ID, DEFAULT_SECRET, Emulator, StartOptions};
use kefu_ipc::{Context, ErrorCode, Mode, dispatch};
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

#[tokio::test]
async fn a_customer_arrives_is_claimed_and_answered_through_the_contract() {
    let em = Emulator::demo(5);
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
    let engine = Engine::new(Arc::new(client), store, Arc::new(SystemClock));
    let (worker, task) =
        kefu_core::worker::spawn(engine.clone(), vec![KF.into()], dir.path().to_owned());
    let ctx = Context {
        engine,
        worker,
        agent: "ann".into(),
        mode: Mode::Demo,
        api_base: running.base_url.clone(),
    };

    let info = dispatch(&ctx, "app_info", json!({}))
        .await
        .expect("app_info");
    assert_eq!(info["mode"], "demo");
    assert_eq!(
        info["apiBase"],
        running.base_url.as_str(),
        "DTOs are camelCase"
    );

    let kf = OpenKfId::from(KF);
    let customer =
        kefu_emulator::sim::new_customer(&em, &mut kefu_emulator::rng::Rng::new(1), None);
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
    dispatch(&ctx, "sync_now", json!({}))
        .await
        .expect("sync_now");
    let list = until(&ctx, "session_list", json!({}), |v| {
        v["sessions"].as_array().is_some_and(|s| !s.is_empty())
    })
    .await;
    assert_eq!(list["sessions"][0]["localState"], "waiting");
    assert_eq!(list["sessions"][0]["repliesLeft"], 5);

    let who = json!({"openKfid": KF, "externalUserid": customer.as_str()});
    assert_eq!(
        dispatch(&ctx, "session_claim", who.clone())
            .await
            .expect("claim")["localState"],
        "mine"
    );
    let err = dispatch(&ctx, "session_claim", who.clone())
        .await
        .expect_err("claimed twice");
    assert_eq!(
        err.code,
        ErrorCode::NotWaiting,
        "errors carry a code for the UI to localise"
    );

    for i in 0..5 {
        let sent = dispatch(&ctx, "reply_send", json!({"openKfid": KF, "externalUserid": customer.as_str(), "text": format!("回复{i}")})).await.expect("reply");
        assert_eq!(
            sent["state"], "queued",
            "a reply is durable and queued at once"
        );
    }
    let sixth = dispatch(
        &ctx,
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
        &ctx,
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

    let unknown = dispatch(&ctx, "drop_tables", json!({}))
        .await
        .expect_err("unknown");
    assert_eq!(unknown.code, ErrorCode::UnknownCommand);
    let bad = dispatch(&ctx, "message_list", json!({"nope": 1}))
        .await
        .expect_err("bad request");
    assert_eq!(bad.code, ErrorCode::BadRequest);
    for cmd in kefu_ipc::COMMANDS {
        let r = dispatch(&ctx, cmd, json!({})).await;
        assert!(
            !matches!(r, Err(ref e) if e.code == ErrorCode::UnknownCommand),
            "{cmd} is dispatched"
        );
    }

    ctx.worker.send(kefu_core::worker::Command::Stop).await;
    let _ = task.await;
    running.stop().await;
}
