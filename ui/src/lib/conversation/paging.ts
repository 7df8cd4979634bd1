/**
 * How pages of `message_list` join the messages on screen. The loaded messages are one
 * contiguous run in the backend's order (oldest → newest), without duplicates (by msgid). Row ids
 * are paging keys only: they are not compared, since their order need not follow message time.
 * Invariants: a newest page that overlaps the run replaces its tail (so delivery states and
 * recalls refresh, and a late message lands where the backend puts it); one that does not reach
 * the run's newest message leaves a gap and replaces the run, never joins across the gap; an older
 * page is put in front, without the messages already there.
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
