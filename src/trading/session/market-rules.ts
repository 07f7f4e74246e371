/**
 * Per market, what the pre-trade check needs from the exchange and rarely changes: fees and
 * minimums from `GET /v1/orders/chance` (https://docs.upbit.com/kr/reference/available-order-info)
 * and the price step from `GET /v1/orderbook/instruments`
 * (https://docs.upbit.com/kr/reference/list-orderbook-instruments). Read once per market when a
 * front end prepares it, read again by the session's sync task when older than `maxAgeMs`, and
 * served synchronously from here, so a check never waits for the network.
 */
import type { Decimal } from '../decimal.js';
import { tradingRules, type TradingRules } from '../rules.js';
import type { Venue } from '../venue.js';

export interface MarketRulesEntry {
  rules: TradingRules;
  /** The instrument's tick, when read. */
  tick: Decimal | null;
  fetchedAt: number;
}

export interface MarketRulesOptions {
  /** Fees, minimums and ticks older than this are read again. @default 600_000 (10 minutes) */
  maxAgeMs?: number;
  /** At most this many markets are kept (the least recently prepared goes first). @default 50 */
  maxMarkets?: number;
  /** @default Date.now */
  now?: () => number;
}

export class MarketRules {
  readonly #venue: Pick<Venue, 'chance' | 'instruments'>;
  readonly #entries = new Map<string, MarketRulesEntry>();
  readonly #loading = new Map<string, Promise<MarketRulesEntry>>();
  readonly #maxAgeMs: number;
  readonly #maxMarkets: number;
  readonly #now: () => number;

  constructor(venue: Pick<Venue, 'chance' | 'instruments'>, options: MarketRulesOptions = {}) {
    this.#venue = venue;
    this.#maxAgeMs = options.maxAgeMs ?? 600_000;
    this.#maxMarkets = options.maxMarkets ?? 50;
    this.#now = options.now ?? Date.now;
  }

  /** What is known of `market`, without asking anyone; undefined before it was prepared. */
  get(market: string): MarketRulesEntry | undefined {
    return this.#entries.get(market);
  }

  /** Every tick read so far (the check's `instruments`). */
  ticks(): ReadonlyMap<string, Decimal> {
    const ticks = new Map<string, Decimal>();
    for (const [market, e] of this.#entries) if (e.tick !== null) ticks.set(market, e.tick);
    return ticks;
  }

  /** Read `market`'s rules unless fresh ones are known; concurrent calls share one read. */
  async prepare(market: string, signal?: AbortSignal): Promise<MarketRulesEntry> {
    const known = this.#entries.get(market);
    if (known !== undefined && this.#now() - known.fetchedAt < this.#maxAgeMs) {
      // Most recently used last, so the oldest is the first to go.
      this.#entries.delete(market);
      this.#entries.set(market, known);
      return known;
    }
    return this.#read(market, signal);
  }

  /** Markets whose rules are older than `maxAgeMs` (for the sync task to read again). */
  stale(): string[] {
    const now = this.#now();
    return [...this.#entries].filter(([, e]) => now - e.fetchedAt >= this.#maxAgeMs).map(([m]) => m);
  }

  /** Read again now, fresh or not. */
  refresh(market: string, signal?: AbortSignal): Promise<MarketRulesEntry> {
    return this.#read(market, signal);
  }

  #read(market: string, signal?: AbortSignal): Promise<MarketRulesEntry> {
    const pending = this.#loading.get(market);
    if (pending !== undefined) return pending;
    const opts = signal === undefined ? {} : { signal };
    const read = (async () => {
      const [chance, instruments] = await Promise.all([this.#venue.chance(market, opts), this.#venue.instruments([market], opts)]);
      const entry: MarketRulesEntry = { rules: tradingRules(market, chance), tick: instruments.find((i) => i.market === market)?.tickSize ?? null, fetchedAt: this.#now() };
      this.#entries.delete(market);
      this.#entries.set(market, entry);
      while (this.#entries.size > this.#maxMarkets) {
        const oldest = this.#entries.keys().next().value;
        if (oldest === undefined) break;
        this.#entries.delete(oldest);
      }
      return entry;
    })();
    this.#loading.set(market, read);
    return read.finally(() => this.#loading.delete(market));
  }
}
