/**
 * The HTTP faults on the real simulator: installed before rate limits and auth, with the
 * exchange behind them — a dropped answer leaves the order placed, a dropped request does not.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';

import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';

import type { SimOptions, SimServer } from '../../../src/sim/index.js';
import { startSimServer } from '../../../src/sim/index.js';

const KEYS = { accessKey: 'faultAccess0123456789abcdefghijklmnopqrst', secretKey: 'faultSecret0123456789abcdefghijklmnopqrst' };
const servers: SimServer[] = [];
const agents: Agent[] = [];

afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: SimOptions = {}): Promise<SimServer> {
  const server = await startSimServer({ markets: ['KRW-BTC'], accounts: [{ ...KEYS, krw: '1000000' }], ...options });
  servers.push(server);
  return server;
}

function bearer(hashed: string): string {
  const part = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const payload = { access_key: KEYS.accessKey, nonce: randomUUID(), query_hash: createHash('sha512').update(hashed).digest('hex'), query_hash_alg: 'SHA512' };
  const signed = `${part({ alg: 'HS512', typ: 'JWT' })}.${part(payload)}`;
  return `Bearer ${signed}.${createHmac('sha512', KEYS.secretKey).update(signed).digest('base64url')}`;
}

type Outcome = { status: number; body: unknown } | { error: string };

async function placeBid(server: SimServer, identifier: string): Promise<Outcome> {
  const body = { market: 'KRW-BTC', side: 'bid', ord_type: 'limit', price: '10000000', volume: '0.001', identifier };
  const agent = new Agent();
  agents.push(agent);
  try {
    const res = await request(`${server.restUrl}/v1/orders`, {
      method: 'POST',
      dispatcher: agent,
      headers: { authorization: bearer(Object.entries(body).map(([k, v]) => `${k}=${v}`).join('&')), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.statusCode, body: await res.body.json() };
  } catch (error) {
    const e = error as { code?: string; cause?: { code?: string } };
    return { error: e.cause?.code ?? e.code ?? String(error) };
  }
}

const orderIds = (server: SimServer): Array<string | null> => server.exchange.list(KEYS.accessKey, { states: ['wait'] }).map((o) => o.identifier);

describe('HTTP faults on the simulator', () => {
  it('dropAfter: the order is placed, the client only sees the connection close', async () => {
    const server = await start();
    server.faults.nextHttp.push({ kind: 'dropAfter', match: { method: 'POST', path: '/v1/orders' } });
    expect(await placeBid(server, 'lost-answer')).toEqual({ error: 'UND_ERR_SOCKET' });
    expect(orderIds(server)).toEqual(['lost-answer']);
    // The identifier is used up: a blind retry is refused, as on Upbit.
    expect(await placeBid(server, 'lost-answer')).toMatchObject({ status: 400 });
    expect(orderIds(server)).toEqual(['lost-answer']);
  });

  it('dropBefore and reset: nothing happens server-side', async () => {
    const server = await start();
    server.faults.nextHttp.push({ kind: 'dropBefore' }, { kind: 'reset' });
    expect(await placeBid(server, 'a')).toEqual({ error: 'UND_ERR_SOCKET' });
    expect(await placeBid(server, 'b')).toEqual({ error: 'ECONNRESET' });
    expect(orderIds(server)).toEqual([]);
    expect(await placeBid(server, 'a')).toMatchObject({ status: 201, body: { identifier: 'a' } });
  });

  it('forced answers reach neither the rate limiter nor the handler', async () => {
    const server = await start({ rateLimits: { groups: { order: { limit: 1 } } } });
    server.faults.nextHttp.push({ kind: 'status5xx', status: 502 }, { kind: 'status429' }, { kind: 'status418' });
    expect(await placeBid(server, 'x')).toMatchObject({ status: 502, body: { error: { name: 'bad_gateway' } } });
    expect(await placeBid(server, 'x')).toMatchObject({ status: 429, body: { error: { name: 'too_many_requests' } } });
    expect(await placeBid(server, 'x')).toMatchObject({ status: 418, body: { error: { name: 'too_many_requests' } } });
    // The one request the limit allows is still there.
    expect(await placeBid(server, 'x')).toMatchObject({ status: 201 });
    expect(orderIds(server)).toEqual(['x']);
  });

  it('applies to quotation routes too, with their integer error names', async () => {
    const server = await start({ faults: { status5xxRate: 1, status5xx: 503 } });
    const res = await request(`${server.restUrl}/v1/ticker?markets=KRW-BTC`);
    expect(res.statusCode).toBe(503);
    expect(await res.body.json()).toMatchObject({ error: { name: 503 } });
    server.faults.status5xxRate = 0;
    const ok = await request(`${server.restUrl}/v1/ticker?markets=KRW-BTC`);
    expect(ok.statusCode).toBe(200);
    await ok.body.dump();
  });
});
