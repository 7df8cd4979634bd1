/**
 * Opens a web link in the system browser, only ever on the agent's click. Invariant: only
 * absolute http(s) URLs leave the app; the shell's `open_url` command does the opening. While the
 * shell has no such command, the link is copied to the clipboard instead and the caller is told,
 * so the agent can still paste it into a browser.
 */
import { isWebUrl } from '../conversation/linkify';
import { rpc, toRpcError } from './rpc';
import type { Call } from './events';

export type OpenOutcome = 'opened' | 'copied' | 'refused' | 'failed';

export async function openExternal(url: string, call: Call = rpc): Promise<OpenOutcome> {
  if (!isWebUrl(url)) return 'refused';
  try {
    await call('open_url', { url });
    return 'opened';
  } catch (e) {
    const error = toRpcError(e);
    if (error.code !== 'UNKNOWN_COMMAND' && error.code !== 'NO_BACKEND') return 'failed';
    try {
      await navigator.clipboard.writeText(url);
      return 'copied';
    } catch {
      return 'failed';
    }
  }
}
