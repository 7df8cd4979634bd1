/**
 * The selected conversation: its messages (`message_list`) and the agent's actions on it
 * (claim, reply). Invariants: `messages` always belong to `selected` (an answer for a previously
 * selected customer is dropped); an action's failure is kept as `{code, message}` for the view
 * to localise and never clears the messages.
 */
import type { MessageDto } from '../ipc/generated/MessageDto';
import type { MessageListResponse } from '../ipc/generated/MessageListResponse';
import type { ReplySendResponse } from '../ipc/generated/ReplySendResponse';
import type { SessionActionResponse } from '../ipc/generated/SessionActionResponse';
import type { SessionRef } from '../ipc/generated/SessionRef';
import { autoRefresh, subscribeUiEvents, type Call, type Subscribe } from '../ipc/events';
import { rpc, toRpcError, type RpcError } from '../ipc/rpc';
import { POLL_INTERVAL_MS, sessionKey } from '../sessions/queue.svelte';

export interface ConversationOptions {
  call?: Call;
  subscribe?: Subscribe;
  intervalMs?: number;
  /** Called after an action changed a session, so the queues refetch at once. */
  onChanged?: () => void;
}

export class Conversation {
  selected = $state<SessionRef | null>(null);
  messages = $state<MessageDto[]>([]);
  loading = $state(false);
  busy = $state(false);
  error = $state<RpcError | null>(null);

  readonly #call: Call;
  readonly #subscribe: Subscribe;
  readonly #intervalMs: number;
  readonly #onChanged: () => void;
  #issued = 0;
  #applied = 0;

  constructor({
    call = rpc,
    subscribe = subscribeUiEvents,
    intervalMs = POLL_INTERVAL_MS,
    onChanged = () => {},
  }: ConversationOptions = {}) {
    this.#call = call;
    this.#subscribe = subscribe;
    this.#intervalMs = intervalMs;
    this.#onChanged = onChanged;
  }

  get selectedKey(): string | null {
    return this.selected ? sessionKey(this.selected) : null;
  }

  select(ref: SessionRef): Promise<void> {
    if (this.selectedKey !== sessionKey(ref)) {
      this.selected = { openKfid: ref.openKfid, externalUserid: ref.externalUserid };
      this.messages = [];
      this.error = null;
      this.loading = true;
    }
    return this.refresh();
  }

  async refresh(): Promise<void> {
    const ref = this.selected;
    if (!ref) return;
    const key = sessionKey(ref);
    const seq = ++this.#issued;
    try {
      const res = await this.#call<MessageListResponse>('message_list', {
        externalUserid: ref.externalUserid,
        limit: null,
      });
      if (seq < this.#applied || this.selectedKey !== key) return;
      this.#applied = seq;
      // message_list is per customer; keep only this account's side of it.
      this.messages = res.messages.filter((m) => m.openKfid === ref.openKfid);
    } catch (e) {
      if (seq < this.#applied || this.selectedKey !== key) return;
      this.#applied = seq;
      this.error = toRpcError(e);
    } finally {
      if (this.selectedKey === key) this.loading = false;
    }
  }

  claim(): Promise<boolean> {
    return this.#act(async (ref) => {
      await this.#call<SessionActionResponse>('session_claim', ref);
    });
  }

  /** Sends a reply; resolves true when the backend accepted it (queued). */
  send(text: string): Promise<boolean> {
    const body = text.trim();
    if (!body) return Promise.resolve(false);
    return this.#act(async (ref) => {
      await this.#call<ReplySendResponse>('reply_send', { ...ref, text: body });
    });
  }

  async #act(action: (ref: SessionRef) => Promise<void>): Promise<boolean> {
    const ref = this.selected;
    if (!ref || this.busy) return false;
    this.busy = true;
    this.error = null;
    try {
      await action({ openKfid: ref.openKfid, externalUserid: ref.externalUserid });
      return true;
    } catch (e) {
      this.error = toRpcError(e);
      return false;
    } finally {
      this.busy = false;
      this.#onChanged();
      void this.refresh();
    }
  }

  /** Refetches the selected conversation on every `kefu://event` and interval. */
  start(): () => void {
    return autoRefresh(() => void this.refresh(), this.#subscribe, this.#intervalMs);
  }
}
