//! Desktop notifications: a new waiting customer, and a new customer message in one of the
//! agent's sessions while the window is not focused, repeated every `repeat_seconds` until the
//! agent acknowledges it (opens the conversation). What to show is decided here; showing it is
//! a [`Sink`] ([`DesktopSink`]: notify-rust on the freedesktop notification service over D-Bus).
//!
//! Invariants: history from the first import never alerts; at most two notifications on screen,
//! one for waiting customers and one for messages in my sessions: a single conversation shows
//! as itself, several as one grouped notification ("12 位客户等待中", the newest few named,
//! opening the newest), updated in place (a repeat or a new customer replaces it; an
//! acknowledged one shrinks it silently); an alert whose session no longer qualifies (claimed by
//! someone, ended) is dropped; with no notification service the notifier reports
//! itself unavailable and the UI keeps its in-app alerts. Customer text is escaped before it
//! reaches a service that may read markup.

use crate::engine::Engine;
use crate::event::DomainEvent;
use crate::settings::NotificationSettings;
use crate::sla::{SlaDue, SlaKind, SlaRules};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// Why an alert is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    /// A customer is waiting in the queue.
    Waiting,
    /// A customer wrote in one of the agent's sessions.
    Message,
    /// A session passed a service-level threshold (`crate::sla`): waiting or unanswered too
    /// long, or its window closing with replies left.
    Sla,
}

/// One notification, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// Account.
    pub open_kfid: String,
    /// Customer.
    pub external_userid: String,
    /// Why.
    pub kind: AlertKind,
    /// Title line.
    pub summary: String,
    /// Who and what, escaped for services that read markup.
    pub body: String,
    /// Label of the action that opens the conversation.
    pub open_label: String,
    /// Ask for a sound.
    pub sound: bool,
}

/// The notification service could not show a notification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("notification service unavailable: {0}")]
pub struct SinkError(pub String);

/// Where alerts are shown.
pub trait Sink: Send + Sync {
    /// Shows `alert`, replacing the notification `replaces` when given; returns its id.
    /// Blocking (D-Bus).
    fn show(&self, alert: &Alert, replaces: Option<u32>) -> Result<u32, SinkError>;
    /// Closes a notification. Blocking.
    fn close(&self, id: u32);
    /// Whether a notification service answers. Blocking.
    fn probe(&self) -> bool;
}

/// The action id a notification's "open" button and body click carry (`default` is the click).
pub const OPEN_ACTIONS: [&str; 2] = ["default", "open"];

type OnOpen = Arc<dyn Fn(&str, &str) + Send + Sync>;

/// A notification on screen: its handle (which owns the D-Bus connection that sent it: the
/// service sends the click back to that connection only) and the task waiting for the click.
struct Shown {
    handle: Arc<notify_rust::NotificationHandle>,
    waiter: tokio::task::JoinHandle<()>,
    generation: u64,
}

/// The freedesktop notification service (dunst, GNOME, KDE …) through notify-rust.
///
/// Called from blocking threads of a tokio runtime (the [`Notifier`] uses `spawn_blocking`):
/// the click waiters run as tasks on that runtime.
pub struct DesktopSink {
    on_open: OnOpen,
    /// Notifications on screen by id.
    shown: Arc<Mutex<HashMap<u32, Shown>>>,
    /// Tells a replaced notification's entry from the one that replaced it.
    generations: std::sync::atomic::AtomicU64,
}

impl DesktopSink {
    /// A sink that calls `on_open(open_kfid, external_userid)` when the agent clicks a
    /// notification or its "open" action (where the service supports actions).
    pub fn new(on_open: impl Fn(&str, &str) + Send + Sync + 'static) -> Self {
        Self {
            on_open: Arc::new(on_open),
            shown: Default::default(),
            generations: Default::default(),
        }
    }

    fn shown(&self) -> MutexGuard<'_, HashMap<u32, Shown>> {
        self.shown.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Sink for DesktopSink {
    fn show(&self, alert: &Alert, replaces: Option<u32>) -> Result<u32, SinkError> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| SinkError("no async runtime to wait for clicks".into()))?;
        let mut n = notify_rust::Notification::new();
        n.appname("Kefu Desk")
            .summary(&alert.summary)
            .body(&alert.body)
            .action("default", &alert.open_label)
            .action("open", &alert.open_label)
            .hint(notify_rust::Hint::Category("im.received".into()));
        if alert.sound {
            n.sound_name("message-new-instant");
        }
        if let Some(id) = replaces {
            n.id(id);
        }
        // Each show opens its own connection; a repeat that replaces a notification in place
        // moves its click to the new connection, so the old waiter is stopped below.
        let handle = Arc::new(n.show().map_err(|e| SinkError(e.to_string()))?);
        let id = handle.id();
        let generation = self
            .generations
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let waiter = {
            let handle = handle.clone();
            let on_open = self.on_open.clone();
            let shown = self.shown.clone();
            let (kfid, customer) = (alert.open_kfid.clone(), alert.external_userid.clone());
            runtime.spawn(async move {
                let mut clicked = false;
                handle
                    .wait_for_action_async(|response| {
                        clicked = match response {
                            notify_rust::NotificationResponse::Default => true,
                            notify_rust::NotificationResponse::Action(a) => {
                                OPEN_ACTIONS.contains(&a.as_str())
                            }
                            _ => false,
                        };
                    })
                    .await;
                // Clicked or closed: this notification is gone from the screen.
                {
                    let mut shown = shown.lock().unwrap_or_else(|p| p.into_inner());
                    if shown.get(&id).is_some_and(|s| s.generation == generation) {
                        shown.remove(&id);
                    }
                }
                if clicked {
                    on_open(&kfid, &customer);
                }
            })
        };
        let replaced = self.shown().insert(
            id,
            Shown {
                handle,
                waiter,
                generation,
            },
        );
        if let Some(old) = replaced {
            old.waiter.abort();
        }
        Ok(id)
    }

    fn close(&self, id: u32) {
        let Some(shown) = self.shown().remove(&id) else {
            return;
        };
        shown.waiter.abort();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.block_on(shown.handle.close_async());
        }
    }

    fn probe(&self) -> bool {
        notify_rust::get_server_information().is_ok()
    }
}

/// Texts of notifications, in the UI language (the only UI strings outside the UI: the window
/// may be closed when they are shown).
fn texts(language: &str, kind: AlertKind) -> (&'static str, &'static str) {
    match (language, kind) {
        ("en", AlertKind::Waiting) => ("New customer waiting", "Open"),
        ("en", AlertKind::Message) => ("New message", "Open"),
        ("en", AlertKind::Sla) => ("Needs attention", "Open"),
        (_, AlertKind::Waiting) => ("新客户等待中", "打开"),
        (_, AlertKind::Message) => ("新消息", "打开"),
        (_, AlertKind::Sla) => ("需要尽快处理", "打开"),
    }
}

/// The title and the line of a service-level alert.
fn sla_texts(language: &str, due: &SlaDue, now: i64) -> (&'static str, String) {
    let minutes = (now - due.since).max(0) / 60;
    let left = due.until.map(|u| (u - now).max(0) / 60).unwrap_or(0);
    match (language, due.kind) {
        ("en", SlaKind::Waiting) => (
            "Customer waiting too long",
            format!("waiting {minutes} min"),
        ),
        ("en", SlaKind::Unanswered) => (
            "Customer unanswered",
            format!("unanswered for {minutes} min"),
        ),
        ("en", SlaKind::Window) => (
            "Reply window closing",
            format!("window closes in {} h {} min", left / 60, left % 60),
        ),
        (_, SlaKind::Waiting) => ("客户等待超时", format!("已等待 {minutes} 分钟")),
        (_, SlaKind::Unanswered) => ("客户超时未回复", format!("{minutes} 分钟未回复")),
        (_, SlaKind::Window) => (
            "回复窗口即将关闭",
            format!("窗口剩余 {} 小时 {} 分", left / 60, left % 60),
        ),
    }
}

fn placeholder(language: &str, msgtype: &str) -> String {
    let en = language == "en";
    let s = match msgtype {
        "image" => {
            if en {
                "[Image]"
            } else {
                "[图片]"
            }
        }
        "voice" => {
            if en {
                "[Voice]"
            } else {
                "[语音]"
            }
        }
        "video" => {
            if en {
                "[Video]"
            } else {
                "[视频]"
            }
        }
        "file" => {
            if en {
                "[File]"
            } else {
                "[文件]"
            }
        }
        "location" => {
            if en {
                "[Location]"
            } else {
                "[位置]"
            }
        }
        "link" => {
            if en {
                "[Link]"
            } else {
                "[链接]"
            }
        }
        _ => {
            if en {
                "[Message]"
            } else {
                "[消息]"
            }
        }
    };
    s.to_owned()
}

/// Escapes the characters a markup-reading notification service would interpret.
pub fn escape_markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// Longest message preview in a notification, in characters.
pub const PREVIEW_CHARS: usize = 80;

/// How often service-level thresholds are checked.
pub const SLA_EVERY: Duration = Duration::from_secs(10);

/// Lines of a grouped notification's body (the newest customers first).
pub const GROUP_LINES: usize = 3;

type Key = (String, String);

/// A conversation with an unacknowledged alert.
struct Pending {
    /// The conversation's own alert (what a notification of it alone shows).
    alert: Alert,
    /// When it was last alerted, in order: the newest lead a group.
    order: u64,
}

/// The one notification of a kind: every pending conversation of that kind is in it.
#[derive(Default)]
struct Group {
    shown: Option<u32>,
    next_at: Option<tokio::time::Instant>,
}

struct State {
    settings: NotificationSettings,
    language: String,
    focused: bool,
    available: Option<bool>,
    /// Messages up to this row id were stored before the notifier started.
    baseline: i64,
    /// Per conversation, the newest customer message alerted or acknowledged.
    seen: HashMap<Key, i64>,
    pending: HashMap<Key, Pending>,
    /// Conversations past a service-level threshold, not yet acknowledged.
    sla: HashMap<Key, Pending>,
    /// Service-level alerts already raised: (conversation, kind, counted from). A new episode
    /// (a new wait, a new unanswered message) raises again.
    sla_raised: HashSet<(Key, SlaKind, i64)>,
    /// Waiting customers, messages in my sessions, service-level alerts: at most these three
    /// on screen.
    groups: [Group; 3],
    order: u64,
}

fn slot(kind: AlertKind) -> usize {
    match kind {
        AlertKind::Waiting => 0,
        AlertKind::Message => 1,
        AlertKind::Sla => 2,
    }
}

impl State {
    /// What the notification of `kind` shows now: one conversation's own alert, or for several
    /// "N 位客户等待中" with the newest few and opening the newest; None when nobody is pending.
    fn group_alert(&self, kind: AlertKind) -> Option<Alert> {
        let mut of_kind: Vec<&Pending> = match kind {
            AlertKind::Sla => self.sla.values().collect(),
            _ => self
                .pending
                .values()
                .filter(|p| p.alert.kind == kind)
                .collect(),
        };
        of_kind.sort_by_key(|p| std::cmp::Reverse(p.order));
        let newest = of_kind.first()?;
        if of_kind.len() == 1 {
            return Some(newest.alert.clone());
        }
        let n = of_kind.len();
        let mut body: Vec<&str> = of_kind
            .iter()
            .take(GROUP_LINES)
            .map(|p| p.alert.body.as_str())
            .collect();
        if n > GROUP_LINES {
            body.push("…");
        }
        Some(Alert {
            summary: group_summary(&self.language, kind, n),
            body: body.join("\n"),
            ..newest.alert.clone()
        })
    }
}

/// The title of a notification that stands for `n` conversations.
fn group_summary(language: &str, kind: AlertKind, n: usize) -> String {
    match (language, kind) {
        ("en", AlertKind::Waiting) => format!("{n} customers waiting"),
        ("en", AlertKind::Message) => format!("New messages from {n} customers"),
        ("en", AlertKind::Sla) => format!("{n} customers need attention now"),
        (_, AlertKind::Waiting) => format!("{n} 位客户等待中"),
        (_, AlertKind::Message) => format!("{n} 位客户发来新消息"),
        (_, AlertKind::Sla) => format!("{n} 位客户需要尽快处理"),
    }
}

/// The notifier: cheap to clone; [`Notifier::run`] is its loop.
#[derive(Clone)]
pub struct Notifier {
    engine: Engine,
    agent: String,
    sink: Arc<dyn Sink>,
    state: Arc<Mutex<State>>,
}

impl Notifier {
    /// A notifier for `agent` showing through `sink`.
    pub fn new(
        engine: Engine,
        agent: impl Into<String>,
        sink: Arc<dyn Sink>,
        settings: NotificationSettings,
        language: impl Into<String>,
    ) -> Self {
        let baseline = engine.store.max_message_id().unwrap_or(0);
        Self {
            engine,
            agent: agent.into(),
            sink,
            state: Arc::new(Mutex::new(State {
                settings,
                language: language.into(),
                focused: false,
                available: None,
                baseline,
                seen: HashMap::new(),
                pending: HashMap::new(),
                sla: HashMap::new(),
                sla_raised: HashSet::new(),
                groups: Default::default(),
                order: 0,
            })),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether notifications can be shown (unknown until the first probe counts as available).
    pub fn available(&self) -> bool {
        self.state().available.unwrap_or(false)
    }

    /// The agent saw the conversation: stop alerting about it (its group shrinks in place,
    /// silently, or closes when it was the last).
    pub async fn ack(&self, open_kfid: &str, customer: &str) {
        let key = (open_kfid.to_owned(), customer.to_owned());
        let newest = self
            .engine
            .store
            .alert_info(open_kfid, customer)
            .ok()
            .flatten()
            .and_then(|i| i.last_customer_message)
            .map(|m| m.0);
        let kind = {
            let mut st = self.state();
            if let Some(id) = newest {
                let seen = st.seen.entry(key.clone()).or_default();
                *seen = (*seen).max(id);
            }
            let sla = st.sla.remove(&key).is_some();
            (st.pending.remove(&key).map(|p| p.alert.kind), sla)
        };
        if let Some(kind) = kind.0 {
            self.refresh(kind, false).await;
        }
        if kind.1 {
            self.refresh(AlertKind::Sla, false).await;
        }
    }

    /// Whether the window has focus (messages in my sessions alert only when it has not).
    pub fn set_focused(&self, focused: bool) {
        self.state().focused = focused;
    }

    /// New preferences; turning notifications off drops pending ones.
    pub async fn set_settings(&self, settings: NotificationSettings, language: &str) {
        let closed: Vec<u32> = {
            let mut st = self.state();
            st.language = language.to_owned();
            let off = !settings.enabled;
            st.settings = settings;
            if off {
                st.pending.clear();
                st.sla.clear();
                st.groups
                    .iter_mut()
                    .filter_map(|g| std::mem::take(g).shown)
                    .collect()
            } else {
                Vec::new()
            }
        };
        for id in closed {
            self.close(id).await;
        }
    }

    /// Conversations with an unacknowledged alert.
    pub fn pending(&self) -> Vec<(String, String)> {
        let mut v: Vec<_> = self.state().pending.keys().cloned().collect();
        v.sort();
        v
    }

    async fn close(&self, id: u32) {
        let sink = self.sink.clone();
        let _ = tokio::task::spawn_blocking(move || sink.close(id)).await;
    }

    /// Probes the service, then alerts on live messages and repeats until `Stop`ped (runs until
    /// the event channel closes).
    pub async fn run(self) {
        let sink = self.sink.clone();
        let available = tokio::task::spawn_blocking(move || sink.probe())
            .await
            .unwrap_or(false);
        self.set_available(available);
        let mut rx = self.engine.events.subscribe();
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut sla_tick = tokio::time::interval(SLA_EVERY);
        sla_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                event = rx.recv() => match event {
                    Ok(DomainEvent::MessagesStored { open_kfid, customers, history: false }) => {
                        for c in customers {
                            self.consider(&open_kfid, &c).await;
                        }
                    }
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return,
                },
                _ = tick.tick() => self.repeat_due().await,
                _ = sla_tick.tick() => {
                    self.check_sla().await;
                    self.prune_shown().await;
                }
            }
        }
    }

    fn set_available(&self, available: bool) {
        let changed = {
            let mut st = self.state();
            let changed = st.available != Some(available);
            st.available = Some(available);
            changed
        };
        if changed {
            tracing::info!(available, "notification service");
            self.engine
                .events
                .publish(DomainEvent::NotifierChanged { available });
        }
    }

    /// What should be shown for this conversation now, if anything.
    fn qualifies(&self, info: &crate::store::AlertInfo, focused: bool) -> Option<AlertKind> {
        match info.local_state.as_str() {
            "waiting" => Some(AlertKind::Waiting),
            "mine" if info.claimed_by.as_deref() == Some(self.agent.as_str()) && !focused => {
                Some(AlertKind::Message)
            }
            _ => None,
        }
    }

    /// A conversation got new items: alert when a new customer message qualifies.
    pub async fn consider(&self, open_kfid: &str, customer: &str) {
        let Ok(Some(mut info)) = self.engine.store.alert_info(open_kfid, customer) else {
            return;
        };
        let Some((msg_id, msgtype, text)) = info.last_customer_message.clone() else {
            return;
        };
        let key = (open_kfid.to_owned(), customer.to_owned());
        let kind = {
            let mut st = self.state();
            let seen = st.seen.get(&key).copied().unwrap_or(st.baseline);
            if msg_id <= seen || !st.settings.enabled {
                return;
            }
            st.seen.insert(key.clone(), msg_id);
            let Some(kind) = self.qualifies(&info, st.focused) else {
                return;
            };
            kind
        };
        if info.nickname.is_none() {
            // A new customer's profile is fetched after the round that stored them: fetch it
            // now, so the notification names them (only for a notification that will be shown).
            if let Err(e) = self.engine.refresh_profiles().await {
                tracing::debug!(error = %e, "profile not fetched for a notification");
            }
            if let Ok(Some(again)) = self.engine.store.alert_info(open_kfid, customer) {
                info.nickname = again.nickname;
            }
        }
        let moved_from = {
            let mut st = self.state();
            let (summary, open_label) = texts(&st.language, kind);
            let who = info.nickname.clone().unwrap_or_else(|| customer.to_owned());
            let what = match text {
                Some(t) if msgtype == "text" => t.chars().take(PREVIEW_CHARS).collect(),
                _ => placeholder(&st.language, &msgtype),
            };
            let alert = Alert {
                open_kfid: open_kfid.to_owned(),
                external_userid: customer.to_owned(),
                kind,
                summary: summary.to_owned(),
                body: escape_markup(&format!("{who}: {what}")),
                open_label: open_label.to_owned(),
                sound: st.settings.sound,
            };
            st.order += 1;
            let order = st.order;
            st.pending
                .insert(key, Pending { alert, order })
                .map(|old| old.alert.kind)
                .filter(|old| *old != kind)
        };
        if let Some(old) = moved_from {
            self.refresh(old, false).await;
        }
        // The group counts only who still qualifies (a colleague may have taken some).
        self.prune(kind);
        self.refresh(kind, true).await;
    }

    /// Shows the notification of `kind` as it stands (in place of the one on screen), or closes
    /// it when nobody is pending; `alerting`: with its sound, and the repeat timer restarts.
    async fn refresh(&self, kind: AlertKind, alerting: bool) {
        let (alert, shown) = {
            let st = self.state();
            (st.group_alert(kind), st.groups[slot(kind)].shown)
        };
        let Some(mut alert) = alert else {
            let shown = {
                let mut st = self.state();
                std::mem::take(&mut st.groups[slot(kind)]).shown
            };
            if let Some(id) = shown {
                self.close(id).await;
            }
            return;
        };
        alert.sound &= alerting;
        let id = self.show(alert, shown).await;
        let mut st = self.state();
        let repeat = st.settings.repeat_seconds;
        let group = &mut st.groups[slot(kind)];
        group.shown = id.or(shown);
        if alerting || group.next_at.is_none() {
            group.next_at = (repeat > 0)
                .then(|| tokio::time::Instant::now() + Duration::from_secs(repeat.into()));
        }
    }

    async fn show(&self, alert: Alert, replaces: Option<u32>) -> Option<u32> {
        let sink = self.sink.clone();
        let shown = tokio::task::spawn_blocking(move || sink.show(&alert, replaces))
            .await
            .unwrap_or_else(|e| Err(SinkError(e.to_string())));
        match shown {
            Ok(id) => {
                self.set_available(true);
                Some(id)
            }
            Err(e) => {
                tracing::warn!(error = %e, "notification not shown; in-app alerts only");
                self.set_available(false);
                None
            }
        }
    }

    /// Raises a service-level alert for each conversation that passed a threshold since the
    /// last check (once per episode), and drops those that no longer apply (claimed, answered,
    /// ended). One notification holds them all.
    pub async fn check_sla(&self) {
        let now = self.engine.clock.now();
        let (rules, language, sound) = {
            let st = self.state();
            if !st.settings.enabled {
                return;
            }
            (
                SlaRules::from(&st.settings),
                st.language.clone(),
                st.settings.sound,
            )
        };
        let all_off =
            rules.waiting_secs == 0 && rules.unanswered_secs == 0 && rules.window_secs == 0;
        if all_off && self.state().sla.is_empty() {
            return;
        }
        // Alerts concern open sessions only: none of the ended history is read.
        let Ok(rows) = self.engine.store.sessions_listed(now, 0) else {
            return;
        };
        // The most pressing alert of each conversation.
        let mut active: HashMap<Key, (SlaDue, Option<String>)> = HashMap::new();
        for row in &rows {
            let due = crate::sla::due(row, &self.agent, &rules);
            if let Some(d) = due
                .iter()
                .filter(|d| d.active(now))
                .min_by_key(|d| match d.kind {
                    SlaKind::Unanswered => 0,
                    SlaKind::Waiting => 1,
                    SlaKind::Window => 2,
                })
            {
                let key = (row.open_kfid.clone(), row.external_userid.clone());
                active.insert(key, (*d, row.nickname.clone()));
            }
        }
        let unnamed: Vec<Key> = {
            let st = self.state();
            active
                .iter()
                .filter(|(k, (d, name))| {
                    name.is_none() && !st.sla_raised.contains(&((*k).clone(), d.kind, d.since))
                })
                .map(|(k, _)| k.clone())
                .collect()
        };
        if !unnamed.is_empty() {
            // Name the customer in the notification (profiles are fetched after a sync round).
            if let Err(e) = self.engine.refresh_profiles().await {
                tracing::debug!(error = %e, "profiles not fetched for an SLA alert");
            }
            for key in unnamed {
                if let (Some(entry), Ok(Some(info))) = (
                    active.get_mut(&key),
                    self.engine.store.alert_info(&key.0, &key.1),
                ) {
                    entry.1 = info.nickname;
                }
            }
        }
        let (alerting, changed) = {
            let mut st = self.state();
            let before = st.sla.len();
            st.sla.retain(|k, _| active.contains_key(k));
            st.sla_raised.retain(|(k, _, _)| active.contains_key(k));
            let changed = st.sla.len() != before;
            let mut alerting = false;
            for (key, (due, name)) in active {
                if !st.sla_raised.insert((key.clone(), due.kind, due.since)) {
                    continue;
                }
                let who = name.unwrap_or_else(|| key.1.clone());
                let (summary, line) = sla_texts(&language, &due, now);
                let (_, open_label) = texts(&language, AlertKind::Sla);
                st.order += 1;
                let order = st.order;
                let alert = Alert {
                    open_kfid: key.0.clone(),
                    external_userid: key.1.clone(),
                    kind: AlertKind::Sla,
                    summary: summary.to_owned(),
                    body: escape_markup(&format!("{who}: {line}")),
                    open_label: open_label.to_owned(),
                    sound,
                };
                st.sla.insert(key, Pending { alert, order });
                alerting = true;
            }
            (alerting, changed)
        };
        if alerting || changed {
            self.refresh(AlertKind::Sla, alerting).await;
        }
    }

    /// Repeats each due notification with the conversations that still qualify; drops the
    /// others. Messages in my sessions wait while the window has focus.
    async fn repeat_due(&self) {
        let now = tokio::time::Instant::now();
        for kind in [AlertKind::Waiting, AlertKind::Message, AlertKind::Sla] {
            if self.state().groups[slot(kind)]
                .next_at
                .is_none_or(|t| t > now)
            {
                continue;
            }
            // `check_sla` drops the service-level alerts that no longer apply.
            let later = kind != AlertKind::Sla && self.prune(kind).1;
            if later {
                let mut st = self.state();
                let repeat = st.settings.repeat_seconds.max(1);
                st.groups[slot(kind)].next_at = Some(now + Duration::from_secs(repeat.into()));
                continue;
            }
            self.refresh(kind, true).await;
        }
    }

    /// Drops the pending alerts of `kind` whose conversation no longer qualifies (claimed by a
    /// colleague, answered, ended), so a grouped notification counts only who still waits and
    /// the map stays as small as the open work, whether or not alerts repeat. Returns how many
    /// were dropped, and whether a message in my session was kept only because the window has
    /// focus (look again later).
    fn prune(&self, kind: AlertKind) -> (usize, bool) {
        let keys: Vec<Key> = self
            .state()
            .pending
            .iter()
            .filter(|(_, p)| p.alert.kind == kind)
            .map(|(k, _)| k.clone())
            .collect();
        let (mut dropped, mut later) = (0, false);
        for key in keys {
            let info = self.engine.store.alert_info(&key.0, &key.1).ok().flatten();
            let mut st = self.state();
            let still = info.as_ref().and_then(|i| self.qualifies(i, st.focused));
            let mine = info.as_ref().is_some_and(|i| {
                i.local_state == "mine" && i.claimed_by.as_deref() == Some(self.agent.as_str())
            });
            if still == Some(kind) {
                continue;
            }
            if mine && kind == AlertKind::Message {
                later = true;
            } else if st.pending.remove(&key).is_some() {
                dropped += 1;
            }
        }
        (dropped, later)
    }

    /// Drops what no longer qualifies and updates the notifications on screen, silently.
    async fn prune_shown(&self) {
        for kind in [AlertKind::Waiting, AlertKind::Message] {
            if self.prune(kind).0 > 0 {
                self.refresh(kind, false).await;
            }
        }
    }
}
