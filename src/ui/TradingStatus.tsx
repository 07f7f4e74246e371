import { Text } from 'ink';
import { useSyncExternalStore } from 'react';
import { AccountSummary, type PriceSource } from './AccountSummary.js';
import { ModeBadge } from './ModeBadge.js';
import type { Theme } from './theme.js';
import type { TradingSource } from './trading-source.js';

export interface TradingStatusProps {
  trading: TradingSource;
  prices: PriceSource;
  theme: Theme;
}

/**
 * The head of the status line once the TUI trades: the mode badge and the account summary
 * (`account: loading…` while the session opens). Its props are stable, so the status bar
 * (re-rendered at the ticker store's rate) passes it through memo untouched; it renders when
 * the session opens and when what it shows changes.
 */
export function TradingStatus({ trading, prices, theme }: TradingStatusProps) {
  const view = useSyncExternalStore(trading.subscribe, trading.getSnapshot);
  return (
    <Text>
      {view !== null && (
        <>
          <ModeBadge mode={view.mode} theme={theme} />{' '}
        </>
      )}
      <AccountSummary view={view} prices={prices} />
      {' · '}
    </Text>
  );
}
