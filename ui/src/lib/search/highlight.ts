/**
 * Highlighted text as segments, never markup: `highlight` splits a text at every occurrence of the
 * query's terms (case-insensitive); `clip` shortens segments around the first hit. Invariant:
 * joining the segments' text gives the input back (clip adds only "…" at cut ends).
 */
export interface Segment {
  text: string;
  hit: boolean;
}

/** The terms of a query: space-separated, a "quoted part" as one term. */
export function terms(query: string): string[] {
  const out: string[] = [];
  for (const m of query.matchAll(/"([^"]+)"|(\S+)/g)) {
    const term = (m[1] ?? m[2] ?? '').trim();
    if (term) out.push(term);
  }
  return out;
}

export function highlight(text: string, query: string): Segment[] {
  const ts = terms(query).map((t) => t.toLowerCase());
  if (ts.length === 0 || text === '') return text === '' ? [] : [{ text, hit: false }];
  const lower = text.toLowerCase();
  // Mark every character covered by some term (toLowerCase keeps lengths for CJK and ASCII).
  const covered = new Uint8Array(text.length);
  const sameLength = lower.length === text.length;
  for (const term of ts) {
    if (!sameLength) break;
    let from = 0;
    for (;;) {
      const i = lower.indexOf(term, from);
      if (i < 0) break;
      covered.fill(1, i, i + term.length);
      from = i + Math.max(1, term.length);
    }
  }
  const out: Segment[] = [];
  let start = 0;
  for (let i = 1; i <= text.length; i++) {
    if (i === text.length || covered[i] !== covered[start]) {
      out.push({ text: text.slice(start, i), hit: covered[start] === 1 });
      start = i;
    }
  }
  return out;
}

/** Keeps about `context` characters before the first hit and `max` in all. */
export function clip(segments: readonly Segment[], max = 160, context = 40): Segment[] {
  const total = segments.reduce((n, s) => n + s.text.length, 0);
  if (total <= max) return [...segments];
  let before = 0;
  for (const s of segments) {
    if (s.hit) break;
    before += s.text.length;
  }
  const from = before > context ? before - context : 0;
  const to = Math.min(total, from + max);
  const out: Segment[] = [];
  let pos = 0;
  for (const s of segments) {
    const a = Math.max(from, pos);
    const b = Math.min(to, pos + s.text.length);
    if (b > a) out.push({ text: s.text.slice(a - pos, b - pos), hit: s.hit });
    pos += s.text.length;
  }
  if (from > 0) out.unshift({ text: '…', hit: false });
  if (to < total) out.push({ text: '…', hit: false });
  return out;
}
