import { describe, expect, it } from 'vitest';
import { ActionRegistry, filterActions, fuzzyScore, type Action } from './actions.svelte';
import { comboLabel, matches, parseCombo } from './keys';

const key = (k: string, mods: Partial<KeyboardEvent> = {}, target: unknown = null) =>
  ({
    key: k,
    ctrlKey: false,
    altKey: false,
    shiftKey: false,
    metaKey: false,
    isComposing: false,
    keyCode: 0,
    target,
    defaultPrevented: false,
    preventDefault() {
      (this as { defaultPrevented: boolean }).defaultPrevented = true;
    },
    ...mods,
  }) as unknown as KeyboardEvent;

describe('keys', () => {
  it('parses, matches exactly and labels combinations', () => {
    const c = parseCombo('Ctrl+K', false);
    expect(matches(c, key('k', { ctrlKey: true }))).toBe(true);
    expect(matches(c, key('K', { ctrlKey: true }))).toBe(true);
    expect(matches(c, key('k', { ctrlKey: true, altKey: true })), 'extra modifiers do not match').toBe(false);
    expect(matches(c, key('k'))).toBe(false);
    expect(matches(parseCombo('Mod+,', false), key(',', { ctrlKey: true }))).toBe(true);
    expect(matches(parseCombo('Mod+,', true), key(',', { metaKey: true }))).toBe(true);
    expect(matches(parseCombo('Alt+ArrowDown', false), key('ArrowDown', { altKey: true }))).toBe(true);
    expect(comboLabel('Alt+ArrowUp', false)).toEqual(['Alt', '↑']);
    expect(comboLabel('Ctrl++', false)).toEqual(['Ctrl', '+']);
  });
});

describe('ActionRegistry', () => {
  const setup = () => {
    const ran: string[] = [];
    let canClaim = false;
    const actions: Action[] = [
      { id: 'palette', title: 'app.title', group: 'app.title', keys: ['Ctrl+K'], run: () => ran.push('palette') },
      { id: 'claim', title: 'app.title', group: 'app.title', keys: ['Alt+C'], enabled: () => canClaim, run: () => ran.push('claim') },
      { id: 'help', title: 'app.title', group: 'app.title', keys: ['?'], run: () => ran.push('help') },
    ];
    return { reg: new ActionRegistry(actions), ran, allow: () => (canClaim = true) };
  };

  it('runs the action bound to a key and consumes the event', () => {
    const { reg, ran } = setup();
    const e = key('k', { ctrlKey: true });
    expect(reg.handleKey(e)).toBe(true);
    expect(e.defaultPrevented).toBe(true);
    expect(ran).toEqual(['palette']);
    expect(reg.handleKey(key('x', { ctrlKey: true }))).toBe(false);
  });

  it('never runs a disabled action, from a key or by id', () => {
    const { reg, ran, allow } = setup();
    expect(reg.handleKey(key('c', { altKey: true }))).toBe(false);
    expect(reg.run('claim')).toBe(false);
    allow();
    expect(reg.run('claim')).toBe(true);
    expect(ran).toEqual(['claim']);
  });

  it('leaves plain keys to text fields and during IME composition', () => {
    const { reg, ran } = setup();
    const textarea = { tagName: 'TEXTAREA', isContentEditable: false };
    expect(reg.handleKey(key('?', { shiftKey: true }, textarea))).toBe(false);
    expect(reg.handleKey(key('?', { shiftKey: true }))).toBe(true);
    expect(reg.handleKey(key('k', { ctrlKey: true }, textarea)), 'modified keys work while typing').toBe(true);
    expect(reg.handleKey(key('k', { ctrlKey: true, isComposing: true }))).toBe(false);
    expect(ran).toEqual(['help', 'palette']);
  });
});

describe('filterActions', () => {
  const items = [
    { id: 'claim', t: ['接入会话', 'Claim'] },
    { id: 'search', t: ['搜索历史消息', 'Search history'] },
    { id: 'settings', t: ['设置', 'Settings'] },
  ];
  it('matches titles in either language and ids, best first', () => {
    expect(filterActions(items, '', (a) => a.t).map((a) => a.id)).toEqual(['claim', 'search', 'settings']);
    expect(filterActions(items, '接入', (a) => a.t).map((a) => a.id)).toEqual(['claim']);
    expect(filterActions(items, 'se', (a) => a.t).map((a) => a.id)).toEqual(['search', 'settings']);
    expect(filterActions(items, 'sttg', (a) => a.t).map((a) => a.id)).toEqual(['settings']);
    expect(filterActions(items, 'zzz', (a) => a.t)).toEqual([]);
    expect(fuzzyScore('Claim', 'cl')).toBe(0);
  });
});
