//! The emulator's model of one corp (reference §13): tokens, accounts and servicers, customers,
//! sessions with WeChat's states, single-use event codes, the per-account sync log, media, and
//! everything `send_msg` accepted.
//!
//! Every rule the real service enforces lives here as a method that returns the real errcode,
//! so the HTTP layer only parses and formats. Time is the emulator's clock ([`State::now`]): the
//! wall clock plus an offset that tests move forward.

use crate::rng::Rng;
use bytes::Bytes;
use kefu_wechat::api::{
    Account, Customer, EnterSessionContext, MediaType, Servicer, service_state,
};
use kefu_wechat::error::errcode;
use kefu_wechat::event::Event;
use kefu_wechat::message::{Body, Message, origin};
use kefu_wechat::send::Content;
use kefu_wechat::{ExternalUserId, MsgId, OpenKfId, ServicerId};
use serde::Serialize;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds in the 48-hour reply window.
pub const WINDOW_SECS: i64 = 48 * 3600;
/// Seconds WeChat keeps messages for `sync_msg` (and media ids).
pub const RETENTION_SECS: i64 = 3 * 24 * 3600;
/// Replies allowed per customer message.
pub const REPLIES_PER_CUSTOMER_MESSAGE: u32 = 5;
/// Validity of welcome and closing codes.
pub const SHORT_CODE_SECS: i64 = 20;
/// Validity of queue and accept codes.
pub const LONG_CODE_SECS: i64 = 48 * 3600;
/// Largest `media/get` answer without Range, and largest Range.
pub const MEDIA_GET_MAX: u64 = 20 * 1024 * 1024;

/// An API error: the errcode the real service answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiError(pub i64);

/// Result of an emulated API rule.
pub type ApiResult<T> = Result<T, ApiError>;

/// Emulator settings that are free parameters of the real service.
#[derive(Clone, Debug)]
pub struct Config {
    /// Corp id accepted by `gettoken`.
    pub corp_id: String,
    /// Secret accepted by `gettoken`.
    pub secret: String,
    /// `expires_in` of new tokens.
    pub token_ttl_secs: i64,
    /// Errcode for a send after the 48 h window. The sources disagree (95002 "send time limit"
    /// vs 95018 "session state invalid, incl. > 48 h"); 95002 is the default.
    pub window_errcode: i64,
    /// `sync_msg` calls allowed per account per minute without a callback token (45009 above).
    /// The real number is unpublished; `None` disables the limit.
    pub sync_calls_per_minute: Option<u32>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            corp_id: crate::DEFAULT_CORP_ID.into(),
            secret: crate::DEFAULT_SECRET.into(),
            token_ttl_secs: 7200,
            window_errcode: errcode::SEND_TIME_LIMIT,
            sync_calls_per_minute: None,
        }
    }
}

/// A servicer of an account, with the list API's status encoding (0 receiving, 1 stopped).
#[derive(Clone, Debug, Serialize)]
pub struct ServicerState {
    /// Member id.
    pub userid: ServicerId,
    /// 0 receiving, 1 stopped.
    pub status: u32,
    /// When stopped: 0 stopped, 1 suspended.
    pub stop_type: Option<u32>,
}

/// An account and its servicers.
#[derive(Clone, Debug, Serialize)]
pub struct AccountState {
    /// The account as listed.
    pub account: Account,
    /// Its servicers.
    pub servicers: Vec<ServicerState>,
}

/// A customer known to the corp.
#[derive(Clone, Debug, Serialize)]
pub struct CustomerState {
    /// Profile returned by `customer/batchget`.
    pub profile: Customer,
    /// Last enter-session context.
    pub context: Option<EnterSessionContext>,
    /// Time of the last entry or message: resolvable by batchget within 48 h of it.
    pub last_active: i64,
}

/// WeChat's view of one (account, customer) conversation.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SessionState {
    /// `service_state` 0–4.
    pub state: u32,
    /// Servicer in state 3.
    pub servicer: Option<ServicerId>,
    /// Time of the customer's last message.
    pub last_customer_msg: Option<i64>,
    /// API replies since that message.
    pub sends_since_customer_msg: u32,
    /// Time the last welcome message was sent.
    pub last_welcome: Option<i64>,
    /// Whether a reply code for entering 2/3 was issued in this session already.
    pub reply_code_issued: bool,
}

/// What produced an event code, which decides its validity and allowed types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeKind {
    /// `enter_session.welcome_code`: 20 s, text or menu, any state.
    Welcome,
    /// Entering the queue (state 2): 48 h, text, only while queued.
    Queue,
    /// Taken by a servicer (state 3): 48 h, text, only while in 3.
    Accept,
    /// Ended (state 4): 20 s, text or menu, only while ended.
    Closing,
}

#[derive(Clone, Debug)]
struct Code {
    kind: CodeKind,
    key: SessionKey,
    expires_at: i64,
    used: bool,
}

/// One item of the sync log.
#[derive(Clone, Debug)]
pub struct LogItem {
    /// Monotonic position (cursor target).
    pub pos: u64,
    /// Account whose log it is in.
    pub open_kfid: OpenKfId,
    /// `send_time`.
    pub time: i64,
    /// The item exactly as `sync_msg` returns it.
    pub json: Value,
}

/// A message accepted by `send_msg` or `send_msg_on_event`; tests read these.
#[derive(Clone, Debug, Serialize)]
pub struct SentMessage {
    /// Endpoint that accepted it.
    pub via: &'static str,
    /// Its msgid.
    pub msgid: String,
    /// Account.
    pub open_kfid: OpenKfId,
    /// Customer.
    pub touser: ExternalUserId,
    /// Body as sent.
    pub content: Content,
    /// Emulator time.
    pub time: i64,
    /// Recalled by the sender (`kf/recall_msg`).
    pub recalled: bool,
}

/// A stored media file.
#[derive(Clone, Debug)]
pub struct MediaItem {
    /// Bytes.
    pub bytes: Bytes,
    /// Type.
    pub media_type: MediaType,
    /// File name as uploaded (shown to the customer; sent in Content-Disposition).
    pub filename: String,
    /// Content type.
    pub content_type: String,
    /// Emulator time of upload.
    pub created_at: i64,
}

type SessionKey = (OpenKfId, ExternalUserId);

/// The whole emulated corp.
pub struct State {
    /// Settings.
    pub config: Config,
    clock_offset: i64,
    /// Seeded randomness for ids and simulation.
    pub rng: Rng,
    tokens: HashMap<String, i64>,
    /// Accounts in list order.
    pub accounts: Vec<AccountState>,
    /// Customers by id.
    pub customers: HashMap<ExternalUserId, CustomerState>,
    /// Sessions by (account, customer).
    pub sessions: HashMap<SessionKey, SessionState>,
    codes: HashMap<String, Code>,
    used_msgids: HashMap<OpenKfId, HashSet<String>>,
    log: Vec<LogItem>,
    next_pos: u64,
    /// Media by id.
    pub media: HashMap<String, MediaItem>,
    /// Everything accepted for sending, in order.
    pub sent: Vec<SentMessage>,
    sync_calls: HashMap<OpenKfId, Vec<i64>>,
    /// Items for `msg_send_fail` to append at a later time: (due, item).
    pending_failures: Vec<(i64, OpenKfId, Value)>,
    /// `fail_type` to report asynchronously for the next accepted sends.
    pub fail_next_deliveries: Vec<u32>,
}

impl State {
    /// A corp with no accounts yet.
    pub fn new(config: Config, seed: u64) -> Self {
        Self {
            config,
            clock_offset: 0,
            rng: Rng::new(seed),
            tokens: HashMap::new(),
            accounts: Vec::new(),
            customers: HashMap::new(),
            sessions: HashMap::new(),
            codes: HashMap::new(),
            used_msgids: HashMap::new(),
            log: Vec::new(),
            next_pos: 1,
            media: HashMap::new(),
            sent: Vec::new(),
            sync_calls: HashMap::new(),
            pending_failures: Vec::new(),
            fail_next_deliveries: Vec::new(),
        }
    }

    /// Emulator time, unix seconds.
    pub fn now(&self) -> i64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        wall + self.clock_offset
    }

    /// Moves the emulator clock forward.
    pub fn advance_clock(&mut self, secs: i64) {
        self.clock_offset += secs.max(0);
    }

    // ---- tokens ----

    /// `gettoken`: checks the corp id and secret and issues a new token; earlier tokens stay
    /// valid until they expire. (Whether WeChat reissues the same token is UNCONFIRMED; issuing
    /// a new one exercises the client's single-flight refresh harder.)
    pub fn get_token(
        &mut self,
        corpid: Option<&str>,
        secret: Option<&str>,
    ) -> ApiResult<(String, i64)> {
        let corpid = corpid.filter(|s| !s.is_empty()).ok_or(ApiError(41002))?;
        let secret = secret.filter(|s| !s.is_empty()).ok_or(ApiError(41004))?;
        if corpid != self.config.corp_id {
            return Err(ApiError(40013));
        }
        if secret != self.config.secret {
            return Err(ApiError(errcode::INVALID_CREDENTIAL));
        }
        let token = self.rng.alnum(64);
        let ttl = self.config.token_ttl_secs;
        self.tokens.insert(token.clone(), self.now() + ttl);
        Ok((token, ttl))
    }

    /// Checks the `access_token` of a business call.
    pub fn check_token(&self, token: Option<&str>) -> ApiResult<()> {
        let token = token.filter(|s| !s.is_empty()).ok_or(ApiError(41001))?;
        match self.tokens.get(token) {
            None => Err(ApiError(errcode::INVALID_ACCESS_TOKEN)),
            Some(&exp) if self.now() >= exp => Err(ApiError(errcode::ACCESS_TOKEN_EXPIRED)),
            Some(_) => Ok(()),
        }
    }

    /// Invalidates every issued token (the next call answers 40014).
    pub fn invalidate_tokens(&mut self) {
        self.tokens.clear();
    }

    /// Makes every issued token expired (the next call answers 42001).
    pub fn expire_tokens(&mut self) {
        let now = self.now();
        for exp in self.tokens.values_mut() {
            *exp = now;
        }
    }

    // ---- accounts, servicers, customers ----

    fn account(&self, open_kfid: &OpenKfId) -> ApiResult<&AccountState> {
        if open_kfid.as_str().is_empty() {
            return Err(ApiError(errcode::INVALID_PARAMETER));
        }
        self.accounts
            .iter()
            .find(|a| &a.account.open_kfid == open_kfid)
            .ok_or(ApiError(95000))
    }

    /// `kf/account/list`.
    pub fn account_list(&self, offset: u32, limit: u32) -> ApiResult<Vec<Account>> {
        if !(1..=100).contains(&limit) {
            return Err(ApiError(errcode::INVALID_PARAMETER));
        }
        Ok(self
            .accounts
            .iter()
            .skip(offset as usize)
            .take(limit as usize)
            .map(|a| a.account.clone())
            .collect())
    }

    /// `kf/servicer/list`.
    pub fn servicer_list(&self, open_kfid: &OpenKfId) -> ApiResult<Vec<Servicer>> {
        Ok(self
            .account(open_kfid)?
            .servicers
            .iter()
            .map(|s| Servicer {
                userid: Some(s.userid.clone()),
                status: Some(s.status),
                stop_type: s.stop_type,
                department_id: None,
            })
            .collect())
    }

    /// `kf/customer/batchget`: customers active within 48 h resolve; others are invalid.
    pub fn customer_batchget(
        &self,
        ids: &[ExternalUserId],
        with_context: bool,
    ) -> ApiResult<(Vec<Customer>, Vec<ExternalUserId>)> {
        if ids.is_empty() || ids.len() > 100 {
            return Err(ApiError(errcode::INVALID_PARAMETER));
        }
        let now = self.now();
        let (mut found, mut invalid) = (Vec::new(), Vec::new());
        for id in ids {
            match self.customers.get(id) {
                Some(c) if now - c.last_active <= WINDOW_SECS => {
                    let mut profile = c.profile.clone();
                    profile.enter_session_context = if with_context {
                        c.context.clone()
                    } else {
                        None
                    };
                    found.push(profile);
                }
                _ => invalid.push(id.clone()),
            }
        }
        Ok((found, invalid))
    }

    /// Adds or updates a customer profile (simulation and control API).
    pub fn upsert_customer(&mut self, profile: Customer) {
        let now = self.now();
        self.customers
            .entry(profile.external_userid.clone())
            .and_modify(|c| c.profile = profile.clone())
            .or_insert(CustomerState {
                profile,
                context: None,
                last_active: now,
            });
    }

    /// A new customer id in WeChat's style.
    pub fn new_customer_id(&mut self) -> ExternalUserId {
        ExternalUserId(format!("wm{}", self.rng.alnum(30)))
    }

    fn new_msgid(&mut self) -> String {
        self.rng.alnum(32)
    }

    // ---- sync log ----

    fn append(&mut self, open_kfid: &OpenKfId, json: Value) {
        let time = json
            .get("send_time")
            .and_then(Value::as_i64)
            .unwrap_or_else(|| self.now());
        let pos = self.next_pos;
        self.next_pos += 1;
        self.log.push(LogItem {
            pos,
            open_kfid: open_kfid.clone(),
            time,
            json,
        });
    }

    /// Appends any item verbatim (fault injection and unknown types).
    pub fn append_raw(&mut self, open_kfid: &OpenKfId, json: Value) {
        self.append(open_kfid, json);
    }

    fn append_message(&mut self, message: &Message) {
        let open_kfid = message
            .open_kfid()
            .cloned()
            .expect("every emulated item names its account");
        let json = serde_json::to_value(message).expect("wire types serialise");
        self.append(&open_kfid, json);
    }

    /// Every retained item of an account, oldest first (tests compare the store with this).
    pub fn log_of(&self, open_kfid: &OpenKfId) -> Vec<LogItem> {
        let horizon = self.now() - RETENTION_SECS;
        self.log
            .iter()
            .filter(|i| &i.open_kfid == open_kfid && i.time >= horizon)
            .cloned()
            .collect()
    }

    /// Number of items in the log of every account.
    pub fn log_len(&self) -> usize {
        self.log.len()
    }

    /// Cursor for a log position. Opaque to clients; ≤ 64 bytes.
    pub fn encode_cursor(pos: u64) -> String {
        format!("{:016x}", pos ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    fn decode_cursor(cursor: &str) -> ApiResult<u64> {
        u64::from_str_radix(cursor, 16)
            .map(|v| v ^ 0x5DEE_CE66_D1CE_4E5B)
            .map_err(|_| ApiError(errcode::INVALID_PARAMETER))
    }

    /// `kf/sync_msg`: items after the cursor, at most `limit`, skipping what is older than three
    /// days. Returns (items, next cursor, has_more). Never contains API-sent messages: those are
    /// not in the log.
    pub fn sync(
        &mut self,
        open_kfid: &OpenKfId,
        cursor: Option<&str>,
        limit: u32,
        with_token: bool,
    ) -> ApiResult<(Vec<Value>, String, bool)> {
        self.account(open_kfid)?;
        if limit > 1000 {
            return Err(ApiError(errcode::INVALID_PARAMETER));
        }
        let limit = if limit == 0 { 1000 } else { limit } as usize;
        if !with_token && let Some(per_minute) = self.config.sync_calls_per_minute {
            let now = self.now();
            let calls = self.sync_calls.entry(open_kfid.clone()).or_default();
            calls.retain(|t| now - t < 60);
            if calls.len() >= per_minute as usize {
                return Err(ApiError(errcode::RATE_LIMITED));
            }
            calls.push(now);
        }
        self.release_due_failures();
        let after = match cursor.filter(|c| !c.is_empty()) {
            Some(c) => Self::decode_cursor(c)?,
            None => 0,
        };
        let horizon = self.now() - RETENTION_SECS;
        let start = self.log.partition_point(|i| i.pos <= after);
        let mut items = Vec::new();
        let mut last = after;
        let mut more = false;
        for item in &self.log[start..] {
            if &item.open_kfid != open_kfid {
                continue;
            }
            if items.len() == limit {
                more = true;
                break;
            }
            last = item.pos;
            if item.time >= horizon {
                items.push(item.json.clone());
            }
        }
        Ok((items, Self::encode_cursor(last), more))
    }

    /// The last `n` items delivered at or before `cursor` (for the duplicate-delivery fault).
    pub fn items_before(&self, open_kfid: &OpenKfId, cursor: Option<&str>, n: usize) -> Vec<Value> {
        let Some(after) = cursor.and_then(|c| Self::decode_cursor(c).ok()) else {
            return vec![];
        };
        let end = self.log.partition_point(|i| i.pos <= after);
        let mut out: Vec<Value> = self.log[..end]
            .iter()
            .rev()
            .filter(|i| &i.open_kfid == open_kfid)
            .take(n)
            .map(|i| i.json.clone())
            .collect();
        out.reverse();
        out
    }

    fn release_due_failures(&mut self) {
        let now = self.now();
        let (due, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending_failures)
            .into_iter()
            .partition(|(t, _, _)| *t <= now);
        self.pending_failures = later;
        for (_, kfid, json) in due {
            self.append(&kfid, json);
        }
    }

    // ---- customers acting ----

    fn session_mut(&mut self, key: &SessionKey) -> &mut SessionState {
        self.sessions
            .entry(key.clone())
            .or_insert_with(|| SessionState {
                state: service_state::ENDED,
                ..Default::default()
            })
    }

    /// The customer opens the conversation: an `enter_session` event, with a welcome code when
    /// no welcome was sent in 48 h and the customer has not written before.
    pub fn customer_enter(
        &mut self,
        open_kfid: &OpenKfId,
        customer: &ExternalUserId,
        scene: Option<String>,
    ) -> ApiResult<Option<String>> {
        self.account(open_kfid)?;
        let now = self.now();
        let key = (open_kfid.clone(), customer.clone());
        let session = self.session_mut(&key).clone();
        let may_welcome = session.last_customer_msg.is_none()
            && session.last_welcome.is_none_or(|t| now - t > WINDOW_SECS);
        let welcome_code = may_welcome.then(|| {
            let code = self.rng.alnum(24);
            self.codes.insert(
                code.clone(),
                Code {
                    kind: CodeKind::Welcome,
                    key: key.clone(),
                    expires_at: now + SHORT_CODE_SECS,
                    used: false,
                },
            );
            code
        });
        if let Some(c) = self.customers.get_mut(customer) {
            c.last_active = now;
            c.context = Some(EnterSessionContext {
                scene: scene.clone(),
                scene_param: None,
                wechat_channels: None,
            });
        }
        let message = Message {
            msgid: MsgId(self.new_msgid()),
            open_kfid: None,
            external_userid: None,
            send_time: now,
            origin: origin::SYSTEM,
            servicer_userid: None,
            body: Body::Event {
                event: Event::EnterSession {
                    open_kfid: open_kfid.clone(),
                    external_userid: customer.clone(),
                    scene,
                    scene_param: None,
                    welcome_code: welcome_code.clone(),
                    wechat_channels: None,
                },
            },
        };
        self.append_message(&message);
        Ok(welcome_code)
    }

    /// The customer sends a message (origin 3): an ended session becomes new (0), the reply
    /// allowance resets and the 48 h window restarts.
    pub fn customer_says(
        &mut self,
        open_kfid: &OpenKfId,
        customer: &ExternalUserId,
        body: Body,
    ) -> ApiResult<String> {
        let now = self.now();
        self.customer_says_at(open_kfid, customer, body, now)
    }

    /// [`State::customer_says`] at a given time (bulk history for tests and benchmarks).
    pub fn customer_says_at(
        &mut self,
        open_kfid: &OpenKfId,
        customer: &ExternalUserId,
        body: Body,
        now: i64,
    ) -> ApiResult<String> {
        self.account(open_kfid)?;
        let key = (open_kfid.clone(), customer.clone());
        let session = self.session_mut(&key);
        if session.state == service_state::ENDED {
            *session = SessionState {
                state: service_state::NEW,
                last_welcome: session.last_welcome,
                ..Default::default()
            };
        }
        session.last_customer_msg = Some(now);
        session.sends_since_customer_msg = 0;
        if let Some(c) = self.customers.get_mut(customer) {
            c.last_active = now;
        }
        let msgid = self.new_msgid();
        let message = Message {
            msgid: MsgId(msgid.clone()),
            open_kfid: Some(open_kfid.clone()),
            external_userid: Some(customer.clone()),
            send_time: now,
            origin: origin::CUSTOMER,
            servicer_userid: None,
            body,
        };
        self.append_message(&message);
        Ok(msgid)
    }

    /// The customer recalls one of their messages.
    pub fn customer_recalls(
        &mut self,
        open_kfid: &OpenKfId,
        customer: &ExternalUserId,
        recall_msgid: &str,
    ) -> ApiResult<()> {
        self.account(open_kfid)?;
        let event = Event::UserRecallMsg {
            open_kfid: open_kfid.clone(),
            external_userid: customer.clone(),
            recall_msgid: MsgId(recall_msgid.into()),
        };
        self.push_event(event);
        Ok(())
    }

    fn push_event(&mut self, event: Event) {
        let message = Message {
            msgid: MsgId(self.new_msgid()),
            open_kfid: None,
            external_userid: None,
            send_time: self.now(),
            origin: origin::SYSTEM,
            servicer_userid: None,
            body: Body::Event { event },
        };
        self.append_message(&message);
    }

    // ---- servicers acting in the WeCom client ----

    /// A servicer takes the session in the WeCom client (state 3). From the queue this is
    /// change_type 1 (with a 48 h code); otherwise a servicer re-opens it (change_type 4).
    pub fn servicer_takes(
        &mut self,
        open_kfid: &OpenKfId,
        customer: &ExternalUserId,
        servicer: &ServicerId,
    ) -> ApiResult<()> {
        self.check_servicer(open_kfid, servicer)?;
        let now = self.now();
        let key = (open_kfid.clone(), customer.clone());
        let old = self.session_mut(&key).clone();
        let (change_type, msg_code) = if old.state == service_state::QUEUED
            || old.state == service_state::NEW
            || old.state == service_state::API
        {
            let code = self.issue_code(CodeKind::Accept, &key, now);
            (1, Some(code))
        } else {
            (4, None)
        };
        let session = self.session_mut(&key);
        session.state = service_state::HUMAN;
        session.servicer = Some(servicer.clone());
        self.push_event(Event::SessionStatusChange {
            open_kfid: open_kfid.clone(),
            external_userid: customer.clone(),
            change_type,
            old_servicer_userid: old.servicer.filter(|_| change_type == 4),
            new_servicer_userid: Some(servicer.clone()),
            msg_code,
        });
        Ok(())
    }

    /// A servicer transfers the session to another servicer (change_type 2).
    pub fn servicer_transfers(
        &mut self,
        open_kfid: &OpenKfId,
        customer: &ExternalUserId,
        to: &ServicerId,
    ) -> ApiResult<()> {
        self.check_servicer(open_kfid, to)?;
        let key = (open_kfid.clone(), customer.clone());
        let session = self.session_mut(&key);
        if session.state != service_state::HUMAN {
            return Err(ApiError(errcode::TRANSITION_NOT_ALLOWED));
        }
        let old = session.servicer.replace(to.clone());
        self.push_event(Event::SessionStatusChange {
            open_kfid: open_kfid.clone(),
            external_userid: customer.clone(),
            change_type: 2,
            old_servicer_userid: old,
            new_servicer_userid: Some(to.clone()),
            msg_code: None,
        });
        Ok(())
    }

    /// A servicer ends the session in the WeCom client (change_type 3, 20 s closing code).
    pub fn servicer_ends(
        &mut self,
        open_kfid: &OpenKfId,
        customer: &ExternalUserId,
    ) -> ApiResult<()> {
        let now = self.now();
        let key = (open_kfid.clone(), customer.clone());
        let session = self.session_mut(&key);
        if session.state != service_state::HUMAN {
            return Err(ApiError(95013));
        }
        let old = session.servicer.take();
        session.state = service_state::ENDED;
        let code = self.issue_code(CodeKind::Closing, &key, now);
        self.push_event(Event::SessionStatusChange {
            open_kfid: open_kfid.clone(),
            external_userid: customer.clone(),
            change_type: 3,
            old_servicer_userid: old,
            new_servicer_userid: None,
            msg_code: Some(code),
        });
        Ok(())
    }

    /// A servicer types a message in the WeCom client (origin 5).
    pub fn servicer_says(
        &mut self,
        open_kfid: &OpenKfId,
        customer: &ExternalUserId,
        servicer: &ServicerId,
        text: &str,
    ) -> ApiResult<String> {
        self.account(open_kfid)?;
        let msgid = self.new_msgid();
        let message = Message {
            msgid: MsgId(msgid.clone()),
            open_kfid: Some(open_kfid.clone()),
            external_userid: Some(customer.clone()),
            send_time: self.now(),
            origin: origin::SERVICER,
            servicer_userid: Some(servicer.clone()),
            body: Body::Text {
                text: kefu_wechat::message::Text {
                    content: text.into(),
                    menu_id: None,
                },
            },
        };
        self.append_message(&message);
        Ok(msgid)
    }

    /// A servicer starts (status 0) or stops (1) receiving: a `servicer_status_change` event.
    pub fn servicer_sets_status(
        &mut self,
        open_kfid: &OpenKfId,
        servicer: &ServicerId,
        status: u32,
        stop_type: Option<u32>,
    ) -> ApiResult<()> {
        let account = self
            .accounts
            .iter_mut()
            .find(|a| &a.account.open_kfid == open_kfid)
            .ok_or(ApiError(95000))?;
        let s = account
            .servicers
            .iter_mut()
            .find(|s| &s.userid == servicer)
            .ok_or(ApiError(95014))?;
        s.status = status;
        s.stop_type = if status == 1 {
            stop_type.or(Some(0))
        } else {
            None
        };
        // The event encodes receiving as 1 and stopped as 2, unlike the list API.
        self.push_event(Event::ServicerStatusChange {
            servicer_userid: servicer.clone(),
            status: if status == 0 { 1 } else { 2 },
            stop_type: if status == 1 {
                stop_type.or(Some(0))
            } else {
                None
            },
            open_kfid: open_kfid.clone(),
        });
        Ok(())
    }

    fn check_servicer(&self, open_kfid: &OpenKfId, servicer: &ServicerId) -> ApiResult<()> {
        let account = self.account(open_kfid)?;
        let s = account
            .servicers
            .iter()
            .find(|s| &s.userid == servicer)
            .ok_or(ApiError(95014))?;
        if s.status != 0 {
            return Err(ApiError(95019));
        }
        Ok(())
    }

    fn issue_code(&mut self, kind: CodeKind, key: &SessionKey, now: i64) -> String {
        let code = self.rng.alnum(24);
        let ttl = match kind {
            CodeKind::Welcome | CodeKind::Closing => SHORT_CODE_SECS,
            CodeKind::Queue | CodeKind::Accept => LONG_CODE_SECS,
        };
        self.codes.insert(
            code.clone(),
            Code {
                kind,
                key: key.clone(),
                expires_at: now + ttl,
                used: false,
            },
        );
        code
    }

    // ---- service state ----

    /// `kf/service_state/get`.
    pub fn service_state_get(
        &self,
        open_kfid: &OpenKfId,
        customer: &ExternalUserId,
    ) -> ApiResult<(u32, Option<ServicerId>)> {
        self.account(open_kfid)?;
        if !self.customers.contains_key(customer) {
            return Err(ApiError(40096));
        }
        let s = self.sessions.get(&(open_kfid.clone(), customer.clone()));
        Ok(s.map(|s| {
            (
                s.state,
                s.servicer
                    .clone()
                    .filter(|_| s.state == service_state::HUMAN),
            )
        })
        .unwrap_or((service_state::ENDED, None)))
    }

    /// Whether the API may move a session from `from` to `to`.
    ///
    /// The official flowchart could not be read; this is the table derived in reference §9.1:
    /// 0→{1,2,3,4}, 1→{2,3,4}, 2→{3,4}, 3→{3,4}; nothing leaves 4. The one place to change it.
    pub fn transition_allowed(from: u32, to: u32) -> bool {
        matches!(
            (from, to),
            (0, 1..=4) | (1, 2..=4) | (2, 3 | 4) | (3, 3 | 4)
        )
    }

    /// `kf/service_state/trans`; returns the `msg_code` on the first move into 2/3 and on 4.
    pub fn service_state_trans(
        &mut self,
        open_kfid: &OpenKfId,
        customer: &ExternalUserId,
        to: u32,
        servicer: Option<&ServicerId>,
    ) -> ApiResult<Option<String>> {
        self.account(open_kfid)?;
        if !self.customers.contains_key(customer) {
            return Err(ApiError(40096));
        }
        if to > 4 {
            return Err(ApiError(errcode::INVALID_PARAMETER));
        }
        let now = self.now();
        let key = (open_kfid.clone(), customer.clone());
        let from = self.session_mut(&key).state;
        if from == service_state::ENDED {
            return Err(ApiError(95013));
        }
        if !Self::transition_allowed(from, to) {
            return Err(ApiError(errcode::TRANSITION_NOT_ALLOWED));
        }
        if to == service_state::HUMAN {
            let servicer = servicer.ok_or(ApiError(errcode::INVALID_PARAMETER))?;
            self.check_servicer(open_kfid, servicer)?;
        }
        let first_reply_code = matches!(to, 2 | 3) && !self.session_mut(&key).reply_code_issued;
        let code = if to == service_state::ENDED {
            Some(self.issue_code(CodeKind::Closing, &key, now))
        } else if first_reply_code {
            let kind = if to == 2 {
                CodeKind::Queue
            } else {
                CodeKind::Accept
            };
            Some(self.issue_code(kind, &key, now))
        } else {
            None
        };
        let session = self.session_mut(&key);
        session.reply_code_issued |= first_reply_code;
        session.state = to;
        session.servicer = if to == service_state::HUMAN {
            servicer.cloned()
        } else {
            None
        };
        Ok(code)
    }

    // ---- sending ----

    fn check_content(&self, content: &Content) -> ApiResult<()> {
        match content {
            Content::Text { text } => {
                if text.content.is_empty() {
                    return Err(ApiError(44004));
                }
                if text.content.len() > 2048 {
                    return Err(ApiError(45002));
                }
            }
            Content::Image { image: m }
            | Content::Voice { voice: m }
            | Content::Video { video: m }
            | Content::File { file: m } => {
                self.media_item(&m.media_id)?;
            }
            Content::Msgmenu { msgmenu } if msgmenu.list.len() > 10 => return Err(ApiError(95008)),
            Content::Location { location }
                if !(-90.0..=90.0).contains(&location.latitude)
                    || !(-180.0..=180.0).contains(&location.longitude) =>
            {
                return Err(ApiError(errcode::INVALID_PARAMETER));
            }
            Content::Link { link }
                if !(link.url.starts_with("http://") || link.url.starts_with("https://")) =>
            {
                return Err(ApiError(errcode::INVALID_PARAMETER));
            }
            _ => {}
        }
        Ok(())
    }

    fn claim_msgid(&mut self, open_kfid: &OpenKfId, msgid: Option<&MsgId>) -> ApiResult<String> {
        let msgid = match msgid {
            Some(m) if !MsgId::is_valid_for_send(m.as_str()) => {
                return Err(ApiError(errcode::INVALID_PARAMETER));
            }
            Some(m) => m.as_str().to_owned(),
            None => self.new_msgid(),
        };
        if self
            .used_msgids
            .get(open_kfid)
            .is_some_and(|s| s.contains(&msgid))
        {
            return Err(ApiError(errcode::DUPLICATE_MSGID));
        }
        Ok(msgid)
    }

    /// `kf/send_msg`: state 0/1 only (95018), within 48 h of the customer's last message,
    /// at most 5 replies per customer message (95001), msgid unique per account.
    pub fn send_msg(
        &mut self,
        touser: &ExternalUserId,
        open_kfid: &OpenKfId,
        msgid: Option<&MsgId>,
        content: Content,
    ) -> ApiResult<String> {
        self.account(open_kfid)?;
        if !self.customers.contains_key(touser) {
            return Err(ApiError(40096));
        }
        self.check_content(&content)?;
        let now = self.now();
        let key = (open_kfid.clone(), touser.clone());
        let session = self.sessions.get(&key).cloned().unwrap_or(SessionState {
            state: service_state::ENDED,
            ..Default::default()
        });
        if !matches!(session.state, service_state::NEW | service_state::API) {
            return Err(ApiError(errcode::SESSION_STATE_INVALID));
        }
        if session
            .last_customer_msg
            .is_none_or(|t| now - t > WINDOW_SECS)
        {
            return Err(ApiError(self.config.window_errcode));
        }
        if session.sends_since_customer_msg >= REPLIES_PER_CUSTOMER_MESSAGE {
            return Err(ApiError(errcode::SEND_COUNT_LIMIT));
        }
        let msgid = self.claim_msgid(open_kfid, msgid)?;
        self.used_msgids
            .entry(open_kfid.clone())
            .or_default()
            .insert(msgid.clone());
        let session = self.session_mut(&key);
        session.sends_since_customer_msg += 1;
        session.state = service_state::API;
        if !self.fail_next_deliveries.is_empty() {
            let fail_type = self.fail_next_deliveries.remove(0);
            let event = Message {
                msgid: MsgId(self.new_msgid()),
                open_kfid: None,
                external_userid: None,
                send_time: now + 1,
                origin: origin::SYSTEM,
                servicer_userid: None,
                body: Body::Event {
                    event: Event::MsgSendFail {
                        open_kfid: open_kfid.clone(),
                        external_userid: touser.clone(),
                        fail_msgid: MsgId(msgid.clone()),
                        fail_type,
                    },
                },
            };
            let json = serde_json::to_value(&event).expect("wire types serialise");
            self.pending_failures
                .push((now + 1, open_kfid.clone(), json));
        }
        self.sent.push(SentMessage {
            via: "kf/send_msg",
            msgid: msgid.clone(),
            open_kfid: open_kfid.clone(),
            touser: touser.clone(),
            content,
            time: now,
            recalled: false,
        });
        Ok(msgid)
    }

    /// `kf/recall_msg`: a message sent through `kf/send_msg` on this account, within
    /// `RECALL_WINDOW_SECS` of sending; it still counts toward the reply allowance.
    pub fn recall_msg(&mut self, open_kfid: &OpenKfId, msgid: &str) -> ApiResult<()> {
        self.account(open_kfid)?;
        let now = self.now();
        let sent = self
            .sent
            .iter_mut()
            .find(|s| {
                &s.open_kfid == open_kfid
                    && s.msgid == msgid
                    && s.via == "kf/send_msg"
                    && !s.recalled
            })
            .ok_or(ApiError(errcode::RECALL_NOT_FOUND))?;
        if now - sent.time > kefu_wechat::api::RECALL_WINDOW_SECS {
            return Err(ApiError(errcode::RECALL_TOO_LATE));
        }
        sent.recalled = true;
        Ok(())
    }

    /// `kf/send_msg_on_event`: a single-use code, valid for its kind's time and (except the
    /// welcome code) only while the session is still in the state that produced it.
    pub fn send_msg_on_event(
        &mut self,
        code: &str,
        msgid: Option<&MsgId>,
        content: Content,
    ) -> ApiResult<String> {
        let now = self.now();
        let entry = self
            .codes
            .get(code)
            .cloned()
            .ok_or(ApiError(errcode::INVALID_MSG_TOKEN))?;
        if entry.used || now > entry.expires_at {
            return Err(ApiError(errcode::INVALID_MSG_TOKEN));
        }
        let state = self
            .sessions
            .get(&entry.key)
            .map(|s| s.state)
            .unwrap_or(service_state::ENDED);
        let state_ok = match entry.kind {
            CodeKind::Welcome => true,
            CodeKind::Queue => state == service_state::QUEUED,
            CodeKind::Accept => state == service_state::HUMAN,
            CodeKind::Closing => state == service_state::ENDED,
        };
        if !state_ok {
            return Err(ApiError(errcode::INVALID_MSG_TOKEN));
        }
        let type_ok = match entry.kind {
            CodeKind::Welcome | CodeKind::Closing => {
                matches!(content, Content::Text { .. } | Content::Msgmenu { .. })
            }
            CodeKind::Queue | CodeKind::Accept => matches!(content, Content::Text { .. }),
        };
        if !type_ok {
            return Err(ApiError(40008));
        }
        self.check_content(&content)?;
        let (open_kfid, touser) = entry.key.clone();
        let msgid = self.claim_msgid(&open_kfid, msgid)?;
        self.used_msgids
            .entry(open_kfid.clone())
            .or_default()
            .insert(msgid.clone());
        if let Some(c) = self.codes.get_mut(code) {
            c.used = true;
        }
        if entry.kind == CodeKind::Welcome {
            self.session_mut(&entry.key).last_welcome = Some(now);
        }
        self.sent.push(SentMessage {
            via: "kf/send_msg_on_event",
            msgid: msgid.clone(),
            open_kfid,
            touser,
            content,
            time: now,
            recalled: false,
        });
        Ok(msgid)
    }

    /// Whether the API has sent anything to `customer` since `since` (simulated customers wait
    /// for a reply).
    pub fn replied_since(&self, customer: &ExternalUserId, since: i64) -> bool {
        self.sent
            .iter()
            .rev()
            .take_while(|s| s.time >= since)
            .any(|s| &s.touser == customer)
    }

    // ---- media ----

    /// `media/upload`.
    pub fn media_upload(
        &mut self,
        media_type: Option<&str>,
        filename: String,
        content_type: String,
        bytes: Bytes,
    ) -> ApiResult<(String, i64)> {
        let media_type = media_type
            .and_then(MediaType::parse)
            .ok_or(ApiError(40005))?;
        if bytes.is_empty() {
            return Err(ApiError(44001));
        }
        if bytes.len() <= 5 {
            return Err(ApiError(40006));
        }
        if bytes.len() > media_type.max_bytes() {
            return Err(ApiError(match media_type {
                MediaType::Image => 40009,
                MediaType::Video => 40011,
                _ => 45001,
            }));
        }
        if media_type == MediaType::Voice && !bytes.starts_with(b"#!AMR") {
            return Err(ApiError(40004));
        }
        let media_id = format!("{}{}", self.rng.digits(1), self.rng.alnum(43));
        let created_at = self.now();
        self.media.insert(
            media_id.clone(),
            MediaItem {
                bytes,
                media_type,
                filename,
                content_type,
                created_at,
            },
        );
        Ok((media_id, created_at))
    }

    /// A stored media file that has not expired (3 days).
    pub fn media_item(&self, media_id: &str) -> ApiResult<&MediaItem> {
        if media_id.is_empty() {
            return Err(ApiError(41006));
        }
        match self.media.get(media_id) {
            Some(m) if self.now() - m.created_at < RETENTION_SECS => Ok(m),
            _ => Err(ApiError(40007)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transition_table() {
        let allowed = [
            (0, 1),
            (0, 2),
            (0, 3),
            (0, 4),
            (1, 2),
            (1, 3),
            (1, 4),
            (2, 3),
            (2, 4),
            (3, 3),
            (3, 4),
        ];
        for from in 0..=4 {
            for to in 0..=4 {
                assert_eq!(
                    State::transition_allowed(from, to),
                    allowed.contains(&(from, to)),
                    "{from}->{to}"
                );
            }
        }
    }

    #[test]
    fn cursor_round_trip() {
        for pos in [0, 1, 99_999, u64::MAX >> 1] {
            assert_eq!(State::decode_cursor(&State::encode_cursor(pos)), Ok(pos));
        }
        assert!(State::decode_cursor("not a cursor").is_err());
    }
}
