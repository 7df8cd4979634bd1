import { describe, expect, it } from 'vitest';
import {
  anchorAt,
  centreOn,
  isAtBottom,
  layout,
  restoreAnchor,
  rowAt,
  stableRange,
  totalHeight,
  visibleRange,
} from './virtual';

const keys = (n: number, prefix = 'k') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('virtual layout', () => {
  it('stacks measured heights and estimates the rest', () => {
    const l = layout(['a', 'b', 'c'], new Map([['b', 100]]), 50);
    expect([...l.offsets]).toEqual([0, 50, 150, 200]);
    expect(totalHeight(l)).toBe(200);
    expect(rowAt(l, 0)).toBe(0);
    expect(rowAt(l, 149)).toBe(1);
    expect(rowAt(l, 150)).toBe(2);
    expect(rowAt(l, 10_000), 'clamped to the last row').toBe(2);
  });

  it('renders only the rows near the viewport of a 10,000-row list', () => {
    const l = layout(keys(10_000), new Map(), 60);
    const { start, end } = visibleRange(l, 300_000, 600, 300);
    expect(start).toBe(Math.floor((300_000 - 300) / 60));
    expect(end - start, 'about (viewport + 2 × overscan) / row height rows').toBeLessThanOrEqual(22);
    expect(visibleRange(layout([], new Map(), 60), 0, 600, 300)).toEqual({ start: 0, end: 0 });
  });

  it('keeps the first visible row in place when older rows are put in front', () => {
    const before = layout(keys(100), new Map(), 50);
    const anchor = anchorAt(before, 1_025)!; // row 20, 25 px scrolled into it
    expect(anchor).toEqual({ key: 'k20', delta: -25 });
    const after = layout([...keys(30, 'old'), ...keys(100)], new Map(), 50);
    expect(restoreAnchor(after, anchor), 'shifted by the 30 new rows').toBe(1_025 + 30 * 50);
  });

  it('keeps the anchor when rows above it are re-measured', () => {
    const sizes = new Map<string, number>();
    const anchor = anchorAt(layout(keys(100), sizes, 50), 2_000)!;
    sizes.set('k0', 250);
    sizes.set('k5', 10);
    expect(restoreAnchor(layout(keys(100), sizes, 50), anchor)).toBe(2_000 + 200 - 40);
    expect(restoreAnchor(layout(keys(3, 'x'), sizes, 50), anchor), 'a vanished row gives no position').toBeNull();
  });

  it('centres a row, clamped to the scroll range', () => {
    const l = layout(keys(100), new Map(), 50);
    expect(centreOn(l, 'k50', 500)).toBe(50 * 50 - 225);
    expect(centreOn(l, 'k0', 500)).toBe(0);
    expect(centreOn(l, 'k99', 500)).toBe(5_000 - 500);
    expect(centreOn(l, 'nope', 500)).toBeNull();
  });

  it('knows when the list is at the bottom', () => {
    expect(isAtBottom(1_500, 500, 2_000)).toBe(true);
    expect(isAtBottom(1_495, 500, 2_000)).toBe(true);
    expect(isAtBottom(1_400, 500, 2_000)).toBe(false);
  });
});

describe('a list pinned to the bottom while rows are drawn at their real height', () => {
  // One synchronous flush of VirtualList, as the DOM does it: the range is drawn (rows in it at
  // their real height, the rest as padding from the layout), the list scrolls to the new bottom,
  // and the range is worked out again for that scrollTop, until nothing changes. Rows drawn in an
  // earlier frame are measured; the rest count as the estimate until the ResizeObserver reports.
  function settle(n: number, measuredFrom: number, viewport: number, real: (i: number) => number) {
    const ks = keys(n);
    const sizes = new Map(ks.slice(measuredFrom).map((k, i) => [k, real(measuredFrom + i)] as const));
    const l = layout(ks, sizes, 72);
    const bottomFor = (r: { start: number; end: number }) => {
      let drawn = 0;
      for (let i = r.start; i < r.end; i++) drawn += real(i);
      const scrollHeight = l.offsets[r.start]! + drawn + (totalHeight(l) - l.offsets[r.end]!);
      return Math.max(0, scrollHeight - viewport);
    };
    let range = stableRange(l, Math.max(0, totalHeight(l) - viewport), viewport, 800, null);
    for (let flush = 1; flush <= 50; flush++) {
      const next = stableRange(l, bottomFor(range), viewport, 800, range);
      if (next.start === range.start && next.end === range.end) return flush;
      range = next;
    }
    return Infinity;
  }

  it('comes to rest within a few passes, whatever is measured yet', () => {
    // Rows shorter and taller than the estimate (72 px), as one-line texts, images and cards
    // are. Without slack, some of these flip one row in and out for ever (as a conversation of
    // the 100k-message store did, 1,000 times per open, until Svelte gave up).
    const heights = [41, 41, 120, 41, 67, 93, 41, 41, 67, 41, 120, 41, 93];
    const real = (i: number) => heights[(i * 5) % heights.length]!;
    for (let measuredFrom = 0; measuredFrom <= 100; measuredFrom++) {
      for (let viewport = 400; viewport <= 1_000; viewport += 25) {
        expect(settle(100, measuredFrom, viewport, real), `measured from ${measuredFrom}, viewport ${viewport}`).toBeLessThanOrEqual(3);
      }
    }
  });

  it('keeps the same range object while the viewport stays covered, and moves it when not', () => {
    const l = layout(keys(1_000), new Map(), 50);
    const first = stableRange(l, 20_000, 600, 800, null);
    expect(stableRange(l, 20_030, 600, 800, first), 'a few pixels: the same rows').toBe(first);
    const far = stableRange(l, 30_000, 600, 800, first);
    expect(far).toEqual(visibleRange(l, 30_000, 600, 800));
    expect(stableRange(layout(keys(10), new Map(), 50), 0, 600, 800, first), 'rows gone: afresh').toEqual({ start: 0, end: 10 });
  });
});
