import type { Logger } from '../../runtime/logger.js';
import { silentLogger } from '../../runtime/logger.js';
import type { TickerWire } from '../../upbit/wire.js';
import type { MarketSpec, SimMarket } from '../catalog.js';
import { selectMarkets } from '../catalog.js';
import type { SimEngine, SimTrade } from '../engine.js';
import { Dec } from '../price-grid.js';
import { createRng } from '../random.js';
import { utcDayStart } from '../utc.js';
import type { Candle, MinuteUnit } from './candles.js';
import { CandleSeries, MINUTE_MS, MINUTE_UNITS, retainFor, rollUp } from './candles.js';
import { tickAt } from './grid.js';
import type { DayCandle } from './history.js';
import { synthesizeHistory } from './history.js';
import type { BookSides, BookSource } from './order-book.js';
import { SimOrderBook, bookProfile } from './order-book.js';
import type { TapeTrade } from './trade-tape.js';
import { TradeTape } from './trade-tape.js';

export interface MarketDataOptions {
  engine: SimEngine;
  /**
   * The engine's market clock: book timestamps, reshuffles and day boundaries follow it.
   * @default Date.now
   */
  now?: () => number;
  /** @default silentLogger */
  logger?: Logger;
  /**
   * Recent trades kept per market (the most `GET /v1/trades/ticks` can page through).
   * @default 500
   */
  tapeSize?: number;
}

/**
 * The order book, recent trades and candles of every simulated market, driven by the
 * engine's trades and its clock. The WebSocket (`trade`, `orderbook`), the quotation REST
 * endpoints and the matching engine (through {@link createSimMarketView}) all read this one
 * object, so they always agree.
 */
export interface SimMarketData extends BookSource {
  readonly engine: SimEngine;
  readonly markets: readonly SimMarket[];
  /** The market clock. */
  now(): number;
  has(code: string): boolean;
  /** The book as of now (reshuffles due by now applied), best first; undefined for an unknown market. */
  book(code: string): BookSides | undefined;
  /** The book as the last event left it, without applying reshuffles due since. */
  peekBook(code: string): BookSides | undefined;
  lastPrice(code: string): Dec | undefined;
  /** The newest trade on the tape. */
  lastTrade(code: string): TapeTrade | undefined;
  /** Recent trades, newest first. */
  trades(code: string): Iterable<TapeTrade> | undefined;
  /** The latest ticker (after the last trade). */
  ticker(code: string): TickerWire | undefined;
  /** Price unit at the last price. */
  tickSize(code: string): Dec | undefined;
  /** Orderbook aggregation levels as Upbit lists them: `"0"` and then bucket sizes. */
  supportedLevels(code: string): string[] | undefined;
  /** Up to `count` minute candles starting before `before` (ms; all when undefined), newest first. */
  minuteCandles(code: string, unit: MinuteUnit, before: number | undefined, count: number): Candle[] | undefined;
  /** Up to `count` day candles starting before `before`, newest first; today's is the live ticker's. */
  dayCandles(code: string, before: number | undefined, count: number): DayCandle[] | undefined;
  /** After every engine trade (tape, book and candles already updated). Returns the release. */
  onTrade(listener: (trade: TapeTrade) => void): () => void;
  /** After the book of `code` changed (a trade or reshuffles). Returns the release. */
  onBookChange(listener: (code: string) => void): () => void;
  /** Stop the reshuffle timer and the engine listener (idempotent). */
  close(): void;
}

interface Slot {
  spec: MarketSpec;
  book: SimOrderBook;
  tape: TradeTape;
  series: Map<MinuteUnit, CandleSeries>;
  /** Days completed while the simulator ran, oldest first. */
  completedDays: DayCandle[];
  /** Invented days before the start, oldest first (made on first use). */
  pastDays: DayCandle[] | undefined;
  ticker: TickerWire;
  readonly startTicker: TickerWire;
  lastPrice: Dec;
  /** Market time between reshuffles, and the index of the last one applied. */
  shuffleMs: number;
  epoch: number;
  /** Reshuffled since listeners last heard. */
  dirty: boolean;
}

const DEFAULT_TAPE_SIZE = 500;
/** How often (real time) the timer applies due reshuffles and announces changed books. */
const TICK_MS = 100;
/** After a clock jump, at most this many reshuffles are replayed at once. */
const MAX_SHUFFLES_PER_SYNC = 8;
/** Synthesized day candles before the start day (with today: the 200 one request can ask for). */
const PAST_DAYS = 199;
/** Completed days kept beyond that. */
const MAX_COMPLETED_DAYS = 400;
/** Orderbook aggregation buckets: the tick × 10^k for k = 1…5, at most the price. */
const LEVEL_EXPONENTS = [1, 2, 3, 4, 5];

export function createMarketData(options: MarketDataOptions): SimMarketData {
  const { engine } = options;
  const now = options.now ?? Date.now;
  const logger = (options.logger ?? silentLogger).child({ component: 'sim-market-data' });
  const tapeSize = options.tapeSize ?? DEFAULT_TAPE_SIZE;
  const start = now();

  const slots = new Map<string, Slot>();
  for (const market of engine.markets) {
    const [spec] = selectMarkets([market.code]);
    const ticker = engine.ticker(market.code, 'SNAPSHOT');
    if (spec === undefined || ticker === undefined) throw new Error(`BUG: the engine runs ${market.code} but has no ticker or catalog entry for it`);
    const lastPrice = new Dec(ticker.trade_price);
    const book = new SimOrderBook(bookProfile(spec), createRng(mixSeed(engine.seed, `${spec.code}/book`)), lastPrice, ticker.ask_bid);
    const shuffleMs = Math.min(1_000, Math.max(250, 1_000 / spec.tradesPerSecond));
    const slot: Slot = {
      spec,
      book,
      tape: new TradeTape(tapeSize),
      series: new Map(MINUTE_UNITS.map((unit) => [unit, new CandleSeries(unit * MINUTE_MS, retainFor(unit))])),
      completedDays: [],
      pastDays: undefined,
      ticker,
      startTicker: ticker,
      lastPrice,
      shuffleMs,
      epoch: Math.floor(start / shuffleMs),
      dirty: false,
    };
    // The trade the market opened with (the ticker's last trade) starts the tape.
    slot.tape.push(tapeTrade(slot, { code: spec.code, price: ticker.trade_price, volume: ticker.trade_volume, askBid: ticker.ask_bid, timestamp: ticker.trade_timestamp, sequentialId: 0 }));
    slots.set(spec.code, slot);
  }

  const tradeListeners = new Set<(trade: TapeTrade) => void>();
  const bookListeners = new Set<(code: string) => void>();

  const notify = <T>(listeners: ReadonlySet<(value: T) => void>, value: T): void => {
    for (const listener of listeners) {
      try {
        listener(value);
      } catch (err) {
        logger.error({ err }, 'market-data listener threw; carrying on');
      }
    }
  };

  /** Apply the reshuffles due by market time `t`; true when there were any. */
  const sync = (slot: Slot, t: number): boolean => {
    const target = Math.floor(t / slot.shuffleMs);
    const due = target - slot.epoch;
    if (due <= 0) return false;
    slot.epoch = target;
    for (let i = 0; i < Math.min(due, MAX_SHUFFLES_PER_SYNC); i++) slot.book.shuffle();
    slot.dirty = true;
    return true;
  };

  const onEngineTrade = (trade: SimTrade): void => {
    const slot = slots.get(trade.code);
    if (slot === undefined) return;
    // Orders that came and went before the trade, then the trade itself.
    sync(slot, trade.timestamp);
    const price = new Dec(trade.price);
    const volume = new Dec(trade.volume);
    slot.book.applyTrade(price, volume, trade.askBid);
    const ticker = engine.ticker(trade.code, 'REALTIME');
    if (ticker !== undefined) {
      if (utcDayStart(ticker.trade_timestamp) > utcDayStart(slot.ticker.trade_timestamp)) {
        slot.completedDays.push(dayFromTicker(slot.ticker));
        if (slot.completedDays.length > MAX_COMPLETED_DAYS) slot.completedDays.shift();
      }
      slot.ticker = ticker;
    }
    slot.lastPrice = price;
    const onTape = tapeTrade(slot, trade);
    slot.tape.push(onTape);
    const turnover = price.mul(volume);
    for (const series of slot.series.values()) {
      series.add({ open: trade.price, high: trade.price, low: trade.price, close: trade.price, firstAt: trade.timestamp, lastAt: trade.timestamp, volume, turnover });
    }
    slot.dirty = false;
    notify(tradeListeners, onTape);
    notify(bookListeners, trade.code);
  };

  const ensureHistory = (slot: Slot): DayCandle[] => {
    if (slot.pastDays !== undefined) return slot.pastDays;
    const history = synthesizeHistory(
      { spec: slot.spec, ticker: slot.startTicker, start, rng: createRng(mixSeed(engine.seed, `${slot.spec.code}/history`)) },
      PAST_DAYS,
    );
    for (const series of slot.series.values()) for (const bar of rollUp(history.minuteBars, series.bucketMs)) series.add(bar);
    slot.pastDays = history.days;
    return history.days;
  };

  const offEngine = engine.onTrade(onEngineTrade);
  const timer = setInterval(() => {
    const t = now();
    for (const [code, slot] of slots) {
      sync(slot, t);
      if (!slot.dirty) continue;
      slot.dirty = false;
      notify(bookListeners, code);
    }
  }, TICK_MS);
  let closed = false;

  const current = (code: string): Slot | undefined => {
    const slot = slots.get(code);
    if (slot !== undefined) sync(slot, now());
    return slot;
  };

  return {
    engine,
    markets: engine.markets,
    now,
    has: (code) => slots.has(code),
    book: (code) => current(code)?.book.sides(),
    peekBook: (code) => slots.get(code)?.book.sides(),
    lastPrice: (code) => slots.get(code)?.lastPrice,
    lastTrade: (code) => slots.get(code)?.tape.latest(),
    trades: (code) => slots.get(code)?.tape.newestFirst(),
    ticker: (code) => slots.get(code)?.ticker,
    tickSize(code) {
      const slot = slots.get(code);
      return slot === undefined ? undefined : tickAt(slot.lastPrice);
    },
    supportedLevels(code) {
      const slot = slots.get(code);
      if (slot === undefined) return undefined;
      const tick = tickAt(slot.lastPrice);
      const levels = LEVEL_EXPONENTS.map((k) => tick.mul(new Dec(10).pow(k))).filter((level) => level.lte(slot.lastPrice));
      return ['0', ...levels.map((level) => level.toFixed())];
    },
    minuteCandles(code, unit, before, count) {
      const slot = slots.get(code);
      if (slot === undefined) return undefined;
      ensureHistory(slot);
      return slot.series.get(unit)?.list(before, count) ?? [];
    },
    dayCandles(code, before, count) {
      const slot = slots.get(code);
      if (slot === undefined) return undefined;
      const all = [...ensureHistory(slot), ...slot.completedDays, dayFromTicker(slot.ticker)];
      const out: DayCandle[] = [];
      for (let i = all.length - 1; i >= 0 && out.length < count; i--) {
        const day = all[i];
        if (day !== undefined && (before === undefined || day.start < before)) out.push(day);
      }
      return out;
    },
    onTrade(listener) {
      const entry = (trade: TapeTrade): void => listener(trade);
      tradeListeners.add(entry);
      return () => {
        tradeListeners.delete(entry);
      };
    },
    onBookChange(listener) {
      const entry = (code: string): void => listener(code);
      bookListeners.add(entry);
      return () => {
        bookListeners.delete(entry);
      };
    },
    close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      offEngine();
      tradeListeners.clear();
      bookListeners.clear();
    },
  };
}

/** A trade on the tape: the print, the previous close it changed against, the book after it. */
function tapeTrade(slot: Slot, trade: Pick<SimTrade, 'code' | 'price' | 'volume' | 'askBid' | 'timestamp' | 'sequentialId'>): TapeTrade {
  const prevClose = slot.ticker.prev_closing_price;
  const diff = new Dec(trade.price).minus(prevClose);
  const ask = slot.book.bestAsk();
  const bid = slot.book.bestBid();
  return {
    code: trade.code,
    price: trade.price,
    volume: trade.volume,
    askBid: trade.askBid,
    timestamp: trade.timestamp,
    sequentialId: trade.sequentialId,
    prevClosingPrice: prevClose,
    change: diff.isZero() ? 'EVEN' : diff.isPositive() ? 'RISE' : 'FALL',
    signedChangePrice: diff.toNumber(),
    bestAskPrice: ask?.price.toNumber() ?? 0,
    bestAskSize: ask?.size.toNumber() ?? 0,
    bestBidPrice: bid?.price.toNumber() ?? 0,
    bestBidSize: bid?.size.toNumber() ?? 0,
  };
}

/** The day so far, as the ticker sums it up. */
function dayFromTicker(ticker: TickerWire): DayCandle {
  return {
    start: utcDayStart(ticker.trade_timestamp),
    open: ticker.opening_price,
    high: ticker.high_price,
    low: ticker.low_price,
    close: ticker.trade_price,
    lastAt: ticker.trade_timestamp,
    volume: ticker.acc_trade_volume,
    turnover: ticker.acc_trade_price,
    prevClose: ticker.prev_closing_price,
  };
}

/** A 32-bit seed for one purpose of one market, from the engine seed (FNV-1a, then mixed). */
function mixSeed(seed: number, key: string): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}
