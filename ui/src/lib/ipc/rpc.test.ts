import { afterEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.hoisted(() => vi.fn());
vi.mock('@tauri-apps/api/core', () => ({ invoke }));

import { rpc, toRpcError } from './rpc';

afterEach(() => {
  vi.unstubAllGlobals();
  invoke.mockReset();
});

describe('rpc', () => {
  it('rejects with NO_BACKEND outside Tauri and never reaches invoke', async () => {
    await expect(rpc('app_info', {})).rejects.toMatchObject({ code: 'NO_BACKEND' });
    vi.stubGlobal('window', {});
    await expect(rpc('app_info', {})).rejects.toMatchObject({ code: 'NO_BACKEND' });
    expect(invoke, 'no IPC without a backend').not.toHaveBeenCalled();
  });

  it('sends every command through the single `rpc` Tauri command', async () => {
    vi.stubGlobal('window', { __TAURI_INTERNALS__: {} });
    invoke.mockResolvedValue({ version: '0.1.0', mode: 'demo', apiBase: 'http://127.0.0.1:9' });
    await expect(rpc('app_info', {})).resolves.toEqual({
      version: '0.1.0',
      mode: 'demo',
      apiBase: 'http://127.0.0.1:9',
    });
    expect(invoke).toHaveBeenCalledWith('rpc', { cmd: 'app_info', req: {} });
  });

  it('passes backend {code, message} errors through unchanged', async () => {
    vi.stubGlobal('window', { __TAURI_INTERNALS__: {} });
    invoke.mockRejectedValue({ code: 'SESSION_TAKEN', message: 'claimed by another agent' });
    await expect(rpc('session_claim', {})).rejects.toEqual({
      code: 'SESSION_TAKEN',
      message: 'claimed by another agent',
    });
  });

  it('normalises a bare string rejection into {code, message}', async () => {
    vi.stubGlobal('window', { __TAURI_INTERNALS__: {} });
    invoke.mockRejectedValue('command rpc not found');
    await expect(rpc('app_info', {})).rejects.toEqual({ code: 'INTERNAL', message: 'command rpc not found' });
  });
});

describe('toRpcError', () => {
  it('keeps the colleague of a team-mode error, and only a string one', () => {
    expect(toRpcError({ code: 'TAKEN_BY_COLLEAGUE', message: 'taken', colleague: '王五' })).toEqual({
      code: 'TAKEN_BY_COLLEAGUE',
      message: 'taken',
      colleague: '王五',
    });
    expect(toRpcError({ code: 'TAKEN_BY_COLLEAGUE', message: 'taken', colleague: 7 })).toEqual({
      code: 'TAKEN_BY_COLLEAGUE',
      message: 'taken',
    });
  });

  it('maps an Error to INTERNAL with its message', () => {
    expect(toRpcError(new Error('boom'))).toEqual({ code: 'INTERNAL', message: 'boom' });
  });
});
