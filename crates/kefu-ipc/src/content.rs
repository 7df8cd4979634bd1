//! Message bodies for display: every message and event type the wire crate decodes becomes one
//! variant of [`MessageContent`] (tagged by `kind`); anything else is `unsupported`, never
//! dropped. Customer text stays text: the UI renders it as text, never as HTML.

use crate::dto::MessageDto;
use crate::media_url;
use kefu_core::store::MessageRow;
use kefu_wechat::event::{Event, fail_type_meaning};
use kefu_wechat::message::{Body, MenuItem};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A menu item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MenuItemDto {
    /// click | view | miniprogram | text.
    pub kind: String,
    /// Label or text.
    pub content: String,
    /// Menu id (click).
    pub id: Option<String>,
    /// URL (view).
    pub url: Option<String>,
}

/// An entry of a merged chat history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MergedItemDto {
    /// Display name of the sender.
    pub sender_name: String,
    /// Unix seconds.
    #[ts(type = "number")]
    pub send_time: i64,
    /// Type of the entry.
    pub msgtype: String,
    /// Its text, for text entries.
    pub text: Option<String>,
}

/// The body of a message, by kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
#[ts(export)]
pub enum MessageContent {
    /// Text.
    Text {
        /// The text (plain text).
        text: String,
        /// Set when the customer clicked a menu item.
        menu_id: Option<String>,
    },
    /// Image (see `media`).
    Image {},
    /// Voice (see `media`).
    Voice {},
    /// Video (see `media`).
    Video {},
    /// File (see `media`).
    File {
        /// Name as sent: display only.
        file_name: Option<String>,
        /// Bytes, once downloaded.
        #[ts(type = "number | null")]
        size: Option<i64>,
    },
    /// Location.
    Location {
        /// Place name.
        name: Option<String>,
        /// Address.
        address: Option<String>,
        /// Latitude.
        latitude: f64,
        /// Longitude.
        longitude: f64,
    },
    /// Link card (opened outside the app only on the agent's click).
    Link {
        /// Title.
        title: String,
        /// Description.
        desc: Option<String>,
        /// Target.
        url: String,
        /// Picture.
        pic_url: Option<String>,
    },
    /// Mini-program card.
    Miniprogram {
        /// Title.
        title: String,
        /// App id.
        appid: String,
        /// Page path.
        pagepath: String,
    },
    /// Menu.
    Msgmenu {
        /// Text before the items.
        head: Option<String>,
        /// Items.
        items: Vec<MenuItemDto>,
        /// Text after the items.
        tail: Option<String>,
    },
    /// Business card of a WeCom member.
    BusinessCard {
        /// The member.
        userid: String,
    },
    /// WeChat Channels shop product.
    ChannelsShopProduct {
        /// Product id.
        product_id: String,
        /// Title.
        title: String,
        /// Price in fen, as text.
        sales_price: String,
        /// Shop name.
        shop_nickname: String,
        /// Product image URL.
        head_image: Option<String>,
    },
    /// WeChat Channels shop order.
    ChannelsShopOrder {
        /// Order id.
        order_id: String,
        /// Product titles.
        product_titles: String,
        /// Price as displayed.
        price_wording: String,
        /// Order state as displayed.
        state: String,
        /// Shop name.
        shop_nickname: String,
        /// Image URL.
        image_url: Option<String>,
    },
    /// WeChat Channels post, live or profile.
    Channels {
        /// 1 post, 2 live, 3 profile.
        sub_type: u32,
        /// Channels name.
        nickname: String,
        /// Post title.
        title: Option<String>,
    },
    /// Merged chat history.
    MergedMsg {
        /// Title.
        title: String,
        /// Entries.
        items: Vec<MergedItemDto>,
    },
    /// Note (fields not published).
    Note {},
    /// Meeting (fields not published).
    Meeting {},
    /// Schedule (fields not published).
    Schedule {},
    /// A system event, shown as a system line.
    Event {
        /// enter_session | msg_send_fail | servicer_status_change | session_status_change |
        /// user_recall_msg | servicer_recall_msg | reject_customer_msg_switch_change.
        event_type: String,
        /// What happened, in English (the UI localises by `eventType` and `code`).
        text: String,
        /// change_type (session_status_change), fail_type (msg_send_fail), status
        /// (servicer_status_change), reject_switch (reject_customer_msg_switch_change).
        code: Option<u32>,
        /// The servicer involved.
        servicer_userid: Option<String>,
    },
    /// A type this version does not know, or an item that did not match its type.
    Unsupported {
        /// Its msgtype as received.
        msgtype: String,
    },
}

/// A media file of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MediaRef {
    /// pending | stored | failed.
    pub state: String,
    /// `kefu-media://…` URL once stored.
    pub url: Option<String>,
    /// Content type, when known.
    pub content_type: Option<String>,
    /// Bytes, when known.
    #[ts(type = "number | null")]
    pub size: Option<i64>,
}

fn event_content(event: &Event) -> MessageContent {
    let (text, code, servicer) = match event {
        Event::EnterSession { scene, .. } => (
            match scene {
                Some(s) => format!("the customer entered (scene {s})"),
                None => "the customer entered".to_owned(),
            },
            None,
            None,
        ),
        Event::MsgSendFail { fail_type, .. } => (
            format!(
                "a message was not delivered: {}",
                fail_type_meaning(*fail_type)
            ),
            Some(*fail_type),
            None,
        ),
        Event::ServicerStatusChange {
            servicer_userid,
            status,
            ..
        } => (
            format!(
                "servicer {servicer_userid} {}",
                if *status == 1 {
                    "started receiving"
                } else {
                    "stopped receiving"
                }
            ),
            Some(*status),
            Some(servicer_userid.to_string()),
        ),
        Event::SessionStatusChange {
            change_type,
            new_servicer_userid,
            old_servicer_userid,
            ..
        } => {
            let text = match change_type {
                1 => "a servicer took the session in WeCom",
                2 => "the session was transferred in WeCom",
                3 => "a servicer ended the session in WeCom",
                4 => "a servicer re-opened the session in WeCom",
                _ => "the session changed in WeCom",
            };
            let who = new_servicer_userid
                .as_ref()
                .or(old_servicer_userid.as_ref());
            (
                text.to_owned(),
                Some(*change_type),
                who.map(|s| s.to_string()),
            )
        }
        Event::UserRecallMsg { .. } => ("the customer recalled a message".to_owned(), None, None),
        Event::ServicerRecallMsg {
            servicer_userid, ..
        } => (
            "a servicer recalled a message".to_owned(),
            None,
            servicer_userid.as_ref().map(|s| s.to_string()),
        ),
        Event::RejectCustomerMsgSwitchChange {
            servicer_userid,
            reject_switch,
            ..
        } => (
            if *reject_switch == 1 {
                "a servicer is rejecting this customer's messages"
            } else {
                "a servicer stopped rejecting this customer's messages"
            }
            .to_owned(),
            Some(*reject_switch),
            Some(servicer_userid.to_string()),
        ),
    };
    MessageContent::Event {
        event_type: event.event_type().to_owned(),
        text,
        code,
        servicer_userid: servicer,
    }
}

fn menu_item(item: &MenuItem) -> MenuItemDto {
    let (kind, content, id, url) = match item {
        MenuItem::Click { click } => ("click", click.content.clone(), click.id.clone(), None),
        MenuItem::View { view } => ("view", view.content.clone(), None, Some(view.url.clone())),
        MenuItem::Miniprogram { miniprogram } => {
            ("miniprogram", miniprogram.content.clone(), None, None)
        }
        MenuItem::Text { text } => ("text", text.content.clone(), None, None),
    };
    MenuItemDto {
        kind: kind.into(),
        content,
        id,
        url,
    }
}

/// The display body of a wire body; `file_name`/`size` come from the downloaded file.
pub fn from_body(body: &Body, file_name: Option<String>, size: Option<i64>) -> MessageContent {
    match body {
        Body::Text { text } => MessageContent::Text {
            text: text.content.clone(),
            menu_id: text.menu_id.clone(),
        },
        Body::Image { .. } => MessageContent::Image {},
        Body::Voice { .. } => MessageContent::Voice {},
        Body::Video { .. } => MessageContent::Video {},
        Body::File { .. } => MessageContent::File { file_name, size },
        Body::Location { location: l } => MessageContent::Location {
            name: l.name.clone(),
            address: l.address.clone(),
            latitude: l.latitude,
            longitude: l.longitude,
        },
        Body::Link { link } => MessageContent::Link {
            title: link.title.clone(),
            desc: link.desc.clone(),
            url: link.url.clone(),
            pic_url: link.pic_url.clone(),
        },
        Body::BusinessCard { business_card } => MessageContent::BusinessCard {
            userid: business_card.userid.clone(),
        },
        Body::Miniprogram { miniprogram: m } => MessageContent::Miniprogram {
            title: m.title.clone(),
            appid: m.appid.clone(),
            pagepath: m.pagepath.clone(),
        },
        Body::Msgmenu { msgmenu } => MessageContent::Msgmenu {
            head: msgmenu.head_content.clone(),
            items: msgmenu.list.iter().map(menu_item).collect(),
            tail: msgmenu.tail_content.clone(),
        },
        Body::ChannelsShopProduct {
            channels_shop_product: p,
        } => MessageContent::ChannelsShopProduct {
            product_id: p.product_id.clone(),
            title: p.title.clone(),
            sales_price: p.sales_price.clone(),
            shop_nickname: p.shop_nickname.clone(),
            head_image: p.head_image.clone(),
        },
        Body::ChannelsShopOrder {
            channels_shop_order: o,
        } => MessageContent::ChannelsShopOrder {
            order_id: o.order_id.clone(),
            product_titles: o.product_titles.clone(),
            price_wording: o.price_wording.clone(),
            state: o.state.clone(),
            shop_nickname: o.shop_nickname.clone(),
            image_url: o.image_url.clone(),
        },
        Body::Channels { channels: c } => MessageContent::Channels {
            sub_type: c.sub_type,
            nickname: c.nickname.clone(),
            title: c.title.clone(),
        },
        Body::MergedMsg { merged_msg } => MessageContent::MergedMsg {
            title: merged_msg.title.clone(),
            items: merged_msg
                .item
                .iter()
                .map(|i| MergedItemDto {
                    sender_name: i.sender_name.clone(),
                    send_time: i.send_time,
                    msgtype: i.msgtype.clone(),
                    text: i.content().and_then(|v| {
                        v.pointer("/text/content")
                            .or_else(|| v.get("content"))
                            .and_then(|t| t.as_str())
                            .map(str::to_owned)
                    }),
                })
                .collect(),
        },
        Body::Note { .. } => MessageContent::Note {},
        Body::Meeting { .. } => MessageContent::Meeting {},
        Body::Schedule { .. } => MessageContent::Schedule {},
        Body::Event { event } => event_content(event),
    }
}

/// A reply's file, as the outbox stores it.
#[derive(Deserialize)]
struct Upload {
    media_type: String,
    path: String,
    filename: String,
    content_type: String,
}

impl From<MessageRow> for MessageDto {
    fn from(r: MessageRow) -> Self {
        let value: Option<serde_json::Value> = serde_json::from_str(&r.json).ok();
        let upload = value
            .as_ref()
            .and_then(|v| v.get("upload"))
            .and_then(|u| serde_json::from_value::<Upload>(u.clone()).ok());
        let unsupported = || MessageContent::Unsupported {
            msgtype: r.msgtype.clone(),
        };
        let (content, media) = if r.raw {
            (unsupported(), None)
        } else if let Some(u) = upload {
            // An image or file reply: its copy in the data directory is what was sent.
            let content = match u.media_type.as_str() {
                "image" => MessageContent::Image {},
                "voice" => MessageContent::Voice {},
                "video" => MessageContent::Video {},
                _ => MessageContent::File {
                    file_name: Some(u.filename),
                    size: None,
                },
            };
            let media = MediaRef {
                state: "stored".into(),
                url: media_url::url(&u.path),
                content_type: Some(u.content_type),
                size: None,
            };
            (content, Some(media))
        } else {
            let body = value.and_then(|v| serde_json::from_value::<Body>(v).ok());
            let (file_name, size) = r
                .media
                .as_ref()
                .map(|m| (m.filename.clone(), m.size))
                .unwrap_or_default();
            let content = body
                .map(|b| from_body(&b, file_name, size))
                .unwrap_or_else(unsupported);
            let media = r.media.as_ref().map(|m| MediaRef {
                state: m.state.clone(),
                url: (m.state == "stored")
                    .then(|| m.path.as_deref().and_then(media_url::url))
                    .flatten(),
                content_type: m.content_type.clone(),
                size: m.size,
            });
            (content, media)
        };
        let fail_reason = r
            .delivery_error
            .clone()
            .filter(|_| r.delivery.as_deref() == Some("failed"));
        MessageDto {
            id: r.id,
            msgid: r.msgid,
            open_kfid: r.open_kfid,
            external_userid: r.external_userid,
            send_time: r.send_time,
            origin: r.origin,
            msgtype: r.msgtype,
            servicer_userid: r.servicer_userid,
            text: r.text,
            content,
            media,
            recalled: r.recalled,
            delivery: r.delivery,
            fail_reason,
            sent_by: r.sent_by,
        }
    }
}
