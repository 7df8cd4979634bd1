/**
 * In-window alerts, for when the system cannot show notifications: a customer starts waiting, or a
 * customer of mine writes again (their 48 h window moves forward, which only a customer message
 * does). Derived from successive `session_list` answers. Invariants: nothing is alerted for the
 * first answer (what was there at start is not news); at most one alert per conversation (the
 * newest); opening a conversation clears its alert.
 */
import type { SessionDto } from '../ipc/generated/SessionDto';
import { sessionKey } from '../sessions/queue.svelte';

export type AlertKind = 'waiting' | 'message';

export interface Alert {
  id: number;
  kind: AlertKind;
  openKfid: string;
  externalUserid: string;
  name: string;
  /** Epoch ms when raised. */
  at: number;
}

export interface Change {
  kind: AlertKind;
  session: SessionDto;
}

/** What changed between two answers that deserves an alert. */
export function detectChanges(prev: readonly SessionDto[] | null, next: readonly SessionDto[]): Change[] {
  if (prev === null) return [];
  // A lookup inside one call, not state.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  const before = new Map(prev.map((s) => [sessionKey(s), s]));
  const out: Change[] = [];
  for (const s of next) {
    const old = before.get(sessionKey(s));
    if (s.localState === 'waiting' && old?.localState !== 'waiting') out.push({ kind: 'waiting', session: s });
    else if (
      s.localState === 'mine' &&
      old?.localState === 'mine' &&
      s.windowEndsAt !== null &&
      (old.windowEndsAt === null || s.windowEndsAt > old.windowEndsAt)
    ) {
      out.push({ kind: 'message', session: s });
    }
  }
  return out;
}

export const MAX_ALERTS = 5;

export class Alerts {
  items = $state<Alert[]>([]);
  #prev: SessionDto[] | null = null;
  #next = 1;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Takes a new session list; raises alerts only when `raise` (notifications unavailable). */
  observe(sessions: readonly SessionDto[], raise: boolean, selectedKey: string | null = null): Alert[] {
    const changes = detectChanges(this.#prev, sessions);
    this.#prev = [...sessions];
    if (!raise) return [];
    const raised: Alert[] = [];
    for (const { kind, session } of changes) {
      const key = sessionKey(session);
      // The open conversation needs no alert for a message: the agent is looking at it.
      if (kind === 'message' && key === selectedKey) continue;
      const alert: Alert = {
        id: this.#next++,
        kind,
        openKfid: session.openKfid,
        externalUserid: session.externalUserid,
        name: session.nickname || session.externalUserid,
        at: this.#now(),
      };
      this.items = [alert, ...this.items.filter((a) => sessionKey(a) !== key)].slice(0, MAX_ALERTS);
      raised.push(alert);
    }
    return raised;
  }

  dismiss(id: number): void {
    this.items = this.items.filter((a) => a.id !== id);
  }

  /** Clears the alerts of a conversation (it was opened). */
  clear(ref: { openKfid: string; externalUserid: string }): void {
    const key = sessionKey(ref);
    this.items = this.items.filter((a) => sessionKey(a) !== key);
  }
}
