import { Text } from 'ink';
import { useCallback, useSyncExternalStore } from 'react';
import type { MarketSnapshot } from '../trading/market-store.js';
import { lastPrices } from '../trading/session/index.js';
import { accountSummaryText } from './account-text.js';
import type { TradingView } from './trading-source.js';

/** The market store as the summary reads it: the last ticker prices. */
export interface PriceSource {
  readonly getSnapshot: () => MarketSnapshot;
  readonly subscribe: (listener: () => void) => () => void;
}

/**
 * KRW available, total value at the last prices, open orders. Its snapshot is the text itself:
 * the account and orders stores publish at most ~12 times a second, and a ticker flush that
 * changes nothing shown (no holding of that market, the same price) is no re-render.
 */
export function AccountSummary({ view, prices }: { view: TradingView | null; prices: PriceSource }) {
  const subscribe = useCallback(
    (listener: () => void) => {
      const offs = [prices.subscribe(listener)];
      if (view !== null) offs.push(view.account.subscribe(listener), view.orders.subscribe(listener));
      return () => {
        for (const off of offs) off();
      };
    },
    [view, prices],
  );
  const text = useSyncExternalStore(subscribe, () => accountSummaryText(view?.account.getSnapshot() ?? null, view?.orders.getSnapshot() ?? null, lastPrices(prices.getSnapshot())));
  return <Text>{text}</Text>;
}
