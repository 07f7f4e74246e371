/**
 * The REST client against the embedded exchange (src/sim) on port 0: real JWT verification,
 * real `Remaining-Req`, real order lifecycle, and the simulator's HTTP faults.
 */
import { randomUUID } from 'node:crypto';

import { Decimal } from 'decimal.js';
import { afterEach, describe, expect, it } from 'vitest';

import { memoryLogger } from '../../../src/runtime/logger.js';
import { startSimServer, type SimServer } from '../../../src/sim/index.js';
import { Secret, type ApiKeys } from '../../../src/upbit/credentials.js';
import { UpbitRestClient, type UpbitRestClientOptions } from '../../../src/upbit/rest/client.js';
import { OrderNotFoundError, OrderOutcomeUnknownError, RateLimitError, UserActionError } from '../../../src/upbit/rest/errors.js';
import type { OrderRequest } from '../../../src/upbit/rest/types.js';
import { waitFor } from '../../helpers/wait-for.js';

const ACCOUNT = { accessKey: 'sim-access-key', secretKey: 'sim-secret-key-never-logged' };
const KEYS: ApiKeys = { accessKey: ACCOUNT.accessKey, secretKey: new Secret(ACCOUNT.secretKey), source: 'test' };

let server: SimServer | undefined;
const clients: UpbitRestClient[] = [];

async function setup(sim: Parameters<typeof startSimServer>[0] = {}, options: UpbitRestClientOptions = {}): Promise<{ sim: SimServer; client: UpbitRestClient }> {
  server = await startSimServer({ seed: 7, markets: ['KRW-BTC', 'KRW-ETH'], accounts: [ACCOUNT], ...sim });
  const client = new UpbitRestClient({ baseUrl: server.restUrl, keys: KEYS, retry: { baseMs: 1, capMs: 10 }, ...options });
  clients.push(client);
  return { sim: server, client };
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server?.close();
  server = undefined;
});

/** A limit bid 20 % under the last price, on the market's own tick: it rests on the book. */
async function restingBid(client: UpbitRestClient, identifier = `t-${randomUUID()}`): Promise<OrderRequest> {
  const [[instrument], [ticker]] = await Promise.all([client.instruments(['KRW-BTC']), client.tickers(['KRW-BTC'])]);
  if (instrument === undefined || ticker === undefined) throw new Error('no KRW-BTC');
  const tick: Decimal = instrument.tickSize;
  const price = ticker.tradePrice.mul(0.8).div(tick).floor().mul(tick);
  // About 20,000 KRW: above the 5,000 KRW minimum, far below the account's 10,000,000.
  const volume = new Decimal(20_000).div(price).toDecimalPlaces(8, Decimal.ROUND_UP);
  return { market: 'KRW-BTC', side: 'bid', ordType: 'limit', price, volume, identifier };
}

describe('against the embedded exchange', () => {
  it('reads the startup set in parallel, places, finds by identifier and cancels', async () => {
    const { client } = await setup();
    const [accounts, chance, instruments, tickers, books, markets] = await Promise.all([
      client.accounts(),
      client.chance('KRW-BTC'),
      client.instruments(['KRW-BTC', 'KRW-ETH']),
      client.tickers(['KRW-BTC', 'KRW-ETH']),
      client.orderbook(['KRW-BTC'], 5),
      client.marketAll({ details: true }),
    ]);
    expect(accounts.find((a) => a.currency === 'KRW')?.balance.toString()).toBe('10000000');
    expect(chance.market.id).toBe('KRW-BTC');
    expect(chance.bidFee.gt(0)).toBe(true);
    expect(instruments.map((i) => i.market)).toEqual(['KRW-BTC', 'KRW-ETH']);
    expect(tickers).toHaveLength(2);
    expect(books[0]?.units.length).toBeLessThanOrEqual(5);
    expect(markets.map((m) => m.market)).toContain('KRW-ETH');

    const [minutes, days] = await Promise.all([client.candles('KRW-BTC', 1, 200), client.candles('KRW-BTC', 'days', 3)]);
    expect(minutes).toHaveLength(200);
    expect(minutes[0]!.start - minutes[1]!.start).toBe(60_000); // newest first, one a minute
    expect(minutes.every((c) => c.low.lte(c.high) && c.volume.gte(0))).toBe(true);
    expect(days.map((d) => d.start % 86_400_000)).toEqual([0, 0, 0]);

    const request = await restingBid(client);
    const placed = await client.placeOrder(request);
    expect(placed).toMatchObject({ identifier: request.identifier, state: 'wait', side: 'bid', ordType: 'limit' });
    expect(placed.price?.equals(request.price ?? 0)).toBe(true);

    const found = await client.getOrder({ identifier: request.identifier });
    expect(found.uuid).toBe(placed.uuid);
    expect(found.trades).toEqual([]);
    expect((await client.openOrders({ market: 'KRW-BTC' })).map((o) => o.uuid)).toContain(placed.uuid);
    expect(await client.ordersByIds({ identifiers: [request.identifier] })).toHaveLength(1);

    const cancelling = await client.cancelOrder({ identifier: request.identifier });
    expect(cancelling.uuid).toBe(placed.uuid);
    await waitFor(async () => (await client.getOrder({ uuid: placed.uuid })).state === 'cancel', 'the cancel to complete');
    expect((await client.closedOrders({ market: 'KRW-BTC', states: ['cancel'] })).map((o) => o.uuid)).toContain(placed.uuid);
  });

  it('the simulator accepts HS256 and HS512 JWTs, for queries and bodies', async () => {
    const { sim } = await setup();
    for (const jwtAlgorithm of ['HS256', 'HS512'] as const) {
      const client = new UpbitRestClient({ baseUrl: sim.restUrl, keys: KEYS, jwtAlgorithm });
      clients.push(client);
      await client.accounts();
      await client.closedOrders({ states: ['done', 'cancel'], startTime: Date.now() - 3_600_000 });
      await client.testOrder(await restingBid(client));
    }
  });

  it('refusals come back as UserActionErrors', async () => {
    const { client } = await setup();
    const request = await restingBid(client);
    const offTick = request.price?.plus(1);
    const error = await client.placeOrder({ ...request, price: offTick }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UserActionError);
    expect((error as UserActionError).upbitName).toBe('invalid_price_bid');
    const missing = await client.getOrder({ identifier: 'never-placed' }).catch((err: unknown) => err);
    expect(missing).toBeInstanceOf(OrderNotFoundError);
  });

  it('an order committed but never answered is unknown, then found by identifier exactly once', async () => {
    const { sim, client } = await setup();
    const request = await restingBid(client);
    sim.faults.nextHttp.push({ kind: 'dropAfter', match: { method: 'POST', path: '/v1/orders' } });
    const error = await client.placeOrder(request).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(OrderOutcomeUnknownError);
    expect((error as OrderOutcomeUnknownError).identifier).toBe(request.identifier);
    const resolved = await client.getOrder({ identifier: request.identifier });
    expect(resolved.state).toBe('wait');
    const open = await client.openOrders({ market: 'KRW-BTC' });
    expect(open.filter((o) => o.identifier === request.identifier)).toHaveLength(1);
  });

  it('an order dropped before the exchange saw it is unknown, then proven absent', async () => {
    const { sim, client } = await setup();
    const request = await restingBid(client);
    sim.faults.nextHttp.push({ kind: 'dropBefore', match: { method: 'POST', path: '/v1/orders' } });
    await expect(client.placeOrder(request)).rejects.toBeInstanceOf(OrderOutcomeUnknownError);
    await expect(client.getOrder({ identifier: request.identifier })).rejects.toBeInstanceOf(OrderNotFoundError);
  });

  it('5xx, resets and 429 on reads are retried; on orders they are not', async () => {
    const { sim, client } = await setup();
    sim.faults.nextHttp.push({ kind: 'status5xx', status: 503, match: { path: '/v1/accounts' } }, { kind: 'reset', match: { path: '/v1/accounts' } });
    await expect(client.accounts()).resolves.toHaveLength(1);
    sim.faults.nextHttp.push({ kind: 'status429', match: { path: '/v1/accounts' } });
    await expect(client.accounts()).resolves.toHaveLength(1);
    // Bounded: three faults in a row exhaust the three attempts.
    sim.faults.nextHttp.push({ kind: 'status5xx', status: 500, match: { path: '/v1/accounts' } }, { kind: 'dropBefore', match: { path: '/v1/accounts' } }, { kind: 'status5xx', status: 503, match: { path: '/v1/accounts' } });
    await expect(client.accounts()).rejects.toThrow(/HTTP 503 .*\(3 attempts\)/);
    await expect(client.accounts()).resolves.toHaveLength(1);

    const request = await restingBid(client);
    sim.faults.nextHttp.push({ kind: 'status5xx', status: 502, match: { method: 'POST', path: '/v1/orders' } });
    await expect(client.placeOrder(request)).rejects.toBeInstanceOf(OrderOutcomeUnknownError);
    await expect(client.getOrder({ identifier: request.identifier })).rejects.toBeInstanceOf(OrderNotFoundError);
  });

  it("a forced 418 halts the order group with the simulator's block time; reads go on", async () => {
    const { sim, client } = await setup();
    const request = await restingBid(client);
    sim.faults.nextHttp.push({ kind: 'status418', match: { method: 'POST', path: '/v1/orders' } });
    const error = await client.placeOrder(request).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).message).toMatch(/^Upbit blocked order requests for 10 s after too many requests; wait until \d\d:\d\d:\d\d\./);
    await expect(client.placeOrder({ ...request, identifier: `t-${randomUUID()}` })).rejects.toThrow(/blocked order requests/);
    await expect(client.accounts()).resolves.toHaveLength(1);
  });

  it("paces requests by the simulator's Remaining-Req instead of drawing 429s", async () => {
    const logger = memoryLogger();
    const { client } = await setup({ rateLimits: { groups: { default: { limit: 3 } } } }, { logger });
    const started = Date.now();
    for (let i = 0; i < 5; i++) await client.accounts();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(logger.records.filter((r) => /429|retrying/.test(r.msg ?? ''))).toEqual([]);
  });
});
