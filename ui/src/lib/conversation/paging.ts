/**
 * How pages of `message_list` join the messages on screen. The loaded messages are one
 * contiguous run in the backend's order (oldest → newest), without duplicates (by msgid). Row ids
 * are paging keys only: they are not compared, since their order need not follow message time.
 * Invariants: a newest page that overlaps the run replaces its tail (so delivery states and
 * recalls refresh, and a late message lands where the backend puts it); one that does not reach
 * the run's newest message leaves a gap and replaces the run, never joins across the gap; an older
 * page is put in front, without the messages already there. `reachBack` closes such a gap first
 * where a few older pages do.
 */
import type { MessageDto } from '../ipc/contract';

export interface Run {
  messages: MessageDto[];
  /** Older messages exist before the first one. */
  hasOlder: boolean;
}

/** Joins the newest page (a complete suffix of the conversation, oldest → newest) to the run. */
export function mergeNewest(run: Run, page: readonly MessageDto[], pageHasMore: boolean): Run {
  if (run.messages.length === 0 || page.length === 0) return { messages: [...page], hasOlder: pageHasMore };
  const inPage = new Set(page.map((m) => m.msgid));
  const newestLoaded = run.messages[run.messages.length - 1]!;
  // A gap between what we have and this page: start again from the page.
  if (!inPage.has(newestLoaded.msgid)) return { messages: [...page], hasOlder: pageHasMore };
  const kept = run.messages.filter((m) => !inPage.has(m.msgid));
  // The page reaches back over everything loaded: its own "more" decides.
  const hasOlder = kept.length === 0 ? pageHasMore : run.hasOlder;
  return { messages: [...kept, ...page], hasOlder };
}

/** Puts an older page (oldest → newest) in front of the run. */
export function prependOlder(run: Run, page: readonly MessageDto[], pageHasMore: boolean): Run {
  const known = new Set(run.messages.map((m) => m.msgid));
  const older = page.filter((m) => !known.has(m.msgid));
  return { messages: [...older, ...run.messages], hasOlder: pageHasMore && older.length > 0 };
}

export interface Page {
  messages: MessageDto[];
  /** Older messages exist before the page's first one. */
  hasMore: boolean;
}

/**
 * Extends the newest page back with older pages (`fetchOlder(beforeId)`, at most `maxPages`)
 * until it reaches the run's newest message, so that `mergeNewest` joins instead of starting
 * again. Returns the page as it is when the run is empty or already reached, and when the run is
 * not reached: nothing older, `maxPages` fetched, or `fetchOlder` gave up (null: the answer is no
 * longer wanted).
 */
export async function reachBack(
  run: readonly MessageDto[],
  page: Page,
  maxPages: number,
  fetchOlder: (beforeId: number) => Promise<Page | null>,
): Promise<Page> {
  const target = run.at(-1)?.msgid;
  if (target === undefined) return page;
  let { messages, hasMore } = page;
  for (let i = 0; i < maxPages && hasMore && !messages.some((m) => m.msgid === target); i++) {
    const first = messages[0];
    if (!first || typeof first.id !== 'number') break;
    const older = await fetchOlder(first.id);
    if (!older) break;
    const known = new Set(messages.map((m) => m.msgid));
    const add = older.messages.filter((m) => !known.has(m.msgid));
    if (add.length === 0) break;
    messages = [...add, ...messages];
    hasMore = older.hasMore;
  }
  // Not reached: the run starts again from the newest page alone.
  return messages.some((m) => m.msgid === target) ? { messages, hasMore } : page;
}
