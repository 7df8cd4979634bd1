//! Reports for team leads: response times, sessions, volume, per agent and per account over a
//! date range.
//!
//! One reducer ([`compute`]) over normalised rows ([`ReportInput`]). The local store
//! (`Store::report_input`, solo mode and the team mirror) and the team database
//! (`Team::report_input`) both produce those rows, so every figure has one definition, written
//! in ARCHITECTURE.md ("Reports"):
//!
//! - a **session** is a run of one customer's conversation with one account, split where it was
//!   ended (in this console or the WeCom client) or where 48 h passed without a message, exactly
//!   as the customer panel's history; it belongs to the range in which its first message falls;
//! - a **wait** starts at a customer message nobody has answered yet and stops at the next
//!   reply, at the moment it was sent (from this app, or from a servicer in the WeCom client);
//!   replies from this app that never reached WeChat (refused, or still queued) stop nothing;
//!   the first wait of a session is its **first response**; replies are credited to whoever sent
//!   them, so a transferred session counts for each agent who replied in it;
//! - a session is **answered** when its customer's first message got a reply before it closed,
//!   **unanswered** when it closed without one, **pending** when it is still open and unanswered.

pub mod calendar;

use crate::rules::WINDOW_SECS;
use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;

/// The longest range a report covers (its daily chart has one bar per day).
pub const MAX_DAYS: i64 = 400;

/// Who sent a reply: an agent of this app, or a servicer in the WeCom client.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Actor {
    /// Agent name (this app) or servicer userid (WeCom client).
    pub name: String,
    /// Whether it was sent from the WeCom client (origin 5), not from this app.
    pub wecom: bool,
}

/// What happened in a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// The customer wrote.
    Customer,
    /// A reply that reached WeChat, at the moment it was sent (`actor` says who sent it).
    Reply,
    /// The session was ended: in this console, or by a servicer in the WeCom client.
    End {
        /// Ended in the WeCom client (a `session_status_change` event), not in this console.
        in_wecom: bool,
    },
}

impl ItemKind {
    /// Order within one second.
    fn rank(self) -> u8 {
        match self {
            ItemKind::Customer => 0,
            ItemKind::Reply => 1,
            ItemKind::End { .. } => 2,
        }
    }
}

/// One row of a conversation's timeline.
#[derive(Debug, Clone, Copy)]
pub struct Item {
    /// Conversation number ([`ReportInput::conversation`]).
    pub conv: u32,
    /// Unix seconds.
    pub time: i64,
    /// What happened.
    pub kind: ItemKind,
    /// Who replied ([`ReportInput::actor`]); ignored for other kinds.
    pub actor: u32,
}

/// A reply WeChat refused for good (it never reached the customer).
#[derive(Debug, Clone)]
pub struct Refusal {
    /// Account number ([`ReportInput::account`]).
    pub account: u32,
    /// When it was written.
    pub time: i64,
    /// Who wrote it.
    pub actor: u32,
    /// WeChat's errcode, when the refusal carried one.
    pub errcode: Option<i64>,
}

/// Normalised rows from a store, in any order: conversations, actors and accounts interned.
#[derive(Debug, Default)]
pub struct ReportInput {
    accounts: Vec<String>,
    account_index: HashMap<String, u32>,
    account_names: HashMap<String, String>,
    conversations: Vec<u32>,
    /// Customers of each account (accounts are few: a list is faster than hashing the id).
    conversation_index: Vec<(String, HashMap<String, u32>)>,
    actors: Vec<Actor>,
    /// Agents of this app, then servicers of the WeCom client, by name.
    actor_index: [HashMap<String, u32>; 2],
    items: Vec<Item>,
    refusals: Vec<Refusal>,
}

impl ReportInput {
    /// The number of an account.
    pub fn account(&mut self, open_kfid: &str) -> u32 {
        if let Some(&i) = self.account_index.get(open_kfid) {
            return i;
        }
        let i = self.accounts.len() as u32;
        self.accounts.push(open_kfid.to_owned());
        self.account_index.insert(open_kfid.to_owned(), i);
        i
    }

    /// Names an account.
    pub fn name_account(&mut self, open_kfid: &str, name: &str) {
        if !name.is_empty() {
            self.account_names
                .insert(open_kfid.to_owned(), name.to_owned());
        }
    }

    /// The number of one customer's conversation with one account.
    pub fn conversation(&mut self, open_kfid: &str, customer: &str) -> u32 {
        let slot = match self
            .conversation_index
            .iter()
            .position(|(k, _)| k == open_kfid)
        {
            Some(slot) => slot,
            None => {
                self.conversation_index
                    .push((open_kfid.to_owned(), HashMap::default()));
                self.conversation_index.len() - 1
            }
        };
        if let Some(&i) = self.conversation_index[slot].1.get(customer) {
            return i;
        }
        let account = self.account(open_kfid);
        let i = self.conversations.len() as u32;
        self.conversations.push(account);
        self.conversation_index[slot]
            .1
            .insert(customer.to_owned(), i);
        i
    }

    /// Takes a conversation numbered by its source (the store's own number, dense enough to
    /// index a list) and says which account it is with. A source numbers its conversations
    /// this way or by [`ReportInput::conversation`], never both, and such an input is not
    /// [`ReportInput::merge`]d.
    pub fn numbered_conversation(&mut self, number: u32, account: u32) {
        let i = number as usize;
        if i >= self.conversations.len() {
            self.conversations.resize(i + 1, 0);
        }
        self.conversations[i] = account;
    }

    /// The number of a sender.
    pub fn actor(&mut self, name: &str, wecom: bool) -> u32 {
        let index = &mut self.actor_index[usize::from(wecom)];
        if let Some(&i) = index.get(name) {
            return i;
        }
        let i = self.actors.len() as u32;
        self.actors.push(Actor {
            name: name.to_owned(),
            wecom,
        });
        index.insert(name.to_owned(), i);
        i
    }

    /// Adds a timeline row.
    pub fn push(&mut self, item: Item) {
        self.items.push(item);
    }

    /// Adds a refused reply.
    pub fn refused(&mut self, refusal: Refusal) {
        self.refusals.push(refusal);
    }

    /// Makes room for `n` more rows.
    pub fn reserve(&mut self, n: usize) {
        self.items.reserve(n);
    }

    /// Adds the rows of another input (of another slice of the range), renumbering its
    /// accounts, conversations and senders into this one's.
    pub fn merge(&mut self, other: ReportInput) {
        let accounts: Vec<u32> = other.accounts.iter().map(|a| self.account(a)).collect();
        for (kfid, name) in other.account_names {
            self.account_names.entry(kfid).or_insert(name);
        }
        let mut conversations = vec![0u32; other.conversations.len()];
        for (kfid, customers) in &other.conversation_index {
            for (customer, &i) in customers {
                conversations[i as usize] = self.conversation(kfid, customer);
            }
        }
        let actors: Vec<u32> = other
            .actors
            .iter()
            .map(|a| self.actor(&a.name, a.wecom))
            .collect();
        self.items.extend(other.items.into_iter().map(|mut i| {
            i.conv = conversations[i.conv as usize];
            if i.kind == ItemKind::Reply {
                i.actor = actors[i.actor as usize];
            }
            i
        }));
        self.refusals
            .extend(other.refusals.into_iter().map(|mut r| {
                r.account = accounts[r.account as usize];
                r.actor = actors[r.actor as usize];
                r
            }));
    }

    /// Rows so far.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// The errcode in a stored failure text ("… failed with errcode 95018: …").
pub fn errcode_in(text: &str) -> Option<i64> {
    let rest = &text[text.find("errcode ")? + "errcode ".len()..];
    let digits: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    digits.parse().ok()
}

/// What a report covers.
#[derive(Debug, Clone)]
pub struct ReportQuery {
    /// First second (Unix).
    pub since: i64,
    /// End, exclusive (Unix).
    pub until: i64,
    /// Only sessions this agent (or WeCom servicer) replied in, and only their replies.
    pub agent: Option<String>,
    /// Offset of the days and hours of the charts, seconds east of UTC.
    pub offset_secs: i32,
}

impl ReportQuery {
    /// The rows a source must load: from one window before `since` (to know where the first
    /// sessions of the range begin) to `until`.
    pub fn load_from(&self) -> i64 {
        self.since - WINDOW_SECS
    }

    /// Checks the range.
    pub fn check(&self) -> Result<(), String> {
        if self.until <= self.since {
            return Err("the report's end must come after its start".into());
        }
        let days = calendar::day_of(self.until - 1, self.offset_secs)
            - calendar::day_of(self.since, self.offset_secs)
            + 1;
        if days > MAX_DAYS {
            return Err(format!(
                "a report covers at most {MAX_DAYS} days; this one has {days}"
            ));
        }
        Ok(())
    }
}

/// Durations in seconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Timing {
    /// How many.
    pub count: u64,
    /// Mean, rounded to the second.
    pub avg_secs: Option<i64>,
    /// Median (nearest rank).
    pub p50_secs: Option<i64>,
    /// 90th percentile (nearest rank: the smallest value at least 90 % of them do not exceed).
    pub p90_secs: Option<i64>,
}

impl Timing {
    fn of(mut samples: Vec<i64>) -> Self {
        if samples.is_empty() {
            return Self::default();
        }
        let n = samples.len();
        let sum: i64 = samples.iter().sum();
        let rank = |p: usize| (n * p).div_ceil(100).max(1) - 1;
        let (r50, r90) = (rank(50), rank(90));
        let p50 = *samples.select_nth_unstable(r50).1;
        // The 90th is at or after the median: look for it only there.
        let p90 = if r90 == r50 {
            p50
        } else {
            *samples[r50 + 1..].select_nth_unstable(r90 - r50 - 1).1
        };
        Self {
            count: n as u64,
            avg_secs: Some((sum as f64 / n as f64).round() as i64),
            p50_secs: Some(p50),
            p90_secs: Some(p90),
        }
    }
}

/// The figures of a whole desk, an agent or an account.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Figures {
    /// Sessions that began in the range (for an agent: those they replied in).
    pub sessions: u64,
    /// … whose customer's first message got a reply before the session closed.
    pub answered: u64,
    /// … that closed (ended, or the 48 h window passed) with the customer unanswered.
    pub unanswered: u64,
    /// … still open with the customer waiting for a first reply.
    pub pending: u64,
    /// answered / (answered + unanswered), when there is any.
    pub answered_share: Option<f64>,
    /// Sessions ended in this console.
    pub ended_here: u64,
    /// Sessions ended by a servicer in the WeCom client.
    pub ended_in_wecom: u64,
    /// Sessions that closed because 48 h passed without a message.
    pub expired: u64,
    /// Customer's first message → first reply.
    pub first_response: Timing,
    /// Every wait: first unanswered customer message → the next reply.
    pub response: Timing,
    /// Customer messages sent in the range.
    pub messages_in: u64,
    /// Replies delivered in the range.
    pub messages_out: u64,
    /// Replies WeChat refused for good.
    pub refused: u64,
}

/// An agent's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentFigures {
    /// The agent (or WeCom servicer).
    #[serde(flatten)]
    pub actor: Actor,
    /// Their figures.
    #[serde(flatten)]
    pub figures: Figures,
}

/// An account's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountFigures {
    /// The account.
    pub open_kfid: String,
    /// Its name, when known.
    pub name: Option<String>,
    /// Its figures.
    #[serde(flatten)]
    pub figures: Figures,
}

/// Messages in and out in an hour of the day or on a day.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Volume {
    /// `YYYY-MM-DD`, or the hour `00`–`23`.
    pub label: String,
    /// Customer messages.
    pub messages_in: u64,
    /// Replies delivered.
    pub messages_out: u64,
    /// Sessions that began.
    pub sessions: u64,
}

/// Refused replies with one errcode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RefusalCount {
    /// WeChat's errcode (none when the failure had no errcode).
    pub errcode: Option<i64>,
    /// How many.
    pub count: u64,
}

/// A computed report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// First second (Unix).
    pub since: i64,
    /// End, exclusive (Unix).
    pub until: i64,
    /// Offset of the days and hours, seconds east of UTC.
    pub offset_secs: i32,
    /// The agent filter.
    pub agent: Option<String>,
    /// The whole desk (or the filtered agent).
    pub totals: Figures,
    /// Per agent and WeCom servicer, most sessions first.
    pub by_agent: Vec<AgentFigures>,
    /// Per account, most sessions first.
    pub by_account: Vec<AccountFigures>,
    /// By hour of the day, 24 rows.
    pub by_hour: Vec<Volume>,
    /// By day, one row per day of the range.
    pub by_day: Vec<Volume>,
    /// Refused replies by errcode, most first.
    pub refusals: Vec<RefusalCount>,
}

#[derive(Default)]
struct Tally {
    figures: Figures,
    first: Vec<i64>,
    waits: Vec<i64>,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        let (f, o) = (&mut self.figures, other.figures);
        f.sessions += o.sessions;
        f.answered += o.answered;
        f.unanswered += o.unanswered;
        f.pending += o.pending;
        f.ended_here += o.ended_here;
        f.ended_in_wecom += o.ended_in_wecom;
        f.expired += o.expired;
        f.messages_in += o.messages_in;
        f.messages_out += o.messages_out;
        f.refused += o.refused;
        self.first.extend(other.first);
        self.waits.extend(other.waits);
    }

    fn finish(mut self) -> Figures {
        let f = &mut self.figures;
        let decided = f.answered + f.unanswered;
        f.answered_share = (decided > 0).then(|| f.answered as f64 / decided as f64);
        f.first_response = Timing::of(self.first);
        f.response = Timing::of(self.waits);
        self.figures
    }
}

/// How a session closed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Close {
    Open,
    Ended,
    Expired,
}

/// One session while it is being read, with reusable buffers.
#[derive(Default)]
struct Scratch {
    start: i64,
    last: i64,
    wait_since: Option<i64>,
    saw_customer: bool,
    first: Option<(i64, u32)>,
    waits: Vec<(i64, u32)>,
    repliers: Vec<u32>,
    messages_in: Vec<i64>,
    messages_out: Vec<(i64, u32)>,
    ended_by_wecom: bool,
}

impl Scratch {
    fn begin(&mut self, t: i64) {
        self.start = t;
        self.last = t;
        self.wait_since = None;
        self.saw_customer = false;
        self.first = None;
        self.waits.clear();
        self.repliers.clear();
        self.messages_in.clear();
        self.messages_out.clear();
        self.ended_by_wecom = false;
    }
}

struct Reducer<'a> {
    query: &'a ReportQuery,
    horizon: i64,
    agent: Option<&'a [u32]>,
    conversations: &'a [u32],
    totals: Tally,
    agents: Vec<Tally>,
    accounts: Vec<Tally>,
    by_hour: Vec<Volume>,
    by_day: Vec<Volume>,
    first_day: i64,
}

impl Reducer<'_> {
    fn in_range(&self, t: i64) -> bool {
        (self.query.since..self.query.until).contains(&t)
    }

    fn volume(&mut self, t: i64, f: impl Fn(&mut Volume)) {
        let hour = calendar::hour_of(t, self.query.offset_secs);
        f(&mut self.by_hour[hour]);
        let day = calendar::day_of(t, self.query.offset_secs) - self.first_day;
        if let Some(v) = self.by_day.get_mut(day as usize) {
            f(v);
        }
    }

    /// Adds a finished session to every tally it belongs to.
    fn close(&mut self, s: &Scratch, conv: u32, how: Close) {
        let agent = self.agent;
        if let Some(only) = agent
            && !s.repliers.iter().any(|r| only.contains(r))
        {
            return;
        }
        let wanted = |a: u32| agent.is_none_or(|only| only.contains(&a));
        let account = self.conversations[conv as usize] as usize;
        let counted = self.in_range(s.start);
        // Customer messages count for the desk, the account and each agent who replied.
        for &t in &s.messages_in {
            self.totals.figures.messages_in += 1;
            self.accounts[account].figures.messages_in += 1;
            for &r in &s.repliers {
                if wanted(r) {
                    self.agents[r as usize].figures.messages_in += 1;
                }
            }
            self.volume(t, |v| v.messages_in += 1);
        }
        for &(t, r) in &s.messages_out {
            if !wanted(r) {
                continue;
            }
            self.totals.figures.messages_out += 1;
            self.accounts[account].figures.messages_out += 1;
            self.agents[r as usize].figures.messages_out += 1;
            self.volume(t, |v| v.messages_out += 1);
        }
        if !counted {
            return;
        }
        self.volume(s.start, |v| v.sessions += 1);
        let outcome = |f: &mut Figures| {
            f.sessions += 1;
            if s.saw_customer {
                match (s.first.is_some(), how) {
                    (true, _) => f.answered += 1,
                    (false, Close::Open) => f.pending += 1,
                    (false, _) => f.unanswered += 1,
                }
            }
            match how {
                Close::Ended if s.ended_by_wecom => f.ended_in_wecom += 1,
                Close::Ended => f.ended_here += 1,
                Close::Expired => f.expired += 1,
                Close::Open => {}
            }
        };
        outcome(&mut self.totals.figures);
        outcome(&mut self.accounts[account].figures);
        for &r in &s.repliers {
            if wanted(r) {
                outcome(&mut self.agents[r as usize].figures);
            }
        }
        if let Some((secs, r)) = s.first
            && wanted(r)
        {
            self.totals.first.push(secs);
            self.accounts[account].first.push(secs);
            self.agents[r as usize].first.push(secs);
        }
        for &(secs, r) in &s.waits {
            if wanted(r) {
                self.totals.waits.push(secs);
                self.accounts[account].waits.push(secs);
                self.agents[r as usize].waits.push(secs);
            }
        }
    }
}

/// Computes the report of `input` for `query`; `now` closes the sessions whose window passed.
pub fn compute(input: ReportInput, query: &ReportQuery, now: i64) -> Report {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let split = cores > 1 && input.items.len() > PARALLEL_ITEMS;
    compute_in(input, query, now, split)
}

/// [`compute`], in two halves at once or not.
fn compute_in(mut input: ReportInput, query: &ReportQuery, now: i64, split: bool) -> Report {
    let first_day = calendar::day_of(query.since, query.offset_secs);
    let last_day = calendar::day_of(query.until - 1, query.offset_secs).max(first_day);
    let days = (last_day - first_day + 1).min(MAX_DAYS);
    let agent = query.agent.as_ref().map(|name| {
        (0..input.actors.len() as u32)
            .filter(|&i| &input.actors[i as usize].name == name)
            .collect::<Vec<u32>>()
    });
    let items = by_conversation(std::mem::take(&mut input.items), input.conversations.len());
    let make = || Reducer::new(query, now, agent.as_deref(), &input, first_day, days);
    let mut r = make();
    if split && items.len() > 1 {
        // Two halves at a conversation boundary, reduced at once, then added up.
        let mut mid = items.len() / 2;
        while mid < items.len() && items[mid].conv == items[mid - 1].conv {
            mid += 1;
        }
        let (early, late) = items.split_at(mid);
        let mut other = make();
        std::thread::scope(|scope| {
            scope.spawn(|| other.reduce(late));
            r.reduce(early);
        });
        r.add(other);
    } else {
        r.reduce(&items);
    }
    // Refused replies: counted where they were written.
    let mut refusals: HashMap<Option<i64>, u64> = HashMap::default();
    for f in &input.refusals {
        let wanted = r.agent.is_none_or(|only| only.contains(&f.actor));
        if !wanted || !r.in_range(f.time) {
            continue;
        }
        r.totals.figures.refused += 1;
        r.accounts[f.account as usize].figures.refused += 1;
        r.agents[f.actor as usize].figures.refused += 1;
        *refusals.entry(f.errcode).or_default() += 1;
    }
    let Reducer {
        totals,
        agents,
        accounts,
        by_hour,
        by_day,
        ..
    } = r;
    // The desk's percentiles are the largest selection: found beside the others'.
    let (totals, by_agent, by_account) = std::thread::scope(|scope| {
        let totals = scope.spawn(move || totals.finish());
        let mut by_agent: Vec<AgentFigures> = agents
            .into_iter()
            .zip(input.actors)
            .map(|(t, actor)| AgentFigures {
                actor,
                figures: t.finish(),
            })
            .filter(|a| {
                let f = &a.figures;
                let wanted = query.agent.as_ref().is_none_or(|n| n == &a.actor.name);
                wanted && (f.sessions > 0 || f.messages_out > 0 || f.refused > 0)
            })
            .collect();
        by_agent.sort_by(|a, b| {
            (b.figures.sessions, b.figures.messages_out)
                .cmp(&(a.figures.sessions, a.figures.messages_out))
                .then_with(|| a.actor.name.cmp(&b.actor.name))
        });
        let mut by_account: Vec<AccountFigures> = accounts
            .into_iter()
            .zip(input.accounts)
            .map(|(t, open_kfid)| AccountFigures {
                name: input.account_names.get(&open_kfid).cloned(),
                open_kfid,
                figures: t.finish(),
            })
            .filter(|a| {
                let f = &a.figures;
                f.sessions > 0 || f.messages_in > 0 || f.messages_out > 0 || f.refused > 0
            })
            .collect();
        by_account.sort_by(|a, b| {
            b.figures
                .sessions
                .cmp(&a.figures.sessions)
                .then_with(|| a.open_kfid.cmp(&b.open_kfid))
        });
        let totals = totals
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (totals, by_agent, by_account)
    });
    let mut refusals: Vec<RefusalCount> = refusals
        .into_iter()
        .map(|(errcode, count)| RefusalCount { errcode, count })
        .collect();
    refusals.sort_by(|a, b| b.count.cmp(&a.count).then(a.errcode.cmp(&b.errcode)));
    Report {
        since: query.since,
        until: query.until,
        offset_secs: query.offset_secs,
        agent: query.agent.clone(),
        totals,
        by_agent,
        by_account,
        by_hour,
        by_day,
        refusals,
    }
}

impl<'a> Reducer<'a> {
    fn new(
        query: &'a ReportQuery,
        now: i64,
        agent: Option<&'a [u32]>,
        input: &'a ReportInput,
        first_day: i64,
        days: i64,
    ) -> Self {
        Reducer {
            query,
            horizon: query.until.min(now),
            agent,
            conversations: &input.conversations,
            totals: Tally::default(),
            agents: (0..input.actors.len()).map(|_| Tally::default()).collect(),
            accounts: (0..input.accounts.len())
                .map(|_| Tally::default())
                .collect(),
            by_hour: (0..24)
                .map(|h| Volume {
                    label: format!("{h:02}"),
                    ..Volume::default()
                })
                .collect(),
            by_day: (0..days)
                .map(|d| Volume {
                    label: calendar::format_day(first_day + d),
                    ..Volume::default()
                })
                .collect(),
            first_day,
        }
    }

    /// Reads whole conversations (grouped and ordered by [`by_conversation`]).
    fn reduce(&mut self, items: &[Item]) {
        let mut s = Scratch::default();
        let mut open: Option<u32> = None;
        for item in items {
            if let Some(conv) = open
                && (conv != item.conv || item.time - s.last > WINDOW_SECS)
            {
                let how = if s.last + WINDOW_SECS <= self.horizon {
                    Close::Expired
                } else {
                    Close::Open
                };
                self.close(&s, conv, how);
                open = None;
            }
            match item.kind {
                ItemKind::End { in_wecom } => {
                    // An end outside a session (before its first message) belongs to none.
                    if open.is_some() {
                        s.ended_by_wecom = in_wecom;
                        self.close(&s, item.conv, Close::Ended);
                        open = None;
                    }
                    continue;
                }
                ItemKind::Customer | ItemKind::Reply if open.is_none() => {
                    s.begin(item.time);
                    open = Some(item.conv);
                }
                _ => s.last = item.time,
            }
            let t = item.time;
            let in_range = self.in_range(t);
            match item.kind {
                ItemKind::Customer => {
                    s.saw_customer = true;
                    s.wait_since.get_or_insert(t);
                    if in_range {
                        s.messages_in.push(t);
                    }
                }
                ItemKind::Reply => {
                    if !s.repliers.contains(&item.actor) {
                        s.repliers.push(item.actor);
                    }
                    if let Some(since) = s.wait_since.take() {
                        let secs = t - since;
                        if s.first.is_none() {
                            s.first = Some((secs, item.actor));
                        }
                        s.waits.push((secs, item.actor));
                    }
                    if in_range {
                        s.messages_out.push((t, item.actor));
                    }
                }
                ItemKind::End { .. } => unreachable!("handled above"),
            }
        }
        if let Some(conv) = open {
            let how = if s.last + WINDOW_SECS <= self.horizon {
                Close::Expired
            } else {
                Close::Open
            };
            self.close(&s, conv, how);
        }
    }

    /// Adds what another reducer of the same input read.
    fn add(&mut self, other: Reducer<'_>) {
        self.totals.add(other.totals);
        for (t, o) in self.agents.iter_mut().zip(other.agents) {
            t.add(o);
        }
        for (t, o) in self.accounts.iter_mut().zip(other.accounts) {
            t.add(o);
        }
        for (v, o) in self
            .by_hour
            .iter_mut()
            .chain(self.by_day.iter_mut())
            .zip(other.by_hour.into_iter().chain(other.by_day))
        {
            v.messages_in += o.messages_in;
            v.messages_out += o.messages_out;
            v.sessions += o.sessions;
        }
    }
}

/// Inputs larger than this are reduced in two halves at once.
const PARALLEL_ITEMS: usize = 200_000;

/// Items grouped by conversation (a counting sort: one pass to count, one to place), each
/// conversation in time order; within one second the customer comes first, then replies, then
/// an end, whatever order the source gave them.
fn by_conversation(items: Vec<Item>, conversations: usize) -> Vec<Item> {
    let mut start = vec![0usize; conversations + 1];
    for i in &items {
        start[i.conv as usize + 1] += 1;
    }
    for c in 1..start.len() {
        start[c] += start[c - 1];
    }
    let bounds = start.clone();
    let mut out = items.clone();
    for i in items {
        let slot = &mut start[i.conv as usize];
        out[*slot] = i;
        *slot += 1;
    }
    for w in bounds.windows(2) {
        out[w[0]..w[1]].sort_unstable_by_key(|i| (i.time, i.kind.rank()));
    }
    out
}

/// The report as CSV: one row for the desk, then one per agent and per account.
pub fn to_csv(report: &Report) -> String {
    let mut out = String::from(
        "scope,name,wecom,sessions,answered,unanswered,pending,answered_share,ended_here,ended_in_wecom,expired,first_response_count,first_response_avg_secs,first_response_p90_secs,response_count,response_avg_secs,response_p90_secs,messages_in,messages_out,refused\n",
    );
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let mut row = |scope: &str, name: &str, wecom: &str, f: &Figures| {
        let share = f
            .answered_share
            .map(|s| format!("{s:.4}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "{scope},{},{wecom},{},{},{},{},{share},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            csv_field(name),
            f.sessions,
            f.answered,
            f.unanswered,
            f.pending,
            f.ended_here,
            f.ended_in_wecom,
            f.expired,
            f.first_response.count,
            opt(f.first_response.avg_secs),
            opt(f.first_response.p90_secs),
            f.response.count,
            opt(f.response.avg_secs),
            opt(f.response.p90_secs),
            f.messages_in,
            f.messages_out,
            f.refused,
        ));
    };
    row("total", "", "", &report.totals);
    for a in &report.by_agent {
        row(
            "agent",
            &a.actor.name,
            if a.actor.wecom { "1" } else { "0" },
            &a.figures,
        );
    }
    for a in &report.by_account {
        row("account", &a.open_kfid, "", &a.figures);
    }
    out
}

/// A CSV field: quoted when needed, and never read as a formula by a spreadsheet.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests;
