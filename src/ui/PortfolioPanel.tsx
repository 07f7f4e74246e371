import { memo, useCallback, useMemo, useSyncExternalStore } from 'react';
import type { MarketSnapshot } from '../trading/market-store.js';
import { lastPrices, type AccountSnapshot, type ExternalStore } from '../trading/session/index.js';
import { PaneLines } from './PaneLines.js';
import { portfolioMemo } from './portfolio-text.js';
import type { Theme } from './theme.js';

export interface PortfolioPanelProps {
  /** The session's account store (`TradingView.account`). */
  account: ExternalStore<AccountSnapshot>;
  /** The ticker store (the App's `MarketStore`): the last price of each held asset's KRW market. */
  prices: ExternalStore<MarketSnapshot>;
  width: number;
  height: number;
  /** Index into the assets (KRW first); null: no highlight. */
  selected: number | null;
  theme: Theme;
}

/**
 * Balances, value and unrealised PnL per asset, and the total. Subscribed to the account and
 * the ticker store; its snapshot is its lines, remembered (`portfolioMemo`), so a ticker flush
 * that moves no held asset's price is no re-render (and memo: neither is a parent's render with the same props).
 */
export const PortfolioPanel = memo(function PortfolioPanel({ account, prices, width, height, selected, theme }: PortfolioPanelProps) {
  const build = useMemo(() => portfolioMemo(), []);
  const subscribe = useCallback(
    (listener: () => void) => {
      const offs = [account.subscribe(listener), prices.subscribe(listener)];
      return () => {
        for (const off of offs) off();
      };
    },
    [account, prices],
  );
  const view = useMemo(() => ({ width, height, selected, theme }), [width, height, selected, theme]);
  const lines = useSyncExternalStore(subscribe, () => build(account.getSnapshot(), lastPrices(prices.getSnapshot()), view));
  return <PaneLines lines={lines} />;
});
