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
