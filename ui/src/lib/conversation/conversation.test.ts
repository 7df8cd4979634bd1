import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MessageDto } from '../ipc/contract';
import { messageDto } from '../ipc/fixtures';
import { Conversation, GAP_FILL_PAGES, PAGE_SIZE } from './conversation.svelte';

const message = (msgid: string, extra: Partial<MessageDto> = {}): MessageDto => messageDto({ msgid, ...extra });

/** Messages with ids from..to (inclusive), oldest first. */
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => message(`m${from + i}`, { id: from + i }));

const noEvents = async () => () => {};
const ref = { openKfid: 'wk1', externalUserid: 'c1' };

/** A fake backend holding `total` messages of one conversation, paged like message_list. */
function backend(total: number) {
  const all = range(1, total);
  const calls: [string, Record<string, unknown>][] = [];
  const call = async <T>(cmd: string, req: unknown): Promise<T> => {
    const r = req as Record<string, unknown>;
    calls.push([cmd, r]);
    if (cmd === 'message_list') {
      const before = typeof r.beforeId === 'number' ? r.beforeId : Infinity;
      const older = all.filter((m) => m.id! < before);
      const limit = (r.limit as number) ?? 200;
      const page = older.slice(Math.max(0, older.length - limit));
      return { messages: page, hasMore: older.length > page.length } as T;
    }
    if (cmd === 'message_context') {
      const i = all.findIndex((m) => m.msgid === r.msgid);
      const radius = (r.radius as number) ?? 10;
      return {
        messages: all.slice(Math.max(0, i - radius), i + radius + 1),
        anchorId: all[i]!.id,
        hasMoreBefore: i - radius > 0,
        hasMoreAfter: i + radius + 1 < all.length,
      } as T;
    }
    return { localState: 'mine', msgid: 'r1', state: 'queued' } as T;
  };
  return { all, calls, call };
}

describe('Conversation paging', () => {
  it('opens on the newest page of this account and pages back by beforeId to the first message', async () => {
    const b = backend(10_000);
    const conv = new Conversation({ call: b.call, subscribe: noEvents });
    await conv.select(ref);
    expect(b.calls[0]).toEqual(['message_list', { openKfid: 'wk1', externalUserid: 'c1', limit: PAGE_SIZE }]);
    expect(conv.messages.length).toBe(PAGE_SIZE);
    expect(conv.messages.at(-1)!.msgid, 'the newest message is last').toBe('m10000');
    expect(conv.hasOlder).toBe(true);

    let pages = 0;
    while (await conv.loadOlder()) pages++;
    expect(pages, 'one call per older page').toBe(10_000 / PAGE_SIZE - 1);
    expect(conv.messages.length).toBe(10_000);
    expect(conv.messages.map((m) => m.id)).toEqual(b.all.map((m) => m.id));
    expect(conv.hasOlder, 'nothing older after the first message').toBe(false);
    expect(b.calls.filter(([cmd]) => cmd === 'message_list').at(-1)![1].beforeId).toBe(PAGE_SIZE + 1);
  });

  it('loads one older page at a time', async () => {
    const b = backend(1_000);
    const conv = new Conversation({ call: b.call, subscribe: noEvents });
    await conv.select(ref);
    const [a, c] = await Promise.all([conv.loadOlder(), conv.loadOlder()]);
    expect([a, c]).toEqual([true, false]);
    expect(conv.messages.length).toBe(2 * PAGE_SIZE);
  });

  it('joins new messages to the loaded run on refresh, keeping older pages', async () => {
    const b = backend(500);
    const conv = new Conversation({ call: b.call, subscribe: noEvents });
    await conv.select(ref);
    await conv.loadOlder();
    b.all.push(...range(501, 503));
    await conv.refresh();
    expect(conv.messages.length).toBe(2 * PAGE_SIZE + 3);
    expect(conv.messages.at(-1)!.msgid).toBe('m503');
    expect(new Set(conv.messages.map((m) => m.msgid)).size, 'no duplicates').toBe(conv.messages.length);
  });

  it('jumps to a message outside the loaded run through message_context and highlights it', async () => {
    const b = backend(5_000);
    const conv = new Conversation({ call: b.call, subscribe: noEvents });
    await conv.jumpTo(ref, 'm1234');
    expect(b.calls.map(([cmd]) => cmd)).toEqual(['message_list', 'message_context']);
    expect(conv.messages.some((m) => m.msgid === 'm1234')).toBe(true);
    expect(conv.highlight).toBe('m1234');
    expect(conv.detached, 'the context does not reach the newest message').toBe(true);
    const before = conv.messages.length;
    await conv.refresh();
    expect(conv.messages.length, 'a detached run is not replaced by the newest page').toBe(before);
    await conv.loadOlder();
    expect(conv.messages.length).toBeGreaterThan(before);
    await conv.returnToLatest();
    expect(conv.detached).toBe(false);
    expect(conv.messages.at(-1)!.msgid).toBe('m5000');
  });

  it('keeps a message jumped to when more than a page arrives before the next refresh', async () => {
    // The search hit is the customer's first message and the rest is still arriving: the jump
    // loads all there is (not detached), then a burst larger than a page lands at once.
    const b = backend(21);
    const conv = new Conversation({ call: b.call, subscribe: noEvents });
    await conv.jumpTo(ref, 'm1');
    expect(conv.detached).toBe(false);
    b.all.push(...range(22, 21 + 3 * PAGE_SIZE));
    await conv.refresh();
    expect(conv.messages[0]!.msgid, 'the message jumped to is still loaded').toBe('m1');
    expect(conv.messages.map((m) => m.id)).toEqual(b.all.map((m) => m.id));
    expect(conv.highlight).toBe('m1');
  });

  it('starts again from the newest page when the gap is wider than the pages it may fetch', async () => {
    const b = backend(10);
    const conv = new Conversation({ call: b.call, subscribe: noEvents });
    await conv.select(ref);
    b.all.push(...range(11, 10 + (GAP_FILL_PAGES + 2) * PAGE_SIZE));
    const before = b.calls.length;
    await conv.refresh();
    expect(b.calls.length - before, 'the newest page and at most GAP_FILL_PAGES older ones').toBe(1 + GAP_FILL_PAGES);
    expect(conv.messages.length).toBe(PAGE_SIZE);
    expect(conv.messages.at(-1)!.msgid).toBe(b.all.at(-1)!.msgid);
    expect(conv.hasOlder).toBe(true);
  });

  it('only highlights a message that is already loaded', async () => {
    const b = backend(50);
    const conv = new Conversation({ call: b.call, subscribe: noEvents });
    await conv.select(ref);
    const seq = conv.jumpSeq;
    await conv.jumpTo(ref, 'm40');
    expect(b.calls.map(([cmd]) => cmd)).toEqual(['message_list']);
    expect(conv.highlight).toBe('m40');
    expect(conv.jumpSeq).toBe(seq + 1);
  });

  it('drops an answer for a customer no longer selected', async () => {
    const pending: ((messages: MessageDto[]) => void)[] = [];
    const conv = new Conversation({
      call: <T>() => new Promise<T>((resolve) => pending.push((messages) => resolve({ messages } as T))),
      subscribe: noEvents,
    });
    const first = conv.select(ref);
    const second = conv.select({ openKfid: 'wk1', externalUserid: 'c2' });
    pending[0]!([message('old')]);
    await first;
    expect(conv.messages).toEqual([]);
    pending[1]!([message('new', { externalUserid: 'c2' })]);
    await second;
    expect(conv.messages.map((m) => m.msgid)).toEqual(['new']);
  });
});

describe('Conversation actions', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('holds a reply for the undo delay, then sends it once', async () => {
    const b = backend(3);
    let changed = 0;
    const conv = new Conversation({ call: b.call, subscribe: noEvents, undoDelayMs: 3_000, onChanged: () => changed++ });
    await conv.select(ref);
    expect(conv.send('  hello \n')).toBe(true);
    expect(conv.send('   '), 'blank text is not sent').toBe(false);
    expect(conv.held.map((r) => r.text)).toEqual(['hello']);
    await vi.advanceTimersByTimeAsync(2_900);
    expect(b.calls.some(([cmd]) => cmd === 'reply_send'), 'nothing is sent during the delay').toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(b.calls.filter(([cmd]) => cmd === 'reply_send')).toEqual([['reply_send', { ...ref, text: 'hello' }]]);
    expect(conv.held).toEqual([]);
    expect(changed).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(b.calls.filter(([cmd]) => cmd === 'reply_send').length, 'sent exactly once').toBe(1);
  });

  it('an undone reply is never sent and comes back', async () => {
    const b = backend(3);
    const conv = new Conversation({ call: b.call, subscribe: noEvents, undoDelayMs: 3_000 });
    await conv.select(ref);
    conv.send('oops');
    const [held] = conv.held;
    expect(conv.undo.undo(held!.id)?.text).toBe('oops');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(b.calls.some(([cmd]) => cmd === 'reply_send')).toBe(false);
    expect(conv.undo.undo(held!.id), 'undo twice finds nothing').toBeUndefined();
  });

  it('sends an attachment through reply_attachment with its name and data', async () => {
    const b = backend(1);
    const conv = new Conversation({ call: b.call, subscribe: noEvents, undoDelayMs: 1_000 });
    await conv.select(ref);
    conv.send('', { fileName: 'a.png', size: 3, contentType: 'image/png', dataBase64: 'AAEC', preview: null });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(b.calls.filter(([cmd]) => cmd === 'reply_attachment')).toEqual([
      ['reply_attachment', { ...ref, fileName: 'a.png', dataBase64: 'AAEC' }],
    ]);
  });

  it('claims, releases, transfers, ends and retries with the session reference', async () => {
    const b = backend(1);
    const conv = new Conversation({ call: b.call, subscribe: noEvents });
    await conv.select(ref);
    expect(await conv.claim()).toBe(true);
    expect(await conv.release()).toBe(true);
    expect(await conv.transfer('zhangsan')).toBe(true);
    expect(await conv.end()).toBe(true);
    expect(await conv.retry('r9')).toBe(true);
    expect(b.calls.filter(([cmd]) => cmd !== 'message_list')).toEqual([
      ['session_claim', ref],
      ['session_release', ref],
      ['session_transfer', { ...ref, servicerUserid: 'zhangsan' }],
      ['session_end', ref],
      ['reply_retry', { msgid: 'r9' }],
    ]);
  });

  it('keeps the {code, message} of a failed send and the messages', async () => {
    const conv = new Conversation({
      call: async <T>(cmd: string) => {
        if (cmd === 'reply_send') throw { code: 'QUOTA_USED', message: 'five replies' };
        return { messages: [message('m1')] } as T;
      },
      subscribe: noEvents,
      undoDelayMs: 100,
    });
    await conv.select(ref);
    conv.send('hi');
    await vi.advanceTimersByTimeAsync(100);
    expect(conv.error).toEqual({ code: 'QUOTA_USED', message: 'five replies' });
    expect(conv.messages.map((m) => m.msgid)).toEqual(['m1']);
  });

  it('keeps the colleague who took the customer when a claim loses to them', async () => {
    const conv = new Conversation({
      call: async <T>(cmd: string) => {
        if (cmd === 'session_claim') throw { code: 'TAKEN_BY_COLLEAGUE', message: 'claimed', colleague: '李四' };
        return { messages: [message('m1')] } as T;
      },
      subscribe: noEvents,
    });
    await conv.select(ref);
    expect(await conv.claim()).toBe(false);
    expect(conv.error).toEqual({ code: 'TAKEN_BY_COLLEAGUE', message: 'claimed', colleague: '李四' });
  });
});
