/**
 * Keys as Ink reads them, for the input router (use-key-router.ts): a chunk of several keys
 * (a slow link, a paste, `tmux send-keys` as one write) split into the keys Ink would report
 * one at a time, ESC glued to the next key told apart from a real Alt chord, and the y/n of a
 * question. Pure, so the router's hook holds only the routing.
 */
import type { Key } from 'ink';

import { resolveKey, type Binding } from './keymap.js';

/** Two or more Ctrl+C bytes in one read: each is a press. */
// eslint-disable-next-line no-control-regex -- matching the raw ETX byte is the point
export const CTRL_C_RUN = /^\x03{2,}$/;

const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/**
 * One character of a chunk as Ink reports it when it comes alone (its parse-keypress): Enter,
 * Tab, Backspace, a lone Esc, Ctrl+letter, or a printable character (`printable`: text).
 */
export function keyOfChar(ch: string): { input: string; key: Key; printable: boolean } {
  const code = ch.codePointAt(0) ?? 0;
  if (ch === '\r' || ch === '\n') return { input: '', key: { ...NO_KEY, return: true }, printable: false };
  if (ch === '\t') return { input: '', key: { ...NO_KEY, tab: true }, printable: false };
  if (ch === '\x7f' || ch === '\b') return { input: '', key: { ...NO_KEY, backspace: true }, printable: false };
  if (ch === '\x1b') return { input: '', key: { ...NO_KEY, escape: true, meta: true }, printable: false };
  if (code >= 1 && code <= 26) return { input: String.fromCharCode(code + 96), key: { ...NO_KEY, ctrl: true }, printable: false };
  if (/\p{C}/u.test(ch)) return { input: '', key: NO_KEY, printable: false };
  return { input: ch, key: { ...NO_KEY, shift: /^[A-Z]$/.test(ch) }, printable: true };
}

/**
 * Alt+key as Ink reports ESC followed by a printable character, where `active` binds no Alt
 * chord to it (the ticket's Alt+1-4 stay chords).
 */
export function isUnboundAltChord(input: string, key: Key, active: readonly Binding[]): boolean {
  if (!key.meta || key.escape || key.ctrl || [...input].length !== 1 || /\p{C}/u.test(input)) return false;
  return resolveKey(active, input, key) === undefined;
}

export const isYes = (input: string, key: Key): boolean => (input === 'y' || input === 'Y' || key.return) && !key.ctrl && !key.meta;
export const isNo = (input: string, key: Key): boolean => input === 'n' || input === 'N' || key.escape;
