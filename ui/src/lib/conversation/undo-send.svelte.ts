/**
 * Replies held back for a few seconds before they are sent, so a send can be undone. Invariants:
 * a held reply is sent exactly once, after its delay, unless undone first; `undo` returns it (so
 * the composer can take its text back) and it is then never sent; `sendNow` skips the wait.
 */
import type { SessionRef } from '../ipc/contract';

export const UNDO_DELAY_MS = 3_000;

export interface Attachment {
  fileName: string;
  size: number;
  contentType: string;
  dataBase64: string;
  /** A data: URL for an image preview, when the file is an image. */
  preview: string | null;
}

export interface HeldReply {
  id: number;
  ref: SessionRef;
  text: string;
  attachment: Attachment | null;
  /** Epoch ms at which it is sent. */
  dueAt: number;
}

export interface UndoSendOptions {
  delayMs?: number;
  now?: () => number;
  /** Sends a reply for real; a rejection is reported by the caller's `onError`. */
  send: (reply: HeldReply) => Promise<void>;
}

export class UndoSend {
  held = $state<HeldReply[]>([]);
  readonly delayMs: number;
  readonly #now: () => number;
  readonly #send: (reply: HeldReply) => Promise<void>;
  // Timer handles are bookkeeping, not state any view reads.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #timers = new Map<number, ReturnType<typeof setTimeout>>();
  #next = 1;

  constructor({ delayMs = UNDO_DELAY_MS, now = Date.now, send }: UndoSendOptions) {
    this.delayMs = delayMs;
    this.#now = now;
    this.#send = send;
  }

  /** Holds a reply; it is sent after the delay. */
  hold(ref: SessionRef, text: string, attachment: Attachment | null = null): HeldReply {
    const reply: HeldReply = {
      id: this.#next++,
      ref: { openKfid: ref.openKfid, externalUserid: ref.externalUserid },
      text,
      attachment,
      dueAt: this.#now() + this.delayMs,
    };
    this.held = [...this.held, reply];
    this.#timers.set(
      reply.id,
      setTimeout(() => void this.sendNow(reply.id), this.delayMs),
    );
    return reply;
  }

  #take(id: number): HeldReply | undefined {
    const reply = this.held.find((r) => r.id === id);
    if (!reply) return undefined;
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
    this.held = this.held.filter((r) => r.id !== id);
    return reply;
  }

  /** Cancels a held reply; returns it, or undefined when it already went out. */
  undo(id: number): HeldReply | undefined {
    return this.#take(id);
  }

  /** Sends a held reply at once. */
  async sendNow(id: number): Promise<void> {
    const reply = this.#take(id);
    if (reply) await this.#send(reply);
  }

  /** The held replies of one session, oldest first. */
  for(ref: SessionRef): HeldReply[] {
    return this.held.filter((r) => r.ref.openKfid === ref.openKfid && r.ref.externalUserid === ref.externalUserid);
  }

  /** Whole seconds left before a held reply goes out (at least 1 while held). */
  secondsLeft(reply: HeldReply, nowMs: number = this.#now()): number {
    return Math.max(1, Math.ceil((reply.dueAt - nowMs) / 1000));
  }

  /** Sends everything still held (on close), in order. */
  async flushAll(): Promise<void> {
    for (const reply of [...this.held]) await this.sendNow(reply.id);
  }
}
