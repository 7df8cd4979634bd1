import { describe, expect, it } from 'vitest';
import { catalogues, interpolate, type Locale } from '../i18n/index.svelte';
import {
  ERROR_KEYS,
  canRecall,
  deliveryText,
  errorText,
  messageSide,
  msgtypeText,
  previewText,
  repliesLeftText,
  sentByText,
  waitingText,
  windowLeftText,
  type Text,
} from './format';

const render = (locale: Locale, text: Text) => interpolate(catalogues[locale][text.key], text.params);

describe('waitingText', () => {
  it('counts seconds, then minutes, then hours and minutes', () => {
    expect(waitingText(null, 100)).toBeNull();
    expect(waitingText(100, 130)).toEqual({ key: 'queue.waitingSeconds', params: { n: 30 } });
    expect(waitingText(100, 100 + 3 * 60 + 59)).toEqual({ key: 'queue.waitingMinutes', params: { n: 3 } });
    expect(waitingText(0, 2 * 3600 + 5 * 60)).toEqual({ key: 'queue.waitingHours', params: { h: 2, m: 5 } });
    expect(waitingText(200, 100), 'a clock skew never shows a negative time').toEqual({
      key: 'queue.waitingSeconds',
      params: { n: 0 },
    });
  });

  it('reads "等待 3 分钟" in zh-CN', () => {
    expect(catalogues['zh-CN']['queue.waitingMinutes'].replace('{n}', '3')).toBe('等待 3 分钟');
  });
});

describe('errorText', () => {
  it('has a text in every locale for every error code', () => {
    for (const key of Object.values(ERROR_KEYS)) {
      expect(catalogues['zh-CN'][key]).toBeTruthy();
      expect(catalogues.en[key]).toBeTruthy();
    }
    expect(errorText({ code: 'QUOTA_USED' })).toEqual({ key: 'error.QUOTA_USED' });
    expect(errorText({ code: 'SOMETHING_NEW' })).toEqual({ key: 'error.unknown' });
    expect(errorText({ code: 'toString' }), 'no prototype keys').toEqual({ key: 'error.unknown' });
  });

  it('names the colleague who has the customer, else says a colleague does', () => {
    const taken = errorText({ code: 'TAKEN_BY_COLLEAGUE', colleague: '李四' });
    expect(render('zh-CN', taken)).toBe('李四 正在接待该客户');
    expect(render('en', taken)).toBe('李四 is handling this customer');
    expect(render('zh-CN', errorText({ code: 'TAKEN_BY_COLLEAGUE' }))).toBe('同事正在接待该客户');
    expect(render('en', errorText({ code: 'TAKEN_BY_COLLEAGUE', colleague: '' }))).toBe('A colleague is handling this customer');
    expect(render('en', errorText({ code: 'NOT_MINE', colleague: '李四' })), 'only that code names them').toBe(
      'This conversation is not yours',
    );
  });

  it('says the team server is unreachable', () => {
    expect(render('zh-CN', errorText({ code: 'TEAM_UNREACHABLE' }))).toBe('团队服务器无法连接，请稍后再试');
    expect(render('en', errorText({ code: 'TEAM_UNREACHABLE' }))).toBe('The team server is unreachable; try again shortly');
  });
});

describe('messages', () => {
  it('places customer left, ours and colleagues right, events centre', () => {
    expect([3, 0, 5, 4, 9].map(messageSide)).toEqual(['customer', 'agent', 'colleague', 'event', 'event']);
  });

  it('localises known message types and shows unknown ones as [msgtype]', () => {
    expect(msgtypeText('image')).toEqual({ key: 'message.type.image' });
    expect(msgtypeText('channels_shop_product')).toEqual({
      key: 'message.type.other',
      params: { msgtype: 'channels_shop_product' },
    });
  });

  it('names who sent our reply, only for our replies with a sender', () => {
    const text = sentByText({ origin: 0, sentBy: '张三' });
    expect(text && render('zh-CN', text)).toBe('由 张三 发送');
    expect(text && render('en', text)).toBe('sent by 张三');
    expect(sentByText({ origin: 0, sentBy: null }), 'solo mode').toBeNull();
    expect(sentByText({ origin: 3, sentBy: '张三' }), 'not a reply of ours').toBeNull();
  });

  it('names the delivery state of our replies', () => {
    expect(deliveryText(null)).toBeNull();
    expect(deliveryText('sent')?.key).toBe('delivery.sent');
    expect(deliveryText('bouncing')).toEqual({ key: 'delivery.unknown', params: { state: 'bouncing' } });
  });
});

describe('windowLeftText', () => {
  const H = 3600;

  it('counts hours and minutes down, rounding down', () => {
    expect(windowLeftText(null, 0)).toBeNull();
    expect(windowLeftText(48 * H, 0)).toEqual({
      key: 'conversation.windowLeft',
      params: { h: 48, m: 0 },
      warn: false,
      closed: false,
    });
    expect(windowLeftText(48 * H, 59)?.params, 'a started minute is not shown as whole').toEqual({ h: 47, m: 59 });
    expect(windowLeftText(1000 + 2 * H + 5 * 60 + 30, 1000)?.params).toEqual({ h: 2, m: 5 });
  });

  it('reads "窗口剩余 47 小时 59 分" in zh-CN and English in en', () => {
    const text = windowLeftText(48 * H, 60)!;
    expect(render('zh-CN', text)).toBe('窗口剩余 47 小时 59 分');
    expect(render('en', text)).toBe('Window: 47 h 59 min left');
  });

  it('warns under an hour, shows minutes only, then closes', () => {
    expect(windowLeftText(H, 0)?.warn, 'exactly one hour is not yet a warning').toBe(false);
    const last = windowLeftText(H - 1, 0)!;
    expect(last).toEqual({ key: 'conversation.windowLeftMinutes', params: { m: 59 }, warn: true, closed: false });
    expect(render('zh-CN', last)).toBe('窗口剩余 59 分');
    expect(windowLeftText(30, 0)).toMatchObject({ params: { m: 0 }, warn: true, closed: false });
    expect(windowLeftText(100, 100)).toEqual({ key: 'conversation.windowClosed', warn: true, closed: true });
    expect(windowLeftText(100, 5000), 'never a negative time').toMatchObject({ closed: true });
  });
});

describe('repliesLeftText', () => {
  it('reads "剩余 n/5 条回复" and flags the last reply and an empty quota', () => {
    expect(repliesLeftText(5)).toEqual({
      key: 'conversation.repliesLeft',
      params: { n: 5, total: 5 },
      left: 5,
      level: 'ok',
    });
    expect(render('zh-CN', repliesLeftText(3))).toBe('剩余 3/5 条回复');
    expect(render('en', repliesLeftText(3))).toBe('3/5 replies left');
    expect(repliesLeftText(2).level).toBe('ok');
    expect(repliesLeftText(1)).toMatchObject({ left: 1, level: 'last' });
    expect(repliesLeftText(0)).toMatchObject({ left: 0, level: 'none' });
  });

  it('clamps values outside 0..5', () => {
    expect(repliesLeftText(-2)).toMatchObject({ left: 0, level: 'none' });
    expect(repliesLeftText(9)).toMatchObject({ left: 5, params: { n: 5, total: 5 } });
  });
});

describe('queue row preview', () => {
  const last = { fromCustomer: true, msgtype: 'text', preview: '快递到哪了', recalled: false, sendTime: 1 };
  it('shows the text, a reply as ours, other kinds by name, a recall as recalled', () => {
    expect(previewText(null)).toBeNull();
    expect(previewText(last)).toEqual({ body: { key: 'queue.preview.text', params: { text: '快递到哪了' } }, reply: false });
    expect(previewText({ ...last, fromCustomer: false })?.reply).toBe(true);
    expect(previewText({ ...last, msgtype: 'image', preview: null })?.body).toEqual({ key: 'message.type.image' });
    expect(previewText({ ...last, recalled: true })?.body).toEqual({ key: 'message.recalled' });
  });
});

describe('recalling a reply', () => {
  const m = { origin: 0, delivery: 'sent' as string | null, recalled: false, sendTime: 1000 };
  it('is offered for our delivered replies younger than two minutes only', () => {
    expect(canRecall(m, 1119)).toBe(true);
    expect(canRecall(m, 1120)).toBe(false);
    expect(canRecall({ ...m, delivery: 'queued' }, 1001)).toBe(false);
    expect(canRecall({ ...m, recalled: true }, 1001)).toBe(false);
    expect(canRecall({ ...m, origin: 3 }, 1001)).toBe(false);
  });
});
