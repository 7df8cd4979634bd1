import { describe, expect, it } from 'vitest';
import type { CustomerDto } from '../ipc/contract';
import { CustomerState, MAX_TAGS, normaliseTags } from './customer.svelte';

const noEvents = async () => () => {};

const customer = (extra: Partial<CustomerDto> = {}): CustomerDto => ({
  externalUserid: 'c1',
  nickname: '张三',
  avatar: null,
  gender: 0,
  source: null,
  note: '',
  tags: [],
  sessions: [],
  survey: null,
  ...extra,
});

/** A fake backend keeping one customer's note and tags. */
function backend() {
  const store = customer();
  const calls: [string, unknown][] = [];
  let fail = false;
  const call = async <T>(cmd: string, req: unknown): Promise<T> => {
    calls.push([cmd, req]);
    if (fail && cmd !== 'customer_get') throw { code: 'STORAGE', message: 'disk' };
    const r = req as { note?: string; tags?: string[] };
    if (cmd === 'customer_note_set') store.note = r.note!;
    if (cmd === 'customer_tags_set') store.tags = [...r.tags!];
    return structuredClone(store) as T;
  };
  return { store, calls, call, failNext: (v: boolean) => (fail = v) };
}

describe('normaliseTags', () => {
  it('trims, drops empties and repeats, caps count and length', () => {
    expect(normaliseTags([' VIP ', '', 'VIP', '退款'])).toEqual(['VIP', '退款']);
    expect(normaliseTags(Array.from({ length: 30 }, (_, i) => `t${i}`)).length).toBe(MAX_TAGS);
    expect([...normaliseTags(['很'.repeat(50)])[0]!].length).toBe(32);
  });
});

describe('CustomerState', () => {
  it('loads the customer and saves the note', async () => {
    const b = backend();
    const state = new CustomerState({ call: b.call, subscribe: noEvents });
    await state.select('c1');
    expect(b.calls[0]).toEqual(['customer_get', { externalUserid: 'c1' }]);
    expect(state.customer?.nickname).toBe('张三');
    state.noteDraft = '老客户，优先处理';
    expect(state.noteDirty).toBe(true);
    expect(await state.saveNote()).toBe(true);
    expect(b.calls.at(-1)).toEqual(['customer_note_set', { externalUserid: 'c1', note: '老客户，优先处理' }]);
    expect(state.noteDirty).toBe(false);
    expect(state.noteSave).toBe('saved');
  });

  it('keeps the typed note when the save fails', async () => {
    const b = backend();
    const state = new CustomerState({ call: b.call, subscribe: noEvents });
    await state.select('c1');
    b.failNext(true);
    state.noteDraft = 'draft';
    expect(await state.saveNote()).toBe(false);
    expect(state.noteDraft, 'nothing typed is lost').toBe('draft');
    expect(state.noteSave).toBe('failed');
    expect(state.error?.code).toBe('STORAGE');
    await state.refresh();
    expect(state.noteDraft, 'a refresh does not overwrite the draft').toBe('draft');
  });

  it('adds and removes tags and rolls back a failed save', async () => {
    const b = backend();
    const state = new CustomerState({ call: b.call, subscribe: noEvents });
    await state.select('c1');
    await state.addTag('VIP');
    await state.addTag(' 退款 ');
    expect(state.customer?.tags).toEqual(['VIP', '退款']);
    expect(b.store.tags).toEqual(['VIP', '退款']);
    b.failNext(true);
    expect(await state.removeTag('VIP')).toBe(false);
    expect(state.customer?.tags, 'rolled back').toEqual(['VIP', '退款']);
  });

  it('drops an answer for a customer no longer selected', async () => {
    const pending: ((c: CustomerDto) => void)[] = [];
    const state = new CustomerState({
      call: <T>() => new Promise<T>((resolve) => pending.push((c) => resolve(c as T))),
      subscribe: noEvents,
    });
    const first = state.select('c1');
    const second = state.select('c2');
    pending[0]!(customer());
    await first;
    expect(state.customer).toBeNull();
    pending[1]!(customer({ externalUserid: 'c2', nickname: '李四' }));
    await second;
    expect(state.customer?.nickname).toBe('李四');
  });
});
