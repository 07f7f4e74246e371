/** Keys as Ink reads them, split from one chunk, and ESC + key told apart from a bound Alt chord. */
import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';

import { CTRL_C_RUN, isNo, isUnboundAltChord, isYes, keyOfChar } from '../../src/ui/key-input.js';
import { activeBindings, DEFAULT_KEYS, type KeyContext } from '../../src/ui/keymap.js';

const ALL = { trading: true, tasks: true, market: true, log: true } as const;
const live = (view: KeyContext['view']) => activeBindings(DEFAULT_KEYS, { view, inInput: false, rawMode: true, has: ALL });
const pressed = (key: Key) => Object.entries(key).filter(([, on]) => on).map(([name]) => name);

describe('keyOfChar', () => {
  it('reads each character of a chunk as Ink reads it alone', () => {
    expect(keyOfChar('j')).toMatchObject({ input: 'j', printable: true });
    expect(pressed(keyOfChar('C').key)).toEqual(['shift']);
    expect(pressed(keyOfChar('\r').key)).toEqual(['return']);
    expect(pressed(keyOfChar('\t').key)).toEqual(['tab']);
    expect(pressed(keyOfChar('\x7f').key)).toEqual(['backspace']);
    expect(pressed(keyOfChar('\x1b').key)).toEqual(['escape', 'meta']);
    expect(keyOfChar('\x15')).toMatchObject({ input: 'u', printable: false });
    expect(pressed(keyOfChar('\x15').key)).toEqual(['ctrl']);
    // Hangul is text; a stray control byte is nothing.
    expect(keyOfChar('비')).toMatchObject({ input: '비', printable: true });
    expect(keyOfChar('\u0085')).toMatchObject({ input: '', printable: false });
  });

  it('counts Ctrl+C presses that came in one read', () => {
    expect(CTRL_C_RUN.test('\x03\x03')).toBe(true);
    expect(CTRL_C_RUN.test('\x03')).toBe(false);
    expect(CTRL_C_RUN.test('\x03q')).toBe(false);
  });
});

describe('isUnboundAltChord', () => {
  const alt = (input: string): Key => ({ ...keyOfChar(input).key, meta: true });
  it('is Esc then a key where no Alt chord is bound, and a chord where one is', () => {
    expect(isUnboundAltChord('o', alt('o'), live('market'))).toBe(true);
    expect(isUnboundAltChord('o', keyOfChar('o').key, live('market'))).toBe(false);
    expect(isUnboundAltChord('', keyOfChar('\x1b').key, live('market'))).toBe(false);
  });
});

describe('a question’s answer', () => {
  it('takes y, Y and Enter as yes, n, N and Esc as no, and nothing else', () => {
    expect(isYes('y', keyOfChar('y').key) && isYes('Y', keyOfChar('Y').key) && isYes('', keyOfChar('\r').key)).toBe(true);
    expect(isYes('y', { ...keyOfChar('y').key, ctrl: true })).toBe(false);
    expect(isNo('n', keyOfChar('n').key) && isNo('N', keyOfChar('N').key) && isNo('', keyOfChar('\x1b').key)).toBe(true);
    expect(isYes('q', keyOfChar('q').key) || isNo('q', keyOfChar('q').key)).toBe(false);
  });
});
