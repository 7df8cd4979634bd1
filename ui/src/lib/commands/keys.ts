/**
 * Key combinations as written in the action registry ("Ctrl+K", "Alt+ArrowDown", "Ctrl+,"):
 * parsed once, matched against keyboard events, and shown to the agent. `Mod` is Ctrl (Cmd on a
 * Mac). Invariant: a combination matches only with exactly its modifiers held.
 */
export interface Combo {
  ctrl: boolean;
  alt: boolean;
  shift: boolean;
  meta: boolean;
  /** KeyboardEvent.key, lower-cased for letters. */
  key: string;
}

const isMac = () => typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform ?? '');

export function parseCombo(text: string, mac = isMac()): Combo {
  const parts = text.split('+');
  // "Ctrl++" ends with an empty part: the key is "+".
  const key = parts.at(-1) === '' ? '+' : parts.pop()!;
  const combo: Combo = { ctrl: false, alt: false, shift: false, meta: false, key: key.length === 1 ? key.toLowerCase() : key };
  for (const p of parts) {
    const m = p.toLowerCase();
    if (m === 'ctrl') combo.ctrl = true;
    else if (m === 'alt') combo.alt = true;
    else if (m === 'shift') combo.shift = true;
    else if (m === 'meta' || m === 'cmd') combo.meta = true;
    else if (m === 'mod') {
      if (mac) combo.meta = true;
      else combo.ctrl = true;
    }
  }
  return combo;
}

export function matches(combo: Combo, e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'altKey' | 'shiftKey' | 'metaKey'>): boolean {
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  return (
    key === combo.key &&
    e.ctrlKey === combo.ctrl &&
    e.altKey === combo.alt &&
    e.metaKey === combo.meta &&
    // Shift is implied by characters like "?" or "+"; only demand it when the combo names it.
    (e.shiftKey === combo.shift || (!combo.shift && key.length === 1 && !/[a-z0-9]/.test(key)))
  );
}

const KEY_NAMES: Record<string, string> = {
  ArrowUp: '↑',
  ArrowDown: '↓',
  ArrowLeft: '←',
  ArrowRight: '→',
  Enter: 'Enter',
  Escape: 'Esc',
  ' ': 'Space',
};

/** The parts to show as key caps, e.g. ["Ctrl", "K"]. */
export function comboLabel(text: string, mac = isMac()): string[] {
  const c = parseCombo(text, mac);
  const out: string[] = [];
  if (c.ctrl) out.push(mac ? '⌃' : 'Ctrl');
  if (c.alt) out.push(mac ? '⌥' : 'Alt');
  if (c.shift) out.push(mac ? '⇧' : 'Shift');
  if (c.meta) out.push('⌘');
  out.push(KEY_NAMES[c.key] ?? (c.key.length === 1 ? c.key.toUpperCase() : c.key));
  return out;
}

/** True when the event comes from a place where plain keys type text. */
export function inTextField(target: EventTarget | null): boolean {
  if (!target || typeof (target as HTMLElement).tagName !== 'string') return false;
  const el = target as HTMLElement;
  const tag = el.tagName.toLowerCase();
  return tag === 'textarea' || tag === 'select' || el.isContentEditable || (tag === 'input' && !['checkbox', 'radio', 'button'].includes((el as HTMLInputElement).type));
}
