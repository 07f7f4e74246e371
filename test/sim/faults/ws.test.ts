import { performance } from 'node:perf_hooks';

import { afterEach, describe, expect, it } from 'vitest';

import type { SimOptions, SimServer } from '../../../src/sim/index.js';
import { startSimServer } from '../../../src/sim/index.js';
import type { Received } from '../helpers.js';
import { TestClient, isStatusUp, isTicker, manualClock, tradeUntil } from '../helpers.js';

const servers: SimServer[] = [];
const clients: TestClient[] = [];

async function start(options: SimOptions = {}): Promise<SimServer> {
  const server = await startSimServer({ markets: ['KRW-BTC', 'KRW-ETH', 'KRW-XRP'], ...options });
  servers.push(server);
  return server;
}

async function connect(server: SimServer): Promise<TestClient> {
  const client = await TestClient.connect(server.wsUrl);
  clients.push(client);
  return client;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const SNAPSHOT_ALL = [{ ticket: 't' }, { type: 'ticker', codes: ['KRW-BTC', 'KRW-ETH', 'KRW-XRP'], is_only_snapshot: true }];
const label = (r: Received): string => (isStatusUp(r) ? 'UP' : r.json === undefined ? 'garbage' : String((r.json as { code?: unknown }).code));

describe('malformed frames', () => {
  it('malformedRate 1 garbles every data frame but never a protocol answer', async () => {
    const server = await start({ faults: { malformedRate: 1 }, faultSeed: 3 });
    const client = await connect(server);
    client.send(SNAPSHOT_ALL);
    await client.sync();
    expect(client.received.map(label)).toEqual(['garbage', 'garbage', 'garbage', 'UP']);
    for (const frame of client.received.slice(0, 3)) {
      expect(frame.binary).toBe(true);
      expect(() => JSON.parse(frame.text) as unknown).toThrow();
    }
    // Errors are protocol answers too: still readable.
    client.send([{ ticket: 't' }, { type: 'nope', codes: ['KRW-BTC'] }]);
    await client.next((r) => r.text.includes('INVALID_PARAM'), 'a readable error');
  });

  it('the same fault seed garbles the same frames', async () => {
    const run = async (): Promise<string[]> => {
      const clock = manualClock();
      const server = await start({ faults: { malformedRate: 0.5 }, faultSeed: 11, seed: 5, now: clock.now, markets: ['KRW-BTC'] });
      const client = await connect(server);
      client.send([{ ticket: 't' }, { type: 'ticker', codes: ['KRW-BTC'] }]);
      await client.sync();
      tradeUntil(server, clock, 'KRW-BTC', 30);
      await client.sync();
      return client.received.map(label);
    };
    const a = await run();
    expect(a.filter((l) => l === 'garbage').length).toBeGreaterThan(2);
    expect(a.filter((l) => l === 'KRW-BTC').length).toBeGreaterThan(2);
    expect(await run()).toEqual(a);
  });

  it('a one-shot garbles just the next data frame', async () => {
    const server = await start();
    const client = await connect(server);
    server.faults.nextWs.push({ kind: 'malformed' });
    client.send(SNAPSHOT_ALL);
    await client.sync();
    expect(client.received.map(label)).toEqual(['garbage', 'KRW-ETH', 'KRW-XRP', 'UP']);
  });
});

describe('one-shot stream faults', () => {
  it('skip leaves a gap in the stream', async () => {
    const server = await start();
    const client = await connect(server);
    server.faults.nextWs.push({ kind: 'skip' });
    client.send(SNAPSHOT_ALL);
    await client.sync();
    expect(client.received.map(label)).toEqual(['KRW-ETH', 'KRW-XRP', 'UP']);
  });

  it('terminate cuts the connection where the frame would have gone', async () => {
    const server = await start();
    const client = await connect(server);
    server.faults.nextWs.push({ kind: 'terminate' });
    client.send(SNAPSHOT_ALL);
    await client.closed();
    expect(client.closeCode).toBe(1006);
    expect(client.received).toEqual([]);
  });
});

describe('slow link', () => {
  it('slowMs spaces the frames of a connection, keeping their order', async () => {
    const server = await start({ faults: { slowMs: 100 } });
    const client = await connect(server);
    const arrivals: number[] = [];
    client.ws.on('message', () => arrivals.push(performance.now()));
    client.send(SNAPSHOT_ALL);
    await client.sync();
    expect(client.received.map(label)).toEqual(['KRW-BTC', 'KRW-ETH', 'KRW-XRP', 'UP']);
    const gaps = arrivals.slice(1).map((t, i) => t - (arrivals[i] ?? t));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(85);
  });
});

describe('periodic connection drops', () => {
  it('dropConnectionsEveryMs terminates every socket on schedule, again and again', async () => {
    const server = await start({ faults: { dropConnectionsEveryMs: 200 } });
    const t0 = performance.now();
    const first = await connect(server);
    await first.closed();
    expect(first.closeCode).toBe(1006);
    const second = await connect(server);
    await second.closed();
    expect(second.closeCode).toBe(1006);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(350);

    server.faults.dropConnectionsEveryMs = 0;
    const third = await connect(server);
    await third.sync();
    // Stays up well past the old period.
    const stayed = performance.now();
    while (performance.now() - stayed < 600) await third.sync();
    expect(third.closeCode).toBeUndefined();
  });
});

describe('faults combine with the ticker stream', () => {
  it('a realtime ticker after the faults are cleared arrives intact', async () => {
    const clock = manualClock();
    const server = await start({ now: clock.now, faults: { malformedRate: 1 } });
    const client = await connect(server);
    client.send([{ ticket: 't' }, { type: 'ticker', codes: ['KRW-BTC'], is_only_realtime: true }]);
    const from = await client.sync();
    server.faults.malformedRate = 0;
    tradeUntil(server, clock, 'KRW-BTC', 1);
    await client.next(isTicker('KRW-BTC', 'REALTIME'), 'an intact realtime ticker', from);
  });
});
