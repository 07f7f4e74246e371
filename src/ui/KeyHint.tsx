import { Text } from 'ink';
import { keyHint, type KeyBinding } from './keymap.js';
import type { Theme } from './theme.js';

/** The keys that work right now, and nothing else. */
export function KeyHint({ bindings, theme }: { bindings: readonly KeyBinding[]; theme: Theme }) {
  return (
    <Text wrap="truncate-end" dimColor={theme.attributes}>
      {keyHint(bindings)}
    </Text>
  );
}
