import { describe, expect, it } from 'vitest';
import { catalogues } from '../i18n/index.svelte';
import { ERROR_KEYS, deliveryText, errorText, messageSide, msgtypeText, waitingText } from './format';

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
    expect(errorText('QUOTA_USED')).toEqual({ key: 'error.QUOTA_USED' });
    expect(errorText('SOMETHING_NEW')).toEqual({ key: 'error.unknown' });
    expect(errorText('toString'), 'no prototype keys').toEqual({ key: 'error.unknown' });
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

  it('names the delivery state of our replies', () => {
    expect(deliveryText(null)).toBeNull();
    expect(deliveryText('sent')?.key).toBe('delivery.sent');
    expect(deliveryText('bouncing')).toEqual({ key: 'delivery.unknown', params: { state: 'bouncing' } });
  });
});
