import { Box } from 'ink';
import { memo, useCallback, useEffect, useMemo, useReducer, useRef, useSyncExternalStore } from 'react';
import type { MarketStore } from '../trading/market-store.js';
import { flagsByMarket, type MarketInfo } from '../upbit/market-list.js';
import type { MarketCode } from '../upbit/types.js';
import { ActionsProvider, type UiActions } from './actions.js';
import { Body } from './Body.js';
import { BottomLine, TICKET_HINT } from './BottomLine.js';
import { DEFAULT_KEYS, type Capability, type KeyTable } from './keymap.js';
import { planFrame, tableColumns } from './layout.js';
import { searchMarkets } from './market-search.js';
import { bodyRows, scrollTo, screenSelector, type ScreenBody } from './screen-view.js';
import { StatusBar } from './StatusBar.js';
import { DEFAULT_LAG_WARN_MS } from './status-text.js';
import type { TaskSource } from './task-source.js';
import type { TradingSource } from './trading-source.js';
import { orderTasks, taskColumns } from './task-text.js';
import { themeFor, type ColorMode, type Palette } from './theme.js';
import { INITIAL_UI_STATE, topView, uiReducer, type ListKind } from './ui-state.js';
import { useActions } from './actions.js';
import type { LogSnapshot } from './log-text.js';
import { selectableOrders } from './orders-text.js';
import { useOrderActions } from './use-order-actions.js';
import type { ExternalStore } from '../trading/session/index.js';
import { useKeyRouter } from './use-key-router.js';
import { useBook, useFocusDemand, type MarketData } from './market-data.js';
import { useTicket, type TicketDefaults } from './use-ticket.js';
import { useStoreSelection } from './use-store-selection.js';
import { useTaskRows } from './use-task-rows.js';
import { useTerminalSize } from './use-terminal-size.js';

export interface AppProps {
  store: MarketStore;
  /**
   * The running tasks, shown by the `t` panel. Their `startedAt` must be on the store's clock.
   * @default none: no panel, and `t` is not bound
   */
  tasks?: TaskSource;
  /** Event-loop lag p99 (ms) above which the status bar warns: pass the kernel's threshold. @default 100 */
  lagWarnMs?: number;
  /** Called on `q`, and on every Ctrl+C unless onInterrupt is given. */
  onQuit: () => void;
  /** Called on every Ctrl+C (the kernel's interrupt: a second one forces exit). @default onQuit */
  onInterrupt?: () => void;
  colors: ColorMode;
  /** The trading session, for the status bar's mode badge and account summary. @default none: a ticker console only */
  trading?: TradingSource;
  /** Korean names by market (`korean_name`), shown next to the code where the terminal is wide enough. @default none */
  names?: ReadonlyMap<MarketCode, string>;
  /** Every market of the exchange with its names, for the `/` search. @default none: search can only say so */
  catalog?: readonly MarketInfo[];
  /** The key table, remapped by the config file. @default DEFAULT_KEYS */
  keys?: KeyTable;
  /** The config file's colours over the mode's theme. @default none */
  palette?: Palette;
  /** The feed's books, trades and candles, and the focus demand. @default none: no market view, no book in the ticket */
  market?: MarketData;
  /** This run's audit trail, for the `l` pane. @default none: no log pane */
  log?: ExternalStore<LogSnapshot>;
  /** The config file's default order type and quick sizes. @default limit, 25/50/75/100 % */
  ticketDefaults?: TicketDefaults;
  /** Add or remove watchlist markets (`/`, `d`). @default none: the watchlist is fixed */
  watchlist?: Pick<UiActions, 'addMarket' | 'removeMarket' | 'record'>;
}

export function App({ store, onQuit, onInterrupt, watchlist, ...rest }: AppProps) {
  const actions = useMemo<UiActions>(() => ({ quit: onQuit, interrupt: onInterrupt ?? onQuit, ...watchlist }), [onQuit, onInterrupt, watchlist]);
  return (
    <ActionsProvider actions={actions}>
      <Screen store={store} {...rest} />
    </ActionsProvider>
  );
}

/** Re-rendered only when the status snapshot it is given changes (held back by screen-view.ts). */
const MemoStatusBar = memo(StatusBar);

type ScreenProps = Omit<AppProps, 'onQuit' | 'onInterrupt' | 'watchlist'>;

const NO_LOG: ExternalStore<LogSnapshot> = { subscribe: () => () => undefined, getSnapshot: () => ({ version: 0, entries: [], file: null }) };

const NO_CATALOG: readonly MarketInfo[] = [];
const NO_DEFAULTS: TicketDefaults = {};
const NO_TRADING: TradingSource = { subscribe: () => () => undefined, getSnapshot: () => null };

function Screen({ store, tasks, lagWarnMs = DEFAULT_LAG_WARN_MS, colors, trading, names, catalog = NO_CATALOG, keys = DEFAULT_KEYS, palette, market, ticketDefaults = NO_DEFAULTS, log }: ScreenProps) {
  const actions = useActions();
  const [ui, dispatch] = useReducer(uiReducer, INITIAL_UI_STATE);
  const view = topView(ui);
  // A y/n question is on the bottom line: the view stays drawn above it (help and search take the body).
  const bodyIsView = ui.overlay === null || ui.overlay.kind === 'ask';
  const showTasks = view.kind === 'tasks' && bodyIsView;
  const taskRows = useTaskRows(tasks, showTasks);
  const { columns, rows } = useTerminalSize();
  const theme = themeFor(colors, palette);
  const tradingLine = useMemo(() => (trading === undefined ? undefined : { source: trading, prices: store }), [trading, store]);
  const withNames = names !== undefined && names.size > 0;
  const cols = useMemo(() => tableColumns(columns, withNames), [columns, withNames]);
  const ordered = useMemo(() => orderTasks(taskRows), [taskRows]);
  const taskCols = useMemo(() => taskColumns(ordered, columns), [ordered, columns]);
  const split = trading !== undefined;

  // The watchlist scrolls to keep its selection on screen (the offset is part of the selector).
  const snapshot = store.getSnapshot();
  const marketCount = snapshot.markets.length;
  const offset = useRef(0);
  const tableShown = view.kind === 'watchlist' && bodyIsView;
  offset.current = scrollTo(offset.current, ui.selected.watchlist, planFrame({ rows, itemCount: marketCount, hasNotice: snapshot.notice !== null }).visibleRows);
  const tableOffset = offset.current;
  const taskCount = ordered.length;
  const body = useMemo<ScreenBody>(
    () => (tableShown ? { kind: 'table', offset: tableOffset } : showTasks ? { kind: 'tasks', count: taskCount } : { kind: 'panel' }),
    [tableShown, tableOffset, showTasks, taskCount],
  );
  const flags = useMemo(() => flagsByMarket(catalog), [catalog]);
  const select = useMemo(
    () => screenSelector({ rows, cols, theme, body, status: { lagWarnMs, markers: theme.warn === undefined, split }, names, flags }),
    [rows, cols, theme, body, lagWarnMs, split, names, flags],
  );
  // At most one commit per store flush (never per tick), and none for a flush that changes
  // nothing on screen: a quiet row, a market behind "+N more", a number of the status line
  // that changed within the last second (screen-view.ts).
  const { plan, lines, status, now } = useStoreSelection(store.subscribe, store.getSnapshot, select);

  const query = ui.overlay?.kind === 'search' ? ui.overlay.query : null;
  const results = useMemo(() => (query === null ? NO_CATALOG : searchMarkets(catalog, query)), [catalog, query]);
  const has = useMemo<Record<Capability, boolean>>(() => ({ trading: trading !== undefined, tasks: tasks !== undefined, market: market !== undefined, log: log !== undefined }), [trading, tasks, market, log]);
  // A watchlist that shrank (a market removed) keeps its selection on a row.
  useEffect(() => dispatch({ type: 'clamp', list: 'watchlist', count: marketCount }), [marketCount]);

  // The focused market, or the ticket's: its book, trades and candles are demanded while open.
  const focused = view.kind === 'market' || view.kind === 'ticket' ? view.market : null;
  useFocusDemand(market, focused);
  const tradingView = useSyncExternalStore((trading ?? NO_TRADING).subscribe, (trading ?? NO_TRADING).getSnapshot);
  const book = useBook(market, view.kind === 'ticket' ? view.market : null);
  const back = useCallback(() => dispatch({ type: 'back' }), []);
  const record = actions.record;
  const onOutcome = useCallback((text: string, ok: boolean) => (ok ? undefined : record?.({ kind: 'refusal', text })), [record]);
  const ticket = useTicket({ top: view, trading: tradingView, book, defaults: ticketDefaults, close: back, onOutcome });
  const orderActions = useOrderActions(tradingView, record);
  const taskLength = ordered.length;
  const count = useCallback(
    (list: ListKind): number => {
      switch (list) {
        case 'watchlist':
          return store.getSnapshot().markets.length;
        case 'orders':
          return tradingView === null ? 0 : selectableOrders(tradingView.orders.getSnapshot()).length;
        case 'portfolio':
          return tradingView === null ? 0 : tradingView.account.getSnapshot().balances.size;
        case 'log':
          return (log ?? NO_LOG).getSnapshot().entries.length;
        case 'tasks':
          return taskLength;
      }
    },
    [store, tradingView, log, taskLength],
  );

  const active = useKeyRouter({
    table: keys,
    ui,
    dispatch,
    has,
    count,
    ...orderActions,
    searchResults: results,
    selectedMarket: (index) => store.getSnapshot().markets[index],
    ticket,
  });
  const selected = snapshot.markets[ui.selected.watchlist];
  const watched = useMemo(() => new Set(snapshot.markets), [snapshot.markets]);

  return (
    // No explicit width: Ink lays the root out at the terminal's width, also for the frame it
    // renders from a resize before this component has seen the new size.
    <Box flexDirection="column">
      <Body
        ui={ui}
        view={view}
        columns={columns}
        height={bodyRows(plan)}
        theme={theme}
        table={{ lines, cols, plan, selected }}
        tasks={{ rows: ordered.slice(0, plan.visibleRows), cols: taskCols, plan, now }}
        search={{ results, watched, unavailable: catalog.length === 0 }}
        active={active}
        ticket={ticket}
        panes={{ market, trading: tradingView, prices: store, log: log ?? NO_LOG }}
      />
      {plan.showStatus && <MemoStatusBar snapshot={status} columns={columns} showNotice={plan.showNotice} lagWarnMs={lagWarnMs} theme={theme} trading={tradingLine} />}
      {plan.showKeys && <BottomLine overlay={ui.overlay} bindings={active} theme={theme} columns={columns} lead={view.kind === 'ticket' && ticket.isTyping(view) ? TICKET_HINT : ''} />}
    </Box>
  );
}
