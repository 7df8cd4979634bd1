/**
 * The UI's locale and `t()`. Owns the current locale as `$state`, so every template that calls
 * `t()` re-renders when it changes. Invariants: every UI string comes from a catalogue here;
 * `t()` returns plain text (parameters are substituted as text, the result is never HTML).
 */
import { en } from './en';
import { zhCN, type MessageKey, type Messages } from './zh-CN';

export type { MessageKey, Messages };

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export const catalogues: Record<Locale, Messages> = { 'zh-CN': zhCN, en };

export type Params = Record<string, string | number>;

const STORAGE_KEY = 'kefu.locale';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(zhCN, key);
}

/** Replaces each `{name}` with `params[name]`; unknown placeholders stay visible, not blank. */
export function interpolate(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

function storedLocale(): Locale | undefined {
  try {
    const value = globalThis.localStorage?.getItem(STORAGE_KEY);
    return isLocale(value) ? value : undefined;
  } catch {
    // Storage can be disabled; the default locale is a correct answer then.
    return undefined;
  }
}

export class I18n {
  #locale = $state<Locale>('zh-CN');

  constructor(initial: Locale = storedLocale() ?? 'zh-CN') {
    this.#locale = initial;
  }

  get locale(): Locale {
    return this.#locale;
  }

  set locale(next: Locale) {
    this.#locale = next;
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, next);
    } catch {
      // Not persisting the choice is acceptable; failing the switch is not.
    }
  }

  toggle(): void {
    this.locale = this.#locale === 'zh-CN' ? 'en' : 'zh-CN';
  }

  t(key: MessageKey, params?: Params): string {
    return interpolate(catalogues[this.#locale][key], params);
  }
}

export const i18n = new I18n();

export function t(key: MessageKey, params?: Params): string {
  return i18n.t(key, params);
}
