import { describe, expect, it } from 'vitest';
import { I18n, LOCALES, catalogues, interpolate, isLocale } from './index.svelte';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('locale catalogues', () => {
  const zhKeys = Object.keys(catalogues['zh-CN']).sort();

  it.each(LOCALES)('%s has exactly the zh-CN key set', (locale) => {
    expect(Object.keys(catalogues[locale]).sort(), `${locale} must define every key and no other`).toEqual(zhKeys);
  });

  it.each(LOCALES)('%s has no empty strings', (locale) => {
    const empty = Object.entries(catalogues[locale])
      .filter(([, text]) => text.trim() === '')
      .map(([key]) => key);
    expect(empty, `${locale} must translate every key`).toEqual([]);
  });

  it.each(LOCALES)('%s uses the same placeholders as zh-CN', (locale) => {
    for (const [key, text] of Object.entries(catalogues[locale])) {
      const zh = catalogues['zh-CN'][key as keyof (typeof catalogues)['zh-CN']];
      expect(placeholders(text), `${locale} ${key} must keep the zh-CN placeholders`).toEqual(placeholders(zh));
    }
  });
});

describe('interpolate', () => {
  it('fills every {name} with its parameter as text', () => {
    expect(interpolate('已连接 {apiBase} ({apiBase})', { apiBase: 'http://127.0.0.1:1' })).toBe(
      '已连接 http://127.0.0.1:1 (http://127.0.0.1:1)',
    );
  });

  it('keeps markup in parameters as literal text', () => {
    expect(interpolate('{name}', { name: '<b>x</b>' })).toBe('<b>x</b>');
  });

  it('formats numbers and leaves unknown placeholders visible', () => {
    expect(interpolate('{count} / {missing}', { count: 3 })).toBe('3 / {missing}');
  });

  it('returns the template unchanged without parameters', () => {
    expect(interpolate('{version}')).toBe('{version}');
  });
});

describe('I18n', () => {
  it('starts in zh-CN and toggles between the two locales', () => {
    const i18n = new I18n('zh-CN');
    expect(i18n.t('app.title')).toBe('客服台');
    i18n.toggle();
    expect(i18n.locale).toBe('en');
    expect(i18n.t('status.live', { apiBase: 'http://x' })).toBe('Connected to http://x');
    i18n.toggle();
    expect(i18n.locale).toBe('zh-CN');
    expect(i18n.t('status.live', { apiBase: 'http://x' })).toBe('已连接 http://x');
  });

  it('recognises only known locales', () => {
    expect(isLocale('en')).toBe(true);
    expect(isLocale('fr')).toBe(false);
    expect(isLocale(undefined)).toBe(false);
  });
});
