import type { Key } from 'ink';
import type { UiActions } from './actions.js';

/**
 * One key binding. The hint line is generated from the same list the input handler matches
 * against, so the two cannot drift apart.
 */
export interface KeyBinding {
  /** How the hint names the key: `q`, `ctrl+c`. */
  keys: string;
  description: string;
  action: keyof UiActions;
  /**
   * Still works when stdin is not a terminal (no raw mode, so no useInput): Ctrl+C then
   * reaches the process as SIGINT, which the kernel turns into the same shutdown.
   */
  viaSignal: boolean;
  matches(input: string, key: Pick<Key, 'ctrl' | 'meta'>): boolean;
}

export const GLOBAL_KEYS: readonly KeyBinding[] = [
  {
    keys: 'q',
    description: 'quit',
    action: 'quit',
    viaSignal: false,
    matches: (input, key) => input === 'q' && !key.ctrl && !key.meta,
  },
  {
    // Ink renders with exitOnCtrlC: false, so Ctrl+C arrives here as input 'c' with ctrl set.
    keys: 'ctrl+c',
    description: 'quit',
    action: 'interrupt',
    viaSignal: true,
    matches: (input, key) => input === 'c' && key.ctrl,
  },
];

/** `q/ctrl+c quit`: keys sharing a description are grouped, in first-seen order. */
export function keyHint(bindings: readonly KeyBinding[]): string {
  const groups = new Map<string, string[]>();
  for (const b of bindings) {
    const keys = groups.get(b.description) ?? [];
    keys.push(b.keys);
    groups.set(b.description, keys);
  }
  return [...groups].map(([description, keys]) => `${keys.join('/')} ${description}`).join('  ');
}
