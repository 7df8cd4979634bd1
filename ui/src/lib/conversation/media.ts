/**
 * Received media outside the bubble: open a copy with the system application, save a copy into
 * the downloads folder (`media_open`, `media_save`), and the voice player's helpers (`voice_clip`
 * decodes WeChat's AMR once; `clock` and `playedBars` draw it). The backend picks the file and
 * its name from the message; nothing here is ever a path.
 */
import type { MediaFileResponse } from '../ipc/generated/MediaFileResponse';
import type { VoiceClipResponse } from '../ipc/generated/VoiceClipResponse';
import { rpc, toRpcError } from '../ipc/rpc';
import { errorText, type Text } from './format';

type Call = <T>(cmd: string, req: unknown) => Promise<T>;

/** The message whose media is meant. */
export interface MediaSource {
  openKfid: string;
  msgid: string;
}

export type MediaAction = 'open' | 'save';

/** What an action did, for the notice line: `text`, whose `{error}` is `error` when it failed. */
export interface MediaNotice {
  text: Text;
  error?: Text;
}

/** Runs an action and says what happened. */
export async function mediaAction(action: MediaAction, source: MediaSource, call: Call = rpc): Promise<MediaNotice> {
  try {
    const res = await call<MediaFileResponse>(action === 'open' ? 'media_open' : 'media_save', {
      openKfid: source.openKfid,
      msgid: source.msgid,
    });
    return { text: action === 'open' ? { key: 'media.opened', params: { name: res.name } } : { key: 'media.saved', params: { path: res.path } } };
  } catch (e) {
    return { text: { key: action === 'open' ? 'media.openFailed' : 'media.saveFailed' }, error: errorText(toRpcError(e)) };
  }
}

export type VoiceState = { kind: 'loading' } | { kind: 'ready'; clip: VoiceClipResponse } | { kind: 'unplayable'; error: Text };

/** Asks the backend for the playable voice. */
export async function loadVoice(source: MediaSource, call: Call = rpc): Promise<VoiceState> {
  try {
    const clip = await call<VoiceClipResponse>('voice_clip', { openKfid: source.openKfid, msgid: source.msgid });
    return { kind: 'ready', clip };
  } catch (e) {
    return { kind: 'unplayable', error: errorText(toRpcError(e)) };
  }
}

/** "0:07", "1:05" from milliseconds (rounded up to the second, as a voice bubble shows it). */
export function clock(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000 - 0.05));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** How many of `bars` bars are played at `current` of `duration` seconds. */
export function playedBars(current: number, duration: number, bars: number): number {
  if (!(duration > 0) || !(current > 0)) return 0;
  return Math.min(bars, Math.round((current / duration) * bars));
}
