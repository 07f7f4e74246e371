import type { Exchange } from '../../exchange/engine.js';
import type { CancelResult, OrderState } from '../../exchange/types.js';
import { ExchangeError } from '../../exchange/types.js';
import { balanceToWire, cancelAndNewToWire, chanceToWire, orderToWire } from '../../exchange/wire.js';
import { accessKeyOf } from '../auth/middleware.js';
import type { HttpRouter, RateGroup, RouteContext } from '../http-router.js';
import { sendJson } from '../http-router.js';
import { invalidMessage, missingMessage, validationError } from '../../exchange/errors.js';
import { sendExchangeError } from './errors.js';
import { Params, readParams } from './params.js';

/**
 * Upbit's exchange REST endpoints (docs/upbit-protocol.md#exchange-endpoints) over the simulated `Exchange`.
 * Handlers validate the parameters the way Upbit documents them (400 `validation_error`),
 * leave order semantics to the engine (which throws `ExchangeError`s with Upbit's names),
 * and render amounts as strings through `exchange/wire.ts`.
 */
export interface ExchangeRouteDeps {
  exchange: Exchange;
  /** Market clock (ms) for the default window of `/v1/orders/closed`. */
  now: () => number;
}

type Reply = { status: number; body: unknown };
type Handler = (p: Params, accessKey: string, ctx: RouteContext) => Reply;

const SEVEN_DAYS_MS = 7 * 24 * 60 * 60 * 1_000;
const OPEN_STATES: readonly OrderState[] = ['wait', 'watch'];
const CLOSED_STATES: readonly OrderState[] = ['done', 'cancel'];
/** List items carry `executed_funds` (docs/upbit-protocol.md#exchange-endpoints); the POST answer does not. */
const LISTED = { withExecutedFunds: true } as const;

/** Register every exchange endpoint on `router`; returns the release of all of them. */
export function registerExchangeRoutes(router: HttpRouter, deps: ExchangeRouteDeps): () => void {
  const { exchange } = deps;
  const offs: Array<() => void> = [];
  const add = (method: string, path: string, group: RateGroup, handler: Handler, opts: { queryOnly?: boolean } = {}): void => {
    offs.push(router.add(method, path, { group, exchange: true }, wrap(handler, `${method} ${path}`, opts.queryOnly ?? false)));
  };

  add('GET', '/v1/accounts', 'default', (_p, key) => ok(exchange.balances(key).map(balanceToWire)));

  add('GET', '/v1/orders/chance', 'default', (p, key) => ok(chanceToWire(exchange.chance(key, required(p, 'market')))));

  add('POST', '/v1/orders', 'order', (p, key) => ({ status: 201, body: orderToWire(exchange.place(key, p.object())) }));

  add('POST', '/v1/orders/test', 'order-test', (p, key) => ({ status: 201, body: orderToWire(exchange.test(key, p.object())) }));

  add('GET', '/v1/order', 'default', (p, key) => ok(orderToWire(exchange.get(key, orderRef(p)), { withTrades: true, withExecutedFunds: true })));

  // The answer is the order as the cancel found it, still `wait`: the cancel completes just after (docs/upbit-protocol.md#exchange-endpoints).
  add('DELETE', '/v1/order', 'default', (p, key) => ok(orderToWire(exchange.cancel(key, orderRef(p)))));

  add('GET', '/v1/orders/open', 'default', (p, key) => {
    const states = statesParam(p, OPEN_STATES, ['wait']);
    const page = intParam(p, 'page', 1, 1, Number.MAX_SAFE_INTEGER);
    const limit = intParam(p, 'limit', 100, 1, 100);
    const orders = exchange.list(key, { market: p.get('market'), states, page, limit, orderBy: orderBy(p) });
    return ok(orders.map((o) => orderToWire(o, LISTED)));
  });

  add('GET', '/v1/orders/closed', 'default', (p, key) => {
    const states = statesParam(p, CLOSED_STATES, [...CLOSED_STATES]);
    const limit = intParam(p, 'limit', 100, 1, 1_000);
    const { startTime, endTime } = closedWindow(p, deps.now());
    const orders = exchange.list(key, { market: p.get('market'), states, limit, orderBy: orderBy(p), startTime, endTime });
    return ok(orders.map((o) => orderToWire(o, LISTED)));
  });

  add('GET', '/v1/orders/uuids', 'default', (p, key) => {
    const ids = idList(p, 100);
    const market = p.get('market');
    const orders = exchange.byIds(key, ids, orderBy(p)).filter((o) => market === undefined || o.market === market);
    return ok(orders.map((o) => orderToWire(o, LISTED)));
  });

  add('DELETE', '/v1/orders/uuids', 'default', (p, key) => ok(cancelResultToWire(exchange.cancelMany(key, idList(p, 20)))), { queryOnly: true });

  add(
    'DELETE',
    '/v1/orders/open',
    'order-cancel-all',
    (p, key) => {
      const quoteCurrencies = listParam(p, 'quote_currencies');
      const pairs = listParam(p, 'pairs');
      if (quoteCurrencies !== undefined && pairs !== undefined) throw validationError('Send either quote_currencies or pairs, not both.');
      if (pairs !== undefined && pairs.length > 20) throw validationError('pairs takes at most 20 markets.');
      const side = oneOf(p, 'cancel_side', ['all', 'ask', 'bid'] as const) ?? 'all';
      const count = intParam(p, 'count', 20, 1, 300);
      const result = exchange.cancelOpen(key, { quoteCurrencies, pairs, excludePairs: listParam(p, 'exclude_pairs'), side, count, orderBy: orderBy(p) });
      return ok(cancelResultToWire(result));
    },
    { queryOnly: true },
  );

  // 200, not 201: the answer is the old order plus the new one's ids (docs/upbit-protocol.md#exchange-endpoints, observed).
  add('POST', '/v1/orders/cancel_and_new', 'order', (p, key) => {
    const { prev, next } = exchange.cancelAndNew(key, p.object());
    return ok(cancelAndNewToWire(prev, next));
  });

  return () => {
    for (const off of offs.reverse()) off();
  };
}

const ok = (body: unknown): Reply => ({ status: 200, body });

function wrap(handler: Handler, what: string, queryOnly: boolean) {
  return async (ctx: RouteContext): Promise<void> => {
    try {
      const params = new Params(await readParams(ctx));
      if (queryOnly && params.request.fromBody) throw validationError(`${what} takes query parameters only; move them from the body to the query string.`);
      const { status, body } = handler(params, accessKeyOf(ctx), ctx);
      sendJson(ctx.res, status, body);
    } catch (err) {
      if (!(err instanceof ExchangeError)) throw err;
      sendExchangeError(ctx.res, err.status, err.upbitName, err.message);
    }
  };
}

function required(p: Params, name: string): string {
  const v = p.get(name);
  if (v === undefined || v === '') throw validationError(missingMessage(name));
  return v;
}

/** `uuid` or `identifier`; `uuid` wins when both are given (docs/upbit-protocol.md#exchange-endpoints). */
function orderRef(p: Params): { uuid?: string; identifier?: string } {
  const uuid = p.get('uuid');
  if (uuid !== undefined && uuid !== '') return { uuid };
  const identifier = p.get('identifier');
  if (identifier !== undefined && identifier !== '') return { identifier };
  throw validationError('uuid or identifier is missing: send one of them.');
}

function oneOf<T extends string>(p: Params, name: string, allowed: readonly T[]): T | undefined {
  const v = p.get(name);
  if (v === undefined) return undefined;
  const found = allowed.find((a) => a === v);
  if (found === undefined) throw validationError(`${invalidMessage(name)} (one of ${allowed.join(', ')})`);
  return found;
}

function orderBy(p: Params): 'asc' | 'desc' {
  return oneOf(p, 'order_by', ['asc', 'desc'] as const) ?? 'desc';
}

function intParam(p: Params, name: string, fallback: number, min: number, max: number): number {
  const v = p.get(name);
  if (v === undefined) return fallback;
  const n = /^\d+$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw validationError(`${invalidMessage(name)} (an integer from ${min} to ${max})`);
  return n;
}

/** `state` or `states[]` (not both), each one of `allowed`. */
function statesParam(p: Params, allowed: readonly OrderState[], fallback: OrderState[]): OrderState[] {
  const one = p.get('state');
  const many = p.all('states');
  if (one !== undefined && many !== undefined) throw validationError('Send either state or states[], not both.');
  const values = many ?? (one === undefined ? undefined : [one]);
  if (values === undefined) return fallback;
  return values.map((v) => {
    const found = allowed.find((a) => a === v);
    if (found === undefined) throw validationError(`${invalidMessage('state')} (one of ${allowed.join(', ')})`);
    return found;
  });
}

/** `uuids[]` or `identifiers[]` (not both, one required), at most `max`. */
function idList(p: Params, max: number): { uuids: string[] } | { identifiers: string[] } {
  const uuids = p.all('uuids');
  const identifiers = p.all('identifiers');
  if (uuids !== undefined && identifiers !== undefined) throw validationError('Send either uuids[] or identifiers[], not both.');
  const ids = uuids ?? identifiers;
  if (ids === undefined) throw validationError('uuids or identifiers is missing: send uuids[]=… or identifiers[]=….');
  if (ids.length > max) throw validationError(`At most ${max} uuids or identifiers per request.`);
  return uuids !== undefined ? { uuids } : { identifiers: ids };
}

/** A comma-separated list (`pairs=KRW-BTC,KRW-ETH`), or the same as repeated `name[]`. */
function listParam(p: Params, name: string): string[] | undefined {
  const values = p.all(name) ?? p.get(name)?.split(',');
  const list = values?.map((v) => v.trim()).filter((v) => v !== '');
  return list === undefined || list.length === 0 ? undefined : list;
}

/**
 * The 7-day window of `/v1/orders/closed` (docs/upbit-protocol.md#exchange-endpoints): neither bound → the last 7 days; one
 * bound → 7 days from/to it; both → at most 7 days apart. Bounds are ISO-8601 with an offset
 * or ms timestamps.
 */
function closedWindow(p: Params, now: number): { startTime: number; endTime: number } {
  const start = timeParam(p, 'start_time');
  const end = timeParam(p, 'end_time');
  if (start === undefined && end === undefined) return { startTime: now - SEVEN_DAYS_MS, endTime: now };
  if (start === undefined) return { startTime: (end ?? now) - SEVEN_DAYS_MS, endTime: end ?? now };
  if (end === undefined) return { startTime: start, endTime: start + SEVEN_DAYS_MS };
  if (end < start) throw validationError('end_time must not be before start_time.');
  if (end - start > SEVEN_DAYS_MS) throw validationError('The period from start_time to end_time must be at most 7 days.');
  return { startTime: start, endTime: end };
}

const ISO_TIME = /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * A ms timestamp, or ISO-8601. UNCERTAIN: Upbit's reading of a time without an offset; we
 * take it as KST (Upbit's zone) rather than this machine's zone, so the answer is the same
 * everywhere.
 */
function parseTime(v: string): number {
  if (/^\d+$/.test(v)) return Number(v);
  const m = ISO_TIME.exec(v);
  if (m === null) return Number.NaN;
  return Date.parse(`${m[1]}${m[2] ?? 'T00:00:00'}${m[3] ?? '+09:00'}`);
}

function timeParam(p: Params, name: string): number | undefined {
  const v = p.get(name);
  if (v === undefined || v === '') return undefined;
  const ms = parseTime(v);
  if (!Number.isFinite(ms)) {
    throw validationError(`${invalidMessage(name)}: use ISO-8601 with an offset (2026-11-20T09:00:00+09:00, "+" encoded as %2B) or a ms timestamp.`);
  }
  return ms;
}

/** `{"success":{"count","orders":[{uuid, market, identifier?}]},"failed":{…}}` (docs/upbit-protocol.md#exchange-endpoints, observed). */
function cancelResultToWire(result: CancelResult): unknown {
  const side = (s: CancelResult['success']) => ({
    count: s.count,
    orders: s.orders.map((o) => (o.identifier === null ? { uuid: o.uuid, market: o.market } : { uuid: o.uuid, market: o.market, identifier: o.identifier })),
  });
  return { success: side(result.success), failed: side(result.failed) };
}
