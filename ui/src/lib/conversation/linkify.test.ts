import { describe, expect, it } from 'vitest';
import { isWebUrl, linkify } from './linkify';

const join = (text: string) =>
  linkify(text)
    .map((s) => s.text)
    .join('');

describe('linkify', () => {
  it('finds http(s) and www links and keeps the text around them', () => {
    expect(linkify('订单见 https://shop.example.com/o?id=1，谢谢')).toEqual([
      { kind: 'text', text: '订单见 ' },
      { kind: 'link', text: 'https://shop.example.com/o?id=1', href: 'https://shop.example.com/o?id=1' },
      { kind: 'text', text: '，谢谢' },
    ]);
    expect(linkify('see www.example.org.')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'www.example.org', href: 'https://www.example.org' },
      { kind: 'text', text: '.' },
    ]);
  });

  it('keeps a balanced closing parenthesis and drops a sentence one', () => {
    expect(linkify('(https://x.org/a_(b))').find((s) => s.kind === 'link')?.text).toBe('https://x.org/a_(b)');
  });

  it('never links other schemes and gives the input back unchanged', () => {
    const hostile = 'javascript:alert(1) <a href="https://evil">x</a> file:///etc/passwd';
    expect(linkify(hostile).filter((s) => s.kind === 'link').map((s) => s.text)).toEqual(['https://evil']);
    for (const text of [hostile, '', '纯文本', 'a https://b.cn/c d http://e.f']) expect(join(text)).toBe(text);
  });

  it('accepts only absolute http(s) URLs for opening', () => {
    expect(isWebUrl('https://a.cn/x')).toBe(true);
    expect(isWebUrl('http://a.cn')).toBe(true);
    expect(isWebUrl('javascript:alert(1)')).toBe(false);
    expect(isWebUrl('file:///etc/passwd')).toBe(false);
    expect(isWebUrl('www.a.cn')).toBe(false);
  });
});
