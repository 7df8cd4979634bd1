/**
 * The backend's single UI event channel, `kefu://event`: `changed` / `resync` mean refetch;
 * `health` carries the new sync health; `focusConversation` asks to show a conversation. Outside
 * Tauri (a plain browser, unit tests) there is no channel and `subscribeUiEvents` is a no-op,
 * with the same detection as `rpc`.
 */
import { listen } from '@tauri-apps/api/event';
import type { UiEvent } from './contract';
import { inTauri } from './rpc';

export const UI_EVENT = 'kefu://event';

/** Subscribes to UI events; resolves to an unsubscribe function. */
export type Subscribe = (handler: (event: UiEvent) => void) => Promise<() => void>;

export const subscribeUiEvents: Subscribe = async (handler) => {
  if (!inTauri()) return () => {};
  return listen<UiEvent>(UI_EVENT, (e) => handler(e.payload));
};

/** The rpc function's shape, so state classes can take a fake in tests. */
export type Call = <T>(cmd: string, req: unknown) => Promise<T>;

/** True for the events that mean "data changed: refetch". */
export const isRefetch = (event: UiEvent) => event.kind === 'changed' || event.kind === 'resync';

/** Events closer together than this share one refetch (the last one, at the end of the gap). */
export const REFETCH_GAP_MS = 250;

/**
 * Runs `refresh` on `changed`/`resync` UI events and every `intervalMs` as a fallback; returns a
 * stop function. A burst of events (a busy desk sends many a second) refetches at once and then
 * once more at the end of each `REFETCH_GAP_MS`, never once per event: what is shown is at most
 * a quarter of a second old, and a long day does not churn the window's memory. A subscription
 * that resolves after `stop` is released at once.
 */
export function autoRefresh(refresh: () => void, subscribe: Subscribe, intervalMs: number): () => void {
  let stopped = false;
  let unlisten: (() => void) | undefined;
  let last = Number.NEGATIVE_INFINITY;
  let trailing: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    trailing = undefined;
    last = Date.now();
    if (!stopped) refresh();
  };
  subscribe((event) => {
    if (!isRefetch(event) || trailing !== undefined) return;
    const wait = last + REFETCH_GAP_MS - Date.now();
    if (wait <= 0) run();
    else trailing = setTimeout(run, wait);
  }).then(
    (un) => {
      if (stopped) un();
      else unlisten = un;
    },
    () => {
      // No event channel: the interval alone keeps the data fresh.
    },
  );
  const timer = setInterval(refresh, intervalMs);
  return () => {
    stopped = true;
    clearInterval(timer);
    clearTimeout(trailing);
    unlisten?.();
  };
}
