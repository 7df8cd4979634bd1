import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionDto } from '../ipc/generated/SessionDto';
import type { UiEvent } from '../ipc/generated/UiEvent';
import {
  LOCAL_STATES,
  SessionQueue,
  activeSla,
  arrangeSessions,
  canTransfer,
  endedTotal,
  groupSessions,
  sessionKey,
} from './queue.svelte';

const session = (externalUserid: string, localState: string, extra: Partial<SessionDto> = {}): SessionDto => ({
  openKfid: 'wk1',
  externalUserid,
  nickname: null,
  localState,
  claimedBy: null,
  waitingSince: null,
  windowEndsAt: null,
  repliesLeft: 5,
  lastMessage: null,
  needsReply: false,
  sla: [],
  ...extra,
});

/** A fake `kefu://event` channel. */
function fakeChannel() {
  const handlers = new Set<(e: UiEvent) => void>();
  let unsubscribed = 0;
  return {
    subscribe: async (handler: (e: UiEvent) => void) => {
      handlers.add(handler);
      return () => {
        handlers.delete(handler);
        unsubscribed++;
      };
    },
    emit: (e: UiEvent) => handlers.forEach((h) => h(e)),
    get listeners() {
      return handlers.size;
    },
    get unsubscribed() {
      return unsubscribed;
    },
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('canTransfer', () => {
  it('offers transfer for waiting and mine sessions only', () => {
    expect(LOCAL_STATES.filter(canTransfer)).toEqual(['waiting', 'mine']);
    expect(canTransfer(undefined), 'a session the queue has not seen yet').toBe(false);
  });
});

describe('groupSessions', () => {
  it('groups by local state, keeps the backend order and drops unknown states', () => {
    const groups = groupSessions([
      session('a', 'waiting'),
      session('b', 'waiting'),
      session('c', 'mine'),
      session('d', 'ended'),
      session('e', 'archived'),
    ]);
    expect(groups.waiting.map((s) => s.externalUserid)).toEqual(['a', 'b']);
    expect(groups.mine.map((s) => s.externalUserid)).toEqual(['c']);
    expect(groups.wecom).toEqual([]);
    expect(groups.ended.map((s) => s.externalUserid)).toEqual(['d']);
  });
});

describe('SessionQueue', () => {
  it('loads session_list and exposes groups and counts', async () => {
    const calls: [string, unknown][] = [];
    const queue = new SessionQueue({
      call: async <T>(cmd: string, req: unknown) => {
        calls.push([cmd, req]);
        return { sessions: [session('a', 'waiting'), session('b', 'mine'), session('c', 'mine')] } as T;
      },
      subscribe: fakeChannel().subscribe,
    });
    expect(queue.loaded).toBe(false);
    expect(queue.counts).toEqual({ waiting: 0, mine: 0, colleague: 0, wecom: 0, ended: 0 });
    await queue.refresh();
    expect(calls).toEqual([['session_list', {}]]);
    expect(queue.loaded).toBe(true);
    expect(queue.counts).toEqual({ waiting: 1, mine: 2, colleague: 0, wecom: 0, ended: 0 });
    expect(queue.groups.mine.map((s) => s.externalUserid)).toEqual(['b', 'c']);
    expect(queue.find(sessionKey({ openKfid: 'wk1', externalUserid: 'b' }))?.localState).toBe('mine');
    expect(queue.find(sessionKey({ openKfid: 'wk2', externalUserid: 'b' }))).toBeUndefined();
  });

  it('counts every ended session from the backend totals, per account, while listing only the newest', async () => {
    const queue = new SessionQueue({
      call: async <T>() =>
        ({
          sessions: [session('a', 'waiting'), session('e1', 'ended'), session('e2', 'ended', { openKfid: 'wk2' })],
          ended: [
            { openKfid: 'wk1', count: 120 },
            { openKfid: 'wk2', count: 7 },
          ],
        }) as T,
      subscribe: fakeChannel().subscribe,
    });
    await queue.refresh();
    expect(queue.groups.ended.length, 'the rows the backend listed').toBe(2);
    expect(queue.counts.ended, 'all of them').toBe(127);
    queue.account = 'wk2';
    expect(queue.counts.ended).toBe(7);
    expect(endedTotal([], ''), 'an older backend sends no counts: the rows count').toBe(0);
  });

  it('keeps the previous sessions and the {code, message} when a refresh fails', async () => {
    let fail = false;
    const queue = new SessionQueue({
      call: async <T>() => {
        if (fail) throw { code: 'STORAGE', message: 'disk' };
        return { sessions: [session('a', 'waiting')] } as T;
      },
      subscribe: fakeChannel().subscribe,
    });
    await queue.refresh();
    fail = true;
    await queue.refresh();
    expect(queue.error).toEqual({ code: 'STORAGE', message: 'disk' });
    expect(queue.sessions.map((s) => s.externalUserid)).toEqual(['a']);
    fail = false;
    await queue.refresh();
    expect(queue.error).toBeNull();
  });

  it('never lets an older answer overwrite a newer one', async () => {
    const pending: ((sessions: SessionDto[]) => void)[] = [];
    const queue = new SessionQueue({
      call: <T>() =>
        new Promise<T>((resolve) => pending.push((sessions) => resolve({ sessions } as T))),
      subscribe: fakeChannel().subscribe,
    });
    const first = queue.refresh();
    const second = queue.refresh();
    pending[1]!([session('new', 'mine')]);
    await second;
    pending[0]!([session('old', 'waiting')]);
    await first;
    expect(queue.sessions.map((s) => s.externalUserid)).toEqual(['new']);
  });

  describe('start', () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it('refetches on changed and resync events and every interval, until stopped', async () => {
      const channel = fakeChannel();
      let calls = 0;
      const queue = new SessionQueue({
        call: async <T>() => {
          calls++;
          return { sessions: [] } as T;
        },
        subscribe: channel.subscribe,
        intervalMs: 5_000,
      });
      const stop = queue.start();
      await vi.advanceTimersByTimeAsync(0);
      expect(calls, 'loads at once').toBe(1);
      expect(channel.listeners).toBe(1);

      channel.emit({ kind: 'changed' });
      channel.emit({ kind: 'resync' });
      channel.emit({ kind: 'changed' });
      await vi.advanceTimersByTimeAsync(0);
      expect(calls, 'the first of a burst refetches at once').toBe(2);
      await vi.advanceTimersByTimeAsync(250);
      expect(calls, 'the rest of the burst shares one refetch at the end of the gap').toBe(3);

      await vi.advanceTimersByTimeAsync(5_000);
      expect(calls, 'the 5 s fallback').toBe(4);

      stop();
      expect(channel.unsubscribed).toBe(1);
      channel.emit({ kind: 'changed' });
      await vi.advanceTimersByTimeAsync(20_000);
      expect(calls, 'nothing after stop').toBe(4);
    });
  });

  it('releases a subscription that resolves after stop', async () => {
    let release = 0;
    let resolveSub: (un: () => void) => void = () => {};
    const queue = new SessionQueue({
      call: async <T>() => ({ sessions: [] }) as T,
      subscribe: () => new Promise((r) => (resolveSub = r)),
    });
    const stop = queue.start();
    stop();
    resolveSub(() => release++);
    await flush();
    expect(release).toBe(1);
  });

  it('does not subscribe to Tauri events outside Tauri by default', async () => {
    const queue = new SessionQueue({ call: async <T>() => ({ sessions: [] }) as T, intervalMs: 60_000 });
    const stop = queue.start();
    await flush();
    expect(queue.loaded).toBe(true);
    stop();
  });
});

describe('service-level alerts in the queue', () => {
  it('apply from their start and, for the window, until it closes', () => {
    const s = session('a', 'mine', {
      sla: [
        { kind: 'unanswered', at: 100, until: null },
        { kind: 'window', at: 200, until: 300 },
      ],
    });
    expect(activeSla(s, 99)).toEqual([]);
    expect(activeSla(s, 100)).toEqual(['unanswered']);
    expect(activeSla(s, 250)).toEqual(['unanswered', 'window']);
    expect(activeSla(s, 300)).toEqual(['unanswered']);
  });
});

describe('arranging the queues', () => {
  const list = [
    session('a', 'waiting', { windowEndsAt: 300 }),
    session('b', 'waiting', { windowEndsAt: 100, openKfid: 'wk2' }),
    session('c', 'mine', { windowEndsAt: null }),
    session('d', 'mine', { windowEndsAt: 200 }),
  ];
  const ids = (l: SessionDto[]) => l.map((s) => s.externalUserid);

  it('keeps the backend order, or puts the window closing soonest first within each queue', () => {
    const grouped = (order: 'backend' | 'window') => {
      const g = groupSessions(arrangeSessions(list, '', order));
      return [ids(g.waiting), ids(g.mine)];
    };
    expect(grouped('backend')).toEqual([['a', 'b'], ['c', 'd']]);
    expect(grouped('window')).toEqual([['b', 'a'], ['d', 'c']]);
  });

  it('filters by account', () => {
    expect(ids(arrangeSessions(list, 'wk2', 'backend'))).toEqual(['b']);
    expect(ids(groupSessions(arrangeSessions(list, 'wk1', 'window')).mine)).toEqual(['d', 'c']);
  });
});
