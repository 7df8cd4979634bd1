import { describe, expect, it } from 'vitest';
import type { MessageDto } from '../ipc/generated/MessageDto';
import { Conversation } from './conversation.svelte';

const message = (msgid: string, extra: Partial<MessageDto> = {}): MessageDto => ({
  msgid,
  openKfid: 'wk1',
  externalUserid: 'c1',
  sendTime: 1,
  origin: 3,
  msgtype: 'text',
  text: 'hi',
  recalled: false,
  delivery: null,
  ...extra,
});

const noEvents = async () => () => {};

describe('Conversation', () => {
  it('loads the selected customer’s messages of that account', async () => {
    const calls: [string, unknown][] = [];
    const conv = new Conversation({
      call: async <T>(cmd: string, req: unknown) => {
        calls.push([cmd, req]);
        return { messages: [message('m1'), message('m2', { openKfid: 'wk2' })] } as T;
      },
      subscribe: noEvents,
    });
    await conv.select({ openKfid: 'wk1', externalUserid: 'c1' });
    expect(calls).toEqual([['message_list', { externalUserid: 'c1', limit: null }]]);
    expect(conv.messages.map((m) => m.msgid)).toEqual(['m1']);
    expect(conv.loading).toBe(false);
  });

  it('claims, sends trimmed text, refetches and reports changes', async () => {
    const calls: [string, unknown][] = [];
    let changed = 0;
    const conv = new Conversation({
      call: async <T>(cmd: string, req: unknown) => {
        calls.push([cmd, req]);
        return (cmd === 'message_list' ? { messages: [] } : { localState: 'mine', msgid: 'r1', state: 'queued' }) as T;
      },
      subscribe: noEvents,
      onChanged: () => changed++,
    });
    await conv.select({ openKfid: 'wk1', externalUserid: 'c1' });
    expect(await conv.claim()).toBe(true);
    expect(await conv.send('  hello \n')).toBe(true);
    expect(await conv.send('   '), 'blank text is not sent').toBe(false);
    const ref = { openKfid: 'wk1', externalUserid: 'c1' };
    expect(calls.filter(([cmd]) => cmd !== 'message_list')).toEqual([
      ['session_claim', ref],
      ['reply_send', { ...ref, text: 'hello' }],
    ]);
    expect(changed).toBe(2);
  });

  it('keeps the {code, message} of a failed action and the messages', async () => {
    const conv = new Conversation({
      call: async <T>(cmd: string) => {
        if (cmd === 'reply_send') throw { code: 'QUOTA_USED', message: 'five replies' };
        return { messages: [message('m1')] } as T;
      },
      subscribe: noEvents,
    });
    await conv.select({ openKfid: 'wk1', externalUserid: 'c1' });
    expect(await conv.send('hi')).toBe(false);
    expect(conv.error).toEqual({ code: 'QUOTA_USED', message: 'five replies' });
    expect(conv.messages.map((m) => m.msgid)).toEqual(['m1']);
  });

  it('drops an answer for a customer no longer selected', async () => {
    const pending: ((messages: MessageDto[]) => void)[] = [];
    const conv = new Conversation({
      call: <T>() => new Promise<T>((resolve) => pending.push((messages) => resolve({ messages } as T))),
      subscribe: noEvents,
    });
    const first = conv.select({ openKfid: 'wk1', externalUserid: 'c1' });
    const second = conv.select({ openKfid: 'wk1', externalUserid: 'c2' });
    pending[0]!([message('old')]);
    await first;
    expect(conv.messages).toEqual([]);
    pending[1]!([message('new', { externalUserid: 'c2' })]);
    await second;
    expect(conv.messages.map((m) => m.msgid)).toEqual(['new']);
  });
});
