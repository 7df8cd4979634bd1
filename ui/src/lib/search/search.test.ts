import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MessageDto, SearchRequest } from '../ipc/contract';
import { messageDto } from '../ipc/fixtures';
import { NO_FILTERS, Search, dayToSeconds, toRequest } from './search.svelte';

const m = (msgid: string, text: string): MessageDto => messageDto({ msgid, text });

describe('toRequest', () => {
  it('sends only the filters that are set, days as local second ranges', () => {
    expect(toRequest('退款', NO_FILTERS)).toEqual({ query: '退款', limit: 50 });
    const req = toRequest('退款', { openKfid: 'wk1', externalUserid: 'c1', sinceDay: '2026-01-02', untilDay: '2026-01-02', sender: 'customer' }, 99);
    expect(req).toMatchObject({ openKfid: 'wk1', externalUserid: 'c1', sender: 'customer', before: 99 });
    expect(req.until! - req.since!, 'one whole day').toBe(86_399);
    expect(dayToSeconds('nonsense')).toBeUndefined();
  });
});

describe('Search', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('searches once after typing stops and highlights the answer', async () => {
    const calls: SearchRequest[] = [];
    const search = new Search({
      call: async <T>(_cmd: string, req: unknown) => {
        calls.push(req as SearchRequest);
        return {
          hits: [{ message: m('a', '我要退款'), nickname: '张三', snippet: [{ text: '我要', hit: false }, { text: '退款', hit: true }] }],
          nextBefore: 7,
        } as T;
      },
      debounceMs: 250,
    });
    search.input('退');
    await vi.advanceTimersByTimeAsync(100);
    search.input('退款');
    await vi.advanceTimersByTimeAsync(249);
    expect(calls, 'nothing while typing').toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => c.query)).toEqual(['退款']);
    expect(search.hits[0]!.snippet).toEqual([
      { text: '我要', hit: false },
      { text: '退款', hit: true },
    ]);
    expect(search.nextBefore).toBe(7);
    await search.more();
    expect(calls.at(-1)!.before).toBe(7);
    expect(search.hits.length, 'a repeated hit is not listed twice').toBe(1);
  });

  it('reads the older {messages} answer and highlights it here', async () => {
    const search = new Search({ call: async <T>() => ({ messages: [m('a', 'Refund for SF1234')] }) as T, debounceMs: 0 });
    search.input('sf12');
    await vi.advanceTimersByTimeAsync(0);
    expect(search.hits[0]!.snippet).toEqual([
      { text: 'Refund for ', hit: false },
      { text: 'SF12', hit: true },
      { text: '34', hit: false },
    ]);
  });

  it('drops answers to older queries and clears on a blank query without calling', async () => {
    const resolvers: ((v: unknown) => void)[] = [];
    const calls: string[] = [];
    const search = new Search({
      call: <T>(_cmd: string, req: unknown) => {
        calls.push((req as SearchRequest).query);
        return new Promise<T>((r) => resolvers.push(r as (v: unknown) => void));
      },
      debounceMs: 0,
    });
    search.input('a');
    await vi.advanceTimersByTimeAsync(0);
    search.input('b');
    await vi.advanceTimersByTimeAsync(0);
    resolvers[1]!({ messages: [m('b', 'b')] });
    resolvers[0]!({ messages: [m('a', 'a')] });
    await vi.advanceTimersByTimeAsync(0);
    expect(search.hits.map((h) => h.message.msgid)).toEqual(['b']);
    search.input('   ');
    expect(search.hits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toEqual(['a', 'b']);
  });
});

describe('Search.refreshSoon', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('searches the answered query again once after new messages, and not while typing', async () => {
    let calls = 0;
    let answer = [m('a', 'x')];
    const search = new Search({ call: async <T>() => ((calls++, { messages: answer }) as T), debounceMs: 0 });
    search.refreshSoon();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(calls, 'nothing asked yet: nothing to refresh').toBe(0);
    search.input('x');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(1);
    answer = [m('b', 'x'), m('a', 'x')];
    search.refreshSoon();
    search.refreshSoon();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls, 'coalesced into one search').toBe(2);
    expect(search.hits.map((h) => h.message.msgid)).toEqual(['b', 'a']);
    search.query = 'xy';
    search.refreshSoon();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(calls, 'the query being typed is not the answered one').toBe(2);
  });
});
