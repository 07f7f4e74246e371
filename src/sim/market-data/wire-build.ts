import type { StreamType } from '../../upbit/types.js';
import type { OrderbookUnitWire, OrderbookWire, TradeWire } from '../../upbit/wire.js';
import { Dec, ZERO } from '../price-grid.js';
import { isoDate } from '../utc.js';
import type { BookSides, Level } from './order-book.js';
import { colonTime } from './time-format.js';
import type { TapeTrade } from './trade-tape.js';

/** The units and totals of an orderbook message: what the REST answer and the WebSocket share. */
export interface OrderbookFigures {
  orderbook_units: OrderbookUnitWire[];
  total_ask_size: number;
  total_bid_size: number;
}

/**
 * The top `count` units of a book, each pairing the i-th ask with the i-th bid, and the
 * totals of the sizes shown (docs/upbit-protocol.md#orderbook: "sum of ask sizes in the message"). With a `level`,
 * prices are gathered into buckets of that size first — asks rounded up, bids down, so the
 * two sides never meet — and there can be fewer units than asked for.
 */
export function orderbookFigures(sides: BookSides, count: number, level?: Dec): OrderbookFigures {
  const asks = level === undefined ? sides.asks : aggregate(sides.asks, level, 'ceil');
  const bids = level === undefined ? sides.bids : aggregate(sides.bids, level, 'floor');
  const n = Math.min(count, asks.length, bids.length);
  const units: OrderbookUnitWire[] = [];
  let totalAsk = ZERO;
  let totalBid = ZERO;
  for (let i = 0; i < n; i++) {
    const ask = asks[i];
    const bid = bids[i];
    if (ask === undefined || bid === undefined) break;
    units.push({ ask_price: ask.price.toNumber(), bid_price: bid.price.toNumber(), ask_size: ask.size.toNumber(), bid_size: bid.size.toNumber() });
    totalAsk = totalAsk.plus(ask.size);
    totalBid = totalBid.plus(bid.size);
  }
  return { orderbook_units: units, total_ask_size: totalAsk.toNumber(), total_bid_size: totalBid.toNumber() };
}

function aggregate(levels: readonly Level[], bucket: Dec, round: 'ceil' | 'floor'): Level[] {
  const out: Level[] = [];
  for (const { price, size } of levels) {
    const units = price.div(bucket);
    const at = (round === 'ceil' ? units.ceil() : units.floor()).mul(bucket);
    const last = out.at(-1);
    if (last?.price.eq(at)) out[out.length - 1] = { price: at, size: last.size.plus(size) };
    else out.push({ price: at, size });
  }
  return out;
}

export function orderbookWire(code: string, sides: BookSides, count: number, level: Dec | undefined, timestamp: number, streamType: StreamType): OrderbookWire {
  const figures = orderbookFigures(sides, count, level);
  return {
    type: 'orderbook',
    code,
    total_ask_size: figures.total_ask_size,
    total_bid_size: figures.total_bid_size,
    orderbook_units: figures.orderbook_units,
    timestamp,
    level: level === undefined ? 0 : level.toNumber(),
    stream_type: streamType,
  };
}

/** The `trade` message (DEFAULT keys) for a trade on the tape. */
export function tradeWire(trade: TapeTrade, timestamp: number, streamType: StreamType): TradeWire {
  return {
    type: 'trade',
    code: trade.code,
    trade_price: trade.price,
    trade_volume: trade.volume,
    ask_bid: trade.askBid,
    prev_closing_price: trade.prevClosingPrice,
    change: trade.change,
    change_price: Math.abs(trade.signedChangePrice),
    trade_date: isoDate(trade.timestamp),
    trade_time: colonTime(trade.timestamp),
    trade_timestamp: trade.timestamp,
    timestamp,
    sequential_id: trade.sequentialId,
    best_ask_price: trade.bestAskPrice,
    best_ask_size: trade.bestAskSize,
    best_bid_price: trade.bestBidPrice,
    best_bid_size: trade.bestBidSize,
    stream_type: streamType,
  };
}

/** Whether `value` (a request's `level`) is 0 or one of `supported` (decimal strings). */
export function resolveLevel(value: Dec, supported: readonly string[]): { level: Dec | undefined } | undefined {
  if (value.isZero()) return { level: undefined };
  return supported.some((s) => value.eq(s)) ? { level: new Dec(value) } : undefined;
}
