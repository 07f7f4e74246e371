/**
 * The live watchlist: the ticker table's markets, changed from the keyboard (`/` adds, `d`
 * removes). A change is one new demand on the market feed, which sends one subscription
 * request on the open connection (no reconnect: docs/market-feed.md), the table's rows follow
 * at once, and the list is saved for the next run when this run's list is the saved one (not a
 * one-off `--markets`: ./watchlist-state.ts).
 */
import { describeError } from '../runtime/errors.js';
import type { Logger } from '../runtime/logger.js';
import type { MarketFeed } from '../trading/feed/index.js';
import type { MarketStore } from '../trading/market-store.js';
import type { MarketCode } from '../upbit/types.js';
import type { WatchlistState } from './watchlist-state.js';

/** The feed's owner name of the watchlist's demand (the tasks panel and the logs show it). */
export const WATCHLIST_OWNER = 'watchlist';

export interface WatchlistOptions {
  feed: Pick<MarketFeed, 'demand'>;
  store: Pick<MarketStore, 'setMarkets' | 'setNotice'>;
  markets: readonly MarketCode[];
  /** Where changes are saved; null: this run's list is not persisted (`--markets`). */
  state: WatchlistState | null;
  logger: Logger;
}

export class Watchlist {
  #markets: MarketCode[];
  #release: () => void;
  #closed = false;
  readonly #o: WatchlistOptions;

  constructor(o: WatchlistOptions) {
    this.#o = o;
    this.#markets = [...new Set(o.markets)];
    o.store.setMarkets(this.#markets);
    this.#release = o.feed.demand(WATCHLIST_OWNER, { type: 'ticker', codes: this.#markets });
  }

  get markets(): readonly MarketCode[] {
    return this.#markets;
  }

  /** Add `market` at the end; a market already there stays where it is. */
  add(market: MarketCode): void {
    if (this.#closed || this.#markets.includes(market)) return;
    this.#set([...this.#markets, market]);
  }

  remove(market: MarketCode): void {
    if (this.#closed || !this.#markets.includes(market)) return;
    this.#set(this.#markets.filter((m) => m !== market));
  }

  /** Release the demand (the kernel's release at shutdown). */
  close(): void {
    this.#closed = true;
    this.#release();
  }

  #set(next: MarketCode[]): void {
    const log = this.#o.logger;
    // The new demand before the old one goes: the markets both hold stay subscribed, and the
    // feed coalesces the two changes of this tick into one request.
    const release = this.#o.feed.demand(WATCHLIST_OWNER, { type: 'ticker', codes: next });
    this.#release();
    this.#release = release;
    this.#markets = next;
    this.#o.store.setMarkets(next);
    log.info({ markets: next }, 'watchlist changed');
    const state = this.#o.state;
    if (state === null) return;
    state.save(next).then(
      () => this.#o.store.setNotice(null, 'watchlist'),
      // The list on screen stays as it is; the user is told once, with the file's own words.
      (error: unknown) => this.#o.store.setNotice(describeError(error), 'watchlist'),
    );
  }
}
