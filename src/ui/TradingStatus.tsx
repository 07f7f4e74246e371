import { Text } from 'ink';
import { useSyncExternalStore } from 'react';
import type { ExternalStore } from '../trading/session/index.js';
import type { ConnectionStatus } from '../upbit/socket/status.js';
import { AccountSummary, type PriceSource } from './AccountSummary.js';
import { linkText, type LinkText } from './link-text.js';
import { ModeBadge } from './ModeBadge.js';
import type { Theme } from './theme.js';
import type { TradingSource } from './trading-source.js';

/*
 * The trading parts of the status line: the mode badge at its head, the account summary after
 * the connection state. Their props are stable, so the status bar (re-rendered at the ticker
 * store's rate) passes them through memo untouched: each renders when the session opens and
 * when what it shows changes. The private stream and the order budget are the bar's own
 * text ({@link useLinkText}), read at each of its renders.
 */

/** `SIM · `, `PAPER · `, `LIVE · ` once the session is open (nothing while it opens). */
export function TradingBadge({ trading, theme }: { trading: TradingSource; theme: Theme }) {
  const view = useSyncExternalStore(trading.subscribe, trading.getSnapshot);
  if (view === null) return null;
  return (
    <Text>
      <ModeBadge mode={view.mode} theme={theme} />
      {' · '}
    </Text>
  );
}

/** ` · KRW … · total ≈ … KRW · N open orders` (` · account: loading…` while the session opens). */
export function TradingAccount({ trading, prices }: { trading: TradingSource; prices: PriceSource }) {
  const view = useSyncExternalStore(trading.subscribe, trading.getSnapshot);
  return (
    <Text>
      {' · '}
      <AccountSummary view={view} prices={prices} />
    </Text>
  );
}

const NO_TRADING: TradingSource = { subscribe: () => () => undefined, getSnapshot: () => null };
const NO_STREAM: ExternalStore<ConnectionStatus | null> = { subscribe: () => () => undefined, getSnapshot: () => null };

/**
 * The private stream's state and the order budget as runs (./link-text.ts), for the status
 * bar: a change of the stream's state renders the bar at once; the budget, which has no store
 * (it changes with every request), is read when the bar renders anyway, at its own refresh
 * (`now`, its snapshot's time). Nothing without a session, or while it opens.
 */
export function useLinkText(trading: TradingSource | undefined, now: number, markers: boolean): LinkText {
  const source = trading ?? NO_TRADING;
  const view = useSyncExternalStore(source.subscribe, source.getSnapshot);
  const stream: ExternalStore<ConnectionStatus | null> = view?.privateStream ?? NO_STREAM;
  const status = useSyncExternalStore(stream.subscribe, stream.getSnapshot);
  return linkText({ privateStream: status, orderBudget: view?.orderBudget?.() ?? null, now }, { markers });
}
