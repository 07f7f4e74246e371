/**
 * The order ticket: draws a {@link TicketView} (ticket-derive.ts) and nothing else. It owns no
 * state and no input hook: the App routes keys through `ticketEvent` (ticket-state.ts) to its
 * reducer, and derives the view from the session on every keystroke. Its lines are fitted to
 * the body by ticket-lines.ts: never taller than `height`, no line wider than `width`.
 */
import { Box, Text } from 'ink';
import type { Theme } from './theme.js';
import type { TicketView } from './ticket-derive.js';
import { hiddenText, ticketLayout, type TicketLine } from './ticket-lines.js';
import type { TicketState } from './ticket-state.js';

export interface OrderTicketProps {
  view: TicketView;
  state: TicketState;
  theme: Theme;
  /** Columns the ticket may use. */
  width: number;
  /** Rows the ticket may use, its title included. */
  height: number;
}

export function OrderTicket({ view, state, theme, width, height }: OrderTicketProps) {
  const live = view.mode === 'live';
  const rows = height - 1;
  const { lines, confirmation, hidden } = ticketLayout(view, state, width, rows, theme);
  const red = live ? theme.bad : undefined;
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        <Text bold={theme.attributes} color={view.side === 'bid' ? theme.rise : theme.fall}>
          {view.side === 'bid' ? 'BUY' : 'SELL'} {view.base}/{view.quote}
        </Text>
        {` · ${view.title} · `}
        <Text bold={live && theme.attributes} color={red}>
          {view.mode.toUpperCase()}
        </Text>
      </Text>
      <Lines lines={lines} />
      {confirmation !== null &&
        (confirmation.boxed ? (
          <Box flexDirection="column" borderStyle="round" borderColor={red} paddingX={1}>
            <Lines lines={confirmation.lines} />
          </Box>
        ) : (
          <Lines lines={confirmation.lines} />
        ))}
      {hidden > 0 && rows > 0 && (
        <Text wrap="truncate-end" dimColor={theme.attributes}>
          {hiddenText(hidden)}
        </Text>
      )}
    </Box>
  );
}

function Lines({ lines }: { lines: readonly TicketLine[] }) {
  return (
    <>
      {lines.map((l) => (
        <Text key={l.key} wrap="truncate-end" color={l.color} bold={l.bold} dimColor={l.dim}>
          {l.text}
        </Text>
      ))}
    </>
  );
}
