import { describe, expect, it } from 'vitest';
import { clock, loadVoice, mediaAction, playedBars } from './media';

const source = { openKfid: 'kf', msgid: 'm1' };

describe('media actions', () => {
  it('name the message, never a path, and say where the copy went', async () => {
    const calls: [string, unknown][] = [];
    const call = async <T>(cmd: string, req: unknown) => {
      calls.push([cmd, req]);
      return { path: '/home/a/Downloads/发票 (2).pdf', name: '发票 (2).pdf' } as T;
    };
    expect(await mediaAction('save', source, call)).toEqual({ text: { key: 'media.saved', params: { path: '/home/a/Downloads/发票 (2).pdf' } } });
    expect(await mediaAction('open', source, call)).toEqual({ text: { key: 'media.opened', params: { name: '发票 (2).pdf' } } });
    expect(calls).toEqual([
      ['media_save', { openKfid: 'kf', msgid: 'm1' }],
      ['media_open', { openKfid: 'kf', msgid: 'm1' }],
    ]);
  });

  it('turn a refused program into its own error', async () => {
    const refuse = async () => {
      throw { code: 'LOOKS_LIKE_PROGRAM', message: 'script' };
    };
    expect(await mediaAction('open', source, refuse)).toEqual({
      text: { key: 'media.openFailed' },
      error: { key: 'error.LOOKS_LIKE_PROGRAM' },
    });
  });
});

describe('voice', () => {
  it('loads the clip or says why it cannot play', async () => {
    const clip = { url: 'kefu-media://localhost/media/x.wav', durationMs: 7640, waveform: [1, 2] };
    expect(await loadVoice(source, async <T>() => clip as T)).toEqual({ kind: 'ready', clip });
    const silk = async () => {
      throw { code: 'UNPLAYABLE', message: 'SILK' };
    };
    expect(await loadVoice(source, silk)).toEqual({ kind: 'unplayable', error: { key: 'error.UNPLAYABLE' } });
  });

  it('shows the length in minutes and seconds and the bars played', () => {
    expect(clock(7640)).toBe('0:08');
    expect(clock(65_000)).toBe('1:05');
    expect(clock(0)).toBe('0:00');
    expect(playedBars(0, 7.6, 48)).toBe(0);
    expect(playedBars(3.8, 7.6, 48)).toBe(24);
    expect(playedBars(9, 7.6, 48)).toBe(48);
    expect(playedBars(1, Number.NaN, 48)).toBe(0);
  });
});
