import { useInput, useStdin, type Key } from 'ink';
import { useCallback } from 'react';
import type { KeyBinding } from './keymap.js';

/**
 * Route one mode's keys to `dispatch` while `isActive`. Returns the bindings that are live,
 * for the hint line: none while inactive, or when stdin is not a terminal (no raw mode).
 */
export function useModeKeys<A>(bindings: readonly KeyBinding<A>[], dispatch: (action: A) => void, isActive: boolean): readonly KeyBinding<A>[] {
  const { isRawModeSupported } = useStdin();
  const live = isActive && isRawModeSupported;
  const onInput = useCallback(
    (input: string, key: Key) => {
      const binding = bindings.find((b) => b.matches(input, key));
      if (binding !== undefined) dispatch(binding.action);
    },
    [bindings, dispatch],
  );
  // useInput enables raw mode, which throws on a non-TTY stdin; stay inactive there.
  useInput(onInput, { isActive: live });
  return live ? bindings : [];
}
