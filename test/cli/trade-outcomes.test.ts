/**
 * Orders whose fate is in doubt, against a simulator on port 0 with one-shot faults:
 * SIGINT while the order is on the wire (awaited and journaled, exactly one on the exchange,
 * exit 130), and an answer lost for good (exit 5 with the identifier; the next command's
 * start-up recovery resolves it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startSimServer, type SimServer } from '../../src/sim/server.js';
import { waitFor } from '../helpers/wait-for.js';
import { arrayOf, jsonOf, runCli, startCli } from './trade-helpers.js';

const ACCESS = 'signal-test-access-key-0123456789abcdef';
const SECRET = 'signal-test-secret-key-0123456789abcdef';
const env = { UPBIT_ACCESS_KEY: ACCESS, UPBIT_SECRET_KEY: SECRET };
let sim: SimServer;
const dir = mkdtempSync(path.join(tmpdir(), 'upbit-trade-signal-'));
beforeAll(async () => {
  sim = await startSimServer({ port: 0, markets: ['KRW-BTC'], accounts: [{ accessKey: ACCESS, secretKey: SECRET }] });
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SIGINT during buy', () => {
  it('awaits the order in flight, journals it, sends nothing else, exits 130', async () => {
    // The order POST is held at the exchange long enough to interrupt the command meanwhile.
    sim.faults.nextHttp.push({ kind: 'latency', latencyMs: 1500, match: { method: 'POST', path: '/v1/orders' } });
    const run = startCli(['buy', 'KRW-BTC', '--sim', '--api-url', sim.restUrl, '--price', '1000000', '--volume', '0.01'], dir, env);
    // The one-shot is taken off the list when the POST arrives; the exchange then holds it.
    await waitFor(() => sim.faults.nextHttp.length === 0, 'the order POST to reach the exchange', 30_000);
    run.child.kill('SIGINT');
    const r = await run.result;
    expect(r.code).toBe(130);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(/^upbit-tui: Interrupted/);
    // The order was placed once, and the journal knows it: the next command finds nothing unresolved.
    const open = await runCli(['orders', '--sim', '--api-url', sim.restUrl, '--json'], dir, env);
    expect(open.code).toBe(0);
    expect(open.stderr).not.toMatch(/still unknown/);
    const orders = arrayOf(jsonOf(open)['orders']);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ market: 'KRW-BTC', price: '1000000', volume: '0.01', state: 'wait' });
  }, 60_000);

  it('an order whose answer is lost and cannot be looked up exits 5 with its identifier; the next command resolves it', async () => {
    // The POST is processed but its answer dropped; every lookup by identifier then fails.
    sim.faults.nextHttp.push({ kind: 'dropAfter', match: { method: 'POST', path: '/v1/orders' } });
    for (let i = 0; i < 40; i += 1) sim.faults.nextHttp.push({ kind: 'status5xx', status: 503, match: { method: 'GET', path: '/v1/order' } });
    const r = await runCli(['buy', 'KRW-BTC', '--sim', '--api-url', sim.restUrl, '--price', '2000000', '--volume', '0.01', '--json'], dir, env);
    sim.faults.nextHttp.length = 0;
    expect(r.code).toBe(5);
    const doc = jsonOf(r);
    expect(doc['status']).toBe('unknown');
    expect(typeof doc['identifier']).toBe('string');
    const last = r.stderr.trimEnd().split('\n').at(-1) ?? '';
    expect(last).toContain(String(doc['identifier']));
    expect(last).toMatch(/upbit-tui orders --state wait/);

    // Start-up recovery finds it: listed once, under the same identifier.
    const open = await runCli(['orders', '--sim', '--api-url', sim.restUrl, '--json'], dir, env);
    expect(open.code).toBe(0);
    const mine = arrayOf(jsonOf(open)['orders']).filter((o) => o['price'] === '2000000');
    expect(mine).toHaveLength(1);
    expect(mine[0]?.['identifier']).toBe(doc['identifier']);
  }, 90_000);
});
