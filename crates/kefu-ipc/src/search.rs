//! The `search_messages` command: plain-text query, filters, keyset paging, and results with
//! highlighted snippets as text segments (the UI wraps hit segments in elements, never HTML).

use crate::dto::MessageDto;
use crate::{IpcError, ok, parse};
use kefu_core::store::{SearchFilter, Sender, Store};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// Results per page unless asked otherwise, and the most a page may hold.
const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 500;

/// Whose messages to search.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum SearchSender {
    /// The customer's.
    Customer,
    /// Agents' (this app or colleagues in WeCom).
    Agent,
}

/// `search_messages` request. The query is plain text, never query syntax: space-separated
/// terms must all occur, a "quoted part" occurs as written.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SearchRequest {
    /// Text to find.
    pub query: String,
    /// Results per page (default 50, at most 500).
    #[ts(optional)]
    pub limit: Option<u32>,
    /// Only this account.
    #[ts(optional)]
    pub open_kfid: Option<String>,
    /// Only this customer.
    #[ts(optional)]
    pub external_userid: Option<String>,
    /// Sent at or after (Unix seconds).
    #[ts(optional, type = "number")]
    pub since: Option<i64>,
    /// Sent at or before (Unix seconds).
    #[ts(optional, type = "number")]
    pub until: Option<i64>,
    /// Only the customer's or only agents' messages.
    #[ts(optional)]
    pub sender: Option<SearchSender>,
    /// Next page: `nextBefore` of the previous response.
    #[ts(optional, type = "number")]
    pub before: Option<i64>,
}

/// A piece of a snippet: verbatim message text; `hit` marks a match.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SnippetSegment {
    /// Text.
    pub text: String,
    /// Part of a match.
    pub hit: bool,
}

/// One result.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SearchHitDto {
    /// The message (its conversation: `openKfid` + `externalUserid`; jump with its `msgid`).
    pub message: MessageDto,
    /// The customer's nickname, when known.
    pub nickname: Option<String>,
    /// Where it matched.
    pub snippet: Vec<SnippetSegment>,
}

/// `search_messages` response, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SearchResponse {
    /// Results.
    pub hits: Vec<SearchHitDto>,
    /// Pass as `before` for the next page; null when there is no more.
    #[ts(type = "number | null")]
    pub next_before: Option<i64>,
}

/// Runs `search_messages`.
pub(crate) fn search_messages(store: &Store, req: Value) -> Result<Value, IpcError> {
    let r: SearchRequest = parse(req)?;
    let filter = SearchFilter {
        open_kfid: r.open_kfid.filter(|s| !s.is_empty()),
        customer: r.external_userid.filter(|s| !s.is_empty()),
        since: r.since,
        until: r.until,
        sender: r.sender.map(|s| match s {
            SearchSender::Customer => Sender::Customer,
            SearchSender::Agent => Sender::Agent,
        }),
    };
    let limit = r.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT) as usize;
    let page = store.search(&r.query, &filter, r.before, limit)?;
    ok(SearchResponse {
        hits: page
            .hits
            .into_iter()
            .map(|h| SearchHitDto {
                message: MessageDto::from(h.message),
                nickname: h.nickname,
                snippet: h
                    .snippet
                    .into_iter()
                    .map(|s| SnippetSegment {
                        text: s.text,
                        hit: s.hit,
                    })
                    .collect(),
            })
            .collect(),
        next_before: page.next_before,
    })
}
