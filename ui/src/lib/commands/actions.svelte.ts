/**
 * One registry of the agent's actions: the command palette lists them (with their keys) and the
 * keyboard handler runs them, so the two never disagree. Invariants: an action with `enabled()`
 * false neither runs from a key nor from the palette; a key with no modifier never fires while
 * the agent types in a text field; the first enabled action bound to a key wins.
 */
import type { MessageKey } from '../i18n/index.svelte';
import { inTextField, matches, parseCombo, type Combo } from './keys';

export interface Action {
  id: string;
  title: MessageKey;
  /** Group heading in the palette. */
  group: MessageKey;
  /** Key combinations, e.g. ["Alt+N"]. */
  keys?: string[];
  /** Whether it can run now (default: always). */
  enabled?: () => boolean;
  run: () => void;
  /** Runs even when the key comes from a text field without modifiers (e.g. Escape). */
  inText?: boolean;
}

interface Bound {
  action: Action;
  combos: Combo[];
}

export class ActionRegistry {
  actions = $state<Action[]>([]);
  #bound: Bound[] = [];

  constructor(actions: Action[] = []) {
    this.set(actions);
  }

  set(actions: Action[]): void {
    this.actions = actions;
    this.#bound = actions.map((action) => ({ action, combos: (action.keys ?? []).map((k) => parseCombo(k)) }));
  }

  find(id: string): Action | undefined {
    return this.actions.find((a) => a.id === id);
  }

  isEnabled(action: Action): boolean {
    return action.enabled ? action.enabled() : true;
  }

  /** Runs an action by id; false when unknown or disabled. */
  run(id: string): boolean {
    const action = this.find(id);
    if (!action || !this.isEnabled(action)) return false;
    action.run();
    return true;
  }

  /** Runs the action bound to this key, if any; true when one ran (the event is consumed). */
  handleKey(e: KeyboardEvent): boolean {
    if (e.isComposing || e.keyCode === 229) return false;
    const typing = inTextField(e.target);
    for (const { action, combos } of this.#bound) {
      for (const combo of combos) {
        if (!matches(combo, e)) continue;
        const plain = !combo.ctrl && !combo.alt && !combo.meta;
        if (typing && plain && !action.inText) continue;
        if (!this.isEnabled(action)) continue;
        e.preventDefault();
        action.run();
        return true;
      }
    }
    return false;
  }
}

/** Case-insensitive subsequence match ("cl" finds "claim", "接入" finds "接入会话"). */
export function fuzzyScore(text: string, query: string): number | null {
  const q = query.trim().toLowerCase();
  if (!q) return 0;
  const s = text.toLowerCase();
  const direct = s.indexOf(q);
  if (direct >= 0) return direct === 0 ? 0 : 1 + direct / 100;
  let i = 0;
  let gaps = 0;
  for (const ch of s) {
    if (ch === q[i]) i++;
    else if (i > 0) gaps++;
    if (i === q.length) return 10 + gaps;
  }
  return null;
}

/** Actions whose title (in any of the given texts) matches, best first; all when the query is blank. */
export function filterActions<A extends { id: string }>(actions: readonly A[], query: string, texts: (a: A) => string[]): A[] {
  const scored: { a: A; score: number; i: number }[] = [];
  actions.forEach((a, i) => {
    const scores = [...texts(a), a.id].map((t) => fuzzyScore(t, query)).filter((s): s is number => s !== null);
    if (scores.length) scored.push({ a, score: Math.min(...scores), i });
  });
  return scored.sort((x, y) => x.score - y.score || x.i - y.i).map((x) => x.a);
}
