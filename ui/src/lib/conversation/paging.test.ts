import { describe, expect, it } from 'vitest';
import type { MessageDto } from '../ipc/contract';
import { messageDto } from '../ipc/fixtures';
import { mergeNewest, prependOlder } from './paging';

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
