import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConversationActivityDto } from '../ipc/contract';
import { ACTIVITY_POLL_MS, ColleagueActivity, RECENT_REPLY_SECONDS, TYPING_SIGNAL_MS, activityText } from './activity.svelte';

const ref = { openKfid: 'wk1', externalUserid: 'c1' };

describe('activityText', () => {
  it('names who is typing before an older reply', () => {
    expect(activityText(['小王', '小李'], { agent: '小张', at: 100 }, 110)).toEqual({
      key: 'activity.typing',
      params: { name: '小王、小李' },
    });
  });

  it('shows a colleague reply only while it is recent', () => {
    expect(activityText([], { agent: '小王', at: 100 }, 100 + RECENT_REPLY_SECONDS)?.key).toBe('activity.replied');
    expect(activityText([], { agent: '小王', at: 100 }, 101 + RECENT_REPLY_SECONDS)).toBeNull();
    expect(activityText([], null, 100)).toBeNull();
  });
});

describe('ColleagueActivity', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('polls the watched conversation and drops an answer for one no longer watched', async () => {
    const answers: ((v: ConversationActivityDto) => void)[] = [];
    const calls: unknown[] = [];
    const call = <T,>(cmd: string, req: unknown) => {
      calls.push([cmd, req]);
      return new Promise<T>((resolve) => answers.push(resolve as (v: ConversationActivityDto) => void));
    };
    const activity = new ColleagueActivity({ call });
    activity.watch(ref);
    expect(calls).toEqual([['conversation_activity', ref]]);
    activity.watch({ openKfid: 'wk1', externalUserid: 'c2' });
    answers[0]!({ typing: ['小王'], lastColleagueReply: null });
    await Promise.resolve();
    expect(activity.typing).toEqual([]);
    answers[1]!({ typing: ['小李'], lastColleagueReply: { agent: '小李', at: 5 } });
    await Promise.resolve();
    expect(activity.typing).toEqual(['小李']);
    expect(activity.lastReply).toEqual({ agent: '小李', at: 5 });
    vi.advanceTimersByTime(ACTIVITY_POLL_MS);
    expect(calls).toHaveLength(3);
    activity.stop();
    vi.advanceTimersByTime(ACTIVITY_POLL_MS * 3);
    expect(calls).toHaveLength(3);
    expect(activity.typing).toEqual([]);
  });

  it('signals typing at most once per interval', () => {
    let now = 0;
    const sent: unknown[] = [];
    const call = async <T,>(cmd: string, req: unknown) => {
      if (cmd === 'composer_typing') sent.push(req);
      return { typing: [], lastColleagueReply: null } as T;
    };
    const activity = new ColleagueActivity({ call, clock: () => now });
    activity.typed();
    expect(sent).toEqual([]); // nothing watched
    activity.watch(ref);
    activity.typed();
    now += TYPING_SIGNAL_MS - 1;
    activity.typed();
    expect(sent).toEqual([ref]);
    now += 1;
    activity.typed();
    expect(sent).toEqual([ref, ref]);
    activity.stop();
  });
});
