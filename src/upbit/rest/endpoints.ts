/**
 * Every REST endpoint the client calls, with what the rest of the client must know before
 * the first response: its `Remaining-Req` group (docs/upbit-protocol.md#rate-limit-groups), whether it is
 * signed, and what it changes (which decides retries and error wording).
 */
import type { RequestEffect } from './errors.js';
import type { RateGroup } from './rate-limiter.js';
import type { HttpMethod } from './transport.js';
import type { CandleUnit } from './types.js';

export interface Endpoint {
  method: HttpMethod;
  path: string;
  group: RateGroup;
  /** Exchange endpoints are signed and name errors with strings; quotation ones are neither. */
  exchange: boolean;
  effect: RequestEffect;
}

const quotation = (path: string, group: RateGroup): Endpoint => ({ method: 'GET', path, group, exchange: false, effect: 'none' });
const exchange = (method: HttpMethod, path: string, group: RateGroup, effect: RequestEffect): Endpoint => ({ method, path, group, exchange: true, effect });

export const ENDPOINTS = {
  marketAll: quotation('/v1/market/all', 'market'),
  ticker: quotation('/v1/ticker', 'ticker'),
  orderbook: quotation('/v1/orderbook', 'orderbook'),
  instruments: quotation('/v1/orderbook/instruments', 'orderbook'),

  accounts: exchange('GET', '/v1/accounts', 'default', 'none'),
  chance: exchange('GET', '/v1/orders/chance', 'default', 'none'),
  getOrder: exchange('GET', '/v1/order', 'default', 'none'),
  openOrders: exchange('GET', '/v1/orders/open', 'default', 'none'),
  closedOrders: exchange('GET', '/v1/orders/closed', 'default', 'none'),
  ordersByIds: exchange('GET', '/v1/orders/uuids', 'default', 'none'),

  cancelOrder: exchange('DELETE', '/v1/order', 'default', 'cancel'),
  cancelByIds: exchange('DELETE', '/v1/orders/uuids', 'default', 'cancel'),
  cancelOpen: exchange('DELETE', '/v1/orders/open', 'order-cancel-all', 'cancel'),

  placeOrder: exchange('POST', '/v1/orders', 'order', 'order'),
  cancelAndNew: exchange('POST', '/v1/orders/cancel_and_new', 'order', 'order'),
  // Validated like an order, creates nothing (docs/upbit-protocol.md#exchange-endpoints).
  testOrder: exchange('POST', '/v1/orders/test', 'order-test', 'none'),
} as const satisfies Record<string, Endpoint>;

/** `GET /v1/candles/minutes/{unit}` or `GET /v1/candles/days` (group `candles`). */
export function candleEndpoint(unit: CandleUnit): Endpoint {
  return quotation(unit === 'days' ? '/v1/candles/days' : `/v1/candles/minutes/${unit}`, 'candles');
}

/** `GET /v1/orders/open`, for messages and logs: the path without its query. */
export function endpointName(endpoint: Endpoint): string {
  return `${endpoint.method} ${endpoint.path}`;
}
