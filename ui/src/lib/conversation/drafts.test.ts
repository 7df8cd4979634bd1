import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Drafts, MAX_AGE_MS, MAX_DRAFTS, SAVE_DELAY_MS, keep, type DraftStorage } from './drafts.svelte';

function memory(): DraftStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

describe('Drafts', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a draft survives a restart: written shortly after the last keystroke, read by the next start', () => {
    const storage = memory();
    const drafts = new Drafts(storage, () => 1_000);
    drafts.set('wk:wm1', '您好，订单');
    drafts.set('wk:wm1', '您好，订单已发货');
    expect(storage.data.size, 'not written on every keystroke').toBe(0);
    vi.advanceTimersByTime(SAVE_DELAY_MS);
    const next = new Drafts(storage, () => 2_000);
    expect(next.get('wk:wm1')).toBe('您好，订单已发货');
    expect(next.get('wk:wm2')).toBe('');
  });

  it('an emptied draft is removed and flush writes at once', () => {
    const storage = memory();
    const drafts = new Drafts(storage, () => 1_000);
    drafts.set('a', 'x');
    drafts.flush();
    expect(new Drafts(storage, () => 1_000).get('a')).toBe('x');
    drafts.set('a', '');
    drafts.flush();
    expect(JSON.parse(storage.data.get('kefu.drafts')!)).toEqual({});
  });

  it('old, excess and malformed drafts are dropped; broken storage never throws', () => {
    const now = 10 * MAX_AGE_MS;
    const raw: Record<string, unknown> = { old: { text: 'old', at: now - MAX_AGE_MS }, bad: { text: 3, at: now }, nul: null };
    for (let i = 0; i < MAX_DRAFTS + 5; i++) raw[`k${i}`] = { text: `t${i}`, at: now - i };
    const kept = keep(raw, now);
    expect(Object.keys(kept)).toHaveLength(MAX_DRAFTS);
    expect(kept['k0']?.text, 'the newest are kept').toBe('t0');
    expect(kept['old'] ?? kept['bad'] ?? kept['nul']).toBeUndefined();

    const broken = memory();
    broken.data.set('kefu.drafts', '{not json');
    expect(new Drafts(broken).get('k0')).toBe('');
    const full: DraftStorage = { getItem: () => null, setItem: () => { throw new Error('QuotaExceededError'); } };
    const drafts = new Drafts(full);
    drafts.set('a', 'still here');
    expect(() => drafts.flush()).not.toThrow();
    expect(drafts.get('a'), 'kept for this session').toBe('still here');
  });
});
