/**
 * The session queues of the left column: the `session_list` answer grouped by `localState`.
 * Invariants: `sessions` is the last answer that arrived in call order (a slower, older answer
 * never overwrites a newer one); the groups keep the backend's order (waiting oldest-first);
 * a failed refresh keeps the previous sessions and records the `{code, message}`.
 */
import type { SessionDto } from '../ipc/generated/SessionDto';
import type { AccountCount } from '../ipc/generated/AccountCount';
import type { SessionListResponse } from '../ipc/generated/SessionListResponse';
import { autoRefresh, subscribeUiEvents, type Call, type Subscribe } from '../ipc/events';
import { rpc, toRpcError, type RpcError } from '../ipc/rpc';

export const LOCAL_STATES = ['waiting', 'mine', 'colleague', 'wecom', 'ended'] as const;
export type LocalState = (typeof LOCAL_STATES)[number];

export type SessionGroups = Record<LocalState, SessionDto[]>;

export const POLL_INTERVAL_MS = 5_000;

export function isLocalState(value: string): value is LocalState {
  return (LOCAL_STATES as readonly string[]).includes(value);
}

/** Groups sessions by local state, keeping their order; unknown states are left out. */
export function groupSessions(sessions: readonly SessionDto[]): SessionGroups {
  const groups: SessionGroups = { waiting: [], mine: [], colleague: [], wecom: [], ended: [] };
  for (const session of sessions) {
    if (isLocalState(session.localState)) groups[session.localState].push(session);
  }
  return groups;
}

/** How the open queues are ordered: the backend's (waiting longest first; mine by who needs a
 * reply first), or by the 48 h window closing soonest. */
export type QueueOrder = 'backend' | 'window';

/** The sessions of one account ('' = all), in the chosen order (stable within equals). */
export function arrangeSessions(sessions: readonly SessionDto[], account: string, order: QueueOrder): SessionDto[] {
  const kept = account ? sessions.filter((s) => s.openKfid === account) : [...sessions];
  if (order === 'window') {
    const end = (s: SessionDto) => s.windowEndsAt ?? Number.POSITIVE_INFINITY;
    // Grouped by state afterwards: across states any consistent order will do.
    const cmp = (x: number, y: number) => (x === y ? 0 : x < y ? -1 : 1);
    kept.sort((a, b) => a.localState.localeCompare(b.localState) || cmp(end(a), end(b)));
  }
  return kept;
}

/** Ended sessions of one account ('' = every account), from the backend's counts. */
export function endedTotal(counts: readonly AccountCount[], account: string): number {
  return counts.reduce((n, c) => (account && c.openKfid !== account ? n : n + c.count), 0);
}

/** A waiting customer can be handed to a colleague as well as one of mine; wecom/ended cannot. */
export const canTransfer = (localState: string | undefined) => localState === 'waiting' || localState === 'mine';

/** The key of a session (one customer of one account). */
export const sessionKey = (s: { openKfid: string; externalUserid: string }) =>
  `${s.openKfid}\u0000${s.externalUserid}`;

export interface QueueOptions {
  call?: Call;
  subscribe?: Subscribe;
  intervalMs?: number;
}

export class SessionQueue {
  // Replaced whole on every answer, never mutated: no deep proxy over hundreds of rows.
  sessions = $state.raw<SessionDto[]>([]);
  /** True once a `session_list` answer has arrived. */
  loaded = $state(false);
  error = $state<RpcError | null>(null);

  /** Ended sessions per account, all of them: the list carries only the most recently ended. */
  ended = $state.raw<AccountCount[]>([]);

  /** Only this account's sessions ('' = every account). */
  account = $state('');
  order = $state<QueueOrder>('backend');

  readonly groups = $derived(groupSessions(arrangeSessions(this.sessions, this.account, this.order)));
  readonly counts = $derived({
    waiting: this.groups.waiting.length,
    mine: this.groups.mine.length,
    colleague: this.groups.colleague.length,
    wecom: this.groups.wecom.length,
    ended: Math.max(this.groups.ended.length, endedTotal(this.ended, this.account)),
  } satisfies Record<LocalState, number>);

  readonly #call: Call;
  readonly #subscribe: Subscribe;
  readonly #intervalMs: number;
  #issued = 0;
  #applied = 0;

  constructor({ call = rpc, subscribe = subscribeUiEvents, intervalMs = POLL_INTERVAL_MS }: QueueOptions = {}) {
    this.#call = call;
    this.#subscribe = subscribe;
    this.#intervalMs = intervalMs;
  }

  /** The session with this key, if it is in the last answer. */
  find(key: string): SessionDto | undefined {
    return this.sessions.find((s) => sessionKey(s) === key);
  }

  async refresh(): Promise<void> {
    const seq = ++this.#issued;
    try {
      const res = await this.#call<SessionListResponse>('session_list', {});
      if (seq < this.#applied) return;
      this.#applied = seq;
      this.sessions = res.sessions;
      // Older backends list every ended session and send no counts.
      this.ended = res.ended ?? [];
      this.loaded = true;
      this.error = null;
    } catch (e) {
      if (seq < this.#applied) return;
      this.#applied = seq;
      this.error = toRpcError(e);
    }
  }

  /** Loads now, then on every `kefu://event` and every interval; returns the stop function. */
  start(): () => void {
    void this.refresh();
    return autoRefresh(() => void this.refresh(), this.#subscribe, this.#intervalMs);
  }
}

/** The service-level alerts of a session that apply at `now` (the backend says when each begins). */
export function activeSla(s: Pick<SessionDto, 'sla'>, now: number): string[] {
  return s.sla.filter((d) => d.at <= now && (d.until === null || now < d.until)).map((d) => d.kind);
}
