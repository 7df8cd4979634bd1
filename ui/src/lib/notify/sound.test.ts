import { describe, expect, it } from 'vitest';
import { chime } from './sound';

describe('the in-window chime', () => {
  it('schedules two short tones on the audio output', () => {
    const started: { freq: number; at: number; stop: number }[] = [];
    const param = () => ({ value: 0, setValueAtTime: () => undefined, exponentialRampToValueAtTime: () => undefined });
    const fake = {
      currentTime: 10,
      destination: {},
      close: async () => undefined,
      createGain: () => ({ gain: param(), connect: () => undefined }),
      createOscillator: () => {
        const o = {
          type: '',
          frequency: param(),
          connect: () => undefined,
          start: (at: number) => started.push({ freq: o.frequency.value, at, stop: 0 }),
          stop: (at: number) => {
            const last = started.at(-1);
            if (last) last.stop = at;
          },
        };
        return o;
      },
    };
    expect(chime(() => fake as never)).toBe(true);
    expect(started.map((s) => s.freq)).toEqual([880, 1320]);
    expect(started[1]!.at).toBeGreaterThan(started[0]!.at);
    expect(started.every((s) => s.stop > s.at && s.stop - s.at < 0.5)).toBe(true);
  });

  it('stays silent, without throwing, where audio refuses', () => {
    expect(
      chime(() => {
        throw new Error('autoplay');
      }),
    ).toBe(false);
  });
});
