/**
 * History search as the agent types: debounced `search_messages`, filters (account, customer,
 * time range, sender), and paging with `nextBefore`. Invariants: only the answer to the latest
 * query and filters is shown (older answers are dropped); a blank query shows nothing and calls
 * nothing; the query is sent as typed (plain text, never query syntax). Answers in the older shape
 * (`{messages}`) are read too, their snippets highlighted here.
 */
import type { MessageDto, SearchHitDto, SearchRequest, SearchResponse, SearchSender } from '../ipc/contract';
import type { Call } from '../ipc/events';
import { rpc, toRpcError, type RpcError } from '../ipc/rpc';
import { clip, highlight, type Segment } from './highlight';

export const SEARCH_DEBOUNCE_MS = 250;
export const SEARCH_PAGE = 50;

export interface SearchFilters {
  openKfid: string;
  externalUserid: string;
  /** yyyy-mm-dd, local time; '' = open. */
  sinceDay: string;
  untilDay: string;
  sender: '' | SearchSender;
}

export const NO_FILTERS: SearchFilters = { openKfid: '', externalUserid: '', sinceDay: '', untilDay: '', sender: '' };

export interface Hit {
  message: MessageDto;
  nickname: string | null;
  snippet: Segment[];
}

/** A hit's identity: the message it is (msgids are unique per account). */
export const hitKey = (hit: Hit): string => `${hit.message.openKfid}\u0000${hit.message.msgid}`;

/** Unix seconds of the start (or, with `end`, the last second) of a local yyyy-mm-dd day. */
export function dayToSeconds(day: string, end = false): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  // A throwaway calculation, not state.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (end) d.setDate(d.getDate() + 1);
  return Math.floor(d.getTime() / 1000) - (end ? 1 : 0);
}

export function toRequest(query: string, f: SearchFilters, before?: number): SearchRequest {
  const req: SearchRequest = { query, limit: SEARCH_PAGE };
  if (f.openKfid) req.openKfid = f.openKfid;
  if (f.externalUserid) req.externalUserid = f.externalUserid;
  const since = dayToSeconds(f.sinceDay);
  const until = dayToSeconds(f.untilDay, true);
  if (since !== undefined) req.since = since;
  if (until !== undefined) req.until = until;
  if (f.sender) req.sender = f.sender;
  if (before !== undefined) req.before = before;
  return req;
}

/** Hits from either answer shape; snippets clipped around the first match. */
export function toHits(res: SearchResponse | { messages: MessageDto[] }, query: string): { hits: Hit[]; nextBefore: number | null } {
  if ('hits' in res) {
    return {
      hits: res.hits.map((h: SearchHitDto) => ({
        message: h.message,
        nickname: h.nickname,
        snippet: clip(h.snippet.length ? h.snippet : highlight(h.message.text ?? '', query)),
      })),
      nextBefore: res.nextBefore ?? null,
    };
  }
  return {
    hits: res.messages.map((m) => ({ message: m, nickname: null, snippet: clip(highlight(m.text ?? '', query)) })),
    nextBefore: null,
  };
}

export interface SearchOptions {
  call?: Call;
  debounceMs?: number;
}

export class Search {
  query = $state('');
  filters = $state<SearchFilters>({ ...NO_FILTERS });
  hits = $state.raw<Hit[]>([]);
  nextBefore = $state<number | null>(null);
  loading = $state(false);
  loadingMore = $state(false);
  error = $state<RpcError | null>(null);
  /** The query the shown hits answer ('' before any). */
  answered = $state('');

  readonly #call: Call;
  readonly #debounceMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #seq = 0;

  constructor({ call = rpc, debounceMs = SEARCH_DEBOUNCE_MS }: SearchOptions = {}) {
    this.#call = call;
    this.#debounceMs = debounceMs;
  }

  /** Sets the query (and filters) and searches after the debounce. */
  input(query: string, filters: Partial<SearchFilters> = {}): void {
    this.query = query;
    this.filters = { ...this.filters, ...filters };
    clearTimeout(this.#timer);
    if (query.trim() === '') {
      this.#seq++;
      this.hits = [];
      this.nextBefore = null;
      this.loading = false;
      this.error = null;
      this.answered = '';
      return;
    }
    this.loading = true;
    this.#timer = setTimeout(() => void this.run(), this.#debounceMs);
  }

  /** Searches now with the current query and filters. */
  async run(): Promise<void> {
    clearTimeout(this.#timer);
    const query = this.query.trim();
    if (!query) return;
    const seq = ++this.#seq;
    this.loading = true;
    try {
      const res = await this.#call<SearchResponse | { messages: MessageDto[] }>('search_messages', toRequest(query, this.filters));
      if (seq !== this.#seq) return;
      const { hits, nextBefore } = toHits(res, query);
      this.hits = hits;
      this.nextBefore = nextBefore;
      this.error = null;
      this.answered = query;
    } catch (e) {
      if (seq === this.#seq) this.error = toRpcError(e);
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }

  /** The next page, when there is one. */
  async more(): Promise<void> {
    const before = this.nextBefore;
    const query = this.answered;
    if (before === null || this.loadingMore || !query) return;
    const seq = this.#seq;
    this.loadingMore = true;
    try {
      const res = await this.#call<SearchResponse | { messages: MessageDto[] }>('search_messages', toRequest(query, this.filters, before));
      if (seq !== this.#seq) return;
      const page = toHits(res, query);
      // eslint-disable-next-line svelte/prefer-svelte-reactivity
      const known = new Set(this.hits.map(hitKey));
      this.hits = [...this.hits, ...page.hits.filter((h) => !known.has(hitKey(h)))];
      this.nextBefore = page.nextBefore;
    } catch (e) {
      if (seq === this.#seq) this.error = toRpcError(e);
    } finally {
      this.loadingMore = false;
    }
  }

  /**
   * New messages were stored: search the same query again shortly (coalesced), so results stay
   * current while the view is open. Nothing happens while the agent types or pages.
   */
  refreshSoon(delayMs = 1_000): void {
    if (!this.answered || this.answered !== this.query.trim() || this.loading || this.loadingMore) return;
    if (this.#refreshTimer !== undefined) return;
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = undefined;
      if (this.answered === this.query.trim() && !this.loading && this.hits.length <= SEARCH_PAGE) void this.run();
    }, delayMs);
  }

  setFilters(filters: Partial<SearchFilters>): void {
    this.input(this.query, filters);
  }

  clearFilters(): void {
    this.input(this.query, { ...NO_FILTERS });
  }
}
