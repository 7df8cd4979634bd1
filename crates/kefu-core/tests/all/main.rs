//! The engine against the emulator over real HTTP, with real SQLite files in temp dirs.
#![allow(missing_docs)] // test helpers

mod cli;
mod engine;
mod keyring;
mod notify;
mod search;
mod team;

use kefu_core::clock::{Clock, ManualClock, SystemClock};
use kefu_core::engine::Engine;
use kefu_core::store::Store;
use kefu_emulator::state::Config;
use kefu_emulator::{DEFAULT_CORP_ID, DEFAULT_SECRET, Emulator, Running, StartOptions};
use kefu_wechat::message::{Body, Text};
use kefu_wechat::{Client, ClientConfig, OpenKfId, Secret};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

pub const KF: &str = "wkDemoAfterSales0000000000000001";

pub async fn emulator(seed: u64) -> Running {
    let em = Emulator::new(
        Config::default(),
        seed,
        kefu_emulator::scenario::Scenario::builtin("default"),
    );
    kefu_emulator::start(em, StartOptions::default())
        .await
        .expect("emulator binds loopback")
}

pub struct Fixture {
    pub emu: Running,
    pub dir: tempfile::TempDir,
    pub engine: Engine,
}

pub fn engine_for(base_url: &str, store: Arc<Store>, clock: Arc<dyn Clock>) -> Engine {
    let client = Client::new(ClientConfig::new(
        base_url,
        DEFAULT_CORP_ID,
        Secret::new(DEFAULT_SECRET),
    ))
    .expect("client");
    let mut engine = Engine::new(Arc::new(client), store, clock);
    engine.backoff = (Duration::from_millis(5), Duration::from_millis(100));
    engine
}

pub async fn fixture(seed: u64, clock: Option<Arc<ManualClock>>) -> Fixture {
    let emu = emulator(seed).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(Store::open_in(dir.path()).expect("store"));
    let clock: Arc<dyn Clock> = match clock {
        Some(c) => c,
        None => Arc::new(SystemClock),
    };
    let engine = engine_for(&emu.base_url, store, clock);
    Fixture { emu, dir, engine }
}

pub fn kf() -> OpenKfId {
    OpenKfId::from(KF)
}

/// A customer writes `text` on the demo account.
pub fn say(em: &Emulator, customer: &kefu_wechat::ExternalUserId, text: &str) {
    em.state()
        .customer_says(
            &kf(),
            customer,
            Body::Text {
                text: Text {
                    content: text.into(),
                    menu_id: None,
                },
            },
        )
        .expect("say");
}

/// The msgids the emulator holds for an account.
pub fn server_msgids(em: &Emulator, kfid: &OpenKfId) -> BTreeSet<String> {
    em.state()
        .log_of(kfid)
        .into_iter()
        .map(|i| i.json["msgid"].as_str().expect("msgid").to_owned())
        .collect()
}

/// The msgids the store holds for an account, asserting none is stored twice.
pub fn stored_msgids(store: &Store, kfid: &OpenKfId) -> BTreeSet<String> {
    let all = store.synced_msgids(kfid.as_str()).expect("msgids");
    let set: BTreeSet<_> = all.iter().cloned().collect();
    assert_eq!(set.len(), all.len(), "no message may be stored twice");
    set
}
