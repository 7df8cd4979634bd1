/**
 * The settings screen's state: `settings_get`, a form draft, and `settings_set` with only the
 * fields the agent changed. Invariants: the secret and the team password are write-only (the form starts empty, an empty
 * field leaves the stored secret alone, it is never read back); a failed save keeps the draft;
 * after a save the draft is the backend's answer (what was actually stored).
 */
import type { SettingsDto, SettingsSetRequest, SettingsSetResponse } from '../ipc/contract';
import type { BusinessHoursDto } from '../ipc/generated/BusinessHoursDto';
import type { Call } from '../ipc/events';
import { rpc, toRpcError, type RpcError } from '../ipc/rpc';

export const MAX_REPEAT_SECONDS = 24 * 3600;

/** The backend's SLA thresholds when it sends none (`NotificationSettings::default`). */
export const SLA_DEFAULTS = { slaWaitingMinutes: 5, slaUnansweredMinutes: 10, slaWindowHours: 4 } as const;

export interface SettingsDraft {
  corpId: string;
  /** New secret; '' = keep the stored one. */
  secret: string;
  /** One account per line (or comma separated). */
  accounts: string;
  agentName: string;
  welcomeText: string;
  closingText: string;
  survey: boolean;
  /** The desk's business hours. */
  hours: HoursDraft;
  /** Accounts with hours of their own, in the order they were added. */
  accountHours: AccountHoursDraft[];
  notificationsEnabled: boolean;
  repeatSeconds: number;
  sound: boolean;
  /** SLA thresholds (0 = off): minutes waiting, minutes unanswered, hours left in the window. */
  slaWaitingMinutes: number;
  slaUnansweredMinutes: number;
  slaWindowHours: number;
  language: SettingsDto['language'];
  theme: SettingsDto['theme'];
  /** The team database URL, without its password ('' = solo mode). */
  teamUrl: string;
  /** New team password; '' = keep the stored one. */
  teamPassword: string;
}

/** Business hours in the form: on, days 1–7, "HH:MM" opening and closing, the away text. */
export interface HoursDraft {
  enabled: boolean;
  days: number[];
  open: string;
  close: string;
  awayText: string;
}

/** One account's own hours in the form. */
export interface AccountHoursDraft {
  openKfid: string;
  hours: HoursDraft;
}

export function hoursDraftOf(h: BusinessHoursDto): HoursDraft {
  return { enabled: h.enabled, days: [...h.days], open: hhmm(h.openMinute), close: hhmm(h.closeMinute), awayText: h.awayText };
}

/** The hours as the backend takes them; times that do not parse keep `fallback`'s. */
export function hoursDtoOf(d: HoursDraft, fallback: BusinessHoursDto): BusinessHoursDto {
  return {
    enabled: d.enabled,
    days: d.days.filter((x, i) => d.days.indexOf(x) === i).sort((a, b) => a - b),
    openMinute: minutesOf(d.open) ?? fallback.openMinute,
    closeMinute: minutesOf(d.close, true) ?? fallback.closeMinute,
    // The times are the window's: its UTC offset goes with them.
    offsetMinutes: windowOffsetMinutes(),
    awayText: d.awayText,
  };
}

/** Whether two hours say the same (the offset aside: the form always sends the window's). */
const sameHours = (a: BusinessHoursDto, b: BusinessHoursDto) =>
  a.enabled === b.enabled && a.openMinute === b.openMinute && a.closeMinute === b.closeMinute && a.awayText === b.awayText && a.days.join() === b.days.join();

/** The window's UTC offset, minutes east. */
function windowOffsetMinutes(): number {
  return -new Date().getTimezoneOffset();
}

/** "HH:MM" of minutes after midnight (1440 is "24:00"). */
export function hhmm(minutes: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** Minutes after midnight of "HH:MM" ("00:00" as a closing time is midnight, 1440). */
export function minutesOf(text: string, closing = false): number | undefined {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const v = Number(m[1]) * 60 + Number(m[2]);
  if (v > 1440) return undefined;
  return closing && v === 0 ? 1440 : v;
}

export function parseAccounts(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(/[\s,，;；]+/)) {
    const id = part.trim();
    if (id && !out.includes(id)) out.push(id);
  }
  return out;
}

export function draftOf(s: SettingsDto): SettingsDraft {
  return {
    corpId: s.corpId,
    secret: '',
    accounts: s.openKfids.join('\n'),
    agentName: s.agentName,
    welcomeText: s.welcomeText,
    closingText: s.closingText,
    survey: s.survey,
    hours: hoursDraftOf(s.businessHours),
    accountHours: s.accountHours.map((a) => ({ openKfid: a.openKfid, hours: hoursDraftOf(a.hours) })),
    notificationsEnabled: s.notifications.enabled,
    repeatSeconds: s.notifications.repeatSeconds,
    sound: s.notifications.sound,
    ...SLA_DEFAULTS,
    ...Object.fromEntries(Object.entries(s.notifications).filter(([k, v]) => k.startsWith('sla') && typeof v === 'number')),
    language: s.language,
    theme: s.theme,
    teamUrl: s.teamUrl,
    teamPassword: '',
  };
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The request carrying exactly what differs from the saved settings. */
export function changes(saved: SettingsDto, d: SettingsDraft): SettingsSetRequest {
  const req: SettingsSetRequest = {};
  if (d.corpId.trim() !== saved.corpId) req.corpId = d.corpId.trim();
  if (d.secret !== '') req.secret = d.secret;
  const accounts = parseAccounts(d.accounts);
  if (!sameList(accounts, saved.openKfids)) req.openKfids = accounts;
  if (d.agentName.trim() !== saved.agentName) req.agentName = d.agentName.trim();
  if (d.welcomeText !== saved.welcomeText) req.welcomeText = d.welcomeText;
  if (d.closingText !== saved.closingText) req.closingText = d.closingText;
  if (d.survey !== saved.survey) req.survey = d.survey;
  const desk = hoursDtoOf(d.hours, saved.businessHours);
  if (!sameHours(desk, saved.businessHours)) req.businessHours = desk;
  const own = d.accountHours.map((a) => {
    const before = saved.accountHours.find((x) => x.openKfid === a.openKfid)?.hours;
    return { openKfid: a.openKfid, hours: hoursDtoOf(a.hours, before ?? saved.businessHours), before };
  });
  const accountsChanged =
    own.length !== saved.accountHours.length || own.some((a) => !a.before || !sameHours(a.hours, a.before));
  if (accountsChanged) req.accountHours = own.map(({ openKfid, hours }) => ({ openKfid, hours }));
  const repeat = Math.min(MAX_REPEAT_SECONDS, Math.max(0, Math.round(Number(d.repeatSeconds) || 0)));
  const n = saved.notifications;
  const whole = (v: number, max: number) => Math.min(max, Math.max(0, Math.round(Number(v) || 0)));
  const sla = {
    slaWaitingMinutes: whole(d.slaWaitingMinutes, 1440),
    slaUnansweredMinutes: whole(d.slaUnansweredMinutes, 1440),
    slaWindowHours: whole(d.slaWindowHours, 47),
  };
  if (
    d.notificationsEnabled !== n.enabled ||
    repeat !== n.repeatSeconds ||
    d.sound !== n.sound ||
    sla.slaWaitingMinutes !== (n.slaWaitingMinutes ?? SLA_DEFAULTS.slaWaitingMinutes) ||
    sla.slaUnansweredMinutes !== (n.slaUnansweredMinutes ?? SLA_DEFAULTS.slaUnansweredMinutes) ||
    sla.slaWindowHours !== (n.slaWindowHours ?? SLA_DEFAULTS.slaWindowHours)
  ) {
    req.notifications = { enabled: d.notificationsEnabled, repeatSeconds: repeat, sound: d.sound, ...sla };
  }
  if (d.language !== saved.language) req.language = d.language;
  if (d.theme !== saved.theme) req.theme = d.theme;
  if (d.teamUrl.trim() !== saved.teamUrl) req.teamUrl = d.teamUrl.trim();
  if (d.teamPassword !== '') req.teamPassword = d.teamPassword;
  return req;
}

export class SettingsState {
  saved = $state<SettingsDto | null>(null);
  draft = $state<SettingsDraft | null>(null);
  loading = $state(false);
  saving = $state(false);
  error = $state<RpcError | null>(null);
  restartRequired = $state(false);
  /** Set after a successful save, cleared by the next edit. */
  justSaved = $state(false);

  readonly dirty = $derived(
    this.saved !== null && this.draft !== null && Object.keys(changes(this.saved, this.draft)).length > 0,
  );

  readonly #call: Call;

  constructor(call: Call = rpc) {
    this.#call = call;
  }

  async load(): Promise<SettingsDto | null> {
    this.loading = true;
    try {
      const s = await this.#call<SettingsDto>('settings_get', {});
      this.saved = s;
      this.draft = draftOf(s);
      this.error = null;
      return s;
    } catch (e) {
      this.error = toRpcError(e);
      return null;
    } finally {
      this.loading = false;
    }
  }

  edit(patch: Partial<SettingsDraft>): void {
    if (!this.draft) return;
    this.draft = { ...this.draft, ...patch };
    this.justSaved = false;
  }

  /** Saves what changed; resolves true when saved (or nothing changed). */
  async save(): Promise<boolean> {
    if (!this.saved || !this.draft) return false;
    return this.#send(changes(this.saved, this.draft));
  }

  /** Saves one setting at once (language or theme picked elsewhere). */
  async saveOnly(req: SettingsSetRequest): Promise<boolean> {
    if (!this.saved) return false;
    return this.#send(req, true);
  }

  async #send(req: SettingsSetRequest, keepDraft = false): Promise<boolean> {
    if (Object.keys(req).length === 0) return true;
    this.saving = true;
    try {
      const res = await this.#call<SettingsSetResponse>('settings_set', req);
      const draft = this.draft;
      this.saved = res.settings;
      this.draft = keepDraft && draft ? { ...draft, ...pick(draftOf(res.settings), req) } : draftOf(res.settings);
      this.restartRequired ||= res.restartRequired;
      this.justSaved = !keepDraft;
      this.error = null;
      return true;
    } catch (e) {
      this.error = toRpcError(e);
      return false;
    } finally {
      this.saving = false;
    }
  }
}

/** The draft fields a one-off request touched. */
function pick(d: SettingsDraft, req: SettingsSetRequest): Partial<SettingsDraft> {
  const out: Partial<SettingsDraft> = {};
  if (req.language !== undefined) out.language = d.language;
  if (req.theme !== undefined) out.theme = d.theme;
  return out;
}
