/**
 * The in-window alert sound, for when the system has no notification service to play one: two
 * short tones made with Web Audio (no sound file, nothing to load). Silent where Web Audio is
 * missing or refuses (an autoplay policy before any click): an alert is never lost for it.
 */

type AudioContextLike = Pick<AudioContext, 'currentTime' | 'destination' | 'createOscillator' | 'createGain' | 'close'>;

let shared: AudioContextLike | null = null;

function context(make?: () => AudioContextLike): AudioContextLike | null {
  if (make) return make();
  if (shared) return shared;
  const Ctor = typeof window === 'undefined' ? undefined : window.AudioContext;
  if (!Ctor) return null;
  shared = new Ctor();
  return shared;
}

/** Plays the chime; returns whether it was scheduled. */
export function chime(make?: () => AudioContextLike): boolean {
  try {
    const ctx = context(make);
    if (!ctx) return false;
    const start = ctx.currentTime;
    [880, 1320].forEach((freq, i) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      const t = start + i * 0.16;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.2, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.15);
      osc.connect(gain);
      gain.connect(ctx.destination);
      osc.start(t);
      osc.stop(t + 0.16);
    });
    return true;
  } catch {
    return false;
  }
}
