/**
 * A market the exchange does not list is refused before anything is sent, with one message
 * in every mode (the built-in exchange, a simulator over REST, paper, live), exit 2; for
 * buy, sell, `orders --market` and `cancel --all-mine --market`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startSimServer, type SimServer } from '../../src/sim/server.js';
import { runCli, type CliResult } from './trade-helpers.js';

const ACCESS = 'markets-test-access-key-0123456789abcdef';
const SECRET = 'markets-test-secret-key-0123456789abcdef';
const keys = { UPBIT_ACCESS_KEY: ACCESS, UPBIT_SECRET_KEY: SECRET };
const TIMEOUT = 60_000;

let sim: SimServer;
const dirs: string[] = [];
function home(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'upbit-trade-markets-'));
  dirs.push(dir);
  return dir;
}
beforeAll(async () => {
  sim = await startSimServer({ port: 0, markets: ['KRW-BTC', 'KRW-ETH'], accounts: [{ accessKey: ACCESS, secretKey: SECRET }] });
});
afterAll(async () => {
  await sim.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function lastLine(r: CliResult): string {
  return r.stderr.trimEnd().split('\n').at(-1) ?? '';
}

/** The one line, wherever the market was looked up. */
const UNKNOWN = /^upbit-tui: KRW-FAKE is not a market on (the built-in exchange|127\.0\.0\.1:\d+)\. Its (\d+ )?markets(:| include) KRW-BTC, KRW-ETH.*\. Nothing was sent\.$/;

describe('an unknown market', () => {
  it.each([
    ['the built-in exchange (--sim)', () => ['--sim'], {}],
    ['a simulator over REST (--sim --api-url)', () => ['--sim', '--api-url', sim.restUrl], keys],
    ['paper on the simulator\'s quotes (--paper --api-url)', () => ['--paper', '--api-url', sim.restUrl], {}],
    ['live (--live --api-url)', () => ['--live', '--api-url', sim.restUrl], keys],
  ] as const)('buy in %s: the same line, exit 2, no order sent', async (_mode, flags, env) => {
    // A one-shot fault on the order POST: still queued afterwards means no order reached the exchange.
    sim.faults.nextHttp.push({ kind: 'status5xx', status: 503, match: { method: 'POST', path: '/v1/orders' } });
    const r = await runCli(['buy', 'KRW-FAKE', '--total', '10000', ...flags()], home(), env);
    const queued = sim.faults.nextHttp.length;
    sim.faults.nextHttp.length = 0;
    expect(lastLine(r)).toMatch(UNKNOWN);
    expect(r.code).toBe(2);
    expect(queued).toBe(1);
    expect(lastLine(r)).not.toMatch(/Upbit/);
  }, TIMEOUT);

  it('sell, orders --market and cancel --all-mine --market are refused the same way, and a typo gets a suggestion', async () => {
    const dir = home();
    const sell = await runCli(['sell', 'KRW-ETHH', '--volume', '1', '--sim', '--api-url', sim.restUrl], dir, keys);
    expect(sell.code).toBe(2);
    expect(lastLine(sell)).toMatch(/^upbit-tui: KRW-ETHH \(did you mean KRW-ETH\?\) is not a market on 127\.0\.0\.1:\d+\./);
    for (const args of [['orders', '--market', 'KRW-FAKE'], ['orders', '--market', 'KRW-FAKE', '--state', 'done'], ['cancel', '--all-mine', '--market', 'KRW-FAKE']]) {
      const r = await runCli([...args, '--sim', '--api-url', sim.restUrl], dir, keys);
      expect(lastLine(r), args.join(' ')).toMatch(UNKNOWN);
      expect(r.code, args.join(' ')).toBe(2);
    }
    const known = await runCli(['orders', '--market', 'KRW-ETH', '--sim', '--api-url', sim.restUrl], dir, keys);
    expect(known.code).toBe(0);
  }, TIMEOUT);
});
