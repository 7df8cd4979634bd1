/**
 * The customer of the selected conversation (`customer_get`) and the agent's edits to it: the
 * note (`customer_note_set`) and tags (`customer_tags_set`). Invariants: `customer` always
 * belongs to `selectedId` (an answer for a previous customer is dropped); an edit shows at once
 * and the backend's answer (the saved customer) replaces it; a failed save keeps the agent's
 * text in `noteDraft` and records `{code, message}` so nothing typed is lost.
 */
import type { CustomerDto } from '../ipc/contract';
import { autoRefresh, subscribeUiEvents, type Call, type Subscribe } from '../ipc/events';
import { rpc, toRpcError, type RpcError } from '../ipc/rpc';

export const MAX_TAGS = 20;
export const MAX_TAG_CHARS = 32;
export const MAX_NOTE_CHARS = 2000;
/** Refresh less often than the conversation: a profile changes rarely. */
export const CUSTOMER_POLL_MS = 30_000;

/** Trims, drops empties and repeats (keeping the first), and caps count and length. */
export function normaliseTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of tags) {
    const tag = [...raw.trim()].slice(0, MAX_TAG_CHARS).join('');
    if (tag && !out.includes(tag)) out.push(tag);
    if (out.length === MAX_TAGS) break;
  }
  return out;
}

export type SaveState = 'idle' | 'saving' | 'saved' | 'failed';

export interface CustomerOptions {
  call?: Call;
  subscribe?: Subscribe;
  intervalMs?: number;
}

export class CustomerState {
  selectedId = $state<string | null>(null);
  customer = $state.raw<CustomerDto | null>(null);
  loading = $state(false);
  error = $state<RpcError | null>(null);
  /** The note as the agent is typing it. */
  noteDraft = $state('');
  noteSave = $state<SaveState>('idle');
  tagsSave = $state<SaveState>('idle');

  readonly noteDirty = $derived(this.customer !== null && this.noteDraft !== this.customer.note);

  readonly #call: Call;
  readonly #subscribe: Subscribe;
  readonly #intervalMs: number;
  #seq = 0;

  constructor({ call = rpc, subscribe = subscribeUiEvents, intervalMs = CUSTOMER_POLL_MS }: CustomerOptions = {}) {
    this.#call = call;
    this.#subscribe = subscribe;
    this.#intervalMs = intervalMs;
  }

  select(externalUserid: string | null): Promise<void> {
    if (externalUserid !== this.selectedId) {
      this.selectedId = externalUserid;
      this.customer = null;
      this.noteDraft = '';
      this.noteSave = 'idle';
      this.tagsSave = 'idle';
      this.error = null;
    }
    return this.refresh();
  }

  #apply(customer: CustomerDto, keepDraft: boolean) {
    const previousNote = this.customer?.note;
    this.customer = customer;
    // Never overwrite what the agent is typing with a refresh.
    if (!keepDraft || this.noteDraft === previousNote || previousNote === undefined) this.noteDraft = customer.note;
  }

  async refresh(): Promise<void> {
    const id = this.selectedId;
    if (!id) return;
    const seq = ++this.#seq;
    this.loading = this.customer === null;
    try {
      const customer = await this.#call<CustomerDto>('customer_get', { externalUserid: id });
      if (seq !== this.#seq || this.selectedId !== id) return;
      this.#apply(customer, true);
      this.error = null;
    } catch (e) {
      if (seq !== this.#seq || this.selectedId !== id) return;
      this.error = toRpcError(e);
    } finally {
      if (this.selectedId === id) this.loading = false;
    }
  }

  /** Saves the note draft; resolves true when saved (or nothing changed). */
  async saveNote(): Promise<boolean> {
    const id = this.selectedId;
    if (!id || !this.customer) return false;
    const note = [...this.noteDraft].slice(0, MAX_NOTE_CHARS).join('');
    if (note === this.customer.note) return true;
    this.noteSave = 'saving';
    try {
      const saved = await this.#call<CustomerDto>('customer_note_set', { externalUserid: id, note });
      if (this.selectedId !== id) return true;
      this.#seq++; // a refresh under way predates the save
      const typedSince = this.noteDraft !== note;
      this.customer = saved;
      if (!typedSince) this.noteDraft = saved.note;
      this.noteSave = 'saved';
      return true;
    } catch (e) {
      if (this.selectedId === id) {
        this.noteSave = 'failed';
        this.error = toRpcError(e);
      }
      return false;
    }
  }

  /** Replaces the tags; shown at once, rolled back when the save fails. */
  async setTags(tags: readonly string[]): Promise<boolean> {
    const id = this.selectedId;
    const before = this.customer;
    if (!id || !before) return false;
    const next = normaliseTags(tags);
    this.customer = { ...before, tags: next };
    this.tagsSave = 'saving';
    try {
      const saved = await this.#call<CustomerDto>('customer_tags_set', { externalUserid: id, tags: next });
      if (this.selectedId !== id) return true;
      this.#seq++;
      this.customer = { ...saved, note: this.customer?.note ?? saved.note };
      this.tagsSave = 'saved';
      return true;
    } catch (e) {
      if (this.selectedId === id) {
        this.customer = before;
        this.tagsSave = 'failed';
        this.error = toRpcError(e);
      }
      return false;
    }
  }

  addTag(tag: string): Promise<boolean> {
    if (!this.customer) return Promise.resolve(false);
    return this.setTags([...this.customer.tags, tag]);
  }

  removeTag(tag: string): Promise<boolean> {
    if (!this.customer) return Promise.resolve(false);
    return this.setTags(this.customer.tags.filter((t) => t !== tag));
  }

  start(): () => void {
    return autoRefresh(() => void this.refresh(), this.#subscribe, this.#intervalMs);
  }
}
