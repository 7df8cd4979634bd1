//! The async kf API client: access-token cache, one refresh-and-retry on token errors, and one
//! typed method per endpoint.
//!
//! Invariants: the token is fetched by a single caller at a time (the others wait for it); a
//! token error makes the client refresh once, and only if no one refreshed it meanwhile, then
//! retry the call once. Neither the secret nor the token appear in errors or logs.

use crate::api::*;
use crate::error::{Error, ErrorClass};
use crate::id::{ExternalUserId, OpenKfId};
use crate::redact::redact_url;
use crate::secret::Secret;
use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// The real WeCom API host.
pub const DEFAULT_BASE_URL: &str = "https://qyapi.weixin.qq.com";

/// A token is renewed this long before WeChat says it expires.
const TOKEN_EXPIRY_MARGIN: Duration = Duration::from_secs(300);

/// `media/get` chunks stay at or below this size (WeChat answers 830002 above 20 MB).
pub const MEDIA_CHUNK_BYTES: u64 = 20 * 1024 * 1024;

/// How to reach the API.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Scheme and host, e.g. [`DEFAULT_BASE_URL`] or the emulator's `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// Corp id (`corpid`).
    pub corp_id: String,
    /// App secret (`corpsecret`).
    pub secret: Secret,
    /// Timeout of one HTTP request.
    pub timeout: Duration,
}

impl ClientConfig {
    /// A config for `base_url` with a 30-second request timeout.
    pub fn new(base_url: impl Into<String>, corp_id: impl Into<String>, secret: Secret) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            corp_id: corp_id.into(),
            secret,
            timeout: Duration::from_secs(30),
        }
    }
}

struct CachedToken {
    token: Secret,
    renew_at: Instant,
}

/// A client for one corp and app. Cheap to share behind an `Arc`.
pub struct Client {
    http: reqwest::Client,
    config: ClientConfig,
    token: Mutex<Option<CachedToken>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.config.base_url)
            .field("corp_id", &self.config.corp_id)
            .finish_non_exhaustive()
    }
}

enum Method {
    Get,
    Post,
}

impl Client {
    /// Builds a client.
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| transport("client", &e))?;
        Ok(Self {
            http,
            config,
            token: Mutex::new(None),
        })
    }

    /// The base URL this client talks to.
    pub fn base_url(&self) -> &str {
        &self.config.base_url
    }

    /// A valid access token, fetched with `gettoken` when none is cached or it is about to
    /// expire. Concurrent callers wait for one fetch.
    pub async fn access_token(&self) -> Result<Secret, Error> {
        let mut cached = self.token.lock().await;
        if let Some(t) = cached.as_ref()
            && Instant::now() < t.renew_at
        {
            return Ok(t.token.clone());
        }
        let fresh = self.fetch_token().await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    /// Forgets `used` if it is still the cached token, so the next call fetches a new one.
    async fn invalidate(&self, used: &Secret) {
        let mut cached = self.token.lock().await;
        if cached.as_ref().is_some_and(|t| &t.token == used) {
            *cached = None;
        }
    }

    async fn fetch_token(&self) -> Result<CachedToken, Error> {
        const ENDPOINT: &str = "gettoken";
        let url = format!("{}/cgi-bin/gettoken", self.config.base_url);
        let response = self
            .http
            .get(url)
            .query(&[
                ("corpid", self.config.corp_id.as_str()),
                ("corpsecret", self.config.secret.expose()),
            ])
            .send()
            .await
            .map_err(|e| transport(ENDPOINT, &e))?;
        let body: GetTokenResponse = read_json(ENDPOINT, response).await?;
        let lifetime = Duration::from_secs(body.expires_in);
        let renew_in = lifetime
            .saturating_sub(TOKEN_EXPIRY_MARGIN)
            .max(lifetime / 2);
        tracing::debug!(expires_in = body.expires_in, "access token fetched");
        Ok(CachedToken {
            token: Secret::new(body.access_token),
            renew_at: Instant::now() + renew_in,
        })
    }

    /// Runs `attempt` with a valid token; on a token error, refreshes the token once (unless
    /// another caller already did) and runs it once more. The one place of that rule.
    async fn with_token<T, F, Fut>(
        &self,
        endpoint: &'static str,
        mut attempt: F,
    ) -> Result<T, Error>
    where
        F: FnMut(Secret) -> Fut,
        Fut: std::future::Future<Output = Result<T, Error>>,
    {
        let token = self.access_token().await?;
        match attempt(token.clone()).await {
            Err(e) if e.class() == ErrorClass::RefreshToken => {
                tracing::info!(
                    endpoint,
                    errcode = e.errcode(),
                    "access token rejected; refreshing once"
                );
                self.invalidate(&token).await;
                attempt(self.access_token().await?).await
            }
            other => other,
        }
    }

    /// Calls an endpoint with the token, refreshing it once on a token error.
    async fn call<Req: Serialize + ?Sized, Resp: DeserializeOwned>(
        &self,
        method: Method,
        endpoint: &'static str,
        query: &[(&str, &str)],
        body: Option<&Req>,
    ) -> Result<Resp, Error> {
        let method = &method;
        self.with_token(endpoint, |token| async move {
            self.call_once(method, endpoint, &token, query, body).await
        })
        .await
    }

    async fn call_once<Req: Serialize + ?Sized, Resp: DeserializeOwned>(
        &self,
        method: &Method,
        endpoint: &'static str,
        token: &Secret,
        query: &[(&str, &str)],
        body: Option<&Req>,
    ) -> Result<Resp, Error> {
        let url = format!("{}/cgi-bin/{endpoint}", self.config.base_url);
        let request = match method {
            Method::Get => self.http.get(url),
            Method::Post => self.http.post(url),
        };
        let mut request = request
            .query(&[("access_token", token.expose())])
            .query(query);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| transport(endpoint, &e))?;
        read_json(endpoint, response).await
    }

    /// `kf/account/list`, every page.
    pub async fn account_list(&self) -> Result<Vec<Account>, Error> {
        const PAGE: u32 = 100;
        let mut all = Vec::new();
        loop {
            let request = AccountListRequest {
                offset: Some(all.len() as u32),
                limit: Some(PAGE),
            };
            let page: AccountListResponse = self
                .call(Method::Post, "kf/account/list", &[], Some(&request))
                .await?;
            let n = page.account_list.len();
            all.extend(page.account_list);
            if n < PAGE as usize {
                return Ok(all);
            }
        }
    }

    /// `kf/servicer/list` for one account.
    pub async fn servicer_list(&self, open_kfid: &OpenKfId) -> Result<Vec<Servicer>, Error> {
        let response: ServicerListResponse = self
            .call::<(), _>(
                Method::Get,
                "kf/servicer/list",
                &[("open_kfid", open_kfid.as_str())],
                None,
            )
            .await?;
        Ok(response.servicer_list)
    }

    /// `kf/sync_msg`: one page, each item decoded or kept raw.
    pub async fn sync_msg(&self, request: &SyncMsgRequest) -> Result<SyncPage, Error> {
        if request
            .open_kfid
            .as_ref()
            .is_none_or(|k| k.as_str().is_empty())
        {
            return Err(Error::InvalidRequest("sync_msg needs open_kfid".into()));
        }
        let response: SyncMsgResponse = self
            .call(Method::Post, "kf/sync_msg", &[], Some(request))
            .await?;
        Ok(response.into())
    }

    /// `kf/send_msg`.
    pub async fn send_msg(&self, request: &SendMsgRequest) -> Result<SendMsgResponse, Error> {
        if let Some(msgid) = &request.msgid
            && !crate::id::MsgId::is_valid_for_send(msgid.as_str())
        {
            return Err(Error::InvalidRequest(
                "msgid must be 1–32 of [0-9a-zA-Z_-]".into(),
            ));
        }
        self.call(Method::Post, "kf/send_msg", &[], Some(request))
            .await
    }

    /// `kf/recall_msg`: recalls a message sent through the API within
    /// [`crate::api::RECALL_WINDOW_SECS`].
    pub async fn recall_msg(&self, request: &crate::api::RecallMsgRequest) -> Result<(), Error> {
        let _: serde_json::Value = self
            .call(Method::Post, "kf/recall_msg", &[], Some(request))
            .await?;
        Ok(())
    }

    /// `kf/send_msg_on_event`.
    pub async fn send_msg_on_event(
        &self,
        request: &SendMsgOnEventRequest,
    ) -> Result<SendMsgResponse, Error> {
        self.call(Method::Post, "kf/send_msg_on_event", &[], Some(request))
            .await
    }

    /// `kf/service_state/get`.
    pub async fn service_state_get(
        &self,
        request: &ServiceStateGetRequest,
    ) -> Result<ServiceStateGetResponse, Error> {
        self.call(Method::Post, "kf/service_state/get", &[], Some(request))
            .await
    }

    /// `kf/service_state/trans`.
    pub async fn service_state_trans(
        &self,
        request: &ServiceStateTransRequest,
    ) -> Result<ServiceStateTransResponse, Error> {
        self.call(Method::Post, "kf/service_state/trans", &[], Some(request))
            .await
    }

    /// `kf/customer/batchget`, split into calls of at most 100 ids.
    pub async fn customer_batchget(
        &self,
        ids: &[ExternalUserId],
        need_enter_session_context: bool,
    ) -> Result<CustomerBatchgetResponse, Error> {
        let mut all = CustomerBatchgetResponse {
            customer_list: vec![],
            invalid_external_userid: vec![],
        };
        for chunk in ids.chunks(100) {
            let request = CustomerBatchgetRequest {
                external_userid_list: chunk.to_vec(),
                need_enter_session_context: need_enter_session_context.then_some(1),
            };
            let part: CustomerBatchgetResponse = self
                .call(Method::Post, "kf/customer/batchget", &[], Some(&request))
                .await?;
            all.customer_list.extend(part.customer_list);
            all.invalid_external_userid
                .extend(part.invalid_external_userid);
        }
        Ok(all)
    }

    /// `media/upload` (multipart, part `media`). `filename` becomes the name the customer sees.
    pub async fn media_upload(
        &self,
        media_type: MediaType,
        filename: &str,
        content_type: &str,
        bytes: Bytes,
    ) -> Result<MediaUploadResponse, Error> {
        const ENDPOINT: &str = "media/upload";
        if bytes.len() <= 5 {
            return Err(Error::InvalidRequest(
                "media must be larger than 5 bytes".into(),
            ));
        }
        if bytes.len() > media_type.max_bytes() {
            return Err(Error::InvalidRequest(format!(
                "{} is over the {} MB limit",
                media_type.as_str(),
                media_type.max_bytes() / (1024 * 1024)
            )));
        }
        let attempt = |token: Secret| {
            let part = reqwest::multipart::Part::stream(bytes.clone())
                .file_name(filename.to_owned())
                .mime_str(content_type)
                .map_err(|e| Error::InvalidRequest(format!("content type: {}", e.without_url())));
            let url = format!("{}/cgi-bin/{ENDPOINT}", self.config.base_url);
            async move {
                let form = reqwest::multipart::Form::new().part("media", part?);
                let response = self
                    .http
                    .post(url)
                    .query(&[
                        ("access_token", token.expose()),
                        ("type", media_type.as_str()),
                    ])
                    .multipart(form)
                    .send()
                    .await
                    .map_err(|e| transport(ENDPOINT, &e))?;
                read_json::<MediaUploadResponse>(ENDPOINT, response).await
            }
        };
        self.with_token(ENDPOINT, attempt).await
    }

    /// `media/get` of one byte range (inclusive), or the whole file with `None`.
    /// Returns the bytes, the total size when the server said it, and the file's metadata.
    pub async fn media_get_range(
        &self,
        media_id: &str,
        range: Option<(u64, u64)>,
    ) -> Result<(MediaFile, Option<u64>), Error> {
        self.with_token("media/get", |token| async move {
            self.media_get_once(&token, media_id, range).await
        })
        .await
    }

    /// Downloads a whole media file in Range chunks of at most [`MEDIA_CHUNK_BYTES`], refusing
    /// files over `max_bytes`.
    pub async fn media_download(&self, media_id: &str, max_bytes: u64) -> Result<MediaFile, Error> {
        let (first, total) = self
            .media_get_range(media_id, Some((0, MEDIA_CHUNK_BYTES - 1)))
            .await?;
        let total = total.unwrap_or(first.bytes.len() as u64);
        if total > max_bytes {
            return Err(Error::InvalidRequest(format!(
                "media is {total} bytes, over the {max_bytes}-byte limit"
            )));
        }
        if first.bytes.len() as u64 >= total {
            return Ok(first);
        }
        let mut all = Vec::with_capacity(total as usize);
        all.extend_from_slice(&first.bytes);
        while (all.len() as u64) < total {
            let start = all.len() as u64;
            let end = (start + MEDIA_CHUNK_BYTES - 1).min(total - 1);
            let (chunk, _) = self.media_get_range(media_id, Some((start, end))).await?;
            if chunk.bytes.is_empty() {
                return Err(Error::Decode {
                    endpoint: "media/get",
                    message: "empty range".into(),
                });
            }
            all.extend_from_slice(&chunk.bytes);
        }
        Ok(MediaFile {
            bytes: all.into(),
            ..first
        })
    }

    async fn media_get_once(
        &self,
        token: &Secret,
        media_id: &str,
        range: Option<(u64, u64)>,
    ) -> Result<(MediaFile, Option<u64>), Error> {
        const ENDPOINT: &str = "media/get";
        let url = format!("{}/cgi-bin/{ENDPOINT}", self.config.base_url);
        let mut request = self
            .http
            .get(url)
            .query(&[("access_token", token.expose()), ("media_id", media_id)]);
        if let Some((start, end)) = range {
            request = request.header(reqwest::header::RANGE, format!("bytes={start}-{end}"));
        }
        let response = request.send().await.map_err(|e| transport(ENDPOINT, &e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let content_type = headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        // Errors come back as JSON with HTTP 200: check the type before treating it as a file.
        if content_type
            .as_deref()
            .is_some_and(|t| t.starts_with("application/json") || t.starts_with("text/plain"))
        {
            return read_json::<Value>(ENDPOINT, response).await.and_then(|_| {
                Err(Error::Decode {
                    endpoint: ENDPOINT,
                    message: "JSON instead of media".into(),
                })
            });
        }
        if !status.is_success() {
            return Err(Error::Http {
                endpoint: ENDPOINT,
                status: status.as_u16(),
            });
        }
        let total = headers
            .get(reqwest::header::CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit('/').next())
            .and_then(|t| t.parse::<u64>().ok());
        let filename = headers
            .get(reqwest::header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_disposition_filename);
        let bytes = response
            .bytes()
            .await
            .map_err(|e| transport(ENDPOINT, &e))?;
        Ok((
            MediaFile {
                bytes,
                content_type,
                filename,
            },
            total,
        ))
    }
}

/// Extracts `filename` (or RFC 5987 `filename*`) from a Content-Disposition value.
fn parse_disposition_filename(value: &str) -> Option<String> {
    let mut plain = None;
    for part in value.split(';').map(str::trim) {
        if let Some(v) = part.strip_prefix("filename*=") {
            let encoded = v.split("''").nth(1).unwrap_or(v);
            return Some(percent_decode(encoded));
        }
        if let Some(v) = part.strip_prefix("filename=") {
            plain = Some(v.trim_matches('"').to_owned());
        }
    }
    plain
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(b) if bytes[i] == b'%' => {
                out.push(b);
                i += 3;
            }
            _ => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn transport(endpoint: &'static str, e: &reqwest::Error) -> Error {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "connection dropped while reading the answer"
    } else {
        "request failed"
    };
    // `without_url` drops the URL (and so the token); redact anyway in case a cause repeats it.
    let detail = redact_url(
        &std::error::Error::source(e)
            .map(|s| s.to_string())
            .unwrap_or_default(),
    );
    let message = if detail.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {detail}")
    };
    Error::Transport { endpoint, message }
}

async fn read_json<T: DeserializeOwned>(
    endpoint: &'static str,
    response: reqwest::Response,
) -> Result<T, Error> {
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|e| transport(endpoint, &e))?;
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) if !status.is_success() => {
            return Err(Error::Http {
                endpoint,
                status: status.as_u16(),
            });
        }
        Err(e) => {
            return Err(Error::Decode {
                endpoint,
                message: e.to_string(),
            });
        }
    };
    let errcode = value.get("errcode").and_then(Value::as_i64).unwrap_or(0);
    if errcode != 0 {
        let errmsg = value
            .get("errmsg")
            .and_then(Value::as_str)
            .unwrap_or_default();
        return Err(Error::Api {
            endpoint,
            errcode,
            errmsg: redact_url(errmsg),
        });
    }
    if !status.is_success() {
        return Err(Error::Http {
            endpoint,
            status: status.as_u16(),
        });
    }
    serde_json::from_value(value).map_err(|e| Error::Decode {
        endpoint,
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposition_filenames() {
        assert_eq!(
            parse_disposition_filename(r#"attachment; filename="MEDIA_ID.jpg""#).as_deref(),
            Some("MEDIA_ID.jpg")
        );
        assert_eq!(
            parse_disposition_filename("attachment; filename*=UTF-8''%E5%8F%91%E7%A5%A8.pdf")
                .as_deref(),
            Some("发票.pdf")
        );
        assert_eq!(parse_disposition_filename("inline"), None);
    }
}
