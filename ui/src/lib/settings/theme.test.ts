import { describe, expect, it } from 'vitest';
import { ThemeState, isTheme } from './theme.svelte';

describe('ThemeState', () => {
  it('cycles system → light → dark → system and knows only those', () => {
    const theme = new ThemeState('system');
    theme.cycle();
    expect(theme.theme).toBe('light');
    theme.cycle();
    expect(theme.theme).toBe('dark');
    theme.cycle();
    expect(theme.theme).toBe('system');
    expect(isTheme('dark')).toBe(true);
    expect(isTheme('blue')).toBe(false);
  });
});
