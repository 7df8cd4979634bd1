/**
 * The UI's only door to the backend: `rpc(cmd, req)` → the shell's single `rpc` Tauri command,
 * which dispatches to `kefu-ipc`. Invariant: every rejection is an `RpcError` `{ code, message }`
 * (plus the `colleague` of a team-mode error); callers branch on `code`, never on `message` text.
 * Outside Tauri (a plain browser, unit tests) it rejects with `NO_BACKEND` instead of throwing from deep inside `@tauri-apps/api`.
 */
import { invoke } from '@tauri-apps/api/core';

export interface RpcError {
  code: string;
  message: string;
  /** Team mode: the colleague who has the customer (`TAKEN_BY_COLLEAGUE`). */
  colleague?: string;
}

/** Codes raised by this module itself; the backend's codes come from the generated bindings. */
export const NO_BACKEND = 'NO_BACKEND';
export const INTERNAL = 'INTERNAL';

export function isRpcError(value: unknown): value is RpcError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/** Normalises anything a rejection can carry into `{ code, message }` (and `colleague`). */
export function toRpcError(value: unknown): RpcError {
  if (isRpcError(value)) {
    const { colleague } = value as { colleague?: unknown };
    return typeof colleague === 'string'
      ? { code: value.code, message: value.message, colleague }
      : { code: value.code, message: value.message };
  }
  if (value instanceof Error) return { code: INTERNAL, message: value.message };
  return { code: INTERNAL, message: typeof value === 'string' ? value : String(value) };
}

export function inTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

export async function rpc<T>(cmd: string, req: unknown): Promise<T> {
  if (!inTauri()) {
    const error: RpcError = { code: NO_BACKEND, message: `no Tauri backend for "${cmd}"` };
    throw error;
  }
  try {
    return await invoke<T>('rpc', { cmd, req });
  } catch (e) {
    throw toRpcError(e);
  }
}
