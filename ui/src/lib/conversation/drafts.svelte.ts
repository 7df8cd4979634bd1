/**
 * Reply drafts per conversation, kept in the window's local storage so what an agent typed
 * survives switching conversations, a reload and a restart. Invariants: a draft is written at
 * most `SAVE_DELAY_MS` after the last keystroke (and at once when the window goes away); an
 * empty draft is removed; drafts older than `MAX_AGE_MS` (past WeChat's 48 h reply window and
 * then some) or beyond the newest `MAX_DRAFTS` are dropped, so the store stays small.
 */

const STORAGE_KEY = 'kefu.drafts';
export const SAVE_DELAY_MS = 400;
export const MAX_AGE_MS = 3 * 24 * 3600 * 1000;
export const MAX_DRAFTS = 200;

interface Draft {
  text: string;
  /** Last change, ms since the epoch. */
  at: number;
}

/** The parts of `Storage` drafts need (a fake in tests). */
export type DraftStorage = Pick<Storage, 'getItem' | 'setItem'>;

function isDraft(v: unknown): v is Draft {
  return typeof v === 'object' && v !== null && typeof (v as Draft).text === 'string' && typeof (v as Draft).at === 'number';
}

/** The drafts in `raw` that are still worth keeping, newest `MAX_DRAFTS` of them. */
export function keep(raw: unknown, now: number): Record<string, Draft> {
  if (typeof raw !== 'object' || raw === null) return {};
  const fresh = Object.entries(raw).filter(
    (e): e is [string, Draft] => isDraft(e[1]) && e[1].text !== '' && now - e[1].at < MAX_AGE_MS,
  );
  fresh.sort((a, b) => b[1].at - a[1].at);
  return Object.fromEntries(fresh.slice(0, MAX_DRAFTS));
}

export class Drafts {
  #drafts = $state<Record<string, Draft>>({});
  #storage: DraftStorage | undefined;
  #now: () => number;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(storage: DraftStorage | undefined = defaultStorage(), now: () => number = Date.now) {
    this.#storage = storage;
    this.#now = now;
    try {
      const text = storage?.getItem(STORAGE_KEY);
      this.#drafts = text ? keep(JSON.parse(text), now()) : {};
    } catch {
      this.#drafts = {};
    }
  }

  /** The draft of conversation `key`, '' when none. */
  get(key: string): string {
    return this.#drafts[key]?.text ?? '';
  }

  set(key: string, text: string): void {
    if (!key || this.get(key) === text) return;
    if (text === '') delete this.#drafts[key];
    else this.#drafts[key] = { text, at: this.#now() };
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.flush(), SAVE_DELAY_MS);
  }

  /** Writes the drafts now (a pending save included). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    try {
      this.#storage?.setItem(STORAGE_KEY, JSON.stringify(keep($state.snapshot(this.#drafts), this.#now())));
    } catch {
      // Full or unavailable storage: the drafts stay for this session.
    }
  }
}

function defaultStorage(): DraftStorage | undefined {
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    return undefined;
  }
}
