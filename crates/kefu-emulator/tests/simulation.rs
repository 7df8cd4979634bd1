//! The simulation serves a steady stream of customers from the scenario over real HTTP.

use kefu_emulator::{Emulator, StartOptions};
use std::time::Duration;

#[tokio::test]
async fn simulated_customers_keep_arriving_and_talking() {
    let em = Emulator::demo(3);
    let running = kefu_emulator::start(
        em.clone(),
        StartOptions {
            simulate: true,
            speed: 40.0,
            ..StartOptions::default()
        },
    )
    .await
    .expect("emulator starts");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (enters, customer_messages, customers) = {
        let st = em.state();
        let mut enters = 0;
        let mut messages = 0;
        let mut customers = std::collections::HashSet::new();
        for account in &st.accounts {
            for item in st.log_of(&account.account.open_kfid) {
                let j = item.json;
                if j["msgtype"] == "event" && j["event"]["event_type"] == "enter_session" {
                    enters += 1;
                    assert!(
                        j["event"]["welcome_code"].is_string(),
                        "a first entry carries a welcome code"
                    );
                }
                if j["origin"] == 3 {
                    messages += 1;
                    customers.insert(j["external_userid"].as_str().unwrap_or_default().to_owned());
                }
            }
        }
        (enters, messages, customers.len())
    };
    assert!(
        enters >= 3,
        "customers arrive steadily (got {enters} in 3 s at 40×)"
    );
    assert!(
        customer_messages >= enters,
        "each customer talks (got {customer_messages} messages)"
    );
    assert!(customers >= 2, "several customers at once");
    running.stop().await;
}

#[tokio::test]
async fn a_customer_nobody_answers_is_taken_by_a_colleague_and_an_answered_one_is_not() {
    use kefu_emulator::scenario::Scenario;
    use kefu_emulator::state::Config;
    use kefu_wechat::api::service_state;
    use kefu_wechat::send::{Content, TextContent};

    let mut scenario = Scenario::builtin("default").expect("default scenario");
    scenario.arrival_secs = [8, 8];
    scenario.handover_chance = 0.0;
    scenario.recall_chance = 0.0;
    scenario.colleague_after_secs = Some([60, 60]);
    let em = Emulator::new(Config::default(), 9, Some(scenario));
    // 40×: customers 0.2 s apart, a colleague steps in 1.5 s after a customer arrives.
    let running = kefu_emulator::start(
        em.clone(),
        StartOptions {
            simulate: true,
            speed: 40.0,
            ..StartOptions::default()
        },
    )
    .await
    .expect("emulator starts");
    let sessions = |em: &Emulator| {
        let st = em.state();
        let mut s: Vec<_> = st
            .sessions
            .iter()
            .map(|((kf, who), s)| (kf.clone(), who.clone(), s.state))
            .collect();
        s.sort_by(|a, b| a.1.as_str().cmp(b.1.as_str()));
        s
    };
    for _ in 0..100 {
        if sessions(&em).len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    em.set_simulation_paused(true);
    let arrived = sessions(&em);
    assert!(arrived.len() >= 2, "two customers arrived: {arrived:?}");
    let (kf, answered, _) = arrived[1].clone();
    em.state()
        .send_msg(
            &answered,
            &kf,
            None,
            Content::Text {
                text: TextContent {
                    content: "您好，马上为您处理".into(),
                },
            },
        )
        .expect("the agent answers the second customer");

    tokio::time::sleep(Duration::from_millis(2500)).await;
    let after: std::collections::HashMap<_, _> = sessions(&em)
        .into_iter()
        .map(|(_, who, state)| (who, state))
        .collect();
    let unanswered = &arrived[0].1;
    assert!(
        after[unanswered] >= service_state::HUMAN,
        "nobody answered: a colleague in the WeCom client took the customer (state {})",
        after[unanswered]
    );
    assert!(
        after[&answered] <= service_state::QUEUED,
        "an answered customer stays with the agent (state {})",
        after[&answered]
    );
    let servicer_said = em.state().log_of(&arrived[0].0).iter().any(|item| {
        item.json["origin"] == 5 && item.json["external_userid"] == unanswered.as_str()
    });
    assert!(servicer_said, "the colleague answered in the conversation");
    running.stop().await;
}

#[tokio::test]
async fn a_customer_who_has_said_everything_taps_the_menu_they_are_sent() {
    use kefu_emulator::scenario::{Line, Scenario, Script};
    use kefu_emulator::state::Config;
    use kefu_wechat::message::{Menu, MenuClick, MenuItem};
    use kefu_wechat::send::Content;

    let mut scenario = Scenario::builtin("default").expect("default scenario");
    scenario.arrival_secs = [100_000, 100_000];
    scenario.line_gap_secs = [1, 1];
    scenario.handover_chance = 0.0;
    scenario.recall_chance = 0.0;
    scenario.colleague_after_secs = None;
    scenario.menu_answer_chance = 1.0;
    scenario.scripts = vec![Script {
        topic: "one_line".into(),
        weight: 1,
        scene: None,
        lines: vec![Line {
            after_reply: false,
            kind: [("text".to_owned(), serde_json::json!("谢谢，没有别的问题了"))].into(),
        }],
    }];
    let em = Emulator::new(Config::default(), 17, Some(scenario));
    let running = kefu_emulator::start(
        em.clone(),
        StartOptions {
            simulate: true,
            speed: 100.0,
            ..StartOptions::default()
        },
    )
    .await
    .expect("emulator starts");
    let customer_lines = |em: &Emulator| {
        let st = em.state();
        st.accounts
            .iter()
            .flat_map(|a| st.log_of(&a.account.open_kfid))
            .filter(|i| i.json["origin"] == 3)
            .map(|i| i.json.clone())
            .collect::<Vec<_>>()
    };
    let mut said = Vec::new();
    for _ in 0..200 {
        said = customer_lines(&em);
        if !said.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let first = said.first().expect("the customer said their line").clone();
    let customer =
        kefu_wechat::ExternalUserId::from(first["external_userid"].as_str().expect("who"));
    let kf = kefu_wechat::OpenKfId::from(first["open_kfid"].as_str().expect("kf"));
    let click = |id: &str, label: &str| MenuItem::Click {
        click: MenuClick {
            id: Some(id.into()),
            content: label.into(),
        },
    };
    em.state()
        .send_msg(
            &customer,
            &kf,
            None,
            Content::Msgmenu {
                msgmenu: Menu {
                    head_content: Some("请您评价".into()),
                    list: vec![
                        click("r3", "满意"),
                        click("r2", "一般"),
                        click("r1", "不满意"),
                    ],
                    tail_content: None,
                },
            },
        )
        .expect("the menu is sent");
    let mut answer = None;
    for _ in 0..300 {
        answer = customer_lines(&em)
            .into_iter()
            .find(|j| !j["text"]["menu_id"].is_null());
        if answer.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let answer = answer.expect("the customer tapped an item");
    let id = answer["text"]["menu_id"].as_str().expect("menu id");
    let label = answer["text"]["content"].as_str().expect("label");
    assert!(
        [("r3", "满意"), ("r2", "一般"), ("r1", "不满意")].contains(&(id, label)),
        "a tap is the item's id and label: {answer}"
    );
    running.stop().await;
}
