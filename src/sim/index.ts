export type { MarketSpec, SimMarket } from './catalog.js';
export { SIM_CATALOG, simMarketInfo } from './catalog.js';
export { simBanner } from './describe.js';
export type { SimEngine, SimEngineOptions, SimTrade, TradeListener } from './engine.js';
export { createSimEngine } from './engine.js';
export type { SimFaults } from './faults.js';
export type { SimOptions, SimServer } from './server.js';
export type { QuotationConnectionInfo } from './quotation-ws.js';
export { startSimServer } from './server.js';
