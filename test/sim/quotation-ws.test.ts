import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { SimServer } from '../../src/sim/index.js';
import { simBanner, startSimServer } from '../../src/sim/index.js';
import { TICKER_SIMPLE_KEYS } from '../../src/upbit/wire.js';
import type { Received } from './helpers.js';
import { TestClient, isErrorNamed, isRecord, isStatusUp, isTicker, manualClock, tradeUntil } from './helpers.js';

const DEFAULT_KEYS = Object.keys(TICKER_SIMPLE_KEYS).sort();
const SIMPLE_KEYS = Object.values(TICKER_SIMPLE_KEYS).sort();

let clock: ReturnType<typeof manualClock>;
let server: SimServer;
let clients: TestClient[];

async function connect(): Promise<TestClient> {
  const client = await TestClient.connect(server.wsUrl);
  clients.push(client);
  return client;
}

const record = (r: Received | undefined): Record<string, unknown> => {
  if (r === undefined || !isRecord(r.json)) throw new Error(`expected a JSON object frame, got ${r?.text}`);
  return r.json;
};

beforeEach(async () => {
  clock = manualClock();
  clients = [];
  server = await startSimServer({ seed: 7, now: clock.now, markets: ['KRW-BTC', 'KRW-ETH', 'KRW-XRP', 'KRW-SHIB'] });
});

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
});

describe('server basics', () => {
  it('reports loopback URLs and the banner line', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.wsUrl).toBe(`ws://127.0.0.1:${server.port}/websocket/v1`);
    expect(server.restUrl).toBe(`http://127.0.0.1:${server.port}`);
    expect(simBanner(server)).toEqual([`rest http://127.0.0.1:${server.port}`, `ws ws://127.0.0.1:${server.port}/websocket/v1`]);
    expect(server.markets.map((m) => m.code)).toEqual(['KRW-BTC', 'KRW-ETH', 'KRW-XRP', 'KRW-SHIB']);
    expect(server.markets[0]).toEqual({ code: 'KRW-BTC', koreanName: '비트코인', englishName: 'Bitcoin' });
  });

  it('answers unknown HTTP paths with the quotation 404 body', async () => {
    const res = await fetch(`${server.restUrl}/v1/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { name: 404, message: 'Code not found' } });
  });

  it('refuses WebSocket upgrades on other paths', async () => {
    await expect(TestClient.connect(server.wsUrl.replace('/websocket/v1', '/websocket/v2'))).rejects.toThrow(/404/);
  });

  it('refuses markets it does not list', async () => {
    await expect(startSimServer({ markets: ['KRW-NOPE'] })).rejects.toThrow(/KRW-NOPE.*Choose from: KRW-BTC/);
  });
});

describe('ticker subscriptions', () => {
  it('sends a SNAPSHOT, then REALTIME on every trade, as binary frames with every DEFAULT key', async () => {
    const client = await connect();
    client.send([{ ticket: 't' }, { type: 'ticker', codes: ['KRW-BTC'] }]);
    await client.next(isTicker('KRW-BTC', 'SNAPSHOT'), 'the snapshot');
    tradeUntil(server, clock, 'KRW-BTC', 3);
    await client.until(() => client.received.filter(isTicker('KRW-BTC', 'REALTIME')).length >= 3, '3 realtime tickers');

    const [snapshot, ...realtime] = client.received;
    expect(client.received.every((r) => r.binary)).toBe(true);
    expect(Object.keys(record(snapshot)).sort()).toEqual(DEFAULT_KEYS);
    expect(record(snapshot)).toMatchObject({ type: 'ticker', code: 'KRW-BTC', stream_type: 'SNAPSHOT', market_state: 'ACTIVE' });
    for (const r of realtime) {
      expect(Object.keys(record(r)).sort()).toEqual(DEFAULT_KEYS);
      expect(record(r)['stream_type']).toBe('REALTIME');
      expect(record(r)['timestamp']).toBeGreaterThanOrEqual(record(r)['trade_timestamp'] as number);
    }
  });

  it('maps every key in SIMPLE format', async () => {
    const client = await connect();
    client.send([{ ticket: 't' }, { type: 'ticker', codes: ['KRW-ETH'] }, { format: 'SIMPLE' }]);
    await client.next(isTicker('KRW-ETH', 'SNAPSHOT'), 'the snapshot');
    const simple = record(client.received[0]);
    expect(Object.keys(simple).sort()).toEqual(SIMPLE_KEYS);
    const wire = server.engine.ticker('KRW-ETH');
    expect(wire).toBeDefined();
    for (const [long, short] of Object.entries(TICKER_SIMPLE_KEYS)) {
      expect(simple[short], short).toEqual((wire as unknown as Record<string, unknown>)[long]);
    }
  });

  it('batches snapshots into arrays in JSON_LIST format', async () => {
    const client = await connect();
    client.send([{ ticket: 't' }, { type: 'ticker', codes: ['KRW-BTC', 'KRW-ETH'] }, { format: 'SIMPLE_LIST' }]);
    await client.next((r) => Array.isArray(r.json), 'a list frame');
    const list = client.received[0]?.json;
    expect(Array.isArray(list) && list.map((m: unknown) => isRecord(m) && m['cd'])).toEqual(['KRW-BTC', 'KRW-ETH']);
    tradeUntil(server, clock, 'KRW-BTC', 1);
    const i = await client.next((r) => Array.isArray(r.json) && r.json.length === 1, 'a realtime list frame', 1);
    expect(client.received[i]?.json).toMatchObject([{ ty: 'ticker', st: 'REALTIME' }]);
  });

  it.each([
    ['snake_case', 'is_only_snapshot'],
    ['camelCase', 'isOnlySnapshot'],
  ])('%s only-snapshot flag: one message per code and nothing after', async (_, key) => {
    const client = await connect();
    client.send([{ ticket: 't' }, { type: 'ticker', codes: ['KRW-BTC', 'KRW-ETH'], [key]: true }]);
    await client.until(() => client.received.length >= 2, 'two snapshots');
    tradeUntil(server, clock, 'KRW-BTC', 5);
    tradeUntil(server, clock, 'KRW-ETH', 5);
    const up = await client.sync();
    expect(up).toBe(2);
    expect(client.received.slice(0, 2).map((r) => [record(r)['code'], record(r)['stream_type']])).toEqual([
      ['KRW-BTC', 'SNAPSHOT'],
      ['KRW-ETH', 'SNAPSHOT'],
    ]);
  });

  it.each([
    ['snake_case', 'is_only_realtime'],
    ['camelCase', 'isOnlyRealtime'],
  ])('%s only-realtime flag: no snapshot', async (_, key) => {
    const client = await connect();
    client.send([{ ticket: 't' }, { type: 'ticker', codes: ['KRW-BTC'], [key]: true }]);
    await client.sync();
    expect(client.received).toHaveLength(1);
    tradeUntil(server, clock, 'KRW-BTC', 2);
    await client.until(() => client.received.filter(isTicker('KRW-BTC', 'REALTIME')).length >= 2, 'realtime tickers');
    expect(client.received.some(isTicker(undefined, 'SNAPSHOT'))).toBe(false);
  });

  it('replaces the subscriptions on a new request', async () => {
    const client = await connect();
    client.send([{ ticket: 't' }, { type: 'ticker', codes: ['KRW-BTC'] }]);
    await client.next(isTicker('KRW-BTC', 'SNAPSHOT'), 'the BTC snapshot');
    tradeUntil(server, clock, 'KRW-BTC', 2);
    await client.until(() => client.received.filter(isTicker('KRW-BTC', 'REALTIME')).length >= 1, 'BTC realtime');

    const from = client.received.length;
    client.send([{ ticket: 't2' }, { type: 'ticker', codes: ['KRW-ETH'] }]);
    const ethSnapshot = await client.next(isTicker('KRW-ETH', 'SNAPSHOT'), 'the ETH snapshot', from);
    tradeUntil(server, clock, 'KRW-BTC', 5);
    tradeUntil(server, clock, 'KRW-ETH', 2);
    await client.until(() => client.received.filter(isTicker('KRW-ETH', 'REALTIME')).length >= 2, 'ETH realtime');
    await client.sync();
    expect(client.received.slice(ethSnapshot).some(isTicker('KRW-BTC'))).toBe(false);
  });

  it('ignores unknown and lower-case codes', async () => {
    const client = await connect();
    client.send([{ ticket: 't' }, { type: 'ticker', codes: ['KRW-NOPE', 'krw-btc', 'KRW-ETH'] }]);
    await client.sync();
    expect(client.received.map((r) => (isStatusUp(r) ? 'UP' : record(r)['code']))).toEqual(['KRW-ETH', 'UP']);
  });

  it('lists the realtime subscriptions (LIST_SUBSCRIPTIONS)', async () => {
    const client = await connect();
    client.send([{ ticket: 't' }, { type: 'ticker', codes: ['KRW-BTC', 'KRW-ETH'], is_only_realtime: true }]);
    client.send([{ ticket: 'list' }, { method: 'LIST_SUBSCRIPTIONS' }]);
    await client.next((r) => isRecord(r.json) && 'method' in r.json, 'the list');
    expect(client.received.at(-1)?.json).toEqual({
      method: 'LIST_SUBSCRIPTIONS',
      result: [{ type: 'ticker', codes: ['KRW-BTC', 'KRW-ETH'] }],
      ticket: 'list',
    });
  });
});

describe('keep-alive', () => {
  it('answers the text PING with a binary {"status":"UP"}', async () => {
    const client = await connect();
    await client.sync();
    expect(client.received).toEqual([{ binary: true, text: '{"status":"UP"}', json: { status: 'UP' } }]);
  });

  it('answers protocol pings', async () => {
    const client = await connect();
    client.ws.ping('hello');
    await client.until(() => client.pongs.includes('hello'), 'the pong');
  });
});

describe('errors keep the connection open', () => {
  it.each([
    ['WRONG_FORMAT', 'invalid JSON', 'this is not json'],
    ['WRONG_FORMAT', 'a non-array', '{"ticket":"t","type":"ticker","codes":["KRW-BTC"]}'],
    ['WRONG_FORMAT', 'an empty array', '[]'],
    ['NO_TICKET', 'no ticket', [{ type: 'ticker', codes: ['KRW-BTC'] }]],
    ['NO_TYPE', 'a type object without type', [{ ticket: 't' }, { codes: ['KRW-BTC'] }]],
    ['NO_TYPE', 'no type object at all', [{ ticket: 't' }, { format: 'SIMPLE' }]],
    ['NO_CODES', 'no codes', [{ ticket: 't' }, { type: 'ticker' }]],
    ['INVALID_PARAM', 'an unknown format', [{ ticket: 't' }, { type: 'ticker', codes: ['KRW-BTC'] }, { format: 'XML' }]],
    ['INVALID_PARAM', 'a candle interval Upbit does not stream', [{ ticket: 't' }, { type: 'candle.2m', codes: ['KRW-BTC'] }]],
    ['INVALID_PARAM', 'an unknown type', [{ ticket: 't' }, { type: 'weather', codes: ['KRW-BTC'] }]],
    ['INVALID_PARAM', 'a private type', [{ ticket: 't' }, { type: 'myOrder' }]],
  ])('%s for %s', async (name, _, request) => {
    const client = await connect();
    client.send(request);
    await client.next(isErrorNamed(name), `a ${name} error`);
    const error = record(client.received[0])['error'];
    expect(isRecord(error) && typeof error['message'] === 'string' && error['message'].length > 0).toBe(true);
    expect(client.received[0]?.binary).toBe(true);

    client.send([{ ticket: 't' }, { type: 'ticker', codes: ['KRW-XRP'] }]);
    await client.next(isTicker('KRW-XRP', 'SNAPSHOT'), 'a snapshot after the error', 1);
  });

  it('leaves the subscriptions alone after a bad request', async () => {
    const client = await connect();
    client.send([{ ticket: 't' }, { type: 'ticker', codes: ['KRW-BTC'], is_only_realtime: true }]);
    client.send([{ ticket: 't' }, { type: 'ticker', codes: ['KRW-ETH'] }, { format: 'XML' }]);
    await client.next(isErrorNamed('INVALID_PARAM'), 'the error');
    tradeUntil(server, clock, 'KRW-BTC', 1);
    await client.next(isTicker('KRW-BTC', 'REALTIME'), 'BTC still streaming');
  });

  it('limits request messages to 5 per second', async () => {
    const client = await connect();
    for (let i = 0; i < 6; i++) client.send([{ ticket: `t${i}` }, { type: 'ticker', codes: ['KRW-BTC'], is_only_snapshot: true }]);
    await client.next(isErrorNamed('TOO_MANY_REQUEST'), 'the rate-limit error');
    await client.sync();
    expect(client.received.filter(isTicker('KRW-BTC', 'SNAPSHOT'))).toHaveLength(5);
  });
});

describe('injectFrame', () => {
  it('sends raw bytes to every connection', async () => {
    const a = await connect();
    const b = await connect();
    server.injectFrame('garbage{');
    server.injectFrame(Buffer.from([0xff, 0x00]));
    for (const c of [a, b]) {
      await c.until(() => c.received.length === 2, 'both injected frames');
      expect(c.received.map((r) => [r.binary, r.json])).toEqual([
        [false, undefined],
        [true, undefined],
      ]);
      expect(c.received[0]?.text).toBe('garbage{');
    }
  });
});
