import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger, type LogRecord } from '../../src/runtime/logger.js';
import { isRecord } from '../../src/upbit/json-narrow.js';
import { CREDENTIALS_REFUSED, PrivateClient, type ConnectionStatus, type PrivateClientOptions, type PrivateSubscriptions } from '../../src/upbit/private-client.js';
import type { MyAssetEvent, MyOrderEvent } from '../../src/upbit/types.js';
import { waitFor } from '../helpers/wait-for.js';
import { FakePrivateUpbit } from './fake-private.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const BOTH: PrivateSubscriptions = { myOrder: { codes: ['KRW-BTC', 'KRW-ETH'] }, myAsset: true };

function fixture(name: string): Record<string, unknown> {
  const value: unknown = JSON.parse(readFileSync(new URL(`../fixtures/ws/${name}`, import.meta.url), 'utf8'));
  if (!isRecord(value)) throw new Error(`${name} is not an object`);
  return value;
}

interface Harness {
  client: PrivateClient;
  orders: MyOrderEvent[];
  assets: MyAssetEvent[];
  statuses: Array<ConnectionStatus & { at: number }>;
  reconnected: number[];
  invalid: string[];
  /** Every token handed out, in order. */
  tokens: string[];
  logs: LogRecord[];
  stop(): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function fake(opts?: { autoPong?: boolean }): Promise<FakePrivateUpbit> {
  const server = await FakePrivateUpbit.start(opts);
  cleanups.unshift(() => server.close());
  return server;
}

function startClient(opts: Partial<PrivateClientOptions> & { url: string }, subs: PrivateSubscriptions = BOTH): Harness {
  const h: Omit<Harness, 'client' | 'stop'> = { orders: [], assets: [], statuses: [], reconnected: [], invalid: [], tokens: [], logs: [] };
  const logger = memoryLogger(h.logs);
  const client = new PrivateClient({
    backoff: { baseMs: 20, capMs: 100 },
    authorization: () => {
      const token = `Bearer eyJhbGciOiJIUzUxMiJ9.tok${h.tokens.length + 1}.sig`;
      h.tokens.push(token);
      return token;
    },
    ...opts,
    logger,
    onOrder: (e) => h.orders.push(e),
    onAsset: (e) => h.assets.push(e),
    onStatus: (s) => {
      h.statuses.push({ ...s, at: Date.now() });
      opts.onStatus?.(s);
    },
    onReconnected: ({ connection }) => h.reconnected.push(connection),
    onInvalid: (r) => h.invalid.push(r),
  });
  client.setSubscriptions(subs);
  const controller = new AbortController();
  const done = client.run(controller.signal);
  const stop = async (): Promise<void> => {
    controller.abort();
    await done;
  };
  cleanups.push(stop);
  return { ...h, client, stop };
}

const isLive = (h: Harness): boolean => h.statuses.at(-1)?.state === 'live';

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

describe('PrivateClient: handshake and request', () => {
  it('signs the upgrade with a fresh Bearer token and sends [ticket, myOrder codes, myAsset, format]', async () => {
    const server = await fake();
    const h = startClient({ url: server.url });
    await waitFor(() => server.connections[0]?.requests.length === 1, 'the first request');
    expect(server.upgrades.map((u) => u.authorization)).toEqual([h.tokens[0]]);
    expect(server.latest().requests[0]).toEqual([
      { ticket: expect.stringMatching(UUID) as unknown },
      { type: 'myOrder', codes: ['KRW-BTC', 'KRW-ETH'] },
      { type: 'myAsset' },
      { format: 'DEFAULT' },
    ]);
    await waitFor(() => h.reconnected.length === 1, 'onReconnected');
    expect(h.reconnected).toEqual([1]);
    expect(h.statuses.map((s) => s.state)).toEqual(['connecting', 'live']);
  });

  it('asks for every market by leaving out codes, never sends codes on myAsset, and resends the whole set on change', async () => {
    const server = await fake();
    const h = startClient({ url: server.url, format: 'SIMPLE' }, { myOrder: {}, myAsset: false });
    await waitFor(() => server.connections[0]?.requests.length === 1, 'the first request');
    expect(server.latest().requests[0]).toEqual([expect.anything(), { type: 'myOrder' }, { format: 'SIMPLE' }]);
    h.client.setSubscriptions({ myOrder: { codes: [] }, myAsset: true });
    await waitFor(() => server.latest().requests.length === 2, 'the second request');
    expect(server.latest().requests[1]).toEqual([expect.anything(), { type: 'myOrder' }, { type: 'myAsset' }, { format: 'SIMPLE' }]);
    h.client.setSubscriptions({ myOrder: null, myAsset: true });
    await waitFor(() => server.latest().requests.length === 3, 'the third request');
    expect(server.latest().requests[2]).toEqual([expect.anything(), { type: 'myAsset' }, { format: 'SIMPLE' }]);
    expect(h.client.subscriptions()).toEqual({ myOrder: null, myAsset: true });
    expect(server.connections).toHaveLength(1);
  });

  it('delivers myOrder and myAsset from binary frames (DEFAULT and SIMPLE) and text frames', async () => {
    const server = await fake();
    const h = startClient({ url: server.url });
    await waitFor(() => isLive(h), 'live');
    server.send(fixture('my-order-trade-default.json'));
    server.send(fixture('my-order-done-simple.json'));
    server.send(fixture('my-asset-simple.json'), { binary: false });
    server.send({ status: 'UP' });
    server.send('{"type":"myOrder"');
    await waitFor(() => h.orders.length === 2 && h.assets.length === 1, 'two orders and an asset');
    expect(h.orders.map((o) => [o.state, o.fill?.tradeUuid ?? null])).toEqual([
      ['trade', '68315169-fba4-4175-ade3-aff14a616657'],
      ['done', null],
    ]);
    expect(h.orders[0]?.fill?.volume.toFixed()).toBe('0.001');
    expect(h.assets[0]?.balances.map((b) => [b.currency, b.balance.toFixed()])).toEqual([
      ['KRW', '1386929.3723106678'],
      ['BTC', '0.001'],
    ]);
    await waitFor(() => h.invalid.length === 1, 'the truncated frame counted');
    expect(h.client.stats()).toMatchObject({ messages: 5, invalid: 1, connects: 1 });
  });

  it('never logs the token', async () => {
    const server = await fake();
    const h = startClient({ url: server.url });
    await waitFor(() => isLive(h), 'live');
    server.latest().socket.terminate();
    await waitFor(() => h.reconnected.length === 2, 'a reconnect');
    await h.stop();
    const logged = JSON.stringify(h.logs);
    expect(h.logs.length).toBeGreaterThan(0);
    for (const token of h.tokens) expect(logged).not.toContain(token.slice('Bearer '.length));
  });
});

describe('PrivateClient: reconnects', () => {
  it('reconnects with a new token, resends the full current set and calls onReconnected each time', async () => {
    const server = await fake();
    const late: { client?: PrivateClient } = {};
    const wanted: PrivateSubscriptions = { myOrder: { codes: ['KRW-SOL'] }, myAsset: true };
    const h = startClient({
      url: server.url,
      onStatus: (s) => {
        if (s.state === 'reconnecting') late.client?.setSubscriptions(wanted);
      },
    });
    late.client = h.client;
    await waitFor(() => h.reconnected.length === 1, 'the first connection');
    server.latest().socket.terminate();
    await waitFor(() => server.connections[1]?.requests.length === 1, 'the second connection with its request');
    expect(server.connections[1]?.requests[0]).toEqual([expect.anything(), { type: 'myOrder', codes: ['KRW-SOL'] }, { type: 'myAsset' }, { format: 'DEFAULT' }]);
    server.latest().socket.terminate();
    await waitFor(() => server.connections[2]?.requests.length === 1 && h.reconnected.length === 3, 'the third connection');
    const typesOf = (request: unknown): unknown[] => (Array.isArray(request) ? request.slice(1) : []);
    expect(typesOf(server.connections[2]?.requests[0])).toEqual(typesOf(server.connections[1]?.requests[0]));
    expect(h.reconnected).toEqual([1, 2, 3]);
    // One fresh token per connection, each one different.
    expect(server.upgrades.map((u) => u.authorization)).toEqual(h.tokens);
    expect(new Set(h.tokens).size).toBe(3);
    expect(h.statuses.map((s) => s.state)).toEqual(['connecting', 'live', 'reconnecting', 'connecting', 'live', 'reconnecting', 'connecting', 'live']);
  });

  it('replaces a silent connection (no data, no pong) and keeps pinging a quiet one', async () => {
    const quiet = await fake();
    const q = startClient({ url: quiet.url, pingIntervalMs: 50, livenessTimeoutMs: 100 });
    await waitFor(() => quiet.connections[0] !== undefined && quiet.connections[0].pings >= 5, 'five pings on a quiet stream', 3_000);
    expect(quiet.connections).toHaveLength(1);
    await q.stop();

    const silent = await fake({ autoPong: false });
    const h = startClient({ url: silent.url, pingIntervalMs: 100, livenessTimeoutMs: 200 });
    await waitFor(() => h.statuses.some((s) => s.state === 'reconnecting'), 'the silent connection to be noticed', 2_000);
    expect(h.statuses.find((s) => s.state === 'reconnecting')).toMatchObject({ reason: expect.stringMatching(/^no data or pong for \d+\.\d s$/) as unknown });
    await waitFor(() => h.reconnected.length === 2, 'a replacement connection, reconciled again');
  });
});

describe('PrivateClient: refused credentials', () => {
  it('a 401 on the upgrade is offline at once with the credentials reason, retried on a slower capped backoff', async () => {
    const server = await fake();
    server.mode = 'http401';
    const backoff = { baseMs: 100, capMs: 400 };
    const h = startClient({ url: server.url, backoff });
    await waitFor(() => h.statuses.filter((s) => s.state === 'offline').length >= 4, 'four offline reports', 5_000);
    await h.stop();
    expect(h.statuses[0]).toMatchObject({ state: 'connecting', attempt: 1 });
    const offline = h.statuses.filter((s) => s.state === 'offline');
    expect(h.statuses.slice(1).every((s) => s.state === 'offline')).toBe(true);
    expect(offline[0]).toMatchObject({ reason: CREDENTIALS_REFUSED, attempt: 2 });
    // "Equal jitter": at least half the exponential window, never above the cap (or the 220 ms attempt spacing).
    offline.forEach((s, i) => {
      const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** i);
      expect(s.retryInMs).toBeGreaterThanOrEqual(ceiling / 2);
      expect(s.retryInMs).toBeLessThanOrEqual(Math.max(ceiling, 220));
    });
    // Every attempt asked for a fresh token; none ever went live or triggered a reconcile.
    expect(server.upgrades.map((u) => u.authorization)).toEqual(h.tokens.slice(0, server.upgrades.length));
    expect(new Set(h.tokens).size).toBe(h.tokens.length);
    expect(h.reconnected).toEqual([]);
    for (let i = 1; i < server.upgrades.length; i++) {
      expect((server.upgrades[i]?.at ?? 0) - (server.upgrades[i - 1]?.at ?? 0)).toBeGreaterThanOrEqual(45);
    }
    expect(h.logs.some((r) => r.level === 'warn' && r.fields.reason === CREDENTIALS_REFUSED)).toBe(true);
  });

  it('recovers once the key is accepted again', async () => {
    const server = await fake();
    server.mode = 'http401';
    const h = startClient({ url: server.url });
    await waitFor(() => h.statuses.some((s) => s.state === 'offline'), 'offline');
    server.mode = 'accept';
    await waitFor(() => isLive(h) && h.reconnected.length === 1, 'live again');
    // The subscription is sent once the socket opens; it may still be on its way.
    await waitFor(() => server.latest().requests.length > 0, 'the subscription request');
    expect(server.latest().requests).toHaveLength(1);
  });

  it('an INVALID_AUTH frame is the same credentials problem', async () => {
    const server = await fake();
    server.mode = 'errorFrame';
    const h = startClient({ url: server.url });
    await waitFor(() => h.statuses.filter((s) => s.state === 'offline').length >= 2, 'two offline reports', 3_000);
    expect(h.statuses.find((s) => s.state === 'offline')).toMatchObject({ reason: CREDENTIALS_REFUSED });
    // Once offline, it stays offline (no flicker through "connecting") while refused.
    const firstOffline = h.statuses.findIndex((s) => s.state === 'offline');
    expect(h.statuses.slice(firstOffline).every((s) => s.state === 'offline' || s.state === 'live')).toBe(true);
  });

  it('a failing authorization() is offline with a sentence, and is asked again on the next attempt', async () => {
    const server = await fake();
    let calls = 0;
    const h = startClient({
      url: server.url,
      authorization: () => {
        calls += 1;
        if (calls <= 2) throw new Error('no API key configured');
        return 'Bearer a.b.c';
      },
    });
    await waitFor(() => isLive(h), 'live after two failures');
    expect(h.statuses.filter((s) => s.state === 'offline').map((s) => 'reason' in s && s.reason)).toEqual([
      'cannot sign the private-stream handshake (no API key configured): check UPBIT_ACCESS_KEY/UPBIT_SECRET_KEY',
      'cannot sign the private-stream handshake (no API key configured): check UPBIT_ACCESS_KEY/UPBIT_SECRET_KEY',
    ]);
    expect(server.upgrades.map((u) => u.authorization)).toEqual(['Bearer a.b.c']);
  });

  it('refuses to send a value that is not "Bearer <token>", without echoing it', async () => {
    const server = await fake();
    const h = startClient({ url: server.url, authorization: () => 'secret-without-bearer' });
    await waitFor(() => h.statuses.some((s) => s.state === 'offline'), 'offline');
    const reason = h.statuses.find((s) => s.state === 'offline');
    expect(reason).toMatchObject({ reason: 'cannot sign the private-stream handshake: authorization() did not return "Bearer <JWT>"' });
    expect(JSON.stringify([h.statuses, h.logs])).not.toContain('secret-without-bearer');
    expect(server.upgrades).toHaveLength(0);
  });
});

describe('PrivateClient: lifetime', () => {
  it('resolves run() promptly on abort, closes with 1000 and leaves no timers', async () => {
    const server = await fake();
    const timersBefore = activeTimers();
    const h = startClient({ url: server.url, pingIntervalMs: 50 });
    await waitFor(() => server.connections[0] !== undefined && server.connections[0].pings >= 1, 'a ping');
    const t0 = Date.now();
    await h.stop();
    expect(Date.now() - t0).toBeLessThan(500);
    await waitFor(() => server.latest().closeCode !== null, 'the server to see the close');
    expect(server.latest().closeCode).toBe(1000);
    expect(activeTimers()).toBeLessThanOrEqual(timersBefore);
  });

  it('resolves run() promptly when aborted while waiting for the token', async () => {
    const server = await fake();
    const h = startClient({ url: server.url, authorization: () => new Promise<string>(() => undefined) });
    await waitFor(() => h.statuses.length === 1, 'connecting');
    const t0 = Date.now();
    await h.stop();
    expect(Date.now() - t0).toBeLessThan(100);
  });

  it('gives up on a hung authorization() after the connect timeout, and tries again', async () => {
    const server = await fake();
    let calls = 0;
    const h = startClient({ url: server.url, connectTimeoutMs: 100, authorization: () => (++calls === 1 ? new Promise<string>(() => undefined) : 'Bearer a.b.c') });
    await waitFor(() => isLive(h), 'live after the hung attempt');
    expect(h.statuses.find((s) => s.state === 'offline')).toMatchObject({ reason: 'preparing the private handshake took over 0.1 s' });
  });

  it('rejects run() when onOrder throws (a bug)', async () => {
    const server = await fake();
    const client = new PrivateClient({
      url: server.url,
      authorization: () => 'Bearer a.b.c',
      onOrder: () => {
        throw new Error('journal exploded');
      },
      onAsset: () => undefined,
    });
    client.setSubscriptions(BOTH);
    const done = client.run(new AbortController().signal);
    await waitFor(() => server.connections.length === 1, 'a connection');
    server.send(fixture('my-order-trade-default.json'));
    await expect(done).rejects.toThrow('journal exploded');
  });
});
