/**
 * Wire shapes exactly as Upbit names them (docs/upbit-protocol.md#websocket-messages), and the DEFAULT → SIMPLE
 * key tables. The simulator encodes with these tables and the client decodes with them, so
 * the two cannot drift apart.
 */

import type { MarketCode, MyOrderState } from './types.js';
import type { OrdType, TimeInForce } from './order-types.js';

/** A `ticker` message in DEFAULT format (docs/upbit-protocol.md#ticker). */
export interface TickerWire {
  type: 'ticker';
  code: string;
  opening_price: number;
  high_price: number;
  low_price: number;
  trade_price: number;
  prev_closing_price: number;
  change: 'RISE' | 'EVEN' | 'FALL';
  change_price: number;
  signed_change_price: number;
  change_rate: number;
  signed_change_rate: number;
  trade_volume: number;
  acc_trade_volume: number;
  acc_trade_volume_24h: number;
  acc_trade_price: number;
  acc_trade_price_24h: number;
  trade_date: string;
  trade_time: string;
  trade_timestamp: number;
  ask_bid: 'ASK' | 'BID';
  acc_ask_volume: number;
  acc_bid_volume: number;
  highest_52_week_price: number;
  highest_52_week_date: string;
  lowest_52_week_price: number;
  lowest_52_week_date: string;
  market_state: 'PREVIEW' | 'ACTIVE' | 'DELISTED';
  is_trading_suspended: boolean;
  delisting_date: string | null;
  market_warning: 'NONE' | 'CAUTION';
  timestamp: number;
  stream_type: 'SNAPSHOT' | 'REALTIME';
}

/** DEFAULT → SIMPLE keys for `ticker` (docs/upbit-protocol.md#ticker). */
export const TICKER_SIMPLE_KEYS = {
  type: 'ty',
  code: 'cd',
  opening_price: 'op',
  high_price: 'hp',
  low_price: 'lp',
  trade_price: 'tp',
  prev_closing_price: 'pcp',
  change: 'c',
  change_price: 'cp',
  signed_change_price: 'scp',
  change_rate: 'cr',
  signed_change_rate: 'scr',
  trade_volume: 'tv',
  acc_trade_volume: 'atv',
  acc_trade_volume_24h: 'atv24h',
  acc_trade_price: 'atp',
  acc_trade_price_24h: 'atp24h',
  trade_date: 'tdt',
  trade_time: 'ttm',
  trade_timestamp: 'ttms',
  ask_bid: 'ab',
  acc_ask_volume: 'aav',
  acc_bid_volume: 'abv',
  highest_52_week_price: 'h52wp',
  highest_52_week_date: 'h52wdt',
  lowest_52_week_price: 'l52wp',
  lowest_52_week_date: 'l52wdt',
  market_state: 'ms',
  is_trading_suspended: 'its',
  delisting_date: 'dd',
  market_warning: 'mw',
  timestamp: 'tms',
  stream_type: 'st',
} as const satisfies Record<keyof TickerWire, string>;

/** A `trade` message in DEFAULT format (docs/upbit-protocol.md#trade). */
export interface TradeWire {
  type: 'trade';
  code: string;
  trade_price: number;
  trade_volume: number;
  ask_bid: 'ASK' | 'BID';
  prev_closing_price: number;
  change: 'RISE' | 'EVEN' | 'FALL';
  /** Absolute change against the previous close (the REST `trades/ticks` one is signed). */
  change_price: number;
  /** `yyyy-MM-dd` (UTC) — not the ticker's `yyyyMMdd`. */
  trade_date: string;
  /** `HH:mm:ss` (UTC). */
  trade_time: string;
  trade_timestamp: number;
  timestamp: number;
  sequential_id: number;
  best_ask_price: number;
  best_ask_size: number;
  best_bid_price: number;
  best_bid_size: number;
  stream_type: 'SNAPSHOT' | 'REALTIME';
}

/** DEFAULT → SIMPLE keys for `trade` (docs/upbit-protocol.md#trade). */
export const TRADE_SIMPLE_KEYS = {
  type: 'ty',
  code: 'cd',
  trade_price: 'tp',
  trade_volume: 'tv',
  ask_bid: 'ab',
  prev_closing_price: 'pcp',
  change: 'c',
  change_price: 'cp',
  trade_date: 'td',
  trade_time: 'ttm',
  trade_timestamp: 'ttms',
  timestamp: 'tms',
  sequential_id: 'sid',
  best_ask_price: 'bap',
  best_ask_size: 'bas',
  best_bid_price: 'bbp',
  best_bid_size: 'bbs',
  stream_type: 'st',
} as const satisfies Record<keyof TradeWire, string>;

/** One level of an `orderbook` message: the i-th ask beside the i-th bid (docs/upbit-protocol.md#orderbook). */
export interface OrderbookUnitWire {
  ask_price: number;
  bid_price: number;
  ask_size: number;
  bid_size: number;
}

/** An `orderbook` message in DEFAULT format (docs/upbit-protocol.md#orderbook): always a full top-N, never a delta. */
export interface OrderbookWire {
  type: 'orderbook';
  /** The market code, without the `.N` unit suffix of the request. */
  code: string;
  /** Sum of the ask sizes in this message. */
  total_ask_size: number;
  total_bid_size: number;
  /** Best first. */
  orderbook_units: OrderbookUnitWire[];
  timestamp: number;
  /** Aggregation level (price bucket); 0 is the native tick. */
  level: number;
  stream_type: 'SNAPSHOT' | 'REALTIME';
}

/** DEFAULT → SIMPLE keys for `orderbook` (docs/upbit-protocol.md#orderbook); the units use {@link ORDERBOOK_UNIT_SIMPLE_KEYS}. */
export const ORDERBOOK_SIMPLE_KEYS = {
  type: 'ty',
  code: 'cd',
  total_ask_size: 'tas',
  total_bid_size: 'tbs',
  orderbook_units: 'obu',
  timestamp: 'tms',
  level: 'lv',
  stream_type: 'st',
} as const satisfies Record<keyof OrderbookWire, string>;

/** DEFAULT → SIMPLE keys inside `orderbook_units` (`obu`). */
export const ORDERBOOK_UNIT_SIMPLE_KEYS = {
  ask_price: 'ap',
  bid_price: 'bp',
  ask_size: 'as',
  bid_size: 'bs',
} as const satisfies Record<keyof OrderbookUnitWire, string>;

/** A `candle.*` message in DEFAULT format (https://docs.upbit.com/kr/reference/websocket-candle). */
export interface CandleWire {
  /** `candle.1s`, `candle.1m`, … `candle.240m`. */
  type: string;
  code: string;
  /** Candle start, `yyyy-MM-ddTHH:mm:ss` (UTC). */
  candle_date_time_utc: string;
  candle_date_time_kst: string;
  opening_price: number;
  high_price: number;
  low_price: number;
  /** The close (last trade so far). */
  trade_price: number;
  candle_acc_trade_volume: number;
  candle_acc_trade_price: number;
  timestamp: number;
  stream_type: 'SNAPSHOT' | 'REALTIME';
}

/** DEFAULT → SIMPLE keys for `candle.*`. */
export const CANDLE_SIMPLE_KEYS = {
  type: 'ty',
  code: 'cd',
  candle_date_time_utc: 'cdttmu',
  candle_date_time_kst: 'cdttmk',
  opening_price: 'op',
  high_price: 'hp',
  low_price: 'lp',
  trade_price: 'tp',
  candle_acc_trade_volume: 'catv',
  candle_acc_trade_price: 'catp',
  timestamp: 'tms',
  stream_type: 'st',
} as const satisfies Record<keyof CandleWire, string>;

/** Request element for one data type (docs/upbit-protocol.md#websocket-requests). */
export interface TypeRequestWire {
  type: string;
  codes?: string[];
  is_only_snapshot?: boolean;
  is_only_realtime?: boolean;
  level?: number;
}

export type WireFormat = 'DEFAULT' | 'SIMPLE' | 'JSON_LIST' | 'SIMPLE_LIST';

/** Rename an object's keys through a DEFAULT → SIMPLE table; unknown keys pass through. */
export function toSimpleKeys(obj: Record<string, unknown>, table: Readonly<Record<string, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[table[k] ?? k] = v;
  return out;
}

/** A `myOrder` message in DEFAULT format (docs/upbit-protocol.md#myorder), as Upbit names it. */
export interface MyOrderWire {
  type: 'myOrder';
  code: MarketCode;
  uuid: string;
  ask_bid: 'ASK' | 'BID';
  order_type: OrdType;
  state: MyOrderState;
  trade_uuid: string | null;
  /** Order price, or the fill price when `state` is `trade`. */
  price: number | null;
  avg_price: number;
  /** Order volume, or the fill volume when `state` is `trade`. */
  volume: number | null;
  remaining_volume: number | null;
  executed_volume: number;
  trades_count: number;
  reserved_fee: number;
  remaining_fee: number;
  paid_fee: number;
  locked: number;
  executed_funds: number;
  time_in_force: TimeInForce | null;
  trade_fee: number | null;
  is_maker: boolean | null;
  identifier: string | null;
  smp_type: 'reduce' | 'cancel_maker' | 'cancel_taker' | null;
  prevented_volume: number | null;
  prevented_locked: number | null;
  trade_timestamp: number | null;
  order_timestamp: number;
  timestamp: number;
  stream_type: 'REALTIME';
}

/** DEFAULT → SIMPLE keys for `myOrder` (docs/upbit-protocol.md#myorder). */
export const MY_ORDER_SIMPLE_KEYS = {
  type: 'ty',
  code: 'cd',
  uuid: 'uid',
  ask_bid: 'ab',
  order_type: 'ot',
  state: 's',
  trade_uuid: 'tuid',
  price: 'p',
  avg_price: 'ap',
  volume: 'v',
  remaining_volume: 'rv',
  executed_volume: 'ev',
  trades_count: 'tc',
  reserved_fee: 'rsf',
  remaining_fee: 'rmf',
  paid_fee: 'pf',
  locked: 'l',
  executed_funds: 'ef',
  time_in_force: 'tif',
  trade_fee: 'tf',
  is_maker: 'im',
  identifier: 'id',
  smp_type: 'smpt',
  prevented_volume: 'pv',
  prevented_locked: 'pl',
  trade_timestamp: 'ttms',
  order_timestamp: 'otms',
  timestamp: 'tms',
  stream_type: 'st',
} as const satisfies Record<keyof MyOrderWire, string>;

export interface MyAssetUnitWire {
  currency: string;
  balance: number;
  locked: number;
}

/** A `myAsset` message in DEFAULT format (docs/upbit-protocol.md#myasset). */
export interface MyAssetWire {
  type: 'myAsset';
  asset_uuid: string;
  assets: MyAssetUnitWire[];
  asset_timestamp: number;
  timestamp: number;
  stream_type: 'REALTIME';
}

/** DEFAULT → SIMPLE keys for `myAsset` (docs/upbit-protocol.md#myasset); the entries of `ast` use {@link MY_ASSET_UNIT_SIMPLE_KEYS}. */
export const MY_ASSET_SIMPLE_KEYS = {
  type: 'ty',
  asset_uuid: 'astuid',
  assets: 'ast',
  asset_timestamp: 'asttms',
  timestamp: 'tms',
  stream_type: 'st',
} as const satisfies Record<keyof MyAssetWire, string>;

/** DEFAULT → SIMPLE keys inside `assets` (`ast`). */
export const MY_ASSET_UNIT_SIMPLE_KEYS = {
  currency: 'cu',
  balance: 'b',
  locked: 'l',
} as const satisfies Record<keyof MyAssetUnitWire, string>;
