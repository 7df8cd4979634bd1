//! Request and response bodies of every endpoint the product uses, in the API's field order.
//!
//! Optional fields are omitted when unset: the API rejects empty strings such as
//! `"open_kfid": ""` or `"msgid": ""`.

use crate::id::{ExternalUserId, MsgId, OpenKfId, ServicerId};
use crate::message::SyncItem;
use crate::send::Content;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `gettoken` response.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GetTokenResponse {
    /// Up to 512 bytes.
    pub access_token: String,
    /// Seconds, normally 7200.
    pub expires_in: u64,
}

/// `kf/account/list` request.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AccountListRequest {
    /// Default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u32>,
    /// 1–100, default 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// `kf/account/list` response.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AccountListResponse {
    /// Accounts; a page shorter than `limit` is the last.
    #[serde(default)]
    pub account_list: Vec<Account>,
}

/// One customer-service account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Account {
    /// Account id.
    pub open_kfid: OpenKfId,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Avatar URL.
    #[serde(default)]
    pub avatar: String,
    /// Whether this app may manage (and so send as) the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manage_privilege: Option<bool>,
}

/// `kf/servicer/list` response.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ServicerListResponse {
    /// Servicers and departments.
    #[serde(default)]
    pub servicer_list: Vec<Servicer>,
}

/// A servicer (or a department) of an account. Status here: 0 receiving, 1 stopped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Servicer {
    /// Member id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userid: Option<ServicerId>,
    /// 0 receiving, 1 stopped (only with manage privilege).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u32>,
    /// When stopped: 0 stopped, 1 suspended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_type: Option<u32>,
    /// A department instead of a member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_id: Option<u64>,
}

/// `kf/sync_msg` request.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SyncMsgRequest {
    /// `next_cursor` from the previous page; omit on the first pull.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Callback token (10 min); without it the call is rate limited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// ≤ 1000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// 0 AMR, 1 SILK.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice_format: Option<u32>,
    /// Required since 2024.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_kfid: Option<OpenKfId>,
}

/// `kf/sync_msg` response with items still as JSON, as on the wire.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SyncMsgResponse {
    /// Cursor for the next call.
    #[serde(default)]
    pub next_cursor: String,
    /// 1 while more items wait (the list may be empty meanwhile).
    #[serde(default)]
    pub has_more: u32,
    /// Items, oldest first.
    #[serde(default)]
    pub msg_list: Vec<Value>,
}

/// A decoded `sync_msg` page.
#[derive(Clone, Debug)]
pub struct SyncPage {
    /// Cursor for the next call.
    pub next_cursor: String,
    /// Whether to fetch again at once.
    pub has_more: bool,
    /// Items, oldest first, each decoded or kept raw.
    pub items: Vec<SyncItem>,
}

impl From<SyncMsgResponse> for SyncPage {
    fn from(r: SyncMsgResponse) -> Self {
        SyncPage {
            next_cursor: r.next_cursor,
            has_more: r.has_more != 0,
            items: r
                .msg_list
                .into_iter()
                .map(crate::message::decode_item)
                .collect(),
        }
    }
}

/// `kf/send_msg` request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SendMsgRequest {
    /// Customer.
    pub touser: ExternalUserId,
    /// Sending account.
    pub open_kfid: OpenKfId,
    /// Our idempotency key; unique per account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msgid: Option<MsgId>,
    /// Body.
    #[serde(flatten)]
    pub content: Content,
}

/// `kf/send_msg` and `kf/send_msg_on_event` response.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SendMsgResponse {
    /// The msgid given, or one generated by WeChat.
    #[serde(default)]
    pub msgid: String,
}

/// `kf/send_msg_on_event` request (text or msgmenu only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SendMsgOnEventRequest {
    /// Single-use event code.
    pub code: String,
    /// Our idempotency key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msgid: Option<MsgId>,
    /// Body.
    #[serde(flatten)]
    pub content: Content,
}

/// `kf/service_state/get` request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceStateGetRequest {
    /// Account.
    pub open_kfid: OpenKfId,
    /// Customer.
    pub external_userid: ExternalUserId,
}

/// `kf/service_state/get` response.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ServiceStateGetResponse {
    /// 0 new, 1 API/assistant, 2 queued, 3 human, 4 ended.
    pub service_state: u32,
    /// Meaningful in state 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub servicer_userid: Option<ServicerId>,
}

/// `kf/service_state/trans` request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceStateTransRequest {
    /// Account.
    pub open_kfid: OpenKfId,
    /// Customer.
    pub external_userid: ExternalUserId,
    /// Target state.
    pub service_state: u32,
    /// Required when the target is 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub servicer_userid: Option<ServicerId>,
}

/// `kf/recall_msg` request: a message this app sent through the API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecallMsgRequest {
    /// Account.
    pub open_kfid: OpenKfId,
    /// The msgid of the message sent.
    pub msgid: String,
}

/// How long after sending a message can be recalled (reference §8, single source).
pub const RECALL_WINDOW_SECS: i64 = 120;

/// `kf/service_state/trans` response.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ServiceStateTransResponse {
    /// Code for `send_msg_on_event`, on the first move into 2/3 and on 4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub msg_code: Option<String>,
}

/// WeChat's session states (`service_state`).
pub mod service_state {
    /// New, not handled yet.
    pub const NEW: u32 = 0;
    /// Handled by the API ("smart assistant").
    pub const API: u32 = 1;
    /// Waiting in WeCom's queue.
    pub const QUEUED: u32 = 2;
    /// Taken by a human in the WeCom client.
    pub const HUMAN: u32 = 3;
    /// Ended, or not started.
    pub const ENDED: u32 = 4;
}

/// `kf/customer/batchget` request (1–100 ids).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerBatchgetRequest {
    /// Customers.
    pub external_userid_list: Vec<ExternalUserId>,
    /// 1 = also return the last enter-session context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub need_enter_session_context: Option<u32>,
}

/// `kf/customer/batchget` response.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CustomerBatchgetResponse {
    /// Resolved customers.
    #[serde(default)]
    pub customer_list: Vec<Customer>,
    /// Ids that are unknown or not active within 48 h.
    #[serde(default)]
    pub invalid_external_userid: Vec<ExternalUserId>,
}

/// A customer's profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    /// Customer id.
    pub external_userid: ExternalUserId,
    /// WeChat nickname.
    #[serde(default)]
    pub nickname: String,
    /// Avatar URL.
    #[serde(default)]
    pub avatar: String,
    /// 0 unknown, 1 male, 2 female.
    #[serde(default)]
    pub gender: u32,
    /// Only with a bound developer account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unionid: Option<String>,
    /// Last enter-session context within 48 h, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enter_session_context: Option<EnterSessionContext>,
}

/// Where the customer last entered from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnterSessionContext {
    /// Link scene.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scene: Option<String>,
    /// Link parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scene_param: Option<String>,
    /// Channels entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wechat_channels: Option<crate::event::WechatChannels>,
}

/// `media/upload` response.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MediaUploadResponse {
    /// image, voice, video or file.
    #[serde(rename = "type")]
    pub media_type: String,
    /// Valid 3 days.
    pub media_id: String,
    /// Unix seconds, as a string on the wire.
    #[serde(default)]
    pub created_at: String,
}

/// A fetched media file (whole, or assembled from Range chunks).
#[derive(Clone, Debug)]
pub struct MediaFile {
    /// Bytes.
    pub bytes: bytes::Bytes,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// File name from `Content-Disposition`, as sent: never use it as a path.
    pub filename: Option<String>,
}

/// Upload type for `media/upload`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaType {
    /// ≤ 10 MB JPG/PNG.
    Image,
    /// ≤ 2 MB AMR, ≤ 60 s.
    Voice,
    /// ≤ 10 MB MP4.
    Video,
    /// ≤ 20 MB.
    File,
}

impl MediaType {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::Image => "image",
            MediaType::Voice => "voice",
            MediaType::Video => "video",
            MediaType::File => "file",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "image" => MediaType::Image,
            "voice" => MediaType::Voice,
            "video" => MediaType::Video,
            "file" => MediaType::File,
            _ => return None,
        })
    }

    /// Upload size limit in bytes.
    pub fn max_bytes(self) -> usize {
        match self {
            MediaType::Image | MediaType::Video => 10 * 1024 * 1024,
            MediaType::Voice => 2 * 1024 * 1024,
            MediaType::File => 20 * 1024 * 1024,
        }
    }
}
