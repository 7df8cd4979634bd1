//! Items of a `kf/sync_msg` page: customer messages (origin 3), events (origin 4) and replies
//! typed by a servicer in the WeCom client (origin 5).
//!
//! Invariant: decoding is per item. [`decode_item`] never fails; an item with an unknown
//! `msgtype`/`event_type`, or one that does not match its type's shape, becomes a [`RawItem`]
//! that keeps the original JSON and whatever ids could be read from it.

use crate::event::{Event, KNOWN_EVENT_TYPES};
use crate::id::{ExternalUserId, MsgId, OpenKfId, ServicerId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Who produced an item (`origin`).
pub mod origin {
    /// Sent by the WeChat customer.
    pub const CUSTOMER: u32 = 3;
    /// Pushed by the system (events).
    pub const SYSTEM: u32 = 4;
    /// Sent by a servicer from the WeCom client.
    pub const SERVICER: u32 = 5;
}

/// A decoded `msg_list` item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Message id.
    pub msgid: MsgId,
    /// Account; absent on events (see [`Message::open_kfid`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_kfid: Option<OpenKfId>,
    /// Customer; absent on events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_userid: Option<ExternalUserId>,
    /// Unix seconds.
    pub send_time: i64,
    /// See [`origin`].
    pub origin: u32,
    /// Servicer, only for origin 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub servicer_userid: Option<ServicerId>,
    /// The typed body, selected by `msgtype`.
    #[serde(flatten)]
    pub body: Body,
}

impl Message {
    /// The account, read from the event for events.
    pub fn open_kfid(&self) -> Option<&OpenKfId> {
        match &self.body {
            Body::Event { event } => Some(event.open_kfid()),
            _ => self.open_kfid.as_ref(),
        }
    }

    /// The customer, read from the event for events.
    pub fn external_userid(&self) -> Option<&ExternalUserId> {
        match &self.body {
            Body::Event { event } => event.external_userid(),
            _ => self.external_userid.as_ref(),
        }
    }
}

/// Message bodies by `msgtype`; each variant holds the object of the same name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "msgtype", rename_all = "snake_case")]
pub enum Body {
    /// Text.
    Text {
        /// Body.
        text: Text,
    },
    /// Image.
    Image {
        /// Body.
        image: Media,
    },
    /// Voice (AMR unless SILK was asked for).
    Voice {
        /// Body.
        voice: Media,
    },
    /// Video.
    Video {
        /// Body.
        video: Media,
    },
    /// File; its name comes from `media/get`'s Content-Disposition.
    File {
        /// Body.
        file: Media,
    },
    /// Location.
    Location {
        /// Body.
        location: Location,
    },
    /// Link card.
    Link {
        /// Body.
        link: Link,
    },
    /// Business card.
    BusinessCard {
        /// Body.
        business_card: BusinessCard,
    },
    /// Mini-program card.
    Miniprogram {
        /// Body.
        miniprogram: Miniprogram,
    },
    /// Menu.
    Msgmenu {
        /// Body.
        msgmenu: Menu,
    },
    /// WeChat Channels shop product.
    ChannelsShopProduct {
        /// Body.
        channels_shop_product: ChannelsShopProduct,
    },
    /// WeChat Channels shop order.
    ChannelsShopOrder {
        /// Body.
        channels_shop_order: ChannelsShopOrder,
    },
    /// Merged chat history (聊天记录).
    MergedMsg {
        /// Body.
        merged_msg: MergedMsg,
    },
    /// WeChat Channels post, live or profile.
    Channels {
        /// Body.
        channels: Channels,
    },
    /// Meeting; body fields unconfirmed, kept as JSON.
    Meeting {
        /// Body.
        #[serde(default)]
        meeting: Value,
    },
    /// Schedule; body fields unconfirmed, kept as JSON.
    Schedule {
        /// Body.
        #[serde(default)]
        schedule: Value,
    },
    /// Note; body fields unconfirmed, kept as JSON.
    Note {
        /// Body.
        #[serde(default)]
        note: Value,
    },
    /// A system event.
    Event {
        /// Body.
        event: Event,
    },
}

impl Body {
    /// The wire `msgtype`.
    pub fn msgtype(&self) -> &'static str {
        match self {
            Body::Text { .. } => "text",
            Body::Image { .. } => "image",
            Body::Voice { .. } => "voice",
            Body::Video { .. } => "video",
            Body::File { .. } => "file",
            Body::Location { .. } => "location",
            Body::Link { .. } => "link",
            Body::BusinessCard { .. } => "business_card",
            Body::Miniprogram { .. } => "miniprogram",
            Body::Msgmenu { .. } => "msgmenu",
            Body::ChannelsShopProduct { .. } => "channels_shop_product",
            Body::ChannelsShopOrder { .. } => "channels_shop_order",
            Body::MergedMsg { .. } => "merged_msg",
            Body::Channels { .. } => "channels",
            Body::Meeting { .. } => "meeting",
            Body::Schedule { .. } => "schedule",
            Body::Note { .. } => "note",
            Body::Event { .. } => "event",
        }
    }

    /// The media id of an image, voice, video or file.
    pub fn media_id(&self) -> Option<&str> {
        match self {
            Body::Image { image: m }
            | Body::Voice { voice: m }
            | Body::Video { video: m }
            | Body::File { file: m } => Some(&m.media_id),
            _ => None,
        }
    }
}

/// Every `msgtype` this crate decodes.
pub const KNOWN_MSGTYPES: [&str; 18] = [
    "text",
    "image",
    "voice",
    "video",
    "file",
    "location",
    "link",
    "business_card",
    "miniprogram",
    "msgmenu",
    "channels_shop_product",
    "channels_shop_order",
    "merged_msg",
    "channels",
    "meeting",
    "schedule",
    "note",
    "event",
];

/// Text body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Text {
    /// The text.
    pub content: String,
    /// Set when the text was produced by the customer clicking a menu item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub menu_id: Option<String>,
}

/// Image, voice, video or file body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Media {
    /// Temporary media id (valid 3 days); fetch with `media/get`.
    pub media_id: String,
}

/// Location body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// Latitude.
    pub latitude: f64,
    /// Longitude.
    pub longitude: f64,
    /// Place name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// Link card body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
    /// Target URL.
    #[serde(default)]
    pub url: String,
    /// Picture URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pic_url: Option<String>,
}

/// Business card body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BusinessCard {
    /// The WeCom member on the card.
    pub userid: String,
}

/// Mini-program card body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Miniprogram {
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Mini-program app id.
    #[serde(default)]
    pub appid: String,
    /// Page path.
    #[serde(default)]
    pub pagepath: String,
    /// Cover media id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumb_media_id: Option<String>,
}

/// Menu body (inbound `msgmenu` and outbound menus share it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Menu {
    /// Text before the items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_content: Option<String>,
    /// Items.
    #[serde(default)]
    pub list: Vec<MenuItem>,
    /// Text after the items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tail_content: Option<String>,
}

/// One menu item, tagged by `type`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MenuItem {
    /// Clicking sends a text with `menu_id` = `id`.
    Click {
        /// Item.
        click: MenuClick,
    },
    /// Opens a URL.
    View {
        /// Item.
        view: MenuView,
    },
    /// Opens a mini-program.
    Miniprogram {
        /// Item.
        miniprogram: MenuMiniprogram,
    },
    /// Plain text line.
    Text {
        /// Item.
        text: MenuText,
    },
}

/// `click` menu item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MenuClick {
    /// Menu id echoed back as `menu_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Label.
    pub content: String,
}

/// `view` menu item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MenuView {
    /// URL.
    pub url: String,
    /// Label.
    pub content: String,
}

/// `miniprogram` menu item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MenuMiniprogram {
    /// App id.
    pub appid: String,
    /// Page path.
    pub pagepath: String,
    /// Label.
    pub content: String,
}

/// `text` menu item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MenuText {
    /// Text (a literal `\n` breaks lines).
    pub content: String,
    /// 1 = no newline after the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_newline: Option<u32>,
}

/// WeChat Channels shop product body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelsShopProduct {
    /// Product id.
    #[serde(default)]
    pub product_id: String,
    /// Product image; WxJava spells it `head_img`, so both are accepted.
    #[serde(default, alias = "head_img", skip_serializing_if = "Option::is_none")]
    pub head_image: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Price in fen, as a string.
    #[serde(default)]
    pub sales_price: String,
    /// Shop name.
    #[serde(default)]
    pub shop_nickname: String,
    /// Shop avatar; also accepted as `shop_head_img`.
    #[serde(
        default,
        alias = "shop_head_img",
        skip_serializing_if = "Option::is_none"
    )]
    pub shop_head_image: Option<String>,
}

/// WeChat Channels shop order body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelsShopOrder {
    /// Order id.
    #[serde(default)]
    pub order_id: String,
    /// Product titles, comma separated.
    #[serde(default)]
    pub product_titles: String,
    /// Price as displayed.
    #[serde(default)]
    pub price_wording: String,
    /// Order state as displayed.
    #[serde(default)]
    pub state: String,
    /// Image URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// Shop name.
    #[serde(default)]
    pub shop_nickname: String,
}

/// Merged chat history body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MergedMsg {
    /// Title, e.g. "XXX的聊天记录".
    #[serde(default)]
    pub title: String,
    /// Entries.
    #[serde(default)]
    pub item: Vec<MergedItem>,
}

/// One entry of a merged chat history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MergedItem {
    /// Unix seconds.
    #[serde(default)]
    pub send_time: i64,
    /// Type of the entry.
    #[serde(default)]
    pub msgtype: String,
    /// Display name of the sender.
    #[serde(default)]
    pub sender_name: String,
    /// The entry's body, itself a JSON document in a string (parse with [`MergedItem::content`]).
    #[serde(default)]
    pub msg_content: String,
}

impl MergedItem {
    /// The entry's body parsed from its JSON string; `None` when it is not valid JSON.
    pub fn content(&self) -> Option<Value> {
        serde_json::from_str(&self.msg_content).ok()
    }
}

/// WeChat Channels body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Channels {
    /// 1 post, 2 live, 3 profile card.
    #[serde(default)]
    pub sub_type: u32,
    /// Channels name.
    #[serde(default)]
    pub nickname: String,
    /// Post title (sub_type 1 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// Why an item was kept raw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawReason {
    /// A `msgtype` or `event_type` this version does not know.
    UnknownType,
    /// A known type whose fields did not match; the text says what failed.
    Malformed(String),
}

/// An item kept as its original JSON, with whatever could be read from it.
#[derive(Clone, Debug, PartialEq)]
pub struct RawItem {
    /// Message id, when the item had one.
    pub msgid: Option<MsgId>,
    /// `msgtype`, when present.
    pub msgtype: Option<String>,
    /// Account, from the top level or from `event`.
    pub open_kfid: Option<OpenKfId>,
    /// Customer, from the top level or from `event`.
    pub external_userid: Option<ExternalUserId>,
    /// Unix seconds, when present.
    pub send_time: Option<i64>,
    /// Origin, when present.
    pub origin: Option<u32>,
    /// Why it is raw.
    pub reason: RawReason,
    /// The item as received.
    pub json: Value,
}

/// One item of a page, decoded or kept raw.
#[derive(Clone, Debug, PartialEq)]
pub enum SyncItem {
    /// A decoded item.
    Message(Message),
    /// An item that could not be decoded.
    Raw(RawItem),
}

impl SyncItem {
    /// The item's msgid, when known.
    pub fn msgid(&self) -> Option<&MsgId> {
        match self {
            SyncItem::Message(m) => Some(&m.msgid),
            SyncItem::Raw(r) => r.msgid.as_ref(),
        }
    }
}

/// Decodes one `msg_list` item. Never fails: see the module invariant.
pub fn decode_item(json: Value) -> SyncItem {
    let msgtype = json
        .get("msgtype")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let event_type = json
        .get("event")
        .and_then(|e| e.get("event_type"))
        .and_then(Value::as_str);
    let known = match msgtype.as_deref() {
        Some("event") => event_type.is_some_and(|t| KNOWN_EVENT_TYPES.contains(&t)),
        Some(t) => KNOWN_MSGTYPES.contains(&t),
        None => false,
    };
    if known {
        match Message::deserialize(&json) {
            Ok(m) => return SyncItem::Message(m),
            Err(e) => return SyncItem::Raw(raw(json, RawReason::Malformed(e.to_string()))),
        }
    }
    let reason = if msgtype.is_none() {
        RawReason::Malformed("missing msgtype".into())
    } else {
        RawReason::UnknownType
    };
    SyncItem::Raw(raw(json, reason))
}

fn raw(json: Value, reason: RawReason) -> RawItem {
    let str_at = |key: &str| {
        json.get(key)
            .or_else(|| json.get("event").and_then(|e| e.get(key)))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    RawItem {
        msgid: str_at("msgid").map(MsgId),
        msgtype: json
            .get("msgtype")
            .and_then(Value::as_str)
            .map(str::to_owned),
        open_kfid: str_at("open_kfid").map(OpenKfId),
        external_userid: str_at("external_userid").map(ExternalUserId),
        send_time: json.get("send_time").and_then(Value::as_i64),
        origin: json
            .get("origin")
            .and_then(Value::as_u64)
            .and_then(|o| u32::try_from(o).ok()),
        reason,
        json,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_and_malformed_items_stay_raw_with_their_ids() {
        let unknown = decode_item(
            json!({"msgid":"m1","msgtype":"hologram","send_time":5,"origin":3,
            "open_kfid":"wk1","external_userid":"wm1","hologram":{}}),
        );
        let SyncItem::Raw(r) = unknown else {
            panic!("unknown msgtype must stay raw")
        };
        assert_eq!(r.reason, RawReason::UnknownType);
        assert_eq!(r.msgid, Some(MsgId::from("m1")));
        assert_eq!(r.open_kfid, Some(OpenKfId::from("wk1")));

        let malformed = decode_item(
            json!({"msgid":"m2","msgtype":"text","send_time":5,"origin":3,
            "text":{"content":42}}),
        );
        assert!(
            matches!(
                malformed,
                SyncItem::Raw(RawItem {
                    reason: RawReason::Malformed(_),
                    ..
                })
            ),
            "a known type with a wrong field type must stay raw, not fail"
        );

        let unknown_event = decode_item(
            json!({"msgid":"m3","msgtype":"event","send_time":5,"origin":4,
            "event":{"event_type":"future","open_kfid":"wk9","external_userid":"wm9"}}),
        );
        let SyncItem::Raw(r) = unknown_event else {
            panic!("unknown event must stay raw")
        };
        assert_eq!(r.reason, RawReason::UnknownType);
        assert_eq!(
            r.open_kfid,
            Some(OpenKfId::from("wk9")),
            "ids are read from inside event"
        );

        let not_an_object = decode_item(json!("garbage"));
        assert!(matches!(not_an_object, SyncItem::Raw(_)));
    }

    #[test]
    fn events_take_ids_from_the_event_object() {
        let item = decode_item(
            json!({"msgid":"e1","msgtype":"event","send_time":5,"origin":4,
            "event":{"event_type":"enter_session","open_kfid":"wk1","external_userid":"wm1","welcome_code":"c"}}),
        );
        let SyncItem::Message(m) = item else {
            panic!("enter_session must decode")
        };
        assert_eq!(m.open_kfid().map(OpenKfId::as_str), Some("wk1"));
        assert_eq!(m.external_userid().map(ExternalUserId::as_str), Some("wm1"));
    }
}
