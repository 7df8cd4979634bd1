import { afterEach, describe, expect, it, vi } from 'vitest';
import { playableUrl, release } from './playable';

afterEach(() => vi.restoreAllMocks());

describe('playableUrl', () => {
  it('fetches only the app media origin and hands back a blob URL, released later', async () => {
    const made = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:tauri://localhost/1');
    const revoked = vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    const fetched: string[] = [];
    const fetcher = async (u: string) => {
      fetched.push(u);
      return { ok: true, status: 200, blob: async () => new Blob(['RIFF']) };
    };
    expect(await playableUrl('kefu-media://localhost/media/a.wav', fetcher)).toBe('blob:tauri://localhost/1');
    await expect(playableUrl('https://evil.example/a.wav', fetcher)).rejects.toThrow('not a stored media file');
    await expect(playableUrl('kefu-media://localhost.evil/a', fetcher)).rejects.toThrow();
    expect(fetched).toEqual(['kefu-media://localhost/media/a.wav']);
    expect(made).toHaveBeenCalledTimes(1);
    release('blob:tauri://localhost/1');
    release('kefu-media://localhost/media/a.wav');
    release(null);
    expect(revoked).toHaveBeenCalledTimes(1);
  });

  it('fails on a missing file', async () => {
    const fetcher = async () => ({ ok: false, status: 404, blob: async () => new Blob([]) });
    await expect(playableUrl('kefu-media://localhost/media/x.wav', fetcher)).rejects.toThrow('media 404');
  });
});
