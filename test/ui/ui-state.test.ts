import { describe, expect, it } from 'vitest';
import { GLOBAL_KEYS, keyHint, MODE_KEYS, type KeyPress } from '../../src/ui/keymap.js';
import { INITIAL_UI_STATE, uiReducer, type UiEvent, type UiState } from '../../src/ui/ui-state.js';

const OPEN: UiEvent = { type: 'open-tasks' };
const CLOSE: UiEvent = { type: 'close-tasks' };
const plain: KeyPress = { ctrl: false, meta: false, escape: false };

/** What a key does in a mode: the event of the first binding that matches, if any. */
const press = (mode: UiState['mode'], input: string, key: KeyPress = plain): UiEvent | undefined =>
  MODE_KEYS[mode].find((b) => b.matches(input, key))?.action;

describe('uiReducer', () => {
  it('starts on the ticker table', () => {
    expect(INITIAL_UI_STATE).toEqual({ mode: 'table' });
  });

  it('opens and closes the tasks panel', () => {
    const open = uiReducer(INITIAL_UI_STATE, OPEN);
    expect(open).toEqual({ mode: 'tasks' });
    expect(uiReducer(open, CLOSE)).toEqual({ mode: 'table' });
  });

  it('returns the same state when nothing changes, so React skips the render', () => {
    expect(uiReducer(INITIAL_UI_STATE, CLOSE)).toBe(INITIAL_UI_STATE);
    const open = uiReducer(INITIAL_UI_STATE, OPEN);
    expect(uiReducer(open, OPEN)).toBe(open);
  });

  it('toggles with t through the mode keys, and closes with Esc', () => {
    let state = INITIAL_UI_STATE;
    const step = (input: string, key?: KeyPress): void => {
      const event = press(state.mode, input, key);
      if (event !== undefined) state = uiReducer(state, event);
    };
    step('t');
    expect(state.mode).toBe('tasks');
    step('t');
    expect(state.mode).toBe('table');
    step('t');
    step('', { ctrl: false, meta: true, escape: true });
    expect(state.mode).toBe('table');
    // Esc means nothing on the table; Alt+t and Ctrl+t are not t.
    step('', { ctrl: false, meta: true, escape: true });
    step('t', { ctrl: false, meta: true, escape: false });
    step('t', { ctrl: true, meta: false, escape: false });
    expect(state.mode).toBe('table');
  });
});

describe('mode key hints', () => {
  it('name exactly the keys of each mode', () => {
    expect(keyHint(MODE_KEYS.table)).toBe('t tasks');
    expect(keyHint(MODE_KEYS.tasks)).toBe('t/esc close');
    expect(keyHint([...GLOBAL_KEYS, ...MODE_KEYS.tasks])).toBe('q/ctrl+c quit  t/esc close');
  });
});
