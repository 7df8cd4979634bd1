//! Team mode's side of the commands: queue actions and notes go to the team database (a claim
//! is only a claim when the team has seen it), replies are written locally and pushed at once
//! when the team server answers (a refusal names the colleague who has the customer), and the
//! transfer list is the team's agents.

use crate::{
    ColleagueReplyDto, Context, ConversationActivityDto, ErrorCode, IpcError, ServicerDto,
    ServicerListResponse, SessionRef,
};
use kefu_core::store::Store;
use kefu_core::team::{QueueVerdict, ReplyVerdict, Team, TeamError};

impl From<TeamError> for IpcError {
    fn from(e: TeamError) -> Self {
        let code = if e.is_connection() {
            ErrorCode::TeamUnreachable
        } else {
            ErrorCode::Internal
        };
        IpcError::new(code, e.to_string())
    }
}

/// The UI's code for a team refusal.
fn refusal(reason: &str, owner: Option<String>) -> IpcError {
    let (code, message) = match reason {
        "not_waiting" | "not_mine" if owner.is_some() => (
            ErrorCode::TakenByColleague,
            "a colleague is handling this customer",
        ),
        "not_waiting" => (ErrorCode::NotWaiting, "this customer is not waiting"),
        "not_mine" => (ErrorCode::NotMine, "this conversation is not yours"),
        "in_wecom" => (
            ErrorCode::InWecom,
            "a colleague is handling this customer in the WeCom client",
        ),
        "ended" => (ErrorCode::SessionEnded, "the session has already ended"),
        "not_found" | "no_session" => (ErrorCode::NoSession, "no conversation with this customer"),
        "no_agent" => (ErrorCode::NotFound, "no such agent in the team"),
        "window_closed" => (
            ErrorCode::WindowClosed,
            "the 48-hour reply window has closed",
        ),
        "quota_used" => (ErrorCode::QuotaUsed, "all 5 replies are used"),
        _ => (ErrorCode::Internal, "refused by the team"),
    };
    IpcError::new(code, message).with_colleague(owner)
}

/// claim | release | transfer | end through the team; the new local state.
pub async fn queue_action(
    team: &Team,
    store: &Store,
    open_kfid: &str,
    customer: &str,
    action: &str,
    to: Option<&str>,
) -> Result<String, IpcError> {
    match team
        .queue_action(store, open_kfid, customer, action, to)
        .await?
    {
        QueueVerdict::Done(state) => Ok(state),
        QueueVerdict::Refused { reason, owner } => Err(refusal(&reason, owner)),
    }
}

/// Pushes a reply just written to the local outbox. Unreachable: it waits locally (the worker
/// pushes it later). Refused (the local reply is then failed): the error names who has the
/// customer.
pub async fn push_reply(
    team: &Team,
    store: &Store,
    row: &kefu_core::store::OutboxRow,
) -> Result<(), IpcError> {
    match team.push_reply(store, row).await {
        Ok(ReplyVerdict::Accepted(_)) => Ok(()),
        Ok(ReplyVerdict::Refused { reason, owner }) => Err(refusal(&reason, owner)),
        Err(e) if e.is_connection() => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The team's agents as transfer targets (status 0 = online, 1 = away or offline).
pub async fn agents(team: &Team) -> Result<ServicerListResponse, IpcError> {
    Ok(ServicerListResponse {
        servicers: team
            .agents()
            .await?
            .into_iter()
            .filter(|a| a.name != team.agent())
            .map(|a| ServicerDto {
                userid: a.name,
                status: Some(u32::from(a.presence != "online")),
            })
            .collect(),
    })
}

/// Who else is typing to this customer (from the team server; nothing when it is unreachable)
/// and the newest reply by someone else (from the local mirror, so it shows offline too).
pub async fn activity(ctx: &Context, r: SessionRef) -> Result<ConversationActivityDto, IpcError> {
    let Some(team) = &ctx.team else {
        return Ok(ConversationActivityDto::default());
    };
    let typing = match team.typing(&r.open_kfid, &r.external_userid).await {
        Ok(t) => t.into_iter().map(|t| t.agent).collect(),
        Err(e) if e.is_connection() => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let last_colleague_reply = ctx
        .engine
        .store
        .last_reply_by_other(&r.open_kfid, &r.external_userid, team.agent())?
        .map(|(agent, at)| ColleagueReplyDto { agent, at });
    Ok(ConversationActivityDto {
        typing,
        last_colleague_reply,
    })
}
