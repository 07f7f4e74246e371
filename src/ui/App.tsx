import { Box } from 'ink';
import { memo, useMemo, useReducer } from 'react';
import type { MarketStore } from '../trading/market-store.js';
import type { MarketCode } from '../upbit/types.js';
import { ActionsProvider, type UiActions } from './actions.js';
import { KeyHint } from './KeyHint.js';
import { MODE_KEYS } from './keymap.js';
import { tableColumns } from './layout.js';
import { screenSelector } from './screen-view.js';
import { StatusBar } from './StatusBar.js';
import { DEFAULT_LAG_WARN_MS } from './status-text.js';
import type { TaskSource } from './task-source.js';
import type { TradingSource } from './trading-source.js';
import { orderTasks, taskColumns } from './task-text.js';
import { TasksPanel } from './TasksPanel.js';
import { TickerTable } from './TickerTable.js';
import { themeFor, type ColorMode } from './theme.js';
import { INITIAL_UI_STATE, uiReducer } from './ui-state.js';
import { useGlobalKeys } from './use-global-keys.js';
import { useModeKeys } from './use-mode-keys.js';
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
}

export function App({ store, tasks, lagWarnMs = DEFAULT_LAG_WARN_MS, onQuit, onInterrupt, colors, trading, names }: AppProps) {
  const actions = useMemo<UiActions>(() => ({ quit: onQuit, interrupt: onInterrupt ?? onQuit }), [onQuit, onInterrupt]);
  return (
    <ActionsProvider actions={actions}>
      <Screen store={store} tasks={tasks} lagWarnMs={lagWarnMs} colors={colors} trading={trading} names={names} />
    </ActionsProvider>
  );
}

/** Re-rendered only when the status snapshot it is given changes (held back by screen-view.ts). */
const MemoStatusBar = memo(StatusBar);

interface ScreenProps {
  store: MarketStore;
  tasks: TaskSource | undefined;
  lagWarnMs: number;
  colors: ColorMode;
  trading: TradingSource | undefined;
  names: ReadonlyMap<MarketCode, string> | undefined;
}

function Screen({ store, tasks, lagWarnMs, colors, trading, names }: ScreenProps) {
  const [ui, dispatch] = useReducer(uiReducer, INITIAL_UI_STATE);
  const showTasks = ui.mode === 'tasks';
  const taskRows = useTaskRows(tasks, showTasks);
  const { columns, rows } = useTerminalSize();
  // One input hook per mode; the hint lists exactly the keys that are live.
  const globalKeys = useGlobalKeys();
  const tableKeys = useModeKeys(MODE_KEYS.table, dispatch, ui.mode === 'table' && tasks !== undefined);
  const tasksKeys = useModeKeys(MODE_KEYS.tasks, dispatch, showTasks);
  const theme = themeFor(colors);
  const tradingLine = useMemo(() => (trading === undefined ? undefined : { source: trading, prices: store }), [trading, store]);
  const withNames = names !== undefined && names.size > 0;
  const cols = useMemo(() => tableColumns(columns, withNames), [columns, withNames]);
  const ordered = useMemo(() => orderTasks(taskRows), [taskRows]);
  const taskCols = useMemo(() => taskColumns(ordered, columns), [ordered, columns]);
  const split = trading !== undefined;
  const select = useMemo(
    () => screenSelector({ rows, cols, theme, showTasks, taskCount: ordered.length, status: { lagWarnMs, markers: theme.warn === undefined, split }, names }),
    [rows, cols, theme, showTasks, ordered.length, lagWarnMs, split, names],
  );
  // At most one commit per store flush (never per tick), and none for a flush that changes
  // nothing on screen: a quiet row, a market behind "+N more", a number of the status line
  // that changed within the last second (screen-view.ts).
  const { plan, lines, status, now } = useStoreSelection(store.subscribe, store.getSnapshot, select);

  return (
    // No explicit width: Ink lays the root out at the terminal's width, also for the frame it
    // renders from a resize before this component has seen the new size.
    <Box flexDirection="column">
      {showTasks ? (
        <TasksPanel
          tasks={ordered.slice(0, plan.visibleRows)}
          cols={taskCols}
          columns={columns}
          showHeader={plan.showHeader}
          hiddenRows={plan.hiddenRows}
          showMore={plan.showMore}
          now={now}
          theme={theme}
        />
      ) : (
        <TickerTable lines={lines} cols={cols} columns={columns} showHeader={plan.showHeader} hiddenRows={plan.hiddenRows} showMore={plan.showMore} theme={theme} />
      )}
      {plan.showStatus && <MemoStatusBar snapshot={status} columns={columns} showNotice={plan.showNotice} lagWarnMs={lagWarnMs} theme={theme} trading={tradingLine} />}
      {plan.showKeys && <KeyHint bindings={[...globalKeys, ...tableKeys, ...tasksKeys]} theme={theme} />}
    </Box>
  );
}
