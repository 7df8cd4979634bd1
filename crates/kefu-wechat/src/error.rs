//! Errors of the kf API client, with the classification the sync loop and the outbox branch on.
//!
//! Callers branch on [`Error::class`] and on `errcode`, never on `errmsg` text (WeChat's wording
//! changes). No variant ever holds a URL with a token or a secret: transport errors are stripped
//! of their URL and the rest is passed through [`crate::redact::redact_url`].

use thiserror::Error;

/// Errcodes the product treats specially.
pub mod errcode {
    /// System busy; retry.
    pub const SYSTEM_BUSY: i64 = -1;
    /// Invalid secret (from `gettoken`) or invalid credential (from other calls).
    pub const INVALID_CREDENTIAL: i64 = 40001;
    /// Invalid access token.
    pub const INVALID_ACCESS_TOKEN: i64 = 40014;
    /// Invalid parameter.
    pub const INVALID_PARAMETER: i64 = 40058;
    /// Access token expired.
    pub const ACCESS_TOKEN_EXPIRED: i64 = 42001;
    /// Frequency limit.
    pub const RATE_LIMITED: i64 = 45009;
    /// Concurrency limit.
    pub const CONCURRENCY_LIMITED: i64 = 45033;
    /// More than 5 replies since the customer's last message.
    pub const SEND_COUNT_LIMIT: i64 = 95001;
    /// More than 48 h since the customer's last message.
    pub const SEND_TIME_LIMIT: i64 = 95002;
    /// Invalid or expired event code / msg token.
    pub const INVALID_MSG_TOKEN: i64 = 95007;
    /// The session's state does not allow an API send.
    pub const SESSION_STATE_INVALID: i64 = 95018;
    /// State transition not allowed.
    pub const TRANSITION_NOT_ALLOWED: i64 = 95016;
    /// File or Range too large for `media/get`.
    pub const MEDIA_TOO_LARGE: i64 = 830002;
    /// `kf/recall_msg`: no such message (UNCONFIRMED, single source: reference §8).
    pub const RECALL_NOT_FOUND: i64 = 95028;
    /// `kf/recall_msg`: the 2-minute recall window has passed (UNCONFIRMED, single source).
    pub const RECALL_TOO_LATE: i64 = 95029;
    /// The errcode WeChat answers for a `msgid` already used on the account.
    ///
    /// UNCONFIRMED by every source (reference §6.2, §16.4). We chose 40058 (invalid parameter),
    /// which the emulator answers too; this constant is the one place to change it. Because
    /// 40058 also means other invalid input, the outbox only treats it as "already sent" when an
    /// earlier attempt with the same msgid may have reached WeChat.
    pub const DUPLICATE_MSGID: i64 = INVALID_PARAMETER;
}

/// How a caller should react to an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// Try again later with the same request (transport errors, 5xx, -1, 45033).
    Retryable,
    /// Frequency limit: back off for a whole limit window (about a minute).
    RateLimited,
    /// The access token is invalid or expired: refresh it, then retry once.
    RefreshToken,
    /// Retrying the same request cannot succeed.
    Permanent,
}

/// An error from a kf API call.
#[derive(Debug, Error)]
pub enum Error {
    /// The request did not complete (connection refused or dropped, timeout, TLS).
    #[error("network error calling {endpoint}: {message}")]
    Transport {
        /// Endpoint path, e.g. `kf/sync_msg`.
        endpoint: &'static str,
        /// Cause, with no URL in it.
        message: String,
    },
    /// The server answered with a non-success HTTP status.
    #[error("HTTP {status} from {endpoint}")]
    Http {
        /// Endpoint path.
        endpoint: &'static str,
        /// HTTP status.
        status: u16,
    },
    /// The server answered something that is not the expected JSON.
    #[error("unexpected response from {endpoint}: {message}")]
    Decode {
        /// Endpoint path.
        endpoint: &'static str,
        /// What did not match.
        message: String,
    },
    /// WeChat answered with a non-zero `errcode`.
    #[error("{endpoint} failed with errcode {errcode}: {}", errcode_meaning(*.errcode).unwrap_or("unknown error"))]
    Api {
        /// Endpoint path.
        endpoint: &'static str,
        /// `errcode`.
        errcode: i64,
        /// `errmsg` as sent (redacted); informational only.
        errmsg: String,
    },
    /// The request was refused before sending because it breaks a documented limit.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

impl Error {
    /// How to react to this error.
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::Transport { .. } => ErrorClass::Retryable,
            Error::Http { status, .. } if *status >= 500 || *status == 429 || *status == 408 => {
                ErrorClass::Retryable
            }
            Error::Http { .. } => ErrorClass::Permanent,
            // A body we cannot read usually means a proxy or a truncated answer, not a verdict.
            Error::Decode { .. } => ErrorClass::Retryable,
            Error::Api {
                endpoint, errcode, ..
            } => classify_errcode(endpoint, *errcode),
            Error::InvalidRequest(_) => ErrorClass::Permanent,
        }
    }

    /// Whether retrying the same request later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.class(),
            ErrorClass::Retryable | ErrorClass::RateLimited
        )
    }

    /// Whether retrying can never succeed.
    pub fn is_permanent(&self) -> bool {
        self.class() == ErrorClass::Permanent
    }

    /// The API errcode, for API errors.
    pub fn errcode(&self) -> Option<i64> {
        match self {
            Error::Api { errcode, .. } => Some(*errcode),
            _ => None,
        }
    }
}

fn classify_errcode(endpoint: &str, code: i64) -> ErrorClass {
    use errcode::*;
    match code {
        SYSTEM_BUSY | CONCURRENCY_LIMITED => ErrorClass::Retryable,
        RATE_LIMITED => ErrorClass::RateLimited,
        // From gettoken, 40001 means the secret itself is wrong: refreshing cannot help.
        INVALID_CREDENTIAL if endpoint == "gettoken" => ErrorClass::Permanent,
        INVALID_CREDENTIAL | INVALID_ACCESS_TOKEN | ACCESS_TOKEN_EXPIRED => {
            ErrorClass::RefreshToken
        }
        _ => ErrorClass::Permanent,
    }
}

/// Plain-English meaning of every errcode in the reference (§12), for messages and logs.
pub fn errcode_meaning(code: i64) -> Option<&'static str> {
    ERRCODES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, en, _)| *en)
}

/// Chinese meaning of every errcode in the reference (§12), for the zh-CN interface.
pub fn errcode_meaning_zh(code: i64) -> Option<&'static str> {
    ERRCODES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, _, zh)| *zh)
}

/// (errcode, English, Chinese).
pub const ERRCODES: &[(i64, &str, &str)] = &[
    (
        -1,
        "WeChat is busy; try again shortly",
        "系统繁忙，请稍后再试",
    ),
    (0, "ok", "成功"),
    (40001, "invalid secret or credential", "secret 或凭证无效"),
    (40003, "invalid user id", "无效的 UserID"),
    (40004, "invalid media file type", "不合法的媒体文件类型"),
    (40005, "invalid media type parameter", "不合法的 type 参数"),
    (40006, "invalid file size", "不合法的文件大小"),
    (
        40007,
        "invalid or expired media id",
        "media_id 无效或已过期",
    ),
    (40008, "invalid message type", "不合法的消息类型"),
    (40009, "invalid image size", "不合法的图片大小"),
    (40011, "invalid video size", "不合法的视频大小"),
    (40013, "invalid corp id", "不合法的 corpid"),
    (40014, "invalid access token", "access_token 无效"),
    (
        40058,
        "invalid parameter (or a msgid already used)",
        "参数不合法（或 msgid 重复）",
    ),
    (40096, "invalid external user id", "不合法的客户 ID"),
    (41001, "access token missing", "缺少 access_token"),
    (41002, "corp id missing", "缺少 corpid"),
    (41004, "secret missing", "缺少 secret"),
    (41006, "media id missing", "缺少 media_id"),
    (42001, "access token expired", "access_token 已过期"),
    (44001, "empty media file", "多媒体文件为空"),
    (44004, "empty text content", "文本内容为空"),
    (
        45001,
        "media file over the size limit",
        "多媒体文件超过大小限制",
    ),
    (
        45002,
        "message too long (text over 2048 bytes)",
        "消息内容过长（超过 2048 字节）",
    ),
    (45007, "voice longer than 60 seconds", "语音超过 60 秒"),
    (
        45009,
        "API frequency limit reached; wait a minute",
        "接口调用超过频率限制，请稍后再试",
    ),
    (45033, "too many concurrent calls", "接口并发调用超过限制"),
    (48002, "API forbidden for this app", "该应用无权调用此接口"),
    (
        60011,
        "no privilege on this member or department",
        "无权限操作该成员或部门",
    ),
    (
        60020,
        "this computer's IP is not trusted by the app",
        "调用方 IP 不在应用的可信 IP 列表中",
    ),
    (60111, "user id not found", "UserID 不存在"),
    (90207, "invalid mini-program appid", "不合法的小程序 appid"),
    (830001, "async upload URL invalid", "异步上传 URL 无效"),
    (
        830002,
        "file or range too large (over 20 MB)",
        "文件或 Range 过大（超过 20 MB）",
    ),
    (
        95000,
        "invalid customer-service account id",
        "不合法的客服账号 open_kfid",
    ),
    (
        95001,
        "reply limit reached: 5 replies per customer message",
        "发送消息数量超过上限：每条客户消息后最多 5 条",
    ),
    (
        95002,
        "reply window closed: 48 hours after the customer's last message",
        "发送时间超过限制：客户消息 48 小时内",
    ),
    (
        95003,
        "consultation capacity reached (enterprise not verified)",
        "咨询量已达上限（企业未验证）",
    ),
    (
        95004,
        "customer-service account does not exist",
        "客服账号不存在",
    ),
    (
        95005,
        "account count over the limit",
        "客服账号数量超过上限",
    ),
    (95006, "invalid account name", "不合法的客服账号名"),
    (
        95007,
        "invalid or expired event code",
        "msg_code 无效或已过期",
    ),
    (
        95008,
        "menu has more than 10 items",
        "菜单消息的菜单项超过 10 个",
    ),
    (95009, "invalid menu item type", "不合法的菜单项类型"),
    (
        95011,
        "account is in joint mode but the token came from the standalone secret",
        "客服为联合版模式，但使用了独立版 secret",
    ),
    (
        95012,
        "account is standalone but the token came from the joint secret",
        "客服为独立版模式，但使用了联合版 secret",
    ),
    (95013, "session already ended", "会话已经结束"),
    (
        95014,
        "not a servicer, or not activated in WeCom",
        "该用户不是接待人员或未激活企业微信",
    ),
    (
        95015,
        "dedicated service already configured in the admin console",
        "管理后台已配置专属服务",
    ),
    (
        95016,
        "this session state change is not allowed",
        "不允许这种会话状态转移",
    ),
    (
        95017,
        "API switch is off for this account",
        "客服账号的 API 开关已关闭",
    ),
    (
        95018,
        "the session is not in a state where the API may reply",
        "当前会话状态不允许通过接口发送消息",
    ),
    (
        95019,
        "the servicer has stopped or suspended receiving",
        "接待人员已停止或暂停接待",
    ),
    (
        95021,
        "upgrade-service member or group not configured",
        "未配置升级服务的成员或客户群",
    ),
    (95022, "invalid location type", "不合法的 location_type"),
    (
        95023,
        "API switch delegated to a custom-developed app",
        "API 开关已授权给代开发应用",
    ),
    (
        95024,
        "the customer has not written within 48 hours",
        "客户 48 小时内未发起咨询",
    ),
    (
        95025,
        "business card limited to one per 48 hours",
        "名片消息 48 小时内只能发送一次",
    ),
    (
        95026,
        "account utilisation too low to create more",
        "客服账号使用率过低，无法创建",
    ),
    (
        95027,
        "unverified enterprise: at most 10 accounts",
        "未验证企业最多创建 10 个客服账号",
    ),
    (95028, "message to recall not found", "要撤回的消息不存在"),
    (
        95029,
        "recall window (2 minutes) has passed",
        "已超过 2 分钟撤回时限",
    ),
    (
        95030,
        "message type banned for this account",
        "该消息类型已被禁用",
    ),
    (
        95031,
        "the customer has not consulted within 48 hours",
        "客户 48 小时内未咨询",
    ),
    (
        95032,
        "chat-record permission of the component expired",
        "组件的聊天记录权限已过期",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn api(endpoint: &'static str, errcode: i64) -> Error {
        Error::Api {
            endpoint,
            errcode,
            errmsg: String::new(),
        }
    }

    #[test]
    fn classification_table() {
        let cases = [
            (api("kf/send_msg", -1), ErrorClass::Retryable),
            (api("kf/send_msg", 45009), ErrorClass::RateLimited),
            (api("kf/send_msg", 45033), ErrorClass::Retryable),
            (api("kf/sync_msg", 40014), ErrorClass::RefreshToken),
            (api("kf/sync_msg", 42001), ErrorClass::RefreshToken),
            (api("kf/sync_msg", 40001), ErrorClass::RefreshToken),
            (api("gettoken", 40001), ErrorClass::Permanent),
            (api("kf/send_msg", 95001), ErrorClass::Permanent),
            (api("kf/send_msg", 95002), ErrorClass::Permanent),
            (api("kf/send_msg", 95018), ErrorClass::Permanent),
            (
                Error::Http {
                    endpoint: "kf/sync_msg",
                    status: 502,
                },
                ErrorClass::Retryable,
            ),
            (
                Error::Http {
                    endpoint: "kf/sync_msg",
                    status: 404,
                },
                ErrorClass::Permanent,
            ),
            (
                Error::Transport {
                    endpoint: "x",
                    message: "reset".into(),
                },
                ErrorClass::Retryable,
            ),
        ];
        for (err, want) in cases {
            assert_eq!(err.class(), want, "class of {err:?}");
        }
    }

    #[test]
    fn every_reference_errcode_has_both_meanings() {
        for code in [
            -1, 40014, 42001, 45009, 95001, 95002, 95007, 95016, 95018, 830002,
        ] {
            assert!(
                errcode_meaning(code).is_some(),
                "no English meaning for {code}"
            );
            assert!(
                errcode_meaning_zh(code).is_some(),
                "no Chinese meaning for {code}"
            );
        }
        let text = api("kf/send_msg", 95018).to_string();
        assert!(
            text.contains("95018") && text.contains("may reply"),
            "message: {text}"
        );
    }
}
