/**
 * The selected conversation: a contiguous run of its messages (`message_list`, newest page first,
 * older pages by `beforeId` as the agent scrolls up), a jump to one message (`message_context`),
 * and the agent's actions on it (claim, release, transfer, end, reply with an undo delay, retry).
 * Invariants: `messages` always belong to `selected` (an answer for a previously selected
 * customer is dropped); at most one older page is loading; an action's failure is kept as
 * `{code, message}` for the view to localise and never clears the messages; a run detached from
 * the newest messages (after a jump) is not overwritten by the live refresh.
 */
import type {
  MessageContextResponse,
  MessageDto,
  MessageListRequest,
  MessageListResponse,
  SessionRef,
} from '../ipc/contract';
import type { ReplySendResponse } from '../ipc/generated/ReplySendResponse';
import type { SessionActionResponse } from '../ipc/generated/SessionActionResponse';
import { autoRefresh, subscribeUiEvents, type Call, type Subscribe } from '../ipc/events';
import { rpc, toRpcError, type RpcError } from '../ipc/rpc';
import { POLL_INTERVAL_MS, sessionKey } from '../sessions/queue.svelte';
import { mergeNewest, prependOlder, reachBack } from './paging';
import { UndoSend, type Attachment, type HeldReply } from './undo-send.svelte';

/** Messages per page. */
export const PAGE_SIZE = 100;
/** Messages either side of a message jumped to. */
export const CONTEXT_RADIUS = 40;
/**
 * Older pages fetched at most, on refresh, to join a newest page to the loaded run when more
 * than a page arrived in between; beyond that the run starts again from the newest page.
 */
export const GAP_FILL_PAGES = 5;
/** How long a message jumped to stays highlighted. */
export const HIGHLIGHT_MS = 6_000;

export interface ConversationOptions {
  call?: Call;
  subscribe?: Subscribe;
  intervalMs?: number;
  /** Undo delay of a reply, in ms. */
  undoDelayMs?: number;
  /** Called after an action changed a session, so the queues refetch at once. */
  onChanged?: () => void;
}

export class Conversation {
  selected = $state<SessionRef | null>(null);
  // Replaced whole, never mutated in place: no deep proxy over thousands of messages.
  messages = $state.raw<MessageDto[]>([]);
  hasOlder = $state(false);
  /** The run does not reach the newest message (after a jump). */
  detached = $state(false);
  loading = $state(false);
  loadingOlder = $state(false);
  busy = $state(false);
  error = $state<RpcError | null>(null);
  /** The message jumped to, highlighted for a while. */
  highlight = $state<string | null>(null);
  /** Bumped on every jump, so the list scrolls even to the same message again. */
  jumpSeq = $state(0);

  readonly undo: UndoSend;
  readonly #call: Call;
  readonly #subscribe: Subscribe;
  readonly #intervalMs: number;
  readonly #onChanged: () => void;
  #issued = 0;
  #applied = 0;
  #highlightTimer: ReturnType<typeof setTimeout> | undefined;

  constructor({
    call = rpc,
    subscribe = subscribeUiEvents,
    intervalMs = POLL_INTERVAL_MS,
    undoDelayMs,
    onChanged = () => {},
  }: ConversationOptions = {}) {
    this.#call = call;
    this.#subscribe = subscribe;
    this.#intervalMs = intervalMs;
    this.#onChanged = onChanged;
    this.undo = new UndoSend({ delayMs: undoDelayMs, send: (reply) => this.#deliver(reply) });
  }

  get selectedKey(): string | null {
    return this.selected ? sessionKey(this.selected) : null;
  }

  /** Replies of this conversation waiting out their undo delay. */
  get held(): HeldReply[] {
    return this.selected ? this.undo.for(this.selected) : [];
  }

  select(ref: SessionRef): Promise<void> {
    if (this.selectedKey !== sessionKey(ref)) {
      this.selected = { openKfid: ref.openKfid, externalUserid: ref.externalUserid };
      this.messages = [];
      this.hasOlder = false;
      this.detached = false;
      this.error = null;
      this.highlight = null;
      this.loading = true;
      this.#issued++; // any answer still under way is for the previous customer
      this.#applied = this.#issued;
    }
    return this.refresh();
  }

  #request(ref: SessionRef, beforeId?: number): MessageListRequest {
    const req: MessageListRequest = { openKfid: ref.openKfid, externalUserid: ref.externalUserid, limit: PAGE_SIZE };
    if (beforeId !== undefined) req.beforeId = beforeId;
    return req;
  }

  /** Fetches the newest page and joins it to the run (unless detached). */
  async refresh(): Promise<void> {
    const ref = this.selected;
    if (!ref || this.detached) return;
    const key = sessionKey(ref);
    const seq = ++this.#issued;
    try {
      const stale = () => seq < this.#applied || this.selectedKey !== key || this.detached;
      const fetch = async (beforeId?: number) => {
        const res = await this.#call<MessageListResponse>('message_list', this.#request(ref, beforeId));
        // Older backends answer per customer across accounts: keep this account's side.
        return { messages: res.messages.filter((m) => m.openKfid === ref.openKfid), hasMore: res.hasMore ?? false };
      };
      const first = await fetch();
      if (stale()) return;
      // More arrived than one page since the last refresh: page back to the run, so the
      // message the agent is reading (a jump, or scrolled up) stays loaded.
      const newest = await reachBack(this.messages, first, GAP_FILL_PAGES, (beforeId) =>
        stale() ? Promise.resolve(null) : fetch(beforeId),
      );
      if (stale()) return;
      this.#applied = seq;
      const run = mergeNewest({ messages: this.messages, hasOlder: this.hasOlder }, newest.messages, newest.hasMore);
      this.messages = run.messages;
      this.hasOlder = run.hasOlder;
    } catch (e) {
      if (seq < this.#applied || this.selectedKey !== key) return;
      this.#applied = seq;
      this.error = toRpcError(e);
    } finally {
      if (this.selectedKey === key) this.loading = false;
    }
  }

  /** Loads the page before the first loaded message; resolves true when one was added. */
  async loadOlder(): Promise<boolean> {
    const ref = this.selected;
    const first = this.messages[0];
    if (!ref || !first || !this.hasOlder || this.loadingOlder || typeof first.id !== 'number') return false;
    const key = sessionKey(ref);
    this.loadingOlder = true;
    try {
      const res = await this.#call<MessageListResponse>('message_list', this.#request(ref, first.id));
      if (this.selectedKey !== key || this.messages[0]?.msgid !== first.msgid) return false;
      const page = res.messages.filter((m) => m.openKfid === ref.openKfid);
      const before = this.messages.length;
      const run = prependOlder({ messages: this.messages, hasOlder: this.hasOlder }, page, res.hasMore ?? false);
      this.messages = run.messages;
      this.hasOlder = run.hasOlder;
      return run.messages.length > before;
    } catch (e) {
      if (this.selectedKey === key) this.error = toRpcError(e);
      return false;
    } finally {
      if (this.selectedKey === key) this.loadingOlder = false;
    }
  }

  /**
   * Opens a conversation scrolled to one message and highlights it: when the message is loaded
   * already it is only highlighted; otherwise the run becomes the message's context, detached
   * from the newest messages until `returnToLatest`.
   */
  async jumpTo(ref: SessionRef, msgid: string): Promise<void> {
    if (this.selectedKey !== sessionKey(ref)) await this.select(ref);
    if (!this.messages.some((m) => m.msgid === msgid)) {
      try {
        const res = await this.#call<MessageContextResponse>('message_context', {
          openKfid: ref.openKfid,
          msgid,
          radius: CONTEXT_RADIUS,
        });
        if (this.selectedKey !== sessionKey(ref)) return;
        if (res.messages.some((m) => m.msgid === msgid)) {
          const newest = this.messages[this.messages.length - 1];
          // Still joined to the live tail when nothing newer exists or the context reaches the
          // newest loaded message.
          this.detached =
            res.hasMoreAfter ?? (!newest || !res.messages.some((m) => m.msgid === newest.msgid));
          this.messages = res.messages;
          this.hasOlder = res.hasMoreBefore ?? true;
        }
      } catch (e) {
        this.error = toRpcError(e);
        return;
      }
    }
    this.highlight = msgid;
    this.jumpSeq++;
    clearTimeout(this.#highlightTimer);
    this.#highlightTimer = setTimeout(() => {
      if (this.highlight === msgid) this.highlight = null;
    }, HIGHLIGHT_MS);
  }

  /** Leaves a detached run for the newest messages. */
  returnToLatest(): Promise<void> {
    this.detached = false;
    this.messages = [];
    this.hasOlder = false;
    return this.refresh();
  }

  claim(): Promise<boolean> {
    return this.#act(async (ref) => {
      await this.#call<SessionActionResponse>('session_claim', ref);
    });
  }

  release(): Promise<boolean> {
    return this.#act(async (ref) => {
      await this.#call<SessionActionResponse>('session_release', ref);
    });
  }

  end(): Promise<boolean> {
    return this.#act(async (ref) => {
      await this.#call<SessionActionResponse>('session_end', ref);
    });
  }

  transfer(servicer: string): Promise<boolean> {
    return this.#act(async (ref) => {
      await this.#call<SessionActionResponse>('session_transfer', { ...ref, servicerUserid: servicer });
    });
  }

  /** Recalls a delivered reply (within 2 minutes); it stays, shown as recalled. */
  recall(msgid: string): Promise<boolean> {
    return this.#act(async () => {
      await this.#call('reply_recall', { msgid });
    });
  }

  /** Sends a failed reply again. */
  retry(msgid: string): Promise<boolean> {
    return this.#act(async () => {
      await this.#call<ReplySendResponse>('reply_retry', { msgid });
    });
  }

  /**
   * Holds a reply for the undo delay, then sends it; false for blank text without attachment.
   * The text is trimmed.
   */
  send(text: string, attachment: Attachment | null = null): boolean {
    const body = text.trim();
    const ref = this.selected;
    if (!ref || (!body && !attachment)) return false;
    if (attachment) this.undo.hold(ref, '', attachment);
    if (body) this.undo.hold(ref, body);
    return true;
  }

  async #deliver(reply: HeldReply): Promise<void> {
    const ref = reply.ref;
    try {
      if (reply.attachment) {
        await this.#call('reply_attachment', {
          ...ref,
          fileName: reply.attachment.fileName,
          dataBase64: reply.attachment.dataBase64,
        });
      } else {
        await this.#call<ReplySendResponse>('reply_send', { ...ref, text: reply.text });
      }
      if (this.selectedKey === sessionKey(ref)) this.error = null;
    } catch (e) {
      if (this.selectedKey === sessionKey(ref)) this.error = toRpcError(e);
    } finally {
      this.#onChanged();
      if (this.selectedKey === sessionKey(ref)) void this.refresh();
    }
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
