import { Text } from 'ink';
import { keyHint, type Binding } from './keymap.js';
import type { Theme } from './theme.js';

/** The keys that work right now, and nothing else. */
export function KeyHint({ bindings, theme, columns }: { bindings: readonly Binding[]; theme: Theme; columns: number }) {
  return (
    <Text wrap="truncate-end" dimColor={theme.attributes}>
      {keyHint(bindings, columns)}
    </Text>
  );
}
