/**
 * The focused market's data, as the UI asks for it (src/ui/market-data.ts): the feed's slices,
 * and a focus that demands the market's book, trades and 1-minute candles on the open
 * connection and reads the last 200 minutes of candles over REST for the chart's history, as a
 * kernel task that the release halts (the focus moving on, the view closing).
 */
import { isCancellation, describeError } from '../runtime/errors.js';
import type { Kernel } from '../runtime/kernel.js';
import type { Logger } from '../runtime/logger.js';
import { loadCandleHistory, type CandleReader, type MarketFeed } from '../trading/feed/index.js';
import { focusDemand } from '../ui/focus-demand.js';
import type { MarketData } from '../ui/market-data.js';

/** Minutes of history the chart starts with (Upbit returns at most 200 a request). */
export const HISTORY_MINUTES = 200;

export function focusedMarketData(kernel: Kernel, feed: MarketFeed, rest: CandleReader, logger: Logger): MarketData {
  return {
    books: feed.books,
    tapes: feed.tapes,
    candles: feed.candles,
    focus: (market) => {
      // The demand first: the series keeps only demanded markets, and the stream's newer
      // candles win over the history's (CandleSeries.backfill).
      const release = focusDemand(feed, market);
      const history = kernel.spawn(`candle-history ${market}`, async (signal) => {
        try {
          const added = await loadCandleHistory(rest, feed.candles, market, '1m', HISTORY_MINUTES, signal);
          logger.debug({ market, added }, 'candle history read');
        } catch (error) {
          // Without history the chart starts from the live candles; never a reason to stop.
          if (!isCancellation(error, signal)) logger.warn({ market, err: describeError(error) }, 'candle history could not be read');
        }
      });
      return () => {
        release();
        void history.halt();
      };
    },
  };
}
