/**
 * A trading command is a short-lived kernel (src/cli/command-runner.ts): every signal takes the
 * kernel's one path. SIGTERM while an order is on the wire ends as SIGINT does (130, the order
 * awaited and journaled); Ctrl+C during the start-up recovery stops it (130, nothing sent); a
 * second Ctrl+C while the first is being handled ends the command at once, saying so, with 130.
 * Real processes against a simulator on port 0 with one-shot faults.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startSimServer, type SimServer } from '../../src/sim/server.js';
import { waitFor } from '../helpers/wait-for.js';
import { arrayOf, jsonOf, logFileOf, runCli, startCli } from './trade-helpers.js';

const ACCESS = 'signals-test-access-key-0123456789abcdef';
const SECRET = 'signals-test-secret-key-0123456789abcdef';
const env = { UPBIT_ACCESS_KEY: ACCESS, UPBIT_SECRET_KEY: SECRET };
let sim: SimServer;
const dir = mkdtempSync(path.join(tmpdir(), 'upbit-trade-signals-'));
beforeAll(async () => {
  sim = await startSimServer({ port: 0, markets: ['KRW-BTC'], accounts: [{ accessKey: ACCESS, secretKey: SECRET }] });
});
afterAll(async () => {
  sim.faults.nextHttp.length = 0;
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const buyArgs = (price: string): string[] => ['buy', 'KRW-BTC', '--sim', '--api-url', sim.restUrl, '--price', price, '--volume', '0.01'];
const ordersAt = (price: string): number => sim.exchange.list(ACCESS, {}).filter((o) => o.price?.toString() === price).length;
const lastLine = (stderr: string): string => stderr.trimEnd().split('\n').at(-1) ?? '';

/** Whether the command's kernel has logged the start of its shutdown (the first signal taken). */
function shutdownBegan(home: string): boolean {
  const file = logFileOf(home);
  return existsSync(file) && readFileSync(file, 'utf8').includes('"msg":"shutting down"');
}

describe('signals take the kernel path in a trading command', () => {
  it('SIGTERM while the order is on the wire: awaited, journaled, once on the exchange, exit 130 as for SIGINT', async () => {
    const home = path.join(dir, 'term');
    sim.faults.nextHttp.push({ kind: 'latency', latencyMs: 1500, match: { method: 'POST', path: '/v1/orders' } });
    const run = startCli(buyArgs('1100000'), home, env);
    await waitFor(() => sim.faults.nextHttp.length === 0, 'the order POST to reach the exchange', 30_000);
    run.child.kill('SIGTERM');
    const r = await run.result;
    // The placement is awaited, so the command either ends as it finished it or as it was stopping.
    expect(r.code, r.stderr).toBe(130);
    expect(lastLine(r.stderr)).toMatch(/^upbit-tui: Interrupted( after the command finished its work|: no new order was sent)/);
    expect(ordersAt('1100000')).toBe(1);
    // The journal knows it: the next command has nothing to resolve.
    const next = await runCli(['orders', '--sim', '--api-url', sim.restUrl, '--json'], home, env);
    expect(next.code, next.stderr).toBe(0);
    expect(arrayOf(jsonOf(next)['recovered'])).toEqual([]);
    // The kernel, not a private handler, took the signal: its shutdown is in the log.
    expect(readFileSync(logFileOf(home), 'utf8')).toMatch(/"component":"kernel".*"reason":"SIGTERM","exitCode":130.*"msg":"shutting down"/);
  }, 60_000);

  it('Ctrl+C while waiting for the fills: the read is given up at once, the placed order journaled, exit 130', async () => {
    const home = path.join(dir, 'fills');
    // The order is placed at once; the read-back of its fills is held far longer than the test waits.
    sim.faults.nextHttp.push({ kind: 'latency', latencyMs: 30_000, match: { method: 'GET', path: '/v1/order' } });
    const run = startCli(buyArgs('1150000'), home, env);
    await waitFor(() => sim.faults.nextHttp.length === 0, 'the read of the fills to reach the exchange', 30_000);
    expect(ordersAt('1150000')).toBe(1);
    const at = Date.now();
    run.child.kill('SIGINT');
    const r = await run.result;
    expect(Date.now() - at).toBeLessThan(10_000);
    expect(r.code, r.stderr).toBe(130);
    expect(lastLine(r.stderr)).toMatch(/^upbit-tui: Interrupted/);
    const next = await runCli(['orders', '--sim', '--api-url', sim.restUrl, '--json'], home, env);
    expect(next.code, next.stderr).toBe(0);
    expect(arrayOf(jsonOf(next)['recovered'])).toEqual([]);
    expect(arrayOf(jsonOf(next)['orders']).filter((o) => o['price'] === '1150000')).toHaveLength(1);
  }, 60_000);

  it('Ctrl+C during the start-up recovery stops it at once: exit 130, nothing sent; the next command resolves the order', async () => {
    const home = path.join(dir, 'recovery');
    // An earlier run killed while its buy was on the wire leaves the attempt pending.
    sim.faults.nextHttp.push({ kind: 'latency', latencyMs: 10_000, match: { method: 'POST', path: '/v1/orders' } });
    const killed = startCli(buyArgs('1200000'), home, env);
    await waitFor(() => sim.faults.nextHttp.length === 0, 'the order POST to reach the exchange', 30_000);
    killed.child.kill('SIGKILL');
    await killed.result;
    const before = sim.exchange.list(ACCESS, {}).length;

    // The next command's recovery looks it up; the exchange holds that lookup far longer than the test waits.
    sim.faults.nextHttp.push({ kind: 'latency', latencyMs: 30_000, match: { method: 'GET', path: '/v1/order' } });
    const run = startCli(['buy', 'KRW-BTC', '--sim', '--api-url', sim.restUrl, '--price', '1300000', '--volume', '0.01'], home, env);
    await waitFor(() => sim.faults.nextHttp.length === 0, 'the recovery lookup to reach the exchange', 30_000);
    const at = Date.now();
    run.child.kill('SIGINT');
    const r = await run.result;
    expect({ code: r.code, last: lastLine(r.stderr) }, r.stderr).toEqual({ code: 130, last: 'upbit-tui: Interrupted: no new order was sent; anything already sent is in the journal and is resolved on the next run.' });
    // The held lookup was given up on, not waited out.
    expect(Date.now() - at).toBeLessThan(10_000);
    expect(sim.exchange.list(ACCESS, {}).length).toBe(before);
    expect(ordersAt('1300000')).toBe(0);

    const next = await runCli(['balance', '--sim', '--api-url', sim.restUrl, '--json'], home, env);
    expect(next.code, next.stderr).toBe(0);
    expect(arrayOf(jsonOf(next)['recovered'])).toEqual([expect.objectContaining({ price: '1200000', outcome: 'not_placed' })]);
  }, 90_000);

  it('a second Ctrl+C while the first is handled ends the command at once, saying so, with exit 130', async () => {
    const home = path.join(dir, 'twice');
    // Held past the client's own answer timeout: the first Ctrl+C alone would wait for it.
    sim.faults.nextHttp.push({ kind: 'latency', latencyMs: 20_000, match: { method: 'POST', path: '/v1/orders' } });
    const run = startCli(buyArgs('1400000'), home, env);
    await waitFor(() => sim.faults.nextHttp.length === 0, 'the order POST to reach the exchange', 30_000);
    run.child.kill('SIGINT');
    await waitFor(() => shutdownBegan(home), 'the kernel to begin its shutdown', 10_000);
    const at = Date.now();
    run.child.kill('SIGINT');
    const r = await run.result;
    expect(Date.now() - at).toBeLessThan(3_000);
    // Before: the second SIGINT killed the process by the signal's default action (code null), without a word.
    expect({ code: r.code, last: lastLine(r.stderr) }, r.stderr).toEqual({ code: 130, last: 'upbit-tui: Stopped at once: anything already sent is in the journal and is resolved by the next command.' });
  }, 60_000);
});
