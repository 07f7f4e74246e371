import type { MarketRow, MarketStore } from '../market-store.js';
import type { MarketCode } from '../../upbit/types.js';
import type { SliceSource } from './slice.js';

/**
 * A `useSyncExternalStore` pair for one market's row of the tickers slice (the
 * {@link MarketStore}): the store republishes a row object only when that market's data or
 * staleness changed, so a panel reading it re-renders only for its own market, however often
 * the table as a whole is published. Returns the same pair for the same store and market.
 */
export function tickerRowSource(store: MarketStore, market: MarketCode): SliceSource<MarketRow> {
  let byMarket = sources.get(store);
  if (byMarket === undefined) sources.set(store, (byMarket = new Map<MarketCode, SliceSource<MarketRow>>()));
  let source = byMarket.get(market);
  if (source === undefined) {
    source = { subscribe: store.subscribe, getSnapshot: () => store.getSnapshot().rows.get(market) };
    byMarket.set(market, source);
  }
  return source;
}

const sources = new WeakMap<MarketStore, Map<MarketCode, SliceSource<MarketRow>>>();
