/** The trading session core (issue 8 §3): `createTradingSession(parts)`, its stores and selectors. */
export { createTradingSession } from './session.js';
export type { BuiltSession, TradingSession, TradingSessionParts } from './session.js';
export { AccountStore, selectBalance, selectKrw, selectTotalValue } from './account-store.js';
export type { AccountBalance, AccountSnapshot, PriceLookup, TotalValue } from './account-store.js';
export { OrdersStore, selectFills, selectMyOpenOrders, selectOpenOrders } from './orders-store.js';
export type { AttemptView, OpenOrder, OrderFill, OrdersSnapshot } from './orders-store.js';
export { MarketRules } from './market-rules.js';
export { preTradeCheck } from './pre-trade.js';
export type { PreTradeCheck, QuoteSource } from './pre-trade.js';
export { DEFAULT_PUBLISH_HZ, Publisher } from './publisher.js';
export type { ExternalStore } from './publisher.js';
export { lastPrices, quotesFromMarketStore } from './quotes.js';
