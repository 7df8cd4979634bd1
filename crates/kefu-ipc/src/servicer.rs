//! `servicer_list` (the WeCom members who serve an account, from `kf/servicer/list`) and
//! `session_transfer` (hand a session of mine to one of them in this console's queue; WeChat's
//! side stays in state 0/1 so the API can keep replying).

use crate::{Context, IpcError};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// `servicer_list` request.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ServicerListRequest {
    /// Account.
    pub open_kfid: String,
}

/// A servicer of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ServicerDto {
    /// WeCom member id.
    pub userid: String,
    /// 0 receiving, 1 stopped (`kf/servicer/list`'s encoding), when known.
    pub status: Option<u32>,
}

/// `servicer_list` response.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ServicerListResponse {
    /// Members (departments are left out).
    pub servicers: Vec<ServicerDto>,
}

/// `session_transfer` request.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SessionTransferRequest {
    /// Account.
    pub open_kfid: String,
    /// Customer.
    pub external_userid: String,
    /// Who takes it.
    pub servicer_userid: String,
}

/// The account's servicers.
pub async fn list(ctx: &Context, r: ServicerListRequest) -> Result<ServicerListResponse, IpcError> {
    let listed = ctx
        .engine
        .client
        .servicer_list(&r.open_kfid.as_str().into())
        .await
        .map_err(kefu_core::engine::EngineError::from)?;
    Ok(ServicerListResponse {
        servicers: listed
            .into_iter()
            .filter_map(|s| {
                Some(ServicerDto {
                    userid: s.userid?.to_string(),
                    status: s.status,
                })
            })
            .collect(),
    })
}
