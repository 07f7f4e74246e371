import { performance } from 'node:perf_hooks';

import { afterEach, describe, expect, it } from 'vitest';

import type { LogRecord } from '../../src/runtime/logger.js';
import { memoryLogger } from '../../src/runtime/logger.js';
import type { SimOptions, SimServer } from '../../src/sim/index.js';
import { startSimServer } from '../../src/sim/index.js';
import { TestClient, isStatusUp, isTicker, manualClock, tradeUntil } from './helpers.js';

const servers: SimServer[] = [];
const clients: TestClient[] = [];

async function start(options: SimOptions = {}): Promise<SimServer> {
  const server = await startSimServer({ markets: ['KRW-BTC', 'KRW-ETH'], ...options });
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

/** Wait (event-driven) until the logger has recorded `count` records with message `msg`. */
async function logged(records: LogRecord[], msg: string, count: number, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (records.filter((r) => r.msg === msg).length < count) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${count} "${msg}" log records`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('silent fault', () => {
  it('sends no data and answers neither PING nor pings, then resumes', async () => {
    const clock = manualClock();
    const logger = memoryLogger();
    const server = await start({ now: clock.now, logger });
    const client = await connect(server);
    client.send([{ ticket: 't' }, { type: 'ticker', codes: ['KRW-BTC'] }]);
    await client.next(isTicker('KRW-BTC', 'SNAPSHOT'), 'the snapshot');

    server.faults.silent = true;
    const from = client.received.length;
    tradeUntil(server, clock, 'KRW-BTC', 5);
    client.send('PING');
    client.ws.ping('while-silent');
    await logged(logger.records, 'PING ignored (silent fault)', 1);
    await logged(logger.records, 'ping ignored (silent fault)', 1);

    server.faults.silent = false;
    client.ws.ping('after');
    const up = await client.sync();
    // The server sends in order: anything produced while silent would have come before this UP.
    expect(up).toBe(from);
    await client.until(() => client.pongs.includes('after'), 'the pong after the fault');
    expect(client.pongs).toEqual(['after']);

    tradeUntil(server, clock, 'KRW-BTC', 1);
    await client.next(isTicker('KRW-BTC', 'REALTIME'), 'realtime data again', up);
  });
});

describe('latency fault', () => {
  it('delays every frame and keeps their order', async () => {
    const server = await start({ faults: { latencyMs: 150 } });
    const client = await connect(server);
    const t0 = performance.now();
    client.send([{ ticket: 't' }, { type: 'ticker', codes: ['KRW-BTC', 'KRW-ETH'], is_only_snapshot: true }]);
    await client.sync();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    expect(client.received.map((r) => (isStatusUp(r) ? 'UP' : isTicker('KRW-BTC')(r) ? 'BTC' : 'ETH'))).toEqual(['BTC', 'ETH', 'UP']);
  });
});

describe('connection control', () => {
  it('dropConnections terminates every socket', async () => {
    const server = await start();
    const a = await connect(server);
    const b = await connect(server);
    await a.sync();
    await b.sync();
    expect(server.connectionCount()).toBe(2);
    server.dropConnections();
    await Promise.all([a.closed(), b.closed()]);
    expect(a.closeCode).toBe(1006);
    expect(b.closeCode).toBe(1006);
    await a.until(() => server.connectionCount() === 0, 'the server to forget the connections');
  });

  it('closes a connection that stays idle for idleTimeoutMs', async () => {
    const server = await start({ idleTimeoutMs: 200 });
    const client = await connect(server);
    const t0 = performance.now();
    await client.closed();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(150);
    expect(client.closeCode).toBe(1000);
  });
});
