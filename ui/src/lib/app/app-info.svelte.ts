/**
 * What the title bar knows about the backend: the answer to `app_info`, or why there is none.
 * Invariant: `status` is `loading` until the one call settles, then `ready` or `failed`, never
 * both; a failure keeps the `{ code, message }` so the view can localise it.
 */
import { rpc, toRpcError, type RpcError } from '../ipc/rpc';

import type { AppInfo } from '../ipc/generated/AppInfo';

export type { AppInfo };

export type AppInfoStatus =
  | { kind: 'loading' }
  | { kind: 'ready'; info: AppInfo }
  | { kind: 'failed'; error: RpcError };

type Call = <T>(cmd: string, req: unknown) => Promise<T>;

export class AppInfoState {
  status = $state<AppInfoStatus>({ kind: 'loading' });
  readonly #call: Call;

  constructor(call: Call = rpc) {
    this.#call = call;
  }

  async load(): Promise<void> {
    this.status = { kind: 'loading' };
    try {
      const info = await this.#call<AppInfo>('app_info', {});
      this.status = { kind: 'ready', info };
    } catch (e) {
      this.status = { kind: 'failed', error: toRpcError(e) };
    }
  }
}
