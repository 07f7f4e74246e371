/**
 * The exchange REST endpoints against a real simulator on port 0: Upbit's recorded shapes
 * (test/fixtures/rest/v1/…), JWT auth over HTTP, parameter validation and status codes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { SimServer } from '../../../src/sim/index.js';
import { startSimServer } from '../../../src/sim/index.js';
import { krwTickSize } from '../../../src/upbit/tick-size.js';
import { sha512Hex, signUpbitJwt } from '../auth/sign.js';
import type { Account, CallOptions, Reply } from './client.js';
import { call, errorName, remainingReq } from './client.js';
import { ORDER_OPTIONAL_KEYS, fixture, shapeProblems } from './shape.js';

const ALICE: Account = { accessKey: 'alice-access', secretKey: 'alice-secret' };
const BOB: Account = { accessKey: 'bob-access', secretKey: 'bob-secret' };

let server: SimServer;

const api = (method: string, path: string, opts?: CallOptions, account: Account = ALICE): Promise<Reply> => call(server.restUrl, account, method, path, opts);

const expectShape = (reply: Reply, path: string, optional: readonly string[] = ORDER_OPTIONAL_KEYS): void => {
  expect(shapeProblems(reply.json, fixture(path), optional)).toEqual([]);
};

const record = (reply: Reply): Record<string, unknown> => reply.json as Record<string, unknown>;

/** A bid price well below the market, on the tick grid: it rests. */
function restingBidPrice(code = 'KRW-BTC'): string {
  const last = server.engine.ticker(code)?.trade_price;
  if (last === undefined) throw new Error(`no ticker for ${code}`);
  const tick = Number(krwTickSize(last * 0.8));
  return String(Math.floor((last * 0.8) / tick) * tick);
}

async function placeRestingBid(extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const reply = await api('POST', '/v1/orders', { body: { market: 'KRW-BTC', side: 'bid', ord_type: 'limit', price: restingBidPrice(), volume: '0.001', ...extra } });
  expect(reply.status, reply.text).toBe(201);
  return record(reply);
}

beforeEach(async () => {
  // The limiter's clock stands still, so Remaining-Req counts are exact (each test stays under the limits).
  server = await startSimServer({ seed: 11, markets: ['KRW-BTC', 'KRW-ETH'], accounts: [ALICE, { ...BOB, krw: '5000' }], rateLimits: { clock: () => 0 } });
});

afterEach(async () => {
  await server.close();
});

describe('authentication over HTTP', () => {
  it('accepts HS256 and HS512 and stamps Remaining-Req', async () => {
    for (const alg of ['HS256', 'HS512']) {
      const reply = await api('GET', '/v1/accounts', { sign: { alg } });
      expect(reply.status, reply.text).toBe(200);
    }
    const reply = await api('GET', '/v1/accounts');
    expect(remainingReq(reply)).toEqual({ group: 'default', min: 1800, sec: 27 });
  });

  it.each([
    ['no Authorization header', { authorization: null }, 'no_authorization_token'],
    ['alg none', { sign: { alg: 'none' } }, 'jwt_verification'],
    ['a wrong secret', { sign: { signingKey: 'nope' } }, 'jwt_verification'],
    ['a stray query_hash', { sign: { hashed: 'market=KRW-BTC' } }, 'invalid_query_payload'],
  ] as Array<[string, CallOptions, string]>)('answers %s with 401 %s and Remaining-Req', async (_what, opts, name) => {
    const reply = await api('GET', '/v1/accounts', opts);
    expect(reply.status).toBe(401);
    expect(errorName(reply)).toBe(name);
    expect(remainingReq(reply)?.group).toBe('default');
  });

  it('answers an unknown access key as Upbit recorded it', async () => {
    const reply = await api('GET', '/v1/accounts', {}, { accessKey: 'nobody', secretKey: 'x' });
    expect(reply.status).toBe(401);
    expect(shapeProblems(reply.json, fixture('accounts/GET-401.json'))).toEqual([]);
    expect(errorName(reply)).toBe('invalid_access_key');
  });

  it('refuses a reused nonce', async () => {
    expect((await api('GET', '/v1/accounts', { sign: { nonce: 'once' } })).status).toBe(200);
    const again = await api('GET', '/v1/accounts', { sign: { nonce: 'once' } });
    expect([again.status, errorName(again)]).toEqual([401, 'nonce_used']);
  });

  it('hashes query arrays unencoded and refuses a hash of something else', async () => {
    const query = [
      ['states[]', 'wait'],
      ['states[]', 'watch'],
    ] as const;
    expect((await api('GET', '/v1/orders/open', { query })).status).toBe(200);
    const wrong = await api('GET', '/v1/orders/open', { query, sign: { hashed: 'states=wait&states=watch' } });
    expect([wrong.status, errorName(wrong)]).toEqual([401, 'invalid_query_payload']);
    const missing = await api('GET', '/v1/orders/open', { query, sign: { queryHash: undefined, hashed: undefined, payload: { query_hash: undefined } } });
    expect([missing.status, errorName(missing)]).toEqual([401, 'invalid_query_payload']);
  });

  it('hashes an ISO time unencoded although the URL carries it encoded', async () => {
    const query = [
      ['market', 'KRW-BTC'],
      ['start_time', '2026-11-20T09:00:00+09:00'],
    ] as const;
    const reply = await api('GET', '/v1/orders/closed', { query });
    expect(reply.status, reply.text).toBe(200);
  });

  it('hashes a JSON body in key order', async () => {
    const body = { market: 'KRW-BTC', side: 'bid', volume: '0.001', price: restingBidPrice(), ord_type: 'limit' };
    const sorted = Object.keys(body)
      .sort()
      .map((k) => `${k}=${body[k as keyof typeof body]}`)
      .join('&');
    const bad = await api('POST', '/v1/orders', { body, sign: { hashed: sorted } });
    expect([bad.status, errorName(bad)]).toEqual([401, 'invalid_query_payload']);
    expect((await api('POST', '/v1/orders', { body })).status).toBe(201);
  });

  it('takes pyupbit-style parameters from a GET form body and a DELETE JSON body', async () => {
    const order = await placeRestingBid();
    const uuid = String(order['uuid']);
    // pyupbit: requests.get(url, data={'uuid': …}) with the hash of urlencode(…).
    const get = await api('GET', '/v1/order', { rawBody: `uuid=${uuid}`, contentType: 'application/x-www-form-urlencoded', sign: { hashed: `uuid=${uuid}` } });
    expect(get.status, get.text).toBe(200);
    expect(record(get)['uuid']).toBe(uuid);
    const del = await api('DELETE', '/v1/order', { body: { uuid } });
    expect(del.status, del.text).toBe(200);
  });
});

describe('contract: shapes as Upbit records them', () => {
  it('GET /v1/accounts', async () => {
    const reply = await api('GET', '/v1/accounts');
    expect(reply.status).toBe(200);
    expectShape(reply, 'accounts/GET-200.json');
    expect(reply.json).toEqual([{ currency: 'KRW', balance: '10000000', locked: '0', avg_buy_price: '0', avg_buy_price_modified: true, unit_currency: 'KRW' }]);
  });

  it('GET /v1/orders/chance', async () => {
    const reply = await api('GET', '/v1/orders/chance', { query: [['market', 'KRW-BTC']] });
    expect(reply.status, reply.text).toBe(200);
    expectShape(reply, 'orders/chance/GET-200.json');
    const missing = await api('GET', '/v1/orders/chance');
    expect([missing.status, errorName(missing)]).toEqual([400, 'validation_error']);
  });

  it('POST /v1/orders (limit, 201) and POST /v1/orders/test (201, not queryable)', async () => {
    const reply = await api('POST', '/v1/orders', { body: { market: 'KRW-BTC', side: 'bid', ord_type: 'limit', price: restingBidPrice(), volume: '0.001' } });
    expect(reply.status, reply.text).toBe(201);
    expectShape(reply, 'orders/POST-201.json');
    expect(remainingReq(reply)).toMatchObject({ group: 'order', min: 480 });

    const test = await api('POST', '/v1/orders/test', { body: { market: 'KRW-BTC', side: 'bid', ord_type: 'limit', price: restingBidPrice(), volume: '0.001' } });
    expect(test.status, test.text).toBe(201);
    expectShape(test, 'orders/test/POST-201.json');
    expect(remainingReq(test)).toMatchObject({ group: 'order-test', min: 480 });
    const lookup = await api('GET', '/v1/order', { query: [['uuid', String(record(test)['uuid'])]] });
    expect([lookup.status, errorName(lookup)]).toEqual([404, 'order_not_found']);
  });

  it('POST /v1/orders market buy (price) and market sell (market), then GET /v1/order with trades', async () => {
    const buy = await api('POST', '/v1/orders', { body: { market: 'KRW-BTC', side: 'bid', ord_type: 'price', price: '100000' } });
    expect(buy.status, buy.text).toBe(201);
    expectShape(buy, 'orders/POST-201-price.json');

    const done = await api('GET', '/v1/order', { query: [['uuid', String(record(buy)['uuid'])]] });
    expect(done.status).toBe(200);
    // A market buy has no volume (docs/upbit-protocol.md#exchange-endpoints); otherwise the recorded limit order's shape.
    expectShape(done, 'order/GET-200.json', [...ORDER_OPTIONAL_KEYS, 'volume', 'remaining_volume']);
    expect(record(done)).not.toHaveProperty('volume');
    expect((record(done)['trades'] as unknown[]).length).toBeGreaterThan(0);
    expect(['done', 'cancel']).toContain(record(done)['state']);

    const btc = ((await api('GET', '/v1/accounts')).json as Array<Record<string, unknown>>).find((b) => b['currency'] === 'BTC');
    expect(btc).toBeDefined();
    const sell = await api('POST', '/v1/orders', { body: { market: 'KRW-BTC', side: 'ask', ord_type: 'market', volume: String(btc?.['balance']) } });
    expect(sell.status, sell.text).toBe(201);
    expectShape(sell, 'orders/POST-201-market.json');
  });

  it('DELETE /v1/order answers the order still wait', async () => {
    const order = await placeRestingBid({ identifier: 'cancel-me' });
    const reply = await api('DELETE', '/v1/order', { query: [['identifier', 'cancel-me']] });
    expect(reply.status, reply.text).toBe(200);
    expectShape(reply, 'order/DELETE-200.json');
    expect(record(reply)).toMatchObject({ uuid: order['uuid'], state: 'wait', identifier: 'cancel-me' });
  });

  it('GET /v1/orders/open, /v1/orders/closed and /v1/orders/uuids', async () => {
    const a = await placeRestingBid();
    const b = await placeRestingBid();
    const open = await api('GET', '/v1/orders/open', { query: [['market', 'KRW-BTC']] });
    expect(open.status).toBe(200);
    expectShape(open, 'orders/open/GET-200.json');
    expect((open.json as Array<Record<string, unknown>>).map((o) => o['uuid'])).toEqual([b['uuid'], a['uuid']]);
    const asc = await api('GET', '/v1/orders/open', { query: [['order_by', 'asc'], ['limit', '1']] });
    expect((asc.json as Array<Record<string, unknown>>).map((o) => o['uuid'])).toEqual([a['uuid']]);

    await api('POST', '/v1/orders', { body: { market: 'KRW-BTC', side: 'bid', ord_type: 'price', price: '10000' } });
    const closed = await api('GET', '/v1/orders/closed', { query: [['states[]', 'done'], ['states[]', 'cancel']] });
    expect(closed.status, closed.text).toBe(200);
    expectShape(closed, 'orders/closed/GET-200.json', [...ORDER_OPTIONAL_KEYS, 'volume', 'remaining_volume']);
    expect((closed.json as unknown[]).length).toBe(1);

    const uuids = await api('GET', '/v1/orders/uuids', { query: [['uuids[]', String(a['uuid'])], ['uuids[]', String(b['uuid'])], ['uuids[]', 'unknown']] });
    expect(uuids.status, uuids.text).toBe(200);
    expectShape(uuids, 'orders/uuids/GET-200.json');
    expect((uuids.json as unknown[]).length).toBe(2);
  });

  it('DELETE /v1/orders/uuids', async () => {
    const a = await placeRestingBid();
    const reply = await api('DELETE', '/v1/orders/uuids', { query: [['uuids[]', String(a['uuid'])], ['uuids[]', 'unknown-uuid']] });
    expect(reply.status, reply.text).toBe(200);
    expectShape(reply, 'orders/uuids/DELETE-200.json');
    expect(reply.json).toMatchObject({ success: { count: 1, orders: [{ uuid: a['uuid'], market: 'KRW-BTC' }] }, failed: { count: 1 } });
  });

  it('DELETE /v1/orders/open (group order-cancel-all)', async () => {
    await placeRestingBid();
    await placeRestingBid({ identifier: 'second' });
    const reply = await api('DELETE', '/v1/orders/open', { query: [['pairs', 'KRW-BTC'], ['cancel_side', 'bid']] });
    expect(reply.status, reply.text).toBe(200);
    expectShape(reply, 'orders/open/DELETE-200.json');
    expect(reply.json).toMatchObject({ success: { count: 2 }, failed: { count: 0, orders: [] } });
    expect(remainingReq(reply)).toEqual({ group: 'order-cancel-all', min: 30, sec: 0 });
  });

  it('POST /v1/orders/cancel_and_new (200)', async () => {
    const order = await placeRestingBid();
    const reply = await api('POST', '/v1/orders/cancel_and_new', {
      body: { prev_order_uuid: order['uuid'], new_ord_type: 'limit', new_price: restingBidPrice(), new_volume: '0.002', new_identifier: 'replacement' },
    });
    expect(reply.status, reply.text).toBe(200);
    expectShape(reply, 'orders/cancel_and_new/POST-200.json');
    expect(record(reply)).toMatchObject({ uuid: order['uuid'], new_order_identifier: 'replacement' });
    expect(typeof record(reply)['new_order_uuid']).toBe('string');
  });
});

describe('validation', () => {
  it('refuses form-encoded and non-JSON POST bodies with 400', async () => {
    const form = await api('POST', '/v1/orders', {
      rawBody: 'market=KRW-BTC&side=bid&ord_type=price&price=10000',
      contentType: 'application/x-www-form-urlencoded',
      sign: { hashed: 'market=KRW-BTC&side=bid&ord_type=price&price=10000' },
    });
    expect([form.status, errorName(form)]).toEqual([400, 'validation_error']);
    expect(String((form.json as { error: { message: string } }).error.message)).toMatch(/JSON/);
    const broken = await api('POST', '/v1/orders', { rawBody: '{"market":', contentType: 'application/json' });
    expect([broken.status, errorName(broken)]).toEqual([400, 'validation_error']);
  });

  it.each([
    ['GET', '/v1/orders/open', [['limit', '101']]],
    ['GET', '/v1/orders/open', [['state', 'done']]],
    ['GET', '/v1/orders/open', [['state', 'wait'], ['states[]', 'wait']]],
    ['GET', '/v1/orders/open', [['order_by', 'newest']]],
    ['GET', '/v1/orders/closed', [['limit', '1001']]],
    ['GET', '/v1/orders/closed', [['start_time', '1700000000000'], ['end_time', String(1_700_000_000_000 + 8 * 86_400_000)]]],
    ['GET', '/v1/orders/closed', [['start_time', 'yesterday']]],
    ['GET', '/v1/orders/closed', [['start_time', '2026-11-20 09:00:00 09:00']]],
    ['GET', '/v1/orders/uuids', []],
    ['GET', '/v1/orders/uuids', [['uuids[]', 'a'], ['identifiers[]', 'b']]],
    ['GET', '/v1/orders/uuids', Array.from({ length: 101 }, (_, i) => ['uuids[]', `u${i}`])],
    ['DELETE', '/v1/orders/uuids', Array.from({ length: 21 }, (_, i) => ['uuids[]', `u${i}`])],
    ['GET', '/v1/order', []],
    ['DELETE', '/v1/orders/open', [['pairs', 'KRW-BTC'], ['quote_currencies', 'KRW']]],
    ['DELETE', '/v1/orders/open', [['count', '301']]],
  ] as Array<[string, string, Array<[string, string]>]>)('%s %s %j → 400 validation_error', async (method, path, query) => {
    const reply = await api(method, path, { query });
    expect([reply.status, errorName(reply)], reply.text).toEqual([400, 'validation_error']);
  });

  it('takes closed-order times as ms, ISO with an offset, or ISO without one (as KST)', async () => {
    for (const start of ['1763596800000', '2026-11-20T09:00:00+09:00', '2026-11-20T00:00:00Z', '2026-11-20T09:00:00', '2026-11-20']) {
      const reply = await api('GET', '/v1/orders/closed', { query: [['start_time', start]] });
      expect(reply.status, `${start}: ${reply.text}`).toBe(200);
    }
  });

  it('takes query parameters only on DELETE /v1/orders/uuids', async () => {
    const reply = await api('DELETE', '/v1/orders/uuids', { body: { uuids: ['a'] } });
    expect([reply.status, errorName(reply)]).toEqual([400, 'validation_error']);
  });

  it("passes the engine's refusals through with Upbit's names", async () => {
    const poor = await api('POST', '/v1/orders', { body: { market: 'KRW-BTC', side: 'bid', ord_type: 'price', price: '10000' } }, BOB);
    expect([poor.status, errorName(poor)]).toEqual([400, 'insufficient_funds_bid']);
    const unknown = await api('GET', '/v1/order', { query: [['uuid', 'no-such-order']] });
    expect([unknown.status, errorName(unknown)]).toEqual([404, 'order_not_found']);
  });

  it('keeps accounts apart', async () => {
    const order = await placeRestingBid();
    const reply = await api('GET', '/v1/order', { query: [['uuid', String(order['uuid'])]] }, BOB);
    expect(reply.status).toBe(404);
  });

  it('signs the query hash over what the client hashed, not what the server decoded, for raw strings', async () => {
    // A raw encoded query hashed as sent (no decoding) is accepted too.
    const raw = 'market=KRW-BTC&start_time=2026-11-20T09%3A00%3A00%2B09%3A00';
    const token = signUpbitJwt(ALICE.accessKey, ALICE.secretKey, { queryHash: sha512Hex(raw) });
    const reply = await call(server.restUrl, undefined, 'GET', `/v1/orders/closed?${raw}`, { authorization: `Bearer ${token}` });
    expect(reply.status, reply.text).toBe(200);
  });
});
