/**
 * Times and dates in the UI's locale (Intl, no library): message times, day separators, and
 * relative "since" texts. Inputs are unix seconds.
 */
import type { Locale } from './index.svelte';

const cache = new Map<string, Intl.DateTimeFormat>();

function format(locale: Locale, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    cache.set(key, f);
  }
  return f;
}

/** "14:05". */
export const timeOf = (seconds: number, locale: Locale) =>
  format(locale, { hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(seconds * 1000));

/** "2024年5月3日 星期五" / "Fri, May 3, 2024". */
export const dayOf = (seconds: number, locale: Locale) =>
  format(locale, { year: 'numeric', month: 'long', day: 'numeric', weekday: 'short' }).format(new Date(seconds * 1000));

/** "5月3日 14:05" / "May 3, 14:05"; the year too when not the current one. */
export function dateTimeOf(seconds: number, locale: Locale, nowSeconds = Date.now() / 1000): string {
  const d = new Date(seconds * 1000);
  const sameYear = d.getFullYear() === new Date(nowSeconds * 1000).getFullYear();
  return format(locale, {
    year: sameYear ? undefined : 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(d);
}
