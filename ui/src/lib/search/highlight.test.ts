import { describe, expect, it } from 'vitest';
import { clip, highlight, terms } from './highlight';

const join = (s: { text: string }[]) => s.map((x) => x.text).join('');

describe('highlight', () => {
  it('splits at every match of every term, case-insensitively', () => {
    expect(highlight('我要退款，退款单号 SF1234', '退款 sf')).toEqual([
      { text: '我要', hit: false },
      { text: '退款', hit: true },
      { text: '，', hit: false },
      { text: '退款', hit: true },
      { text: '单号 ', hit: false },
      { text: 'SF', hit: true },
      { text: '1234', hit: false },
    ]);
  });

  it('merges overlapping terms and keeps markup as text', () => {
    const s = highlight('<b>abc</b>', 'ab bc');
    expect(s).toEqual([
      { text: '<b>', hit: false },
      { text: 'abc', hit: true },
      { text: '</b>', hit: false },
    ]);
    expect(join(s)).toBe('<b>abc</b>');
  });

  it('reads quoted parts as one term', () => {
    expect(terms('"iPhone 15" 退款')).toEqual(['iPhone 15', '退款']);
    expect(highlight('no match', '')).toEqual([{ text: 'no match', hit: false }]);
  });
});

describe('clip', () => {
  it('keeps context before the first hit and marks the cuts', () => {
    const text = `${'前'.repeat(100)}退款${'后'.repeat(100)}`;
    const out = clip(highlight(text, '退款'), 60, 10);
    expect(out[0]).toEqual({ text: '…', hit: false });
    expect(out.at(-1)).toEqual({ text: '…', hit: false });
    expect(join(out.slice(1, -1)).length).toBe(60);
    expect(out[1]!.text).toBe('前'.repeat(10));
    expect(out[2]).toEqual({ text: '退款', hit: true });
  });

  it('leaves short text alone', () => {
    const s = highlight('短文本退款', '退款');
    expect(clip(s)).toEqual(s);
  });
});
