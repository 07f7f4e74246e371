/**
 * The private client against the embedded exchange's `/websocket/v1/private` on port 0: real
 * JWT verification (single-use nonces, so a reused token would be refused), real order and
 * balance events. Orders are placed on the exchange model directly; every wait is on what the
 * client reports.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer } from '../../src/sim/index.js';
import { CREDENTIALS_REFUSED, PrivateClient, type ConnectionStatus, type PrivateClientOptions } from '../../src/upbit/private-client.js';
import type { MyAssetEvent, MyOrderEvent } from '../../src/upbit/types.js';
import { waitFor } from '../helpers/wait-for.js';

interface Account {
  accessKey: string;
  secretKey: string;
}

const ALICE: Account = { accessKey: 'alice-access', secretKey: 'alice-secret' };
const CODE = 'KRW-BTC';

/** Upbit's handshake JWT (docs/upbit-protocol.md#websocket-transport, #authentication): HS512 over `{access_key, nonce}`, no query hash. */
function bearer(account: Account): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const signed = `${part({ alg: 'HS512', typ: 'JWT' })}.${part({ access_key: account.accessKey, nonce: randomUUID() })}`;
  return `Bearer ${signed}.${createHmac('sha512', Buffer.from(account.secretKey, 'utf8')).update(signed).digest('base64url')}`;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sim(opts: Parameters<typeof startSimServer>[0] = {}): Promise<SimServer> {
  const server = await startSimServer({ port: 0, seed: 5, markets: [CODE], accounts: [ALICE], ...opts });
  cleanups.push(() => server.close());
  return server;
}

function start(server: SimServer, account: Account, opts: Partial<PrivateClientOptions> = {}) {
  const orders: MyOrderEvent[] = [];
  const assets: MyAssetEvent[] = [];
  const statuses: ConnectionStatus[] = [];
  const reconnected: number[] = [];
  const client = new PrivateClient({
    url: server.privateWsUrl,
    authorization: () => bearer(account),
    backoff: { baseMs: 20, capMs: 200 },
    ...opts,
    onOrder: (e) => orders.push(e),
    onAsset: (e) => assets.push(e),
    onStatus: (s) => statuses.push(s),
    onReconnected: ({ connection }) => reconnected.push(connection),
  });
  client.setSubscriptions({ myOrder: { codes: [CODE] }, myAsset: true });
  const controller = new AbortController();
  const done = client.run(controller.signal);
  cleanups.unshift(async () => {
    controller.abort();
    await done;
  });
  return { client, orders, assets, statuses, reconnected };
}

/**
 * Upbit does not acknowledge a subscription, so "the server has taken our request" is seen
 * by its effect: market-buy 10,000 KRW until an order event for one of ours arrives.
 */
async function buyUntilHeard(server: SimServer, h: ReturnType<typeof start>): Promise<string> {
  const placed: string[] = [];
  await waitFor(() => {
    placed.push(server.exchange.place(ALICE.accessKey, { market: CODE, side: 'bid', ord_type: 'price', price: '10000' }).uuid);
    return h.orders.some((o) => placed.includes(o.uuid));
  }, 'an order event for a buy we placed');
  const heard = h.orders.find((o) => placed.includes(o.uuid))?.uuid;
  if (heard === undefined) throw new Error('unreachable');
  return heard;
}

describe('PrivateClient against the embedded exchange', () => {
  it.each(['DEFAULT', 'SIMPLE'] as const)('receives fills and balances that match the exchange exactly (%s)', async (format) => {
    const server = await sim();
    const h = start(server, ALICE, { format });
    await waitFor(() => h.reconnected.length === 1, 'the first connection');
    const uuid = await buyUntilHeard(server, h);
    // A market buy by total ends `cancel` when the leftover KRW buys less than a volume unit, as on Upbit.
    const terminal = (o: MyOrderEvent): boolean => o.uuid === uuid && (o.state === 'done' || o.state === 'cancel');
    await waitFor(() => h.orders.some(terminal), 'the buy to end');
    const order = server.exchange.get(ALICE.accessKey, { uuid });
    const events = h.orders.filter((o) => o.uuid === uuid);
    const fills = events.flatMap((o) => (o.fill === null ? [] : [o.fill]));
    expect(fills.map((f) => f.tradeUuid)).toEqual(order.trades.map((t) => t.uuid));
    for (const [i, f] of fills.entries()) {
      const t = order.trades[i];
      expect(f.price.eq(t?.price.toString() ?? 'NaN')).toBe(true);
      expect(f.volume.eq(t?.volume.toString() ?? 'NaN')).toBe(true);
      expect(f.fee?.eq(t?.fee.toString() ?? 'NaN')).toBe(true);
    }
    expect(fills.length).toBeGreaterThan(0);
    const done = events.find(terminal);
    expect(done).toMatchObject({ market: CODE, side: 'bid', orderType: 'price', state: order.state, fill: null });
    expect(done?.executedVolume?.eq(order.executedVolume.toString())).toBe(true);
    expect(done?.paidFee?.eq(order.paidFee.toString())).toBe(true);

    await waitFor(() => h.assets.some((a) => a.balances.some((b) => b.currency === 'BTC')), 'a BTC balance');
    const btc = h.assets.flatMap((a) => a.balances).filter((b) => b.currency === 'BTC').at(-1);
    await waitFor(() => {
      const latest = h.assets.flatMap((a) => a.balances).filter((b) => b.currency === 'BTC').at(-1);
      const engine = server.exchange.balances(ALICE.accessKey).find((b) => b.currency === 'BTC');
      return latest !== undefined && engine !== undefined && latest.balance.eq(engine.balance.toString());
    }, 'the streamed BTC balance to equal the exchange');
    expect(btc?.locked.isZero()).toBe(true);
    expect(h.client.stats().invalid).toBe(0);
  });

  it('reconnects after a drop with a fresh token (nonces are single-use), resubscribes and reports each connection', async () => {
    const server = await sim();
    const h = start(server, ALICE);
    await waitFor(() => h.reconnected.length === 1, 'the first connection');
    await buyUntilHeard(server, h);
    server.dropConnections();
    await waitFor(() => h.reconnected.length === 2, 'the second connection');
    server.dropConnections();
    await waitFor(() => h.reconnected.length === 3, 'the third connection');
    expect(h.reconnected).toEqual([1, 2, 3]);
    const before = h.orders.length;
    await buyUntilHeard(server, h);
    expect(h.orders.length).toBeGreaterThan(before);
    expect(h.statuses.filter((s) => s.state === 'offline')).toEqual([]);
  });

  it.each(['http401', 'errorFrame'] as const)('a wrong secret is offline with the credentials reason (%s)', async (privateAuthFailure) => {
    const server = await sim({ privateAuthFailure });
    const h = start(server, { accessKey: ALICE.accessKey, secretKey: 'not-the-secret' });
    await waitFor(() => h.statuses.filter((s) => s.state === 'offline').length >= 2, 'two offline reports', 5_000);
    expect(h.statuses.find((s) => s.state === 'offline')).toMatchObject({ reason: CREDENTIALS_REFUSED });
    expect(h.orders).toEqual([]);
  });
});
