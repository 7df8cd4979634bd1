/**
 * The canned-reply library as the UI sees it: the matches for the composer's `/query`
 * (`canned_list`, ranked by the backend: shortcut, title, pinyin and initials, text), the whole
 * list for the 快捷回复 view, and its changes (`canned_save`, `canned_delete`, `canned_used`,
 * `canned_import`, `canned_export`). Only the answer to the latest query is kept.
 */
import type { CannedExportResponse } from '../ipc/generated/CannedExportResponse';
import type { CannedImportResponse } from '../ipc/generated/CannedImportResponse';
import type { CannedListResponse } from '../ipc/generated/CannedListResponse';
import type { CannedReplyDto } from '../ipc/generated/CannedReplyDto';
import type { CannedSaveRequest } from '../ipc/generated/CannedSaveRequest';
import type { Call } from '../ipc/events';
import { rpc, toRpcError, type RpcError } from '../ipc/rpc';

export type { CannedReplyDto };

/** Most matches shown under the composer. */
export const PICKER_LIMIT = 8;

/** Longest body in bytes (a WeChat text message). */
export const MAX_BODY_BYTES = 2048;

export type DraftProblem = 'title' | 'body' | 'bodyTooLong' | 'shortcut';

/** What the form would be refused for, checked before the backend checks it again. */
export function draftProblem(d: Pick<CannedSaveRequest, 'title' | 'body' | 'shortcut'>): DraftProblem | null {
  if (!d.title.trim()) return 'title';
  if (!d.body.trim()) return 'body';
  if (new TextEncoder().encode(d.body.trimEnd()).length > MAX_BODY_BYTES) return 'bodyTooLong';
  if (!/^\/?[a-z0-9_-]{0,16}$/i.test(d.shortcut.trim())) return 'shortcut';
  return null;
}

/** The replies grouped by folder ("" first), folders and titles in order. */
export function byFolder(replies: readonly CannedReplyDto[]): { folder: string; replies: CannedReplyDto[] }[] {
  // A throwaway grouping, not state.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  const groups = new Map<string, CannedReplyDto[]>();
  for (const r of replies) {
    const list = groups.get(r.folder);
    if (list) list.push(r);
    else groups.set(r.folder, [r]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b, 'zh-CN'))
    .map(([folder, list]) => ({ folder, replies: list }));
}

export class CannedLibrary {
  /** Matches of the latest query, best first. */
  matches = $state.raw<CannedReplyDto[]>([]);
  /** Every reply, or those matching `filter` (the management view). */
  all = $state.raw<CannedReplyDto[]>([]);
  /** The management view's search. */
  filter = $state('');
  /** Whether team replies can be written. */
  team = $state(false);
  error = $state<RpcError | null>(null);
  #call: Call;
  #seq = 0;

  constructor({ call = rpc }: { call?: Call } = {}) {
    this.#call = call;
  }

  async find(query: string): Promise<void> {
    const seq = ++this.#seq;
    try {
      const res = await this.#call<CannedListResponse>('canned_list', { query });
      if (seq !== this.#seq) return;
      this.matches = res.replies.slice(0, PICKER_LIMIT);
      this.team = res.team;
      this.error = null;
    } catch (e) {
      if (seq === this.#seq) this.error = toRpcError(e);
    }
  }

  async loadAll(): Promise<void> {
    try {
      const res = await this.#call<CannedListResponse>('canned_list', { query: this.filter });
      this.all = res.replies;
      this.team = res.team;
      this.error = null;
    } catch (e) {
      this.error = toRpcError(e);
    }
  }

  async save(req: CannedSaveRequest): Promise<CannedReplyDto> {
    const saved = await this.#call<CannedReplyDto>('canned_save', req);
    await this.loadAll();
    return saved;
  }

  async remove(id: string): Promise<void> {
    await this.#call('canned_delete', { id });
    await this.loadAll();
  }

  /** Counts a use (the most used rank first); a failure here never blocks the agent. */
  used(id: string): void {
    this.#call('canned_used', { id }).catch(() => undefined);
  }

  async importCsv(csv: string, scope: string): Promise<CannedImportResponse> {
    const res = await this.#call<CannedImportResponse>('canned_import', { csv, scope });
    await this.loadAll();
    return res;
  }

  exportCsv(): Promise<CannedExportResponse> {
    return this.#call<CannedExportResponse>('canned_export', {});
  }
}
