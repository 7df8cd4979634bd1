/**
 * The 报表 view's state: a date range (presets or two local days), an optional agent, and the
 * `report_get` answer. Invariants: only the answer to the latest request is shown; days and
 * hours are the window's own (its UTC offset goes with the request); every figure shown comes
 * from the backend's one definition (ARCHITECTURE.md, "Reports"), never recomputed here.
 */
import type { ReportDto, ReportRequest } from '../ipc/contract';
import type { Call } from '../ipc/events';
import { rpc, toRpcError, type RpcError } from '../ipc/rpc';

export const PRESETS = ['today', 'yesterday', 'week', 'month', 'custom'] as const;
export type Preset = (typeof PRESETS)[number];

/** yyyy-mm-dd of a local date. */
export function localDay(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Unix seconds of the local midnight that starts yyyy-mm-dd plus `days`; undefined if not a date. */
export function dayStart(day: string, days = 0): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  // A throwaway calculation, not state.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days);
  return Math.floor(d.getTime() / 1000);
}

/** The range of a preset (or of the two custom days, both included), [since, until). */
export function rangeOf(preset: Preset, now: Date, from = '', to = ''): { since: number; until: number } | undefined {
  const today = localDay(now);
  const span = (first: number, last: number) => {
    const since = dayStart(today, first);
    const until = dayStart(today, last + 1);
    return since === undefined || until === undefined ? undefined : { since, until };
  };
  switch (preset) {
    case 'today':
      return span(0, 0);
    case 'yesterday':
      return span(-1, -1);
    case 'week':
      return span(-6, 0);
    case 'month':
      return span(-29, 0);
    case 'custom': {
      const since = dayStart(from);
      const until = dayStart(to, 1);
      return since === undefined || until === undefined || until <= since ? undefined : { since, until };
    }
  }
}

/** Seconds split for display: under a minute, under an hour, or hours. */
export function splitDuration(secs: number): { unit: 's' | 'm' | 'h'; a: number; b: number } {
  const s = Math.max(0, Math.round(secs));
  if (s < 60) return { unit: 's', a: s, b: 0 };
  if (s < 3600) return { unit: 'm', a: Math.floor(s / 60), b: s % 60 };
  return { unit: 'h', a: Math.floor(s / 3600), b: Math.floor((s % 3600) / 60) };
}

const DURATION_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** A tick step for a duration axis up to `maxSecs`: whole seconds, minutes or hours, ≤ 6 ticks. */
export function durationStep(maxSecs: number): number {
  return DURATION_STEPS.find((step) => maxSecs / step <= 6) ?? Math.ceil(maxSecs / 6 / 86400) * 86400;
}

export interface ReportOptions {
  call?: Call;
}

/** The time now (the clock the view's ranges start from). */
function currentTime(): Date {
  return new Date();
}

/** `known` and the agents of a report, each once, by name. */
export function mergeAgents(
  known: readonly { name: string; wecom: boolean }[],
  seen: readonly { name: string; wecom: boolean }[],
): { name: string; wecom: boolean }[] {
  const all = [...known];
  for (const a of seen) {
    if (!all.some((k) => k.name === a.name && k.wecom === a.wecom)) all.push({ name: a.name, wecom: a.wecom });
  }
  return all.sort((x, y) => x.name.localeCompare(y.name));
}

export class ReportState {
  preset = $state<Preset>('week');
  from = $state('');
  to = $state('');
  agent = $state('');
  loading = $state(false);
  error = $state<RpcError | null>(null);
  data = $state.raw<ReportDto | null>(null);
  /** Every agent seen in an unfiltered report of this session (the filter's choices). */
  agents = $state.raw<{ name: string; wecom: boolean }[]>([]);
  #call: Call;
  #seq = 0;

  constructor({ call = rpc }: ReportOptions = {}) {
    this.#call = call;
  }

  /** The request for the current choices, or undefined when the custom days are not a range. */
  request(now = currentTime()): ReportRequest | undefined {
    const range = rangeOf(this.preset, now, this.from, this.to);
    if (!range) return undefined;
    const req: ReportRequest = { ...range, offsetMinutes: -now.getTimezoneOffset() };
    if (this.agent) req.agent = this.agent;
    return req;
  }

  async load(now = currentTime()): Promise<void> {
    const req = this.request(now);
    if (!req) return;
    const seq = ++this.#seq;
    this.loading = true;
    try {
      const data = await this.#call<ReportDto>('report_get', req);
      if (seq !== this.#seq) return;
      this.data = data;
      this.error = null;
      if (!req.agent) {
        this.agents = mergeAgents(this.agents, data.byAgent);
      }
    } catch (e) {
      if (seq !== this.#seq) return;
      this.error = toRpcError(e);
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }
}
