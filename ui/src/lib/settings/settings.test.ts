import { describe, expect, it } from 'vitest';
import type { SettingsDto, SettingsSetRequest } from '../ipc/contract';
import { SettingsState, changes, draftOf, hhmm, minutesOf, parseAccounts } from './settings.svelte';

const settings = (extra: Partial<SettingsDto> = {}): SettingsDto => ({
  corpId: 'ww1',
  hasSecret: true,
  openKfids: ['wk1'],
  agentName: '小王',
  welcomeText: '',
  closingText: '',
  survey: true,
  businessHours: { enabled: false, days: [1, 2, 3, 4, 5], openMinute: 540, closeMinute: 1080, offsetMinutes: 480, awayText: '' },
  accountHours: [],
  accounts: [{ openKfid: 'kf1', name: '售后' }, { openKfid: 'kf2', name: '' }],
  notifications: { enabled: true, repeatSeconds: 60, sound: true },
  language: 'zh-CN',
  theme: 'system',
  teamUrl: '',
  hasTeamPassword: false,
  ...extra,
});

describe('changes', () => {
  it('carries the team URL trimmed and the team password only when typed', () => {
    const d = draftOf(settings({ hasTeamPassword: true }));
    expect(d.teamPassword, 'a stored team password is never shown').toBe('');
    d.teamUrl = '  postgres://wang@db/kefu ';
    expect(changes(settings(), d)).toEqual({ teamUrl: 'postgres://wang@db/kefu' });
    d.teamPassword = 'pw';
    expect(changes(settings(), d)).toEqual({ teamUrl: 'postgres://wang@db/kefu', teamPassword: 'pw' });
  });

  it('is empty for an untouched form, and never carries the secret unless typed', () => {
    expect(changes(settings(), draftOf(settings()))).toEqual({});
    expect(draftOf(settings()).secret, 'the form never shows a stored secret').toBe('');
  });

  it('carries exactly the edited fields', () => {
    const d = { ...draftOf(settings()), secret: 's3cret', accounts: 'wk1\nwk2, wk2', repeatSeconds: 999_999, theme: 'dark' as const };
    expect(changes(settings(), d)).toEqual({
      secret: 's3cret',
      openKfids: ['wk1', 'wk2'],
      notifications: { enabled: true, repeatSeconds: 86_400, sound: true, slaWaitingMinutes: 5, slaUnansweredMinutes: 10, slaWindowHours: 4 },
      theme: 'dark',
    });
  });

  it('sends SLA thresholds as whole numbers within their limits', () => {
    const d = { ...draftOf(settings()), slaWaitingMinutes: 2.6, slaUnansweredMinutes: -4, slaWindowHours: 99 };
    expect(changes(settings(), d).notifications).toEqual({
      enabled: true, repeatSeconds: 60, sound: true, slaWaitingMinutes: 3, slaUnansweredMinutes: 0, slaWindowHours: 47,
    });
  });

  it('parses accounts from lines or commas, without repeats', () => {
    expect(parseAccounts(' wk1,wk2\n\nwk1；wk3 ')).toEqual(['wk1', 'wk2', 'wk3']);
  });
});

describe('SettingsState', () => {
  it('loads, saves the changes, and resets the secret field to empty', async () => {
    const sent: SettingsSetRequest[] = [];
    let stored = settings({ hasSecret: false });
    const state = new SettingsState(async <T>(cmd: string, req: unknown) => {
      if (cmd === 'settings_set') {
        const r = req as SettingsSetRequest;
        sent.push(r);
        stored = { ...stored, agentName: r.agentName ?? stored.agentName, hasSecret: stored.hasSecret || !!r.secret };
        return { settings: stored, restartRequired: true } as T;
      }
      return stored as T;
    });
    await state.load();
    expect(state.dirty).toBe(false);
    state.edit({ agentName: '小李', secret: 'abc' });
    expect(state.dirty).toBe(true);
    expect(await state.save()).toBe(true);
    expect(sent).toEqual([{ agentName: '小李', secret: 'abc' }]);
    expect(state.saved?.hasSecret).toBe(true);
    expect(state.draft?.secret, 'the secret is write-only').toBe('');
    expect(state.restartRequired).toBe(true);
    expect(state.dirty).toBe(false);
  });

  it('keeps the draft and the error when the save fails', async () => {
    const state = new SettingsState(async <T>(cmd: string) => {
      if (cmd === 'settings_set') throw { code: 'KEYRING_UNAVAILABLE', message: 'no keyring' };
      return settings() as T;
    });
    await state.load();
    state.edit({ secret: 'abc' });
    expect(await state.save()).toBe(false);
    expect(state.error?.code).toBe('KEYRING_UNAVAILABLE');
    expect(state.draft?.secret).toBe('abc');
  });

  it('saves one field without touching other edits in progress', async () => {
    const sent: SettingsSetRequest[] = [];
    const state = new SettingsState(async <T>(cmd: string, req: unknown) => {
      if (cmd === 'settings_set') {
        sent.push(req as SettingsSetRequest);
        return { settings: settings({ language: 'en' }), restartRequired: false } as T;
      }
      return settings() as T;
    });
    await state.load();
    state.edit({ agentName: 'typing…' });
    await state.saveOnly({ language: 'en' });
    expect(sent).toEqual([{ language: 'en' }]);
    expect(state.draft?.language).toBe('en');
    expect(state.draft?.agentName).toBe('typing…');
  });
});

describe('business hours in the form', () => {
  it('shows and reads times as HH:MM, midnight closing as 24:00', () => {
    expect(hhmm(540)).toBe('09:00');
    expect(hhmm(1440)).toBe('24:00');
    expect(minutesOf('18:30')).toBe(1110);
    expect(minutesOf('00:00', true)).toBe(1440);
    expect(minutesOf('25:00')).toBeUndefined();
    expect(minutesOf('9点')).toBeUndefined();
  });

  it('sends the hours only when changed, with the days in order', () => {
    expect(changes(settings(), draftOf(settings())).businessHours).toBeUndefined();
    const d = { ...draftOf(settings()), hours: { enabled: true, days: [6, 1, 6], open: '08:30', close: '18:00', awayText: '下班啦' } };
    expect(changes(settings(), d).businessHours).toMatchObject({
      enabled: true, days: [1, 6], openMinute: 510, closeMinute: 1080, awayText: '下班啦',
    });
  });

  it('sends the accounts with their own hours as one list, only when it changed', () => {
    const saved = settings();
    const none = draftOf(saved);
    expect(changes(saved, none).accountHours).toBeUndefined();
    const own = { enabled: true, days: [7, 6], open: '10:00', close: '00:00', awayText: '周末值班' };
    const req = changes(saved, { ...none, accountHours: [{ openKfid: 'kf2', hours: own }] });
    expect(req.accountHours).toEqual([
      { openKfid: 'kf2', hours: expect.objectContaining({ enabled: true, days: [6, 7], openMinute: 600, closeMinute: 1440, awayText: '周末值班' }) },
    ]);
    expect(req.businessHours).toBeUndefined();
    // Saved as sent: nothing to send again; removing the account sends the empty list.
    const stored = settings({ accountHours: req.accountHours });
    expect(changes(stored, draftOf(stored)).accountHours).toBeUndefined();
    expect(changes(stored, { ...draftOf(stored), accountHours: [] }).accountHours).toEqual([]);
  });
});
