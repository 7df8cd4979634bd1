//! Simulated customers: arrivals at the scenario's rate, each playing a script with pauses,
//! waiting for the agent's reply where the script says so, sometimes recalling a message and
//! sometimes being taken over by a servicer in the WeCom client; a customer nobody answers is
//! taken by a simulated colleague after a while (`colleague_after_secs`). Also bulk history
//! generation for tests and benchmarks.

use crate::Emulator;
use crate::rng::Rng;
use crate::scenario::{Placeholders, Scenario, render_line};
use kefu_wechat::api::{Customer, service_state};
use kefu_wechat::message::{Body, Text};
use kefu_wechat::{ExternalUserId, OpenKfId, ServicerId};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::watch;

/// How long a simulated customer waits for a reply before going on anyway (scenario seconds).
const REPLY_PATIENCE_SECS: u64 = 180;

/// How long after their last line a customer still answers a menu (scenario seconds).
const MENU_PATIENCE_SECS: u64 = 1800;

/// Starts the arrivals of simulated customers until `stop` turns true.
pub fn spawn(em: Emulator, speed: f64, stop: watch::Receiver<bool>) {
    let Some(scenario) = em.scenario().cloned() else {
        return;
    };
    let speed = if speed > 0.0 { speed } else { 1.0 };
    tokio::spawn(async move {
        let mut rng = Rng::new(em.state().rng.next_u64());
        // The first customer arrives at once, so a newcomer sees the product work immediately.
        let mut wait = Duration::ZERO;
        loop {
            if sleep_or_stop(wait, &stop).await {
                return;
            }
            if !em.simulation_paused() {
                let seed = rng.next_u64();
                tokio::spawn(play_customer(
                    em.clone(),
                    scenario.clone(),
                    seed,
                    speed,
                    stop.clone(),
                ));
            }
            let secs = rng.between(scenario.arrival_secs[0], scenario.arrival_secs[1]);
            wait = Duration::from_secs_f64(secs as f64 / speed);
        }
    });
}

/// Sleeps; true when the emulator is stopping.
async fn sleep_or_stop(d: Duration, stop: &watch::Receiver<bool>) -> bool {
    let mut stop = stop.clone();
    if *stop.borrow() {
        return true;
    }
    tokio::select! {
        _ = tokio::time::sleep(d) => false,
        _ = stop.wait_for(|s| *s) => true,
    }
}

/// Creates a customer from the scenario's profile pool.
pub fn new_customer(em: &Emulator, rng: &mut Rng, nickname: Option<String>) -> ExternalUserId {
    let mut st = em.state();
    let id = st.new_customer_id();
    let profile = em.scenario().and_then(|s| {
        s.customers
            .get(rng.below(s.customers.len().max(1) as u64) as usize)
            .cloned()
    });
    let nickname = nickname
        .or_else(|| profile.as_ref().map(|p| p.nickname.clone()))
        .unwrap_or_else(|| "微信用户".into());
    st.upsert_customer(Customer {
        external_userid: id.clone(),
        nickname,
        avatar: profile
            .as_ref()
            .map(|p| p.avatar.clone())
            .unwrap_or_default(),
        gender: profile.as_ref().map(|p| p.gender).unwrap_or(0),
        unionid: Some(format!("o{}", rng.alnum(27))),
        enter_session_context: None,
    });
    id
}

async fn play_customer(
    em: Emulator,
    scenario: Arc<Scenario>,
    seed: u64,
    speed: f64,
    stop: watch::Receiver<bool>,
) {
    let mut rng = Rng::new(seed);
    let account = &scenario.accounts[rng.below(scenario.accounts.len() as u64) as usize];
    let open_kfid = OpenKfId::from(account.open_kfid.as_str());
    let script = scenario.pick_script(&mut rng).clone();
    let values = Placeholders::draw(&mut rng, &scenario.products);
    let customer = new_customer(&em, &mut rng, None);
    // While the script runs the customer is still talking: a colleague who took them ends the
    // session only after that (ending earlier would make their next line a new session).
    let talking = Talking::new();
    if em
        .state()
        .customer_enter(&open_kfid, &customer, script.scene.clone())
        .is_err()
    {
        return;
    }
    if let Some([min, max]) = scenario.colleague_after_secs {
        let after = Duration::from_secs_f64(rng.between(min, max) as f64 / speed);
        tokio::spawn(colleague_answers_if_nobody_did(
            em.clone(),
            open_kfid.clone(),
            customer.clone(),
            account.servicers.clone(),
            Rng::new(rng.next_u64()),
            (after, speed, talking.flag()),
            stop.clone(),
        ));
    }
    let handover_at = rng
        .chance(scenario.handover_chance)
        .then(|| rng.between(1, script.lines.len().max(1) as u64) as usize);
    let gap = |rng: &mut Rng| {
        Duration::from_secs_f64(
            rng.between(scenario.line_gap_secs[0], scenario.line_gap_secs[1]) as f64 / speed,
        )
    };
    for (i, line) in script.lines.iter().enumerate() {
        if line.after_reply {
            let since = em.state().now() - 1;
            let patience = Duration::from_secs_f64(REPLY_PATIENCE_SECS as f64 / speed);
            let deadline = tokio::time::Instant::now() + patience;
            while !em.state().replied_since(&customer, since)
                && tokio::time::Instant::now() < deadline
            {
                if *stop.borrow() {
                    return;
                }
                let _ = tokio::time::timeout(Duration::from_millis(500), em.reply_notified()).await;
            }
        }
        if sleep_or_stop(gap(&mut rng), &stop).await {
            return;
        }
        let said = {
            let mut st = em.state();
            render_line(line, &values, &mut st).and_then(|body| {
                let is_text = matches!(body, Body::Text { .. });
                st.customer_says(&open_kfid, &customer, body)
                    .ok()
                    .map(|id| (id, is_text))
            })
        };
        if let Some((msgid, true)) = said
            && rng.chance(scenario.recall_chance)
        {
            if sleep_or_stop(Duration::from_secs_f64(2.0 / speed), &stop).await {
                return;
            }
            let _ = em.state().customer_recalls(&open_kfid, &customer, &msgid);
        }
        if handover_at == Some(i + 1) {
            hand_over(
                &em,
                &open_kfid,
                &customer,
                &account.servicers,
                &mut rng,
                speed,
                &stop,
                None,
            )
            .await;
            return;
        }
    }
    drop(talking);
    if rng.chance(scenario.menu_answer_chance) {
        answer_menu(&em, &open_kfid, &customer, &mut rng, speed, &stop).await;
    }
}

/// The click items (id, label) of the newest menu message sent to `customer` since `since`.
fn menu_sent_since(
    em: &Emulator,
    customer: &ExternalUserId,
    since: i64,
) -> Option<Vec<(String, String)>> {
    let st = em.state();
    st.sent
        .iter()
        .rev()
        .take_while(|s| s.time >= since)
        .filter(|s| &s.touser == customer)
        .find_map(|s| match &s.content {
            kefu_wechat::send::Content::Msgmenu { msgmenu } => Some(
                msgmenu
                    .list
                    .iter()
                    .filter_map(|item| match item {
                        kefu_wechat::message::MenuItem::Click { click } => {
                            Some((click.id.clone()?, click.content.clone()))
                        }
                        _ => None,
                    })
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        })
        .filter(|items| !items.is_empty())
}

/// Waits for a menu (the survey sent when the agent ends the session) and taps an item after a
/// short pause: the first most often.
async fn answer_menu(
    em: &Emulator,
    open_kfid: &OpenKfId,
    customer: &ExternalUserId,
    rng: &mut Rng,
    speed: f64,
    stop: &watch::Receiver<bool>,
) {
    let since = em.state().now();
    let deadline =
        tokio::time::Instant::now() + Duration::from_secs_f64(MENU_PATIENCE_SECS as f64 / speed);
    let items = loop {
        if let Some(items) = menu_sent_since(em, customer, since) {
            break items;
        }
        if *stop.borrow() || tokio::time::Instant::now() >= deadline {
            return;
        }
        let _ = tokio::time::timeout(Duration::from_millis(500), em.reply_notified()).await;
    };
    let roll = rng.below(10);
    let pick = match roll {
        0..=6 => 0,
        7 | 8 => 1,
        _ => 2,
    }
    .min(items.len() - 1);
    let (id, label) = items[pick].clone();
    let pause = Duration::from_secs_f64(rng.between(5, 40) as f64 / speed);
    if sleep_or_stop(pause, stop).await {
        return;
    }
    let _ = em.state().customer_says(
        open_kfid,
        customer,
        Body::Text {
            text: Text {
                content: label,
                menu_id: Some(id),
            },
        },
    );
}

/// After `after`, a customer whom nobody has answered since arriving, and whose session is still
/// waiting for one, is taken by a colleague in the WeCom client.
async fn colleague_answers_if_nobody_did(
    em: Emulator,
    open_kfid: OpenKfId,
    customer: ExternalUserId,
    servicers: Vec<crate::scenario::ScenarioServicer>,
    mut rng: Rng,
    (after, speed, talking): (Duration, f64, Arc<AtomicBool>),
    stop: watch::Receiver<bool>,
) {
    let arrived = em.state().now();
    if sleep_or_stop(after, &stop).await {
        return;
    }
    let unanswered = {
        let st = em.state();
        let waiting = st
            .service_state_get(&open_kfid, &customer)
            .is_ok_and(|(state, _)| state <= service_state::QUEUED);
        waiting && !st.replied_since(&customer, arrived)
    };
    if unanswered {
        hand_over(
            &em,
            &open_kfid,
            &customer,
            &servicers,
            &mut rng,
            speed,
            &stop,
            Some(talking),
        )
        .await;
    }
}

/// Set while a customer's script runs; cleared when it ends, however it ends.
struct Talking(Arc<AtomicBool>);

impl Talking {
    fn new() -> Self {
        Self(Arc::new(AtomicBool::new(true)))
    }

    fn flag(&self) -> Arc<AtomicBool> {
        self.0.clone()
    }
}

impl Drop for Talking {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Relaxed);
    }
}

/// A servicer takes the conversation in the WeCom client, answers once and later ends it (once
/// the customer has stopped `talking`, when given).
#[allow(clippy::too_many_arguments)]
async fn hand_over(
    em: &Emulator,
    open_kfid: &OpenKfId,
    customer: &ExternalUserId,
    servicers: &[crate::scenario::ScenarioServicer],
    rng: &mut Rng,
    speed: f64,
    stop: &watch::Receiver<bool>,
    talking: Option<Arc<AtomicBool>>,
) {
    let Some(servicer) = servicers.iter().find(|s| s.status == 0) else {
        return;
    };
    let servicer = ServicerId::from(servicer.userid.as_str());
    if em
        .state()
        .servicer_takes(open_kfid, customer, &servicer)
        .is_err()
    {
        return;
    }
    let _ = em.state().servicer_says(
        open_kfid,
        customer,
        &servicer,
        &format!("您好，我是人工客服 {servicer}，这边帮您处理"),
    );
    if let Some(talking) = talking {
        while talking.load(Ordering::Relaxed) {
            if sleep_or_stop(Duration::from_secs_f64(5.0 / speed), stop).await {
                return;
            }
        }
    }
    if !sleep_or_stop(
        Duration::from_secs_f64(rng.between(30, 120) as f64 / speed),
        stop,
    )
    .await
    {
        let _ = em.state().servicer_ends(open_kfid, customer);
    }
}

/// Appends `messages` customer messages from `customers` new customers to `open_kfid`'s log at
/// once, spread over the last `span_secs` seconds, each customer starting with `enter_session`.
/// Texts come from the scenario's scripts. Returns the customers created.
pub fn bulk(
    em: &Emulator,
    open_kfid: &OpenKfId,
    messages: usize,
    customers: usize,
    span_secs: i64,
    seed: u64,
) -> Vec<ExternalUserId> {
    let mut rng = Rng::new(seed);
    let customers: Vec<_> = (0..customers.max(1))
        .map(|_| new_customer(em, &mut rng, None))
        .collect();
    let texts: Vec<String> = em
        .scenario()
        .map(|s| {
            s.scripts
                .iter()
                .flat_map(|sc| sc.lines.iter())
                .filter_map(|l| l.kind.get("text")?.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let products = em
        .scenario()
        .map(|s| s.products.clone())
        .unwrap_or_default();
    let mut st = em.state();
    for c in &customers {
        let _ = st.customer_enter(open_kfid, c, None);
    }
    let start = st.now() - span_secs;
    for i in 0..messages {
        let customer = &customers[rng.below(customers.len() as u64) as usize];
        let values = Placeholders::draw(&mut rng, &products);
        let content = if texts.is_empty() {
            format!("消息 {i}")
        } else {
            values.fill(&texts[rng.below(texts.len() as u64) as usize])
        };
        let at = start + (span_secs * i as i64) / messages.max(1) as i64;
        let _ = st.customer_says_at(
            open_kfid,
            customer,
            Body::Text {
                text: Text {
                    content,
                    menu_id: None,
                },
            },
            at,
        );
    }
    customers
}
