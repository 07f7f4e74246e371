/**
 * Full order life cycles through REST and the private stream, on a simulator whose market
 * clock only moves when the test says so: trades happen exactly when `scriptTrade` prints
 * them. Every wait is on a frame or a reply, with a deadline.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { SimServer } from '../../../src/sim/index.js';
import { startSimServer } from '../../../src/sim/index.js';
import { krwTickSize } from '../../../src/upbit/tick-size.js';
import { manualClock } from '../helpers.js';
import type { Account, Reply } from '../rest/client.js';
import { call } from '../rest/client.js';
import { PrivateClient } from './client.js';

const ALICE: Account = { accessKey: 'alice-access', secretKey: 'alice-secret' };
const BOB: Account = { accessKey: 'bob-access', secretKey: 'bob-secret' };
const CODE = 'KRW-BTC';

let server: SimServer;
let clients: PrivateClient[];

const api = (method: string, path: string, opts: Parameters<typeof call>[4] = {}): Promise<Reply> => call(server.restUrl, ALICE, method, path, opts);
const body = (reply: Reply): Record<string, unknown> => reply.json as Record<string, unknown>;

async function connect(account: Account = ALICE): Promise<PrivateClient> {
  const client = await PrivateClient.connect(server.privateWsUrl, { account });
  clients.push(client);
  return client;
}

/** Subscribe to both private types and wait until the server has taken the request. */
async function subscribe(client: PrivateClient, extra: unknown[] = []): Promise<void> {
  client.send([{ ticket: 'life' }, { type: 'myOrder', codes: [CODE] }, { type: 'myAsset' }, ...extra]);
  await client.sync();
}

function lastPrice(): number {
  const price = server.engine.ticker(CODE)?.trade_price;
  if (price === undefined) throw new Error('no ticker');
  return price;
}

const tickAt = (price: number): number => Number(krwTickSize(price));

const myOrders = (client: PrivateClient, uuid: unknown): Array<Record<string, unknown>> => client.messages().filter((m) => m['type'] === 'myOrder' && m['uuid'] === uuid);
const myAssets = (client: PrivateClient, from = 0): Array<Record<string, unknown>> => client.messages(from).filter((m) => m['type'] === 'myAsset');
const asset = (m: Record<string, unknown>, currency: string): Record<string, unknown> | undefined =>
  (m['assets'] as Array<Record<string, unknown>>).find((a) => a['currency'] === currency);

beforeEach(async () => {
  const clock = manualClock();
  clients = [];
  server = await startSimServer({ seed: 5, now: clock.now, markets: [CODE], accounts: [ALICE, BOB] });
});

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
});

describe('private stream life cycles', () => {
  it('sends nothing on subscribe (realtime only), and nothing of other accounts', async () => {
    const alice = await connect();
    const bob = await connect(BOB);
    await subscribe(alice);
    await subscribe(bob);
    expect(alice.messages().filter((m) => m['type'] !== undefined)).toEqual([]);
    const reply = await api('POST', '/v1/orders', { body: { market: CODE, side: 'bid', ord_type: 'price', price: '10000' } });
    expect(reply.status, reply.text).toBe(201);
    await alice.next((m) => m['type'] === 'myOrder', 'alice hears her order');
    await bob.sync();
    expect(bob.messages().filter((m) => m['type'] !== undefined)).toEqual([]);
  });

  it('limit bid: wait → (market trades through) trade → done, myAsset after each change', async () => {
    const ws = await connect();
    await subscribe(ws);
    const last = lastPrice();
    const price = last - 5 * tickAt(last);
    const placed = await api('POST', '/v1/orders', { body: { market: CODE, side: 'bid', ord_type: 'limit', price: String(price), volume: '0.001' } });
    expect(placed.status, placed.text).toBe(201);
    const uuid = body(placed)['uuid'];
    expect(body(placed)['state']).toBe('wait');

    await ws.until(() => myOrders(ws, uuid).length >= 1 && myAssets(ws).length >= 1, 'the wait event and the locked funds');
    expect(myOrders(ws, uuid)[0]).toMatchObject({ state: 'wait', code: CODE, ask_bid: 'BID', order_type: 'limit', price, volume: 0.001, trade_uuid: null, stream_type: 'REALTIME' });
    const locked = price * 0.001 * 1.0005;
    expect(asset(myAssets(ws)[0] ?? {}, 'KRW')).toMatchObject({ locked: expect.closeTo(locked, 6) as unknown });
    const assetsBefore = ws.received.length;

    // The market prints below the bid: the resting order fills as a maker at its own price.
    server.engine.scriptTrade(CODE, price - tickAt(price), { volume: 1 });
    await ws.until(() => myOrders(ws, uuid).some((m) => m['state'] === 'done'), 'the done event');
    const states = myOrders(ws, uuid).map((m) => m['state']);
    expect(states).toEqual(['wait', 'trade', 'done']);
    const trade = myOrders(ws, uuid)[1] ?? {};
    expect(trade).toMatchObject({ price, volume: 0.001, is_maker: true, executed_volume: 0.001 });
    expect(typeof trade['trade_uuid']).toBe('string');
    expect(trade['trade_fee']).toBeCloseTo(price * 0.001 * 0.0005, 6);

    await ws.until(() => myAssets(ws, assetsBefore).some((m) => asset(m, 'BTC') !== undefined), 'BTC in myAsset');
    const after = myAssets(ws, assetsBefore).at(-1) ?? {};
    expect(asset(after, 'BTC')).toMatchObject({ balance: 0.001, locked: 0 });

    const order = await api('GET', '/v1/order', { query: [['uuid', String(uuid)]] });
    expect(body(order)).toMatchObject({ state: 'done', executed_volume: '0.001', remaining_volume: '0', trades_count: 1 });
    expect((body(order)['trades'] as unknown[]).length).toBe(1);
  });

  it('market buy: trade(s) then a terminal state, dust refunded; myAsset reflects it', async () => {
    const ws = await connect();
    await subscribe(ws);
    const placed = await api('POST', '/v1/orders', { body: { market: CODE, side: 'bid', ord_type: 'price', price: '10000' } });
    expect(placed.status, placed.text).toBe(201);
    const uuid = body(placed)['uuid'];
    await ws.until(() => myOrders(ws, uuid).some((m) => m['state'] === 'done' || m['state'] === 'cancel'), 'the terminal event');
    const states = myOrders(ws, uuid).map((m) => m['state']);
    const firstTrade = states.indexOf('trade');
    expect(firstTrade).toBeGreaterThanOrEqual(0);
    expect(states.slice(firstTrade, -1).every((s) => s === 'trade')).toBe(true);
    expect(states.at(-1)).toBe('cancel');
    // As Upbit records it, the cancelled market buy keeps the refunded dust in `locked`.
    const dust = myOrders(ws, uuid).at(-1)?.['locked'];
    expect(dust).toBeGreaterThanOrEqual(0);

    const order = await api('GET', '/v1/order', { query: [['uuid', String(uuid)]] });
    expect(body(order)).toMatchObject({ state: 'cancel', locked: String(dust) });
    await ws.until(() => myAssets(ws).some((m) => asset(m, 'BTC') !== undefined), 'BTC in myAsset');
    const accounts = (await api('GET', '/v1/accounts')).json as Array<Record<string, unknown>>;
    const krw = accounts.find((a) => a['currency'] === 'KRW');
    const lastAsset = myAssets(ws).at(-1) ?? {};
    expect(asset(lastAsset, 'KRW')?.['balance']).toBe(Number(krw?.['balance']));
    expect(krw?.['locked']).toBe('0');
  });

  it('cancel: DELETE answers wait, then the cancel event and the unlocked funds follow', async () => {
    const ws = await connect();
    await subscribe(ws);
    const last = lastPrice();
    const price = last - 20 * tickAt(last);
    const placed = await api('POST', '/v1/orders', { body: { market: CODE, side: 'bid', ord_type: 'limit', price: String(price), volume: '0.001', identifier: 'c-1' } });
    const uuid = body(placed)['uuid'];
    await ws.until(() => myOrders(ws, uuid).length === 1, 'the wait event');
    const from = ws.received.length;

    const cancelled = await api('DELETE', '/v1/order', { query: [['uuid', String(uuid)]] });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(body(cancelled)).toMatchObject({ uuid, state: 'wait', identifier: 'c-1' });

    await ws.until(() => myOrders(ws, uuid).some((m) => m['state'] === 'cancel'), 'the cancel event');
    expect(myOrders(ws, uuid).map((m) => m['state'])).toEqual(['wait', 'cancel']);
    expect(myOrders(ws, uuid).at(-1)).toMatchObject({ identifier: 'c-1', executed_volume: 0, remaining_volume: 0.001 });
    await ws.until(() => myAssets(ws, from).some((m) => asset(m, 'KRW')?.['locked'] === 0), 'the KRW unlocked');
    const order = await api('GET', '/v1/order', { query: [['uuid', String(uuid)]] });
    expect(body(order)['state']).toBe('cancel');
  });

  it('speaks SIMPLE (nested myAsset keys too) and SIMPLE_LIST', async () => {
    const ws = await connect();
    await subscribe(ws, [{ format: 'SIMPLE' }]);
    const placed = await api('POST', '/v1/orders', { body: { market: CODE, side: 'bid', ord_type: 'limit', price: String(lastPrice() - 10 * tickAt(lastPrice())), volume: '0.001' } });
    const uuid = body(placed)['uuid'];
    await ws.until(() => ws.messages().some((m) => m['ty'] === 'myOrder') && ws.messages().some((m) => m['ty'] === 'myAsset'), 'SIMPLE messages');
    expect(ws.messages().find((m) => m['ty'] === 'myOrder')).toMatchObject({ cd: CODE, uid: uuid, s: 'wait', ab: 'BID', st: 'REALTIME' });
    const assetMsg = ws.messages().find((m) => m['ty'] === 'myAsset') ?? {};
    expect(Object.keys(assetMsg).sort()).toEqual(['ast', 'asttms', 'astuid', 'st', 'tms', 'ty']);
    expect(Object.keys((assetMsg['ast'] as Array<Record<string, unknown>>)[0] ?? {}).sort()).toEqual(['b', 'cu', 'l']);
    expect(ws.received.every((r) => r.binary)).toBe(true);

    const from = ws.received.length;
    ws.send([{ ticket: 'l' }, { type: 'myOrder' }, { format: 'SIMPLE_LIST' }]);
    await ws.sync();
    await api('DELETE', '/v1/order', { query: [['uuid', String(uuid)]] });
    await ws.until(() => ws.received.slice(from).some((r) => Array.isArray(r.json)), 'a SIMPLE_LIST frame');
    const list = ws.received.slice(from).find((r) => Array.isArray(r.json))?.json as Array<Record<string, unknown>>;
    expect(list[0]).toMatchObject({ ty: 'myOrder', uid: uuid });
  });
});
