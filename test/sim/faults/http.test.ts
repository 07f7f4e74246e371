import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';

import { memoryLogger, silentLogger } from '../../../src/runtime/logger.js';
import type { SimFaults } from '../../../src/sim/faults.js';
import { createFaults } from '../../../src/sim/faults.js';
import { httpFaultMiddleware } from '../../../src/sim/faults-http.js';
import { HttpRouter, sendJson } from '../../../src/sim/http-router.js';
import { createRng } from '../../../src/sim/random.js';

/**
 * The HTTP fault middleware on a router of our own, with two routes that count how often
 * their handler ran: a quotation GET and an exchange POST standing in for `/v1/orders`.
 */
interface Harness {
  url: string;
  faults: SimFaults;
  handled: { ticker: number; orders: number };
  get(path?: string): Promise<Outcome>;
  post(path?: string): Promise<Outcome>;
}

type Outcome = { kind: 'response'; status: number; body: unknown; headers: Record<string, string | string[] | undefined> } | { kind: 'error'; code: string; message: string };

const servers: Server[] = [];
const agents: Agent[] = [];

afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

async function harness(initial: Partial<SimFaults> = {}, seed = 7, logger = silentLogger): Promise<Harness> {
  const faults = createFaults(initial);
  const handled = { ticker: 0, orders: 0 };
  const router = new HttpRouter(logger);
  router.use(httpFaultMiddleware({ faults, rng: createRng(seed), logger }));
  router.add('GET', '/v1/ticker', { group: 'ticker' }, ({ res }) => {
    handled.ticker++;
    sendJson(res, 200, [{ market: 'KRW-BTC', trade_price: 130_000_000 }]);
  });
  router.add('POST', '/v1/orders', { group: 'order', exchange: true }, async ({ req, res }) => {
    for await (const _chunk of req) void _chunk; // read the body, as a real handler does
    handled.orders++;
    // Asynchronous, like a handler that awaits the matching engine.
    await new Promise((resolve) => setImmediate(resolve));
    sendJson(res, 201, { uuid: `order-${handled.orders}`, state: 'wait' });
  });
  const server = createServer(router.handle);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agent = new Agent();
  agents.push(agent);
  const send = async (method: 'GET' | 'POST', path: string): Promise<Outcome> => {
    try {
      const res = await request(`${url}${path}`, {
        method,
        dispatcher: agent,
        ...(method === 'POST' ? { body: JSON.stringify({ market: 'KRW-BTC' }), headers: { 'content-type': 'application/json' } } : {}),
      });
      const text = await res.body.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON; keep the text
      }
      return { kind: 'response', status: res.statusCode, body, headers: res.headers };
    } catch (error) {
      const e = error as { code?: string; message?: string; cause?: { code?: string } };
      return { kind: 'error', code: e.cause?.code ?? e.code ?? 'unknown', message: e.message ?? String(error) };
    }
  };
  return {
    url,
    faults,
    handled,
    get: (path = '/v1/ticker?markets=KRW-BTC') => send('GET', path),
    post: (path = '/v1/orders') => send('POST', path),
  };
}

const ok = (o: Outcome, status = 200): void => {
  expect(o).toMatchObject({ kind: 'response', status });
};

describe('HTTP faults', () => {
  it('are all off by default', async () => {
    const h = await harness();
    ok(await h.get());
    ok(await h.post(), 201);
    expect(h.handled).toEqual({ ticker: 1, orders: 1 });
  });

  it('httpLatencyMs delays every request', async () => {
    const h = await harness({ httpLatencyMs: 150 });
    const t0 = performance.now();
    ok(await h.get());
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    h.faults.httpLatencyMs = 0;
    h.faults.nextHttp.push({ kind: 'latency', latencyMs: 120 });
    const t1 = performance.now();
    ok(await h.get());
    expect(performance.now() - t1).toBeGreaterThanOrEqual(110);
  });

  it('dropBefore closes the connection before the handler runs', async () => {
    const h = await harness({ dropBeforeRate: 1 });
    const outcome = await h.post();
    expect(outcome).toMatchObject({ kind: 'error', code: 'UND_ERR_SOCKET' });
    expect(h.handled.orders).toBe(0);
  });

  it('reset answers with a TCP reset (ECONNRESET) before the handler runs', async () => {
    const h = await harness({ resetRate: 1 });
    const outcome = await h.get();
    expect(outcome.kind).toBe('error');
    expect(outcome.kind === 'error' && outcome.code).toBe('ECONNRESET');
    expect(h.handled.ticker).toBe(0);
  });

  it('dropAfter runs the handler to the end and the client never hears', async () => {
    const h = await harness({ dropAfterRate: 1 });
    const outcome = await h.post();
    expect(outcome).toMatchObject({ kind: 'error', code: 'UND_ERR_SOCKET' });
    // The order exists on the server side.
    expect(h.handled.orders).toBe(1);
    h.faults.dropAfterRate = 0;
    expect(await h.post()).toMatchObject({ kind: 'response', status: 201, body: { uuid: 'order-2' } });
  });

  it('status5xx answers the chosen status with an Upbit-style body, without processing', async () => {
    const h = await harness({ status5xxRate: 1, status5xx: 503 });
    expect(await h.get()).toMatchObject({ kind: 'response', status: 503, body: { error: { name: 503 } } });
    expect(await h.post()).toMatchObject({ kind: 'response', status: 503, body: { error: { name: 'service_unavailable' } } });
    h.faults.status5xx = 500;
    expect(await h.post()).toMatchObject({ kind: 'response', status: 500, body: { error: { name: 'server_error' } } });
    expect(h.handled).toEqual({ ticker: 0, orders: 0 });
  });

  it('force429Rate and force418Rate answer like the rate limiter, with Remaining-Req sec=0', async () => {
    const h = await harness({ force429Rate: 1 });
    const limited = await h.post();
    expect(limited).toMatchObject({ kind: 'response', status: 429, body: { error: { name: 'too_many_requests' } } });
    expect(limited.kind === 'response' && limited.headers['remaining-req']).toBe('group=order; min=480; sec=0');
    h.faults.force429Rate = 0;
    h.faults.force418Rate = 1;
    const blocked = await h.get();
    expect(blocked).toMatchObject({ kind: 'response', status: 418, body: { error: { name: 418 } } });
    expect(blocked.kind === 'response' && blocked.headers['remaining-req']).toBe('group=ticker; min=600; sec=0');
    expect(h.handled).toEqual({ ticker: 0, orders: 0 });
  });

  it('a one-shot hits only the next matching request', async () => {
    const logger = memoryLogger();
    const h = await harness({}, 7, logger);
    h.faults.nextHttp.push({ kind: 'dropAfter', match: { method: 'POST', path: '/v1/orders' } });
    ok(await h.get()); // does not match: untouched, and the one-shot waits
    expect(h.faults.nextHttp).toHaveLength(1);
    expect(await h.post()).toMatchObject({ kind: 'error', code: 'UND_ERR_SOCKET' });
    expect(h.handled.orders).toBe(1);
    expect(h.faults.nextHttp).toHaveLength(0);
    ok(await h.post(), 201);
    expect(h.handled.orders).toBe(2);
    expect(logger.records.filter((r) => r.msg === 'injecting an HTTP fault').map((r) => r.fields['fault'])).toEqual(['dropAfter']);
  });

  it('one-shots queue up in order and can name a status', async () => {
    const h = await harness();
    h.faults.nextHttp.push({ kind: 'status5xx', status: 502 }, { kind: 'status429' }, { kind: 'dropBefore', match: { path: '/v1/ticker' } });
    expect(await h.post()).toMatchObject({ kind: 'response', status: 502 });
    expect(await h.post()).toMatchObject({ kind: 'response', status: 429 });
    ok(await h.post(), 201);
    expect(await h.get()).toMatchObject({ kind: 'error' });
    ok(await h.get());
  });

  it('rates are drawn from the fault seed: the same seed gives the same faults', async () => {
    const pattern = async (seed: number): Promise<string[]> => {
      const h = await harness({ status5xxRate: 0.3, force429Rate: 0.3 }, seed);
      const out: string[] = [];
      for (let i = 0; i < 30; i++) {
        const o = await h.get();
        out.push(o.kind === 'response' ? String(o.status) : o.code);
      }
      return out;
    };
    const a = await pattern(42);
    expect(await pattern(42)).toEqual(a);
    expect(new Set(a)).toEqual(new Set(['200', '500', '429']));
    expect(await pattern(43)).not.toEqual(a);
  });

  it('refuses rates that cannot be probabilities, naming the field', () => {
    expect(() => createFaults({ dropAfterRate: 1.5 })).toThrow(/faults\.dropAfterRate must be a probability/);
    expect(() => createFaults({ resetRate: 0.6, dropBeforeRate: 0.6 })).toThrow(/add up to 1\.2/);
    expect(() => createFaults({ status5xx: 504 as 500 })).toThrow(/500, 502 or 503/);
    expect(() => createFaults({ httpLatencyMs: -1 })).toThrow(/httpLatencyMs/);
  });
});
