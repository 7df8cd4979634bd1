//! Event bodies (`msgtype = "event"`, `origin = 4`) delivered by `kf/sync_msg`.
//!
//! Events carry `open_kfid` / `external_userid` inside `event`, not at the top level of the
//! item; [`crate::message::Message::open_kfid`] knows where to look.

use crate::id::{ExternalUserId, MsgId, OpenKfId, ServicerId};
use serde::{Deserialize, Serialize};

/// Every event type in the reference. An unknown `event_type` does not decode into this enum;
/// the page decoder keeps such items raw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event_type", rename_all = "snake_case")]
pub enum Event {
    /// The customer opened the conversation. At this point WeChat's session state is 4 until the
    /// customer writes.
    EnterSession {
        /// Account entered.
        open_kfid: OpenKfId,
        /// Customer who entered.
        external_userid: ExternalUserId,
        /// `scene` of the contact-way link.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scene: Option<String>,
        /// Parameter appended to the link (may still be URL-encoded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        scene_param: Option<String>,
        /// Single-use code for `send_msg_on_event`, valid 20 s; only when a welcome may be sent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        welcome_code: Option<String>,
        /// Present when the customer came from WeChat Channels (视频号).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        wechat_channels: Option<WechatChannels>,
    },
    /// A message accepted by `send_msg` was not delivered.
    MsgSendFail {
        /// Account that sent.
        open_kfid: OpenKfId,
        /// Customer it was for.
        external_userid: ExternalUserId,
        /// The `msgid` that `send_msg` returned.
        fail_msgid: MsgId,
        /// Why (see [`fail_type_meaning`]).
        fail_type: u32,
    },
    /// A servicer started or stopped receiving. Note the encoding differs from
    /// `kf/servicer/list`: here 1 = receiving, 2 = stopped.
    ServicerStatusChange {
        /// Servicer.
        servicer_userid: ServicerId,
        /// 1 receiving, 2 stopped.
        status: u32,
        /// When stopped: 0 stopped, 1 temporarily suspended.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stop_type: Option<u32>,
        /// Account.
        open_kfid: OpenKfId,
    },
    /// A servicer acted on the session in the WeCom client (never emitted for API changes).
    SessionStatusChange {
        /// Account.
        open_kfid: OpenKfId,
        /// Customer.
        external_userid: ExternalUserId,
        /// 1 taken from the queue, 2 transferred, 3 ended, 4 re-opened by the servicer.
        change_type: u32,
        /// Previous servicer (2, 3, 4).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        old_servicer_userid: Option<ServicerId>,
        /// New servicer (1, 2, 4).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        new_servicer_userid: Option<ServicerId>,
        /// Code for `send_msg_on_event` (1: 48 h, 3: 20 s).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        msg_code: Option<String>,
    },
    /// The customer recalled one of their messages.
    UserRecallMsg {
        /// Account.
        open_kfid: OpenKfId,
        /// Customer.
        external_userid: ExternalUserId,
        /// The recalled message.
        recall_msgid: MsgId,
    },
    /// A servicer recalled a message sent from the WeCom client.
    ServicerRecallMsg {
        /// Account.
        open_kfid: OpenKfId,
        /// Customer.
        external_userid: ExternalUserId,
        /// The recalled message.
        recall_msgid: MsgId,
        /// Servicer who recalled it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        servicer_userid: Option<ServicerId>,
    },
    /// A servicer switched rejecting this customer's messages on (1) or off (0).
    RejectCustomerMsgSwitchChange {
        /// Servicer.
        servicer_userid: ServicerId,
        /// Account.
        open_kfid: OpenKfId,
        /// Customer.
        external_userid: ExternalUserId,
        /// 1 rejecting, 0 cancelled.
        reject_switch: u32,
    },
}

/// Where a customer entered from, for WeChat Channels entries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WechatChannels {
    /// Channels name (scenes 1–3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// Shop name (scenes 4–5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shop_nickname: Option<String>,
    /// 1 profile, 2 live product list, 3 showcase, 4 shop product, 5 shop order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scene: Option<u32>,
}

/// Every `event_type` this crate decodes.
pub const KNOWN_EVENT_TYPES: [&str; 7] = [
    "enter_session",
    "msg_send_fail",
    "servicer_status_change",
    "session_status_change",
    "user_recall_msg",
    "servicer_recall_msg",
    "reject_customer_msg_switch_change",
];

impl Event {
    /// The account the event belongs to.
    pub fn open_kfid(&self) -> &OpenKfId {
        match self {
            Event::EnterSession { open_kfid, .. }
            | Event::MsgSendFail { open_kfid, .. }
            | Event::ServicerStatusChange { open_kfid, .. }
            | Event::SessionStatusChange { open_kfid, .. }
            | Event::UserRecallMsg { open_kfid, .. }
            | Event::ServicerRecallMsg { open_kfid, .. }
            | Event::RejectCustomerMsgSwitchChange { open_kfid, .. } => open_kfid,
        }
    }

    /// The customer the event is about, when it is about one.
    pub fn external_userid(&self) -> Option<&ExternalUserId> {
        match self {
            Event::EnterSession {
                external_userid, ..
            }
            | Event::MsgSendFail {
                external_userid, ..
            }
            | Event::SessionStatusChange {
                external_userid, ..
            }
            | Event::UserRecallMsg {
                external_userid, ..
            }
            | Event::ServicerRecallMsg {
                external_userid, ..
            }
            | Event::RejectCustomerMsgSwitchChange {
                external_userid, ..
            } => Some(external_userid),
            Event::ServicerStatusChange { .. } => None,
        }
    }

    /// The wire name of this event's type.
    pub fn event_type(&self) -> &'static str {
        match self {
            Event::EnterSession { .. } => "enter_session",
            Event::MsgSendFail { .. } => "msg_send_fail",
            Event::ServicerStatusChange { .. } => "servicer_status_change",
            Event::SessionStatusChange { .. } => "session_status_change",
            Event::UserRecallMsg { .. } => "user_recall_msg",
            Event::ServicerRecallMsg { .. } => "servicer_recall_msg",
            Event::RejectCustomerMsgSwitchChange { .. } => "reject_customer_msg_switch_change",
        }
    }
}

/// Plain-language meaning of a `msg_send_fail` `fail_type`.
pub fn fail_type_meaning(fail_type: u32) -> &'static str {
    match fail_type {
        1 => "the customer-service account was deleted",
        2 => "the app was closed",
        4 => "the 48-hour reply window had passed",
        5 => "the session was closed",
        6 => "more than 5 replies since the customer's last message",
        7 => "WeChat Channels account not bound",
        8 => "the enterprise is not verified",
        9 => "WeChat Channels not bound and enterprise not verified",
        10 => "the customer rejects messages",
        11 => "no member of the enterprise has logged in to WeCom",
        12 => "this message type is banned for the account",
        13 => "security restriction",
        _ => "unknown reason",
    }
}
