/**
 * Upbit's exchange as pure logic: order validation by Upbit's rules, a matching engine over a
 * `MarketView`, accounts and order lifecycle, the state snapshot, and the renderings of its
 * records in Upbit's REST and WebSocket shapes. No server, socket or HTTP code here: the
 * simulator (src/sim) serves this engine, paper trading (src/trading/paper) trades on it, and
 * the UI may use its book walk for an estimate, none of them through another.
 */
export type { ExchangeOptions, ExchangeSnapshot, OrderLookup } from './engine.js';
export { Exchange, StateNotSavedError } from './engine.js';
export type { OpenOrderSelection } from './queries.js';
export { DEFAULT_CANCEL_COUNT, DEFAULT_LIST_LIMIT } from './queries.js';
export type { MarketRules } from './rules.js';
export { BOOK_DEPTH, DEFAULT_FEE_RATE, marketRules } from './rules.js';
export type { FundsWalk, Take } from './matching.js';
export { takeFunds, takeVolume } from './matching.js';
export type { BookSides, BookUnit, EstimateOptions, FillAmount, FillEstimate } from './estimate.js';
export { bookSides, crossesBook, estimateFill } from './estimate.js';
export type { ValidOrder, ValidationContext } from './validate.js';
export { validateOrder } from './validate.js';
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
