//! The reducer on a hand-built history whose figures are worked out by hand.

use super::*;

/// 2026-12-01 00:00 in Beijing.
const T0: i64 = 1_796_054_400;
const DAY: i64 = 86_400;

struct History(ReportInput);

impl History {
    fn new() -> Self {
        let mut input = ReportInput::default();
        input.name_account("k1", "售后");
        Self(input)
    }
    fn customer(&mut self, kfid: &str, who: &str, t: i64) -> &mut Self {
        let conv = self.0.conversation(kfid, who);
        self.0.push(Item {
            conv,
            time: T0 + t,
            kind: ItemKind::Customer,
            actor: 0,
        });
        self
    }
    fn reply(&mut self, kfid: &str, who: &str, t: i64, agent: &str, wecom: bool) -> &mut Self {
        let conv = self.0.conversation(kfid, who);
        let actor = self.0.actor(agent, wecom);
        self.0.push(Item {
            conv,
            time: T0 + t,
            kind: ItemKind::Reply,
            actor,
        });
        self
    }
    fn end(&mut self, kfid: &str, who: &str, t: i64, in_wecom: bool) -> &mut Self {
        let conv = self.0.conversation(kfid, who);
        self.0.push(Item {
            conv,
            time: T0 + t,
            kind: ItemKind::End { in_wecom },
            actor: 0,
        });
        self
    }
    fn refused(&mut self, kfid: &str, t: i64, agent: &str, errcode: i64) -> &mut Self {
        let account = self.0.account(kfid);
        let actor = self.0.actor(agent, false);
        self.0.refused(Refusal {
            account,
            time: T0 + t,
            actor,
            errcode: Some(errcode),
        });
        self
    }
}

/// Six sessions begin in three days (A1 A2 C D E F); B began before them.
fn desk() -> History {
    let mut h = History::new();
    h.customer("k1", "a", 100) // A1: answered in 60 s, then a wait of 300 s; ended here
        .reply("k1", "a", 160, "wang", false)
        .customer("k1", "a", 200)
        .customer("k1", "a", 230)
        .reply("k1", "a", 500, "wang", false)
        .end("k1", "a", 600, false)
        .customer("k1", "a", 700) // A2: a new session after the end; answered in 300 s
        .reply("k1", "a", 1000, "li", false)
        .customer("k1", "b", -3600) // B: began before the range; only its reply is in it
        .reply("k1", "b", 100, "wang", false)
        .customer("k2", "c", 3600) // C: ended in the WeCom client, never answered
        .end("k2", "c", 7200, true)
        .customer("k2", "d", DAY + 10) // D: a WeCom servicer answers, then wang (a transfer)
        .reply("k2", "d", DAY + 70, "zhangsan", true)
        .reply("k2", "d", DAY + 100, "wang", false)
        .customer("k1", "e", 3 * DAY - 100) // E: still waiting at the end of the range
        .customer("k1", "f", 200) // F: answered in 60 s, then the window passed
        .reply("k1", "f", 260, "li", false)
        .refused("k1", 5000, "wang", 95018)
        .refused("k1", -10, "wang", 95001); // before the range
    h
}

fn query(agent: Option<&str>) -> ReportQuery {
    ReportQuery {
        since: T0,
        until: T0 + 3 * DAY,
        agent: agent.map(str::to_owned),
        offset_secs: calendar::DEFAULT_OFFSET_SECS,
    }
}

fn timing(count: u64, avg: i64, p50: i64, p90: i64) -> Timing {
    Timing {
        count,
        avg_secs: Some(avg),
        p50_secs: Some(p50),
        p90_secs: Some(p90),
    }
}

#[test]
fn a_known_history_gives_the_figures_worked_out_by_hand() {
    let r = compute(desk().0, &query(None), T0 + 10 * DAY);
    let t = &r.totals;
    assert_eq!(
        (t.sessions, t.answered, t.unanswered, t.pending),
        (6, 4, 1, 1)
    );
    assert_eq!(t.answered_share, Some(0.8));
    assert_eq!((t.ended_here, t.ended_in_wecom, t.expired), (1, 1, 2));
    // First responses 60 (A1), 300 (A2), 60 (D), 60 (F).
    assert_eq!(t.first_response, timing(4, 120, 60, 300));
    // Every wait: 60 and 300 (A1), 300 (A2), 60 (D), 60 (F); B's began before the range.
    assert_eq!(t.response, timing(5, 156, 60, 300));
    assert_eq!((t.messages_in, t.messages_out, t.refused), (8, 7, 1));

    let names: Vec<(&str, bool)> = r
        .by_agent
        .iter()
        .map(|a| (a.actor.name.as_str(), a.actor.wecom))
        .collect();
    assert_eq!(names, [("wang", false), ("li", false), ("zhangsan", true)]);
    let wang = &r.by_agent[0].figures;
    assert_eq!((wang.sessions, wang.answered, wang.ended_here), (2, 2, 1));
    assert_eq!(wang.first_response, timing(1, 60, 60, 60));
    assert_eq!(wang.response, timing(2, 180, 60, 300));
    assert_eq!(
        (wang.messages_in, wang.messages_out, wang.refused),
        (4, 4, 1)
    );
    let li = &r.by_agent[1].figures;
    assert_eq!((li.sessions, li.expired), (2, 2));
    assert_eq!(li.first_response, timing(2, 180, 60, 300));
    assert_eq!((li.messages_in, li.messages_out), (2, 2));
    let zhangsan = &r.by_agent[2].figures;
    assert_eq!(zhangsan.sessions, 1);
    assert_eq!(zhangsan.first_response, timing(1, 60, 60, 60));

    let accounts: Vec<(&str, Option<&str>, u64)> = r
        .by_account
        .iter()
        .map(|a| (a.open_kfid.as_str(), a.name.as_deref(), a.figures.sessions))
        .collect();
    assert_eq!(accounts, [("k1", Some("售后"), 4), ("k2", None, 2)]);
    let k1 = &r.by_account[0].figures;
    assert_eq!(
        (k1.answered, k1.pending, k1.answered_share),
        (3, 1, Some(1.0))
    );
    assert_eq!((k1.messages_in, k1.messages_out, k1.refused), (6, 5, 1));
    let k2 = &r.by_account[1].figures;
    assert_eq!(
        (k2.answered, k2.unanswered, k2.answered_share),
        (1, 1, Some(0.5))
    );

    let days: Vec<(&str, u64, u64, u64)> = r
        .by_day
        .iter()
        .map(|v| (v.label.as_str(), v.sessions, v.messages_in, v.messages_out))
        .collect();
    assert_eq!(
        days,
        [
            ("2026-12-01", 4, 6, 5),
            ("2026-12-02", 1, 1, 2),
            ("2026-12-03", 1, 1, 0)
        ]
    );
    assert_eq!(r.by_hour.len(), 24);
    let hour = |h: usize| (r.by_hour[h].messages_in, r.by_hour[h].messages_out);
    assert_eq!((hour(0), hour(1), hour(23)), ((6, 7), (1, 0), (1, 0)));
    assert_eq!(
        r.refusals,
        [RefusalCount {
            errcode: Some(95018),
            count: 1
        }]
    );
}

#[test]
fn an_agent_report_covers_the_sessions_they_replied_in() {
    let r = compute(desk().0, &query(Some("li")), T0 + 10 * DAY);
    let t = &r.totals;
    assert_eq!((t.sessions, t.answered, t.expired), (2, 2, 2));
    assert_eq!(t.first_response, timing(2, 180, 60, 300));
    assert_eq!((t.messages_in, t.messages_out, t.refused), (2, 2, 0));
    assert_eq!(r.by_agent.len(), 1);
    assert_eq!(r.by_agent[0].actor.name, "li");
    assert_eq!(r.by_agent[0].figures, r.totals);
}

#[test]
fn the_clock_decides_what_is_still_open() {
    // One hour after A2's reply its window is open: nothing has expired yet, and the report
    // ending now sees E's wait as not yet begun.
    let now = T0 + 1000 + 3600;
    let r = compute(desk().0, &query(None), now);
    assert_eq!(r.totals.expired, 0);
    // The same history two days later: A2 and F expired.
    let r = compute(desk().0, &query(None), T0 + 1000 + 2 * DAY + 1);
    assert_eq!(r.totals.expired, 2);
}

#[test]
fn sessions_split_at_48_hours_and_ends_outside_a_session_count_for_nothing() {
    let mut h = History::new();
    h.end("k1", "g", 10, false) // before any message: belongs to no session
        .customer("k1", "g", 20)
        .reply("k1", "g", 80, "wang", false)
        // 48 h and one second later: a second session, whose first wait is 10 s.
        .customer("k1", "g", 80 + 2 * DAY + 1)
        .reply("k1", "g", 90 + 2 * DAY + 1, "wang", false);
    let r = compute(h.0, &query(None), T0 + 10 * DAY);
    assert_eq!(r.totals.sessions, 2);
    assert_eq!((r.totals.ended_here, r.totals.expired), (0, 1));
    assert_eq!(r.totals.first_response, timing(2, 35, 10, 60));
}

#[test]
fn an_empty_range_has_no_figures_and_long_ranges_are_refused() {
    let r = compute(ReportInput::default(), &query(None), T0);
    assert_eq!(r.totals, Figures::default());
    assert_eq!(r.by_day.len(), 3);
    assert!(r.by_agent.is_empty());
    let mut q = query(None);
    q.until = q.since + 500 * DAY;
    assert!(q.check().is_err());
    q.until = q.since;
    assert!(q.check().is_err());
    assert!(query(None).check().is_ok());
}

#[test]
fn errcodes_are_read_from_failure_texts_and_csv_cells_stay_cells() {
    assert_eq!(
        errcode_in("kf/send_msg failed with errcode 95018: session state invalid"),
        Some(95018)
    );
    assert_eq!(errcode_in("network error calling kf/send_msg"), None);
    let mut h = History::new();
    h.customer("k1", "a", 0)
        .reply("k1", "a", 5, "=cmd|' /C calc'!A0", false)
        .reply("k1", "a", 6, "o\"neil, jr", false);
    let csv = to_csv(&compute(h.0, &query(None), T0 + DAY));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines.len(),
        1 + 1 + 2 + 1,
        "header, desk, two agents, one account"
    );
    assert!(lines[0].starts_with("scope,name,wecom,sessions,"));
    assert!(lines[1].starts_with("total,,,1,1,0,0,1.0000,"));
    assert!(csv.contains("agent,'=cmd|' /C calc'!A0,0,1,"));
    assert!(csv.contains("agent,\"o\"\"neil, jr\",0,1,"));
}

#[test]
fn inputs_read_in_slices_merge_into_the_same_report() {
    // The same history, read as two slices with their own numbering (as two connections do).
    let whole = compute(desk().0, &query(None), T0 + 10 * DAY);
    let items = desk().0;
    let (mut early, mut late) = (History::new(), History::new());
    late.customer("k9", "first-in-late", 10); // numbering differs between the slices
    for (n, item) in items.items.iter().enumerate() {
        let (kfid, customer) = items
            .conversation_index
            .iter()
            .find_map(|(k, m)| {
                m.iter()
                    .find(|&(_, &i)| i == item.conv)
                    .map(|(c, _)| (k.clone(), c.clone()))
            })
            .expect("known conversation");
        let target = if n % 2 == 0 { &mut early } else { &mut late };
        let t = item.time - T0;
        match item.kind {
            ItemKind::Customer => target.customer(&kfid, &customer, t),
            ItemKind::Reply => {
                let a = &items.actors[item.actor as usize];
                target.reply(&kfid, &customer, t, &a.name, a.wecom)
            }
            ItemKind::End { in_wecom } => target.end(&kfid, &customer, t, in_wecom),
        };
    }
    for r in &items.refusals {
        let a = &items.actors[r.actor as usize];
        early.refused(
            &items.accounts[r.account as usize],
            r.time - T0,
            &a.name,
            r.errcode.unwrap_or(0),
        );
    }
    early.0.name_account("k1", "售后");
    let mut merged = early.0;
    merged.merge(late.0);
    let mut r = compute(merged, &query(None), T0 + 10 * DAY);
    // The extra customer of the late slice is one more session, unanswered when its window
    // passed; nothing else differs.
    assert_eq!(r.totals.sessions, whole.totals.sessions + 1);
    r.totals.sessions -= 1;
    r.totals.unanswered -= 1;
    r.totals.expired -= 1;
    r.totals.answered_share = whole.totals.answered_share;
    r.totals.messages_in -= 1;
    assert_eq!(r.totals, whole.totals);
    assert_eq!(r.by_agent, whole.by_agent);
}

#[test]
fn two_halves_at_once_give_the_figures_of_one_pass() {
    let mut h = History::new();
    let mut x: u64 = 7;
    let mut next = |n: u64| {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (x >> 33) % n
    };
    for _ in 0..20_000 {
        let (kfid, who) = (["k1", "k2"][next(2) as usize], format!("c{}", next(3000)));
        let t = next(3 * DAY as u64) as i64;
        match next(4) {
            0 | 1 => h.customer(kfid, &who, t),
            2 => h.reply(kfid, &who, t, &format!("agent{}", next(5)), next(10) == 0),
            _ => h.end(kfid, &who, t, next(2) == 0),
        };
    }
    let one = compute_in(desk_copy(&h), &query(None), T0 + 10 * DAY, false);
    let two = compute_in(h.0, &query(None), T0 + 10 * DAY, true);
    assert!(one.totals.sessions > 1000);
    assert_eq!(one, two);
}

/// The same rows in a new input.
fn desk_copy(h: &History) -> ReportInput {
    let mut copy = ReportInput::default();
    copy.merge(ReportInput {
        accounts: h.0.accounts.clone(),
        account_index: h.0.account_index.clone(),
        account_names: h.0.account_names.clone(),
        conversations: h.0.conversations.clone(),
        conversation_index: h.0.conversation_index.clone(),
        actors: h.0.actors.clone(),
        actor_index: h.0.actor_index.clone(),
        items: h.0.items.clone(),
        refusals: h.0.refusals.clone(),
    });
    copy
}
