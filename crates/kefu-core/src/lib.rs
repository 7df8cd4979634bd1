//! Kefu Desk without a window: configuration today; the store, sync, queue, outbox and search
//! engine build on it. Never depends on Tauri.

pub mod config;
