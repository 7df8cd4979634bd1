/**
 * Variables in canned replies, filled when a reply is put into the composer: `{客户}` the
 * customer's name, `{订单号}` the order number picked from the conversation, `{客服}` the agent,
 * `{剩余时间}` the time left in the 48 h window. Each has an English name too (`{customer}`,
 * `{order}`, `{agent}`, `{time_left}`). A variable with no value stays as typed and is listed
 * in `missing`, so the agent sees what to fill in; other braces are left alone.
 */

export const VARIABLES = [
  { id: 'customer', names: ['客户', 'customer'] },
  { id: 'order', names: ['订单号', 'order'] },
  { id: 'agent', names: ['客服', 'agent'] },
  { id: 'timeLeft', names: ['剩余时间', 'time_left'] },
] as const;

export type VariableId = (typeof VARIABLES)[number]['id'];
export type VariableValues = Partial<Record<VariableId, string>>;

export interface Rendered {
  text: string;
  /** Variables used but without a value, by id, each once. */
  missing: VariableId[];
}

export function renderCanned(body: string, values: VariableValues): Rendered {
  const missing: VariableId[] = [];
  const text = body.replace(/\{([^{}\n]{1,16})\}/g, (whole, name: string) => {
    const v = VARIABLES.find((x) => (x.names as readonly string[]).includes(name.trim()));
    if (!v) return whole;
    const value = values[v.id];
    if (value) return value;
    if (!missing.includes(v.id)) missing.push(v.id);
    return whole;
  });
  return { text, missing };
}

/**
 * The order number a customer gave, from their messages newest first: a code of 6–32 letters,
 * digits or dashes after 订单/单号/order, else a run of 12–24 digits on its own (longer than a
 * phone number).
 */
export function pickOrderNumber(customerTexts: readonly string[]): string | undefined {
  const keyed = /(?:订单号?|单号|order(?:\s*(?:no\.?|number|id|#))?)\s*[:：#]?\s*([A-Za-z0-9][A-Za-z0-9-]{5,31})/i;
  const digits = /(?<![0-9])([0-9]{12,24})(?![0-9])/;
  for (const text of customerTexts) {
    const m = keyed.exec(text);
    const code = m?.[1];
    if (code && /[0-9]/.test(code)) return code;
  }
  for (const text of customerTexts) {
    const run = digits.exec(text)?.[1];
    if (run) return run;
  }
  return undefined;
}
