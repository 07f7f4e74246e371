/**
 * `/websocket/v1/private`: the JWT handshake (both refusal modes), request rules for
 * myOrder/myAsset, keep-alive, and the per-account connect limit.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

import type { SimOptions, SimServer } from '../../../src/sim/index.js';
import { startSimServer } from '../../../src/sim/index.js';
import { signUpbitJwt } from '../auth/sign.js';
import type { Account } from '../rest/client.js';
import { PrivateClient } from './client.js';

const ALICE: Account = { accessKey: 'alice-access', secretKey: 'alice-secret' };
const BOB: Account = { accessKey: 'bob-access', secretKey: 'bob-secret' };

const servers: SimServer[] = [];
const clients: PrivateClient[] = [];

async function sim(extra: SimOptions = {}): Promise<SimServer> {
  const server = await startSimServer({ seed: 3, markets: ['KRW-BTC'], accounts: [ALICE, BOB], ...extra });
  servers.push(server);
  return server;
}

async function connect(server: SimServer, auth: Parameters<typeof PrivateClient.connect>[1] = { account: ALICE }): Promise<PrivateClient> {
  const client = await PrivateClient.connect(server.privateWsUrl, auth);
  clients.push(client);
  return client;
}

const errorNamed = (name: string) => (m: Record<string, unknown>) => (m['error'] as { name?: unknown } | undefined)?.name === name;

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('private handshake', () => {
  it('is served at /websocket/v1/private next to the public endpoint', async () => {
    const server = await sim();
    expect(server.privateWsUrl).toBe(`ws://127.0.0.1:${server.port}/websocket/v1/private`);
    await connect(server);
    expect(server.connectionCount()).toBe(1);
  });

  it.each([
    ['no token', {}],
    ['a bad signature', { authorization: `Bearer ${signUpbitJwt(ALICE.accessKey, 'wrong')}` }],
    ['an unknown key', { authorization: `Bearer ${signUpbitJwt('nobody', 'x')}` }],
    ['alg none', { authorization: `Bearer ${signUpbitJwt(ALICE.accessKey, ALICE.secretKey, { alg: 'none' })}` }],
  ])('refuses %s with HTTP 401 INVALID_AUTH (default)', async (_what, auth) => {
    const server = await sim();
    await expect(connect(server, auth)).rejects.toThrow(/HTTP 401: .*INVALID_AUTH/);
  });

  it('refuses a reused nonce', async () => {
    const server = await sim();
    const token = `Bearer ${signUpbitJwt(ALICE.accessKey, ALICE.secretKey, { nonce: 'same' })}`;
    await connect(server, { authorization: token });
    await expect(connect(server, { authorization: token })).rejects.toThrow(/HTTP 401: .*nonce_used/);
  });

  it("privateAuthFailure 'errorFrame' accepts, sends INVALID_AUTH and closes", async () => {
    const server = await sim({ privateAuthFailure: 'errorFrame' });
    const client = await connect(server, { authorization: 'Bearer nonsense' });
    await client.next(errorNamed('INVALID_AUTH'), 'the INVALID_AUTH frame');
    await client.until(() => client.closeCode !== undefined, 'the close');
    expect(client.closeCode).toBe(1008);
    expect(client.received[0]?.binary).toBe(true);
  });

  it('closes private sockets (authenticated or refused by frame) when the server closes', async () => {
    const server = await sim({ privateAuthFailure: 'errorFrame' });
    const good = await connect(server);
    const bad = await PrivateClient.connect(server.privateWsUrl, { authorization: 'Bearer nonsense' });
    clients.push(bad);
    await server.close();
    await good.until(() => good.closeCode !== undefined, 'the authenticated socket to close');
    await bad.until(() => bad.closeCode !== undefined, 'the refused socket to close');
    expect(server.connectionCount()).toBe(0);
  });

  it('limits connects to 5/s per access key, then 429 on the upgrade', async () => {
    const server = await sim({ rateLimits: { clock: () => 0 } });
    for (let i = 0; i < 5; i++) await connect(server);
    await expect(connect(server)).rejects.toThrow(/HTTP 429/);
    await connect(server, { account: BOB });
  });

  it('limits public connects to 5/s per IP', async () => {
    const server = await sim({ rateLimits: { clock: () => 0 } });
    const open = (): Promise<WebSocket> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(server.wsUrl);
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });
    const sockets: WebSocket[] = [];
    try {
      for (let i = 0; i < 5; i++) sockets.push(await open());
      await expect(open()).rejects.toThrow(/429/);
    } finally {
      for (const ws of sockets) ws.terminate();
    }
  });
});

describe('private requests', () => {
  it('answers PING, protocol pings and LIST_SUBSCRIPTIONS', async () => {
    const server = await sim();
    const client = await connect(server);
    await client.sync();
    client.ws.ping('hi');
    await client.until(() => client.pongs.includes('hi'), 'the pong');
    client.send([{ ticket: 'x' }, { type: 'myOrder', codes: ['KRW-BTC'] }, { type: 'myAsset' }]);
    client.send([{ ticket: 'x' }, { method: 'LIST_SUBSCRIPTIONS' }]);
    const i = await client.next((m) => m['method'] === 'LIST_SUBSCRIPTIONS', 'the subscription list');
    expect(client.messages(i)[0]).toEqual({
      method: 'LIST_SUBSCRIPTIONS',
      result: [
        { type: 'myOrder', codes: ['KRW-BTC'] },
        { type: 'myAsset', codes: [] },
      ],
      ticket: 'x',
    });
  });

  it.each([
    ['myAsset with codes', [{ ticket: 't' }, { type: 'myAsset', codes: ['KRW-BTC'] }], 'WRONG_FORMAT'],
    ['a public type', [{ ticket: 't' }, { type: 'ticker', codes: ['KRW-BTC'] }], 'INVALID_PARAM'],
    ['no ticket', [{ type: 'myOrder' }], 'NO_TICKET'],
    ['not an array', { ticket: 't' }, 'WRONG_FORMAT'],
    ['an unknown type', [{ ticket: 't' }, { type: 'myTrade' }], 'INVALID_PARAM'],
  ])('answers %s with %s', async (_what, request, name) => {
    const server = await sim();
    const client = await connect(server);
    client.send(request);
    await client.next(errorNamed(name), name);
  });

  it('takes myOrder without codes or with [] as every market', async () => {
    const server = await sim();
    const client = await connect(server);
    client.send([{ ticket: 'a' }, { type: 'myOrder', codes: [] }]);
    client.send([{ ticket: 'a' }, { method: 'LIST_SUBSCRIPTIONS' }]);
    const i = await client.next((m) => m['method'] === 'LIST_SUBSCRIPTIONS', 'the list');
    expect(client.messages(i)[0]?.['result']).toEqual([{ type: 'myOrder', codes: [] }]);
    expect(client.messages().some(errorNamed('NO_CODES'))).toBe(false);
  });
});
