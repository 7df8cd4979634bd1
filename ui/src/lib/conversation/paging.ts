/**
 * How pages of `message_list` join the messages on screen. The loaded messages are one
 * contiguous run, oldest → newest, without duplicates (by msgid). Invariants: a newest page that
 * overlaps the run replaces its tail (so delivery states and recalls refresh); one that leaves a
 * gap (more new messages than a page while away) replaces the run, never joins across the gap;
 * an older page is put in front, without the messages already there.
 */
import type { MessageDto } from '../ipc/contract';

export interface Run {
  messages: MessageDto[];
  /** Older messages exist before the first one. */
  hasOlder: boolean;
}

/** Joins the newest page (oldest → newest) to the run. */
export function mergeNewest(run: Run, page: readonly MessageDto[], pageHasMore: boolean): Run {
  if (run.messages.length === 0 || page.length === 0) return { messages: [...page], hasOlder: pageHasMore };
  const first = page[0]!.id;
  const firstLoaded = run.messages[0]!.id;
  const lastLoaded = run.messages[run.messages.length - 1]!.id;
  // A gap between what we have and this page (or nothing older left): start again from the page.
  if (first > lastLoaded) return { messages: [...page], hasOlder: pageHasMore };
  // The page reaches back over everything loaded.
  if (first <= firstLoaded) return { messages: [...page], hasOlder: pageHasMore };
  const inPage = new Set(page.map((m) => m.msgid));
  const kept = run.messages.filter((m) => m.id < first && !inPage.has(m.msgid));
  return { messages: [...kept, ...page], hasOlder: run.hasOlder };
}

/** Puts an older page (oldest → newest) in front of the run. */
export function prependOlder(run: Run, page: readonly MessageDto[], pageHasMore: boolean): Run {
  const known = new Set(run.messages.map((m) => m.msgid));
  const firstId = run.messages[0]?.id;
  const older = page.filter((m) => !known.has(m.msgid) && (firstId === undefined || m.id < firstId));
  return { messages: [...older, ...run.messages], hasOlder: pageHasMore && older.length > 0 };
}
