import { describe, expect, it } from 'vitest';
import type { MessageDto } from '../ipc/contract';
import { messageDto } from '../ipc/fixtures';
import { mergeNewest, prependOlder, reachBack, type Page } from './paging';

const m = (id: number, extra: Partial<MessageDto> = {}): MessageDto =>
  messageDto({ id, msgid: `m${id}`, sendTime: id, text: `t${id}`, ...extra });
const ids = (ms: MessageDto[]) => ms.map((x) => x.id);
const span = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => m(a + i));

describe('mergeNewest', () => {
  it('replaces the overlapping tail and keeps older pages', () => {
    const run = { messages: span(1, 20), hasOlder: true };
    const page = [...span(11, 21)];
    page[0] = m(11, { delivery: 'sent' });
    const merged = mergeNewest(run, page, true);
    expect(ids(merged.messages)).toEqual(ids(span(1, 21)));
    expect(merged.messages[10]!.delivery, 'refreshed state of an updated message').toBe('sent');
    expect(merged.hasOlder).toBe(true);
  });

  it('starts again from the page when it leaves a gap', () => {
    const merged = mergeNewest({ messages: span(1, 10), hasOlder: false }, span(50, 60), true);
    expect(ids(merged.messages)).toEqual(ids(span(50, 60)));
    expect(merged.hasOlder).toBe(true);
  });

  it('does not rely on row ids following message time', () => {
    const shuffled = [m(9), m(3), m(7), m(1)];
    const run = { messages: shuffled, hasOlder: true };
    const page = [m(7), m(1), m(5)];
    expect(ids(mergeNewest(run, page, true).messages)).toEqual([9, 3, 7, 1, 5]);
    expect(ids(prependOlder(run, [m(8), m(2), m(9)], true).messages)).toEqual([8, 2, 9, 3, 7, 1]);
  });

  it('takes the page when it reaches back over everything loaded', () => {
    const merged = mergeNewest({ messages: span(5, 10), hasOlder: true }, span(1, 12), false);
    expect(ids(merged.messages)).toEqual(ids(span(1, 12)));
    expect(merged.hasOlder).toBe(false);
  });

  it('takes the first page as is', () => {
    const merged = mergeNewest({ messages: [], hasOlder: false }, span(2, 4), true);
    expect(ids(merged.messages)).toEqual([2, 3, 4]);
    expect(merged.hasOlder).toBe(true);
  });
});

describe('prependOlder', () => {
  it('puts older messages in front without duplicates', () => {
    const run = prependOlder({ messages: span(10, 12), hasOlder: true }, span(7, 10), true);
    expect(ids(run.messages)).toEqual([7, 8, 9, 10, 11, 12]);
    expect(run.hasOlder).toBe(true);
  });

  it('stops when a page adds nothing', () => {
    const run = prependOlder({ messages: span(10, 12), hasOlder: true }, span(10, 11), true);
    expect(ids(run.messages)).toEqual([10, 11, 12]);
    expect(run.hasOlder, 'no endless paging on a page of known messages').toBe(false);
  });
});

describe('reachBack', () => {
  /** Pages of `size` ending before `beforeId`, over messages 1..total. */
  const older = (total: number, size: number) => {
    const asked: number[] = [];
    const fetch = async (beforeId: number): Promise<Page> => {
      asked.push(beforeId);
      const upto = Math.min(total, beforeId - 1);
      return { messages: span(Math.max(1, upto - size + 1), upto), hasMore: upto - size > 0 };
    };
    return { asked, fetch };
  };

  it('pages back until the newest page reaches the run, so the merge joins', async () => {
    const o = older(100, 10);
    const got = await reachBack(span(1, 20), { messages: span(91, 100), hasMore: true }, 10, o.fetch);
    expect(o.asked).toEqual([91, 81, 71, 61, 51, 41, 31, 21]);
    expect(ids(got.messages)).toEqual(ids(span(11, 100)));
    expect(ids(mergeNewest({ messages: span(1, 20), hasOlder: false }, got.messages, got.hasMore).messages)).toEqual(
      ids(span(1, 100)),
    );
  });

  it('fetches nothing when the page reaches the run already, or the run is empty', async () => {
    const o = older(100, 10);
    await reachBack(span(1, 95), { messages: span(91, 100), hasMore: true }, 10, o.fetch);
    await reachBack([], { messages: span(91, 100), hasMore: true }, 10, o.fetch);
    expect(o.asked).toEqual([]);
  });

  it('stops after maxPages, when nothing is older, or when the answer is no longer wanted', async () => {
    const o = older(100, 10);
    const capped = await reachBack(span(1, 5), { messages: span(91, 100), hasMore: true }, 2, o.fetch);
    expect(o.asked).toEqual([91, 81]);
    expect(ids(capped.messages), 'not reached: the newest page alone').toEqual(ids(span(91, 100)));
    expect(capped.hasMore).toBe(true);
    const none = await reachBack([m(500)], { messages: span(91, 100), hasMore: false }, 5, o.fetch);
    expect(ids(none.messages)).toEqual(ids(span(91, 100)));
    const dropped = await reachBack(span(1, 5), { messages: span(91, 100), hasMore: true }, 5, async () => null);
    expect(ids(dropped.messages)).toEqual(ids(span(91, 100)));
  });
});
