/**
 * The exchange model rendered as Upbit sends it (https://docs.upbit.com/kr/reference/websocket-myorder, /kr/reference/websocket-myasset, /kr/reference/new-order):
 * REST amounts as decimal strings without trailing zeros and `+09:00` timestamps; the private
 * stream's DEFAULT-format objects with JSON numbers, and their SIMPLE key tables.
 */
import { randomUUID } from 'node:crypto';

import type { Decimal } from 'decimal.js';

import type {
  MyAssetUnitWire as ProtocolMyAssetUnitWire,
  MyAssetWire as ProtocolMyAssetWire,
  MyOrderWire as ProtocolMyOrderWire,
} from '../upbit/wire.js';
import { MY_ASSET_SIMPLE_KEYS, MY_ASSET_UNIT_SIMPLE_KEYS } from '../upbit/wire.js';
import { plain } from './decimal.js';
import type { Balance, Chance, ExchangeEvent, Fill, Order, OrderState, Side, SmpType, TimeInForce } from './types.js';

/** The SIMPLE key tables of the private types are the protocol's (src/upbit/wire.ts). */
export { MY_ASSET_SIMPLE_KEYS, MY_ASSET_UNIT_SIMPLE_KEYS, MY_ORDER_SIMPLE_KEYS } from '../upbit/wire.js';

const KST_OFFSET_MS = 9 * 3_600_000;

/** `2026-03-22T21:42:22+09:00`: Korean time, whole seconds, as Upbit's `created_at`. */
export function kstIso(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000 + KST_OFFSET_MS).toISOString().slice(0, 19)}+09:00`;
}

export interface TradeWire {
  market: string;
  uuid: string;
  price: string;
  volume: string;
  funds: string;
  trend: 'up' | 'down';
  created_at: string;
  side: Side;
}

/** An order as `POST /v1/orders`, `GET /v1/order` and the lists answer it. */
export interface OrderWire {
  uuid: string;
  side: Side;
  ord_type: string;
  /** Absent for market sells. */
  price?: string;
  state: OrderState;
  market: string;
  created_at: string;
  /** Absent for market buys (`ord_type: price`) and best bids. */
  volume?: string;
  remaining_volume?: string;
  prevented_volume: string;
  reserved_fee: string;
  remaining_fee: string;
  paid_fee: string;
  locked: string;
  prevented_locked: string;
  executed_volume: string;
  executed_funds?: string;
  trades_count: number;
  time_in_force?: TimeInForce;
  identifier?: string;
  smp_type?: SmpType;
  trades?: TradeWire[];
}

export interface OrderWireOptions {
  /** Add `trades[]` (`GET /v1/order`). */
  withTrades?: boolean;
  /** Add `executed_funds` (the order lists and `GET /v1/order`; absent from the observed POST answer). */
  withExecutedFunds?: boolean;
}

export function tradeToWire(f: Fill): TradeWire {
  return {
    market: f.market,
    uuid: f.uuid,
    price: plain(f.price),
    volume: plain(f.volume),
    funds: plain(f.funds),
    trend: f.trend,
    created_at: kstIso(f.createdAt),
    side: f.side,
  };
}

/**
 * Key order and presence follow the recorded limit-bid answer (test/fixtures/rest/v1/orders/POST-201.json); `identifier`,
 * `time_in_force` and `smp_type` appear only when set. The simulator never prevents a
 * self-trade (its orders meet the market, not each other), so the `prevented_*` fields are 0.
 */
export function orderToWire(o: Order, opts: OrderWireOptions = {}): OrderWire {
  return {
    uuid: o.uuid,
    side: o.side,
    ord_type: o.ordType,
    ...(o.price !== null ? { price: plain(o.price) } : {}),
    state: o.state,
    market: o.market,
    created_at: kstIso(o.createdAt),
    ...(o.volume !== null ? { volume: plain(o.volume), remaining_volume: plain(o.remainingVolume ?? o.volume) } : {}),
    prevented_volume: '0',
    reserved_fee: plain(o.reservedFee),
    remaining_fee: plain(o.remainingFee),
    paid_fee: plain(o.paidFee),
    locked: plain(o.locked),
    prevented_locked: '0',
    executed_volume: plain(o.executedVolume),
    ...(opts.withExecutedFunds === true ? { executed_funds: plain(o.executedFunds) } : {}),
    trades_count: o.tradesCount,
    ...(o.timeInForce !== null ? { time_in_force: o.timeInForce } : {}),
    ...(o.identifier !== null ? { identifier: o.identifier } : {}),
    ...(o.smpType !== null ? { smp_type: o.smpType } : {}),
    ...(opts.withTrades === true ? { trades: o.trades.map(tradeToWire) } : {}),
  };
}

/** `POST /v1/orders/cancel_and_new`: the old order plus the new one's uuid (and identifier). */
export function cancelAndNewToWire(prev: Order, next: Order): OrderWire & { new_order_uuid: string; new_order_identifier?: string } {
  const w: OrderWire & { new_order_uuid: string; new_order_identifier?: string } = { ...orderToWire(prev), new_order_uuid: next.uuid };
  if (next.identifier !== null) w.new_order_identifier = next.identifier;
  return w;
}

export interface BalanceWire {
  currency: string;
  balance: string;
  locked: string;
  avg_buy_price: string;
  avg_buy_price_modified: boolean;
  unit_currency: string;
}

export function balanceToWire(b: Balance): BalanceWire {
  return {
    currency: b.currency,
    balance: plain(b.balance),
    locked: plain(b.locked),
    avg_buy_price: plain(b.avgBuyPrice),
    avg_buy_price_modified: b.avgBuyPriceModified,
    unit_currency: b.unitCurrency,
  };
}

export interface ChanceWire {
  bid_fee: string;
  ask_fee: string;
  maker_bid_fee: string;
  maker_ask_fee: string;
  market: {
    id: string;
    name: string;
    order_types: string[];
    order_sides: string[];
    bid_types: string[];
    ask_types: string[];
    bid: { currency: string; min_total: string };
    ask: { currency: string; min_total: string };
    /** Absent where the market has no maximum. */
    max_total?: string;
    state: string;
  };
  bid_account: BalanceWire;
  ask_account: BalanceWire;
}

export function chanceToWire(c: Chance): ChanceWire {
  const m = c.market;
  return {
    bid_fee: plain(c.bidFee),
    ask_fee: plain(c.askFee),
    maker_bid_fee: plain(c.makerBidFee),
    maker_ask_fee: plain(c.makerAskFee),
    market: {
      id: m.id,
      name: m.name,
      order_types: [...m.orderTypes],
      order_sides: [...m.orderSides],
      bid_types: [...m.bidTypes],
      ask_types: [...m.askTypes],
      bid: { currency: m.bid.currency, min_total: plain(m.bid.minTotal) },
      ask: { currency: m.ask.currency, min_total: plain(m.ask.minTotal) },
      ...(m.maxTotal === null ? {} : { max_total: plain(m.maxTotal) }),
      state: m.state,
    },
    bid_account: balanceToWire(c.bidAccount),
    ask_account: balanceToWire(c.askAccount),
  };
}

// ---- private WebSocket (myOrder, myAsset) ----------------------------------------------------

/**
 * A `myOrder` message in DEFAULT format: the protocol's (src/upbit/wire.ts), with the fields the
 * simulator fills narrowed to its own types. (Mapped object types rather than interfaces, so
 * the messages pass as `Record<string, unknown>` to key-renaming code.)
 */
export type MyOrderWire = Omit<
  ProtocolMyOrderWire,
  'order_type' | 'state' | 'time_in_force' | 'smp_type' | 'prevented_volume' | 'prevented_locked'
> & {
  order_type: string;
  state: OrderState | 'trade';
  time_in_force: TimeInForce | null;
  smp_type: SmpType | null;
  prevented_volume: number;
  prevented_locked: number;
};

const num = (v: Decimal): number => v.toNumber();
const nullableNum = (v: Decimal | null): number | null => (v === null ? null : v.toNumber());

/** The `myOrder` message for an order event: a fill (`state: trade`) or the order's new state. */
export function myOrderMessage(e: Extract<ExchangeEvent, { type: 'order' }>): MyOrderWire {
  const { order: o, fill } = e;
  const lastTrade = fill ?? o.trades.at(-1) ?? null;
  return {
    type: 'myOrder',
    code: o.market,
    uuid: o.uuid,
    ask_bid: o.side === 'bid' ? 'BID' : 'ASK',
    order_type: o.ordType,
    state: fill !== null ? 'trade' : o.state,
    trade_uuid: fill?.uuid ?? null,
    price: fill !== null ? num(fill.price) : nullableNum(o.price),
    avg_price: o.executedVolume.isZero() ? 0 : num(o.executedFunds.div(o.executedVolume)),
    volume: fill !== null ? num(fill.volume) : nullableNum(o.volume),
    remaining_volume: nullableNum(o.remainingVolume),
    executed_volume: num(o.executedVolume),
    trades_count: o.tradesCount,
    reserved_fee: num(o.reservedFee),
    remaining_fee: num(o.remainingFee),
    paid_fee: num(o.paidFee),
    locked: num(o.locked),
    executed_funds: num(o.executedFunds),
    time_in_force: o.timeInForce,
    trade_fee: fill !== null ? num(fill.fee) : null,
    is_maker: fill !== null ? fill.isMaker : null,
    identifier: o.identifier,
    smp_type: o.smpType,
    prevented_volume: 0,
    prevented_locked: 0,
    trade_timestamp: lastTrade?.createdAt ?? null,
    order_timestamp: o.createdAt,
    timestamp: e.at,
    stream_type: 'REALTIME',
  };
}

export type MyAssetUnitWire = Pick<ProtocolMyAssetUnitWire, keyof ProtocolMyAssetUnitWire>;

/** A `myAsset` message in DEFAULT format (the protocol's, src/upbit/wire.ts). */
export type MyAssetWire = Omit<ProtocolMyAssetWire, 'assets'> & { assets: MyAssetUnitWire[] };

/**
 * The `myAsset` message for a balance change: the currencies that changed (UNCERTAIN whether
 * Upbit sends all of them; ccxt merges per currency either way). `assetUuid` identifies the
 * message. @default a random UUID
 */
export function myAssetMessage(e: Extract<ExchangeEvent, { type: 'asset' }>, assetUuid: string = randomUUID()): MyAssetWire {
  return {
    type: 'myAsset',
    asset_uuid: assetUuid,
    assets: e.balances.map((b) => ({ currency: b.currency, balance: num(b.balance), locked: num(b.locked) })),
    asset_timestamp: e.at,
    timestamp: e.at,
    stream_type: 'REALTIME',
  };
}

/** `myAsset` with SIMPLE keys, the nested `assets[]` included (a one-level key table cannot do it). */
export function myAssetToSimple(m: MyAssetWire): Record<string, unknown> {
  return {
    [MY_ASSET_SIMPLE_KEYS.type]: m.type,
    [MY_ASSET_SIMPLE_KEYS.asset_uuid]: m.asset_uuid,
    [MY_ASSET_SIMPLE_KEYS.assets]: m.assets.map((a) => ({
      [MY_ASSET_UNIT_SIMPLE_KEYS.currency]: a.currency,
      [MY_ASSET_UNIT_SIMPLE_KEYS.balance]: a.balance,
      [MY_ASSET_UNIT_SIMPLE_KEYS.locked]: a.locked,
    })),
    [MY_ASSET_SIMPLE_KEYS.asset_timestamp]: m.asset_timestamp,
    [MY_ASSET_SIMPLE_KEYS.timestamp]: m.timestamp,
    [MY_ASSET_SIMPLE_KEYS.stream_type]: m.stream_type,
  };
}
