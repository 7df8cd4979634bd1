//! Wire types and an async client for the WeChat customer-service (`kf`) API.
//!
//! The types keep the API's field names exactly (snake_case, as on the wire) and are shared
//! with the emulator, so a field-name mistake shows up against the golden fixtures in
//! `tests/fixtures/`, not in production. Decoding of `sync_msg` pages is per item: one item that
//! is unknown or malformed becomes a [`message::RawItem`] and never fails the page.

pub mod api;
pub mod client;
pub mod error;
pub mod event;
pub mod id;
pub mod message;
pub mod redact;
pub mod secret;
pub mod send;

pub use client::{Client, ClientConfig, DEFAULT_BASE_URL};
pub use error::{Error, ErrorClass};
pub use id::{ExternalUserId, MsgId, OpenKfId, ServicerId};
pub use secret::Secret;
