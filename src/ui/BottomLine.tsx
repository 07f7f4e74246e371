import { Text } from 'ink';
import { memo, useEffect, useState } from 'react';
import { KeyHint } from './KeyHint.js';
import { fitName } from './table-text.js';
import { textWidth } from './text-width.js';
import type { Binding } from './keymap.js';
import type { Theme } from './theme.js';
import type { Overlay, Question } from './ui-state.js';

/** A question in words, and the keys that answer it. */
export function questionParts(q: Question, now = Date.now()): { ask: string; keys: string } {
  switch (q.kind) {
    case 'remove-market':
      return { ask: `Remove ${q.market} from the watchlist? ${q.reason}`, keys: 'y: remove  n/Esc: keep' };
    case 'cancel':
      return { ask: `Cancel ${q.text}?`, keys: 'y: cancel it  n/Esc: keep it' };
    case 'cancel-all':
      return { ask: `Cancel all ${q.count} open order${q.count === 1 ? '' : 's'} this app placed?`, keys: 'y: cancel them  n/Esc: keep them' };
    case 'exit': {
      const left = Math.max(0, Math.ceil((q.deadline - now) / 1000));
      const them = q.count === 1 ? 'it' : 'them';
      // Whole at 80 columns: new orders are already refused, and the status line says it is shutting down.
      return { ask: `Quitting: ${q.count} open order${q.count === 1 ? '' : 's'}.`, keys: `Enter leave ${them} (${left}s)  c cancel ${them}  ctrl+c now` };
    }
    case 'quit-in-flight':
      return { ask: `${q.count === 1 ? 'An order is' : `${q.count} orders are`} being sent; its answer is journalled either way. Quit now?`, keys: 'y: quit  n/Esc: stay' };
  }
}

/** Questions narrower than this are cut at the end, keys and all; wider ones keep their keys whole. */
const ASK_MIN = 8;

/** The question line in `columns`: the question is cut before the keys that answer it. */
export function questionText(q: Question, columns = Infinity, now = Date.now()): string {
  const { ask, keys } = questionParts(q, now);
  const full = `${ask} ${keys}`;
  const room = columns - textWidth(keys) - 1;
  if (textWidth(full) <= columns || room < ASK_MIN) return full;
  return `${fitName(ask, room)} ${keys}`;
}

/** Date.now(), once a second while `on` (the exit question's countdown). */
function useSecondClock(on: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return undefined;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [on]);
  return now;
}

/** The last line: a question waiting for y/n, else the keys that work right now. */
export const BottomLine = memo(function BottomLine({ overlay, bindings, theme, columns, lead = '' }: { overlay: Overlay | null; bindings: readonly Binding[]; theme: Theme; columns: number; lead?: string }) {
  const ticking = overlay?.kind === 'ask' && overlay.question.kind === 'exit';
  const now = useSecondClock(ticking);
  if (overlay?.kind === 'ask') {
    return (
      <Text wrap="truncate-end" bold={theme.attributes} {...(theme.warn === undefined ? {} : { color: theme.warn })}>
        {questionText(overlay.question, columns, now)}
      </Text>
    );
  }
  return <KeyHint bindings={bindings} theme={theme} columns={columns} lead={lead} />;
});

/**
 * The ticket's own keys on its key line: its fields are inputs, so `?` is text there and the
 * line must show how to move, size and send (help has them all: Esc, then ?).
 */
export const TICKET_HINT = 'tab/↓ next  ←/→ type  +/- tick  alt+1-4 size  enter review';
