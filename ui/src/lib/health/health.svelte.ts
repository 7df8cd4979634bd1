/**
 * Sync health for the title bar: `health_get` at start, then every `health` UI event (and a slow
 * poll as a fallback). `healthView` turns it into one status with a level, and `teamView` the
 * team server's connection (team mode only), so the view has no logic. Invariants: the newest health wins (an older answer never replaces an event's payload);
 * before the first answer the state is `unknown`, never "online".
 */
import type { HealthDto, TeamHealthDto, UiEvent } from '../ipc/contract';
import { subscribeUiEvents, type Call, type Subscribe } from '../ipc/events';
import { rpc, toRpcError, type RpcError } from '../ipc/rpc';
import type { Text } from '../conversation/format';

export const HEALTH_POLL_MS = 15_000;

export type HealthLevel = 'ok' | 'busy' | 'warn' | 'danger' | 'unknown';

export interface HealthView extends Text {
  level: HealthLevel;
  /** A second line for the tooltip (last sync), when known. */
  detail: Text | null;
}

/** Minutes or hours since, as a short duration text. */
function since(seconds: number, now: number): Text {
  const elapsed = Math.max(0, Math.floor(now - seconds));
  if (elapsed < 60) return { key: 'health.secondsAgo', params: { n: elapsed } };
  const m = Math.floor(elapsed / 60);
  if (m < 60) return { key: 'health.minutesAgo', params: { n: m } };
  const h = Math.floor(m / 60);
  return { key: 'health.hoursAgo', params: { h, m: m % 60 } };
}

export function healthView(h: HealthDto | null, now: number, formatTime: (s: number) => string): HealthView {
  if (!h) return { key: 'health.unknown', level: 'unknown', detail: null };
  const detail = h.lastSyncAt !== null ? { key: 'health.lastSync', params: { time: formatTime(h.lastSyncAt) } } as Text : null;
  switch (h.sync) {
    case 'online':
      return h.outboxQueued > 0
        ? { key: 'health.onlineSending', params: { n: h.outboxQueued }, level: 'busy', detail }
        : { key: 'health.online', level: 'ok', detail };
    case 'syncing':
      return { key: 'health.syncing', params: { n: h.outboxQueued }, level: 'busy', detail };
    case 'offline': {
      if (h.offlineSince === null) return { key: 'health.offline', level: 'warn', detail };
      const s = since(h.offlineSince, now);
      return { key: 'health.offlineSince', params: { time: formatTime(h.offlineSince) }, level: 'warn', detail: detail ?? s };
    }
    case 'historyAtRisk':
      return {
        key: 'health.historyAtRisk',
        params: { time: h.offlineSince !== null ? formatTime(h.offlineSince) : '?' },
        level: 'danger',
        detail,
      };
    default:
      return { key: 'health.unknown', level: 'unknown', detail };
  }
}

export interface TeamView extends Text {
  level: 'ok' | 'warn';
}

/** "团队：张三" while the team server answers, else since when it does not; null in solo mode. */
export function teamView(team: TeamHealthDto | undefined, formatTime: (s: number) => string): TeamView | null {
  if (!team) return null;
  if (team.connected) return { key: 'health.team', params: { agent: team.agent }, level: 'ok' };
  if (team.offlineSince === null) return { key: 'health.teamUnreachable', level: 'warn' };
  return { key: 'health.teamUnreachableSince', params: { time: formatTime(team.offlineSince) }, level: 'warn' };
}

export interface HealthOptions {
  call?: Call;
  subscribe?: Subscribe;
  intervalMs?: number;
  /** Every UI event, for those who react to more than health (focusConversation). */
  onevent?: (event: UiEvent) => void;
}

export class HealthState {
  health = $state<HealthDto | null>(null);
  error = $state<RpcError | null>(null);
  readonly notificationsUnavailable = $derived(this.health?.notifications === 'unavailable');
  readonly waiting = $derived(this.health?.waitingCount ?? null);
  /** Outside business hours: when the desk opens again (unix seconds). */
  readonly closedUntil = $derived(this.health?.closedUntil ?? null);
  /** Accounts outside their own hours while others are open. */
  readonly closedAccounts = $derived(this.health?.closedAccounts ?? []);

  readonly #call: Call;
  readonly #subscribe: Subscribe;
  readonly #intervalMs: number;
  readonly #onevent: (event: UiEvent) => void;
  /** Bumped by every event, so a poll answer issued before it is dropped. */
  #epoch = 0;

  constructor({ call = rpc, subscribe = subscribeUiEvents, intervalMs = HEALTH_POLL_MS, onevent = () => {} }: HealthOptions = {}) {
    this.#call = call;
    this.#subscribe = subscribe;
    this.#intervalMs = intervalMs;
    this.#onevent = onevent;
  }

  /** Team mode: away (no auto-assigned customers; colleagues see it) or back online. */
  async setAway(away: boolean): Promise<void> {
    await this.#call('presence_set', { away });
    await this.refresh();
  }

  async refresh(): Promise<void> {
    const epoch = this.#epoch;
    try {
      const health = await this.#call<HealthDto>('health_get', {});
      if (epoch !== this.#epoch) return;
      this.health = health;
      this.error = null;
    } catch (e) {
      if (epoch === this.#epoch) this.error = toRpcError(e);
    }
  }

  handle(event: UiEvent): void {
    if (event.kind === 'health') {
      this.#epoch++;
      this.health = event.health;
      this.error = null;
    }
    this.#onevent(event);
  }

  start(): () => void {
    let stopped = false;
    let unlisten: (() => void) | undefined;
    void this.refresh();
    this.#subscribe((e) => this.handle(e)).then(
      (un) => (stopped ? un() : (unlisten = un)),
      () => {},
    );
    const timer = setInterval(() => void this.refresh(), this.#intervalMs);
    return () => {
      stopped = true;
      clearInterval(timer);
      unlisten?.();
    };
  }
}
