/**
 * The colour theme: light, dark, or following the system (`prefers-color-scheme`). Applied as
 * `data-theme` on <html>; app.css holds the variables of each. Invariant: the last choice is
 * applied before the first paint of the next start (kept in localStorage as well as in settings).
 */
export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

const STORAGE_KEY = 'kefu.theme';

export const isTheme = (v: unknown): v is Theme => typeof v === 'string' && (THEMES as readonly string[]).includes(v);

function stored(): Theme | undefined {
  try {
    const v = globalThis.localStorage?.getItem(STORAGE_KEY);
    return isTheme(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export class ThemeState {
  #theme = $state<Theme>('system');

  constructor(initial: Theme = stored() ?? 'system') {
    this.#theme = initial;
  }

  get theme(): Theme {
    return this.#theme;
  }

  set theme(next: Theme) {
    this.#theme = next;
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, next);
    } catch {
      // Not persisting is acceptable; the settings file keeps it too.
    }
    this.apply();
  }

  apply(): void {
    if (typeof document !== 'undefined') document.documentElement.dataset.theme = this.#theme;
  }

  /** The next theme in system → light → dark → system. */
  cycle(): void {
    this.theme = THEMES[(THEMES.indexOf(this.#theme) + 1) % THEMES.length]!;
  }
}

export const theme = new ThemeState();
