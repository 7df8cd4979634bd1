//! Canned replies (快捷回复): `canned_list` (all, or those matching the composer's `/query`),
//! `canned_save`, `canned_delete`, `canned_used`, `canned_import` and `canned_export` (CSV).
//! Team replies are written to the team database first and reach this desktop through its
//! mirror; personal ones stay in the local store.

use crate::{Context, ErrorCode, IpcError, ok, parse};
use kefu_core::canned::{self, CannedReply, Draft, Scope};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// One canned reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CannedReplyDto {
    /// Stable id.
    pub id: String,
    /// personal | team.
    pub scope: String,
    /// Folder ("" for none).
    pub folder: String,
    /// Title.
    pub title: String,
    /// Shortcut typed after `/` ("" for none).
    pub shortcut: String,
    /// Text with variables: {客户} {订单号} {客服} {剩余时间}.
    pub body: String,
    /// Last change (unix seconds).
    #[ts(type = "number")]
    pub updated_at: i64,
    /// Who changed it.
    pub updated_by: String,
    /// Uses on this desktop.
    #[ts(type = "number")]
    pub uses: i64,
}

impl From<&CannedReply> for CannedReplyDto {
    fn from(r: &CannedReply) -> Self {
        Self {
            id: r.id.clone(),
            scope: r.draft.scope.as_str().into(),
            folder: r.draft.folder.clone(),
            title: r.draft.title.clone(),
            shortcut: r.draft.shortcut.clone(),
            body: r.draft.body.clone(),
            updated_at: r.updated_at,
            updated_by: r.updated_by.clone(),
            uses: r.uses,
        }
    }
}

/// `canned_list` request.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CannedListRequest {
    /// What follows `/` in the composer: a shortcut, text, pinyin or initials. None or "":
    /// every reply, by folder and title.
    #[ts(optional)]
    pub query: Option<String>,
}

/// `canned_list` response.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CannedListResponse {
    /// Best match first (with a query).
    pub replies: Vec<CannedReplyDto>,
    /// Whether team replies can be written (team mode).
    pub team: bool,
}

/// `canned_save` request.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CannedSaveRequest {
    /// The reply to change; none for a new one.
    #[ts(optional)]
    pub id: Option<String>,
    /// personal | team.
    pub scope: String,
    /// Folder.
    pub folder: String,
    /// Title.
    pub title: String,
    /// Shortcut.
    pub shortcut: String,
    /// Text.
    pub body: String,
}

/// `canned_delete` / `canned_used` request.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CannedRef {
    /// The reply.
    pub id: String,
}

/// `canned_import` request.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CannedImportRequest {
    /// The file's text (CSV with a header: 分类,标题,快捷码,内容).
    pub csv: String,
    /// personal | team: where the rows go.
    pub scope: String,
}

/// A row that was not imported.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CannedProblemDto {
    /// Line in the file.
    #[ts(type = "number")]
    pub line: u64,
    /// Why.
    pub message: String,
}

/// `canned_import` response.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CannedImportResponse {
    /// New replies.
    #[ts(type = "number")]
    pub added: u64,
    /// Replies of the same folder and title, replaced.
    #[ts(type = "number")]
    pub updated: u64,
    /// Rows left out, with their line.
    pub problems: Vec<CannedProblemDto>,
}

/// `canned_export` response.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CannedExportResponse {
    /// The file written (in the downloads folder).
    pub path: String,
    /// Replies in it.
    #[ts(type = "number")]
    pub count: u64,
}

fn scope_of(ctx: &Context, s: &str) -> Result<Scope, IpcError> {
    match Scope::parse(s) {
        Some(Scope::Team) if ctx.team.is_none() => Err(IpcError::new(
            ErrorCode::InvalidSetting,
            "team canned replies need team mode",
        )),
        Some(scope) => Ok(scope),
        None => Err(IpcError::new(
            ErrorCode::BadRequest,
            "scope is personal or team",
        )),
    }
}

fn invalid(e: canned::Invalid) -> IpcError {
    IpcError::new(ErrorCode::InvalidSetting, e.to_string())
}

fn team_of(ctx: &Context) -> Result<&kefu_core::team::Team, IpcError> {
    ctx.team.as_ref().ok_or_else(|| {
        IpcError::new(
            ErrorCode::InvalidSetting,
            "team canned replies need team mode",
        )
    })
}

/// Runs a `canned_*` command.
pub async fn dispatch(ctx: &Context, cmd: &str, req: Value) -> Result<Value, IpcError> {
    let store = &ctx.engine.store;
    match cmd {
        "canned_list" => {
            let r: CannedListRequest = parse(req)?;
            let all = store.canned_replies()?;
            let query = r.query.unwrap_or_default();
            let replies = if query.trim().is_empty() {
                all.iter().map(CannedReplyDto::from).collect()
            } else {
                canned::search(&all, &query)
                    .into_iter()
                    .map(CannedReplyDto::from)
                    .collect()
            };
            ok(CannedListResponse {
                replies,
                team: ctx.team.is_some(),
            })
        }
        "canned_save" => {
            let r: CannedSaveRequest = parse(req)?;
            let draft = Draft {
                scope: scope_of(ctx, &r.scope)?,
                folder: r.folder,
                title: r.title,
                shortcut: r.shortcut,
                body: r.body,
            }
            .normalised()
            .map_err(invalid)?;
            let before =
                match &r.id {
                    Some(id) => Some(store.canned_reply(id)?.ok_or_else(|| {
                        IpcError::new(ErrorCode::NotFound, "no such canned reply")
                    })?),
                    None => None,
                };
            let id = r.id.unwrap_or_else(kefu_core::engine::new_msgid);
            if before
                .as_ref()
                .is_some_and(|b| b.draft.scope == Scope::Team && draft.scope == Scope::Personal)
            {
                team_of(ctx)?.canned_delete(store, &id).await?;
            }
            match draft.scope {
                Scope::Team => team_of(ctx)?.canned_put(store, &id, &draft).await?,
                Scope::Personal => store.canned_put(&CannedReply {
                    id: id.clone(),
                    draft,
                    updated_at: ctx.engine.clock.now(),
                    updated_by: ctx.agent.clone(),
                    uses: 0,
                })?,
            }
            let saved = store
                .canned_reply(&id)?
                .ok_or_else(|| IpcError::new(ErrorCode::Internal, "the saved reply is missing"))?;
            ok(CannedReplyDto::from(&saved))
        }
        "canned_delete" => {
            let r: CannedRef = parse(req)?;
            match store.canned_reply(&r.id)? {
                Some(c) if c.draft.scope == Scope::Team => {
                    team_of(ctx)?.canned_delete(store, &r.id).await?
                }
                Some(_) => {
                    store.canned_remove(&r.id)?;
                }
                None => return Err(IpcError::new(ErrorCode::NotFound, "no such canned reply")),
            }
            ok(crate::Empty {})
        }
        "canned_used" => {
            let r: CannedRef = parse(req)?;
            store.canned_used(&r.id)?;
            ok(crate::Empty {})
        }
        "canned_import" => {
            let r: CannedImportRequest = parse(req)?;
            let scope = scope_of(ctx, &r.scope)?;
            let (drafts, problems) = canned::from_csv(&r.csv, scope)
                .map_err(|e| IpcError::new(ErrorCode::BadRequest, e))?;
            let drafts: Vec<Draft> = drafts.into_iter().map(|(_, d)| d).collect();
            let (added, updated) = match scope {
                Scope::Personal => {
                    let done = store.canned_import(&drafts, &ctx.agent, ctx.engine.clock.now())?;
                    (done.added, done.updated)
                }
                Scope::Team => {
                    let existing = store.canned_replies()?;
                    let mut updated = 0;
                    let rows: Vec<(String, Draft)> = drafts
                        .into_iter()
                        .map(|d| {
                            let same = existing.iter().find(|e| {
                                e.draft.scope == Scope::Team
                                    && e.draft.folder == d.folder
                                    && e.draft.title == d.title
                            });
                            match same {
                                Some(e) => {
                                    updated += 1;
                                    (e.id.clone(), d)
                                }
                                None => (kefu_core::engine::new_msgid(), d),
                            }
                        })
                        .collect();
                    let added = rows.len() - updated;
                    team_of(ctx)?.canned_put_many(store, &rows).await?;
                    (added, updated)
                }
            };
            ok(CannedImportResponse {
                added: added as u64,
                updated: updated as u64,
                problems: problems
                    .into_iter()
                    .map(|p| CannedProblemDto {
                        line: p.line,
                        message: p.message,
                    })
                    .collect(),
            })
        }
        "canned_export" => {
            let all = store.canned_replies()?;
            let csv = canned::to_csv(&all.iter().collect::<Vec<_>>());
            let dir = &ctx.export_dir;
            let stamp = kefu_core::export::file_stamp(ctx.engine.clock.now(), 0);
            let path = dir.join(format!("kefu-canned-replies-{stamp}.csv"));
            std::fs::create_dir_all(dir)
                .and_then(|_| std::fs::write(&path, csv))
                .map_err(|e| {
                    IpcError::new(
                        ErrorCode::Storage,
                        format!("could not write {}: {e}", path.display()),
                    )
                })?;
            ok(CannedExportResponse {
                path: path.display().to_string(),
                count: all.len() as u64,
            })
        }
        other => Err(IpcError::new(
            ErrorCode::UnknownCommand,
            format!("unknown command {other}"),
        )),
    }
}
