//! The UI contract, declared once: the command list, request and response DTOs (camelCase,
//! exported to TypeScript with ts-rs into `ui/src/lib/ipc/generated/`), error codes, UI events,
//! and [`dispatch`], which runs a command against the engine. Knows nothing of Tauri.

mod canned;
mod content;
mod customer;
mod dto;
pub mod events;
mod export;
mod health;
pub mod media_file;
pub mod media_url;
mod open_url;
mod reply;
mod report;
mod search;
mod servicer;
mod settings;
mod team;

pub use canned::{
    CannedExportResponse, CannedImportRequest, CannedImportResponse, CannedListRequest,
    CannedListResponse, CannedProblemDto, CannedRef, CannedReplyDto, CannedSaveRequest,
};
pub use content::{MediaRef, MenuItemDto, MergedItemDto, MessageContent};
pub use customer::{
    CustomerDto, CustomerNoteSetRequest, CustomerRef, CustomerSessionDto, CustomerSourceDto,
    CustomerTagsSetRequest, SurveyAnswerDto,
};
pub use dto::*;
pub use export::{ConversationExportRequest, ExportResponse, MessagesExportRequest};
pub use health::{HealthDto, NotificationState, SyncState, TeamHealthDto};
pub use open_url::{OpenUrlRequest, checked_url};
pub use reply::{ReplyAttachmentRequest, ReplyRecallRequest, ReplyRetryRequest};
pub use report::{
    AccountReportDto, AgentReportDto, AgentSatisfactionDto, FiguresDto, RefusalDto, ReportDto,
    ReportRequest, SatisfactionDto, TimingDto, VolumeDto,
};
pub use search::{SearchHitDto, SearchRequest, SearchResponse, SearchSender, SnippetSegment};
pub use servicer::{
    ServicerDto, ServicerListRequest, ServicerListResponse, SessionTransferRequest,
};
pub use settings::{
    BusinessHoursDto, NotificationSettingsDto, SettingsDto, SettingsSetRequest, SettingsSetResponse,
};

use kefu_core::engine::Engine;
use kefu_core::store::{QueueAction, QueueRefused, ReplyRefused};
use kefu_core::worker::{Command as WorkerCommand, WorkerHandle};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Everything a command needs.
#[derive(Clone)]
pub struct Context {
    /// The engine (client, store, clock, events).
    pub engine: Engine,
    /// The running sync worker.
    pub worker: WorkerHandle,
    /// The agent using this console.
    pub agent: String,
    /// Demo (embedded emulator) or live.
    pub mode: Mode,
    /// Base URL of the API.
    pub api_base: String,
    /// The settings file and the keyring.
    pub settings: std::sync::Arc<kefu_core::settings::SettingsFile>,
    /// System notifications; `None` where there are none (tests, headless).
    pub notifier: Option<kefu_core::notify::Notifier>,
    /// The team database in team mode; `None` in solo mode.
    pub team: Option<kefu_core::team::Team>,
    /// Where exports are written (`kefu_core::config::export_dir`).
    pub export_dir: std::path::PathBuf,
    /// The data directory (stored media are relative to it).
    pub data_dir: std::path::PathBuf,
    /// The program that opens links and files outside the app (`kefu_core::files::opener_program`).
    pub opener: std::path::PathBuf,
}

/// Ended sessions `session_list` carries: the most recently ended (the queue shows them; older
/// ones are found through search). The list is read several times a second, so it follows the
/// open work, never the whole history.
pub const ENDED_LISTED: usize = 50;

/// Every command the UI may call, by name (`noun_verb`).
pub const COMMANDS: &[&str] = &[
    "app_info",
    "session_list",
    "message_list",
    "session_claim",
    "session_release",
    "session_end",
    "session_transfer",
    "message_context",
    "customer_get",
    "customer_note_set",
    "customer_tags_set",
    "servicer_list",
    "reply_send",
    "reply_attachment",
    "reply_retry",
    "settings_get",
    "settings_set",
    "health_get",
    "notification_ack",
    "search_messages",
    "sync_now",
    "open_url",
    "conversation_activity",
    "composer_typing",
    "presence_set",
    "report_get",
    "reply_recall",
    "conversation_export",
    "messages_export",
    "canned_list",
    "canned_save",
    "canned_delete",
    "canned_used",
    "canned_import",
    "canned_export",
    "media_open",
    "media_save",
    "voice_clip",
];

fn parse<T: DeserializeOwned>(req: Value) -> Result<T, IpcError> {
    serde_json::from_value(req).map_err(|e| IpcError::new(ErrorCode::BadRequest, e.to_string()))
}

fn ok<T: serde::Serialize>(v: T) -> Result<Value, IpcError> {
    serde_json::to_value(v).map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))
}

impl From<kefu_core::store::StoreError> for IpcError {
    fn from(e: kefu_core::store::StoreError) -> Self {
        IpcError::new(ErrorCode::Storage, e.to_string())
    }
}

impl From<kefu_core::engine::EngineError> for IpcError {
    fn from(e: kefu_core::engine::EngineError) -> Self {
        IpcError::new(ErrorCode::Network, e.to_string())
    }
}

pub(crate) fn refused_reply(r: ReplyRefused) -> IpcError {
    let code = match r {
        ReplyRefused::NoSession => ErrorCode::NoSession,
        ReplyRefused::Ended => ErrorCode::SessionEnded,
        ReplyRefused::InWecom => ErrorCode::InWecom,
        ReplyRefused::WindowClosed => ErrorCode::WindowClosed,
        ReplyRefused::QuotaUsed => ErrorCode::QuotaUsed,
    };
    IpcError::new(code, r.to_string())
}

fn refused_queue(r: QueueRefused) -> IpcError {
    let code = match r {
        QueueRefused::NotFound => ErrorCode::NoSession,
        QueueRefused::NotWaiting => ErrorCode::NotWaiting,
        QueueRefused::NotMine => ErrorCode::NotMine,
        QueueRefused::InWecom => ErrorCode::InWecom,
        QueueRefused::AlreadyEnded => ErrorCode::SessionEnded,
    };
    IpcError::new(code, r.to_string())
}

/// The queue a session belongs to for this agent: in a team, a customer a colleague has is
/// `colleague`, not the viewer's `mine`.
fn viewer_state(ctx: &Context, state: String, claimed_by: Option<&str>) -> String {
    match (&ctx.team, state.as_str(), claimed_by) {
        (Some(_), "mine", Some(owner)) if owner != ctx.agent => "colleague".into(),
        _ => state,
    }
}

/// Runs one command. Store calls are short; the reply is enqueued (durable) before the sync
/// worker is woken to send it, so the UI never waits on the network.
pub async fn dispatch(ctx: &Context, cmd: &str, req: Value) -> Result<Value, IpcError> {
    let store = &ctx.engine.store;
    let now = ctx.engine.clock.now();
    match cmd {
        "app_info" => ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").into(),
            mode: ctx.mode,
            api_base: ctx.api_base.clone(),
            agent: ctx.agent.clone(),
        }),
        "session_list" => {
            let rules = kefu_core::sla::SlaRules::from(&ctx.settings.get().notifications);
            let sessions = store
                .sessions_listed(now, ENDED_LISTED)?
                .into_iter()
                .map(|s| {
                    let sla = kefu_core::sla::due(&s, &ctx.agent, &rules)
                        .into_iter()
                        .map(|d| SlaDueDto {
                            kind: d.kind.as_str().into(),
                            at: d.at,
                            until: d.until,
                        })
                        .collect();
                    let mut dto = SessionDto::from(s);
                    dto.sla = sla;
                    dto.local_state = viewer_state(ctx, dto.local_state, dto.claimed_by.as_deref());
                    dto
                })
                .collect::<Vec<_>>();
            let ended = store
                .ended_counts()?
                .into_iter()
                .map(|(open_kfid, count)| AccountCount { open_kfid, count })
                .collect();
            ok(SessionListResponse { sessions, ended })
        }
        "message_list" => {
            let r: MessageListRequest = parse(req)?;
            let (rows, has_more) = store.message_page(
                r.open_kfid.as_deref().filter(|k| !k.is_empty()),
                &r.external_userid,
                r.limit.unwrap_or(200) as usize,
                r.before_id,
            )?;
            ok(MessageListResponse {
                messages: rows.into_iter().map(MessageDto::from).collect(),
                has_more,
            })
        }
        "message_context" => {
            let r: MessageContextRequest = parse(req)?;
            let c = store
                .message_context(&r.open_kfid, &r.msgid, r.radius.unwrap_or(50) as usize)?
                .ok_or_else(|| IpcError::new(ErrorCode::NotFound, "no such message"))?;
            ok(MessageContextResponse {
                messages: c.messages.into_iter().map(MessageDto::from).collect(),
                anchor_id: c.anchor_id,
                has_more_before: c.has_more_before,
                has_more_after: c.has_more_after,
            })
        }
        "customer_get" => {
            let r: CustomerRef = parse(req)?;
            ok(customer::get(ctx, &r.external_userid)?)
        }
        "conversation_activity" => ok(team::activity(ctx, parse(req)?).await?),
        "composer_typing" => {
            let r: SessionRef = parse(req)?;
            if let Some(t) = &ctx.team {
                t.set_typing(&r.open_kfid, &r.external_userid).await?;
            }
            ok(Empty {})
        }
        "presence_set" => {
            let r: PresenceSetRequest = parse(req)?;
            if let Some(t) = &ctx.team {
                t.set_away(r.away).await?;
            }
            ok(Empty {})
        }
        "customer_note_set" => ok(customer::set_note(ctx, parse(req)?).await?),
        "customer_tags_set" => ok(customer::set_tags(ctx, parse(req)?).await?),
        "servicer_list" => match &ctx.team {
            Some(t) => ok(team::agents(t).await?),
            None => ok(servicer::list(ctx, parse(req)?).await?),
        },
        "session_transfer" => {
            let r: SessionTransferRequest = parse(req)?;
            let state = match &ctx.team {
                Some(t) => {
                    team::queue_action(
                        t,
                        store,
                        &r.open_kfid,
                        &r.external_userid,
                        "transfer",
                        Some(&r.servicer_userid),
                    )
                    .await?
                }
                None => store
                    .queue_action(
                        &r.open_kfid,
                        &r.external_userid,
                        &ctx.agent,
                        QueueAction::Transfer {
                            to: &r.servicer_userid,
                        },
                        now,
                    )?
                    .map_err(refused_queue)?,
            };
            ctx.engine
                .events
                .publish(kefu_core::event::DomainEvent::SessionChanged {
                    open_kfid: r.open_kfid,
                    external_userid: r.external_userid,
                });
            ok(SessionActionResponse { local_state: state })
        }
        "reply_attachment" => ok(reply::attachment(ctx, parse(req)?).await?),
        "reply_retry" => ok(reply::retry(ctx, parse(req)?).await?),
        "reply_recall" => ok(reply::recall(ctx, parse(req)?).await?),
        "settings_get" => ok(settings::get(ctx)),
        "settings_set" => ok(settings::set(ctx, parse(req)?).await?),
        "health_get" => ok(health::read(ctx)?),
        "notification_ack" => {
            let r: SessionRef = parse(req)?;
            if let Some(n) = &ctx.notifier {
                n.ack(&r.open_kfid, &r.external_userid).await;
            }
            ok(Empty {})
        }
        "session_claim" | "session_release" | "session_end" => {
            let r: SessionRef = parse(req)?;
            if let Some(t) = &ctx.team {
                let action = match cmd {
                    "session_end" => "end",
                    "session_claim" => "claim",
                    _ => "release",
                };
                let state =
                    team::queue_action(t, store, &r.open_kfid, &r.external_userid, action, None)
                        .await?;
                if action == "end" {
                    ctx.engine
                        .end_on_wechat(&r.open_kfid, &r.external_userid)
                        .await;
                }
                ctx.engine
                    .events
                    .publish(kefu_core::event::DomainEvent::SessionChanged {
                        open_kfid: r.open_kfid,
                        external_userid: r.external_userid,
                    });
                return ok(SessionActionResponse { local_state: state });
            }
            let outcome = match cmd {
                "session_end" => {
                    ctx.engine
                        .end_session(&r.open_kfid, &r.external_userid, &ctx.agent)
                        .await?
                }
                _ => {
                    let action = if cmd == "session_claim" {
                        QueueAction::Claim
                    } else {
                        QueueAction::Release
                    };
                    store.queue_action(&r.open_kfid, &r.external_userid, &ctx.agent, action, now)?
                }
            };
            let state = outcome.map_err(refused_queue)?;
            ctx.engine
                .events
                .publish(kefu_core::event::DomainEvent::SessionChanged {
                    open_kfid: r.open_kfid,
                    external_userid: r.external_userid,
                });
            ok(SessionActionResponse { local_state: state })
        }
        "reply_send" => {
            let r: ReplySendRequest = parse(req)?;
            let row = ctx
                .engine
                .enqueue_text(&r.open_kfid, &r.external_userid, &r.text)?
                .map_err(refused_reply)?;
            if let Some(t) = &ctx.team {
                team::push_reply(t, store, &row).await?;
            }
            ctx.worker.send(WorkerCommand::SyncNow).await;
            ok(ReplySendResponse {
                msgid: row.msgid,
                state: row.state,
            })
        }
        "search_messages" => search::search_messages(store, req),
        "report_get" => report::report_get(ctx, req).await,
        c if c.starts_with("canned_") => canned::dispatch(ctx, c, req).await,
        "conversation_export" => ok(export::conversation(ctx, parse(req)?).await?),
        "messages_export" => ok(export::range(ctx, parse(req)?).await?),
        "open_url" => open_url::open_url(ctx, req),
        "media_open" => ok(media_file::open(ctx, parse(req)?).await?),
        "media_save" => ok(media_file::save(ctx, parse(req)?).await?),
        "voice_clip" => ok(media_file::voice_clip(ctx, parse(req)?).await?),
        "sync_now" => {
            ctx.worker.send(WorkerCommand::SyncNow).await;
            ok(Empty {})
        }
        other => Err(IpcError::new(
            ErrorCode::UnknownCommand,
            format!("unknown command {other}"),
        )),
    }
}
