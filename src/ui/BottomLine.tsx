import { Text } from 'ink';
import { memo } from 'react';
import { KeyHint } from './KeyHint.js';
import type { Binding } from './keymap.js';
import type { Theme } from './theme.js';
import type { Overlay, Question } from './ui-state.js';

/** A question in words, with the keys that answer it. */
export function questionText(q: Question): string {
  switch (q.kind) {
    case 'remove-market':
      return `Remove ${q.market} from the watchlist? ${q.reason} y: remove  n/Esc: keep`;
    case 'cancel':
      return `Cancel ${q.text}? y: cancel it  n/Esc: keep it`;
    case 'cancel-all':
      return `Cancel all ${q.count} open order${q.count === 1 ? '' : 's'} this app placed? y: cancel them  n/Esc: keep them`;
  }
}

/** The last line: a question waiting for y/n, else the keys that work right now. */
export const BottomLine = memo(function BottomLine({ overlay, bindings, theme, columns }: { overlay: Overlay | null; bindings: readonly Binding[]; theme: Theme; columns: number }) {
  if (overlay?.kind === 'ask') {
    return (
      <Text wrap="truncate-end" bold={theme.attributes} {...(theme.warn === undefined ? {} : { color: theme.warn })}>
        {questionText(overlay.question)}
      </Text>
    );
  }
  return <KeyHint bindings={bindings} theme={theme} columns={columns} />;
});
