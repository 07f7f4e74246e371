/**
 * The REST boundary: `unknown` (parsed JSON) in, domain types out. Nothing is cast; every
 * field is narrowed, and a shape we do not understand throws a {@link WireShapeError} naming
 * the path (`orders[3].price`), which the client turns into a `BugError`.
 *
 * Strict on what money and order tracking rely on (ids, side, type, state, amounts, times);
 * tolerant where Upbit is known to vary (docs/upbit-protocol.md#quotation-endpoints, #exchange-endpoints): exchange amounts are strings but old
 * answers had numbers; `price`/`volume` are absent for market orders; `identifier` only on
 * orders created after 2024-10-18; quotation numbers are JSON numbers.
 */
import { ORD_TYPES, SIDES, TIMES_IN_FORCE } from '../order-types.js';
import { Decimal } from 'decimal.js';

import { describeValue, isRecord, type JsonRecord } from '../json-narrow.js';
import { NO_FLAGS, parseMarketFlags } from '../market-event.js';
import type {
  Candle,
  Balance,
  BatchCancelResult,
  CancelAndNewResult,
  CancelledRef,
  ChanceSide,
  Instrument,
  MarketListing,
  Order,
  OrderbookSnapshot,
  OrderbookUnit,
  OrderChance,
  OrderState,
  OrderTrade,
  OrderWithTrades,
  SmpType,
  TickerSnapshot,
} from './types.js';

/** An answer whose shape we do not understand; `path` locates the field. */
export class WireShapeError extends Error {
  override name = 'WireShapeError';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

const DECIMAL_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Field access on one object, with the path for error messages. */
class Fields {
  constructor(
    private readonly obj: JsonRecord,
    readonly path: string,
  ) {}

  static of(v: unknown, path: string): Fields {
    if (!isRecord(v)) throw new WireShapeError(path, `expected an object, got ${describeValue(v)}`);
    return new Fields(v, path);
  }

  private fail(key: string, problem: string): never {
    throw new WireShapeError(`${this.path}.${key}`, problem);
  }

  raw(key: string): unknown {
    return this.obj[key];
  }

  has(key: string): boolean {
    const v = this.obj[key];
    return v !== undefined && v !== null;
  }

  str(key: string): string {
    const v = this.obj[key];
    if (typeof v !== 'string' || v === '') this.fail(key, `expected a non-empty string, got ${describeValue(v)}`);
    return v;
  }

  optStr(key: string): string | null {
    const v = this.obj[key];
    if (v === undefined || v === null || v === '') return null;
    if (typeof v !== 'string') this.fail(key, `expected a string, got ${describeValue(v)}`);
    return v;
  }

  /** A decimal from a decimal string (exchange) or a finite JSON number (quotation). */
  dec(key: string): Decimal {
    return decimalValue(this.obj[key], `${this.path}.${key}`);
  }

  optDec(key: string): Decimal | null {
    return this.has(key) ? this.dec(key) : null;
  }

  /** A non-negative integer (counts, ms timestamps). */
  int(key: string): number {
    const v = this.obj[key];
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
    if (typeof v === 'string' && /^\d+$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
    return this.fail(key, `expected a non-negative integer, got ${describeValue(v)}`);
  }

  bool(key: string, fallback?: boolean): boolean {
    const v = this.obj[key];
    if (typeof v === 'boolean') return v;
    if ((v === undefined || v === null) && fallback !== undefined) return fallback;
    return this.fail(key, `expected a boolean, got ${describeValue(v)}`);
  }

  /** ISO-8601 with an offset (`2026-03-22T21:42:22+09:00`, micro-seconds allowed) → ms. */
  time(key: string): number {
    const v = this.obj[key];
    if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(v)) {
      // Date.parse keeps milliseconds; longer fractions are cut, which ms cannot hold anyway.
      const ms = Date.parse(v.replace(/(\.\d{3})\d+/, '$1'));
      if (Number.isFinite(ms)) return ms;
    }
    return this.fail(key, `expected an ISO-8601 time with an offset, got ${describeValue(v, 40)}`);
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const v = this.obj[key];
    const found = allowed.find((a) => a === v);
    if (found === undefined) this.fail(key, `expected one of ${allowed.join(', ')}, got ${describeValue(v)}`);
    return found;
  }

  optOneOf<T extends string>(key: string, allowed: readonly T[]): T | null {
    return this.has(key) ? this.oneOf(key, allowed) : null;
  }

  strings(key: string, fallback?: string[]): string[] {
    const v = this.obj[key];
    if ((v === undefined || v === null) && fallback !== undefined) return fallback;
    if (!Array.isArray(v)) return this.fail(key, `expected an array, got ${describeValue(v)}`);
    return v.map((item: unknown, i) => {
      if (typeof item !== 'string') throw new WireShapeError(`${this.path}.${key}[${i}]`, `expected a string, got ${describeValue(item)}`);
      return item;
    });
  }

  child(key: string): Fields {
    return Fields.of(this.obj[key], `${this.path}.${key}`);
  }

  list(key: string): unknown[] {
    const v = this.obj[key];
    if (!Array.isArray(v)) return this.fail(key, `expected an array, got ${describeValue(v)}`);
    return v;
  }
}

/** A decimal string or finite number outside an object (array members). */
function decimalValue(v: unknown, path: string): Decimal {
  if (typeof v === 'string' && DECIMAL_TEXT.test(v.trim())) return new Decimal(v.trim());
  if (typeof v === 'number' && Number.isFinite(v)) return new Decimal(v);
  throw new WireShapeError(path, `expected a decimal, got ${describeValue(v)}`);
}

/** Narrow a top-level array with `item` for each element. */
export function parseList<T>(v: unknown, path: string, item: (v: unknown, path: string) => T): T[] {
  if (!Array.isArray(v)) throw new WireShapeError(path, `expected an array, got ${describeValue(v)}`);
  return v.map((e: unknown, i) => item(e, `${path}[${i}]`));
}

const ORDER_STATES: readonly OrderState[] = ['wait', 'watch', 'done', 'cancel'];
const SMP_TYPES: readonly SmpType[] = ['cancel_maker', 'cancel_taker', 'reduce', 'none'];
const CHANGES = ['RISE', 'EVEN', 'FALL'] as const;

export function parseMarketListing(v: unknown, path = 'market'): MarketListing {
  const f = Fields.of(v, path);
  // Fields.of has checked that v is an object; the flags are read leniently (../market-event.ts).
  const { warning, cautions } = isRecord(v) ? parseMarketFlags(v) : NO_FLAGS;
  return { market: f.str('market'), koreanName: f.optStr('korean_name') ?? '', englishName: f.optStr('english_name') ?? '', warning, cautions };
}

export function parseTicker(v: unknown, path = 'ticker'): TickerSnapshot {
  const f = Fields.of(v, path);
  return {
    market: f.str('market'),
    tradePrice: f.dec('trade_price'),
    openingPrice: f.dec('opening_price'),
    highPrice: f.dec('high_price'),
    lowPrice: f.dec('low_price'),
    prevClosingPrice: f.dec('prev_closing_price'),
    change: f.oneOf('change', CHANGES),
    signedChangePrice: f.dec('signed_change_price'),
    signedChangeRate: f.dec('signed_change_rate'),
    tradeVolume: f.dec('trade_volume'),
    accTradePrice: f.dec('acc_trade_price'),
    accTradePrice24h: f.dec('acc_trade_price_24h'),
    accTradeVolume: f.dec('acc_trade_volume'),
    accTradeVolume24h: f.dec('acc_trade_volume_24h'),
    tradeTimestamp: f.int('trade_timestamp'),
    timestamp: f.int('timestamp'),
  };
}

/** A candle; `candle_date_time_utc` is `yyyy-MM-ddTHH:mm:ss` in UTC without a zone. */
export function parseCandle(v: unknown, path = 'candle'): Candle {
  const f = Fields.of(v, path);
  const startText = f.str('candle_date_time_utc');
  const start = Date.parse(/(Z|[+-]\d\d:?\d\d)$/.test(startText) ? startText : `${startText}Z`);
  if (Number.isNaN(start)) throw new WireShapeError(`${path}.candle_date_time_utc`, `expected a time, got ${JSON.stringify(startText)}`);
  return {
    market: f.str('market'),
    start,
    open: f.dec('opening_price'),
    high: f.dec('high_price'),
    low: f.dec('low_price'),
    close: f.dec('trade_price'),
    timestamp: f.int('timestamp'),
    volume: f.dec('candle_acc_trade_volume'),
    turnover: f.dec('candle_acc_trade_price'),
  };
}

export function parseOrderbook(v: unknown, path = 'orderbook'): OrderbookSnapshot {
  const f = Fields.of(v, path);
  const units = f.list('orderbook_units').map((u: unknown, i): OrderbookUnit => {
    const uf = Fields.of(u, `${path}.orderbook_units[${i}]`);
    return { askPrice: uf.dec('ask_price'), bidPrice: uf.dec('bid_price'), askSize: uf.dec('ask_size'), bidSize: uf.dec('bid_size') };
  });
  return {
    market: f.str('market'),
    timestamp: f.int('timestamp'),
    totalAskSize: f.dec('total_ask_size'),
    totalBidSize: f.dec('total_bid_size'),
    units,
    level: f.has('level') ? f.dec('level') : new Decimal(0),
  };
}

export function parseInstrument(v: unknown, path = 'instrument'): Instrument {
  const f = Fields.of(v, path);
  const tickSize = f.dec('tick_size');
  if (!tickSize.isPositive() || tickSize.isZero()) throw new WireShapeError(`${path}.tick_size`, `expected a positive tick, got ${tickSize.toString()}`);
  const levels = f.has('supported_levels') ? f.list('supported_levels') : [];
  return {
    market: f.str('market'),
    quoteCurrency: f.optStr('quote_currency') ?? f.str('market').split('-')[0] ?? '',
    tickSize,
    supportedLevels: levels.map((l: unknown, i) => decimalValue(l, `${path}.supported_levels[${i}]`)),
  };
}

export function parseBalance(v: unknown, path = 'account'): Balance {
  const f = Fields.of(v, path);
  return {
    currency: f.str('currency'),
    balance: f.dec('balance'),
    locked: f.dec('locked'),
    avgBuyPrice: f.has('avg_buy_price') ? f.dec('avg_buy_price') : new Decimal(0),
    avgBuyPriceModified: f.bool('avg_buy_price_modified', false),
    unitCurrency: f.optStr('unit_currency') ?? 'KRW',
  };
}

function parseChanceSide(f: Fields): ChanceSide {
  return { currency: f.str('currency'), minTotal: f.optDec('min_total') };
}

export function parseChance(v: unknown, path = 'chance'): OrderChance {
  const f = Fields.of(v, path);
  const m = f.child('market');
  return {
    bidFee: f.dec('bid_fee'),
    askFee: f.dec('ask_fee'),
    // Older answers had no maker fees: the taker fee is the conservative stand-in.
    makerBidFee: f.has('maker_bid_fee') ? f.dec('maker_bid_fee') : f.dec('bid_fee'),
    makerAskFee: f.has('maker_ask_fee') ? f.dec('maker_ask_fee') : f.dec('ask_fee'),
    market: {
      id: m.str('id'),
      name: m.optStr('name') ?? m.str('id'),
      orderSides: m.strings('order_sides', []),
      bidTypes: m.strings('bid_types', m.strings('order_types', [])),
      askTypes: m.strings('ask_types', m.strings('order_types', [])),
      bid: parseChanceSide(m.child('bid')),
      ask: parseChanceSide(m.child('ask')),
      maxTotal: m.optDec('max_total'),
      state: m.optStr('state') ?? 'active',
    },
    bidAccount: parseBalance(f.raw('bid_account'), `${path}.bid_account`),
    askAccount: parseBalance(f.raw('ask_account'), `${path}.ask_account`),
  };
}

export function parseOrder(v: unknown, path = 'order'): Order {
  const f = Fields.of(v, path);
  return {
    uuid: f.str('uuid'),
    identifier: f.optStr('identifier'),
    market: f.str('market'),
    side: f.oneOf('side', SIDES),
    ordType: f.oneOf('ord_type', ORD_TYPES),
    state: f.oneOf('state', ORDER_STATES),
    price: f.optDec('price'),
    volume: f.optDec('volume'),
    remainingVolume: f.optDec('remaining_volume'),
    executedVolume: f.dec('executed_volume'),
    executedFunds: f.optDec('executed_funds'),
    reservedFee: f.dec('reserved_fee'),
    remainingFee: f.dec('remaining_fee'),
    paidFee: f.dec('paid_fee'),
    locked: f.dec('locked'),
    preventedVolume: f.optDec('prevented_volume'),
    preventedLocked: f.optDec('prevented_locked'),
    timeInForce: f.optOneOf('time_in_force', TIMES_IN_FORCE),
    smpType: f.optOneOf('smp_type', SMP_TYPES),
    tradesCount: f.has('trades_count') ? f.int('trades_count') : 0,
    createdAt: f.time('created_at'),
  };
}

export function parseOrderTrade(v: unknown, path = 'trade'): OrderTrade {
  const f = Fields.of(v, path);
  return {
    market: f.str('market'),
    uuid: f.str('uuid'),
    price: f.dec('price'),
    volume: f.dec('volume'),
    funds: f.dec('funds'),
    side: f.oneOf('side', SIDES),
    trend: f.optStr('trend'),
    createdAt: f.time('created_at'),
  };
}

export function parseOrderWithTrades(v: unknown, path = 'order'): OrderWithTrades {
  const order = parseOrder(v, path);
  const f = Fields.of(v, path);
  const trades = f.has('trades') ? parseList(f.raw('trades'), `${path}.trades`, parseOrderTrade) : [];
  return { ...order, trades };
}

export function parseCancelAndNew(v: unknown, path = 'cancel_and_new'): CancelAndNewResult {
  const order = parseOrder(v, path);
  const f = Fields.of(v, path);
  return { ...order, newOrderUuid: f.str('new_order_uuid'), newOrderIdentifier: f.optStr('new_order_identifier') };
}

function parseCancelledRefs(f: Fields): { count: number; orders: CancelledRef[] } {
  const orders = parseList(f.raw('orders'), `${f.path}.orders`, (o, p): CancelledRef => {
    const of = Fields.of(o, p);
    return { uuid: of.str('uuid'), market: of.str('market'), identifier: of.optStr('identifier') };
  });
  return { count: f.has('count') ? f.int('count') : orders.length, orders };
}

export function parseBatchCancel(v: unknown, path = 'result'): BatchCancelResult {
  const f = Fields.of(v, path);
  return { success: parseCancelledRefs(f.child('success')), failed: parseCancelledRefs(f.child('failed')) };
}
