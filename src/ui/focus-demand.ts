import type { MarketFeed } from '../trading/feed/market-feed.js';
import type { MarketCode } from '../upbit/types.js';

/**
 * What the focused-market view needs of the feed: the book, the trades and the 1-minute candles
 * of `market`, as three demands of `owner` made in the same tick (so they go out as one
 * subscription request, docs/market-feed.md). Returns one release for the three, in reverse
 * order of acquisition, safe to call more than once. The slices forget the market once no
 * demand covers it, so the panels never show a frozen book as current.
 */
export function focusDemand(feed: Pick<MarketFeed, 'demand'>, market: MarketCode, owner = `focus ${market}`): () => void {
  const releases = [feed.demand(owner, { type: 'orderbook', codes: [market] })];
  try {
    releases.push(feed.demand(owner, { type: 'trade', codes: [market] }));
    releases.push(feed.demand(owner, { type: 'candle.1m', codes: [market] }));
  } catch (error) {
    for (const release of releases.reverse()) release();
    throw error;
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    for (const release of releases.reverse()) release();
  };
}
