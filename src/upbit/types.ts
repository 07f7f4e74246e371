/**
 * Domain types: what the rest of upbit-tui sees after a message has been narrowed at the
 * boundary (see `parse.ts`). camelCase, timestamps in ms.
 *
 * Quotation figures stay JavaScript numbers: Upbit sends them as IEEE doubles on the wire
 * (docs/upbit-protocol.md#websocket-messages), the table and sparkline do arithmetic on them, and nothing
 * here is money we spend. Anything that becomes an order is converted to a decimal type at
 * the order boundary (src/trading), never computed in binary floats.
 */
import type { Decimal } from 'decimal.js';
import type { Side } from './order-types.js';

/** A market code such as `KRW-BTC`: `{QUOTE}-{BASE}`, upper case. */
export type MarketCode = string;

export type Change = 'RISE' | 'EVEN' | 'FALL';
export type AskBid = 'ASK' | 'BID';
export type StreamType = 'SNAPSHOT' | 'REALTIME';

export interface Ticker {
  market: MarketCode;
  openingPrice: number;
  highPrice: number;
  lowPrice: number;
  tradePrice: number;
  prevClosingPrice: number;
  change: Change;
  /** Signed change against the previous close, in quote currency. */
  signedChangePrice: number;
  /** Signed change ratio against the previous close (0.015 = +1.5 %). */
  signedChangeRate: number;
  tradeVolume: number;
  accTradeVolume: number;
  accTradeVolume24h: number;
  /** Traded value since 00:00 UTC, quote currency. */
  accTradePrice: number;
  /** Rolling 24 h traded value, quote currency. */
  accTradePrice24h: number;
  askBid: AskBid | null;
  tradeTimestamp: number;
  /** When Upbit produced the message (ms). */
  timestamp: number;
  streamType: StreamType;
  marketState: string | null;
}

/** What one inbound quotation frame turned out to be. */
export type QuotationEvent =
  | { kind: 'ticker'; ticker: Ticker }
  | { kind: 'trade'; trade: Trade }
  | { kind: 'orderbook'; orderbook: Orderbook }
  | { kind: 'candle'; candle: Candle }
  /** The answer to a text `PING`: `{"status":"UP"}`. */
  | { kind: 'status'; status: string }
  /** Upbit's error object `{"error":{"name","message"}}`. */
  | { kind: 'error'; name: string; message: string }
  /** Anything we could not use; counted and dropped, never thrown. */
  | { kind: 'invalid'; reason: string };

// ---- private stream (myOrder / myAsset, docs/upbit-protocol.md#myorder, #myasset) -----------------
//
// Unlike quotation figures, these are money the order path acts on: every amount is a
// decimal.js `Decimal` made from the shortest round-trip text of the wire's double (see
// parse-private.ts), never used as a binary float.

/** `trade` is one fill; `done`, `cancel` and `prevented` are terminal. */
export type MyOrderState = 'wait' | 'watch' | 'trade' | 'done' | 'cancel' | 'prevented';

/** One fill, carried by a `myOrder` event whose state is `trade`. */
export interface MyOrderFill {
  /** Unique per fill: the key to count a fill once, whether it came from the stream or REST. */
  tradeUuid: string;
  price: Decimal;
  volume: Decimal;
  /** The fee of this fill; null when the server did not send it (older servers). */
  fee: Decimal | null;
  isMaker: boolean | null;
  /** When the fill happened (ms); falls back to the message timestamp if absent. */
  timestamp: number;
}

export interface MyOrderEventBase {
  market: MarketCode;
  uuid: string;
  side: Side;
  /** `limit`, `price` (market buy by total), `market` (market sell), `best`; others passed through. */
  orderType: string;
  /**
   * The order's price and volume — for a `price` order (market buy) the price is the total to
   * spend. Null on `trade` events (the wire's `price`/`volume` are the fill's there: see
   * `fill`), and when the order has none (market orders).
   */
  price: Decimal | null;
  volume: Decimal | null;
  // The order's running totals; null only when the message lacked the field (Upbit has always
  // sent them so far) — reconcile over REST rather than assume 0.
  avgPrice: Decimal | null;
  remainingVolume: Decimal | null;
  executedVolume: Decimal | null;
  executedFunds: Decimal | null;
  tradesCount: number | null;
  reservedFee: Decimal | null;
  remainingFee: Decimal | null;
  paidFee: Decimal | null;
  locked: Decimal | null;
  /** `ioc`, `fok`, `post_only`, or null. */
  timeInForce: string | null;
  /** The client order id given at placement (`identifier`), or null. */
  identifier: string | null;
  /** Self-match prevention: `reduce`, `cancel_maker`, `cancel_taker`, or null. */
  smpType: string | null;
  preventedVolume: Decimal | null;
  preventedLocked: Decimal | null;
  /** When the order was placed (ms), or null if absent. */
  orderTimestamp: number | null;
  /** When Upbit produced the message (ms). */
  timestamp: number;
}

/** A `myOrder` message: an order's new state, or (state `trade`) one of its fills. */
export type MyOrderEvent =
  | (MyOrderEventBase & { state: 'trade'; fill: MyOrderFill })
  | (MyOrderEventBase & { state: Exclude<MyOrderState, 'trade'>; fill: null });

export interface MyAssetBalance {
  currency: string;
  /** Available (not locked). */
  balance: Decimal;
  locked: Decimal;
}

/** A `myAsset` message: balances that changed (possibly all; merge per currency). */
export interface MyAssetEvent {
  /** Identifies the message, or null if absent. */
  assetUuid: string | null;
  balances: MyAssetBalance[];
  /** When the balances changed (ms); falls back to `timestamp` if absent. */
  assetTimestamp: number;
  timestamp: number;
}

/** What one inbound private-stream frame turned out to be. */
export type PrivateEvent =
  | { kind: 'order'; order: MyOrderEvent }
  | { kind: 'asset'; asset: MyAssetEvent }
  /** The answer to a text `PING`: `{"status":"UP"}`. */
  | { kind: 'status'; status: string }
  /** Upbit's error object, e.g. `{"error":{"name":"INVALID_AUTH"}}`. */
  | { kind: 'error'; name: string; message: string }
  /** Anything we could not use; counted and dropped, never thrown. */
  | { kind: 'invalid'; reason: string };

// ---- quotation streams beyond the ticker (trade, orderbook, candle.*) ----------------------
//
// Figures stay numbers, as for the ticker: display data, never money we spend.

/** The best quote on one side at the moment of a trade (`best_*` of a `trade` message). */
export interface BestQuote {
  price: number;
  size: number;
}

/** One trade of a market's tape (`trade` message, https://docs.upbit.com/kr/reference/websocket-trade). */
export interface Trade {
  market: MarketCode;
  price: number;
  volume: number;
  /** `ASK`: the seller took a bid (a sell); `BID`: the buyer took an ask (a buy). */
  askBid: AskBid;
  /** Upbit's trade number: unique, the key to count a trade once (not an ordering). */
  sequentialId: number;
  tradeTimestamp: number;
  /** When Upbit produced the message (ms); the trade's time when absent. */
  timestamp: number;
  /** Null when the message lacked them (older servers): never guessed. */
  prevClosingPrice: number | null;
  change: Change | null;
  /** Absolute change against the previous close. */
  changePrice: number | null;
  /** At the time of the trade; null before Upbit added the fields (2024-11-27). */
  bestAsk: BestQuote | null;
  bestBid: BestQuote | null;
  streamType: StreamType;
}

/** One level of a book: the i-th ask beside the i-th bid. */
export interface OrderbookUnit {
  askPrice: number;
  askSize: number;
  bidPrice: number;
  bidSize: number;
}

/** A whole top-N book (`orderbook` message): every message replaces the last, none is a delta. */
export interface Orderbook {
  market: MarketCode;
  /** Best first; asks rise and bids fall down the list, and the best bid is below the best ask. */
  units: readonly OrderbookUnit[];
  totalAskSize: number;
  totalBidSize: number;
  /** Price bucket of an aggregated book; 0 is the market's own tick. */
  level: number;
  timestamp: number;
  streamType: StreamType;
}

/** The candle intervals Upbit streams (https://docs.upbit.com/kr/reference/websocket-candle). */
export const CANDLE_UNITS = ['1s', '1m', '3m', '5m', '10m', '15m', '30m', '60m', '240m'] as const;
export type CandleUnit = (typeof CANDLE_UNITS)[number];
/** The `type` of a candle stream, e.g. `candle.1m`. */
export type CandleType = `candle.${CandleUnit}`;

/** One candle (`candle.*` message); the same `start` may come several times, the last one wins. */
export interface Candle {
  market: MarketCode;
  unit: CandleUnit;
  /** Start of the candle (ms, UTC), aligned to the unit. */
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Volume traded in the candle, base currency. */
  volume: number;
  /** Value traded in the candle, quote currency. */
  turnover: number;
  timestamp: number;
  streamType: StreamType;
}
