import { Text } from 'ink';
import { keyHint, type Binding } from './keymap.js';
import type { Theme } from './theme.js';

/** The keys that work right now, and nothing else; `lead` first (a view's own keys, e.g. the ticket's). */
export function KeyHint({ bindings, theme, columns, lead = '' }: { bindings: readonly Binding[]; theme: Theme; columns: number; lead?: string }) {
  return (
    <Text wrap="truncate-end" dimColor={theme.attributes}>
      {keyHint(bindings, columns, lead)}
    </Text>
  );
}
