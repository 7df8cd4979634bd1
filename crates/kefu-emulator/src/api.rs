//! The emulated WeChat endpoints under `/cgi-bin/`, with the real methods, paths and field
//! names, so an unmodified third-party SDK works against them.
//!
//! Every handler applies injected faults first, then checks the access token, parses the body
//! (malformed JSON answers 40058 like WeChat) and calls one rule of [`crate::state::State`].
//! API errors are HTTP 200 with `errcode`/`errmsg` (reference §13.7).

use crate::Emulator;
use crate::fault::Fault;
use crate::state::{ApiError, ApiResult, MEDIA_GET_MAX, State};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Multipart, Query, State as AxState};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kefu_wechat::api::*;
use kefu_wechat::error::errcode_meaning;
use kefu_wechat::send::Content;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::time::Duration;

type Q = Query<HashMap<String, String>>;

/// The `/cgi-bin/` routes.
pub fn routes() -> Router<Emulator> {
    Router::new()
        .route("/cgi-bin/gettoken", get(gettoken))
        .route(
            "/cgi-bin/kf/account/list",
            post(account_list).get(account_list),
        )
        .route("/cgi-bin/kf/servicer/list", get(servicer_list))
        .route("/cgi-bin/kf/sync_msg", post(sync_msg))
        .route("/cgi-bin/kf/send_msg", post(send_msg))
        .route("/cgi-bin/kf/send_msg_on_event", post(send_msg_on_event))
        .route("/cgi-bin/kf/recall_msg", post(recall_msg))
        .route("/cgi-bin/kf/service_state/get", post(service_state_get))
        .route("/cgi-bin/kf/service_state/trans", post(service_state_trans))
        .route("/cgi-bin/kf/customer/batchget", post(customer_batchget))
        .route("/cgi-bin/media/upload", post(media_upload))
        .route("/cgi-bin/media/get", get(media_get))
}

/// An error body in WeChat's format.
pub fn error_response(code: i64) -> Response {
    let meaning = errcode_meaning(code).unwrap_or("error");
    let errmsg = format!(
        "{meaning}, hint: [{:x}-emulator], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e={code}",
        code.unsigned_abs() * 2654435761 % 0xffffff
    );
    axum::Json(json!({"errcode": code, "errmsg": errmsg})).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error_response(self.0)
    }
}

fn ok(mut body: Value) -> Response {
    if let Some(map) = body.as_object_mut() {
        map.insert("errcode".into(), json!(0));
        map.insert("errmsg".into(), json!("ok"));
    }
    axum::Json(body).into_response()
}

/// What the fault layer decided for a call.
enum Gate {
    Proceed(Option<Fault>),
    Stop(Response),
}

async fn gate(em: &Emulator, endpoint: &str) -> Gate {
    let fault = em.faults().take(endpoint);
    match fault {
        None => Gate::Proceed(None),
        Some(Fault::DelayMs(ms)) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Gate::Proceed(None)
        }
        Some(Fault::Errcode(code)) => Gate::Stop(error_response(code)),
        Some(Fault::Http(status)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            Gate::Stop(
                (
                    status,
                    [(header::CONTENT_TYPE, "text/html")],
                    "<html><body>upstream error</body></html>",
                )
                    .into_response(),
            )
        }
        Some(Fault::Drop) => Gate::Stop(dropped_connection()),
        Some(other) => Gate::Proceed(Some(other)),
    }
}

/// A response that promises a body and breaks off: the client sees the connection drop.
fn dropped_connection() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "fault: dropped",
        ))
    });
    let mut response = Response::new(Body::from_stream(stream));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from_static("4096"));
    response
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    serde_json::from_slice(body)
        .map_err(|_| ApiError(kefu_wechat::error::errcode::INVALID_PARAMETER))
}

fn token(q: &Q) -> Option<&str> {
    q.get("access_token").map(String::as_str)
}

macro_rules! gated {
    ($em:expr, $endpoint:expr) => {
        match gate(&$em, $endpoint).await {
            Gate::Stop(r) => return r,
            Gate::Proceed(f) => f,
        }
    };
}

fn run(f: impl FnOnce() -> ApiResult<Response>) -> Response {
    f().unwrap_or_else(IntoResponse::into_response)
}

async fn gettoken(AxState(em): AxState<Emulator>, q: Q) -> Response {
    gated!(em, "gettoken");
    let mut st = em.state();
    run(|| {
        let (token, ttl) = st.get_token(
            q.get("corpid").map(String::as_str),
            q.get("corpsecret").map(String::as_str),
        )?;
        Ok(ok(json!({"access_token": token, "expires_in": ttl})))
    })
}

async fn account_list(AxState(em): AxState<Emulator>, q: Q, body: Bytes) -> Response {
    gated!(em, "kf/account/list");
    let st = em.state();
    run(|| {
        st.check_token(token(&q))?;
        let req: AccountListRequest = if body.is_empty() {
            AccountListRequest::default()
        } else {
            parse(&body)?
        };
        let list = st.account_list(req.offset.unwrap_or(0), req.limit.unwrap_or(100))?;
        Ok(ok(json!({"account_list": list})))
    })
}

async fn servicer_list(AxState(em): AxState<Emulator>, q: Q) -> Response {
    gated!(em, "kf/servicer/list");
    let st = em.state();
    run(|| {
        st.check_token(token(&q))?;
        let open_kfid = q.get("open_kfid").cloned().unwrap_or_default();
        let list = st.servicer_list(&open_kfid.into())?;
        Ok(ok(json!({"servicer_list": list})))
    })
}

async fn sync_msg(AxState(em): AxState<Emulator>, q: Q, body: Bytes) -> Response {
    let fault = gated!(em, "kf/sync_msg");
    let mut st = em.state();
    run(|| {
        st.check_token(token(&q))?;
        let req: SyncMsgRequest = parse(&body)?;
        // Required since the 2024-01-31 revision; an empty string is rejected too.
        let open_kfid = req.open_kfid.clone().ok_or(ApiError(40058))?;
        if req.token.as_deref().is_some_and(|t| !t.is_empty()) {
            // The emulator sends no callbacks, so it never issued a callback token.
            return Err(ApiError(kefu_wechat::error::errcode::INVALID_MSG_TOKEN));
        }
        if req.voice_format.is_some_and(|v| v > 1) {
            return Err(ApiError(40058));
        }
        let cursor = req.cursor.as_deref();
        if fault == Some(Fault::EmptyHasMore) {
            let same = cursor
                .map(str::to_owned)
                .unwrap_or_else(|| State::encode_cursor(0));
            return Ok(ok(
                json!({"next_cursor": same, "has_more": 1, "msg_list": []}),
            ));
        }
        let (mut items, next, more) =
            st.sync(&open_kfid, cursor, req.limit.unwrap_or(1000), false)?;
        if let Some(Fault::RepeatItems(n)) = fault {
            let mut repeated = st.items_before(&open_kfid, cursor, n);
            repeated.append(&mut items);
            items = repeated;
        }
        Ok(ok(
            json!({"next_cursor": next, "has_more": u32::from(more), "msg_list": items}),
        ))
    })
}

/// Sendable `msgtype`s; anything else answers 40008 before the body is read.
const SENDABLE: [&str; 10] = [
    "text",
    "image",
    "voice",
    "video",
    "file",
    "link",
    "miniprogram",
    "msgmenu",
    "location",
    "ca_link",
];

fn check_msgtype(body: &[u8]) -> ApiResult<()> {
    let value: Value = parse(body)?;
    match value.get("msgtype").and_then(Value::as_str) {
        Some(t) if SENDABLE.contains(&t) => Ok(()),
        _ => Err(ApiError(40008)),
    }
}

async fn send_msg(AxState(em): AxState<Emulator>, q: Q, body: Bytes) -> Response {
    gated!(em, "kf/send_msg");
    let response = {
        let mut st = em.state();
        run(|| {
            st.check_token(token(&q))?;
            check_msgtype(&body)?;
            let req: SendMsgRequest = parse(&body)?;
            let msgid =
                st.send_msg(&req.touser, &req.open_kfid, req.msgid.as_ref(), req.content)?;
            Ok(ok(json!({"msgid": msgid})))
        })
    };
    em.notify_reply();
    response
}

async fn recall_msg(AxState(em): AxState<Emulator>, q: Q, body: Bytes) -> Response {
    gated!(em, "kf/recall_msg");
    let mut st = em.state();
    run(|| {
        st.check_token(token(&q))?;
        let req: kefu_wechat::api::RecallMsgRequest = parse(&body)?;
        st.recall_msg(&req.open_kfid, &req.msgid)?;
        Ok(ok(json!({})))
    })
}

async fn send_msg_on_event(AxState(em): AxState<Emulator>, q: Q, body: Bytes) -> Response {
    gated!(em, "kf/send_msg_on_event");
    let response = {
        let mut st = em.state();
        run(|| {
            st.check_token(token(&q))?;
            check_msgtype(&body)?;
            let req: SendMsgOnEventRequest = parse(&body)?;
            if !matches!(req.content, Content::Text { .. } | Content::Msgmenu { .. }) {
                return Err(ApiError(40008));
            }
            let msgid = st.send_msg_on_event(&req.code, req.msgid.as_ref(), req.content)?;
            Ok(ok(json!({"msgid": msgid})))
        })
    };
    em.notify_reply();
    response
}

async fn service_state_get(AxState(em): AxState<Emulator>, q: Q, body: Bytes) -> Response {
    gated!(em, "kf/service_state/get");
    let st = em.state();
    run(|| {
        st.check_token(token(&q))?;
        let req: ServiceStateGetRequest = parse(&body)?;
        let (state, servicer) = st.service_state_get(&req.open_kfid, &req.external_userid)?;
        let mut body = json!({"service_state": state});
        if let Some(s) = servicer {
            body["servicer_userid"] = json!(s);
        }
        Ok(ok(body))
    })
}

async fn service_state_trans(AxState(em): AxState<Emulator>, q: Q, body: Bytes) -> Response {
    gated!(em, "kf/service_state/trans");
    let mut st = em.state();
    run(|| {
        st.check_token(token(&q))?;
        let req: ServiceStateTransRequest = parse(&body)?;
        let code = st.service_state_trans(
            &req.open_kfid,
            &req.external_userid,
            req.service_state,
            req.servicer_userid.as_ref(),
        )?;
        Ok(ok(match code {
            Some(c) => json!({"msg_code": c}),
            None => json!({}),
        }))
    })
}

async fn customer_batchget(AxState(em): AxState<Emulator>, q: Q, body: Bytes) -> Response {
    gated!(em, "kf/customer/batchget");
    let st = em.state();
    run(|| {
        st.check_token(token(&q))?;
        let req: CustomerBatchgetRequest = parse(&body)?;
        let (found, invalid) = st.customer_batchget(
            &req.external_userid_list,
            req.need_enter_session_context == Some(1),
        )?;
        Ok(ok(
            json!({"customer_list": found, "invalid_external_userid": invalid}),
        ))
    })
}

async fn media_upload(AxState(em): AxState<Emulator>, q: Q, mut multipart: Multipart) -> Response {
    gated!(em, "media/upload");
    if let Err(e) = em.state().check_token(token(&q)) {
        return e.into_response();
    }
    let mut upload = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("media") {
            let filename = field.file_name().unwrap_or("media").to_owned();
            let content_type = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_owned();
            match field.bytes().await {
                Ok(bytes) => upload = Some((filename, content_type, bytes)),
                Err(_) => return error_response(40058),
            }
        }
    }
    let Some((filename, content_type, bytes)) = upload else {
        return error_response(41006);
    };
    let mut st = em.state();
    run(|| {
        let media_type = q.get("type").map(String::as_str);
        let (media_id, created_at) = st.media_upload(media_type, filename, content_type, bytes)?;
        // `created_at` is a string on the wire.
        Ok(ok(
            json!({"type": media_type, "media_id": media_id, "created_at": created_at.to_string()}),
        ))
    })
}

async fn media_get(AxState(em): AxState<Emulator>, q: Q, headers: HeaderMap) -> Response {
    gated!(em, "media/get");
    let st = em.state();
    run(|| {
        st.check_token(token(&q))?;
        let item = st.media_item(q.get("media_id").map(String::as_str).unwrap_or_default())?;
        let total = item.bytes.len() as u64;
        let range = headers
            .get(header::RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_range(v, total));
        let (status, start, end) = match range {
            Some((s, e)) => (StatusCode::PARTIAL_CONTENT, s, e),
            None => (StatusCode::OK, 0, total.saturating_sub(1)),
        };
        if total > 0 && end - start + 1 > MEDIA_GET_MAX {
            return Err(ApiError(kefu_wechat::error::errcode::MEDIA_TOO_LARGE));
        }
        let body = if total == 0 {
            Bytes::new()
        } else {
            item.bytes.slice(start as usize..=end as usize)
        };
        let mut response = (status, body).into_response();
        let h = response.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(&item.content_type)
                .unwrap_or(HeaderValue::from_static("application/octet-stream")),
        );
        h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        if let Ok(v) = HeaderValue::from_str(&content_disposition(&item.filename)) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
        if status == StatusCode::PARTIAL_CONTENT
            && let Ok(v) = HeaderValue::from_str(&format!("bytes {start}-{end}/{total}"))
        {
            h.insert(header::CONTENT_RANGE, v);
        }
        Ok(response)
    })
}

/// `bytes=a-b`, `bytes=a-` or `bytes=-n`, clamped to the file; `None` when unusable.
fn parse_range(value: &str, total: u64) -> Option<(u64, u64)> {
    let spec = value.strip_prefix("bytes=")?;
    let (a, b) = spec.split_once('-')?;
    if total == 0 {
        return None;
    }
    let (start, end) = match (a.trim(), b.trim()) {
        ("", n) => {
            let n: u64 = n.parse().ok()?;
            (total.saturating_sub(n), total - 1)
        }
        (s, "") => (s.parse().ok()?, total - 1),
        (s, e) => (s.parse().ok()?, e.parse::<u64>().ok()?.min(total - 1)),
    };
    (start <= end && start < total).then_some((start, end))
}

/// `attachment; filename="…"`, with an RFC 5987 `filename*` for names that are not ASCII.
fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-1023", 2048), Some((0, 1023)));
        assert_eq!(parse_range("bytes=1000-", 2048), Some((1000, 2047)));
        assert_eq!(parse_range("bytes=-48", 2048), Some((2000, 2047)));
        assert_eq!(parse_range("bytes=0-99999", 10), Some((0, 9)));
        assert_eq!(parse_range("bytes=50-10", 100), None);
        assert_eq!(parse_range("items=0-1", 100), None);
    }
}
