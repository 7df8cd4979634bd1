//! Integration tests of the kf client: the wire contract against golden fixtures, and every
//! endpoint and rule against the emulator over real HTTP on loopback.

mod against_emulator;
mod wire;
