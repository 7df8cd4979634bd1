import { describe, expect, it } from 'vitest';
import { byFolder, CannedLibrary, draftProblem, type CannedReplyDto } from './canned.svelte';
import { replaceSlash, slashQuery } from './slash';
import { pickOrderNumber, renderCanned } from './variables';

const reply = (title: string, folder = ''): CannedReplyDto => ({
  id: title, scope: 'personal', folder, title, shortcut: '', body: `${title}的内容`, updatedAt: 0, updatedBy: 'ann', uses: 0,
});

describe('canned variables', () => {
  it('fills known variables in either language and lists the ones without a value', () => {
    const r = renderCanned('{客户}您好，我是{agent}。订单 {订单号} 已退款，{剩余时间}内可回复。{未知} {x', {
      customer: '张三',
      agent: '小美',
      timeLeft: '3 小时',
    });
    expect(r.text).toBe('张三您好，我是小美。订单 {订单号} 已退款，3 小时内可回复。{未知} {x');
    expect(r.missing).toEqual(['order']);
    expect(renderCanned('{order} {订单号}', {}).missing).toEqual(['order']);
  });

  it('picks the newest order number, keyed before bare digits, never a phone number', () => {
    expect(pickOrderNumber(['我的订单号：E20261203-0042 还没到', '订单 123456789012345'])).toBe('E20261203-0042');
    expect(pickOrderNumber(['电话 13800138000', '单号 4200001234567890 麻烦查一下'])).toBe('4200001234567890');
    expect(pickOrderNumber(['Order #A1B2C3D4 please'])).toBe('A1B2C3D4');
    expect(pickOrderNumber(['就是这个 202612030001234', '电话 13800138000'])).toBe('202612030001234');
    expect(pickOrderNumber(['电话 13800138000', '订单有问题'])).toBeUndefined();
  });
});

describe('the slash trigger', () => {
  it('starts at the text start or after a space, never inside a word or a URL', () => {
    expect(slashQuery('/tk', 3)).toEqual({ start: 0, query: 'tk' });
    expect(slashQuery('您好 /退款', 6)).toEqual({ start: 3, query: '退款' });
    expect(slashQuery('第一行\n/', 5)).toEqual({ start: 4, query: '' });
    expect(slashQuery('a/b', 3)).toBeNull();
    expect(slashQuery('https://x.cn/a', 14)).toBeNull();
    expect(slashQuery('/tk ', 4)).toBeNull();
  });

  it('replaces the query with the reply and puts the caret after it', () => {
    const text = '您好 /tk 谢谢';
    const q = slashQuery(text, 6);
    expect(q).not.toBeNull();
    if (q) expect(replaceSlash(text, q, 6, '退款说明')).toEqual({ text: '您好 退款说明 谢谢', caret: 7 });
  });
});

describe('the library', () => {
  it('checks a draft as the backend would', () => {
    const ok = { title: '退款', body: '内容', shortcut: '/tk' };
    expect(draftProblem(ok)).toBeNull();
    expect(draftProblem({ ...ok, title: ' ' })).toBe('title');
    expect(draftProblem({ ...ok, body: '\n' })).toBe('body');
    expect(draftProblem({ ...ok, shortcut: '退款' })).toBe('shortcut');
    expect(draftProblem({ ...ok, body: '字'.repeat(683) })).toBe('bodyTooLong');
  });

  it('groups by folder with the unfiled first', () => {
    expect(byFolder([reply('b', '售后'), reply('a'), reply('c', '售后')]).map((g) => [g.folder, g.replies.map((r) => r.title)])).toEqual([
      ['', ['a']],
      ['售后', ['b', 'c']],
    ]);
  });

  it('keeps only the answer to the latest query, at most eight', async () => {
    const answers: Record<string, (v: unknown) => void> = {};
    const lib = new CannedLibrary({
      call: <T>(_cmd: string, req: unknown) =>
        new Promise<T>((resolve) => {
          answers[(req as { query: string }).query] = resolve as (v: unknown) => void;
        }),
    });
    const slow = lib.find('t');
    const fast = lib.find('tk');
    answers.tk?.({ replies: Array.from({ length: 12 }, (_, i) => reply(`r${i}`)), team: true });
    await fast;
    answers.t?.({ replies: [reply('old')], team: false });
    await slow;
    expect(lib.matches.map((r) => r.title)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
    expect(lib.team).toBe(true);
  });
});
