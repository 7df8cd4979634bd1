/**
 * What colleagues are doing with the open conversation (team mode): who is typing to the
 * customer and who replied lately, polled while the conversation is open; and this agent's own
 * "typing" signal, throttled, so colleagues' composers show it. Invariants: an answer for a
 * conversation no longer watched is dropped; a failed poll keeps nothing stale (it clears).
 */
import type { ColleagueReplyDto } from '../ipc/generated/ColleagueReplyDto';
import type { ConversationActivityDto } from '../ipc/generated/ConversationActivityDto';
import type { SessionRef } from '../ipc/generated/SessionRef';
import type { Call } from '../ipc/events';
import { rpc } from '../ipc/rpc';
import type { MessageKey } from '../i18n/index.svelte';

export const ACTIVITY_POLL_MS = 2_000;
/** At most one typing signal per this many ms (the team shows it for 10 s). */
export const TYPING_SIGNAL_MS = 3_000;
/** A colleague's reply counts as "just now" for this long. */
export const RECENT_REPLY_SECONDS = 120;

export interface ActivityOptions {
  call?: Call;
  intervalMs?: number;
  /** Milliseconds, for the typing throttle. */
  clock?: () => number;
}

export class ColleagueActivity {
  typing = $state<string[]>([]);
  lastReply = $state<ColleagueReplyDto | null>(null);

  readonly #call: Call;
  readonly #intervalMs: number;
  readonly #clock: () => number;
  #ref: SessionRef | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastSignal = Number.NEGATIVE_INFINITY;
  #generation = 0;

  constructor({ call = rpc, intervalMs = ACTIVITY_POLL_MS, clock = () => Date.now() }: ActivityOptions = {}) {
    this.#call = call;
    this.#intervalMs = intervalMs;
    this.#clock = clock;
  }

  /** Watches this conversation (null: none), replacing the previous one. */
  watch(ref: SessionRef | null): void {
    this.stop();
    this.#ref = ref ? { openKfid: ref.openKfid, externalUserid: ref.externalUserid } : null;
    if (!this.#ref) return;
    void this.refresh();
    this.#timer = setInterval(() => void this.refresh(), this.#intervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#ref = null;
    this.#generation++;
    this.typing = [];
    this.lastReply = null;
    this.#lastSignal = Number.NEGATIVE_INFINITY;
  }

  async refresh(): Promise<void> {
    const ref = this.#ref;
    if (!ref) return;
    const generation = this.#generation;
    try {
      const res = await this.#call<ConversationActivityDto>('conversation_activity', ref);
      if (generation !== this.#generation) return;
      this.typing = res.typing;
      this.lastReply = res.lastColleagueReply;
    } catch {
      if (generation !== this.#generation) return;
      this.typing = [];
    }
  }

  /** The agent typed in the composer: tell the team, at most every TYPING_SIGNAL_MS. */
  typed(): void {
    const ref = this.#ref;
    const now = this.#clock();
    if (!ref || now - this.#lastSignal < TYPING_SIGNAL_MS) return;
    this.#lastSignal = now;
    this.#call('composer_typing', ref).catch(() => {
      // Best effort: the reply itself is guarded by the team server.
    });
  }
}

/** The line above the composer: "小王 正在输入…" or "小王 刚刚回复了", or null. */
export function activityText(
  typing: readonly string[],
  lastReply: ColleagueReplyDto | null,
  nowSeconds: number,
): { key: MessageKey; params: Record<string, string | number> } | null {
  if (typing.length > 0) return { key: 'activity.typing', params: { name: typing.join('、') } };
  if (lastReply && nowSeconds - lastReply.at <= RECENT_REPLY_SECONDS) {
    return { key: 'activity.replied', params: { name: lastReply.agent } };
  }
  return null;
}
