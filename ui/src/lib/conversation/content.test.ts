import { describe, expect, it } from 'vitest';
import type { MessageDto } from '../ipc/contract';
import { messageDto } from '../ipc/fixtures';
import { bodyOf } from './content';
import { eventText, failReasonText } from './format';

const msg = (msgtype: string, content?: unknown, extra: Partial<MessageDto> = {}): MessageDto =>
  messageDto({ msgtype, text: null, content, ...extra });

describe('bodyOf', () => {
  it('falls back to msgtype + text without content', () => {
    expect(bodyOf(msg('text', undefined, { text: '<b>hi</b>' }))).toEqual({ kind: 'text', text: '<b>hi</b>' });
    expect(bodyOf(msg('image'))).toEqual({ kind: 'image', media: null });
  });

  it('reads every message kind, camelCase or wire-shaped', () => {
    const media = { state: 'ready', url: 'asset://m/1.jpg', contentType: 'image/jpeg', size: 10 };
    expect(bodyOf(msg('image', { kind: 'image' }, { media }))).toEqual({ kind: 'image', media });
    expect(bodyOf(msg('file', { kind: 'file', fileName: '../x.pdf' }))).toMatchObject({ kind: 'file', name: '../x.pdf' });
    expect(bodyOf(msg('location', { kind: 'location', latitude: 23.1, longitude: 113.3, name: '广州', address: '海珠区' }))).toEqual({
      kind: 'location',
      name: '广州',
      address: '海珠区',
      latitude: 23.1,
      longitude: 113.3,
    });
    expect(bodyOf(msg('link', { kind: 'link', link: { title: 'T', desc: 'D', url: 'https://a', pic_url: 'p' } }))).toEqual({
      kind: 'link',
      title: 'T',
      desc: 'D',
      url: 'https://a',
      picUrl: 'p',
    });
    expect(bodyOf(msg('business_card', { kind: 'business_card', userid: 'u1' }))).toEqual({ kind: 'businessCard', userid: 'u1' });
    expect(bodyOf(msg('miniprogram', { kind: 'miniprogram', title: 'M', appid: 'wx1', pagepath: 'p' }))).toMatchObject({
      kind: 'miniprogram',
      title: 'M',
    });
    expect(
      bodyOf(
        msg('msgmenu', {
          kind: 'menu',
          headContent: '满意吗',
          list: [
            { type: 'click', click: { id: '1', content: '满意' } },
            { type: 'view', view: { url: 'https://a', content: '详情' } },
          ],
          tailContent: '谢谢',
        }),
      ),
    ).toEqual({
      kind: 'menu',
      head: '满意吗',
      items: [
        { type: 'click', label: '满意', url: null },
        { type: 'view', label: '详情', url: 'https://a' },
      ],
      tail: '谢谢',
    });
    expect(bodyOf(msg('channels_shop_product', { kind: 'channelsShopProduct', title: 'P', salesPrice: '100', shopNickname: 'S' }))).toMatchObject({
      kind: 'channelsProduct',
      price: '100',
      shop: 'S',
    });
    expect(bodyOf(msg('channels_shop_order', { kind: 'channels_shop_order', order_id: '9', state: '已完成' }))).toMatchObject({
      kind: 'channelsOrder',
      orderId: '9',
      state: '已完成',
    });
    expect(bodyOf(msg('channels', { kind: 'channels', subType: 2, nickname: 'N' }))).toMatchObject({ kind: 'channels', subType: 2 });
  });

  it('reads merged history entries whose body is a JSON string', () => {
    const body = bodyOf(
      msg('merged_msg', {
        kind: 'mergedMsg',
        title: '张三的聊天记录',
        item: [
          { send_time: 5, msgtype: 'text', sender_name: '张三', msg_content: '{"text":{"content":"hello"}}' },
          { send_time: 6, msgtype: 'image', sender_name: '张三', msg_content: '{"image":{"media_id":"x"}}' },
          { send_time: 7, sender_name: '李四', msg_content: 'not json' },
        ],
      }),
    );
    expect(body).toEqual({
      kind: 'merged',
      title: '张三的聊天记录',
      items: [
        { sender: '张三', sendTime: 5, text: 'hello', msgtype: 'text' },
        { sender: '张三', sendTime: 6, text: null, msgtype: 'image' },
        { sender: '李四', sendTime: 7, text: 'not json', msgtype: 'text' },
      ],
    });
  });

  it('reads events and names them', () => {
    const enter = bodyOf(msg('event', { kind: 'event', eventType: 'enter_session', scene: 'qr' }, { origin: 4 }));
    expect(enter.kind).toBe('event');
    if (enter.kind !== 'event') return;
    expect(eventText(enter.event)).toEqual({ key: 'event.enterSessionScene', params: { scene: 'qr' } });
    const transferred = bodyOf(
      msg('event', { kind: 'event', event: { event_type: 'session_status_change', change_type: 2, old_servicer_userid: 'a', new_servicer_userid: 'b' } }),
    );
    if (transferred.kind !== 'event') throw new Error('an event');
    expect(eventText(transferred.event)).toEqual({ key: 'event.sessionTransferred', params: { from: 'a', to: 'b' } });
    const camel = bodyOf(msg('event', { kind: 'event', eventType: 'userRecallMsg' }));
    if (camel.kind !== 'event') throw new Error('an event');
    expect(eventText(camel.event).key).toBe('event.userRecall');
    const unknown = bodyOf(msg('event', { kind: 'event', eventType: 'brand_new' }));
    if (unknown.kind !== 'event') throw new Error('an event');
    expect(eventText(unknown.event)).toEqual({ key: 'event.other', params: { type: 'brand_new' } });
  });

  it('shows an unknown type as unsupported, never nothing', () => {
    expect(bodyOf(msg('meeting', { kind: 'meeting' }))).toEqual({ kind: 'unsupported', msgtype: 'meeting' });
    expect(bodyOf(msg('hologram'))).toEqual({ kind: 'unsupported', msgtype: 'hologram' });
  });
});

describe('failReasonText', () => {
  it('localises error codes and fail types and keeps other text', () => {
    expect(failReasonText('WINDOW_CLOSED')).toEqual({ key: 'error.WINDOW_CLOSED' });
    expect(failReasonText('fail_type 10')).toEqual({ key: 'failType.10' });
    expect(failReasonText('msg_send_fail 10: the customer rejects messages')).toEqual({ key: 'failType.10' });
    expect(failReasonText('rate limited')).toEqual({ key: 'delivery.reason', params: { reason: 'rate limited' } });
    expect(failReasonText(null)).toBeNull();
  });
});

describe('bodyOf with the contract shapes', () => {
  it('reads an event code by event type and a stored media file', () => {
    const fail = bodyOf(msg('event', { kind: 'event', eventType: 'msg_send_fail', text: 'x', code: 10, servicerUserid: null }));
    if (fail.kind !== 'event') throw new Error('an event');
    expect(fail.event.failType).toBe(10);
    expect(fail.event.changeType, 'the code belongs to its event type only').toBeNull();
    const ended = bodyOf(msg('event', { kind: 'event', eventType: 'session_status_change', text: 'x', code: 3, servicerUserid: 'zs' }));
    if (ended.kind !== 'event') throw new Error('an event');
    expect(eventText(ended.event)).toEqual({ key: 'event.sessionEnded', params: { servicer: 'zs' } });
    const media = { state: 'stored', url: 'kefu-media://localhost/a.jpg', contentType: 'image/jpeg', size: 3 };
    expect(bodyOf(msg('image', { kind: 'image' }, { media }))).toEqual({ kind: 'image', media: { ...media, state: 'ready' } });
  });

  it('reads merged entries and menu items as the contract sends them', () => {
    expect(
      bodyOf(msg('merged_msg', { kind: 'mergedMsg', title: 'T', items: [{ senderName: 'A', sendTime: 1, msgtype: 'text', text: 'hi' }] })),
    ).toEqual({ kind: 'merged', title: 'T', items: [{ sender: 'A', sendTime: 1, text: 'hi', msgtype: 'text' }] });
    expect(
      bodyOf(msg('msgmenu', { kind: 'msgmenu', head: 'H', items: [{ kind: 'view', content: '看看', id: null, url: 'https://a' }], tail: null })),
    ).toEqual({ kind: 'menu', head: 'H', items: [{ type: 'view', label: '看看', url: 'https://a' }], tail: '' });
  });
});
