/**
 * The composer's `/` trigger: a `/` at the start of the text or after a space or newline, and
 * what follows it up to the caret (no spaces), is a search for a canned reply. A `/` inside a
 * word or a URL is not.
 */
export interface SlashQuery {
  /** Index of the `/`. */
  start: number;
  /** What follows it, up to the caret. */
  query: string;
}

export function slashQuery(text: string, caret: number): SlashQuery | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)\/([^\s/]{0,24})$/.exec(before);
  const query = m?.[2];
  if (query === undefined) return null;
  return { start: before.length - query.length - 1, query };
}

/** The text with `/query` (from `start` to `caret`) replaced by `insert`, and the new caret. */
export function replaceSlash(text: string, q: SlashQuery, caret: number, insert: string): { text: string; caret: number } {
  return { text: text.slice(0, q.start) + insert + text.slice(caret), caret: q.start + insert.length };
}
