import type { Kernel } from '../runtime/kernel.js';
import type { MarketFeed } from '../trading/feed/index.js';
import { FlushLoop, flushEach } from '../trading/flush-loop.js';
import type { MarketStore } from '../trading/market-store.js';

/**
 * The kernel tasks of the market data: one flush loop for the tickers store and the feed's
 * book, tape and candle slices, and the quotation connection. One loop, so that a tick is one
 * React commit however many of the stores changed (React renders the notifications of one task
 * together; docs/terminal-rendering.md#one-throttle). With a timer each, out of phase, the
 * focused market drew about twice the flush rate at 10,000 messages a second.
 */
export function spawnMarketTasks(kernel: Kernel, store: MarketStore, feed: MarketFeed): void {
  const loop = new FlushLoop('market data', store.flushIntervalMs, () => void flushEach([store, feed]));
  kernel.spawn('market-flush', (signal) => loop.run(signal));
  kernel.spawn('quotation-stream', (signal) => feed.run(signal));
}
