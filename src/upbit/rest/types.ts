/**
 * Domain types of the REST client: what callers see once an answer has been narrowed in
 * `parse.ts`. camelCase; every price, volume, fee and balance a decimal.js `Decimal` (also
 * quotation figures, which Upbit sends as JSON numbers — they feed order maths); every time
 * in ms since the epoch. Request types (order bodies, list filters) are camelCase too; the
 * client writes them to the wire in Upbit's snake_case.
 */
import type { Decimal } from 'decimal.js';
import type { MarketFlags } from '../market-event.js';
import type { OrdType, Side, TimeInForce } from '../order-types.js';

export type { OrdType, Side, TimeInForce };

export type MarketCode = string;
export type OrderState = 'wait' | 'watch' | 'done' | 'cancel';
export type SmpType = 'cancel_maker' | 'cancel_taker' | 'reduce' | 'none';
export type OrderBy = 'asc' | 'desc';

/** `GET /v1/market/all`; the flags (../market-event.ts) are all clear without `is_details`. */
export interface MarketListing extends MarketFlags {
  market: MarketCode;
  koreanName: string;
  englishName: string;
}

/** A candle unit: minutes (`GET /v1/candles/minutes/{unit}`) or `'days'` (`GET /v1/candles/days`). */
export type CandleUnit = 1 | 3 | 5 | 10 | 15 | 30 | 60 | 240 | 'days';

/** One candle of `GET /v1/candles/…`. */
export interface Candle {
  market: MarketCode;
  /** Start of the bucket (`candle_date_time_utc`), ms since the epoch. */
  start: number;
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
  /** Time of the bucket's last trade. */
  timestamp: number;
  /** Volume traded in the bucket (`candle_acc_trade_volume`). */
  volume: Decimal;
  /** Value traded in the bucket, quote currency (`candle_acc_trade_price`). */
  turnover: Decimal;
}

/** `GET /v1/ticker`. */
export interface TickerSnapshot {
  market: MarketCode;
  tradePrice: Decimal;
  openingPrice: Decimal;
  highPrice: Decimal;
  lowPrice: Decimal;
  prevClosingPrice: Decimal;
  change: 'RISE' | 'EVEN' | 'FALL';
  signedChangePrice: Decimal;
  signedChangeRate: Decimal;
  tradeVolume: Decimal;
  accTradePrice: Decimal;
  accTradePrice24h: Decimal;
  accTradeVolume: Decimal;
  accTradeVolume24h: Decimal;
  tradeTimestamp: number;
  timestamp: number;
}

export interface OrderbookUnit {
  askPrice: Decimal;
  bidPrice: Decimal;
  askSize: Decimal;
  bidSize: Decimal;
}

/** `GET /v1/orderbook`: best level first. */
export interface OrderbookSnapshot {
  market: MarketCode;
  timestamp: number;
  totalAskSize: Decimal;
  totalBidSize: Decimal;
  units: OrderbookUnit[];
  /** Aggregation level; 0 is the native tick. */
  level: Decimal;
}

/** `GET /v1/orderbook/instruments`: the authoritative tick per market. */
export interface Instrument {
  market: MarketCode;
  quoteCurrency: string;
  tickSize: Decimal;
  supportedLevels: Decimal[];
}

/** One line of `GET /v1/accounts`. */
export interface Balance {
  currency: string;
  /** Available. */
  balance: Decimal;
  /** Held by open orders and withdrawals. */
  locked: Decimal;
  avgBuyPrice: Decimal;
  avgBuyPriceModified: boolean;
  unitCurrency: string;
}

export interface ChanceSide {
  currency: string;
  /** Minimum order total in the quote currency; null when Upbit gave none. */
  minTotal: Decimal | null;
}

/** `GET /v1/orders/chance`. */
export interface OrderChance {
  bidFee: Decimal;
  askFee: Decimal;
  makerBidFee: Decimal;
  makerAskFee: Decimal;
  market: {
    id: MarketCode;
    name: string;
    orderSides: string[];
    bidTypes: string[];
    askTypes: string[];
    bid: ChanceSide;
    ask: ChanceSide;
    maxTotal: Decimal | null;
    state: string;
  };
  bidAccount: Balance;
  askAccount: Balance;
}

/** A fill, as listed in `GET /v1/order`'s `trades`. */
export interface OrderTrade {
  market: MarketCode;
  uuid: string;
  price: Decimal;
  volume: Decimal;
  funds: Decimal;
  side: Side;
  trend: string | null;
  createdAt: number;
}

/** An order as the exchange endpoints return it. Fields absent for an order type are null. */
export interface Order {
  uuid: string;
  identifier: string | null;
  market: MarketCode;
  side: Side;
  ordType: OrdType;
  state: OrderState;
  /** Unit price (limit) or total (`price` market buy, best bid); null for a market sell. */
  price: Decimal | null;
  /** Null for a market buy by total. */
  volume: Decimal | null;
  remainingVolume: Decimal | null;
  executedVolume: Decimal;
  /** Quote spent/received so far; only some endpoints send it. */
  executedFunds: Decimal | null;
  reservedFee: Decimal;
  remainingFee: Decimal;
  paidFee: Decimal;
  locked: Decimal;
  preventedVolume: Decimal | null;
  preventedLocked: Decimal | null;
  timeInForce: TimeInForce | null;
  smpType: SmpType | null;
  tradesCount: number;
  createdAt: number;
}

/** `GET /v1/order`: the order with its fills. */
export interface OrderWithTrades extends Order {
  trades: OrderTrade[];
}

/** `POST /v1/orders/cancel_and_new`: the old order plus the new one's ids. */
export interface CancelAndNewResult extends Order {
  newOrderUuid: string;
  newOrderIdentifier: string | null;
}

export interface CancelledRef {
  uuid: string;
  market: MarketCode;
  identifier: string | null;
}

/** `DELETE /v1/orders/open` and `DELETE /v1/orders/uuids`. */
export interface BatchCancelResult {
  success: { count: number; orders: CancelledRef[] };
  failed: { count: number; orders: CancelledRef[] };
}

// ---------------------------------------------------------------------------------------
// Requests.

/**
 * `POST /v1/orders` (docs/upbit-protocol.md#exchange-endpoints). Which amounts an order type takes: `limit` price + volume;
 * `price` (market buy) price = total, no volume; `market` (market sell) volume, no price;
 * `best` bid price = total, ask volume, with `timeInForce` ioc/fok.
 */
export interface OrderRequest {
  market: MarketCode;
  side: Side;
  ordType: OrdType;
  price?: Decimal;
  volume?: Decimal;
  timeInForce?: TimeInForce;
  smpType?: SmpType;
  /**
   * The caller's id for this attempt: unique across all of the account's orders forever,
   * even failed ones. It is how an order whose outcome is unknown is found again.
   */
  identifier: string;
}

/** An existing order, by Upbit's uuid or by our identifier. */
export type OrderRef = { uuid: string } | { identifier: string };

/** `POST /v1/orders/cancel_and_new`: cancel an order and place its replacement (same market and side). */
export interface CancelAndNewRequest {
  prev: OrderRef;
  newOrdType: OrdType;
  /** A volume, or `remain_only` to carry over the old order's remaining volume. */
  newVolume?: Decimal | 'remain_only';
  newPrice?: Decimal;
  newTimeInForce?: TimeInForce;
  newSmpType?: SmpType;
  /** Required here (Upbit makes it optional): the replacement must be findable after a timeout. */
  newIdentifier: string;
}

export interface OpenOrdersQuery {
  market?: MarketCode;
  /** @default Upbit's: ['wait'] */
  states?: Array<'wait' | 'watch'>;
  /** @default 1 */
  page?: number;
  /** At most 100. @default 100 */
  limit?: number;
  /** @default 'desc' */
  orderBy?: OrderBy;
}

export interface ClosedOrdersQuery {
  market?: MarketCode;
  /** @default both */
  states?: Array<'done' | 'cancel'>;
  /** ms since epoch (sent as a ms timestamp: an ISO time's `+` breaks the JWT hash, docs/upbit-protocol.md#authentication). The window is at most 7 days. */
  startTime?: number;
  endTime?: number;
  /** At most 1000. @default 100 */
  limit?: number;
  orderBy?: OrderBy;
}

export type OrderIds = { uuids: readonly string[] } | { identifiers: readonly string[] };

export interface CancelOpenQuery {
  /** e.g. ['KRW']; not together with `pairs`. */
  quoteCurrencies?: string[];
  /** At most 20 markets. */
  pairs?: MarketCode[];
  excludePairs?: MarketCode[];
  /** @default 'all' */
  cancelSide?: 'all' | Side;
  /** At most 300. @default 20 */
  count?: number;
  orderBy?: OrderBy;
}
