import { describe, expect, it } from 'vitest';
import { anchorAt, centreOn, isAtBottom, layout, restoreAnchor, rowAt, totalHeight, visibleRange } from './virtual';

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
