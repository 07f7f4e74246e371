import type { MarketInfo } from '../upbit/market-list.js';
import type { MarketCode } from '../upbit/types.js';
import { Text } from 'ink';
import type { MarketSnapshot } from '../trading/market-store.js';
import type { ExternalStore } from '../trading/session/index.js';
import { LogPanel } from './LogPanel.js';
import type { LogSnapshot } from './log-text.js';
import type { MarketData } from './market-data.js';
import { MarketView } from './MarketView.js';
import { OrdersPanel } from './OrdersPanel.js';
import { PortfolioPanel } from './PortfolioPanel.js';
import type { TradingView } from './trading-source.js';
import { HelpOverlay, helpEntries, type HelpEntry } from './HelpOverlay.js';
import { OrderTicket } from './OrderTicket.js';
import { TICKET_KEYS } from './ticket-state.js';
import type { TicketHandle } from './use-ticket.js';
import type { Binding } from './keymap.js';
import type { FrameLayout, TableColumns } from './layout.js';
import type { RowLine } from './screen-view.js';
import { SearchOverlay } from './SearchOverlay.js';
import type { TaskRow } from './task-source.js';
import type { TaskColumns } from './task-text.js';
import { TasksPanel } from './TasksPanel.js';
import type { Theme } from './theme.js';
import { TickerTable } from './TickerTable.js';
import type { UiState, View } from './ui-state.js';

const OPENING = 'The trading session is opening (Esc goes back).';

/** The ticket's own keys (its fields are inputs), listed before the table's in help. */
const TICKET_HELP: readonly HelpEntry[] = TICKET_KEYS.map((k) => ({ keys: k.keys, text: k.description }));

export interface BodyProps {
  ui: UiState;
  view: View;
  columns: number;
  /** Lines the body may take (the frame plan's, screen-view.ts bodyRows). */
  height: number;
  theme: Theme;
  table: { lines: readonly RowLine[]; cols: TableColumns; plan: FrameLayout; selected: MarketCode | undefined };
  tasks: { rows: readonly TaskRow[]; cols: TaskColumns; plan: FrameLayout; now: number };
  search: { results: readonly MarketInfo[]; watched: ReadonlySet<MarketCode>; unavailable: boolean };
  /** The keys live under an overlay (what help lists). */
  active: readonly Binding[];
  ticket: TicketHandle;
  panes: { market: MarketData | undefined; trading: TradingView | null; prices: ExternalStore<MarketSnapshot>; log: ExternalStore<LogSnapshot> };
}

/** A line saying what a view waits for, cut to the width. */
function Waiting({ text }: { text: string }) {
  return <Text wrap="truncate-end">{text}</Text>;
}

/** What fills the screen above the status line: the overlay if one is open, else the top view. */
export function Body({ ui, view, columns, height, theme, table, tasks, search, active, ticket, panes }: BodyProps) {
  const overlay = ui.overlay;
  if (overlay?.kind === 'help') return <HelpOverlay view={view.kind} entries={helpEntries(active, view.kind === 'ticket' ? TICKET_HELP : [])} columns={columns} rows={height} theme={theme} />;
  if (overlay?.kind === 'search') return <SearchOverlay query={overlay.query} results={search.results} selected={overlay.selected} watched={search.watched} rows={height} theme={theme} unavailable={search.unavailable} />;
  switch (view.kind) {
    case 'market':
      if (panes.market === undefined) return <Waiting text="No market data here (Esc goes back)." />;
      return <MarketView market={view.market} slices={panes.market} columns={columns} rows={height} theme={theme} />;
    case 'orders':
      if (panes.trading === null) return <Waiting text={OPENING} />;
      return <OrdersPanel orders={panes.trading.orders} width={columns} height={height} selected={ui.selected.orders} theme={theme} />;
    case 'portfolio':
      if (panes.trading === null) return <Waiting text={OPENING} />;
      return <PortfolioPanel account={panes.trading.account} prices={panes.prices} width={columns} height={height} selected={ui.selected.portfolio} theme={theme} />;
    case 'log':
      return <LogPanel log={panes.log} width={columns} height={height} offset={ui.selected.log} theme={theme} />;
    case 'ticket':
      if (ticket.state === null || ticket.view === null) return <Waiting text={`${OPENING} The ${view.side === 'bid' ? 'buy' : 'sell'} ticket for ${view.market} shows once it is.`} />;
      return <OrderTicket view={ticket.view} state={ticket.state} theme={theme} width={columns} height={height} />;
    case 'tasks':
      return <TasksPanel tasks={tasks.rows} cols={tasks.cols} columns={columns} showHeader={tasks.plan.showHeader} hiddenRows={tasks.plan.hiddenRows} showMore={tasks.plan.showMore} now={tasks.now} theme={theme} />;
    default:
      return (
        <TickerTable
          lines={table.lines}
          cols={table.cols}
          columns={columns}
          showHeader={table.plan.showHeader}
          hiddenRows={table.plan.hiddenRows}
          showMore={table.plan.showMore}
          theme={theme}
          selected={table.selected}
        />
      );
  }
}
