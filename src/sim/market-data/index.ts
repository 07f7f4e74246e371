import type { Logger } from '../../runtime/logger.js';
import { ORDERBOOK_SIMPLE_KEYS, ORDERBOOK_UNIT_SIMPLE_KEYS, TRADE_SIMPLE_KEYS } from '../../upbit/wire.js';
import type { SimEngine } from '../engine.js';
import type { HttpRouter } from '../http-router.js';
import { Dec } from '../price-grid.js';
import type { DataTypeSource, QuotationHub, Subscription } from '../quotation-ws.js';
import type { SimMarketData } from './market-data.js';
import { createMarketData } from './market-data.js';
import type { BookSides } from './order-book.js';
import { registerQuotationRoutes } from './rest-quotation.js';
import { orderbookWire, resolveLevel, tradeWire } from './wire-build.js';
import { CANDLE_TYPES, candleSource } from './ws-candles.js';

export type { SimMarketData } from './market-data.js';
export { createMarketData } from './market-data.js';
export type { BookSides, Level } from './order-book.js';
export { createSimMarketView } from './order-book.js';
export { registerQuotationRoutes } from './rest-quotation.js';

/**
 * Realtime orderbook messages per subscription at most every this many ms (≈10/s), sent
 * with the latest book when the window ends — about what Upbit streams for a busy market.
 */
export const ORDERBOOK_MIN_INTERVAL_MS = 100;

export interface AttachMarketDataOptions {
  engine: SimEngine;
  hub: QuotationHub;
  router: HttpRouter;
  /** The engine's market clock. @default Date.now */
  now?: () => number;
  logger?: Logger;
}

/**
 * Give the simulator its order books, trade tape and candles: create them from the engine,
 * stream `trade`, `orderbook` and `candle.*` on the quotation hub beside `ticker`, and serve the
 * quotation REST endpoints on `router`. Everything is released when the hub closes. Pass
 * the result to {@link createSimMarketView} for the matching engine.
 */
export function attachMarketData(options: AttachMarketDataOptions): SimMarketData {
  const { hub } = options;
  const data = createMarketData({ engine: options.engine, now: options.now, logger: options.logger });
  const releases = [
    hub.addSource('trade', tradeSource(data)),
    hub.addSource('orderbook', orderbookSource(data)),
    data.onTrade((trade) => hub.publish('trade', trade.code, () => tradeWire(trade, data.now(), 'REALTIME'))),
    // The book as the change left it: during a catch-up burst, not one reshuffled ahead to "now".
    data.onBookChange((code) =>
      hub.publish('orderbook', code, (sub) => {
        const sides = data.peekBook(code);
        return sides === undefined ? undefined : orderbookMessage(data, sub, sides, 'REALTIME');
      }),
    ),
    ...CANDLE_TYPES.map((type) => hub.addSource(type, candleSource(data, type))),
    data.onTrade((trade) => {
      for (const type of CANDLE_TYPES) hub.publish(type, trade.code);
    }),
    registerQuotationRoutes(options.router, { data }),
  ];
  hub.onClose(() => {
    for (const release of releases.reverse()) release();
    data.close();
  });
  return data;
}

function tradeSource(data: SimMarketData): DataTypeSource {
  return {
    simpleKeys: TRADE_SIMPLE_KEYS,
    build(sub, streamType) {
      const trade = data.lastTrade(sub.market);
      return trade === undefined ? undefined : tradeWire(trade, data.now(), streamType);
    },
  };
}

function orderbookSource(data: SimMarketData): DataTypeSource {
  return {
    simpleKeys: ORDERBOOK_SIMPLE_KEYS,
    nestedSimpleKeys: { orderbook_units: ORDERBOOK_UNIT_SIMPLE_KEYS },
    minIntervalMs: ORDERBOOK_MIN_INTERVAL_MS,
    variant: (sub) => `${sub.units ?? ''}/${sub.level ?? 0}`,
    build(sub, streamType) {
      const sides = data.book(sub.market);
      return sides === undefined ? undefined : orderbookMessage(data, sub, sides, streamType);
    },
  };
}

/**
 * The orderbook message for a subscription, or undefined for a `level` the market does not
 * support: Upbit documents that such a subscription "may not receive data", so it gets none.
 */
function orderbookMessage(data: SimMarketData, sub: Subscription, sides: BookSides, streamType: 'SNAPSHOT' | 'REALTIME'): object | undefined {
  const supported = data.supportedLevels(sub.market);
  if (supported === undefined) return undefined;
  const resolved = resolveLevel(new Dec(sub.level ?? 0), supported);
  if (resolved === undefined) return undefined;
  return orderbookWire(sub.market, sides, sub.units ?? 30, resolved.level, data.now(), streamType);
}
