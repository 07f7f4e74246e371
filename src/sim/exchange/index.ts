/**
 * The simulated exchange (issue 3, point 4): Upbit's order rules and a matching engine over a
 * `MarketView`. No server, socket or HTTP code here: the simulator's REST and private-stream
 * layers and paper trading (src/trading) all drive this same engine.
 */
export type { ExchangeOptions, ExchangeSnapshot, OrderLookup } from './engine.js';
export { Exchange, StateNotSavedError } from './engine.js';
export type { OpenOrderSelection } from './queries.js';
export { DEFAULT_CANCEL_COUNT, DEFAULT_LIST_LIMIT } from './queries.js';
export { BOOK_DEPTH, DEFAULT_FEE_RATE } from './rules.js';
export type { AccountSnapshot, FillSnapshot, HoldingSnapshot, OrderSnapshot } from './snapshot.js';
export { SNAPSHOT_FORMAT, SNAPSHOT_VERSION } from './snapshot.js';
export type * from './types.js';
export { ExchangeError } from './types.js';
export type {
  BalanceWire,
  ChanceWire,
  MyAssetUnitWire,
  MyAssetWire,
  MyOrderWire,
  OrderWire,
  OrderWireOptions,
  TradeWire,
} from './wire.js';
export {
  MY_ASSET_UNIT_SIMPLE_KEYS,
  MY_ASSET_SIMPLE_KEYS,
  MY_ORDER_SIMPLE_KEYS,
  balanceToWire,
  cancelAndNewToWire,
  chanceToWire,
  kstIso,
  myAssetMessage,
  myAssetToSimple,
  myOrderMessage,
  orderToWire,
  tradeToWire,
} from './wire.js';
