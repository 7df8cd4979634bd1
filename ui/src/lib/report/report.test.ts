import { describe, expect, it } from 'vitest';
import type { ReportDto } from '../ipc/contract';
import { dayStart, durationStep, localDay, rangeOf, ReportState, splitDuration } from './report.svelte';

const noon = new Date(2026, 11, 2, 12, 30); // 2 Dec 2026, local time
const midnight = (y: number, m: number, d: number) => new Date(y, m - 1, d).getTime() / 1000;

function report(overrides: Partial<ReportDto> = {}): ReportDto {
  const timing = { count: 0, avgSecs: null, p50Secs: null, p90Secs: null };
  const figures = {
    sessions: 0, answered: 0, unanswered: 0, pending: 0, answeredShare: null, endedHere: 0, endedInWecom: 0,
    expired: 0, firstResponse: timing, response: timing, messagesIn: 0, messagesOut: 0, refused: 0,
  };
  return {
    since: 0, until: 1, source: 'local', agent: null, totals: figures, byAgent: [], byAccount: [],
    byHour: [], byDay: [], refusals: [],
    satisfaction: { satisfied: 0, neutral: 0, unsatisfied: 0, satisfiedShare: null }, satisfactionByAgent: [], ...overrides,
  };
}

describe('report ranges', () => {
  it('presets cover whole local days ending today', () => {
    expect(localDay(noon)).toBe('2026-12-02');
    expect(rangeOf('today', noon)).toEqual({ since: midnight(2026, 12, 2), until: midnight(2026, 12, 3) });
    expect(rangeOf('yesterday', noon)).toEqual({ since: midnight(2026, 12, 1), until: midnight(2026, 12, 2) });
    expect(rangeOf('week', noon)).toEqual({ since: midnight(2026, 11, 26), until: midnight(2026, 12, 3) });
    expect(rangeOf('month', noon)?.since).toBe(midnight(2026, 11, 3));
  });

  it('custom days include both ends and a reversed or broken range is none', () => {
    expect(rangeOf('custom', noon, '2026-11-30', '2026-12-01')).toEqual({
      since: midnight(2026, 11, 30),
      until: midnight(2026, 12, 2),
    });
    expect(rangeOf('custom', noon, '2026-12-02', '2026-12-01')).toBeUndefined();
    expect(rangeOf('custom', noon, '', '2026-12-01')).toBeUndefined();
    expect(dayStart('2026-13-01x')).toBeUndefined();
  });

  it('durations split into seconds, minutes or hours', () => {
    expect(splitDuration(42.4)).toEqual({ unit: 's', a: 42, b: 0 });
    expect(splitDuration(65)).toEqual({ unit: 'm', a: 1, b: 5 });
    expect(splitDuration(3 * 3600 + 7 * 60 + 9)).toEqual({ unit: 'h', a: 3, b: 7 });
  });
});

describe('duration axis', () => {
  it('ticks on whole seconds, minutes or hours, at most six', () => {
    expect(durationStep(4)).toBe(1);
    expect(durationStep(45)).toBe(10);
    expect(durationStep(500)).toBe(120);
    expect(durationStep(3 * 3600)).toBe(1800);
    expect(durationStep(30 * 86400)).toBe(5 * 86400);
    for (const max of [1, 7, 61, 599, 7201, 100_000]) expect(max / durationStep(max)).toBeLessThanOrEqual(6);
  });
});

describe('ReportState', () => {
  it('asks for the range with the window offset and the agent, and keeps the agents seen', async () => {
    const calls: unknown[] = [];
    const state = new ReportState({
      call: async <T,>(cmd: string, req: unknown) => {
        calls.push({ cmd, req });
        const byAgent = [{ name: 'wang', wecom: false, figures: report().totals }];
        return report({ byAgent: (req as { agent?: string }).agent ? [] : byAgent }) as T;
      },
    });
    state.preset = 'today';
    await state.load(noon);
    expect(calls[0]).toEqual({
      cmd: 'report_get',
      req: { since: midnight(2026, 12, 2), until: midnight(2026, 12, 3), offsetMinutes: -noon.getTimezoneOffset() },
    });
    expect(state.agents).toEqual([{ name: 'wang', wecom: false }]);
    state.agent = 'wang';
    await state.load(noon);
    expect((calls[1] as { req: { agent: string } }).req.agent).toBe('wang');
    expect(state.agents, 'a filtered answer does not shrink the choices').toEqual([{ name: 'wang', wecom: false }]);
  });

  it('shows only the latest answer and keeps the error code', async () => {
    const pending: ((v: ReportDto) => void)[] = [];
    const state = new ReportState({
      call: <T,>() => new Promise<T>((resolve) => pending.push(resolve as (v: ReportDto) => void)),
    });
    const first = state.load(noon);
    const second = state.load(noon);
    pending[1]!(report({ source: 'team' }));
    pending[0]!(report({ source: 'local' }));
    await Promise.all([first, second]);
    expect(state.data?.source).toBe('team');
    expect(state.loading).toBe(false);

    const failing = new ReportState({
      call: async () => {
        throw { code: 'BAD_REQUEST', message: 'a report covers at most 400 days' };
      },
    });
    await failing.load(noon);
    expect(failing.error?.code).toBe('BAD_REQUEST');
  });
});
