import { describe, expect, it } from 'vitest';
import { AppInfoState } from './app-info.svelte';

describe('AppInfoState', () => {
  it('starts loading and becomes ready with the app_info answer', async () => {
    const calls: [string, unknown][] = [];
    const state = new AppInfoState(async <T>(cmd: string, req: unknown) => {
      calls.push([cmd, req]);
      return { version: '0.1.0', mode: 'demo', apiBase: 'http://127.0.0.1:9' } as T;
    });
    expect(state.status.kind, 'nothing is known before the call').toBe('loading');
    await state.load();
    expect(calls, 'exactly one app_info call with an empty request').toEqual([['app_info', {}]]);
    expect(state.status).toEqual({
      kind: 'ready',
      info: { version: '0.1.0', mode: 'demo', apiBase: 'http://127.0.0.1:9' },
    });
  });

  it('keeps the {code, message} of a failed call', async () => {
    const state = new AppInfoState(async () => {
      throw { code: 'NO_BACKEND', message: 'no Tauri backend' };
    });
    await state.load();
    expect(state.status).toEqual({ kind: 'failed', error: { code: 'NO_BACKEND', message: 'no Tauri backend' } });
  });

  it('normalises a non-RpcError failure', async () => {
    const state = new AppInfoState(async () => {
      throw new Error('boom');
    });
    await state.load();
    expect(state.status).toEqual({ kind: 'failed', error: { code: 'INTERNAL', message: 'boom' } });
  });
});
