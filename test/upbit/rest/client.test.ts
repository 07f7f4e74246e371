import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';

import { Decimal } from 'decimal.js';
import { afterEach, describe, expect, it } from 'vitest';

import { formatError } from '../../../src/runtime/errors.js';
import { memoryLogger } from '../../../src/runtime/logger.js';
import { UpbitRestClient, type UpbitRestClientOptions } from '../../../src/upbit/rest/client.js';
import {
  BugError,
  ConnectionError,
  CredentialsError,
  OrderNotSentError,
  OrderOutcomeUnknownError,
  RateLimitError,
  UserActionError,
} from '../../../src/upbit/rest/errors.js';
import type { OrderRequest } from '../../../src/upbit/rest/types.js';
import { bodyQuery, decodedQuery, fixture, KEYS, remaining, SECRET_TEXT, sendJson, sendText, startScriptServer, verifyJwt, type Responder, type ScriptServer } from './helpers.js';

const servers: ScriptServer[] = [];
const clients: UpbitRestClient[] = [];

async function setup(respond: Responder, options: UpbitRestClientOptions = {}): Promise<{ server: ScriptServer; client: UpbitRestClient }> {
  const server = await startScriptServer(respond);
  servers.push(server);
  const client = new UpbitRestClient({ baseUrl: server.url, keys: KEYS, retry: { baseMs: 1, capMs: 5 }, ...options });
  clients.push(client);
  return { server, client };
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const ORDER: OrderRequest = { market: 'KRW-BTC', side: 'bid', ordType: 'limit', price: new Decimal('10000000'), volume: new Decimal('0.0005'), identifier: 'tui-1-abc' };

/** Settle a promise into its error (or fail the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

function everyRendering(err: unknown): string[] {
  return [String(err), formatError(err), inspect(err, { depth: 10, showHidden: true }), JSON.stringify(err)];
}

describe('requests on the wire', () => {
  it('signs queries Upbit can verify, sends no Origin, and asks for JSON', async () => {
    const { server, client } = await setup((req, res) => {
      verifyJwt(req.headers.authorization, SECRET_TEXT, decodedQuery(req.query));
      sendJson(res, 200, fixture('v1/orders/closed/GET-200.json'), remaining('default', 29));
    });
    const orders = await client.closedOrders({ market: 'KRW-BTC', states: ['done', 'cancel'], startTime: 1_763_600_000_000, limit: 10, orderBy: 'asc' });
    expect(orders[0]?.state).toBe('done');
    const [req] = server.requests;
    expect(req?.method).toBe('GET');
    expect(req?.path).toBe('/v1/orders/closed');
    expect(req?.query).toBe('market=KRW-BTC&states[]=done&states[]=cancel&start_time=1763600000000&limit=10&order_by=asc');
    expect(req?.headers.accept).toBe('application/json');
    expect(req?.headers.origin).toBeUndefined();
    expect(req?.headers['content-type']).toBeUndefined();
  });

  it('posts orders as JSON with the body hashed in key order', async () => {
    const { server, client } = await setup((req, res) => {
      verifyJwt(req.headers.authorization, SECRET_TEXT, bodyQuery(req.body));
      sendJson(res, 201, fixture('v1/orders/POST-201.json'), remaining('order', 7));
    });
    const order = await client.placeOrder({ ...ORDER, volume: new Decimal('1e-8'), timeInForce: 'post_only' });
    expect(order.uuid).toBe('d098ceaf-6811-4df8-97f2-b7e01aefc03f');
    const [req] = server.requests;
    expect(req?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(req?.headers.origin).toBeUndefined();
    expect(req?.body).toBe('{"market":"KRW-BTC","side":"bid","volume":"0.00000001","price":"10000000","ord_type":"limit","identifier":"tui-1-abc","time_in_force":"post_only"}');
    expect(req?.query).toBe('');
  });

  it('signs HS256 when asked, and never signs quotation requests', async () => {
    const { server, client } = await setup(
      (req, res) => {
        if (req.path === '/v1/ticker') {
          sendJson(res, 200, [], remaining('ticker', 9));
          return;
        }
        expect(verifyJwt(req.headers.authorization, SECRET_TEXT, '').alg).toBe('HS256');
        sendJson(res, 200, fixture('v1/accounts/GET-200.json'));
      },
      { jwtAlgorithm: 'HS256' },
    );
    await client.accounts();
    await client.tickers(['KRW-BTC', 'KRW-ETH']);
    expect(server.requests[1]?.headers.authorization).toBeUndefined();
    expect(server.requests[1]?.query).toBe('markets=KRW-BTC%2CKRW-ETH');
  });

  it('keeps a path prefix of the base URL', async () => {
    const server = await startScriptServer((_req, res) => sendJson(res, 200, []));
    servers.push(server);
    const client = new UpbitRestClient({ baseUrl: `${server.url}/upbit/`, keys: KEYS });
    clients.push(client);
    await client.accounts();
    expect(server.requests[0]?.path).toBe('/upbit/v1/accounts');
  });

  it('refuses exchange calls without keys before sending anything', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 200, []), { keys: undefined });
    const error = await failure(client.accounts());
    expect(error).toBeInstanceOf(CredentialsError);
    expect(error.message).toMatch(/set UPBIT_ACCESS_KEY and UPBIT_SECRET_KEY/);
    expect(server.requests).toHaveLength(0);
    expect(client.hasKeys).toBe(false);
  });
});

describe('answers become domain types', () => {
  it('accounts, chance and orders, with decimals and ms times', async () => {
    const routes: Record<string, string> = {
      'GET /v1/accounts': 'v1/accounts/GET-200.json',
      'GET /v1/orders/chance': 'v1/orders/chance/GET-200.json',
      'GET /v1/order': 'v1/order/GET-200.json',
      'DELETE /v1/order': 'v1/order/DELETE-200.json',
      'GET /v1/orders/open': 'v1/orders/open/GET-200.json',
      'GET /v1/orders/uuids': 'v1/orders/uuids/GET-200.json',
      'DELETE /v1/orders/uuids': 'v1/orders/uuids/DELETE-200.json',
      'DELETE /v1/orders/open': 'v1/orders/open/DELETE-200.json',
      'POST /v1/orders/cancel_and_new': 'v1/orders/cancel_and_new/POST-200.json',
      'POST /v1/orders/test': 'v1/orders/test/POST-201.json',
    };
    const { server, client } = await setup((req, res) => {
      const file = routes[`${req.method} ${req.path}`];
      if (file === undefined) throw new Error(`no route ${req.method} ${req.path}`);
      verifyJwt(req.headers.authorization, SECRET_TEXT, req.method === 'POST' ? bodyQuery(req.body) : decodedQuery(req.query));
      sendJson(res, req.method === 'POST' && req.path.endsWith('/test') ? 201 : 200, fixture(file));
    });

    const [krw] = await client.accounts();
    expect(krw?.balance.equals(new Decimal('50000.47088291'))).toBe(true);
    expect(krw?.avgBuyPriceModified).toBe(true);

    const chance = await client.chance('KRW-BTC');
    expect(chance.bidFee.toString()).toBe('0.0005');
    expect(chance.market.bid.minTotal?.toString()).toBe('5000');
    expect(chance.market.maxTotal?.toString()).toBe('1000000000');
    expect(chance.askAccount.currency).toBe('BTC');

    const order = await client.getOrder({ identifier: 'tui-1-abc' });
    expect(order.state).toBe('done');
    expect(order.createdAt).toBe(Date.parse('2026-03-22T21:42:22+09:00'));
    expect(order.trades[0]?.funds.toString()).toBe('5000');
    expect(order.trades[0]?.createdAt).toBe(Date.parse('2026-03-22T21:42:30.597+09:00'));

    expect((await client.cancelOrder({ uuid: 'd098ceaf-6811-4df8-97f2-b7e01aefc03f' })).state).toBe('wait');
    expect((await client.openOrders({ market: 'KRW-BTC', states: ['wait', 'watch'], page: 1, limit: 100, orderBy: 'desc' }))[0]?.executedFunds?.toString()).toBe('0');
    expect(await client.ordersByIds({ identifiers: ['a', 'b'] }, { market: 'KRW-BTC' })).toHaveLength(1);
    expect((await client.cancelByIds({ uuids: ['u1', 'u2'] })).success.orders[1]?.identifier).toBe('my-order-2');
    expect((await client.cancelOpen({ pairs: ['KRW-BTC', 'KRW-ETH'], cancelSide: 'bid' })).success.count).toBe(2);
    const replaced = await client.cancelAndNew({ prev: { uuid: 'd098ceaf' }, newOrdType: 'limit', newPrice: new Decimal(9_900_000), newVolume: 'remain_only', newIdentifier: 'tui-2' });
    expect(replaced.newOrderUuid).toBe('0f6c2b1a-3d4e-4f5a-8b9c-1d2e3f4a5b6c');
    expect((await client.testOrder(ORDER)).ordType).toBe('limit');

    const queries = server.requests.map((r) => `${r.method} ${r.path}?${r.query} ${r.body}`);
    expect(queries).toContain('GET /v1/order?identifier=tui-1-abc ');
    expect(queries).toContain('GET /v1/orders/uuids?market=KRW-BTC&identifiers[]=a&identifiers[]=b ');
    expect(queries).toContain('DELETE /v1/orders/uuids?uuids[]=u1&uuids[]=u2 ');
    expect(queries).toContain('DELETE /v1/orders/open?pairs=KRW-BTC%2CKRW-ETH&cancel_side=bid ');
    expect(queries).toContain(
      'POST /v1/orders/cancel_and_new? {"prev_order_uuid":"d098ceaf","new_ord_type":"limit","new_volume":"remain_only","new_price":"9900000","new_identifier":"tui-2"}',
    );
  });

  it('market orders without price or volume', async () => {
    const { client } = await setup((req, res) => sendJson(res, 201, fixture((JSON.parse(req.body) as { ord_type?: string }).ord_type === 'price' ? 'v1/orders/POST-201-price.json' : 'v1/orders/POST-201-market.json')));
    const buy = await client.placeOrder({ market: 'KRW-BTC', side: 'bid', ordType: 'price', price: new Decimal(10_000), identifier: 'b' });
    expect(buy.volume).toBeNull();
    expect(buy.price?.toString()).toBe('10000');
    const sell = await client.placeOrder({ market: 'KRW-BTC', side: 'ask', ordType: 'market', volume: new Decimal('0.00009713'), identifier: 's' });
    expect(sell.price).toBeNull();
  });

  it('quotation numbers become decimals', async () => {
    const { client } = await setup((req, res) => {
      if (req.path === '/v1/orderbook/instruments') sendJson(res, 200, [{ market: 'KRW-BTC', quote_currency: 'KRW', tick_size: '1000', supported_levels: ['0', '10000'] }]);
      else if (req.path === '/v1/orderbook') sendJson(res, 200, [{ market: 'KRW-BTC', timestamp: 1, total_ask_size: 1.5, total_bid_size: 2, orderbook_units: [{ ask_price: 95_001_000, bid_price: 95_000_000, ask_size: 0.1, bid_size: 0.2 }], level: 0 }]);
      else if (req.path === '/v1/market/all') sendJson(res, 200, [{ market: 'KRW-BTC', korean_name: '비트코인', english_name: 'Bitcoin', market_event: { warning: false, caution: { PRICE_FLUCTUATIONS: true, TRADING_VOLUME_SOARING: false } } }]);
      else sendJson(res, 200, [{ market: 'KRW-BTC', trade_price: 95_000_000, opening_price: 94_000_000, high_price: 96_000_000, low_price: 93_000_000, prev_closing_price: 94_000_000, change: 'RISE', signed_change_price: 1_000_000, signed_change_rate: 0.0106382979, trade_volume: 0.001, acc_trade_price: 1e9, acc_trade_price_24h: 2e9, acc_trade_volume: 10.5, acc_trade_volume_24h: 21, trade_timestamp: 1_763_600_000_000, timestamp: 1_763_600_000_001 }]);
    });
    const [instrument] = await client.instruments(['KRW-BTC']);
    expect(instrument?.tickSize.toString()).toBe('1000');
    const [book] = await client.orderbook(['KRW-BTC'], 15);
    expect(book?.units[0]?.askSize.toString()).toBe('0.1');
    const [ticker] = await client.tickers(['KRW-BTC']);
    expect(ticker?.signedChangeRate.toString()).toBe('0.0106382979');
    const [listing] = await client.marketAll({ details: true });
    expect(listing?.cautions).toEqual(['PRICE_FLUCTUATIONS']);
  });

  it('an answer of an unknown shape is a BugError naming the field', async () => {
    const { client } = await setup((_req, res) => sendJson(res, 200, [{ currency: 'KRW', balance: 'lots', locked: '0' }]));
    const error = await failure(client.accounts());
    expect(error).toBeInstanceOf(BugError);
    expect(error.message).toMatch(/accounts\[0\]\.balance: expected a decimal, got 'lots'/);
  });

  it('a 201 we cannot read leaves the order outcome unknown, not failed', async () => {
    const { client } = await setup((_req, res) => sendText(res, 201, 'Created'));
    const error = await failure(client.placeOrder(ORDER));
    expect(error).toBeInstanceOf(OrderOutcomeUnknownError);
    expect((error as OrderOutcomeUnknownError).identifier).toBe('tui-1-abc');
    expect(error.message).toMatch(/accepted order tui-1-abc/);
  });
});

describe('timeouts and lost connections', () => {
  const silent: Responder = () => undefined;

  it('an order whose answer never comes is OrderOutcomeUnknownError within about the headers timeout, sent once', async () => {
    const { server, client } = await setup(silent, { headersTimeoutMs: 300 });
    const started = Date.now();
    const error = await failure(client.placeOrder(ORDER));
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(OrderOutcomeUnknownError);
    expect(error.message).toMatch(/Order tui-1-abc was sent but did not answer within 0\.3 s; it may or may not have been placed/);
    expect((error as OrderOutcomeUnknownError).retryable).toBe(false);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    // undici's timers tick at ~0.5 s resolution beyond 1 s; allow for that, not for 300 s defaults.
    expect(elapsed).toBeLessThan(2_500);
    expect(server.requests).toHaveLength(1);
  });

  it('a read whose answer never comes is a ConnectionError that says nothing changed, after bounded attempts', async () => {
    const { server, client } = await setup(silent, { headersTimeoutMs: 300, retry: { attempts: 2, baseMs: 1, capMs: 1 } });
    const started = Date.now();
    const error = await failure(client.accounts());
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toBe('Upbit did not answer within 0.3 s (GET /v1/accounts, 2 attempts); check the network connection. Nothing was changed.');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(server.requests).toHaveLength(2);
  });

  it('a dropped connection after an order was sent is OrderOutcomeUnknownError, never a resend', async () => {
    const { server, client } = await setup((_req, res) => res.socket?.destroy());
    const error = await failure(client.placeOrder(ORDER));
    expect(error).toBeInstanceOf(OrderOutcomeUnknownError);
    expect(error.message).toMatch(/closed the connection before answering/);
    expect(server.requests).toHaveLength(1);
  });

  it('a 5xx to an order is OrderOutcomeUnknownError, never a resend', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 500, { error: { name: 'server_error', message: 'Internal server error' } }));
    const error = await failure(client.placeOrder(ORDER));
    expect(error).toBeInstanceOf(OrderOutcomeUnknownError);
    expect(error.message).toMatch(/HTTP 500 to order tui-1-abc without saying whether it was placed/);
    expect((error as OrderOutcomeUnknownError).status).toBe(500);
    expect(server.requests).toHaveLength(1);
  });

  it('cancel_and_new is never retried either', async () => {
    const { server, client } = await setup((_req, res) => res.socket?.destroy());
    const error = await failure(client.cancelAndNew({ prev: { identifier: 'old' }, newOrdType: 'limit', newPrice: new Decimal(1), newVolume: new Decimal(1), newIdentifier: 'new-1' }));
    expect(error).toBeInstanceOf(OrderOutcomeUnknownError);
    expect((error as OrderOutcomeUnknownError).identifier).toBe('new-1');
    expect(server.requests).toHaveLength(1);
  });

  it('an exchange refusal of an order is definite: UserActionError, sent once', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 400, { error: { name: 'insufficient_funds_bid', message: '주문가능한 금액(KRW)이 부족합니다.' } }));
    const error = await failure(client.placeOrder(ORDER));
    expect(error).toBeInstanceOf(UserActionError);
    expect(server.requests).toHaveLength(1);
  });

  it('a refused connection means the order was not sent; reads say nothing changed', async () => {
    const port = await freePort();
    const client = new UpbitRestClient({ baseUrl: `http://127.0.0.1:${port}`, keys: KEYS, retry: { attempts: 2, baseMs: 1, capMs: 1 } });
    clients.push(client);
    const order = await failure(client.placeOrder(ORDER));
    expect(order).toBeInstanceOf(OrderNotSentError);
    expect((order as OrderNotSentError).identifier).toBe('tui-1-abc');
    expect(order.message).toMatch(/refused the connection.*Order tui-1-abc was not sent/);
    const read = await failure(client.accounts());
    expect(read).toBeInstanceOf(ConnectionError);
    expect(read).not.toBeInstanceOf(OrderNotSentError);
    expect(read.message).toMatch(/Could not reach Upbit: .* refused the connection.*Nothing was changed\./);
  });
});

describe('retries', () => {
  it('retries a read on 5xx a bounded number of times', async () => {
    const { server, client } = await setup((_req, res) => sendText(res, 503, 'Service Unavailable'));
    const error = await failure(client.accounts());
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toMatch(/HTTP 503 to GET \/v1\/accounts \(3 attempts\)/);
    expect(server.requests).toHaveLength(3);
  });

  it('a read that fails twice and then succeeds succeeds', async () => {
    const logger = memoryLogger();
    const { server, client } = await setup((_req, res, n) => (n < 3 ? res.socket?.destroy() : sendJson(res, 200, [])), { logger });
    await expect(client.accounts()).resolves.toEqual([]);
    expect(server.requests).toHaveLength(3);
    expect(logger.records.filter((r) => r.level === 'warn')).toHaveLength(2);
  });

  it('retries a cancel whose connection dropped', async () => {
    const { server, client } = await setup((_req, res, n) => (n === 1 ? res.socket?.destroy() : sendJson(res, 200, fixture('v1/order/DELETE-200.json'))));
    await expect(client.cancelOrder({ identifier: 'x' })).resolves.toMatchObject({ state: 'wait' });
    expect(server.requests).toHaveLength(2);
    expect(server.requests.map((r) => r.method)).toEqual(['DELETE', 'DELETE']);
    // A fresh nonce per attempt.
    expect(server.requests[0]?.headers.authorization).not.toBe(server.requests[1]?.headers.authorization);
  });

  it('does not retry what retrying cannot fix', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 401, { error: { name: 'invalid_access_key', message: '잘못된 엑세스 키입니다.' } }));
    const error = await failure(client.accounts());
    expect(error).toBeInstanceOf(CredentialsError);
    expect(server.requests).toHaveLength(1);
  });
});

describe('rate limits', () => {
  it('a group whose budget is 0 waits for the next second instead of drawing a 429', async () => {
    let zeroAt = 0;
    const { server, client } = await setup((_req, res) => {
      const now = Date.now();
      if (zeroAt !== 0 && now - zeroAt < 1_000) {
        sendText(res, 429, 'Too many API requests.', remaining('default', 0));
        return;
      }
      zeroAt = now;
      sendJson(res, 200, [], remaining('default', 0));
    });
    await client.accounts();
    const firstAnswered = Date.now();
    await client.accounts();
    expect(server.requests).toHaveLength(2);
    expect((server.requests[1]?.at ?? 0) - firstAnswered).toBeGreaterThanOrEqual(990);
  });

  it('other groups are not held back by one at 0', async () => {
    const { server, client } = await setup((req, res) => sendJson(res, 200, [], remaining(req.path === '/v1/accounts' ? 'default' : 'ticker', req.path === '/v1/accounts' ? 0 : 9)));
    await client.accounts();
    const started = Date.now();
    await client.tickers(['KRW-BTC']);
    expect(Date.now() - started).toBeLessThan(500);
    expect(server.requests).toHaveLength(2);
  });

  it('a 429 backs off with jitter and then succeeds, and is reported', async () => {
    const logger = memoryLogger();
    const { server, client } = await setup((_req, res, n) => (n === 1 ? sendText(res, 429, 'Too many API requests.') : sendJson(res, 200, [], remaining('default', 29))), { logger });
    await expect(client.accounts()).resolves.toEqual([]);
    expect(server.requests).toHaveLength(2);
    expect((server.requests[1]?.at ?? 0) - (server.requests[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
    expect(logger.records.some((r) => r.level === 'warn' && /429/.test(r.msg ?? ''))).toBe(true);
  });

  it('a 429 on an order is not retried and the order was not placed', async () => {
    const { server, client } = await setup((_req, res) => sendText(res, 429, 'Too many API requests.', remaining('order', 0)));
    const error = await failure(client.placeOrder(ORDER));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.message).toMatch(/429.*The order was not placed\./);
    expect(server.requests).toHaveLength(1);
  });

  it('a 418 halts its group with a message naming the wait; other groups go on', async () => {
    const { server, client } = await setup((req, res) => {
      if (req.path === '/v1/orders') sendJson(res, 418, { error: { name: 418, message: 'Too many API requests after repeated 429 responses: blocked for 57 seconds.' } }, remaining('order', 0));
      else sendJson(res, 200, [], remaining('default', 29));
    });
    const first = await failure(client.placeOrder(ORDER));
    expect(first).toBeInstanceOf(RateLimitError);
    expect((first as RateLimitError).blocked).toBe(true);
    expect(first.message).toMatch(/^Upbit blocked order requests for 5[67] s after too many requests; wait until \d\d:\d\d:\d\d\. The order was not placed\.$/);
    const retryAt = (first as RateLimitError).retryAt ?? 0;
    expect(retryAt - Date.now()).toBeGreaterThan(50_000);

    const second = await failure(client.placeOrder({ ...ORDER, identifier: 'tui-2' }));
    expect(second).toBeInstanceOf(RateLimitError);
    expect(second.message).toMatch(/Upbit blocked order requests for 5\d s/);
    expect(server.requests).toHaveLength(1); // failed fast, nothing sent

    await expect(client.accounts()).resolves.toEqual([]);
    expect(server.requests).toHaveLength(2);
  });
});

describe('cancellation', () => {
  it('aborting while waiting for budget sends nothing and rejects with the reason', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 200, fixture('v1/orders/open/DELETE-200.json'), remaining('order-cancel-all', 0)));
    await client.cancelOpen();
    const controller = new AbortController();
    const waiting = client.cancelOpen({}, { signal: controller.signal });
    controller.abort(new Error('user pressed Esc'));
    await expect(waiting).rejects.toThrow('user pressed Esc');
    expect(server.requests).toHaveLength(1);
  });

  it('aborting after an order was sent leaves its outcome unknown', async () => {
    const { server, client } = await setup(() => undefined);
    const controller = new AbortController();
    const placing = client.placeOrder(ORDER, { signal: controller.signal });
    await waitUntil(() => server.requests.length === 1);
    controller.abort(new Error('shutdown'));
    const error = await failure(placing);
    expect(error).toBeInstanceOf(OrderOutcomeUnknownError);
    expect(error.message).toMatch(/was sent to Upbit and the wait for its answer was cancelled/);
  });

  it('aborting a read in flight rejects with the reason, without retrying', async () => {
    const { server, client } = await setup(() => undefined);
    const controller = new AbortController();
    const reading = client.accounts({ signal: controller.signal });
    await waitUntil(() => server.requests.length === 1);
    controller.abort(new Error('closed the view'));
    await expect(reading).rejects.toThrow('closed the view');
    expect(server.requests).toHaveLength(1);
  });
});

describe('the secret never leaks', () => {
  it('appears in no error and no log line, whatever went wrong', async () => {
    const logger = memoryLogger();
    const answers: Responder[] = [
      (_req, res) => sendJson(res, 401, { error: { name: 'jwt_verification', message: 'Failed to verify the JWT' } }),
      (_req, res) => sendJson(res, 400, { error: { name: 'validation_error', message: 'price is missing' } }),
      (_req, res) => sendText(res, 429, 'Too many API requests.'),
      (_req, res) => sendText(res, 418, 'blocked for 1 seconds'),
      (_req, res) => sendText(res, 500, 'oops'),
      (_req, res) => res.socket?.destroy(),
      (_req, res) => sendText(res, 200, 'not json'),
      () => undefined,
    ];
    const errors: unknown[] = [];
    for (const respond of answers) {
      const { client } = await setup(respond, { logger, headersTimeoutMs: 200, retry: { attempts: 2, baseMs: 1, capMs: 1 } });
      errors.push(await failure(client.accounts()));
      errors.push(await failure(client.placeOrder(ORDER)));
    }
    const port = await freePort();
    const refused = new UpbitRestClient({ baseUrl: `http://127.0.0.1:${port}`, keys: KEYS, logger, retry: { attempts: 1 } });
    clients.push(refused);
    errors.push(await failure(refused.placeOrder(ORDER)));

    expect(errors.length).toBe(answers.length * 2 + 1);
    for (const error of errors) {
      for (const text of everyRendering(error)) {
        expect(text).not.toContain(SECRET_TEXT);
        expect(text).not.toMatch(/Bearer|eyJ[A-Za-z0-9_-]{10,}/);
      }
    }
    const logged = JSON.stringify(logger.records) + inspect(logger.records, { depth: 10 });
    expect(logged).not.toContain(SECRET_TEXT);
    expect(logged).not.toMatch(/Bearer|eyJ[A-Za-z0-9_-]{10,}/);
    expect(inspect(clients, { depth: 6 })).not.toContain(SECRET_TEXT);
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitUntil(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
