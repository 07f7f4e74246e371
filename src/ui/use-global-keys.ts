import { useInput, useStdin, type Key } from 'ink';
import { useCallback } from 'react';
import { useActions } from './actions.js';
import { GLOBAL_KEYS, type KeyBinding } from './keymap.js';

/**
 * Route the always-on keys to their actions. Returns the bindings that are actually active,
 * for the hint line: without raw mode (stdin not a terminal) only the signal path is left.
 */
// eslint-disable-next-line no-control-regex -- matching the raw ETX byte is the point
const CTRL_C_RUN = /^\x03{2,}$/;

export function useGlobalKeys(): readonly KeyBinding[] {
  const actions = useActions();
  const { isRawModeSupported } = useStdin();
  const onInput = useCallback(
    (input: string, key: Key) => {
      // Two Ctrl+C presses can reach us as one chunk ("\x03\x03") on a slow SSH link, and
      // Ink then reports the raw bytes instead of ctrl+c: count every press, so the second
      // one still forces the exit.
      if (CTRL_C_RUN.test(input)) {
        for (let i = 0; i < input.length; i++) actions.interrupt();
        return;
      }
      const binding = GLOBAL_KEYS.find((b) => b.matches(input, key));
      if (binding !== undefined) actions[binding.action]();
    },
    [actions],
  );
  // useInput enables raw mode, which throws on a non-TTY stdin; stay inactive there.
  useInput(onInput, { isActive: isRawModeSupported });
  return isRawModeSupported ? GLOBAL_KEYS : GLOBAL_KEYS.filter((b) => b.viaSignal);
}
