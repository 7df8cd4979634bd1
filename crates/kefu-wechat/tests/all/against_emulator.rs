//! The client against the emulator over real HTTP on 127.0.0.1: endpoint by endpoint and rule
//! by rule, with the errcodes WeChat answers, and the emulator's faults.

use kefu_emulator::fault::{Fault, FaultRule};
use kefu_emulator::state::Config;
use kefu_emulator::{DEFAULT_CORP_ID, DEFAULT_SECRET, Emulator, Running, StartOptions};
use kefu_wechat::api::*;
use kefu_wechat::message::{Body, SyncItem, Text};
use kefu_wechat::send::{Content, MediaContent};
use kefu_wechat::{
    Client, ClientConfig, Error, ErrorClass, ExternalUserId, MsgId, OpenKfId, Secret,
};
use serde_json::json;

const KF: &str = "wkDemoAfterSales0000000000000001";

async fn emulator() -> Running {
    let em = Emulator::new(
        Config::default(),
        7,
        kefu_emulator::scenario::Scenario::builtin("default"),
    );
    kefu_emulator::start(em, StartOptions::default())
        .await
        .expect("emulator binds loopback")
}

fn client(base: &str) -> Client {
    Client::new(ClientConfig::new(
        base,
        DEFAULT_CORP_ID,
        Secret::new(DEFAULT_SECRET),
    ))
    .expect("client")
}

fn kf() -> OpenKfId {
    OpenKfId::from(KF)
}

/// A new customer who entered and wrote `text`.
fn customer_writes(em: &Emulator, text: &str) -> ExternalUserId {
    let c = kefu_emulator::sim::new_customer(em, &mut kefu_emulator::rng::Rng::new(5), None);
    let mut st = em.state();
    st.customer_enter(&kf(), &c, None).expect("enter");
    st.customer_says(
        &kf(),
        &c,
        Body::Text {
            text: Text {
                content: text.into(),
                menu_id: None,
            },
        },
    )
    .expect("say");
    c
}

fn text_to(c: &ExternalUserId, msgid: &str, text: &str) -> SendMsgRequest {
    SendMsgRequest {
        touser: c.clone(),
        open_kfid: kf(),
        msgid: Some(MsgId::from(msgid)),
        content: Content::text(text),
    }
}

fn api_code(r: Result<impl std::fmt::Debug, Error>) -> i64 {
    match r {
        Err(Error::Api { errcode, .. }) => errcode,
        other => panic!("expected an API error, got {other:?}"),
    }
}

async fn all_items(client: &Client) -> Vec<SyncItem> {
    let mut cursor = None;
    let mut items = Vec::new();
    loop {
        let page = client
            .sync_msg(&SyncMsgRequest {
                cursor: cursor.clone(),
                open_kfid: Some(kf()),
                limit: Some(7),
                ..Default::default()
            })
            .await
            .expect("sync");
        items.extend(page.items);
        cursor = Some(page.next_cursor);
        if !page.has_more {
            return items;
        }
    }
}

#[tokio::test]
async fn gettoken_checks_credentials_and_is_cached() {
    let emu = emulator().await;
    let wrong_secret = Client::new(ClientConfig::new(
        &emu.base_url,
        DEFAULT_CORP_ID,
        Secret::new("nope"),
    ))
    .expect("client");
    let err = wrong_secret
        .account_list()
        .await
        .expect_err("wrong secret fails");
    assert_eq!(err.errcode(), Some(40001));
    assert_eq!(
        err.class(),
        ErrorClass::Permanent,
        "a wrong secret is not fixed by refreshing"
    );
    let wrong_corp = Client::new(ClientConfig::new(
        &emu.base_url,
        "ww-other",
        Secret::new(DEFAULT_SECRET),
    ))
    .expect("client");
    assert_eq!(api_code(wrong_corp.account_list().await), 40013);

    let c = client(&emu.base_url);
    let before = emu.emulator.faults().calls("gettoken");
    for _ in 0..5 {
        c.account_list().await.expect("list");
    }
    assert_eq!(
        emu.emulator.faults().calls("gettoken") - before,
        1,
        "the token is fetched once and cached"
    );
    emu.stop().await;
}

#[tokio::test]
async fn token_errors_refresh_once_then_retry_once() {
    let emu = emulator().await;
    let c = client(&emu.base_url);
    c.account_list().await.expect("warm up");
    let em = &emu.emulator;

    em.state().invalidate_tokens();
    assert_eq!(
        c.account_list()
            .await
            .expect("40014 is healed by one refresh")
            .len(),
        2
    );
    em.state().expire_tokens();
    c.account_list()
        .await
        .expect("42001 is healed by one refresh");

    let gettoken_before = em.faults().calls("gettoken");
    em.faults().add(FaultRule {
        endpoint: "kf/account/list".into(),
        count: 2,
        fault: Fault::Errcode(40014),
    });
    let err = c
        .account_list()
        .await
        .expect_err("a second token error is not retried again");
    assert_eq!(err.class(), ErrorClass::RefreshToken);
    assert_eq!(
        em.faults().calls("gettoken") - gettoken_before,
        1,
        "exactly one refresh per call"
    );

    // Concurrent callers after an invalidation share one refresh.
    em.state().invalidate_tokens();
    let before = em.faults().calls("gettoken");
    let calls = (0..8).map(|_| c.account_list());
    for r in futures_util::future::join_all(calls).await {
        r.expect("all callers succeed");
    }
    assert!(
        em.faults().calls("gettoken") - before <= 2,
        "refreshes are single-flight, got {}",
        em.faults().calls("gettoken") - before
    );
    emu.stop().await;
}

#[tokio::test]
async fn secrets_and_tokens_never_appear_in_errors() {
    let emu = emulator().await;
    let c = client(&emu.base_url);
    let token = c.access_token().await.expect("token");
    // A server that is gone: the transport error must not carry the URL with the token.
    let dead = Client::new(ClientConfig::new(
        "http://127.0.0.1:9",
        DEFAULT_CORP_ID,
        Secret::new(DEFAULT_SECRET),
    ))
    .expect("client");
    let err = dead
        .account_list()
        .await
        .expect_err("nothing listens on port 9");
    assert_eq!(err.class(), ErrorClass::Retryable);
    emu.emulator.faults().add(FaultRule {
        endpoint: "kf/account/list".into(),
        count: 1,
        fault: Fault::Drop,
    });
    let dropped = c.account_list().await.expect_err("dropped connection");
    assert_eq!(
        dropped.class(),
        ErrorClass::Retryable,
        "a dropped connection is retryable: {dropped}"
    );
    for text in [
        format!("{err} {err:?}"),
        format!("{dropped} {dropped:?}"),
        format!("{c:?}"),
    ] {
        assert!(!text.contains(DEFAULT_SECRET), "secret leaked: {text}");
        assert!(!text.contains(token.expose()), "token leaked: {text}");
        assert!(
            !text.contains("access_token="),
            "URL with token leaked: {text}"
        );
    }
    emu.stop().await;
}

#[tokio::test]
async fn accounts_servicers_and_customers() {
    let emu = emulator().await;
    let c = client(&emu.base_url);
    let accounts = c.account_list().await.expect("accounts");
    assert!(
        accounts
            .iter()
            .any(|a| a.open_kfid == kf() && a.manage_privilege == Some(true))
    );
    let servicers = c.servicer_list(&kf()).await.expect("servicers");
    assert!(
        servicers.iter().any(|s| s.status == Some(0))
            && servicers.iter().any(|s| s.status == Some(1)),
        "receiving and stopped servicers"
    );
    assert_eq!(api_code(c.servicer_list(&"wkUnknown".into()).await), 95000);

    let active = customer_writes(&emu.emulator, "你好");
    let mut ids: Vec<ExternalUserId> = (0..149)
        .map(|i| ExternalUserId(format!("wmUnknown{i}")))
        .collect();
    ids.push(active.clone());
    let before = emu.emulator.faults().calls("kf/customer/batchget");
    let r = c.customer_batchget(&ids, true).await.expect("batchget");
    assert_eq!(
        emu.emulator.faults().calls("kf/customer/batchget") - before,
        2,
        "150 ids go in two calls of ≤ 100"
    );
    assert_eq!(r.customer_list.len(), 1);
    assert_eq!(r.customer_list[0].external_userid, active);
    assert_eq!(r.invalid_external_userid.len(), 149);

    emu.emulator.state().advance_clock(49 * 3600);
    let later = c
        .customer_batchget(std::slice::from_ref(&active), false)
        .await
        .expect("batchget");
    assert_eq!(
        later.invalid_external_userid,
        vec![active],
        "customers inactive for 48 h are no longer resolvable"
    );
    emu.stop().await;
}

#[tokio::test]
async fn sync_pages_with_cursor_and_never_returns_api_sends() {
    let emu = emulator().await;
    let c = client(&emu.base_url);
    let em = &emu.emulator;
    let customer = customer_writes(em, "第一条");
    for i in 0..20 {
        em.state()
            .customer_says(
                &kf(),
                &customer,
                Body::Text {
                    text: Text {
                        content: format!("消息{i}"),
                        menu_id: None,
                    },
                },
            )
            .expect("say");
    }
    c.send_msg(&text_to(&customer, "our_reply_1", "您好"))
        .await
        .expect("send");
    let items = all_items(&c).await;
    assert_eq!(items.len(), 22, "enter_session + 21 texts and nothing else");
    let mut ids: Vec<_> = items
        .iter()
        .map(|i| i.msgid().expect("id").clone())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 22, "no item is delivered twice across pages");
    assert!(
        !ids.contains(&MsgId::from("our_reply_1")),
        "send_msg messages are never returned by sync_msg"
    );

    // Incremental: only what came after the cursor.
    let page = c
        .sync_msg(&SyncMsgRequest {
            open_kfid: Some(kf()),
            ..Default::default()
        })
        .await
        .expect("sync");
    em.state()
        .customer_says(
            &kf(),
            &customer,
            Body::Text {
                text: Text {
                    content: "新消息".into(),
                    menu_id: None,
                },
            },
        )
        .expect("say");
    let next = c
        .sync_msg(&SyncMsgRequest {
            cursor: Some(page.next_cursor),
            open_kfid: Some(kf()),
            ..Default::default()
        })
        .await
        .expect("sync");
    assert_eq!(
        next.items.len(),
        1,
        "the cursor resumes after what was read"
    );

    assert!(
        matches!(
            c.sync_msg(&SyncMsgRequest::default()).await,
            Err(Error::InvalidRequest(_))
        ),
        "open_kfid is required and checked before sending"
    );
    let bad_limit = c
        .sync_msg(&SyncMsgRequest {
            open_kfid: Some(kf()),
            limit: Some(1001),
            ..Default::default()
        })
        .await;
    assert_eq!(api_code(bad_limit), 40058);
    emu.stop().await;
}

#[tokio::test]
async fn one_bad_item_never_fails_the_page() {
    let emu = emulator().await;
    let c = client(&emu.base_url);
    let em = &emu.emulator;
    let customer = customer_writes(em, "前");
    let now = em.state().now();
    em.state().append_raw(
        &kf(),
        json!({"msgid":"weird1","msgtype":"hologram","send_time":now,"origin":3,"open_kfid":KF}),
    );
    em.state().append_raw(&kf(), json!({"msgid":"weird2","msgtype":"text","send_time":now,"origin":3,"text":{"content":["not","a","string"]}}));
    em.state()
        .customer_says(
            &kf(),
            &customer,
            Body::Text {
                text: Text {
                    content: "后".into(),
                    menu_id: None,
                },
            },
        )
        .expect("say");
    let items = all_items(&c).await;
    assert_eq!(items.len(), 5);
    let raw: Vec<_> = items
        .iter()
        .filter(|i| matches!(i, SyncItem::Raw(_)))
        .map(|i| i.msgid().expect("id").as_str().to_owned())
        .collect();
    assert_eq!(
        raw,
        vec!["weird1", "weird2"],
        "unknown and malformed items stay raw with their msgid; the rest decode"
    );
    emu.stop().await;
}

#[tokio::test]
async fn sync_keeps_three_days_and_survives_page_faults() {
    let emu = emulator().await;
    let c = client(&emu.base_url);
    let em = &emu.emulator;
    let customer = customer_writes(em, "很久以前");
    em.state().advance_clock(3 * 24 * 3600 + 60);
    em.state()
        .customer_says(
            &kf(),
            &customer,
            Body::Text {
                text: Text {
                    content: "现在".into(),
                    menu_id: None,
                },
            },
        )
        .expect("say");
    let items = all_items(&c).await;
    assert_eq!(
        items.len(),
        1,
        "items older than three days are gone for good"
    );

    em.faults().add(FaultRule {
        endpoint: "kf/sync_msg".into(),
        count: 1,
        fault: Fault::EmptyHasMore,
    });
    let first = c
        .sync_msg(&SyncMsgRequest {
            open_kfid: Some(kf()),
            ..Default::default()
        })
        .await
        .expect("sync");
    assert!(
        first.items.is_empty() && first.has_more,
        "an empty page may still say has_more"
    );
    let second = c
        .sync_msg(&SyncMsgRequest {
            cursor: Some(first.next_cursor),
            open_kfid: Some(kf()),
            ..Default::default()
        })
        .await
        .expect("sync");
    assert_eq!(second.items.len(), 1);

    em.faults().add(FaultRule {
        endpoint: "kf/sync_msg".into(),
        count: 1,
        fault: Fault::RepeatItems(1),
    });
    em.state()
        .customer_says(
            &kf(),
            &customer,
            Body::Text {
                text: Text {
                    content: "再来".into(),
                    menu_id: None,
                },
            },
        )
        .expect("say");
    let third = c
        .sync_msg(&SyncMsgRequest {
            cursor: Some(second.next_cursor),
            open_kfid: Some(kf()),
            ..Default::default()
        })
        .await
        .expect("sync");
    assert_eq!(
        third.items.len(),
        2,
        "a repeated item comes with the new one"
    );
    assert_eq!(
        third.items[0].msgid(),
        second.items[0].msgid(),
        "the repeat is the item already delivered"
    );

    em.faults().add(FaultRule {
        endpoint: "kf/sync_msg".into(),
        count: 1,
        fault: Fault::Http(502),
    });
    let err = c
        .sync_msg(&SyncMsgRequest {
            open_kfid: Some(kf()),
            ..Default::default()
        })
        .await
        .expect_err("502");
    assert!(
        matches!(err, Error::Http { status: 502, .. }) && err.is_retryable(),
        "{err}"
    );
    em.faults().add(FaultRule {
        endpoint: "kf/sync_msg".into(),
        count: 1,
        fault: Fault::Errcode(45009),
    });
    let err = c
        .sync_msg(&SyncMsgRequest {
            open_kfid: Some(kf()),
            ..Default::default()
        })
        .await
        .expect_err("45009");
    assert_eq!(err.class(), ErrorClass::RateLimited);
    em.faults().add(FaultRule {
        endpoint: "kf/sync_msg".into(),
        count: 1,
        fault: Fault::DelayMs(300),
    });
    let started = std::time::Instant::now();
    c.sync_msg(&SyncMsgRequest {
        open_kfid: Some(kf()),
        ..Default::default()
    })
    .await
    .expect("a delay is only slow");
    assert!(started.elapsed().as_millis() >= 300);
    emu.stop().await;
}

#[tokio::test]
async fn send_rules_state_window_quota_and_msgid() {
    let emu = emulator().await;
    let c = client(&emu.base_url);
    let em = &emu.emulator;
    let customer = customer_writes(em, "在吗");
    let state = |c: &ExternalUserId| em.state().service_state_get(&kf(), c).expect("state").0;
    assert_eq!(
        state(&customer),
        0,
        "a customer message makes the session new (0)"
    );

    for i in 1..=5 {
        let r = c
            .send_msg(&text_to(&customer, &format!("r{i}"), "好的"))
            .await
            .expect("within quota");
        assert_eq!(r.msgid, format!("r{i}"), "our msgid is echoed");
    }
    assert_eq!(state(&customer), 1, "an API send moves 0 → 1");
    assert_eq!(
        api_code(c.send_msg(&text_to(&customer, "r6", "第六条")).await),
        95001,
        "the 6th reply is refused"
    );
    assert_eq!(
        api_code(c.send_msg(&text_to(&customer, "r1", "重复")).await),
        95001,
        "quota is checked first"
    );

    em.state()
        .customer_says(
            &kf(),
            &customer,
            Body::Text {
                text: Text {
                    content: "还有问题".into(),
                    menu_id: None,
                },
            },
        )
        .expect("say");
    c.send_msg(&text_to(&customer, "r7", "请说"))
        .await
        .expect("a customer message resets the allowance");
    assert_eq!(
        api_code(c.send_msg(&text_to(&customer, "r7", "again")).await),
        kefu_wechat::error::errcode::DUPLICATE_MSGID,
        "msgids are unique per account"
    );
    assert!(
        matches!(
            c.send_msg(&text_to(&customer, "bad id!", "x")).await,
            Err(Error::InvalidRequest(_))
        ),
        "msgid charset checked locally"
    );
    assert_eq!(
        api_code(
            c.send_msg(&text_to(&customer, "r8", &"长".repeat(700)))
                .await
        ),
        45002,
        "text over 2048 bytes"
    );
    assert_eq!(
        api_code(c.send_msg(&text_to(&customer, "r9", "")).await),
        44004,
        "empty text"
    );

    em.state().advance_clock(48 * 3600 + 1);
    assert_eq!(
        api_code(c.send_msg(&text_to(&customer, "r10", "晚了")).await),
        95002,
        "the 48 h window closed"
    );

    let other = customer_writes(em, "人工");
    em.state()
        .servicer_takes(&kf(), &other, &"zhangsan".into())
        .expect("take");
    assert_eq!(
        api_code(c.send_msg(&text_to(&other, "h1", "x")).await),
        95018,
        "a session with a human (3) cannot be answered by the API"
    );
    assert_eq!(
        api_code(c.send_msg(&text_to(&"wmNobody".into(), "n1", "x")).await),
        40096
    );

    // Asynchronous failure after a successful send.
    let third = customer_writes(em, "拒收");
    em.state().fail_next_deliveries.push(10);
    c.send_msg(&text_to(&third, "f1", "消息"))
        .await
        .expect("accepted");
    em.state().advance_clock(2);
    let items = all_items(&c).await;
    let failed = items.iter().any(|i| matches!(i, SyncItem::Message(m) if matches!(&m.body,
        Body::Event { event: kefu_wechat::event::Event::MsgSendFail { fail_msgid, fail_type: 10, .. } } if fail_msgid.as_str() == "f1")));
    assert!(
        failed,
        "msg_send_fail arrives later through sync_msg with our msgid"
    );
    let sent: Vec<_> = em.state().sent.iter().map(|s| s.msgid.clone()).collect();
    assert_eq!(
        sent,
        vec!["r1", "r2", "r3", "r4", "r5", "r7", "f1"],
        "the emulator accepted exactly these"
    );
    emu.stop().await;
}

#[tokio::test]
async fn welcome_code_is_single_use_and_expires_in_20_seconds() {
    let emu = emulator().await;
    let c = client(&emu.base_url);
    let em = &emu.emulator;
    let first = kefu_emulator::sim::new_customer(em, &mut kefu_emulator::rng::Rng::new(9), None);
    let code = em
        .state()
        .customer_enter(&kf(), &first, None)
        .expect("enter")
        .expect("a new customer gets a welcome code");
    let welcome = |code: &str, msgid: &str| SendMsgOnEventRequest {
        code: code.into(),
        msgid: Some(msgid.into()),
        content: Content::text("欢迎光临"),
    };
    c.send_msg_on_event(&welcome(&code, "w1"))
        .await
        .expect("welcome within 20 s");
    assert_eq!(
        api_code(c.send_msg_on_event(&welcome(&code, "w2")).await),
        95007,
        "a code is single use"
    );
    let again = em
        .state()
        .customer_enter(&kf(), &first, None)
        .expect("enter");
    assert_eq!(again, None, "no second welcome within 48 h");

    let second = kefu_emulator::sim::new_customer(em, &mut kefu_emulator::rng::Rng::new(10), None);
    let code = em
        .state()
        .customer_enter(&kf(), &second, None)
        .expect("enter")
        .expect("code");
    em.state().advance_clock(21);
    assert_eq!(
        api_code(c.send_msg_on_event(&welcome(&code, "w3")).await),
        95007,
        "welcome codes expire after 20 s"
    );
    let image = SendMsgOnEventRequest {
        code: "x".into(),
        msgid: None,
        content: Content::Image {
            image: MediaContent {
                media_id: "m".into(),
            },
        },
    };
    assert_eq!(
        api_code(c.send_msg_on_event(&image).await),
        40008,
        "only text and menus"
    );
    emu.stop().await;
}

#[tokio::test]
async fn service_state_transitions_and_codes() {
    let emu = emulator().await;
    let c = client(&emu.base_url);
    let em = &emu.emulator;
    let customer = customer_writes(em, "转人工");
    let get = ServiceStateGetRequest {
        open_kfid: kf(),
        external_userid: customer.clone(),
    };
    let trans = |to: u32, servicer: Option<&str>| ServiceStateTransRequest {
        open_kfid: kf(),
        external_userid: customer.clone(),
        service_state: to,
        servicer_userid: servicer.map(Into::into),
    };
    assert_eq!(
        c.service_state_get(&get).await.expect("get").service_state,
        0
    );
    let queued = c.service_state_trans(&trans(2, None)).await.expect("0 → 2");
    assert!(
        queued.msg_code.is_some(),
        "the first move into the queue returns a code"
    );
    assert_eq!(
        api_code(c.service_state_trans(&trans(1, None)).await),
        95016,
        "2 → 1 is not allowed"
    );
    assert_eq!(
        api_code(c.service_state_trans(&trans(3, Some("nobody"))).await),
        95014,
        "not a servicer"
    );
    assert_eq!(
        api_code(c.service_state_trans(&trans(3, Some("lisi"))).await),
        95019,
        "a stopped servicer"
    );
    c.service_state_trans(&trans(3, Some("zhangsan")))
        .await
        .expect("2 → 3");
    let got = c.service_state_get(&get).await.expect("get");
    assert_eq!(
        (
            got.service_state,
            got.servicer_userid.as_ref().map(|s| s.as_str())
        ),
        (3, Some("zhangsan"))
    );
    let ended = c.service_state_trans(&trans(4, None)).await.expect("3 → 4");
    assert!(ended.msg_code.is_some(), "ending returns a closing code");
    assert_eq!(
        api_code(c.service_state_trans(&trans(1, None)).await),
        95013,
        "nothing leaves an ended session by the API"
    );
    em.state()
        .customer_says(
            &kf(),
            &customer,
            Body::Text {
                text: Text {
                    content: "又来了".into(),
                    menu_id: None,
                },
            },
        )
        .expect("say");
    assert_eq!(
        c.service_state_get(&get).await.expect("get").service_state,
        0,
        "a customer message re-opens an ended session as new"
    );
    emu.stop().await;
}

#[tokio::test]
async fn media_upload_get_and_ranges() {
    let emu = emulator().await;
    let c = client(&emu.base_url);
    let em = &emu.emulator;
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let up = c
        .media_upload(
            MediaType::File,
            "退货凭证 (1).xlsx",
            "application/octet-stream",
            bytes.clone().into(),
        )
        .await
        .expect("upload");
    assert_eq!(up.media_type, "file");
    let (part, total) = c
        .media_get_range(&up.media_id, Some((1000, 1999)))
        .await
        .expect("range");
    assert_eq!((part.bytes.len(), total), (1000, Some(300_000)));
    assert_eq!(&part.bytes[..], &bytes[1000..2000]);
    let whole = c
        .media_download(&up.media_id, 1 << 30)
        .await
        .expect("download");
    assert_eq!(&whole.bytes[..], &bytes[..]);
    assert_eq!(
        whole.filename.as_deref(),
        Some("退货凭证 (1).xlsx"),
        "the file name comes back from Content-Disposition"
    );
    assert!(
        matches!(
            c.media_download(&up.media_id, 1000).await,
            Err(Error::InvalidRequest(_))
        ),
        "size limit respected"
    );

    assert!(matches!(
        c.media_upload(
            MediaType::Image,
            "x.png",
            "image/png",
            vec![1u8; 11 * 1024 * 1024].into()
        )
        .await,
        Err(Error::InvalidRequest(_))
    ));
    assert!(matches!(
        c.media_upload(MediaType::Image, "x.png", "image/png", vec![1u8; 3].into())
            .await,
        Err(Error::InvalidRequest(_))
    ));
    assert_eq!(
        api_code(
            c.media_upload(
                MediaType::Voice,
                "v.amr",
                "audio/amr",
                vec![0u8; 100].into()
            )
            .await
        ),
        40004,
        "voice must be AMR"
    );

    // A file over 20 MB (as from an async upload) is only served in ranges.
    let big: Vec<u8> = (0..(21 * 1024 * 1024u32))
        .map(|i| (i % 253) as u8)
        .collect();
    let (big_id, _) = em
        .state()
        .media_upload(
            Some("file"),
            "big.bin".into(),
            "application/octet-stream".into(),
            vec![0u8; 10].into(),
        )
        .expect("upload");
    em.state().media.get_mut(&big_id).expect("stored").bytes = big.clone().into();
    assert_eq!(
        api_code(c.media_get_range(&big_id, None).await),
        830002,
        "over 20 MB without Range"
    );
    let got = c
        .media_download(&big_id, 1 << 30)
        .await
        .expect("chunked download");
    assert!(got.bytes[..] == big[..], "chunks reassemble the file");

    em.state().advance_clock(3 * 24 * 3600);
    assert_eq!(
        api_code(c.media_get_range(&up.media_id, None).await),
        40007,
        "media ids expire after 3 days"
    );
    emu.stop().await;
}
