//! Golden JSON from the API reference (tests/fixtures/) pins every wire shape: a field-name
//! mistake shared by the client and the emulator would otherwise be invisible to both.

use kefu_wechat::api::*;
use kefu_wechat::message::{Body, RawReason, SyncItem, decode_item};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixtures(dir: &str) -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir);
    let mut out: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("fixtures dir {}: {e}", root.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            (
                stem(&p),
                std::fs::read_to_string(&p).expect("fixture readable"),
            )
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no fixtures in {dir}");
    out
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .expect("file name")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn every_message_fixture_decodes_and_round_trips() {
    for (name, text) in fixtures("messages") {
        let json: Value = serde_json::from_str(&text).expect("fixture is JSON");
        let item = decode_item(json.clone());
        if name == "unknown_msgtype" {
            let SyncItem::Raw(raw) = item else {
                panic!("{name}: unknown msgtype must stay raw")
            };
            assert_eq!(raw.reason, RawReason::UnknownType);
            assert_eq!(
                raw.json, json,
                "{name}: raw items keep the JSON as received"
            );
            assert!(
                raw.msgid.is_some() && raw.open_kfid.is_some(),
                "{name}: ids are still read"
            );
            continue;
        }
        let SyncItem::Message(message) = item else {
            panic!("{name}: must decode, got {item:?}")
        };
        assert_eq!(message.body.msgtype(), json["msgtype"], "{name}: msgtype");
        let back = serde_json::to_value(&message).expect("serialise");
        if name == "channels_shop_product_head_img" {
            let Body::ChannelsShopProduct {
                channels_shop_product: p,
            } = &message.body
            else {
                panic!("{name}: product")
            };
            assert!(
                p.head_image.is_some() && p.shop_head_image.is_some(),
                "{name}: WxJava's head_img spelling is accepted"
            );
            continue;
        }
        assert_eq!(back, json, "{name}: every field survives decode + encode");
    }
}

#[test]
fn every_event_fixture_decodes_with_ids_from_the_event() {
    for (name, text) in fixtures("events") {
        let json: Value = serde_json::from_str(&text).expect("fixture is JSON");
        assert!(
            json.get("open_kfid").is_none(),
            "{name}: events carry ids inside `event` only"
        );
        let item = decode_item(json.clone());
        if name == "unknown_event" {
            let SyncItem::Raw(raw) = item else {
                panic!("{name}: unknown event_type must stay raw")
            };
            assert_eq!(raw.reason, RawReason::UnknownType);
            assert!(
                raw.open_kfid.is_some(),
                "{name}: account read from inside event"
            );
            continue;
        }
        let SyncItem::Message(message) = item else {
            panic!("{name}: must decode, got {item:?}")
        };
        assert_eq!(
            message.open_kfid().map(|k| k.as_str()),
            json["event"]["open_kfid"].as_str(),
            "{name}"
        );
        assert_eq!(
            serde_json::to_value(&message).expect("serialise"),
            json,
            "{name}: round trip"
        );
    }
}

fn reencode<T: DeserializeOwned + Serialize>(name: &str, text: &str) -> String {
    let typed: T = serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::to_string(&typed).expect("serialise")
}

#[test]
fn every_request_fixture_re_encodes_byte_for_byte() {
    for (name, text) in fixtures("requests") {
        let text = text.trim_end_matches('\n');
        let again = match name.as_str() {
            n if n.starts_with("sync_msg") => reencode::<SyncMsgRequest>(n, text),
            "send_msg_on_event" => reencode::<SendMsgOnEventRequest>(&name, text),
            n if n.starts_with("send_msg") => reencode::<SendMsgRequest>(n, text),
            "service_state_get" => reencode::<ServiceStateGetRequest>(&name, text),
            n if n.starts_with("service_state_trans") => {
                reencode::<ServiceStateTransRequest>(n, text)
            }
            "customer_batchget" => reencode::<CustomerBatchgetRequest>(&name, text),
            "account_list" => reencode::<AccountListRequest>(&name, text),
            other => panic!("no typed request for fixture {other}"),
        };
        assert_eq!(
            again, text,
            "{name}: the typed request must encode exactly as the API expects"
        );
    }
}

#[test]
fn every_response_fixture_decodes() {
    for (name, text) in fixtures("responses") {
        let json: Value = serde_json::from_str(&text).expect("fixture is JSON");
        let errcode = json["errcode"]
            .as_i64()
            .expect("every response has errcode");
        if name.starts_with("error_") {
            assert_ne!(errcode, 0, "{name}");
            assert_eq!(
                name.trim_start_matches("error_"),
                errcode.to_string(),
                "{name}: errcode matches the name"
            );
            assert!(
                kefu_wechat::error::errcode_meaning(errcode).is_some(),
                "{name}: errcode has a meaning"
            );
            continue;
        }
        assert_eq!(errcode, 0, "{name}");
        let ok = |r: Result<(), serde_json::Error>| r.unwrap_or_else(|e| panic!("{name}: {e}"));
        match name.as_str() {
            "gettoken" => ok(serde_json::from_value::<GetTokenResponse>(json).map(drop)),
            "account_list" => ok(serde_json::from_value::<AccountListResponse>(json)
                .map(|r| assert!(!r.account_list.is_empty()))),
            "servicer_list" => ok(
                serde_json::from_value::<ServicerListResponse>(json).map(|r| {
                    assert!(
                        r.servicer_list.iter().any(|s| s.department_id.is_some()),
                        "departments are listed too"
                    )
                }),
            ),
            "sync_msg" | "sync_msg_empty_has_more" => {
                ok(serde_json::from_value::<SyncMsgResponse>(json).map(|r| {
                    let page = SyncPage::from(r);
                    assert!(page.has_more, "{name}: has_more");
                    assert!(
                        page.items.iter().all(|i| matches!(i, SyncItem::Message(_))),
                        "{name}: items decode"
                    );
                }))
            }
            "send_msg" | "send_msg_on_event" => ok(serde_json::from_value::<SendMsgResponse>(json)
                .map(|r| assert!(!r.msgid.is_empty()))),
            "service_state_get" => {
                ok(serde_json::from_value::<ServiceStateGetResponse>(json).map(drop))
            }
            "service_state_trans" => ok(serde_json::from_value::<ServiceStateTransResponse>(json)
                .map(|r| assert!(r.msg_code.is_some()))),
            "customer_batchget" => ok(serde_json::from_value::<CustomerBatchgetResponse>(json)
                .map(|r| {
                    assert!(r.customer_list[0].enter_session_context.is_some());
                    assert!(!r.invalid_external_userid.is_empty());
                })),
            "media_upload" => ok(serde_json::from_value::<MediaUploadResponse>(json)
                .map(|r| assert!(!r.created_at.is_empty()))),
            other => panic!("no typed response for fixture {other}"),
        }
    }
}

#[test]
fn empty_optional_fields_are_omitted_not_sent_empty() {
    let req = SyncMsgRequest {
        open_kfid: Some("wk1".into()),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_string(&req).expect("serialise"),
        r#"{"open_kfid":"wk1"}"#
    );
    let send = SendMsgRequest {
        touser: "wm1".into(),
        open_kfid: "wk1".into(),
        msgid: None,
        content: kefu_wechat::send::Content::text("hi"),
    };
    assert!(
        !serde_json::to_string(&send)
            .expect("serialise")
            .contains("msgid"),
        "no empty msgid key"
    );
}
