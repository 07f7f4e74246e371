/**
 * Upbit's REST API (docs/upbit-protocol.md#rest-requests): quotation (public) and exchange (signed)
 * endpoints, answers parsed into domain types, rate limits paced from `Remaining-Req`,
 * bounded retries for reads and cancels, and never a retried order.
 *
 * ```ts
 * const client = new UpbitRestClient({ baseUrl, keys });
 * try { await client.accounts(); } finally { await client.close(); }
 * ```
 */
import type { Decimal } from 'decimal.js';

import { sleep as defaultSleep } from '../../runtime/backoff.js';
import { silentLogger, type Logger } from '../../runtime/logger.js';
import type { ApiKeys } from '../credentials.js';
import type { JwtAlgorithm, ParamEntry } from './auth.js';
import { DEFAULT_RETRY, RestCaller, type CallOptions, type RetryPolicy } from './caller.js';
import { ENDPOINTS, candleEndpoint } from './endpoints.js';
import { BugError } from './errors.js';
import {
  parseBalance,
  parseBatchCancel,
  parseCandle,
  parseCancelAndNew,
  parseChance,
  parseInstrument,
  parseList,
  parseMarketListing,
  parseOrder,
  parseOrderbook,
  parseOrderWithTrades,
  parseTicker,
} from './parse.js';
import { RateLimiter } from './rate-limiter.js';
import { HttpTransport, type TransportOptions } from './transport.js';
import type {
  Balance,
  BatchCancelResult,
  CancelAndNewRequest,
  CancelAndNewResult,
  CancelOpenQuery,
  Candle,
  CandleUnit,
  ClosedOrdersQuery,
  Instrument,
  MarketCode,
  MarketListing,
  OpenOrdersQuery,
  Order,
  OrderbookSnapshot,
  OrderBy,
  OrderChance,
  OrderIds,
  OrderRef,
  OrderRequest,
  OrderWithTrades,
  TickerSnapshot,
} from './types.js';

export const DEFAULT_API_URL = 'https://api.upbit.com';

export interface UpbitRestClientOptions extends TransportOptions {
  /** REST base, from `--api-url`. @default 'https://api.upbit.com' */
  baseUrl?: string;
  /** API keys for exchange endpoints; without them those calls throw a `CredentialsError` before sending. */
  keys?: ApiKeys;
  /** JWT signature. Upbit accepts both; its current examples use HS512. @default 'HS512' */
  jwtAlgorithm?: JwtAlgorithm;
  /** Bounded retries of GET and DELETE. @default { attempts: 3, baseMs: 200, capMs: 2000 } */
  retry?: Partial<RetryPolicy>;
  /** Share one limiter between clients that share an IP and an account. @default a new RateLimiter */
  rateLimiter?: RateLimiter;
  /** Retries, 429s and 418s are reported here. @default silentLogger */
  logger?: Logger;
  /** Jitter source in [0, 1). @default Math.random */
  random?: () => number;
  /** Wall clock, ms since epoch. @default Date.now */
  now?: () => number;
  /** @default runtime `sleep` */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * URLs longer than ~8,000 characters are refused once commas are percent-encoded (ccxt's
 * experience, docs/upbit-protocol.md#other-clients), so market lists are sent in chunks of at most this many characters.
 */
const MAX_MARKETS_CHARS = 4_000;

export class UpbitRestClient {
  readonly baseUrl: string;
  readonly limiter: RateLimiter;
  private readonly transport: HttpTransport;
  private readonly caller: RestCaller;

  constructor(options: UpbitRestClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? DEFAULT_API_URL;
    this.transport = new HttpTransport(this.baseUrl, options);
    const now = options.now ?? Date.now;
    this.limiter = options.rateLimiter ?? new RateLimiter({ now });
    this.caller = new RestCaller({
      transport: this.transport,
      limiter: this.limiter,
      keys: options.keys,
      jwtAlgorithm: options.jwtAlgorithm ?? 'HS512',
      retry: { ...DEFAULT_RETRY, ...options.retry },
      logger: (options.logger ?? silentLogger).child({ component: 'upbit-rest' }),
      random: options.random ?? Math.random,
      now,
      sleep: options.sleep ?? defaultSleep,
    });
  }

  /** Whether exchange (signed) calls can be made. */
  get hasKeys(): boolean {
    return this.caller.hasKeys;
  }

  /** Release the connection pool. In-flight calls finish first. */
  close(): Promise<void> {
    return this.transport.close();
  }

  // --- quotation --------------------------------------------------------------------

  /** `GET /v1/market/all`; `details` adds the warning/caution flags. */
  async marketAll(options: CallOptions & { details?: boolean } = {}): Promise<MarketListing[]> {
    return this.caller.call({
      endpoint: ENDPOINTS.marketAll,
      input: { query: options.details === true ? [['is_details', 'true']] : [] },
      parse: (v) => parseList(v, 'markets', parseMarketListing),
      options,
    });
  }

  /** `GET /v1/ticker` for the given markets (chunked when the list is long). */
  async tickers(markets: readonly MarketCode[], options: CallOptions = {}): Promise<TickerSnapshot[]> {
    return this.perMarketChunk(markets, (chunk) =>
      this.caller.call({ endpoint: ENDPOINTS.ticker, input: { query: [['markets', chunk]] }, parse: (v) => parseList(v, 'tickers', parseTicker), options }),
    );
  }

  /** `GET /v1/orderbook`; `count` levels per side (≤ 30, Upbit's default 30). */
  async orderbook(markets: readonly MarketCode[], count?: number, options: CallOptions = {}): Promise<OrderbookSnapshot[]> {
    if (count !== undefined) checkInt(count, 'orderbook count', 1, 30);
    return this.perMarketChunk(markets, (chunk) => {
      const query: ParamEntry[] = [['markets', chunk]];
      if (count !== undefined) query.push(['count', String(count)]);
      return this.caller.call({ endpoint: ENDPOINTS.orderbook, input: { query }, parse: (v) => parseList(v, 'orderbooks', parseOrderbook), options });
    });
  }

  /** The newest `count` (≤ 200) candles of `market` in `unit`, newest first (Upbit's order). */
  async candles(market: MarketCode, unit: CandleUnit, count = 200, options: CallOptions = {}): Promise<Candle[]> {
    checkInt(count, 'candle count', 1, 200);
    return this.caller.call({
      endpoint: candleEndpoint(unit),
      input: { query: [['market', market], ['count', String(count)]] },
      parse: (v) => parseList(v, 'candles', parseCandle),
      options,
    });
  }

  /** `GET /v1/orderbook/instruments`: the tick size per market. */
  async instruments(markets: readonly MarketCode[], options: CallOptions = {}): Promise<Instrument[]> {
    return this.perMarketChunk(markets, (chunk) =>
      this.caller.call({ endpoint: ENDPOINTS.instruments, input: { query: [['markets', chunk]] }, parse: (v) => parseList(v, 'instruments', parseInstrument), options }),
    );
  }

  // --- exchange: reads --------------------------------------------------------------

  /** `GET /v1/accounts`: every currency's available and locked balance. */
  async accounts(options: CallOptions = {}): Promise<Balance[]> {
    return this.caller.call({ endpoint: ENDPOINTS.accounts, input: { query: [] }, parse: (v) => parseList(v, 'accounts', parseBalance), options });
  }

  /** `GET /v1/orders/chance`: fees, minimums and balances for one market. */
  async chance(market: MarketCode, options: CallOptions = {}): Promise<OrderChance> {
    return this.caller.call({ endpoint: ENDPOINTS.chance, input: { query: [['market', market]] }, parse: (v) => parseChance(v), options });
  }

  /** `GET /v1/order` by uuid or identifier, with its fills. An unknown order throws `OrderNotFoundError`. */
  async getOrder(ref: OrderRef, options: CallOptions = {}): Promise<OrderWithTrades> {
    return this.caller.call({ endpoint: ENDPOINTS.getOrder, input: { query: refQuery(ref) }, parse: (v) => parseOrderWithTrades(v), options });
  }

  /** `GET /v1/orders/open`. */
  async openOrders(query: OpenOrdersQuery = {}, options: CallOptions = {}): Promise<Order[]> {
    const q: ParamEntry[] = [];
    if (query.market !== undefined) q.push(['market', query.market]);
    for (const state of query.states ?? []) q.push(['states[]', state]);
    if (query.page !== undefined) q.push(['page', String(checkInt(query.page, 'page', 1, Number.MAX_SAFE_INTEGER))]);
    if (query.limit !== undefined) q.push(['limit', String(checkInt(query.limit, 'limit', 1, 100))]);
    if (query.orderBy !== undefined) q.push(['order_by', query.orderBy]);
    return this.caller.call({ endpoint: ENDPOINTS.openOrders, input: { query: q }, parse: (v) => parseList(v, 'orders', parseOrder), options });
  }

  /** `GET /v1/orders/closed` (a window of at most 7 days; the last 7 days by default). */
  async closedOrders(query: ClosedOrdersQuery = {}, options: CallOptions = {}): Promise<Order[]> {
    const q: ParamEntry[] = [];
    if (query.market !== undefined) q.push(['market', query.market]);
    for (const state of query.states ?? []) q.push(['states[]', state]);
    if (query.startTime !== undefined) q.push(['start_time', String(checkInt(query.startTime, 'startTime', 0, Number.MAX_SAFE_INTEGER))]);
    if (query.endTime !== undefined) q.push(['end_time', String(checkInt(query.endTime, 'endTime', 0, Number.MAX_SAFE_INTEGER))]);
    if (query.limit !== undefined) q.push(['limit', String(checkInt(query.limit, 'limit', 1, 1_000))]);
    if (query.orderBy !== undefined) q.push(['order_by', query.orderBy]);
    return this.caller.call({ endpoint: ENDPOINTS.closedOrders, input: { query: q }, parse: (v) => parseList(v, 'orders', parseOrder), options });
  }

  /** `GET /v1/orders/uuids`: up to 100 orders by uuid or by identifier. */
  async ordersByIds(ids: OrderIds, query: { market?: MarketCode; orderBy?: OrderBy } = {}, options: CallOptions = {}): Promise<Order[]> {
    const q: ParamEntry[] = [];
    if (query.market !== undefined) q.push(['market', query.market]);
    q.push(...idsQuery(ids, 100));
    if (query.orderBy !== undefined) q.push(['order_by', query.orderBy]);
    return this.caller.call({ endpoint: ENDPOINTS.ordersByIds, input: { query: q }, parse: (v) => parseList(v, 'orders', parseOrder), options });
  }

  // --- exchange: cancels (retried: cancelling twice does no harm) -----------------------

  /** `DELETE /v1/order`: the order as Upbit found it (usually still `wait`; the cancel completes just after). */
  async cancelOrder(ref: OrderRef, options: CallOptions = {}): Promise<Order> {
    return this.caller.call({ endpoint: ENDPOINTS.cancelOrder, input: { query: refQuery(ref) }, parse: (v) => parseOrder(v), options });
  }

  /** `DELETE /v1/orders/uuids`: cancel up to 20 orders by uuid or identifier. */
  async cancelByIds(ids: OrderIds, options: CallOptions = {}): Promise<BatchCancelResult> {
    return this.caller.call({ endpoint: ENDPOINTS.cancelByIds, input: { query: idsQuery(ids, 20) }, parse: (v) => parseBatchCancel(v), options });
  }

  /** `DELETE /v1/orders/open`: cancel open orders in bulk (1 call per 2 s). */
  async cancelOpen(query: CancelOpenQuery = {}, options: CallOptions = {}): Promise<BatchCancelResult> {
    const q: ParamEntry[] = [];
    if (query.quoteCurrencies !== undefined) q.push(['quote_currencies', query.quoteCurrencies.join(',')]);
    if (query.pairs !== undefined) q.push(['pairs', query.pairs.join(',')]);
    if (query.excludePairs !== undefined) q.push(['exclude_pairs', query.excludePairs.join(',')]);
    if (query.cancelSide !== undefined) q.push(['cancel_side', query.cancelSide]);
    if (query.count !== undefined) q.push(['count', String(checkInt(query.count, 'count', 1, 300))]);
    if (query.orderBy !== undefined) q.push(['order_by', query.orderBy]);
    return this.caller.call({ endpoint: ENDPOINTS.cancelOpen, input: { query: q }, parse: (v) => parseBatchCancel(v), options });
  }

  // --- exchange: orders (never retried) -----------------------------------------------

  /**
   * `POST /v1/orders`. Sent once, never retried. The contract for the order service:
   * - resolves: the order exists (201);
   * - rejects with `OrderOutcomeUnknownError`: it may exist — resolve it by
   *   `order.identifier` before anything else is sent for this intent;
   * - rejects with anything else (`UserActionError`, `OrderNotSentError`, `RateLimitError`,
   *   `CredentialsError`, `BugError`, or the signal's reason while waiting for budget): it
   *   does not exist.
   */
  async placeOrder(order: OrderRequest, options: CallOptions = {}): Promise<Order> {
    return this.caller.call({ endpoint: ENDPOINTS.placeOrder, input: { body: orderBody(order) }, parse: (v) => parseOrder(v), orderIdentifier: order.identifier, options });
  }

  /** `POST /v1/orders/test`: Upbit validates the order and creates nothing. */
  async testOrder(order: OrderRequest, options: CallOptions = {}): Promise<Order> {
    return this.caller.call({ endpoint: ENDPOINTS.testOrder, input: { body: orderBody(order) }, parse: (v) => parseOrder(v), options });
  }

  /**
   * `POST /v1/orders/cancel_and_new`: cancel an order and place its replacement. Same
   * contract as {@link placeOrder}, keyed by `newIdentifier`.
   */
  async cancelAndNew(request: CancelAndNewRequest, options: CallOptions = {}): Promise<CancelAndNewResult> {
    const body: Record<string, string> = {};
    if ('uuid' in request.prev) body['prev_order_uuid'] = request.prev.uuid;
    else body['prev_order_identifier'] = request.prev.identifier;
    body['new_ord_type'] = request.newOrdType;
    if (request.newVolume !== undefined) body['new_volume'] = request.newVolume === 'remain_only' ? 'remain_only' : amount(request.newVolume, 'newVolume');
    if (request.newPrice !== undefined) body['new_price'] = amount(request.newPrice, 'newPrice');
    body['new_identifier'] = identifier(request.newIdentifier);
    if (request.newTimeInForce !== undefined) body['new_time_in_force'] = request.newTimeInForce;
    if (request.newSmpType !== undefined) body['new_smp_type'] = request.newSmpType;
    return this.caller.call({ endpoint: ENDPOINTS.cancelAndNew, input: { body }, parse: (v) => parseCancelAndNew(v), orderIdentifier: request.newIdentifier, options });
  }

  private async perMarketChunk<T>(markets: readonly MarketCode[], fetch: (joined: string) => Promise<T[]>): Promise<T[]> {
    if (markets.length === 0) return [];
    const out: T[] = [];
    for (const chunk of chunkMarkets(markets)) out.push(...(await fetch(chunk)));
    return out;
  }
}

/** Comma-joined market lists of at most {@link MAX_MARKETS_CHARS} characters each. */
export function chunkMarkets(markets: readonly MarketCode[]): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const market of markets) {
    const next = current === '' ? market : `${current},${market}`;
    if (current !== '' && next.length > MAX_MARKETS_CHARS) {
      chunks.push(current);
      current = market;
    } else {
      current = next;
    }
  }
  if (current !== '') chunks.push(current);
  return chunks;
}

/**
 * The JSON body of an order, in Upbit's documented field order (which is also the order
 * the query hash covers). Amounts in plain notation, never exponent (`1e-8`).
 */
export function orderBody(order: OrderRequest): Record<string, string> {
  const body: Record<string, string> = { market: order.market, side: order.side };
  if (order.volume !== undefined) body['volume'] = amount(order.volume, 'volume');
  if (order.price !== undefined) body['price'] = amount(order.price, 'price');
  body['ord_type'] = order.ordType;
  body['identifier'] = identifier(order.identifier);
  if (order.timeInForce !== undefined) body['time_in_force'] = order.timeInForce;
  if (order.smpType !== undefined) body['smp_type'] = order.smpType;
  return body;
}

function amount(value: Decimal, what: string): string {
  if (!value.isFinite() || value.isNegative()) throw callerBug(`order ${what} must be a finite, non-negative decimal; got ${value.toString()}`);
  return value.toFixed();
}

function identifier(value: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw callerBug('an order needs a non-empty identifier (unique per attempt), so that it can be found again after a timeout');
  return value;
}

function refQuery(ref: OrderRef): ParamEntry[] {
  if ('uuid' in ref && ref.uuid !== '') return [['uuid', ref.uuid]];
  if ('identifier' in ref && ref.identifier !== '') return [['identifier', ref.identifier]];
  throw callerBug('an order reference needs a non-empty uuid or identifier');
}

function idsQuery(ids: OrderIds, max: number): ParamEntry[] {
  const [key, list] = 'uuids' in ids ? (['uuids[]', ids.uuids] as const) : (['identifiers[]', ids.identifiers] as const);
  if (list.length === 0 || list.length > max) throw callerBug(`between 1 and ${max} ids per request, got ${list.length}`);
  return list.map((id): ParamEntry => [key, id]);
}

function checkInt(value: number, what: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) throw callerBug(`${what} must be an integer from ${min} to ${max}, got ${value}`);
  return value;
}

/** A call that breaks the client's contract: our code is wrong, nothing was sent. */
function callerBug(text: string): BugError {
  return new BugError(`upbit-tui built an invalid Upbit request: ${text}. This is a bug; please report it.`, { upbitName: null, status: null, retryable: false, attempts: 0 });
}
