import { describe, expect, it } from 'vitest';
import { catalogues, interpolate } from '../i18n/index.svelte';
import type { HealthDto, TeamHealthDto, UiEvent } from '../ipc/contract';
import { HealthState, healthView, teamView } from './health.svelte';

const health = (extra: Partial<HealthDto> = {}): HealthDto => ({
  sync: 'online',
  offlineSince: null,
  lastSyncAt: 1_000,
  outboxQueued: 0,
  notifications: 'available',
  waitingCount: 0,
  closedUntil: null,
  closedAccounts: [],
  ...extra,
});
const fmt = (s: number) => `T${s}`;

describe('healthView', () => {
  it('names each sync state with its level', () => {
    expect(healthView(null, 0, fmt)).toMatchObject({ key: 'health.unknown', level: 'unknown' });
    expect(healthView(health(), 2_000, fmt)).toMatchObject({ key: 'health.online', level: 'ok' });
    expect(healthView(health({ outboxQueued: 2 }), 2_000, fmt)).toMatchObject({
      key: 'health.onlineSending',
      params: { n: 2 },
      level: 'busy',
    });
    expect(healthView(health({ sync: 'syncing', outboxQueued: 3 }), 2_000, fmt)).toMatchObject({ key: 'health.syncing', level: 'busy' });
    expect(healthView(health({ sync: 'offline', offlineSince: 1_500 }), 2_000, fmt)).toMatchObject({
      key: 'health.offlineSince',
      params: { time: 'T1500' },
      level: 'warn',
    });
    expect(healthView(health({ sync: 'historyAtRisk', offlineSince: 10 }), 2_000, fmt)).toMatchObject({
      key: 'health.historyAtRisk',
      level: 'danger',
    });
    expect(healthView(health(), 2_000, fmt).detail).toEqual({ key: 'health.lastSync', params: { time: 'T1000' } });
  });
});

describe('teamView', () => {
  const team = (extra: Partial<TeamHealthDto> = {}): TeamHealthDto => ({
    agent: '张三',
    connected: true,
    offlineSince: null,
    polling: [],
    presence: 'online',
    ...extra,
  });

  it('is absent in solo mode', () => {
    expect(teamView(health().team, fmt)).toBeNull();
  });

  it('names the agent while connected, and since when the server is unreachable otherwise', () => {
    const connected = teamView(team(), fmt)!;
    expect(connected).toEqual({ key: 'health.team', params: { agent: '张三' }, level: 'ok' });
    expect(interpolate(catalogues['zh-CN'][connected.key], connected.params)).toBe('团队：张三');
    expect(interpolate(catalogues.en[connected.key], connected.params)).toBe('Team: 张三');

    const down = teamView(team({ connected: false, offlineSince: 1_500 }), fmt)!;
    expect(down).toEqual({ key: 'health.teamUnreachableSince', params: { time: 'T1500' }, level: 'warn' });
    expect(interpolate(catalogues['zh-CN'][down.key], down.params)).toBe('团队服务器自 T1500 起无法连接');
    expect(interpolate(catalogues.en[down.key], down.params)).toBe('Team server unreachable since T1500');

    expect(teamView(team({ connected: false }), fmt), 'no time yet: still a warning').toEqual({
      key: 'health.teamUnreachable',
      level: 'warn',
    });
  });
});

describe('HealthState', () => {
  it('takes health_get, then each health event, and passes every event on', async () => {
    let handler: (e: UiEvent) => void = () => {};
    const seen: string[] = [];
    const state = new HealthState({
      call: async <T>() => health({ waitingCount: 1 }) as T,
      subscribe: async (h) => {
        handler = h;
        return () => {};
      },
      onevent: (e) => seen.push(e.kind),
      intervalMs: 60_000,
    });
    const stop = state.start();
    await new Promise((r) => setTimeout(r, 0));
    expect(state.waiting).toBe(1);
    handler({ kind: 'health', health: health({ waitingCount: 4, notifications: 'unavailable' }) });
    expect(state.waiting).toBe(4);
    expect(state.notificationsUnavailable).toBe(true);
    handler({ kind: 'focusConversation', openKfid: 'wk', externalUserid: 'c' });
    expect(seen).toEqual(['health', 'focusConversation']);
    stop();
  });

  it('drops a poll answer issued before a health event', async () => {
    let resolve: (h: HealthDto) => void = () => {};
    const state = new HealthState({
      call: <T>() => new Promise<T>((r) => (resolve = (h) => r(h as T))),
      subscribe: async () => () => {},
    });
    const poll = state.refresh();
    state.handle({ kind: 'health', health: health({ sync: 'offline', offlineSince: 5 }) });
    resolve(health());
    await poll;
    expect(state.health?.sync, 'the event is newer than the poll').toBe('offline');
  });
});
