import { afterEach, describe, expect, it, vi } from 'vitest';
import { openExternal } from './opener';

afterEach(() => vi.unstubAllGlobals());

describe('openExternal', () => {
  it('hands only http(s) links to open_url', async () => {
    const calls: [string, unknown][] = [];
    const call = async <T>(cmd: string, req: unknown) => {
      calls.push([cmd, req]);
      return {} as T;
    };
    expect(await openExternal('https://a.cn/x', call)).toBe('opened');
    expect(await openExternal('javascript:alert(1)', call)).toBe('refused');
    expect(await openExternal('file:///etc/passwd', call)).toBe('refused');
    expect(calls).toEqual([['open_url', { url: 'https://a.cn/x' }]]);
  });

  it('copies the link when the shell cannot open it, and reports other failures', async () => {
    const copied: string[] = [];
    vi.stubGlobal('navigator', { clipboard: { writeText: async (s: string) => void copied.push(s) } });
    const unknown = async () => {
      throw { code: 'UNKNOWN_COMMAND', message: 'no open_url' };
    };
    expect(await openExternal('https://a.cn/x', unknown)).toBe('copied');
    expect(copied).toEqual(['https://a.cn/x']);
    const broken = async () => {
      throw { code: 'INTERNAL', message: 'no browser' };
    };
    expect(await openExternal('https://a.cn/y', broken)).toBe('failed');
    expect(copied, 'a real failure does not copy').toEqual(['https://a.cn/x']);
  });
});
