import type { Key } from 'ink';
import type { UiActions } from './actions.js';
import type { UiEvent, UiMode } from './ui-state.js';

/** The parts of Ink's `Key` the bindings look at. */
export type KeyPress = Pick<Key, 'ctrl' | 'meta' | 'escape'>;

/**
 * One key binding. The hint line is generated from the same list the input handler matches
 * against, so the two cannot drift apart. `A` is what the key does: an application action
 * (global keys) or a UI-state event (mode keys).
 */
export interface KeyBinding<A = unknown> {
  /** How the hint names the key: `q`, `ctrl+c`, `esc`. */
  keys: string;
  description: string;
  action: A;
  /**
   * Still works when stdin is not a terminal (no raw mode, so no useInput): Ctrl+C then
   * reaches the process as SIGINT, which the kernel turns into the same shutdown.
   */
  viaSignal: boolean;
  matches(input: string, key: KeyPress): boolean;
}

/** A plain letter: not with Ctrl, and not with Alt (which Ink reports as meta). */
const letter =
  (ch: string) =>
  (input: string, key: KeyPress): boolean =>
    input === ch && !key.ctrl && !key.meta;

/** Keys that work in every mode. */
export const GLOBAL_KEYS: readonly KeyBinding<keyof UiActions>[] = [
  {
    keys: 'q',
    description: 'quit',
    action: 'quit',
    viaSignal: false,
    matches: letter('q'),
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

const CLOSE_TASKS: UiEvent = { type: 'close-tasks' };

/** Keys that work only in one mode, each mode's list matched by its own input hook. */
export const MODE_KEYS: Readonly<Record<UiMode, readonly KeyBinding<UiEvent>[]>> = {
  table: [{ keys: 't', description: 'tasks', action: { type: 'open-tasks' }, viaSignal: false, matches: letter('t') }],
  tasks: [
    { keys: 't', description: 'close', action: CLOSE_TASKS, viaSignal: false, matches: letter('t') },
    // A lone Esc byte: Ink reports it as escape (and meta) with empty input.
    { keys: 'esc', description: 'close', action: CLOSE_TASKS, viaSignal: false, matches: (_input, key) => key.escape },
  ],
};

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

/** Where a mode's keys work, as --help and the README name the place. */
export const MODE_PLACES: Readonly<Record<UiMode, string>> = { table: 'the market table', tasks: 'the task list' };

/**
 * What a key does beyond the footer's one word, said in --help and the README. Keyed by the
 * binding's action (global keys) or event type (mode keys); a binding without a note shows
 * its footer word alone.
 */
const KEY_NOTES: Partial<Record<keyof UiActions | UiEvent['type'], string>> = {
  quit: 'exit code 0',
  interrupt: 'exit code 130; press again to force an immediate exit',
  'open-tasks': 'the running tasks',
  'close-tasks': 'back to the market table',
};

/** One line of the key reference: these keys, and what they do. */
export interface KeyReferenceEntry {
  keys: readonly string[];
  /** The mode whose place the keys work in; `undefined` for keys that work everywhere. */
  place: string | undefined;
  description: string;
  note: string | undefined;
}

/**
 * Every key of the TUI, read from {@link GLOBAL_KEYS} and {@link MODE_KEYS}: the source of
 * `--help`'s Keys and the README's key table. Global keys one by one (their notes differ),
 * then each mode's keys grouped as the footer groups them.
 */
export function keyReference(): KeyReferenceEntry[] {
  const entries: KeyReferenceEntry[] = GLOBAL_KEYS.map((b) => ({ keys: [b.keys], place: undefined, description: b.description, note: KEY_NOTES[b.action] }));
  for (const mode of Object.keys(MODE_KEYS) as UiMode[]) {
    const groups = new Map<string, KeyReferenceEntry & { keys: string[] }>();
    for (const b of MODE_KEYS[mode]) {
      const group = groups.get(b.description) ?? { keys: [], place: MODE_PLACES[mode], description: b.description, note: KEY_NOTES[b.action.type] };
      group.keys.push(b.keys);
      groups.set(b.description, group);
    }
    entries.push(...groups.values());
  }
  return entries;
}
