//! The `report_get` command: the report of a date range (`kefu_core::report`), from the team
//! database in team mode (this desktop's mirror when it is unreachable), else the local store.

use crate::{Context, ErrorCode, IpcError, ok, parse};
use kefu_core::report::{self, Figures, Report, ReportQuery, Timing};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// `report_get` request.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReportRequest {
    /// First second (Unix).
    #[ts(type = "number")]
    pub since: i64,
    /// End, exclusive (Unix).
    #[ts(type = "number")]
    pub until: i64,
    /// Only sessions this agent (or WeCom servicer) replied in.
    #[ts(optional)]
    pub agent: Option<String>,
    /// The window's UTC offset in minutes east (Beijing: 480), for the days and hours.
    #[ts(optional)]
    pub offset_minutes: Option<i32>,
}

/// Durations in seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TimingDto {
    /// How many.
    #[ts(type = "number")]
    pub count: u64,
    /// Mean.
    #[ts(type = "number | null")]
    pub avg_secs: Option<i64>,
    /// Median.
    #[ts(type = "number | null")]
    pub p50_secs: Option<i64>,
    /// 90th percentile.
    #[ts(type = "number | null")]
    pub p90_secs: Option<i64>,
}

impl From<Timing> for TimingDto {
    fn from(t: Timing) -> Self {
        Self {
            count: t.count,
            avg_secs: t.avg_secs,
            p50_secs: t.p50_secs,
            p90_secs: t.p90_secs,
        }
    }
}

/// Figures of the desk, an agent or an account (definitions: ARCHITECTURE.md, "Reports").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FiguresDto {
    /// Sessions that began in the range.
    #[ts(type = "number")]
    pub sessions: u64,
    /// … answered before they closed.
    #[ts(type = "number")]
    pub answered: u64,
    /// … closed unanswered.
    #[ts(type = "number")]
    pub unanswered: u64,
    /// … open and unanswered.
    #[ts(type = "number")]
    pub pending: u64,
    /// answered / (answered + unanswered).
    pub answered_share: Option<f64>,
    /// Ended in this console.
    #[ts(type = "number")]
    pub ended_here: u64,
    /// Ended in the WeCom client.
    #[ts(type = "number")]
    pub ended_in_wecom: u64,
    /// Closed by the 48 h window.
    #[ts(type = "number")]
    pub expired: u64,
    /// Customer's first message → first reply.
    pub first_response: TimingDto,
    /// Every wait.
    pub response: TimingDto,
    /// Customer messages.
    #[ts(type = "number")]
    pub messages_in: u64,
    /// Replies.
    #[ts(type = "number")]
    pub messages_out: u64,
    /// Replies refused for good.
    #[ts(type = "number")]
    pub refused: u64,
}

impl From<Figures> for FiguresDto {
    fn from(f: Figures) -> Self {
        Self {
            sessions: f.sessions,
            answered: f.answered,
            unanswered: f.unanswered,
            pending: f.pending,
            answered_share: f.answered_share,
            ended_here: f.ended_here,
            ended_in_wecom: f.ended_in_wecom,
            expired: f.expired,
            first_response: f.first_response.into(),
            response: f.response.into(),
            messages_in: f.messages_in,
            messages_out: f.messages_out,
            refused: f.refused,
        }
    }
}

/// An agent's (or WeCom servicer's) figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AgentReportDto {
    /// Agent name, or the servicer's userid.
    pub name: String,
    /// A servicer in the WeCom client.
    pub wecom: bool,
    /// Figures.
    pub figures: FiguresDto,
}

/// An account's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AccountReportDto {
    /// Account.
    pub open_kfid: String,
    /// Its name.
    pub name: Option<String>,
    /// Figures.
    pub figures: FiguresDto,
}

/// Volume in an hour of the day or on a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct VolumeDto {
    /// `YYYY-MM-DD` or `00`–`23`.
    pub label: String,
    /// Customer messages.
    #[ts(type = "number")]
    pub messages_in: u64,
    /// Replies.
    #[ts(type = "number")]
    pub messages_out: u64,
    /// Sessions begun.
    #[ts(type = "number")]
    pub sessions: u64,
}

/// Refused replies with one errcode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RefusalDto {
    /// WeChat's errcode.
    #[ts(type = "number | null")]
    pub errcode: Option<i64>,
    /// What it means, in English and in Chinese (from the API reference).
    pub meaning_en: Option<String>,
    /// 中文说明.
    pub meaning_zh: Option<String>,
    /// How many.
    #[ts(type = "number")]
    pub count: u64,
}

/// `report_get` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReportDto {
    /// First second.
    #[ts(type = "number")]
    pub since: i64,
    /// End, exclusive.
    #[ts(type = "number")]
    pub until: i64,
    /// local (this desktop's store) | team (the team database) | mirror (the team database is
    /// unreachable: this desktop's copy of it).
    pub source: String,
    /// The agent filter.
    pub agent: Option<String>,
    /// The desk.
    pub totals: FiguresDto,
    /// Per agent.
    pub by_agent: Vec<AgentReportDto>,
    /// Per account.
    pub by_account: Vec<AccountReportDto>,
    /// 24 hours.
    pub by_hour: Vec<VolumeDto>,
    /// Each day.
    pub by_day: Vec<VolumeDto>,
    /// Refused replies by errcode.
    pub refusals: Vec<RefusalDto>,
    /// Satisfaction survey answers given in the range (of the agent filter: sessions that agent
    /// ended), read from this desktop's store (in team mode its mirror of the shared log).
    pub satisfaction: SatisfactionDto,
    /// Survey answers per agent who ended the session (none: ended in WeCom or not here).
    pub satisfaction_by_agent: Vec<AgentSatisfactionDto>,
}

/// Survey answers by rating.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SatisfactionDto {
    /// 满意.
    #[ts(type = "number")]
    pub satisfied: u64,
    /// 一般.
    #[ts(type = "number")]
    pub neutral: u64,
    /// 不满意.
    #[ts(type = "number")]
    pub unsatisfied: u64,
    /// Satisfied share of all answers (none without answers).
    pub satisfied_share: Option<f64>,
}

/// One agent's survey answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AgentSatisfactionDto {
    /// Who ended the sessions (none: not ended here).
    pub agent: Option<String>,
    /// Answers.
    pub figures: SatisfactionDto,
}

impl From<&kefu_core::store::SurveyCounts> for SatisfactionDto {
    fn from(c: &kefu_core::store::SurveyCounts) -> Self {
        let answers = c.answers();
        Self {
            satisfied: c.satisfied,
            neutral: c.neutral,
            unsatisfied: c.unsatisfied,
            satisfied_share: (answers > 0).then(|| c.satisfied as f64 / answers as f64),
        }
    }
}

fn volume(v: report::Volume) -> VolumeDto {
    VolumeDto {
        label: v.label,
        messages_in: v.messages_in,
        messages_out: v.messages_out,
        sessions: v.sessions,
    }
}

fn dto(r: Report, source: &str) -> ReportDto {
    ReportDto {
        since: r.since,
        until: r.until,
        source: source.into(),
        agent: r.agent,
        totals: r.totals.into(),
        by_agent: r
            .by_agent
            .into_iter()
            .map(|a| AgentReportDto {
                name: a.actor.name,
                wecom: a.actor.wecom,
                figures: a.figures.into(),
            })
            .collect(),
        by_account: r
            .by_account
            .into_iter()
            .map(|a| AccountReportDto {
                open_kfid: a.open_kfid,
                name: a.name,
                figures: a.figures.into(),
            })
            .collect(),
        by_hour: r.by_hour.into_iter().map(volume).collect(),
        by_day: r.by_day.into_iter().map(volume).collect(),
        refusals: r
            .refusals
            .into_iter()
            .map(|f| RefusalDto {
                errcode: f.errcode,
                meaning_en: f
                    .errcode
                    .and_then(kefu_wechat::error::errcode_meaning)
                    .map(str::to_owned),
                meaning_zh: f
                    .errcode
                    .and_then(kefu_wechat::error::errcode_meaning_zh)
                    .map(str::to_owned),
                count: f.count,
            })
            .collect(),
        satisfaction: SatisfactionDto::from(&kefu_core::store::SurveyCounts::default()),
        satisfaction_by_agent: Vec::new(),
    }
}

/// Runs `report_get`.
pub(crate) async fn report_get(ctx: &Context, req: Value) -> Result<Value, IpcError> {
    let r: ReportRequest = parse(req)?;
    let offset_secs = r
        .offset_minutes
        .map_or(report::calendar::DEFAULT_OFFSET_SECS, |m| {
            m.clamp(-14 * 60, 14 * 60) * 60
        });
    let query = ReportQuery {
        since: r.since,
        until: r.until,
        agent: r.agent.filter(|a| !a.is_empty()),
        offset_secs,
    };
    query
        .check()
        .map_err(|e| IpcError::new(ErrorCode::BadRequest, e))?;
    let now = ctx.engine.clock.now();
    let from_team = match &ctx.team {
        Some(team) => match team.report_input(&query).await {
            Ok(input) => Some(input),
            Err(e) if e.is_connection() => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let source = match (&ctx.team, &from_team) {
        (None, _) => "local",
        (Some(_), Some(_)) => "team",
        (Some(_), None) => "mirror",
    };
    let store = ctx.engine.store.clone();
    let agent = ctx.agent.clone();
    let (report, survey) = tokio::task::spawn_blocking(move || {
        let input = match from_team {
            Some(input) => input,
            None => store.report_input(&query, &agent)?,
        };
        let survey = store.survey_counts(query.since, query.until)?;
        Ok::<_, IpcError>((report::compute(input, &query, now), survey))
    })
    .await
    .map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))??;
    let filter = report.agent.clone();
    let mut out = dto(report, source);
    let (total, by_agent) = survey;
    out.satisfaction = match &filter {
        None => SatisfactionDto::from(&total),
        Some(a) => by_agent
            .iter()
            .find(|(who, _)| who.as_deref() == Some(a.as_str()))
            .map(|(_, c)| SatisfactionDto::from(c))
            .unwrap_or_else(|| SatisfactionDto::from(&kefu_core::store::SurveyCounts::default())),
    };
    out.satisfaction_by_agent = by_agent
        .iter()
        .map(|(agent, c)| AgentSatisfactionDto {
            agent: agent.clone(),
            figures: SatisfactionDto::from(c),
        })
        .collect();
    ok(out)
}
