/**
 * The arithmetic of a windowed list over measured row heights, without a DOM: prefix offsets,
 * the rows to render for a scroll position, and where to scroll to keep a row in place when rows
 * are added above it or re-measured. Invariants: `offsets` has `keys.length + 1` entries, starts
 * at 0 and never decreases; a row with no measurement counts as `estimate`.
 */
export interface Layout {
  keys: readonly string[];
  /** offsets[i] = top of row i; offsets[n] = total height. */
  offsets: Float64Array;
  /** key → index. */
  index: Map<string, number>;
}

export function layout(keys: readonly string[], sizes: ReadonlyMap<string, number>, estimate: number): Layout {
  const offsets = new Float64Array(keys.length + 1);
  const index = new Map<string, number>();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    index.set(key, i);
    offsets[i + 1] = offsets[i]! + (sizes.get(key) ?? estimate);
  }
  return { keys, offsets, index };
}

export const totalHeight = (l: Layout) => l.offsets[l.keys.length]!;

/** The index of the row at `y` (clamped to the rows); 0 for an empty list. */
export function rowAt(l: Layout, y: number): number {
  const n = l.keys.length;
  if (n === 0) return 0;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (l.offsets[mid]! <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Rows [start, end) intersecting [scrollTop - overscan, scrollTop + viewport + overscan]. */
export function visibleRange(l: Layout, scrollTop: number, viewport: number, overscan: number): { start: number; end: number } {
  const n = l.keys.length;
  if (n === 0) return { start: 0, end: 0 };
  const start = rowAt(l, Math.max(0, scrollTop - overscan));
  const bottom = scrollTop + viewport + overscan;
  let end = rowAt(l, bottom) + 1;
  if (end > n) end = n;
  return { start, end: Math.max(end, start + 1) };
}

/**
 * The rows to render, with slack: `previous` is kept while it still covers the viewport with
 * half the overscan on each side and reaches no further than twice the overscan; otherwise the
 * range is made afresh. Without slack a list pinned to the bottom can cycle for ever inside one
 * frame: drawing a row at its real height instead of the estimate moves the bottom by the
 * difference, and the new bottom takes that row out of the range again (and back). Returns
 * `previous` itself when kept, so nothing downstream sees a change.
 */
export function stableRange(
  l: Layout,
  scrollTop: number,
  viewport: number,
  overscan: number,
  previous: { start: number; end: number } | null,
): { start: number; end: number } {
  const n = l.keys.length;
  if (previous && previous.end <= n && previous.start < previous.end) {
    const need = visibleRange(l, scrollTop, viewport, overscan / 2);
    const limit = visibleRange(l, scrollTop, viewport, overscan * 2);
    const covers = previous.start <= need.start && previous.end >= need.end;
    const bounded = previous.start >= limit.start && previous.end <= limit.end;
    if (covers && bounded) return previous;
  }
  return visibleRange(l, scrollTop, viewport, overscan);
}

/** A row and how far its top sits below the viewport's top, to restore after a layout change. */
export interface Anchor {
  key: string;
  delta: number;
}

/** The first row whose bottom is below `scrollTop`, as an anchor. */
export function anchorAt(l: Layout, scrollTop: number): Anchor | null {
  if (l.keys.length === 0) return null;
  const i = rowAt(l, scrollTop);
  return { key: l.keys[i]!, delta: l.offsets[i]! - scrollTop };
}

/** The scrollTop that puts the anchor's row where it was; null when the row is gone. */
export function restoreAnchor(l: Layout, anchor: Anchor): number | null {
  const i = l.index.get(anchor.key);
  if (i === undefined) return null;
  return Math.max(0, l.offsets[i]! - anchor.delta);
}

/** The scrollTop that centres row `key` in a viewport of `viewport` px; null when absent. */
export function centreOn(l: Layout, key: string, viewport: number): number | null {
  const i = l.index.get(key);
  if (i === undefined) return null;
  const top = l.offsets[i]!;
  const height = l.offsets[i + 1]! - top;
  const max = Math.max(0, totalHeight(l) - viewport);
  return Math.min(max, Math.max(0, top - (viewport - height) / 2));
}

/** Within `slack` px of the end: the list follows new rows. */
export const isAtBottom = (scrollTop: number, viewport: number, total: number, slack = 8) =>
  total - (scrollTop + viewport) <= slack;
