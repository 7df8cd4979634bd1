import { describe, expect, it } from 'vitest';
import { MAX_NAME, displayName, formatSize } from './filename';

describe('displayName', () => {
  it('drops directories, control and bidi-override characters', () => {
    expect(displayName('../../etc/passwd')).toBe('passwd');
    expect(displayName('C:\\Users\\a\\发票.pdf')).toBe('发票.pdf');
    expect(displayName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(displayName('a\u0000b\n.txt')).toBe('ab.txt');
  });

  it('never returns an empty name or a path', () => {
    for (const raw of ['', '   ', '/', '..', '\\\\', null, undefined, '\u202E']) {
      const name = displayName(raw, 'file');
      expect(name).toBe('file');
    }
    expect(displayName('a/b\\c')).not.toMatch(/[\\/]/);
  });

  it('shortens long names in the middle and keeps the extension', () => {
    const name = displayName(`${'很长的文件名'.repeat(20)}.xlsx`);
    expect([...name].length).toBe(MAX_NAME);
    expect(name.endsWith('.xlsx')).toBe(true);
    expect(name).toContain('…');
  });
});

describe('formatSize', () => {
  it('uses binary units', () => {
    expect(formatSize(512)).toBe('512 B');
    expect(formatSize(1536)).toBe('1.5 KB');
    expect(formatSize(20 * 1024 * 1024)).toBe('20 MB');
    expect(formatSize(null)).toBe('');
  });
});
