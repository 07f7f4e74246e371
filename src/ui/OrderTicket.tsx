/**
 * The order ticket: draws a {@link TicketView} (ticket-derive.ts) and nothing else. It owns no
 * state and no input hook: the App routes keys through `ticketEvent` (ticket-state.ts) to its
 * reducer, and derives the view from the session on every keystroke.
 */
import { Box, Text } from 'ink';

import { HUNDRED } from '../trading/decimal.js';
import { formatAmount, plain } from '../trading/money.js';
import { confirmationText, estimateText, money, type TicketFieldView, type TicketView } from './ticket-derive.js';
import type { TicketState } from './ticket-state.js';
import type { Theme } from './theme.js';

export interface OrderTicketProps {
  view: TicketView;
  state: TicketState;
  theme: Theme;
  /** Columns the ticket may use. */
  width: number;
}

const LABEL_WIDTH = 15;

export function OrderTicket({ view, state, theme, width }: OrderTicketProps) {
  const live = view.mode === 'live';
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end">
        <Text bold={theme.attributes} color={view.side === 'bid' ? theme.rise : theme.fall}>
          {view.side === 'bid' ? 'BUY' : 'SELL'} {view.base}/{view.quote}
        </Text>
        {` · ${view.title} · `}
        <Text bold={live && theme.attributes} color={live ? theme.bad : undefined}>
          {view.mode.toUpperCase()}
        </Text>
      </Text>
      {view.fields.map((f) => (
        <FieldRow key={f.field} field={f} editing={state.phase === 'editing'} theme={theme} />
      ))}
      {view.priceNote !== null && (
        <Text wrap="wrap" color={theme.warn}>
          {view.priceNote}
        </Text>
      )}
      <Totals view={view} />
      <Lines lines={[estimateText(view) ?? '']} />
      <Lines lines={view.warnings} color={theme.warn} />
      {view.problems.map((p, i) => (
        <Text key={i} wrap="wrap" color={p.code === 'missing' ? undefined : theme.bad}>
          {p.message}
        </Text>
      ))}
      <Lines lines={view.caveats} dim={theme.attributes} />
      {state.phase === 'confirming' ? <Confirmation view={view} state={state} theme={theme} /> : <PhaseLine state={state} theme={theme} />}
    </Box>
  );
}

function FieldRow({ field, editing, theme }: { field: TicketFieldView; editing: boolean; theme: Theme }) {
  const marker = field.focused ? '>' : ' ';
  const choice = field.field === 'type' || field.field === 'tif';
  // The cursor shows where typing goes; a choice shows that ←/→ change it.
  const value = field.focused && editing ? (choice ? `‹ ${field.text} ›` : `${field.text}_`) : field.text;
  return (
    <Text wrap="truncate-end" bold={field.focused && theme.attributes}>
      {`${marker} ${field.label.padEnd(LABEL_WIDTH)}${value}`}
      {field.unit === '' ? '' : ` ${field.unit}`}
    </Text>
  );
}

function Totals({ view }: { view: TicketView }) {
  const { amounts, quote, base } = view;
  const rate = `${plain(view.feeRate.mul(HUNDRED))} %`;
  const parts: string[] = [];
  if (amounts === null) parts.push(`Fee ${rate}`);
  else {
    const about = amounts.estimated ? 'about ' : '';
    parts.push(`Fee ${rate}: ${about}${money(amounts.fee, quote)}`);
    parts.push(amounts.kind === 'cost' ? `Total cost ${about}${money(amounts.net, quote)}` : `Proceeds ${about}${money(amounts.net, quote)}`);
  }
  if (view.available === undefined) parts.push('Available: not read yet');
  else parts.push(view.side === 'bid' ? `Available ${money(view.available.quote, quote)}` : `Available ${formatAmount(view.available.base)} ${base}`);
  return <Text wrap="wrap">{parts.join('   ')}</Text>;
}

function Lines({ lines, color, dim = false }: { lines: readonly string[]; color?: string | undefined; dim?: boolean }) {
  return (
    <>
      {lines
        .filter((l) => l !== '')
        .map((line, i) => (
          <Text key={i} wrap="wrap" color={color} dimColor={dim}>
            {line}
          </Text>
        ))}
    </>
  );
}

function PhaseLine({ state, theme }: { state: TicketState; theme: Theme }) {
  switch (state.phase) {
    case 'sending':
      return <Text color={theme.warn}>Sending… (cannot be sent twice)</Text>;
    case 'done':
      return <Lines lines={[state.message ?? 'Done.']} color={theme.good} />;
    case 'refused':
      return <Lines lines={[state.message ?? 'Refused.']} color={theme.bad} />;
    default:
      return <Lines lines={[state.message ?? '']} color={theme.warn} />;
  }
}

/** The review before sending: the whole order in words; LIVE in red, and its own key. */
function Confirmation({ view, state, theme }: { view: TicketView; state: TicketState; theme: Theme }) {
  const live = state.mode === 'live';
  const [mode = '', ...rest] = confirmationText(view, state);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={live ? theme.bad : undefined} paddingX={1}>
      <Text wrap="wrap" bold={live && theme.attributes} color={live ? theme.bad : undefined}>
        {mode}
      </Text>
      <Lines lines={rest} />
      <Text wrap="wrap" bold={theme.attributes} color={live ? theme.bad : undefined}>
        {live ? 'Type Y (shift+y) to send this LIVE order, n/Esc to go back.' : 'Press y to send, n/Esc to go back.'}
      </Text>
      <Lines lines={[state.message ?? '']} color={theme.warn} />
    </Box>
  );
}
