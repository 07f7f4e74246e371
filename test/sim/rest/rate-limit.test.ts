/**
 * Rate limits over HTTP: `Remaining-Req` on every response, 429 past the limit, 418 for a
 * client that keeps going, recovery after the block. The limiter's clock is injected, so a
 * window never rolls over by accident and a block ends exactly when the test moves time.
 */
import { afterEach, describe, expect, it } from 'vitest';

import type { SimOptions, SimServer } from '../../../src/sim/index.js';
import { startSimServer } from '../../../src/sim/index.js';
import type { Account, Reply } from './client.js';
import { call, errorName, remainingReq } from './client.js';

const ALICE: Account = { accessKey: 'alice-access', secretKey: 'alice-secret' };
const BOB: Account = { accessKey: 'bob-access', secretKey: 'bob-secret' };

let server: SimServer;
let t = 0;

async function sim(rateLimits: SimOptions['rateLimits'] = {}): Promise<SimServer> {
  t = 0;
  server = await startSimServer({ seed: 1, markets: ['KRW-BTC'], accounts: [ALICE, BOB], rateLimits: { clock: () => t, ...rateLimits } });
  return server;
}

const accounts = (account: Account = ALICE): Promise<Reply> => call(server.restUrl, account, 'GET', '/v1/accounts');
const message = (reply: Reply): string => String((reply.json as { error?: { message?: unknown } } | undefined)?.error?.message);

afterEach(async () => {
  await server.close();
});

describe('REST rate limits', () => {
  it('counts down Remaining-Req sec per account, on success and on error alike', async () => {
    await sim({ groups: { default: { limit: 3 } } });
    const replies = [await accounts(), await accounts(), await accounts()];
    expect(replies.map((r) => r.headers['remaining-req'])).toEqual([
      'group=default; min=1800; sec=2',
      'group=default; min=1800; sec=1',
      'group=default; min=1800; sec=0',
    ]);
    // Another account has its own bucket; an order-not-found 404 still carries the header.
    const notFound = await call(server.restUrl, BOB, 'GET', '/v1/order', { query: [['uuid', 'nope']] });
    expect([notFound.status, notFound.headers['remaining-req']]).toEqual([404, 'group=default; min=1800; sec=2']);
    // A request that fails auth counts against the IP, and says so in the header too.
    const unauth = await call(server.restUrl, undefined, 'GET', '/v1/accounts');
    expect([unauth.status, unauth.headers['remaining-req']]).toEqual([401, 'group=default; min=1800; sec=2']);
    // Validation errors too.
    const invalid = await call(server.restUrl, BOB, 'GET', '/v1/orders/open', { query: [['limit', '0']] });
    expect([invalid.status, remainingReq(invalid)]).toEqual([400, { group: 'default', min: 1800, sec: 1 }]);
  });

  it('answers 429 past the limit, 418 after blockAfter more, and recovers after blockMs', async () => {
    await sim({ groups: { default: { limit: 2 } }, blockAfter: 2, blockMs: 30_000 });
    expect([(await accounts()).status, (await accounts()).status]).toEqual([200, 200]);

    const limited = [await accounts(), await accounts()];
    for (const reply of limited) {
      expect(reply.status).toBe(429);
      expect(remainingReq(reply)).toEqual({ group: 'default', min: 1800, sec: 0 });
      expect(errorName(reply)).toBe('too_many_requests');
      expect(message(reply)).toBe('Too many API requests.');
    }

    const blocked = await accounts();
    expect(blocked.status).toBe(418);
    expect(remainingReq(blocked)).toEqual({ group: 'default', min: 1800, sec: 0 });
    expect(message(blocked)).toMatch(/blocked for 30 seconds/);

    // The block covers the account's other groups and outlasts the 1 s window.
    t += 1_000;
    const order = await call(server.restUrl, ALICE, 'POST', '/v1/orders', { body: { market: 'KRW-BTC', side: 'bid', ord_type: 'price', price: '10000' } });
    expect([order.status, remainingReq(order)?.group]).toEqual([418, 'order']);
    expect(message(order)).toMatch(/blocked for 29 seconds/);
    expect((await accounts(BOB)).status).toBe(200);

    t += 29_000;
    const back = await accounts();
    expect([back.status, remainingReq(back)?.sec]).toEqual([200, 1]);
  });

  it('limits DELETE /v1/orders/open to one call per 2 s', async () => {
    await sim();
    const cancelAll = (): Promise<Reply> => call(server.restUrl, ALICE, 'DELETE', '/v1/orders/open');
    const first = await cancelAll();
    expect([first.status, first.headers['remaining-req']]).toEqual([200, 'group=order-cancel-all; min=30; sec=0']);
    expect((await cancelAll()).status).toBe(429);
    t += 2_000;
    expect((await cancelAll()).status).toBe(200);
  });

  it('names the order, order-test groups with their limits', async () => {
    await sim();
    const body = { market: 'KRW-BTC', side: 'bid', ord_type: 'price', price: '10000' };
    const test = await call(server.restUrl, ALICE, 'POST', '/v1/orders/test', { body });
    expect(test.headers['remaining-req']).toBe('group=order-test; min=480; sec=7');
    const order = await call(server.restUrl, ALICE, 'POST', '/v1/orders', { body });
    expect(order.headers['remaining-req']).toBe('group=order; min=480; sec=11');
  });

  it.each([
    ['/v1/market/all', 'market'],
    ['/v1/ticker?markets=KRW-BTC', 'ticker'],
    ['/v1/orderbook?markets=KRW-BTC', 'orderbook'],
    ['/v1/trades/ticks?market=KRW-BTC', 'crix-trades'],
    ['/v1/candles/minutes/1?market=KRW-BTC', 'candles'],
  ])('limits quotation %s per IP as group %s (10/s, min=600), 429 with an integer name', async (path, group) => {
    await sim();
    const get = (): Promise<Reply> => call(server.restUrl, undefined, 'GET', path);
    const first = await get();
    expect([first.status, first.headers['remaining-req']]).toEqual([200, `group=${group}; min=600; sec=9`]);
    for (let i = 0; i < 9; i++) await get();
    const over = await get();
    expect([over.status, over.headers['remaining-req'], errorName(over)]).toEqual([429, `group=${group}; min=600; sec=0`, 429]);
  });
});
