/**
 * Prices for the session from the market store the front end already runs: the last trade of
 * each market's ticker. A book panel's best bid/ask can be wired in the same way (a
 * {@link QuoteSource} with `bestBidAsk`).
 */
import type { MarketSnapshot } from '../market-store.js';
import type { PriceLookup } from './account-store.js';
import type { QuoteSource } from './pre-trade.js';

/** The last prices of a market snapshot, for `selectTotalValue`. */
export function lastPrices(snapshot: MarketSnapshot): PriceLookup {
  return (market) => snapshot.rows.get(market)?.ticker?.tradePrice;
}

/** The pre-trade check's prices from a market store, read when the check runs. */
export function quotesFromMarketStore(store: { getSnapshot: () => MarketSnapshot }): QuoteSource {
  return { lastPrice: (market) => store.getSnapshot().rows.get(market)?.ticker?.tradePrice };
}
