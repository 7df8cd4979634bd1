//! The control API under `/emulator/` (JSON) and the "play the customer" page at `/emulator`.
//!
//! It lets a person or a test make a customer say something now, act as a servicer in the
//! WeCom client, move the clock, invalidate tokens, inject faults and inspect what the API
//! accepted. It is not part of WeChat's API and needs no token.

use crate::Emulator;
use crate::fault::{Chaos, FaultRule};
use crate::rng::Rng;
use crate::sim;
use axum::Json;
use axum::Router;
use axum::extract::{Query, State as AxState};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use kefu_wechat::message::{Body, Text};
use kefu_wechat::{ExternalUserId, OpenKfId, ServicerId};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The `/emulator` routes.
pub fn routes() -> Router<Emulator> {
    Router::new()
        .route("/emulator", get(page))
        .route("/emulator/info", get(info))
        .route("/emulator/customers/say", post(customer_say))
        .route("/emulator/customers/recall", post(customer_recall))
        .route("/emulator/servicer", post(servicer))
        .route("/emulator/clock/advance", post(advance))
        .route("/emulator/tokens/invalidate", post(invalidate_tokens))
        .route("/emulator/tokens/expire", post(expire_tokens))
        .route("/emulator/faults", post(add_fault).delete(clear_faults))
        .route("/emulator/faults/chaos", post(chaos))
        .route("/emulator/deliveries/fail", post(fail_deliveries))
        .route("/emulator/sent", get(sent))
        .route("/emulator/log", get(log))
        .route("/emulator/sessions", get(sessions))
        .route("/emulator/bulk", post(bulk))
        .route("/emulator/simulation", post(simulation))
}

fn bad(message: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": message.into()})),
    )
        .into_response()
}

fn api_bad(e: crate::state::ApiError) -> Response {
    bad(format!(
        "errcode {}: {}",
        e.0,
        kefu_wechat::error::errcode_meaning(e.0).unwrap_or("error")
    ))
}

fn first_account(em: &Emulator) -> Option<OpenKfId> {
    em.state()
        .accounts
        .first()
        .map(|a| a.account.open_kfid.clone())
}

async fn page() -> Html<&'static str> {
    Html(include_str!("play.html"))
}

async fn info(AxState(em): AxState<Emulator>) -> Json<Value> {
    let st = em.state();
    Json(json!({
        "corp_id": st.config.corp_id,
        "accounts": st.accounts,
        "scenario": em.scenario().map(|s| s.name.clone()),
        "log_len": st.log_len(),
        "sent": st.sent.len(),
        "customers": st.customers.len(),
        "simulation_paused": em.simulation_paused(),
        "faults_applied": em.faults().applied,
        "now": st.now(),
    }))
}

/// Body of `POST /emulator/customers/say`.
#[derive(Deserialize)]
struct Say {
    open_kfid: Option<OpenKfId>,
    external_userid: Option<ExternalUserId>,
    nickname: Option<String>,
    text: Option<String>,
    /// Any body with its `msgtype`, e.g. `{"msgtype":"location","location":{…}}`.
    message: Option<Value>,
    /// A scenario media file (`scenarios/media/`), sent as an image, voice, video or file by
    /// its extension.
    media: Option<String>,
}

async fn customer_say(AxState(em): AxState<Emulator>, Json(req): Json<Say>) -> Response {
    let Some(open_kfid) = req.open_kfid.or_else(|| first_account(&em)) else {
        return bad("no account");
    };
    let body = match (req.media, req.text, req.message) {
        (Some(name), _, _) => {
            let kind = crate::scenario::media_type_of(&name);
            match crate::scenario::media_body(kind, &name, &mut em.state()) {
                Some(body) => body,
                None => return bad(format!("no scenario media file {name}")),
            }
        }
        (None, Some(text), _) => Body::Text {
            text: Text {
                content: text,
                menu_id: None,
            },
        },
        (None, None, Some(message)) => match serde_json::from_value::<Body>(message) {
            Ok(b) => b,
            Err(e) => return bad(format!("message: {e}")),
        },
        (None, None, None) => return bad("give text, message or media"),
    };
    let customer = match req.external_userid {
        Some(c) if em.state().customers.contains_key(&c) => c,
        Some(_) => return bad("unknown external_userid"),
        None => {
            let seed = em.state().rng.next_u64();
            let c = sim::new_customer(&em, &mut Rng::new(seed), req.nickname);
            if let Err(e) = em
                .state()
                .customer_enter(&open_kfid, &c, Some("play".into()))
            {
                return api_bad(e);
            }
            c
        }
    };
    match em.state().customer_says(&open_kfid, &customer, body) {
        Ok(msgid) => {
            Json(json!({"external_userid": customer, "open_kfid": open_kfid, "msgid": msgid}))
                .into_response()
        }
        Err(e) => api_bad(e),
    }
}

#[derive(Deserialize)]
struct Recall {
    open_kfid: OpenKfId,
    external_userid: ExternalUserId,
    msgid: String,
}

async fn customer_recall(AxState(em): AxState<Emulator>, Json(r): Json<Recall>) -> Response {
    match em
        .state()
        .customer_recalls(&r.open_kfid, &r.external_userid, &r.msgid)
    {
        Ok(()) => Json(json!({})).into_response(),
        Err(e) => api_bad(e),
    }
}

/// A servicer acting in the WeCom client.
#[derive(Deserialize)]
struct ServicerAction {
    /// take | transfer | end | say | status
    action: String,
    open_kfid: OpenKfId,
    external_userid: Option<ExternalUserId>,
    servicer_userid: Option<ServicerId>,
    text: Option<String>,
    /// For `status`: 0 receiving, 1 stopped.
    status: Option<u32>,
}

async fn servicer(AxState(em): AxState<Emulator>, Json(a): Json<ServicerAction>) -> Response {
    let mut st = em.state();
    let (Some(customer), Some(servicer)) = (a.external_userid.clone(), a.servicer_userid.clone())
    else {
        return match (a.action.as_str(), &a.servicer_userid, &a.external_userid) {
            ("status", Some(s), _) => {
                match st.servicer_sets_status(&a.open_kfid, s, a.status.unwrap_or(0), None) {
                    Ok(()) => Json(json!({})).into_response(),
                    Err(e) => api_bad(e),
                }
            }
            ("end", _, Some(c)) => match st.servicer_ends(&a.open_kfid, c) {
                Ok(()) => Json(json!({})).into_response(),
                Err(e) => api_bad(e),
            },
            _ => bad("missing external_userid or servicer_userid"),
        };
    };
    let result = match a.action.as_str() {
        "take" => st
            .servicer_takes(&a.open_kfid, &customer, &servicer)
            .map(|_| json!({})),
        "transfer" => st
            .servicer_transfers(&a.open_kfid, &customer, &servicer)
            .map(|_| json!({})),
        "end" => st.servicer_ends(&a.open_kfid, &customer).map(|_| json!({})),
        "say" => st
            .servicer_says(
                &a.open_kfid,
                &customer,
                &servicer,
                a.text.as_deref().unwrap_or_default(),
            )
            .map(|m| json!({"msgid": m})),
        "status" => st
            .servicer_sets_status(&a.open_kfid, &servicer, a.status.unwrap_or(0), None)
            .map(|_| json!({})),
        other => return bad(format!("unknown action {other}")),
    };
    match result {
        Ok(v) => Json(v).into_response(),
        Err(e) => api_bad(e),
    }
}

#[derive(Deserialize)]
struct Advance {
    secs: i64,
}

async fn advance(AxState(em): AxState<Emulator>, Json(a): Json<Advance>) -> Json<Value> {
    let mut st = em.state();
    st.advance_clock(a.secs);
    Json(json!({"now": st.now()}))
}

async fn invalidate_tokens(AxState(em): AxState<Emulator>) -> Json<Value> {
    em.state().invalidate_tokens();
    Json(json!({}))
}

async fn expire_tokens(AxState(em): AxState<Emulator>) -> Json<Value> {
    em.state().expire_tokens();
    Json(json!({}))
}

async fn add_fault(AxState(em): AxState<Emulator>, Json(rule): Json<FaultRule>) -> Json<Value> {
    em.faults().add(rule);
    Json(json!({}))
}

async fn clear_faults(AxState(em): AxState<Emulator>) -> Json<Value> {
    em.faults().clear();
    Json(json!({}))
}

async fn chaos(AxState(em): AxState<Emulator>, Json(c): Json<Chaos>) -> Json<Value> {
    em.faults().set_chaos(Some(c));
    Json(json!({}))
}

#[derive(Deserialize)]
struct FailDeliveries {
    fail_types: Vec<u32>,
}

async fn fail_deliveries(
    AxState(em): AxState<Emulator>,
    Json(f): Json<FailDeliveries>,
) -> Json<Value> {
    em.state().fail_next_deliveries.extend(f.fail_types);
    Json(json!({}))
}

async fn sent(AxState(em): AxState<Emulator>) -> Json<Value> {
    Json(json!(em.state().sent))
}

async fn log(AxState(em): AxState<Emulator>, Query(q): Query<HashMap<String, String>>) -> Response {
    let Some(open_kfid) = q
        .get("open_kfid")
        .cloned()
        .map(OpenKfId)
        .or_else(|| first_account(&em))
    else {
        return bad("no account");
    };
    let items: Vec<Value> = em
        .state()
        .log_of(&open_kfid)
        .into_iter()
        .map(|i| i.json)
        .collect();
    Json(json!(items)).into_response()
}

async fn sessions(AxState(em): AxState<Emulator>) -> Json<Value> {
    let st = em.state();
    let list: Vec<Value> = st
        .sessions
        .iter()
        .map(|((k, c), s)| {
            json!({"open_kfid": k, "external_userid": c, "nickname": st.customers.get(c).map(|x| x.profile.nickname.clone()),
                   "service_state": s.state, "servicer_userid": s.servicer, "sends_since_customer_msg": s.sends_since_customer_msg,
                   "last_customer_msg": s.last_customer_msg})
        })
        .collect();
    Json(json!(list))
}

#[derive(Deserialize)]
struct Bulk {
    open_kfid: Option<OpenKfId>,
    messages: usize,
    #[serde(default = "default_bulk_customers")]
    customers: usize,
    #[serde(default = "default_span")]
    span_secs: i64,
    #[serde(default)]
    seed: u64,
}

fn default_bulk_customers() -> usize {
    100
}

fn default_span() -> i64 {
    2 * 24 * 3600
}

async fn bulk(AxState(em): AxState<Emulator>, Json(b): Json<Bulk>) -> Response {
    let Some(open_kfid) = b.open_kfid.or_else(|| first_account(&em)) else {
        return bad("no account");
    };
    let customers = sim::bulk(
        &em,
        &open_kfid,
        b.messages,
        b.customers,
        b.span_secs,
        b.seed,
    );
    Json(json!({"customers": customers.len(), "log_len": em.state().log_len()})).into_response()
}

#[derive(Deserialize)]
struct Simulation {
    paused: bool,
}

async fn simulation(AxState(em): AxState<Emulator>, Json(s): Json<Simulation>) -> Json<Value> {
    em.set_simulation_paused(s.paused);
    Json(json!({"paused": s.paused}))
}
