//! Kefu Desk without a window: configuration, the SQLite store, the reply rules, and the engine
//! that syncs messages and flushes the outbox. The `kefu` CLI and the desktop shell are two faces
//! of it. Never depends on Tauri.

pub mod canned;
pub mod clock;
pub mod config;
pub mod engine;
pub mod event;
pub mod export;
pub mod files;
pub mod health;
pub mod hours;
pub mod ledger;
pub mod media;
pub mod notify;
pub mod report;
pub mod rules;
pub mod search;
pub mod settings;
pub mod sla;
pub mod store;
pub mod survey;
pub mod team;
pub mod voice;
pub mod worker;
