//! The customer panel: `customer_get`, `customer_note_set`, `customer_tags_set`.

use crate::{Context, ErrorCode, IpcError};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where the customer came from (their latest `enter_session`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CustomerSourceDto {
    /// Account entered.
    pub open_kfid: String,
    /// When (unix seconds).
    #[ts(type = "number")]
    pub at: i64,
    /// `scene` of the contact-way link.
    pub scene: Option<String>,
    /// Parameter appended to the link.
    pub scene_param: Option<String>,
    /// WeChat Channels scene: 1 profile, 2 live product list, 3 showcase, 4 shop product,
    /// 5 shop order.
    #[ts(type = "number | null")]
    pub channels_scene: Option<i64>,
    /// WeChat Channels or shop name.
    pub channels_nickname: Option<String>,
}

/// One earlier (or the current) session of the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CustomerSessionDto {
    /// Account.
    pub open_kfid: String,
    /// Account name, when known.
    pub account_name: Option<String>,
    /// First message (unix seconds).
    #[ts(type = "number")]
    pub first_message_at: i64,
    /// Last message (unix seconds).
    #[ts(type = "number")]
    pub last_message_at: i64,
    /// Messages in it (events not counted).
    #[ts(type = "number")]
    pub message_count: i64,
    /// open (still going) | agent (ended in this console) | wecom (ended by a servicer in the
    /// WeCom client) | expired (the 48 h window passed).
    pub end: String,
    /// When it ended (unix seconds).
    #[ts(type = "number | null")]
    pub ended_at: Option<i64>,
    /// The agent or servicer who ended it.
    pub ended_by: Option<String>,
}

/// `customer_get` response (and `customer_note_set` / `customer_tags_set`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CustomerDto {
    /// Customer.
    pub external_userid: String,
    /// WeChat nickname, once fetched.
    pub nickname: Option<String>,
    /// Avatar URL (a remote image), once fetched.
    pub avatar: Option<String>,
    /// 0 unknown, 1 male, 2 female.
    #[ts(type = "number")]
    pub gender: i64,
    /// Where the customer came from.
    pub source: Option<CustomerSourceDto>,
    /// The agent's note ("" when none).
    pub note: String,
    /// The agent's tags.
    pub tags: Vec<String>,
    /// Sessions, newest first.
    pub sessions: Vec<CustomerSessionDto>,
    /// The customer's latest satisfaction rating: 3 满意, 2 一般, 1 不满意.
    pub survey: Option<SurveyAnswerDto>,
}

/// A satisfaction survey answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SurveyAnswerDto {
    /// 3 满意, 2 一般, 1 不满意.
    #[ts(type = "number")]
    pub rating: i64,
    /// When (unix seconds).
    #[ts(type = "number")]
    pub answered_at: i64,
}

impl From<kefu_core::store::CustomerRow> for CustomerDto {
    fn from(c: kefu_core::store::CustomerRow) -> Self {
        Self {
            external_userid: c.external_userid,
            nickname: c.nickname,
            avatar: c.avatar,
            gender: c.gender,
            source: c.source.map(|s| CustomerSourceDto {
                open_kfid: s.open_kfid,
                at: s.at,
                scene: s.scene,
                scene_param: s.scene_param,
                channels_scene: s.channels_scene,
                channels_nickname: s.channels_nickname,
            }),
            note: c.note,
            tags: c.tags,
            sessions: c
                .sessions
                .into_iter()
                .map(|e| CustomerSessionDto {
                    open_kfid: e.open_kfid,
                    account_name: e.account_name,
                    first_message_at: e.first_message_at,
                    last_message_at: e.last_message_at,
                    message_count: e.messages,
                    end: e.end.as_str().into(),
                    ended_at: e.ended_at,
                    ended_by: e.ended_by,
                })
                .collect(),
            survey: None,
        }
    }
}

/// `customer_get` request.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CustomerRef {
    /// Customer.
    pub external_userid: String,
}

/// `customer_note_set` request.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CustomerNoteSetRequest {
    /// Customer.
    pub external_userid: String,
    /// The note (at most 2000 characters; "" clears it).
    pub note: String,
}

/// `customer_tags_set` request.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CustomerTagsSetRequest {
    /// Customer.
    pub external_userid: String,
    /// All tags (replacing the old ones): trimmed, repeats dropped; at most 20 of at most 32
    /// characters.
    pub tags: Vec<String>,
}

/// The customer panel now.
pub fn get(ctx: &Context, customer: &str) -> Result<CustomerDto, IpcError> {
    let store = &ctx.engine.store;
    let mut dto: CustomerDto = store.customer(customer, ctx.engine.clock.now())?.into();
    dto.survey = store
        .latest_survey(customer)?
        .map(|(rating, answered_at)| SurveyAnswerDto {
            rating,
            answered_at,
        });
    Ok(dto)
}

/// Sets the note.
pub async fn set_note(ctx: &Context, r: CustomerNoteSetRequest) -> Result<CustomerDto, IpcError> {
    if r.note.chars().count() > kefu_core::store::MAX_NOTE_CHARS {
        return Err(IpcError::new(
            ErrorCode::InvalidSetting,
            format!(
                "a note holds at most {} characters",
                kefu_core::store::MAX_NOTE_CHARS
            ),
        ));
    }
    match &ctx.team {
        Some(t) => {
            t.set_note(&ctx.engine.store, &r.external_userid, &r.note)
                .await?
        }
        None => ctx.engine.store.set_customer_note(
            &r.external_userid,
            &r.note,
            ctx.engine.clock.now(),
        )?,
    }
    get(ctx, &r.external_userid)
}

/// Replaces the tags.
pub async fn set_tags(ctx: &Context, r: CustomerTagsSetRequest) -> Result<CustomerDto, IpcError> {
    let tags = kefu_core::store::normalise_tags(&r.tags).ok_or_else(|| {
        IpcError::new(
            ErrorCode::InvalidSetting,
            format!(
                "at most {} tags of at most {} characters",
                kefu_core::store::MAX_TAGS,
                kefu_core::store::MAX_TAG_CHARS
            ),
        )
    })?;
    match &ctx.team {
        Some(t) => {
            t.set_tags(&ctx.engine.store, &r.external_userid, &tags)
                .await?
        }
        None => ctx
            .engine
            .store
            .set_customer_tags(&r.external_userid, &tags)?,
    }
    get(ctx, &r.external_userid)
}
