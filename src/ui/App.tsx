import { Box } from 'ink';
import { useMemo, useSyncExternalStore } from 'react';
import type { MarketRow, MarketStore } from '../trading/market-store.js';
import { ActionsProvider, type UiActions } from './actions.js';
import { KeyHint } from './KeyHint.js';
import { planFrame, tableColumns } from './layout.js';
import { StatusBar } from './StatusBar.js';
import { TickerTable } from './TickerTable.js';
import { themeFor, type ColorMode } from './theme.js';
import { useGlobalKeys } from './use-global-keys.js';
import { useTerminalSize } from './use-terminal-size.js';

export interface AppProps {
  store: MarketStore;
  /** Called on `q`, and on every Ctrl+C unless onInterrupt is given. */
  onQuit: () => void;
  /** Called on every Ctrl+C (the kernel's interrupt: a second one forces exit). @default onQuit */
  onInterrupt?: () => void;
  colors: ColorMode;
}

export function App({ store, onQuit, onInterrupt, colors }: AppProps) {
  const actions = useMemo<UiActions>(() => ({ quit: onQuit, interrupt: onInterrupt ?? onQuit }), [onQuit, onInterrupt]);
  return (
    <ActionsProvider actions={actions}>
      <Screen store={store} colors={colors} />
    </ActionsProvider>
  );
}

function Screen({ store, colors }: { store: MarketStore; colors: ColorMode }) {
  // Commits happen at the store's flush rate, never per tick.
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const { columns, rows } = useTerminalSize();
  const activeKeys = useGlobalKeys();
  const theme = themeFor(colors);
  const cols = useMemo(() => tableColumns(columns), [columns]);
  const plan = planFrame({ rows, marketCount: snapshot.markets.length, hasNotice: snapshot.notice !== null });
  const visible = snapshot.markets
    .slice(0, plan.visibleRows)
    .map((m) => snapshot.rows.get(m))
    .filter((r): r is MarketRow => r !== undefined);

  return (
    <Box flexDirection="column" width={columns}>
      <TickerTable
        rows={visible}
        cols={cols}
        columns={columns}
        showHeader={plan.showHeader}
        hiddenRows={plan.hiddenRows}
        showMore={plan.showMore}
        now={snapshot.publishedAt}
        live={snapshot.connection.state === 'live'}
        theme={theme}
      />
      {plan.showStatus && <StatusBar snapshot={snapshot} columns={columns} showNotice={plan.showNotice} theme={theme} />}
      {plan.showKeys && <KeyHint bindings={activeKeys} theme={theme} />}
    </Box>
  );
}
