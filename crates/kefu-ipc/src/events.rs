//! UI events from domain events: `changed` for every store change, `resync` when events were
//! missed, and `health` whenever health differs from what the UI last got (checked on every
//! event and every few seconds, so "offline since" and the history-at-risk warning appear even
//! when nothing else happens). The shell only forwards what comes out of here.

use crate::{Context, HealthDto, UiEvent};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;

/// How often health is checked when no event arrives.
pub const HEALTH_EVERY: Duration = Duration::from_secs(5);

/// Starts turning the engine's domain events into UI events; the stream ends when the engine's
/// event channel closes or the receiver is dropped.
pub fn spawn(ctx: Context) -> mpsc::Receiver<UiEvent> {
    let (tx, rx) = mpsc::channel(256);
    let mut events = ctx.engine.events.subscribe();
    tokio::spawn(async move {
        let mut last: Option<HealthDto> = None;
        let mut tick = tokio::time::interval(HEALTH_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            let event = tokio::select! {
                e = events.recv() => match e {
                    Ok(_) => Some(UiEvent::Changed),
                    Err(RecvError::Lagged(_)) => Some(UiEvent::Resync),
                    Err(RecvError::Closed) => return,
                },
                _ = tick.tick() => None,
            };
            if let Some(e) = event
                && tx.send(e).await.is_err()
            {
                return;
            }
            match crate::health::read(&ctx) {
                Ok(h) if last.as_ref() != Some(&h) => {
                    last = Some(h.clone());
                    if tx.send(UiEvent::Health { health: h }).await.is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "health not read"),
            }
        }
    });
    rx
}
