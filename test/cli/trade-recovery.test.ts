/**
 * An earlier run's order whose outcome was lost (the answer dropped after the exchange placed
 * it, or the request dropped before it arrived, and every lookup failed: exit 5) is resolved
 * by the next command, which says so: one line on stderr with what, how much, the identifier
 * (and uuid) and placed or not, and `"recovered"` in its `--json` document (issue 7 §3).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startSimServer, type SimServer } from '../../src/sim/server.js';
import { waitFor } from '../helpers/wait-for.js';
import { arrayOf, jsonOf, runCli, startCli } from './trade-helpers.js';

const ACCESS = 'recovery-test-access-key-0123456789abcd';
const SECRET = 'recovery-test-secret-key-0123456789abcd';
const env = { UPBIT_ACCESS_KEY: ACCESS, UPBIT_SECRET_KEY: SECRET };
let sim: SimServer;
const dir = mkdtempSync(path.join(tmpdir(), 'upbit-trade-recovery-'));
beforeAll(async () => {
  sim = await startSimServer({ port: 0, markets: ['KRW-BTC'], accounts: [{ accessKey: ACCESS, secretKey: SECRET }] });
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A buy whose outcome stays unknown: the POST is `fault`ed and every lookup by identifier fails. Returns its identifier. */
async function lostBuy(fault: 'dropAfter' | 'dropBefore', amounts: string[]): Promise<string> {
  sim.faults.nextHttp.push({ kind: fault, match: { method: 'POST', path: '/v1/orders' } });
  for (let i = 0; i < 40; i += 1) sim.faults.nextHttp.push({ kind: 'status5xx', status: 503, match: { method: 'GET', path: '/v1/order' } });
  const r = await runCli(['buy', 'KRW-BTC', '--sim', '--api-url', sim.restUrl, ...amounts, '--json'], dir, env);
  sim.faults.nextHttp.length = 0;
  expect(r.code, r.stderr).toBe(5);
  expect(jsonOf(r)).toMatchObject({ status: 'unknown', recovered: [] });
  return String(jsonOf(r)['identifier']);
}

function noticesOf(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.includes("an earlier run's order"));
}

describe('the next command says what became of an earlier run\'s unknown order', () => {
  it('placed after all: the next buy says so (identifier, uuid, open) before placing its own, and its JSON carries it', async () => {
    const identifier = await lostBuy('dropAfter', ['--price', '2000000', '--volume', '0.01']);
    const onExchange = sim.exchange.list(ACCESS, {}).find((o) => o.identifier === identifier);
    expect(onExchange).toBeDefined();

    const next = await runCli(['buy', 'KRW-BTC', '--sim', '--api-url', sim.restUrl, '--price', '1000000', '--volume', '0.01', '--json'], dir, env);
    expect(next.code, next.stderr).toBe(0);
    const notices = noticesOf(next.stderr);
    expect(notices).toEqual([
      `upbit-tui: an earlier run's order WAS placed: limit buy 0.01 KRW-BTC at 2,000,000 KRW (identifier ${identifier}, uuid ${onExchange?.uuid}), now open (wait). Do not place it again unless you want a second one.`,
    ]);
    const doc = jsonOf(next);
    expect(doc['status']).toBe('acked');
    expect(arrayOf(doc['recovered'])).toEqual([
      { identifier, uuid: onExchange?.uuid, market: 'KRW-BTC', side: 'bid', ordType: 'limit', price: '2000000', volume: '0.01', total: null, outcome: 'placed', state: 'wait', executedVolume: '0' },
    ]);

    // Said once: the command after that has nothing to recover.
    const quiet = await runCli(['orders', '--sim', '--api-url', sim.restUrl, '--json'], dir, env);
    expect(quiet.code).toBe(0);
    expect(noticesOf(quiet.stderr)).toEqual([]);
    expect(jsonOf(quiet)['recovered']).toEqual([]);
  }, 120_000);

  it('not placed: the next command (balance) says it was not placed, in words and in JSON', async () => {
    const identifier = await lostBuy('dropBefore', ['--price', '3000000', '--volume', '0.01']);
    expect(sim.exchange.list(ACCESS, {}).find((o) => o.identifier === identifier)).toBeUndefined();

    const next = await runCli(['balance', '--sim', '--api-url', sim.restUrl, '--json'], dir, env);
    expect(next.code, next.stderr).toBe(0);
    expect(noticesOf(next.stderr)).toEqual([
      `upbit-tui: an earlier run's order was NOT placed: limit buy 0.01 KRW-BTC at 3,000,000 KRW (identifier ${identifier}); the exchange has no such order. Place it again if you still want it.`,
    ]);
    expect(arrayOf(jsonOf(next)['recovered'])).toEqual([
      { identifier, uuid: null, market: 'KRW-BTC', side: 'bid', ordType: 'limit', price: '3000000', volume: '0.01', total: null, outcome: 'not_placed', state: null, executedVolume: null },
    ]);
  }, 120_000);

  it('a market buy that filled: says how much was filled', async () => {
    const identifier = await lostBuy('dropAfter', ['--total', '10000']);
    const onExchange = sim.exchange.list(ACCESS, {}).find((o) => o.identifier === identifier);
    expect(onExchange?.state).toMatch(/^(done|cancel)$/);
    const filled = onExchange?.executedVolume.toFixed() ?? '';
    expect(Number(filled)).toBeGreaterThan(0);

    const next = await runCli(['orders', '--sim', '--api-url', sim.restUrl, '--json'], dir, env);
    expect(next.code, next.stderr).toBe(0);
    const [line] = noticesOf(next.stderr);
    expect(line).toContain(`an earlier run's order WAS placed: market buy 10,000 KRW of KRW-BTC (identifier ${identifier}, uuid ${onExchange?.uuid}), now filled`);
    expect(line).toContain(`, ${filled} BTC filled.`);
    expect(arrayOf(jsonOf(next)['recovered'])).toEqual([
      { identifier, uuid: onExchange?.uuid, market: 'KRW-BTC', side: 'bid', ordType: 'price', price: null, volume: null, total: '10000', outcome: 'placed', state: onExchange?.state, executedVolume: filled },
    ]);
  }, 120_000);

  it('kill -9 while the buy is on the wire: the next command says whether it was placed (here not: the exchange dropped the held request with its connection)', async () => {
    // The exchange holds the POST; the command is killed meanwhile, its attempt left pending.
    // The simulator drops a held request whose client went away, so nothing is placed.
    sim.faults.nextHttp.push({ kind: 'latency', latencyMs: 10_000, match: { method: 'POST', path: '/v1/orders' } });
    const run = startCli(['buy', 'KRW-BTC', '--sim', '--api-url', sim.restUrl, '--price', '1500000', '--volume', '0.01'], dir, env);
    await waitFor(() => sim.faults.nextHttp.length === 0, 'the order POST to reach the exchange', 30_000);
    run.child.kill('SIGKILL');
    expect((await run.result).code).toBeNull();

    const next = await runCli(['balance', '--sim', '--api-url', sim.restUrl, '--json'], dir, env);
    expect(next.code, next.stderr).toBe(0);
    const [recovered, ...more] = arrayOf(jsonOf(next)['recovered']);
    expect(more).toEqual([]);
    expect(recovered).toMatchObject({ market: 'KRW-BTC', price: '1500000', volume: '0.01', uuid: null, outcome: 'not_placed', state: null });
    const identifier = String(recovered?.['identifier']);
    expect(sim.exchange.list(ACCESS, {}).some((o) => o.identifier === identifier)).toBe(false);
    expect(noticesOf(next.stderr)).toEqual([
      `upbit-tui: an earlier run's order was NOT placed: limit buy 0.01 KRW-BTC at 1,500,000 KRW (identifier ${identifier}); the exchange has no such order. Place it again if you still want it.`,
    ]);
  }, 120_000);

  it('still unresolved: said as such (may exist), in JSON as unknown, and resolved by a later command', async () => {
    const identifier = await lostBuy('dropAfter', ['--price', '2500000', '--volume', '0.01']);
    for (let i = 0; i < 40; i += 1) sim.faults.nextHttp.push({ kind: 'status5xx', status: 503, match: { method: 'GET', path: '/v1/order' } });
    const blind = await runCli(['orders', '--sim', '--api-url', sim.restUrl, '--json'], dir, env);
    sim.faults.nextHttp.length = 0;
    expect(blind.code, blind.stderr).toBe(0);
    expect(noticesOf(blind.stderr)).toEqual([
      `upbit-tui: an earlier run's order is still unresolved: limit buy 0.01 KRW-BTC at 2,500,000 KRW (identifier ${identifier}) may exist; it is looked up again by the next command. Check with upbit-tui orders --state wait before placing it again.`,
    ]);
    expect(arrayOf(jsonOf(blind)['recovered'])).toEqual([expect.objectContaining({ identifier, uuid: null, outcome: 'unknown', state: null })]);

    const next = await runCli(['balance', '--sim', '--api-url', sim.restUrl, '--json'], dir, env);
    expect(next.code, next.stderr).toBe(0);
    expect(arrayOf(jsonOf(next)['recovered'])).toEqual([expect.objectContaining({ identifier, outcome: 'placed', state: 'wait' })]);
  }, 120_000);
});
