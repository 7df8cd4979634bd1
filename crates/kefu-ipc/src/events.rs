//! UI events from domain events: `changed` for store changes (at most one per `CHANGED_GAP`, the
//! last change never held back longer), `resync` when events were missed, and `health` whenever
//! health differs from what the UI last got (checked on every event and every few seconds, so "offline since" and the history-at-risk warning appear even
//! when nothing else happens). The shell only forwards what comes out of here.

use crate::{Context, HealthDto, UiEvent};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;

/// How often health is checked when no event arrives.
pub const HEALTH_EVERY: Duration = Duration::from_secs(5);

/// Store changes closer together than this make one `changed` (at once, then one at the end of
/// the gap). A busy desk stores several changes a second; each UI event is a script the window
/// evaluates, and the UI refetches at most this often anyway (`REFETCH_GAP_MS` in
/// `ui/src/lib/ipc/events.ts`).
pub const CHANGED_GAP: Duration = Duration::from_millis(250);

/// Starts turning the engine's domain events into UI events; the stream ends when the engine's
/// event channel closes or the receiver is dropped.
pub fn spawn(ctx: Context) -> mpsc::Receiver<UiEvent> {
    let (tx, rx) = mpsc::channel(256);
    let mut events = ctx.engine.events.subscribe();
    tokio::spawn(async move {
        let mut last: Option<HealthDto> = None;
        let mut tick = tokio::time::interval(HEALTH_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        // When the last `changed` went out, and whether a change since waits for the gap's end.
        let mut sent_at: Option<tokio::time::Instant> = None;
        let mut held = false;
        loop {
            let gap_end = sent_at.map(|t| t + CHANGED_GAP);
            let event = tokio::select! {
                e = events.recv() => match e {
                    Ok(_) => match gap_end {
                        Some(end) if tokio::time::Instant::now() < end => {
                            held = true;
                            None
                        }
                        _ => Some(UiEvent::Changed),
                    },
                    Err(RecvError::Lagged(_)) => Some(UiEvent::Resync),
                    Err(RecvError::Closed) => return,
                },
                _ = tokio::time::sleep_until(gap_end.unwrap_or_else(tokio::time::Instant::now)), if held => {
                    Some(UiEvent::Changed)
                }
                _ = tick.tick() => None,
            };
            if let Some(e) = event {
                if matches!(e, UiEvent::Changed | UiEvent::Resync) {
                    sent_at = Some(tokio::time::Instant::now());
                    held = false;
                }
                if tx.send(e).await.is_err() {
                    return;
                }
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
