/**
 * The exchange's account and order model: the contract between the matching engine
 * (`engine.ts`), the simulator's REST and private-WebSocket layers (src/sim), and paper
 * trading (src/trading/paper, which runs this engine against live quotes).
 *
 * Every amount is a decimal.js `Decimal`: balances, fees and avg_buy_price must stay exact.
 * Wire rendering (Upbit's string amounts, `+09:00` timestamps) is in `wire.ts`.
 */
import type { Decimal } from 'decimal.js';

// Upbit's order vocabulary: the exchange speaks the protocol's words (src/upbit/order-types.ts).
import type { OrdType, Side, TimeInForce } from '../upbit/order-types.js';

export type { OrdType, Side, TimeInForce };
export type SmpType = 'reduce' | 'cancel_maker' | 'cancel_taker';
/** REST states. The private stream adds `trade` (one event per fill). */
export type OrderState = 'wait' | 'watch' | 'done' | 'cancel';

/** What a client sent to `POST /v1/orders` (or `/orders/test`), still unvalidated strings. */
export interface OrderRequest {
  market?: unknown;
  side?: unknown;
  ord_type?: unknown;
  price?: unknown;
  volume?: unknown;
  time_in_force?: unknown;
  smp_type?: unknown;
  identifier?: unknown;
}

export interface Fill {
  /** `trade_uuid` / trades[].uuid */
  uuid: string;
  market: string;
  side: Side;
  price: Decimal;
  volume: Decimal;
  /** price × volume, quote currency */
  funds: Decimal;
  fee: Decimal;
  isMaker: boolean;
  /** ms since epoch */
  createdAt: number;
  /** Upbit's trades[].trend: `up` if the fill price is above the previous trade. */
  trend: 'up' | 'down';
}

export interface Order {
  uuid: string;
  identifier: string | null;
  market: string;
  side: Side;
  ordType: OrdType;
  /** Unit price for limit; total to spend for `price`/best-bid; null for market sell. */
  price: Decimal | null;
  /** Volume; null for `price` (market buy) and best-bid orders. */
  volume: Decimal | null;
  remainingVolume: Decimal | null;
  executedVolume: Decimal;
  /** Sum of fill funds (quote currency). */
  executedFunds: Decimal;
  reservedFee: Decimal;
  remainingFee: Decimal;
  paidFee: Decimal;
  /** Bid: quote funds still reserved incl. fee; ask: base volume still reserved. */
  locked: Decimal;
  tradesCount: number;
  state: OrderState;
  timeInForce: TimeInForce | null;
  smpType: SmpType | null;
  /** ms since epoch */
  createdAt: number;
  /** Fills, oldest first (GET /v1/order `trades`). */
  trades: Fill[];
}

export interface Balance {
  currency: string;
  /** Available. */
  balance: Decimal;
  /** In open orders. */
  locked: Decimal;
  avgBuyPrice: Decimal;
  avgBuyPriceModified: boolean;
  unitCurrency: string;
}

/** What the private stream (and paper trading) hear. */
export type ExchangeEvent =
  /** myOrder: `fill` set → a `state: trade` message for that fill; otherwise the order's new state. */
  | { type: 'order'; accessKey: string; order: Order; fill: Fill | null; at: number }
  /** myAsset: balances after a change (the currencies that changed). */
  | { type: 'asset'; accessKey: string; balances: Balance[]; at: number };

/**
 * An error Upbit would answer with: HTTP `status` and `{"error":{"name","message"}}`.
 * `name` is Upbit's string code (`insufficient_funds_bid`, `invalid_price_ask`, …).
 */
export class ExchangeError extends Error {
  constructor(
    readonly status: number,
    readonly upbitName: string,
    message: string,
  ) {
    super(message);
    this.name = 'ExchangeError';
  }
}

export interface BookLevel {
  price: Decimal;
  size: Decimal;
}

/**
 * What the engine needs to know about the market: the simulator backs it with its own
 * order book, paper trading with the live one.
 */
export interface MarketView {
  has(market: string): boolean;
  /** Best first: asks ascending, bids descending. */
  book(market: string): { asks: readonly BookLevel[]; bids: readonly BookLevel[] };
  /** Last trade price. */
  lastPrice(market: string): Decimal;
  /** Price unit at a price (KRW table, or the market's instrument tick). */
  tickSize(market: string, price: Decimal): Decimal;
}

/** Order list filters, as the REST endpoints take them (already validated). */
export interface OrderFilter {
  market?: string;
  states?: OrderState[];
  /** newest first unless 'asc' */
  orderBy?: 'asc' | 'desc';
  limit?: number;
  page?: number;
  /** ms since epoch, inclusive bounds on createdAt */
  startTime?: number;
  endTime?: number;
}

export interface CancelResult {
  success: { count: number; orders: Array<{ uuid: string; market: string; identifier: string | null }> };
  failed: { count: number; orders: Array<{ uuid: string; market: string; identifier: string | null }> };
}

/** `GET /v1/orders/chance`: the account's fees, the market's order rules and both balances. */
export interface Chance {
  bidFee: Decimal;
  askFee: Decimal;
  makerBidFee: Decimal;
  makerAskFee: Decimal;
  market: {
    /** `KRW-BTC` */
    id: string;
    /** `BTC/KRW` */
    name: string;
    /** Deprecated by Upbit (2022-10-14) in favour of bidTypes/askTypes, still sent. */
    orderTypes: string[];
    orderSides: Side[];
    bidTypes: string[];
    askTypes: string[];
    bid: { currency: string; minTotal: Decimal };
    ask: { currency: string; minTotal: Decimal };
    /** Null where Upbit publishes no maximum. */
    maxTotal: Decimal | null;
    state: 'active';
  };
  /** The quote currency's balance. */
  bidAccount: Balance;
  /** The base currency's balance. */
  askAccount: Balance;
}
