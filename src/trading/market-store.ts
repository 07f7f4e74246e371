import { silentLogger, type Logger } from '../runtime/logger.js';
import type { ConnectionStatus } from '../upbit/quotation-client.js';
import type { MarketCode, Ticker } from '../upbit/types.js';
import { FlushLoop } from './flush-loop.js';
import { PriceRings, type PriceRing } from './price-rings.js';
import { TickListeners, type OnTickOptions, type OwnListenersCache, type TickListener } from './tick-listeners.js';

export type { OnTickOptions, TickListener } from './tick-listeners.js';

export interface MarketRow {
  market: MarketCode;
  ticker: Ticker | null;
  /** Recent trade prices, oldest first, at most `historyLength` long (for the sparkline). */
  history: readonly number[];
  /** Local receive time of the newest tick (ms), or null before the first one. */
  receivedAt: number | null;
  /**
   * The price cannot be vouched for as current (see {@link MarketStoreOptions}): the feed is
   * down or silent, the tick came over a connection that has since dropped, or the market
   * itself has been quiet too long. Always false before the first tick.
   */
  stale: boolean;
}

export interface MarketSnapshot {
  /** Increases by one with every published snapshot. */
  version: number;
  /** When this snapshot was published (ms, from the store's clock): the UI's "now". */
  publishedAt: number;
  markets: readonly MarketCode[];
  rows: ReadonlyMap<MarketCode, MarketRow>;
  connection: ConnectionStatus;
  /** Ticks applied during the last second. */
  msgPerSec: number;
  lagP99Ms: number | null;
  /** Local receive time of the newest tick of any market (ms). */
  lastMessageAt: number | null;
  /** The connection is up but nothing (no frame, no pong) came for `silentAfterMs`. */
  silent: boolean;
  invalidCount: number;
  shuttingDown: boolean;
  /** A sentence for the user, e.g. "api.upbit.com unreachable — try --sim". */
  notice: string | null;
}

/** Who set a notice: the connection status, or the check of the requested markets. */
export type NoticeSource = 'connection' | 'markets' | 'log' | 'exchange' | 'trading' | 'config' | 'watchlist';

export interface MarketStoreOptions {
  markets: MarketCode[];
  /**
   * How often, at most, subscribers are told about a new snapshot. 10–15 suits Ink
   * (docs/terminal-rendering.md#one-throttle); it is the only throttle, Ink's maxFps sits well above it.
   * @default 12
   */
  flushHz?: number;
  /** @default 120 */
  historyLength?: number;
  /** @default Date.now */
  now?: () => number;
  /**
   * A live connection with no sign of life (no frame and no pong, see {@link noteActivity})
   * for this long is silent: every row is stale and the status bar says so. A healthy link
   * is never this quiet: an active Upbit market sends several tickers a second, and when the
   * watched markets do not trade, the socket pings after 2 s of quiet and the pong comes back
   * in well under a second. Two probe periods plus margin, so a brief stall of a slow link is
   * not reported, while a dead feed is within 5 s (the socket replaces it at about 7 s).
   * @default 5_000
   */
  silentAfterMs?: number;
  /**
   * On a link that is alive, a market with no tick for this long is stale. Upbit sends a ticker
   * per trade, so on a live link silence means no trade and the last price still stands; a
   * shorter bound would mark quiet markets (many seconds between trades are normal) stale and
   * teach the trader to ignore the badge. A minute is far beyond what an active KRW market goes
   * without a trade, and still catches a market whose stream stopped (suspended, delisted, a
   * subscription the server dropped) while the others tick.
   * @default 60_000
   */
  marketStaleAfterMs?: number;
  /** Where a throwing every-tick listener is logged, with its owner's name. @default silentLogger */
  logger?: Logger;
}

/** Sliding window for msgPerSec. */
const RATE_WINDOW_MS = 1000;
/** While ages are on screen ("last 3s ago", stale rows), republish at least this often. */
const HEARTBEAT_MS = 1000;

/**
 * Mutable per-market state; `history` is its ring in the store's {@link PriceRings},
 * materialized only at flush. Also the cache of the market's own every-tick listeners, so a
 * tick looks its market up once.
 */
interface LiveRow extends OwnListenersCache<Ticker>, PriceRing {
  market: MarketCode;
  ticker: Ticker | null;
  receivedAt: number | null;
  stale: boolean;
  published: MarketRow;
  /** In `#changed`: its published row is rebuilt at the next flush. */
  changed: boolean;
}

/**
 * Latest quotation state per market. Ticks are applied synchronously and cheaply; the
 * immutable {@link MarketSnapshot} the UI reads is built only by the flush loop ({@link run}),
 * so React commits at the flush rate however fast ticks arrive.
 */
export class MarketStore {
  readonly #now: () => number;
  /** The store's clock (`options.now`): a socket feeding it reads the same one, once per frame. */
  readonly clock: () => number;
  /** Every row's recent prices (its `history`). */
  readonly #rings: PriceRings;
  readonly #silentAfterMs: number;
  readonly #marketStaleAfterMs: number;
  readonly #ticks: TickListeners;
  readonly #listeners = new Set<() => void>();
  #rows = new Map<MarketCode, LiveRow>();
  #markets: readonly MarketCode[];
  /** Rows to republish at the next flush, each once (its `changed` flag): no hashing per tick. */
  #changed: LiveRow[] = [];
  #dirty = false;
  readonly #loop: FlushLoop;
  /** The time between two flushes (1000/flushHz, rounded up): for a loop that flushes this store with others. */
  readonly flushIntervalMs: number;
  #connection: ConnectionStatus = { state: 'connecting', attempt: 1 };
  #lagP99Ms: number | null = null;
  #lastMessageAt: number | null = null;
  /** Last frame or pong of the connection (store clock); ticks count too. */
  #lastActivityAt: number | null = null;
  #invalidCount = 0;
  #shuttingDown = false;
  #notice: string | null = null;
  readonly #notices: Record<NoticeSource, string | null> = { connection: null, markets: null, log: null, exchange: null, trading: null, config: null, watchlist: null };
  #pendingCount = 0;
  /** Tick counts per flush-timer tick, for msgPerSec: [at, count] oldest first. */
  #rateBuckets: Array<[at: number, count: number]> = [];
  #snapshot: MarketSnapshot;

  constructor(options: MarketStoreOptions) {
    const flushHz = options.flushHz ?? 12;
    if (!(flushHz > 0 && flushHz <= 60)) {
      throw new RangeError(`flushHz must be in (0, 60], got ${flushHz}`);
    }
    const historyLength = options.historyLength ?? 120;
    if (!Number.isInteger(historyLength) || historyLength < 1) {
      throw new RangeError(`historyLength must be a positive integer, got ${historyLength}`);
    }
    this.#now = options.now ?? Date.now;
    this.clock = this.#now;
    this.#ticks = new TickListeners(options.logger ?? silentLogger);
    this.#rings = new PriceRings(historyLength, options.markets.length);
    this.#silentAfterMs = options.silentAfterMs ?? 5_000;
    this.#marketStaleAfterMs = options.marketStaleAfterMs ?? 60_000;
    // ceil, so that no 1 s window can hold more than flushHz flushes.
    this.flushIntervalMs = Math.max(1, Math.ceil(1000 / flushHz));
    this.#loop = new FlushLoop('MarketStore', this.flushIntervalMs, () => void this.flush());
    this.#markets = [...options.markets];
    for (const m of this.#markets) if (!this.#rows.has(m)) this.#rows.set(m, this.#newRow(m));
    this.#snapshot = this.#build(0, this.#now(), 0, false);
  }

  /**
   * Record a tick. Synchronous and O(1) (plus one call per every-tick listener). Every onTick
   * listener sees every tick, of any market, before this returns: the stop-loss monitor must
   * see every tick, not coalesced frames, and a rule's market need not be on the table. Only
   * the table's rows (and so its snapshot) are limited to the markets set. Never throws for a
   * listener: see {@link onTick}.
   *
   * `receivedAt` is when the frame carrying it arrived, read once per frame by whoever received
   * it (the socket hands its `at` through), and must be on the store's clock; by default the
   * store reads its own clock.
   */
  applyTicker(t: Ticker, receivedAt?: number): void {
    const row = this.#rows.get(t.market);
    const at = receivedAt ?? this.#now();
    this.#lastActivityAt = at;
    if (row !== undefined) {
      row.ticker = t;
      row.receivedAt = at;
      this.#rings.push(row, t.tradePrice);
      this.#markChanged(row);
      this.#lastMessageAt = at;
      this.#pendingCount += 1;
      this.#dirty = true;
      this.#ticks.tellCached(t, at, row);
      return;
    }
    this.#ticks.tell(t, at);
  }

  /**
   * Call `listener` synchronously with every tick that arrives, of every market (or of
   * `options.markets`, whether the table shows them or not), in order.
   * `owner` names the part of the program it belongs to (the monitor, a panel), for the log.
   * A listener that throws is logged with its owner's name, counted ({@link listenerErrorCount}),
   * reported to `onError`, and stays subscribed; the stream and the other listeners, which get
   * the same tick, go on. Returns the release (safe to call more than once).
   */
  onTick(owner: string, listener: TickListener, options: OnTickOptions = {}): () => void {
    return this.#ticks.add(owner, listener, options);
  }

  /** How many times an every-tick listener has thrown, since the store was made. */
  listenerErrorCount(): number {
    return this.#ticks.errorCount();
  }

  /** Coalesced change notification (at most flushHz a second). Bound, for useSyncExternalStore. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  };

  /** The current snapshot: the same object until the next flush publishes a new one. Bound. */
  readonly getSnapshot = (): MarketSnapshot => this.#snapshot;

  /** Replace the market set, in display order. Kept rows keep their data. */
  setMarkets(codes: readonly MarketCode[]): void {
    const next = new Map<MarketCode, LiveRow>();
    for (const m of codes) if (!next.has(m)) next.set(m, this.#rows.get(m) ?? this.#newRow(m));
    for (const [m, row] of this.#rows) if (!next.has(m)) this.#rings.give(row);
    this.#changed = this.#changed.filter((row) => {
      if (next.has(row.market)) return true;
      row.changed = false;
      return false;
    });
    this.#rows = next;
    this.#markets = [...next.keys()];
    this.#dirty = true;
  }

  /**
   * A sign of life of the connection that carried no tick (a pong, another frame). O(1).
   * `at` as for {@link applyTicker}: the time the socket read for the frame, on the store's clock.
   */
  noteActivity(at?: number): void {
    this.#lastActivityAt = at ?? this.#now();
  }

  /** The quotation connection as last told (the monitor reads it per tick: a stale price is not acted on). */
  connection(): ConnectionStatus {
    return this.#connection;
  }

  /** Its times (`since`, `retryAt`, `drops`) must be on the store's clock. */
  setConnection(s: ConnectionStatus): void {
    this.#connection = s;
    this.#dirty = true;
  }

  setLagP99(ms: number): void {
    if (ms === this.#lagP99Ms) return;
    this.#lagP99Ms = ms;
    this.#dirty = true;
  }

  noteInvalid(): void {
    this.#invalidCount += 1;
    this.#dirty = true;
  }

  /** Publishes at once: the flush loop may already be stopping when shutdown begins. */
  setShuttingDown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    this.#dirty = true;
    this.flush();
  }

  /**
   * One sentence for the notice line, per source: the connection's (the default) and the
   * markets check's are kept apart so one does not wipe the other; both show, the markets'
   * first (it is short and does not change).
   */
  setNotice(text: string | null, source: NoticeSource = 'connection'): void {
    if (this.#notices[source] === text) return;
    this.#notices[source] = text;
    const joined = [this.#notices.markets, this.#notices.connection, this.#notices.exchange, this.#notices.trading, this.#notices.config, this.#notices.watchlist, this.#notices.log].filter((t): t is string => t !== null).join(' ');
    const notice = joined === '' ? null : joined;
    if (notice === this.#notice) return;
    this.#notice = notice;
    this.#dirty = true;
  }

  /**
   * Publish a new snapshot now if anything changed (or an on-screen age needs refreshing) and
   * notify subscribers. The flush loop calls this; so may shutdown, for a final frame.
   * Returns whether a snapshot was published.
   */
  flush(): boolean {
    const now = this.#now();
    const rate = this.#rate(now);
    const silent = this.#isSilent(now);
    const staleChanged = this.#restale(now, silent);
    // Ages, stale badges and the retry countdown are read against publishedAt: refresh them.
    const timeShown = this.#lastMessageAt !== null || this.#connection.state === 'reconnecting' || this.#connection.state === 'offline';
    const heartbeat = timeShown && now - this.#snapshot.publishedAt >= HEARTBEAT_MS;
    if (!this.#dirty && !staleChanged && silent === this.#snapshot.silent && rate === this.#snapshot.msgPerSec && !heartbeat) return false;
    this.#snapshot = this.#build(this.#snapshot.version + 1, now, rate, silent);
    this.#dirty = false;
    let failure: { error: unknown } | null = null;
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== null) throw failure.error;
    return true;
  }

  /**
   * The flush loop, to be spawned as a kernel task: every 1000/flushHz ms, publish if dirty.
   * Resolves, with its timer cleared, when `signal` aborts; rejects if a subscriber throws.
   */
  run(signal: AbortSignal): Promise<void> {
    return this.#loop.run(signal);
  }

  #newRow(market: MarketCode): LiveRow {
    const published: MarketRow = { market, ticker: null, history: [], receivedAt: null, stale: false };
    return { market, ticker: null, base: this.#rings.take(), head: 0, size: 0, receivedAt: null, stale: false, published, changed: false, ownListeners: undefined, ownOnly: undefined, ownGeneration: -1 };
  }

  #markChanged(row: LiveRow): void {
    if (row.changed) return;
    row.changed = true;
    this.#changed.push(row);
  }

  /** Counted from the later of the last sign of life and the connection's opening. */
  #isSilent(now: number): boolean {
    const c = this.#connection;
    return c.state === 'live' && now - Math.max(this.#lastActivityAt ?? c.since, c.since) >= this.#silentAfterMs;
  }

  /** Re-judge every row's staleness (O(markets), once per flush); true if any row changed. */
  #restale(now: number, silent: boolean): boolean {
    const c = this.#connection;
    let changed = false;
    for (const row of this.#rows.values()) {
      const at = row.receivedAt;
      const stale =
        at !== null &&
        // Down or silent: nothing can update it. Older than the connection: it came over one
        // that dropped (Upbit sends a snapshot on subscribe, so this clears within moments).
        (c.state !== 'live' || silent || at < c.since || now - at >= this.#marketStaleAfterMs);
      if (stale !== row.stale) {
        row.stale = stale;
        this.#markChanged(row);
        changed = true;
      }
    }
    return changed;
  }

  /** Ticks over the last RATE_WINDOW_MS, counted per flush so applyTicker stays O(1). */
  #rate(now: number): number {
    if (this.#pendingCount > 0) {
      this.#rateBuckets.push([now, this.#pendingCount]);
      this.#pendingCount = 0;
    }
    const from = now - RATE_WINDOW_MS;
    while (this.#rateBuckets.length > 0 && (this.#rateBuckets[0]?.[0] ?? now) <= from) this.#rateBuckets.shift();
    let sum = 0;
    for (const [, count] of this.#rateBuckets) sum += count;
    return Math.round((sum * 1000) / RATE_WINDOW_MS);
  }

  #build(version: number, now: number, msgPerSec: number, silent: boolean): MarketSnapshot {
    for (const row of this.#changed) {
      row.published = { market: row.market, ticker: row.ticker, history: this.#rings.history(row), receivedAt: row.receivedAt, stale: row.stale };
      row.changed = false;
    }
    this.#changed = [];
    const rows = new Map<MarketCode, MarketRow>();
    for (const [m, row] of this.#rows) rows.set(m, row.published);
    return {
      version,
      publishedAt: now,
      markets: this.#markets,
      rows,
      connection: this.#connection,
      msgPerSec,
      lagP99Ms: this.#lagP99Ms,
      lastMessageAt: this.#lastMessageAt,
      silent,
      invalidCount: this.#invalidCount,
      shuttingDown: this.#shuttingDown,
      notice: this.#notice,
    };
  }
}
