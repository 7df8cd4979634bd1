/**
 * A message's body as the view draws it. `bodyOf` reads the contract's `content` (a union tagged
 * by `kind`) defensively: kinds are matched case- and underscore-insensitively, every field is
 * optional, and a message without `content` falls back to `msgtype` + `text`. Invariants: every
 * message yields a body (an unknown kind becomes `unsupported`, never nothing); every string in
 * a body is customer text, to be rendered as text only.
 */
import type { MediaRef, MessageDto } from '../ipc/contract';

export interface MenuItemView {
  type: 'click' | 'view' | 'miniprogram' | 'text';
  label: string;
  url: string | null;
}

export interface MergedItemView {
  sender: string;
  sendTime: number | null;
  /** The entry's text, or null with `msgtype` for a non-text entry. */
  text: string | null;
  msgtype: string;
}

export interface EventView {
  /** snake_case event type as WeChat names it (`enter_session`, `msg_send_fail` …). */
  type: string;
  scene: string | null;
  sceneParam: string | null;
  channelsNickname: string | null;
  failType: number | null;
  changeType: number | null;
  oldServicer: string | null;
  newServicer: string | null;
  servicer: string | null;
  status: number | null;
  rejectSwitch: number | null;
}

export type Body =
  | { kind: 'text'; text: string }
  | { kind: 'image' | 'voice' | 'video'; media: MediaRef | null }
  | { kind: 'file'; name: string; media: MediaRef | null }
  | { kind: 'location'; name: string; address: string; latitude: number | null; longitude: number | null }
  | { kind: 'link'; title: string; desc: string; url: string; picUrl: string | null }
  | { kind: 'businessCard'; userid: string }
  | { kind: 'miniprogram'; title: string; appid: string; pagepath: string }
  | { kind: 'menu'; head: string; items: MenuItemView[]; tail: string }
  | { kind: 'channelsProduct'; title: string; price: string; shop: string; productId: string }
  | { kind: 'channelsOrder'; orderId: string; titles: string; price: string; state: string; shop: string }
  | { kind: 'channels'; subType: number | null; nickname: string; title: string }
  | { kind: 'merged'; title: string; items: MergedItemView[] }
  | { kind: 'event'; event: EventView }
  | { kind: 'unsupported'; msgtype: string };

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first string (or number, as text) among `keys`; '' when none. */
function str(o: Obj | undefined, ...keys: string[]): string {
  if (!o) return '';
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  }
  return '';
}

function strOrNull(o: Obj | undefined, ...keys: string[]): string | null {
  const s = str(o, ...keys);
  return s === '' ? null : s;
}

function num(o: Obj | undefined, ...keys: string[]): number | null {
  if (!o) return null;
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  }
  return null;
}

function obj(o: Obj | undefined, ...keys: string[]): Obj | undefined {
  if (!o) return undefined;
  for (const k of keys) {
    const v = o[k];
    if (isObj(v)) return v;
  }
  return undefined;
}

/** `business_card`, `businessCard`, `BusinessCard` → `businesscard`. */
export const normKind = (kind: string) => kind.replace(/[_\-\s]/g, '').toLowerCase();

function media(m: MessageDto, c: Obj | undefined): MediaRef | null {
  const mediaRaw: unknown = m.media;
  const from = isObj(mediaRaw) ? mediaRaw : obj(c, 'media');
  if (!from) return null;
  const state = str(from, 'state') || 'pending';
  return {
    // The store says `stored` for a downloaded file; the view calls that `ready`.
    state: state === 'stored' ? 'ready' : state,
    url: strOrNull(from, 'url'),
    contentType: strOrNull(from, 'contentType', 'content_type'),
    size: num(from, 'size'),
  };
}

function menuItems(list: unknown): MenuItemView[] {
  if (!Array.isArray(list)) return [];
  const items: MenuItemView[] = [];
  for (const raw of list) {
    if (!isObj(raw)) continue;
    const type = normKind(str(raw, 'type', 'kind'));
    const inner = obj(raw, type, 'click', 'view', 'miniprogram', 'text') ?? raw;
    const label = str(inner, 'content', 'label', 'text');
    if (type === 'view') items.push({ type: 'view', label, url: strOrNull(inner, 'url') });
    else if (type === 'miniprogram') items.push({ type: 'miniprogram', label, url: null });
    else if (type === 'text') items.push({ type: 'text', label, url: null });
    else items.push({ type: 'click', label, url: null });
  }
  return items;
}

/** The text of a merged-history entry's body (itself JSON, maybe still a string). */
function mergedItems(list: unknown): MergedItemView[] {
  if (!Array.isArray(list)) return [];
  return list.filter(isObj).map((raw) => {
    let body: unknown = raw['text'] ?? raw['content'] ?? raw['msgContent'] ?? raw['msg_content'];
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        // Not JSON: show the string itself as the entry's text.
      }
    }
    let msgtype = str(raw, 'msgtype', 'kind');
    let text: string | null = null;
    if (typeof body === 'string') text = body;
    else if (isObj(body)) {
      msgtype ||= str(body, 'msgtype', 'kind');
      const textObj = obj(body, 'text');
      text = textObj ? str(textObj, 'content') : strOrNull(body, 'text', 'content');
    }
    if (!msgtype) msgtype = 'text';
    if (normKind(msgtype) !== 'text' && text === '') text = null;
    return {
      sender: str(raw, 'senderName', 'sender_name', 'sender'),
      sendTime: num(raw, 'sendTime', 'send_time'),
      text: normKind(msgtype) === 'text' ? (text ?? '') : null,
      msgtype,
    };
  });
}

function eventView(c: Obj | undefined, fallbackType = ''): EventView {
  const e = obj(c, 'event') ?? c;
  const channels = obj(e, 'wechatChannels', 'wechat_channels');
  const type = (str(e, 'eventType', 'event_type', 'type') || fallbackType).replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  // The contract folds the event's one number into `code`: change_type, fail_type, status or
  // reject_switch, by event type.
  const code = num(e, 'code');
  const codeFor = (t: string) => (type === t ? code : null);
  const servicer = strOrNull(e, 'servicerUserid', 'servicer_userid');
  return {
    type,
    scene: strOrNull(e, 'scene'),
    sceneParam: strOrNull(e, 'sceneParam', 'scene_param'),
    channelsNickname: strOrNull(channels, 'nickname', 'shopNickname', 'shop_nickname'),
    failType: num(e, 'failType', 'fail_type') ?? codeFor('msg_send_fail'),
    changeType: num(e, 'changeType', 'change_type') ?? codeFor('session_status_change'),
    oldServicer: strOrNull(e, 'oldServicerUserid', 'old_servicer_userid') ?? servicer,
    newServicer: strOrNull(e, 'newServicerUserid', 'new_servicer_userid') ?? servicer,
    servicer,
    status: num(e, 'status') ?? codeFor('servicer_status_change'),
    rejectSwitch: num(e, 'rejectSwitch', 'reject_switch') ?? codeFor('reject_customer_msg_switch_change'),
  };
}

/** The body of a message, from `content` when present, else from `msgtype` + `text`. */
export function bodyOf(m: MessageDto): Body {
  const raw: unknown = m.content;
  const c = isObj(raw) ? raw : undefined;
  const kind = normKind(c ? str(c, 'kind') || m.msgtype : m.msgtype);
  // Fields may sit on the content itself or under a key named after the type (wire shape).
  const inner = (...keys: string[]) => obj(c, ...keys) ?? c;
  switch (kind) {
    case 'text': {
      const t = inner('text');
      return { kind: 'text', text: str(t, 'text', 'content') || (m.text ?? '') };
    }
    case 'image':
    case 'voice':
    case 'video':
      return { kind, media: media(m, c) };
    case 'file': {
      const f = inner('file');
      return { kind: 'file', name: str(f, 'fileName', 'file_name', 'name', 'filename'), media: media(m, c) };
    }
    case 'location': {
      const l = inner('location');
      return {
        kind: 'location',
        name: str(l, 'name'),
        address: str(l, 'address'),
        latitude: num(l, 'latitude'),
        longitude: num(l, 'longitude'),
      };
    }
    case 'link': {
      const l = inner('link');
      return {
        kind: 'link',
        title: str(l, 'title'),
        desc: str(l, 'desc', 'description'),
        url: str(l, 'url'),
        picUrl: strOrNull(l, 'picUrl', 'pic_url'),
      };
    }
    case 'businesscard':
      return { kind: 'businessCard', userid: str(inner('businessCard', 'business_card'), 'userid', 'userId') };
    case 'miniprogram': {
      const p = inner('miniprogram');
      return { kind: 'miniprogram', title: str(p, 'title'), appid: str(p, 'appid'), pagepath: str(p, 'pagepath') };
    }
    case 'menu':
    case 'msgmenu': {
      const menu = inner('msgmenu', 'menu');
      return {
        kind: 'menu',
        head: str(menu, 'headContent', 'head_content', 'head'),
        items: menuItems(menu?.['list'] ?? menu?.['items']),
        tail: str(menu, 'tailContent', 'tail_content', 'tail'),
      };
    }
    case 'channelsshopproduct':
    case 'channelsproduct': {
      const p = inner('channelsShopProduct', 'channels_shop_product');
      return {
        kind: 'channelsProduct',
        title: str(p, 'title'),
        price: str(p, 'salesPrice', 'sales_price', 'price'),
        shop: str(p, 'shopNickname', 'shop_nickname'),
        productId: str(p, 'productId', 'product_id'),
      };
    }
    case 'channelsshoporder':
    case 'channelsorder': {
      const o = inner('channelsShopOrder', 'channels_shop_order');
      return {
        kind: 'channelsOrder',
        orderId: str(o, 'orderId', 'order_id'),
        titles: str(o, 'productTitles', 'product_titles'),
        price: str(o, 'priceWording', 'price_wording'),
        state: str(o, 'state'),
        shop: str(o, 'shopNickname', 'shop_nickname'),
      };
    }
    case 'channels': {
      const ch = inner('channels');
      return { kind: 'channels', subType: num(ch, 'subType', 'sub_type'), nickname: str(ch, 'nickname'), title: str(ch, 'title') };
    }
    case 'mergedmsg':
    case 'merged':
    case 'mergedhistory': {
      const h = inner('mergedMsg', 'merged_msg');
      return { kind: 'merged', title: str(h, 'title'), items: mergedItems(h?.['items'] ?? h?.['item']) };
    }
    case 'event':
      return { kind: 'event', event: eventView(c) };
    default:
      if (m.origin === 4 || kind.endsWith('session') || kind.startsWith('event')) {
        if (c && (str(c, 'eventType', 'event_type') || obj(c, 'event'))) return { kind: 'event', event: eventView(c) };
      }
      return { kind: 'unsupported', msgtype: (c && str(c, 'msgtype')) || m.msgtype };
  }
}

/** A short one-line text of a body, for alerts and search: customer text or a [type] tag key. */
export function bodySummary(body: Body): { text: string } | { type: Body['kind'] } {
  if (body.kind === 'text') return { text: body.text };
  if (body.kind === 'link') return { text: body.title || body.url };
  if (body.kind === 'file' && body.name) return { text: body.name };
  return { type: body.kind };
}
