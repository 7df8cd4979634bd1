/**
 * Pure display helpers: waiting time, message placeholders and error texts as i18n keys with
 * parameters, so the views stay free of logic and the tests need no DOM.
 */
import type { LastMessageDto, MessageDto } from '../ipc/contract';
import type { ErrorCode } from '../ipc/generated/ErrorCode';
import type { MessageKey, Params } from '../i18n/index.svelte';
import type { EventView } from './content';

export interface Text {
  key: MessageKey;
  params?: Params;
}

/** "等待 3 分钟": seconds under a minute, minutes under an hour, then hours and minutes. */
export function waitingText(since: number | null, nowSeconds: number): Text | null {
  if (since === null) return null;
  const elapsed = Math.max(0, Math.floor(nowSeconds - since));
  if (elapsed < 60) return { key: 'queue.waitingSeconds', params: { n: elapsed } };
  const minutes = Math.floor(elapsed / 60);
  if (minutes < 60) return { key: 'queue.waitingMinutes', params: { n: minutes } };
  return { key: 'queue.waitingHours', params: { h: Math.floor(minutes / 60), m: minutes % 60 } };
}

const MSGTYPE_KEYS: Partial<Record<string, MessageKey>> = {
  image: 'message.type.image',
  voice: 'message.type.voice',
  video: 'message.type.video',
  file: 'message.type.file',
  location: 'message.type.location',
  link: 'message.type.link',
  business_card: 'message.type.business_card',
  miniprogram: 'message.type.miniprogram',
  msgmenu: 'message.type.msgmenu',
  event: 'message.type.event',
};

/** The "[msgtype]" placeholder of a message without text to show. */
/**
 * A queue row's one line: the newest message's text, its kind, or "recalled"; `reply` when it
 * is a reply (the row marks it as ours).
 */
export function previewText(last: LastMessageDto | null): { body: Text; reply: boolean } | null {
  if (!last) return null;
  const body: Text = last.recalled
    ? { key: 'message.recalled' }
    : last.preview
      ? { key: 'queue.preview.text', params: { text: last.preview } }
      : msgtypeText(last.msgtype);
  return { body, reply: !last.fromCustomer };
}

export function msgtypeText(msgtype: string): Text {
  const key = MSGTYPE_KEYS[msgtype];
  return key ? { key } : { key: 'message.type.other', params: { msgtype } };
}

/** Every backend error code, with its text; a missing key fails `npm run check`. */
export const ERROR_KEYS: Record<ErrorCode | 'NO_BACKEND', MessageKey> = {
  UNKNOWN_COMMAND: 'error.UNKNOWN_COMMAND',
  BAD_REQUEST: 'error.BAD_REQUEST',
  NO_SESSION: 'error.NO_SESSION',
  SESSION_ENDED: 'error.SESSION_ENDED',
  IN_WECOM: 'error.IN_WECOM',
  WINDOW_CLOSED: 'error.WINDOW_CLOSED',
  QUOTA_USED: 'error.QUOTA_USED',
  NOT_WAITING: 'error.NOT_WAITING',
  NOT_MINE: 'error.NOT_MINE',
  STORAGE: 'error.STORAGE',
  NETWORK: 'error.NETWORK',
  NOT_FOUND: 'error.NOT_FOUND',
  TOO_LARGE: 'error.TOO_LARGE',
  NOT_RETRYABLE: 'error.NOT_RETRYABLE',
  KEYRING_UNAVAILABLE: 'error.KEYRING_UNAVAILABLE',
  INVALID_SETTING: 'error.INVALID_SETTING',
  TEAM_UNREACHABLE: 'error.TEAM_UNREACHABLE',
  TAKEN_BY_COLLEAGUE: 'error.TAKEN_BY_COLLEAGUE',
  RECALL_TOO_LATE: 'error.RECALL_TOO_LATE',
  LOOKS_LIKE_PROGRAM: 'error.LOOKS_LIKE_PROGRAM',
  UNPLAYABLE: 'error.UNPLAYABLE',
  INTERNAL: 'error.INTERNAL',
  NO_BACKEND: 'error.NO_BACKEND',
};

/** WeChat lets a reply be recalled this long after it was sent (the backend checks again). */
export const RECALL_WINDOW_SECONDS = 120;

/** Whether the agent may still recall this message: our own, delivered, not recalled, young. */
export function canRecall(m: Pick<MessageDto, 'origin' | 'delivery' | 'recalled' | 'sendTime'>, nowSeconds: number): boolean {
  return m.origin === 0 && m.delivery === 'sent' && !m.recalled && nowSeconds - m.sendTime < RECALL_WINDOW_SECONDS;
}

/** An error's text by its code; a customer taken by a colleague names them when known. */
export function errorText({ code, colleague }: { code: string; colleague?: string }): Text {
  if (code === 'TAKEN_BY_COLLEAGUE' && colleague) return { key: 'error.takenBy', params: { colleague } };
  return { key: Object.hasOwn(ERROR_KEYS, code) ? ERROR_KEYS[code as keyof typeof ERROR_KEYS] : 'error.unknown' };
}

export type Side = 'customer' | 'agent' | 'colleague' | 'event';

/** Origin 3 customer, 0 this app, 5 a colleague in WeCom, 4 (and anything else) an event. */
export function messageSide(origin: number): Side {
  switch (origin) {
    case 3:
      return 'customer';
    case 0:
      return 'agent';
    case 5:
      return 'colleague';
    default:
      return 'event';
  }
}

const DELIVERY_KEYS: Partial<Record<string, MessageKey>> = {
  queued: 'delivery.queued',
  sent: 'delivery.sent',
  failed: 'delivery.failed',
};

export function deliveryText(delivery: string | null): Text | null {
  if (delivery === null) return null;
  return { key: DELIVERY_KEYS[delivery] ?? 'delivery.unknown', params: { state: delivery } };
}

/** "由 张三 发送" under one of our replies, when the team says who sent it. */
export function sentByText(message: Pick<MessageDto, 'origin' | 'sentBy'>): Text | null {
  if (message.origin !== 0 || !message.sentBy) return null;
  return { key: 'delivery.sentBy', params: { name: message.sentBy } };
}

/** Replies the API allows per customer message (the quota of one round). */
export const REPLY_QUOTA = 5;

/** Below this many seconds left, the 48 h window is shown as a warning. */
export const WINDOW_WARN_SECONDS = 3600;

export interface WindowLeft extends Text {
  /** True when under an hour is left (or the window has closed). */
  warn: boolean;
  closed: boolean;
}

/**
 * "窗口剩余 47 小时 59 分" until the 48 h window ends (minutes rounded down, so the shown time
 * never overstates what is left); minutes only under an hour; "窗口已关闭" at or after the end.
 */
export function windowLeftText(endsAt: number | null, nowSeconds: number): WindowLeft | null {
  if (endsAt === null) return null;
  const left = Math.floor(endsAt - nowSeconds);
  if (left <= 0) return { key: 'conversation.windowClosed', warn: true, closed: true };
  const minutes = Math.floor(left / 60);
  const warn = left < WINDOW_WARN_SECONDS;
  if (minutes < 60) return { key: 'conversation.windowLeftMinutes', params: { m: minutes }, warn, closed: false };
  return {
    key: 'conversation.windowLeft',
    params: { h: Math.floor(minutes / 60), m: minutes % 60 },
    warn,
    closed: false,
  };
}

export interface RepliesLeft extends Text {
  /** The replies still allowed, clamped to 0..REPLY_QUOTA. */
  left: number;
  /** 'last' when one reply is left, 'none' when none, otherwise 'ok'. */
  level: 'ok' | 'last' | 'none';
}

/** "剩余 3/5 条回复", with a warning level for the last reply and an empty quota. */
export function repliesLeftText(repliesLeft: number): RepliesLeft {
  const left = Math.min(REPLY_QUOTA, Math.max(0, Math.floor(repliesLeft)));
  const level = left === 0 ? 'none' : left === 1 ? 'last' : 'ok';
  return { key: 'conversation.repliesLeft', params: { n: left, total: REPLY_QUOTA }, left, level };
}

/** WeChat's `msg_send_fail` fail_type values with a text; others show the number. */
const FAIL_TYPES = [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13] as const;

export function failTypeText(failType: number | null): Text {
  if (failType !== null && (FAIL_TYPES as readonly number[]).includes(failType)) {
    return { key: `failType.${failType}` as MessageKey };
  }
  return { key: 'failType.other', params: { n: failType ?? '?' } };
}

/** The centred system line of an event. */
export function eventText(e: EventView): Text {
  switch (e.type) {
    case 'enter_session':
      if (e.channelsNickname) return { key: 'event.enterSessionChannels', params: { name: e.channelsNickname } };
      if (e.scene) return { key: 'event.enterSessionScene', params: { scene: e.scene } };
      return { key: 'event.enterSession' };
    case 'msg_send_fail':
      return { key: 'event.msgSendFail' };
    case 'servicer_status_change':
      return {
        key: e.status === 1 ? 'event.servicerReceiving' : 'event.servicerStopped',
        params: { servicer: e.servicer ?? '' },
      };
    case 'session_status_change':
      switch (e.changeType) {
        case 1:
          return { key: 'event.sessionTaken', params: { servicer: e.newServicer ?? '' } };
        case 2:
          return e.oldServicer === e.newServicer
            ? { key: 'event.sessionTransferredTo', params: { to: e.newServicer ?? '' } }
            : { key: 'event.sessionTransferred', params: { from: e.oldServicer ?? '', to: e.newServicer ?? '' } };
        case 3:
          return { key: 'event.sessionEnded', params: { servicer: e.oldServicer ?? '' } };
        case 4:
          return { key: 'event.sessionReopened', params: { servicer: e.newServicer ?? '' } };
        default:
          return { key: 'event.sessionChanged' };
      }
    case 'user_recall_msg':
      return { key: 'event.userRecall' };
    case 'servicer_recall_msg':
      return { key: 'event.servicerRecall', params: { servicer: e.servicer ?? '' } };
    case 'reject_customer_msg_switch_change':
      return { key: e.rejectSwitch === 1 ? 'event.rejectOn' : 'event.rejectOff', params: { servicer: e.servicer ?? '' } };
    default:
      return { key: 'event.other', params: { type: e.type || '?' } };
  }
}

const MEDIA_KEYS: Partial<Record<string, MessageKey>> = {
  pending: 'media.pending',
  downloading: 'media.downloading',
  ready: 'media.ready',
  failed: 'media.failed',
  expired: 'media.expired',
};

export function mediaStateText(state: string | null | undefined): Text {
  return { key: MEDIA_KEYS[state ?? 'pending'] ?? 'media.pending' };
}

/** A reply's failure reason: a known error code or fail type is localised, else shown as sent. */
export function failReasonText(reason: string | null | undefined): Text | null {
  if (!reason) return null;
  if (Object.hasOwn(ERROR_KEYS, reason)) return errorText({ code: reason });
  // "msg_send_fail 10: …" (WeChat's later refusal) or "fail_type 10" name a fail type.
  const failType = /^(?:msg_send_fail|fail_type)[ :=]?(\d+)\b/i.exec(reason.trim()) ?? /^(\d+)$/.exec(reason.trim());
  if (failType) return failTypeText(Number(failType[1]));
  return { key: 'delivery.reason', params: { reason } };
}

/** "14:05" today, "昨天 14:05"-style labels are the view's; this gives the day key of a time. */
export function dayKey(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}
