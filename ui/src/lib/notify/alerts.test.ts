import { describe, expect, it } from 'vitest';
import type { SessionDto } from '../ipc/generated/SessionDto';
import { Alerts, detectChanges } from './alerts.svelte';

const s = (id: string, localState: string, windowEndsAt: number | null = 100): SessionDto => ({
  openKfid: 'wk1',
  externalUserid: id,
  nickname: id === 'a' ? '张三' : null,
  localState,
  claimedBy: null,
  waitingSince: null,
  windowEndsAt,
  repliesLeft: 5,
  lastMessage: null,
  needsReply: false,
  sla: [],
});

describe('detectChanges', () => {
  it('sees new waiting customers and new messages in my sessions, nothing at first', () => {
    expect(detectChanges(null, [s('a', 'waiting')])).toEqual([]);
    const prev = [s('a', 'ended'), s('b', 'mine', 100), s('c', 'mine', 100), s('d', 'waiting')];
    const next = [s('a', 'waiting'), s('b', 'mine', 200), s('c', 'mine', 100), s('d', 'waiting'), s('e', 'waiting')];
    expect(detectChanges(prev, next).map((c) => `${c.kind}:${c.session.externalUserid}`)).toEqual([
      'waiting:a',
      'message:b',
      'waiting:e',
    ]);
  });
});

describe('Alerts', () => {
  it('raises only when asked, one per conversation, and clears on open', () => {
    const alerts = new Alerts(() => 1);
    alerts.observe([s('a', 'mine', 100)], true);
    expect(alerts.observe([s('a', 'mine', 200)], false), 'notifications work: no in-app alert').toEqual([]);
    alerts.observe([s('a', 'mine', 300)], true);
    alerts.observe([s('a', 'mine', 400)], true);
    expect(alerts.items.map((a) => `${a.kind}:${a.name}`)).toEqual(['message:张三']);
    alerts.observe([s('a', 'mine', 500), s('b', 'waiting')], true);
    expect(alerts.items.map((a) => a.externalUserid)).toEqual(['b', 'a']);
    alerts.clear({ openKfid: 'wk1', externalUserid: 'a' });
    expect(alerts.items.map((a) => a.externalUserid)).toEqual(['b']);
    alerts.dismiss(alerts.items[0]!.id);
    expect(alerts.items).toEqual([]);
  });

  it('does not alert a message in the conversation that is open', () => {
    const alerts = new Alerts();
    alerts.observe([s('a', 'mine', 100)], true);
    alerts.observe([s('a', 'mine', 200)], true, 'wk1\u0000a');
    expect(alerts.items).toEqual([]);
  });
});
