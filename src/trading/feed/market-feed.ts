/**
 * The market feed: the one owner of the quotation connection. A part of the program (the
 * watchlist, a focused-market panel, the monitor, a headless run) says what it needs with
 * {@link MarketFeed.demand} and releases it when done; the union of the live demands is the
 * subscription. A change of that union is sent on the open connection as one request (a new
 * request replaces the previous one on Upbit; changes in the same tick are coalesced, requests
 * spaced at most 5 a second), never by reconnecting; the whole set is sent again after every
 * reconnect; and when nothing is demanded any more the connection is closed cleanly (Upbit has
 * no unsubscribe message: see `UpbitSocket.setRequest`) until something is demanded again.
 *
 * Every message lands in its store slice (tickers: the {@link MarketStore}; books, trade tapes
 * and candles: the slices beside this file), each published at most `flushHz` times a second
 * and read per market; and a demand's listener gets every message of its markets synchronously
 * and in order, isolated from the others as the store's every-tick listeners are.
 */
import { silentLogger, type Logger } from '../../runtime/logger.js';
import { isMarketCode } from '../../upbit/market-code.js';
import { QuotationClient, type ConnectionStatus, type MarketDataEvent, type QuotationStats, type Subscription } from '../../upbit/quotation-client.js';
import type { SocketTuning } from '../../upbit/socket/options.js';
import { CANDLE_UNITS, type Candle, type CandleType, type CandleUnit, type MarketCode, type Orderbook, type Trade } from '../../upbit/types.js';
import { flushEach } from '../flush-loop.js';
import type { MarketStore } from '../market-store.js';
import { TickListeners } from '../tick-listeners.js';
import { CandleSeries } from './candle-series.js';
import { sameSubscriptions, unionOf, type Demand, type FeedType } from './demands.js';
import { OrderBooks } from './order-books.js';
import { TradeTapes } from './trade-tapes.js';

export interface MarketFeedOptions extends SocketTuning {
  /** e.g. `wss://api.upbit.com/websocket/v1`. */
  url: string;
  /** The tickers slice: every ticker is applied to it (its rows are the table's markets). */
  tickers: MarketStore;
  /** @default new OrderBooks() */
  books?: OrderBooks;
  /** @default new TradeTapes() */
  tapes?: TradeTapes;
  /** @default new CandleSeries() */
  candles?: CandleSeries;
  /** Key style Upbit should use; both are parsed. @default 'DEFAULT' */
  format?: 'DEFAULT' | 'SIMPLE';
  /** @default silentLogger */
  logger?: Logger;
  /** After the tickers store has it: e.g. for a notice line. */
  onStatus?: (s: ConnectionStatus) => void;
}

/** Every demand, by its type: what {@link MarketFeed.demand}'s generic parameter ranges over. */
type AnyDemand = Demand<'ticker'> | Demand<'trade'> | Demand<'orderbook'> | Demand<CandleType>;

const noop = (): void => undefined;

/** `candle.1m` → `1m` (a CandleType always has a unit after the dot). */
function candleUnitOf(type: CandleType): CandleUnit {
  const unit = CANDLE_UNITS.find((u) => type === `candle.${u}`);
  if (unit === undefined) throw new RangeError(`${type} is not a candle type Upbit streams`);
  return unit;
}

interface LiveDemand {
  owner: string;
  type: FeedType;
  codes: readonly MarketCode[];
}

export class MarketFeed {
  readonly tickers: MarketStore;
  readonly books: OrderBooks;
  readonly tapes: TradeTapes;
  readonly candles: CandleSeries;
  readonly #client: QuotationClient;
  readonly #log: Logger;
  readonly #demands = new Set<LiveDemand>();
  readonly #trades: TickListeners<Trade>;
  readonly #bookListeners: TickListeners<Orderbook>;
  readonly #candleListeners = new Map<CandleUnit, TickListeners<Candle>>();
  #desired: Subscription[] = [];
  /** The demanded markets per type (candles: per `candle.*` type), for the slices. */
  #demanded = new Map<FeedType, ReadonlySet<MarketCode>>();

  constructor(opts: MarketFeedOptions) {
    const { url, tickers, books, tapes, candles, format, logger, onStatus, ...tuning } = opts;
    this.#log = logger?.child({ component: 'market-feed' }) ?? silentLogger;
    this.tickers = tickers;
    this.books = books ?? new OrderBooks();
    this.tapes = tapes ?? new TradeTapes();
    this.candles = candles ?? new CandleSeries();
    this.#trades = new TickListeners<Trade>(this.#log);
    this.#bookListeners = new TickListeners<Orderbook>(this.#log);
    for (const unit of CANDLE_UNITS) this.#candleListeners.set(unit, new TickListeners<Candle>(this.#log));
    this.#client = new QuotationClient({
      ...tuning,
      url,
      format,
      logger,
      // The socket reads the store's clock once per frame and hands that time on, so the store
      // does not read it again per tick (docs/performance.md).
      now: tuning.now ?? tickers.clock,
      onTicker: (t, at) => tickers.applyTicker(t, at),
      onMarketData: (ev) => this.#onMarketData(ev),
      onStatus: (s) => {
        tickers.setConnection(s);
        onStatus?.(s);
      },
      onInvalid: () => tickers.noteInvalid(),
      // Pongs too: a link whose markets do not trade is alive, not silent.
      onActivity: (at) => tickers.noteActivity(at),
    });
  }

  /**
   * Declare that `owner` needs `demand.type` of `demand.codes` (and, with a listener, every
   * message of them as it arrives). Returns the release, safe to call more than once. Demands
   * made in the same tick go out as one request.
   */
  demand<K extends FeedType>(owner: string, demand: Demand<K>): () => void {
    const bad = demand.codes.findIndex((c) => !isMarketCode(c));
    if (bad >= 0) throw new RangeError(`${owner} demanded ${demand.type} of "${demand.codes[bad] ?? ''}", which is not a market code like KRW-BTC`);
    const live: LiveDemand = { owner, type: demand.type, codes: [...new Set(demand.codes)] };
    // A Demand<K> is one of AnyDemand's members; TypeScript cannot narrow a generic K by itself.
    const offListener = this.#listen(owner, demand as unknown as AnyDemand, live.codes);
    this.#demands.add(live);
    this.#changed();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      offListener();
      this.#demands.delete(live);
      this.#changed();
    };
  }

  /** The subscription set the live demands add up to (what the connection carries, or will). */
  desired(): Subscription[] {
    return this.#desired.map((s) => ({ type: s.type, codes: [...s.codes] }));
  }

  /** How many times a demand's listener (or one of the tickers store's) has thrown. */
  listenerErrorCount(): number {
    let n = this.tickers.listenerErrorCount() + this.#trades.errorCount() + this.#bookListeners.errorCount();
    for (const l of this.#candleListeners.values()) n += l.errorCount();
    return n;
  }

  stats(): QuotationStats {
    return this.#client.stats();
  }

  /**
   * Kernel task body of the connection: connects while anything is demanded, reconnects with
   * backoff, and resolves once `signal` aborts and the socket is closed. Network problems are
   * statuses, never rejections.
   */
  run(signal: AbortSignal): Promise<void> {
    return this.#client.run(signal);
  }

  /**
   * Publish what changed in the book, tape and candle slices now (all three, then the first
   * subscriber error): the TUI's flush loop calls it with the tickers store's flush
   * (src/app/market-tasks.ts), so the four publish in one tick.
   */
  flush(): boolean {
    return flushEach([this.books, this.tapes, this.candles]);
  }

  #listen(owner: string, demand: AnyDemand, markets: readonly MarketCode[]): () => void {
    switch (demand.type) {
      case 'ticker':
        return demand.listener === undefined ? noop : this.tickers.onTick(owner, demand.listener, { markets, onError: demand.onError });
      case 'trade':
        return demand.listener === undefined ? noop : this.#trades.add(owner, demand.listener, { markets, onError: demand.onError });
      case 'orderbook':
        return demand.listener === undefined ? noop : this.#bookListeners.add(owner, demand.listener, { markets, onError: demand.onError });
      default: {
        const listeners = this.#candleListeners.get(candleUnitOf(demand.type));
        return demand.listener === undefined || listeners === undefined ? noop : listeners.add(owner, demand.listener, { markets, onError: demand.onError });
      }
    }
  }

  /**
   * Into the slice only while its market is demanded: a message already in flight when its
   * demand was released must not bring back a slice nobody keeps current. Listeners are
   * registered per market, so they hear only of their own.
   */
  #onMarketData(ev: MarketDataEvent): void {
    const at = Date.now();
    switch (ev.kind) {
      case 'trade':
        if (this.#demanded.get('trade')?.has(ev.trade.market) === true) this.tapes.apply(ev.trade);
        this.#trades.tell(ev.trade, at);
        break;
      case 'orderbook':
        if (this.#demanded.get('orderbook')?.has(ev.orderbook.market) === true) this.books.apply(ev.orderbook);
        this.#bookListeners.tell(ev.orderbook, at);
        break;
      case 'candle':
        if (this.#demanded.get(`candle.${ev.candle.unit}`)?.has(ev.candle.market) === true) this.candles.apply(ev.candle);
        this.#candleListeners.get(ev.candle.unit)?.tell(ev.candle, at);
        break;
    }
  }

  #changed(): void {
    const next = unionOf(this.#demands);
    if (sameSubscriptions(next, this.#desired)) return;
    this.#desired = next;
    this.#log.debug({ types: next.map((s) => `${s.type}:${s.codes.length}`) }, 'demanded markets changed');
    this.#client.setSubscriptions(next);
    this.#demanded = new Map(next.map((s) => [s.type, new Set(s.codes)]));
    const none: ReadonlySet<MarketCode> = new Set();
    const markets = (type: FeedType): ReadonlySet<MarketCode> => this.#demanded.get(type) ?? none;
    this.books.retain(markets('orderbook'));
    this.tapes.retain(markets('trade'));
    this.candles.retain((unit) => markets(`candle.${unit}`));
  }
}
