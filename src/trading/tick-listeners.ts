import type { Logger } from '../runtime/logger.js';
import type { MarketCode, Ticker } from '../upbit/types.js';

/** Called synchronously with every tick that arrives, of any market, in order. */
export type TickListener = (t: Ticker) => void;

export interface OnTickOptions<T extends { market: MarketCode } = Ticker> {
  /**
   * Only these markets' ticks (e.g. the markets a rule watches): looked up per tick, so many
   * listeners spread over many markets cost only the ones of the tick's market. Listeners of
   * every market are called first, then the market's own, each group in subscription order.
   * @default every market
   */
  markets?: readonly MarketCode[];
  /**
   * Told when this listener throws (the tick it threw on is given), so its owner can react,
   * e.g. disarm a rule and say so. Called synchronously; what it throws is logged and dropped.
   * @default none: the error is only logged and counted
   */
  onError?: (error: unknown, tick: T) => void;
}

/** One every-tick listener and what the store knows of its failures. */
export interface TickSubscription<T> {
  owner: string;
  listener: (t: T) => void;
  onError: ((error: unknown, tick: T) => void) | undefined;
  errors: number;
  /** When its last error was logged (store clock), or null: at most one log line a second each. */
  loggedAt: number | null;
}

/**
 * A caller's per-market cache of that market's own listeners ({@link TickListeners.tellCached}):
 * the market store keeps one in each row, so a tick costs one map lookup by market, not two.
 */
export interface OwnListenersCache<T> {
  /** The market's own listeners when last looked up (or none). */
  ownListeners: ReadonlySet<TickSubscription<T>> | undefined;
  /** Their only one, when there was exactly one: called without walking the set. */
  ownOnly: TickSubscription<T> | undefined;
  /** The registry's generation at that lookup; -1 before the first. */
  ownGeneration: number;
}

/** A listener that throws on every tick is logged at most this often (with its running count). */
const LISTENER_ERROR_LOG_MS = 1000;

/**
 * The every-tick listeners of a stream of tickers (or of any per-market data: the market feed
 * keeps one for trades, books and each candle interval): of every market, or of the markets each
 * asked for (looked up per tick, so many listeners spread over many markets cost only those of
 * the tick's market). A listener that throws is logged with its owner's name, counted and
 * told through its `onError`; it never stops the caller or the other listeners. Kept apart
 * from the store so the market feed can hand its demands' listeners the same guarantees.
 */
export class TickListeners<T extends { market: MarketCode } = Ticker> {
  readonly #log: Logger;
  /** Listeners of every market, and listeners by the market they asked for. */
  readonly #every = new Set<TickSubscription<T>>();
  readonly #byMarket = new Map<MarketCode, Set<TickSubscription<T>>>();
  /** Bumped whenever `#byMarket` changes, so a cached lookup of it ({@link tellCached}) knows it is current. */
  #generation = 0;
  #errors = 0;

  constructor(log: Logger) {
    this.#log = log;
  }

  /** Every listener of every market, then the tick's market's own, each group in subscription order. */
  tell(t: T, at: number): void {
    // Each group only when it has listeners: most ticks of most markets have none.
    if (this.#every.size !== 0) this.#tellAll(this.#every, t, at);
    if (this.#byMarket.size === 0) return;
    const own = this.#byMarket.get(t.market);
    if (own !== undefined) this.#tellAll(own, t, at);
  }

  /**
   * {@link tell} for a tick of `cache`'s market (the caller keeps one cache per market), with the
   * market's own listeners taken from the cache while no listener was added or released since it
   * was filled: the same calls in the same order as `tell`, one map lookup fewer per tick.
   */
  tellCached(t: T, at: number, cache: OwnListenersCache<T>): void {
    if (this.#every.size !== 0) this.#tellAll(this.#every, t, at);
    // Looked up after the every-market group, as `tell` does, so a listener added by one of them is seen.
    const generation = this.#generation;
    if (cache.ownGeneration !== generation) {
      const own = this.#byMarket.get(t.market);
      cache.ownListeners = own;
      cache.ownOnly = own !== undefined && own.size === 1 ? own.values().next().value : undefined;
      cache.ownGeneration = generation;
    }
    // Both read before any listener runs: one that ticks this market again refills the cache.
    const own = cache.ownListeners;
    const only = cache.ownOnly;
    if (only === undefined) {
      if (own !== undefined) this.#tellAll(own, t, at);
      return;
    }
    // One listener (the usual case: a rule, a panel): no walk of its set, whose object and table
    // are two more cache misses per tick over the loopback (docs/performance.md, "After L").
    this.#tellOne(only, t, at);
    // It added or released a listener: `tell`'s walk of the set would go on to every entry after
    // `only`, which, `only` having been the first and only one, is every entry but `only`.
    if (this.#generation !== generation && own !== undefined) {
      for (const sub of own) if (sub !== only) this.#tellOne(sub, t, at);
    }
  }

  /** How many times a listener has thrown. */
  errorCount(): number {
    return this.#errors;
  }

  /** Subscribe `listener` for `owner` (see {@link OnTickOptions}); returns the release, safe to call twice. */
  add(owner: string, listener: (t: T) => void, options: OnTickOptions<T> = {}): () => void {
    const sub: TickSubscription<T> = { owner, listener, onError: options.onError, errors: 0, loggedAt: null };
    if (options.markets === undefined) {
      this.#every.add(sub);
      return () => {
        this.#every.delete(sub);
      };
    }
    const markets = [...new Set(options.markets)];
    this.#generation += 1;
    for (const m of markets) {
      let subs = this.#byMarket.get(m);
      if (subs === undefined) this.#byMarket.set(m, (subs = new Set()));
      subs.add(sub);
    }
    return () => {
      this.#generation += 1;
      for (const m of markets) {
        const subs = this.#byMarket.get(m);
        if (subs === undefined) continue;
        subs.delete(sub);
        if (subs.size === 0) this.#byMarket.delete(m);
      }
    };
  }

  #tellAll(subs: ReadonlySet<TickSubscription<T>>, t: T, at: number): void {
    for (const sub of subs) {
      try {
        sub.listener(t);
      } catch (error) {
        this.#failed(sub, error, t, at);
      }
    }
  }

  #tellOne(sub: TickSubscription<T>, t: T, at: number): void {
    try {
      sub.listener(t);
    } catch (error) {
      this.#failed(sub, error, t, at);
    }
  }

  #failed(sub: TickSubscription<T>, error: unknown, t: T, at: number): void {
    this.#errors += 1;
    sub.errors += 1;
    if (sub.loggedAt === null || at - sub.loggedAt >= LISTENER_ERROR_LOG_MS) {
      sub.loggedAt = at;
      this.#log.error({ owner: sub.owner, market: t.market, errors: sub.errors, err: error }, `a tick listener of ${sub.owner} threw; the stream and the other listeners go on`);
    }
    if (sub.onError === undefined) return;
    try {
      sub.onError(error, t);
    } catch (reportError) {
      this.#log.error({ owner: sub.owner, err: reportError }, `the error handler of ${sub.owner}'s tick listener threw`);
    }
  }
}
