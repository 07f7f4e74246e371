import { Text } from 'ink';
import { useSyncExternalStore } from 'react';
import { AccountSummary, type PriceSource } from './AccountSummary.js';
import { ModeBadge } from './ModeBadge.js';
import type { Theme } from './theme.js';
import type { TradingSource } from './trading-source.js';

/*
 * The trading parts of the status line: the mode badge at its head, the account summary after
 * the connection state. Their props are stable, so the status bar (re-rendered at the ticker
 * store's rate) passes them through memo untouched: each renders when the session opens and
 * when what it shows changes.
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
